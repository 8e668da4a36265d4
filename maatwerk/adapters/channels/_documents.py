"""Shared machinery of the JSON-document channels (bailiff, municipal, source-deduction, CAK).

Each such channel turns one action into one JSON document, checks it against the JSON Schema it
ships in ``maatwerk/adapters/channels/schemas/`` (with :mod:`maatwerk.adapters.jsonschema_check`),
and writes it to ``<output_dir>/<channel>/<run date>/[<group>/]<action id>.json``. A document
that exists already is not written again (idempotent on the action id; byte-identical output,
no clock read). A builder raises :class:`RefusedError` when the action must not be carried out;
the reason becomes the receipt's reason and never contains personal data.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from importlib import resources
from typing import Any

from maatwerk.adapters.channels._files import atomic_write, safe_file_stem
from maatwerk.adapters.jsonschema_check import check
from maatwerk.core.ports import (
    PAYLOAD_AMOUNT,
    PAYLOAD_DEBTOR_NAME,
    DeliveryContext,
    DeliveryReceipt,
    OutboundAction,
    PayloadValue,
)


__all__ = [
    "RefusedError",
    "creditor_name",
    "debtor_name",
    "deliver_documents",
    "load_schema",
    "plain",
    "positive_amount",
    "validate",
]


class RefusedError(ValueError):
    """The action must not (or cannot) be carried out; the message says why."""


def debtor_name(payload: Mapping[str, PayloadValue]) -> str:
    """The debtor's name in ``payload``; :class:`RefusedError` when it is missing or blank."""
    name = payload.get(PAYLOAD_DEBTOR_NAME)
    if not isinstance(name, str) or not name.strip():
        raise RefusedError(f"payload field {PAYLOAD_DEBTOR_NAME!r} is missing")
    return name


def positive_amount(payload: Mapping[str, PayloadValue]) -> Decimal:
    """The action's amount in ``payload``; :class:`RefusedError` unless it is above zero."""
    amount = payload.get(PAYLOAD_AMOUNT)
    if isinstance(amount, bool) or not isinstance(amount, Decimal) or amount <= 0:
        raise RefusedError(f"payload field {PAYLOAD_AMOUNT!r} must be an amount above zero")
    return amount


def creditor_name(settings: Mapping[str, str]) -> str:
    """The ``creditor_name`` channel setting; :class:`RefusedError` when it is not set."""
    name = settings.get("creditor_name", "").strip()
    if not name:
        raise RefusedError("no creditor name: set 'creditor_name' in the channel settings")
    return name


#: A builder: the document for one action, and an optional sub-directory (a group, e.g. payer).
Builder = Callable[[OutboundAction, DeliveryContext], tuple[dict[str, Any], str]]


@functools.cache
def load_schema(file_name: str) -> Mapping[str, Any]:
    """The shipped JSON Schema ``schemas/<file_name>``."""
    text = (
        resources.files("maatwerk.adapters.channels")
        .joinpath("schemas", file_name)
        .read_text(encoding="utf-8")
    )
    schema: Mapping[str, Any] = json.loads(text)
    return schema


def validate(document: Mapping[str, Any], file_name: str) -> list[str]:
    """Every violation of the shipped schema ``file_name`` in ``document``."""
    return check(document, load_schema(file_name))


def plain(value: PayloadValue | object) -> Any:
    """A payload value as JSON: amounts as strings with 2 decimals, dates ISO, tuples lists."""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [plain(v) for v in value]
    return value


def deliver_documents(
    actions: Sequence[OutboundAction],
    context: DeliveryContext,
    *,
    name: str,
    schema_file: str,
    kinds: frozenset[str],
    build: Builder,
) -> list[DeliveryReceipt]:
    """Deliver ``actions`` as JSON documents (see the module docstring); one receipt each."""
    receipts: list[DeliveryReceipt] = []
    day = context.run_date.isoformat()
    for action in actions:
        if action.channel != name:
            receipts.append(
                DeliveryReceipt.refused(
                    action.action_id, f"action is for channel {action.channel!r}, not {name}"
                )
            )
            continue
        if action.kind not in kinds:
            receipts.append(
                DeliveryReceipt.refused(
                    action.action_id,
                    f"{name} does not carry {action.kind!r}; it carries {', '.join(sorted(kinds))}",
                )
            )
            continue
        try:
            document, group = build(action, context)
        except RefusedError as exc:
            receipts.append(DeliveryReceipt.refused(action.action_id, str(exc)))
            continue
        problems = validate(document, schema_file)
        if problems:
            receipts.append(
                DeliveryReceipt.refused(
                    action.action_id,
                    f"document does not match {schema_file}: {'; '.join(problems[:3])}",
                )
            )
            continue
        parts = [
            day,
            *([safe_file_stem(group)] if group else []),
            f"{safe_file_stem(action.action_id)}.json",
        ]
        target = context.output_dir / name
        for part in parts:
            target = target / part
        reference = "/".join([name, *parts])
        if not context.dry_run and not target.exists():
            text = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
            try:
                atomic_write(target, text)
            except OSError as exc:
                receipts.append(
                    DeliveryReceipt.failed(action.action_id, f"cannot write {reference}: {exc}")
                )
                continue
        receipts.append(DeliveryReceipt.delivered(action.action_id, reference))
    return receipts
