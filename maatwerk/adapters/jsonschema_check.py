"""A small JSON Schema checker for the subset of draft 2020-12 our own schemas use.

The ``jsonschema`` package is not a dependency; our schemas use only these keywords, which this
module checks (anything else makes :func:`check` raise, so a schema cannot silently go unchecked):
``type`` (one or a list), ``const``, ``enum``, ``pattern``, ``minLength``, ``minimum``, ``maximum``,
``minItems``, ``required``, ``properties``, ``additionalProperties`` (boolean or schema),
``items``, ``format`` (``date`` and ``date-time`` checked), ``allOf`` and ``$ref`` (resolved by the
caller's ``resolve``: our payload schemas refer to a sibling file, e.g. ``common.v1.json``), plus
the annotations ``$schema``, ``$id``, ``title``, ``description``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import Any, Final


__all__ = ["SchemaUnsupportedError", "check"]

_ANNOTATIONS: Final = frozenset({"$schema", "$id", "title", "description", "$comment"})
_KEYWORDS: Final = frozenset(
    {
        "type",
        "const",
        "enum",
        "pattern",
        "minLength",
        "minimum",
        "maximum",
        "minItems",
        "required",
        "properties",
        "additionalProperties",
        "items",
        "format",
        "allOf",
        "$ref",
    }
)
_TYPES: Final[dict[str, tuple[type, ...]]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
}


class SchemaUnsupportedError(ValueError):
    """The schema uses a keyword this checker does not implement."""


def _type_ok(value: Any, name: str) -> bool:
    if name in {"integer", "number"} and isinstance(value, bool):
        return False
    return isinstance(value, _TYPES[name])


def _format_ok(value: str, fmt: str) -> bool:
    try:
        if fmt == "date":
            dt.date.fromisoformat(value)
        elif fmt == "date-time":
            dt.datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


#: Resolves a ``$ref`` to the schema it names.
Resolver = Callable[[str], Mapping[str, Any]]


def _no_refs(ref: str) -> Mapping[str, Any]:
    raise SchemaUnsupportedError(f"cannot resolve $ref {ref!r}: no resolver given")


def check(
    instance: Any, schema: Mapping[str, Any], path: str = "$", resolve: Resolver = _no_refs
) -> list[str]:
    """Every violation of ``schema`` in ``instance``, as ``"<json path>: <message>"``."""
    unknown = set(schema) - _KEYWORDS - _ANNOTATIONS
    if unknown:
        raise SchemaUnsupportedError(f"{path}: unsupported schema keywords {sorted(unknown)}")
    errors: list[str] = []
    if "$ref" in schema:
        errors.extend(check(instance, resolve(schema["$ref"]), path, resolve))
    for part in schema.get("allOf", ()):
        errors.extend(check(instance, part, path, resolve))
    if "type" in schema:
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_type_ok(instance, n) for n in names):
            return [
                *errors,
                f"{path}: expected {' or '.join(names)}, got {type(instance).__name__}",
            ]
    if "const" in schema and instance != schema["const"]:
        errors.append(f"{path}: expected {schema['const']!r}")
    if "enum" in schema and instance not in schema["enum"]:
        errors.append(f"{path}: {instance!r} is not one of {schema['enum']!r}")
    if isinstance(instance, str):
        if "pattern" in schema and not re.search(schema["pattern"], instance):
            errors.append(f"{path}: {instance!r} does not match {schema['pattern']!r}")
        if len(instance) < schema.get("minLength", 0):
            errors.append(f"{path}: shorter than {schema['minLength']}")
        if "format" in schema and not _format_ok(instance, schema["format"]):
            errors.append(f"{path}: {instance!r} is not a valid {schema['format']}")
    if _type_ok(instance, "number"):
        if "minimum" in schema and instance < schema["minimum"]:
            errors.append(f"{path}: {instance} is below {schema['minimum']}")
        if "maximum" in schema and instance > schema["maximum"]:
            errors.append(f"{path}: {instance} is above {schema['maximum']}")
    if isinstance(instance, list):
        if len(instance) < schema.get("minItems", 0):
            errors.append(f"{path}: fewer than {schema['minItems']} items")
        if "items" in schema:
            for index, item in enumerate(instance):
                errors.extend(check(item, schema["items"], f"{path}[{index}]", resolve))
    if isinstance(instance, dict):
        errors.extend(
            f"{path}: missing required property {key!r}"
            for key in schema.get("required", ())
            if key not in instance
        )
        properties: Mapping[str, Any] = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for key, value in instance.items():
            if key in properties:
                errors.extend(check(value, properties[key], f"{path}.{key}", resolve))
            elif extra is False:
                errors.append(f"{path}: unexpected property {key!r}")
            elif isinstance(extra, Mapping):
                errors.extend(check(value, extra, f"{path}.{key}", resolve))
    return errors
