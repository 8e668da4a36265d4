"""Events as plain records (JSON-able dicts) and back, generically from their fields."""

from __future__ import annotations

import datetime as dt
import enum
import types
import typing
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, TypeVar

import attrs

from maatwerk.core.events._kinds import EVENT_TYPES, Event
from maatwerk.core.money import Money


__all__ = [
    "event_class",
    "event_from_record",
    "event_to_record",
    "sort_events",
]

E = TypeVar("E", bound=Event)


def event_class(kind: str) -> type[Event]:
    """The class registered for ``kind``; ``KeyError`` with the known kinds otherwise."""
    try:
        return EVENT_TYPES[kind]
    except KeyError:
        raise KeyError(f"unknown event kind {kind!r}; known: {sorted(EVENT_TYPES)}") from None


def sort_events(events: typing.Iterable[E]) -> tuple[E, ...]:
    """Stable order for evaluation: by ``occurred_on``, keeping insertion order within a day."""
    return tuple(sorted(events, key=lambda e: e.occurred_on))


def _dump(value: Any) -> Any:
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Money):
        return {"amount": str(value.amount), "currency": value.currency}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, tuple):
        return [_dump(v) for v in value]
    raise TypeError(f"cannot serialise {type(value).__name__} in an event")


def event_to_record(event: Event) -> dict[str, Any]:
    """A JSON-able dict: ``{"kind": ..., <field>: <plain value>}`` (dates ISO, Money as a dict)."""
    record: dict[str, Any] = {"kind": event.kind}
    for field in attrs.fields(type(event)):
        record[field.name] = _dump(getattr(event, field.name))
    return record


def _load(tp: Any, value: Any, where: str) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(tp) if a is not type(None)]
        return _load(options[0], value, where)
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_load(args[0], v, where) for v in value)
        if len(args) != len(value):
            raise ValueError(f"{where}: expected {len(args)} values, got {value!r}")
        return tuple(_load(a, v, where) for a, v in zip(args, value, strict=True))
    if tp is dt.date:
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    if tp is Money:
        if isinstance(value, Money):
            return value
        return Money(str(value["amount"]), str(value.get("currency", "EUR")))
    if tp is Decimal:
        return Decimal(str(value))
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tp(value)
    if tp in (str, int, bool):
        if not isinstance(value, tp) or (tp is int and isinstance(value, bool)):
            raise ValueError(f"{where}: expected {tp.__name__}, got {value!r}")
        return value
    raise TypeError(f"{where}: unsupported field type {tp!r}")


def event_from_record(record: Mapping[str, Any]) -> Event:
    """Inverse of :func:`event_to_record`; unknown kinds or fields raise ``KeyError``/``ValueError``."""
    cls = event_class(str(record["kind"]))
    fields = {f.name: f for f in attrs.fields(cls)}
    unknown = sorted(set(record) - set(fields) - {"kind"})
    if unknown:
        raise ValueError(f"event {cls.KIND!r}: unknown field {unknown[0]!r}")
    kwargs = {
        name: _load(fields[name].type, value, f"{cls.KIND}.{name}")
        for name, value in record.items()
        if name != "kind"
    }
    return cls(**kwargs)
