"""The payload of each action kind: one versioned JSON Schema per kind, checked and documented.

The schemas ship in ``maatwerk/adapters/channels/schemas/payloads/``: ``common.v1.json`` (what
every payload carries) and ``<action kind>.v1.json`` (what that kind adds; it refers to the common
one with ``allOf``/``$ref``). They are the one source for three things:

* the check before delivery: the dispatcher is given :func:`payload_problems` (the CLI and the
  demo wire it) and refuses an action whose payload does not match, naming the field, before any
  channel sees it (the run builds every payload, so a mismatch is a bug);
* the reference page ``docs/plugins/payloads.md``, rendered by :func:`render_markdown`
  (``python -m maatwerk.adapters.payload_schemas docs/plugins/payloads.md``; a test checks the
  page is current);
* the contract kit's samples (:func:`maatwerk.testing.sample_payload_for`), which a test checks
  against these schemas and against what the real run builds.

A payload holds Python values; :func:`as_json` turns them into the JSON the schema describes:
``Decimal`` a string (``"123.45"``), a date its ISO form, tuples lists.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import pathlib
import sys
from collections.abc import Mapping, Sequence
from decimal import Decimal
from importlib import resources
from typing import Any, Final

from maatwerk.adapters.jsonschema_check import check
from maatwerk.core.events import ActionKind
from maatwerk.core.ports import PayloadValue


__all__ = [
    "COMMON_SCHEMA",
    "PAYLOAD_SCHEMA_VERSION",
    "as_json",
    "documented_fields",
    "payload_problems",
    "payload_schema",
    "render_markdown",
    "schema_file",
]

PAYLOAD_SCHEMA_VERSION: Final = 1
COMMON_SCHEMA: Final = f"common.v{PAYLOAD_SCHEMA_VERSION}.json"
_DIRECTORY: Final = ("schemas", "payloads")
DOCS_PAGE: Final = "docs/plugins/payloads.md"


def schema_file(kind: str) -> str:
    """The schema file of action ``kind`` (``bailiff-handover`` -> ``bailiff-handover.v1.json``)."""
    return f"{kind}.v{PAYLOAD_SCHEMA_VERSION}.json"


@functools.cache
def _load(file_name: str) -> Mapping[str, Any]:
    text = (
        resources.files("maatwerk.adapters.channels")
        .joinpath(*_DIRECTORY, file_name)
        .read_text(encoding="utf-8")
    )
    schema: Mapping[str, Any] = json.loads(text)
    return schema


def payload_schema(kind: str) -> Mapping[str, Any]:
    """The shipped schema of action ``kind``'s payload; ``KeyError`` for an unknown kind."""
    try:
        ActionKind(kind)
    except ValueError:
        raise KeyError(f"no payload schema for action kind {kind!r}") from None
    return _load(schema_file(kind))


def documented_fields(kind: str) -> frozenset[str]:
    """The payload keys the schemas of ``kind`` document: the common ones and the kind's own
    (any other key is a step param, a string)."""
    common = _load(COMMON_SCHEMA)["properties"]
    return frozenset({*common, *payload_schema(kind).get("properties", {})})


def as_json(value: PayloadValue | object) -> Any:
    """A payload value as the JSON its schema describes (Decimal a string, dates ISO)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): as_json(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [as_json(v) for v in value]
    return value


def payload_problems(kind: str, payload: Mapping[str, PayloadValue]) -> list[str]:
    """Every way ``payload`` breaks action ``kind``'s schema, each naming the schema and the
    field (``"bailiff-handover.v1.json: $.claims[0]: missing required property 'debt_id'"``).
    A kind without a schema (not one of maatwerk's action kinds) is not checked."""
    try:
        schema = payload_schema(kind)
    except KeyError:
        return []
    name = schema_file(kind)
    return [f"{name}: {p}" for p in check(as_json(payload), schema, resolve=_load)]


# ------------------------------------------------------------------------------ the docs page
def _type(schema: Mapping[str, Any]) -> str:
    kinds = schema.get("type", "")
    names = kinds if isinstance(kinds, list) else [kinds]
    shown = []
    for name in names:
        if name == "string" and schema.get("format") == "date":
            shown.append("date")
        elif (
            name == "string" and "pattern" in schema and "Decimal" in schema.get("description", "")
        ):
            shown.append("amount")
        elif name == "array":
            item = schema.get("items", {})
            inner = _type(item) if isinstance(item, Mapping) and "type" in item else ""
            shown.append(f"list of {inner}s" if inner and inner != "object" else "list")
        elif name:
            shown.append(str(name))
    return " or ".join(shown) or "any"


def _sentence(text: str) -> str:
    text = text.strip().rstrip(".")
    return f"{text[:1].upper()}{text[1:]}."


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _fields(schema: Mapping[str, Any], prefix: str = "") -> list[str]:
    required = set(schema.get("required", ()))
    rows: list[str] = []
    for key, field in schema.get("properties", {}).items():
        name = f"{prefix}{key}"
        description = str(field.get("description", ""))
        for suffix in (" (Decimal in euros; a string in JSON)", " (a date)", " (a date, or null)"):
            description = description.removesuffix(suffix)
        if "enum" in field:
            description += " (" + ", ".join(f"`{v}`" for v in field["enum"] if v is not None) + ")"
        rows.append(
            f"| `{name}` | {'yes' if key in required else ''} | {_type(field)} | "
            f"{_cell(description)} |"
        )
        nested = field.get("items") if field.get("type") == "array" else field
        if isinstance(nested, Mapping) and nested.get("properties"):
            rows.extend(_fields(nested, f"{name}{'[].' if nested is not field else '.'}"))
    return rows


def _table(schema: Mapping[str, Any]) -> list[str]:
    return ["| field | required | type | meaning |", "|---|---|---|---|", *_fields(schema)]


def render_markdown() -> str:
    """The page ``docs/plugins/payloads.md``, rendered from the shipped schemas."""
    common = _load(COMMON_SCHEMA)
    lines = [
        "# Payloads by action kind",
        "",
        "<!-- Generated from maatwerk/adapters/channels/schemas/payloads/ by",
        "     `python -m maatwerk.adapters.payload_schemas docs/plugins/payloads.md`.",
        "     Do not edit: change the schemas and render again (a test checks this page). -->",
        "",
        (
            "Every action a channel receives (`OutboundAction.payload`) is described by a versioned "
            "JSON Schema, one per action kind, shipped in "
            "`maatwerk/adapters/channels/schemas/payloads/` (version "
            f"{PAYLOAD_SCHEMA_VERSION}). The run checks each payload against its schema before it "
            "calls any channel; a payload that does not match is a bug and the action is refused "
            "with the schema and the field it breaks. The contract kit has a valid sample per kind: "
            "`maatwerk.testing.sample_payload_for(kind)`."
        ),
        "",
        (
            "In Python, amounts are `Decimal` (never float), dates `datetime.date`, lists tuples; the "
            'schemas describe the JSON form (an amount is a string like `"123.45"`, a date '
            '`"2026-03-02"`). Keys not listed are allowed: a step\'s `[step.params]` are copied into '
            "its payload as strings."
        ),
        "",
        (
            "Before the channel is called the run also checks what the law asks on the payload "
            "(`maatwerk.core.preconditions`): a bailiff hand-over, a referral or an early signal to "
            "the municipality, a deduction at source. A channel that replaces a stock one keeps "
            "those checks; see [Hooks](hooks.md#replacing-a-stock-channel)."
        ),
        "",
        f"## Every action (`{COMMON_SCHEMA}`)",
        "",
        str(common.get("description", "")),
        "",
        *_table(common),
    ]
    for kind in ActionKind:
        schema = payload_schema(kind.value)
        lines += [
            "",
            f"## `{kind.value}` (`{schema_file(kind.value)}`)",
            "",
            (
                f"{_sentence(str(schema.get('description', '')))} Every field of "
                "[every action](#every-action-commonv1json), and:"
            ),
            "",
        ]
        lines += _table(schema) if schema.get("properties") else ["Nothing more."]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Write the rendered page to the path given (default :data:`DOCS_PAGE`)."""
    args = list(sys.argv[1:] if argv is None else argv)
    target = pathlib.Path(args[0] if args else DOCS_PAGE)
    target.write_text(render_markdown(), encoding="utf-8")
    return 0


if __name__ == "__main__":  # pragma: no cover - the command line
    raise SystemExit(main())
