"""Read the dated rule tables in ``maatwerk/rules/*.toml`` into typed core tables.

File format (one table per file)::

    table = "bik"                      # must equal the file name without .toml
    title = "Buitengerechtelijke incassokosten"
    unit = "EUR"                       # free text, optional
    revision = "every 1 January and 1 July"   # the schedule in words
    next_revision = 2027-01-01         # a date after the last entry, or "none scheduled"

    [[entry]]
    valid_from = 2012-07-01
    source = "Besluit vergoeding voor buitengerechtelijke incassokosten, Stb. 2012, 141, art. 2"
    provisional = false                # optional, default false
    [entry.values]
    minimum = 40.00                    # numbers are read as Decimal, never float

``next_revision`` is the date the figures are next due to change; a value looked up on or after
it is marked provisional (``maatwerk.core.tables``). Every shipped table states it (a test checks);
a table without it (e.g. a test fixture) has no revision date.

Numbers are parsed with ``parse_float=Decimal``, so ``40.00`` is exactly ``Decimal('40.00')``.
Every error names the file, the entry (as a line-ish ``entry[3]``) and the field.
Each consumer passes a converter that turns one entry's ``values`` mapping into its typed
parameter object; helpers below (:func:`dec`, :func:`text`, ...) raise with the right location.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Callable, Mapping
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import attrs

from maatwerk.core.errors import Location, RuleTableError
from maatwerk.core.money import Money
from maatwerk.core.tables import Dated, DatedTable


__all__ = [
    "NONE_SCHEDULED",
    "NOT_KNOWN",
    "RawEntry",
    "RawTable",
    "Values",
    "dec",
    "flag",
    "load_table",
    "money",
    "optional",
    "read_raw_table",
    "text",
]

T = TypeVar("T")

_ENVELOPE_KEYS = frozenset(
    {"table", "title", "unit", "notes", "entry", "revision", "next_revision"}
)
NONE_SCHEDULED = "none scheduled"
"""the ``next_revision`` of a table whose figures change only when the law does"""
NOT_KNOWN = "not known"
"""the ``next_revision`` of a table whose schedule was not retrieved (its entries say why)"""
_ENTRY_KEYS = frozenset({"valid_from", "source", "provisional", "values", "notes"})


@attrs.frozen
class Values:
    """One entry's ``values`` with its location, for converters that report precise errors."""

    data: Mapping[str, Any]
    file: str
    entry: int

    def where(self, field: str) -> Location:
        return Location(file=self.file, field=f"entry[{self.entry}].values.{field}")

    def require(self, key: str) -> Any:
        if key not in self.data:
            raise RuleTableError("missing value", self.where(key))
        return self.data[key]

    def check_keys(self, allowed: frozenset[str] | set[str]) -> None:
        unknown = sorted(set(self.data) - set(allowed))
        if unknown:
            raise RuleTableError(
                f"unknown key {unknown[0]!r}; expected one of {sorted(allowed)}",
                self.where(unknown[0]),
            )


@attrs.frozen
class RawEntry:
    valid_from: dt.date
    source: str
    provisional: bool
    values: Values


@attrs.frozen
class RawTable:
    name: str
    title: str
    file: str
    entries: tuple[RawEntry, ...]
    next_revision: dt.date | None = None
    revision: str = ""
    revision_stated: bool = False
    """the file has a ``next_revision`` key (a date or "none scheduled")"""


def dec(values: Values, key: str) -> Decimal:
    """A required number (int or decimal) as ``Decimal``."""
    raw = values.require(key)
    if isinstance(raw, bool) or not isinstance(raw, (int, Decimal)):
        raise RuleTableError(f"expected a number, got {raw!r}", values.where(key))
    return Decimal(raw)


def money(values: Values, key: str) -> Money:
    """A required amount that must not be negative."""
    amount = dec(values, key)
    if amount < 0:
        raise RuleTableError("must not be negative", values.where(key))
    return Money(amount)


def text(values: Values, key: str) -> str:
    raw = values.require(key)
    if not isinstance(raw, str):
        raise RuleTableError(f"expected text, got {raw!r}", values.where(key))
    return raw


def flag(values: Values, key: str) -> bool:
    """A required ``true`` or ``false``."""
    raw = values.require(key)
    if not isinstance(raw, bool):
        raise RuleTableError(f"expected true or false, got {raw!r}", values.where(key))
    return raw


def optional(read: Callable[[Values, str], T], values: Values, key: str) -> T | None:
    """``read(values, key)`` where ``key`` is present; ``None`` (not retrieved) where it is absent."""
    return read(values, key) if key in values.data else None


def _rules_dir() -> Path:
    return Path(str(resources.files("maatwerk") / "rules"))


def read_raw_table(name: str, directory: Path | None = None) -> RawTable:
    """Read and check the envelope of ``<directory>/<name>.toml`` (default: the shipped tables)."""
    path = (directory or _rules_dir()) / f"{name}.toml"
    file = str(path)
    try:
        with path.open("rb") as handle:
            doc = tomllib.load(handle, parse_float=Decimal)
    except FileNotFoundError:
        raise RuleTableError("rule table file not found", Location(file=file)) from None
    except tomllib.TOMLDecodeError as exc:
        raise RuleTableError(f"not valid TOML: {exc}", Location(file=file)) from None
    unknown = sorted(set(doc) - _ENVELOPE_KEYS)
    if unknown:
        raise RuleTableError(f"unknown key {unknown[0]!r}", Location(file=file, field=unknown[0]))
    if doc.get("table") != name:
        raise RuleTableError(
            f"'table' must be {name!r} (the file name), got {doc.get('table')!r}",
            Location(file=file, field="table"),
        )
    raw_entries = doc.get("entry")
    if not isinstance(raw_entries, list) or not raw_entries:
        raise RuleTableError("needs at least one [[entry]]", Location(file=file, field="entry"))
    entries: list[RawEntry] = []
    for index, item in enumerate(raw_entries):
        where = f"entry[{index}]"
        bad = sorted(set(item) - _ENTRY_KEYS)
        if bad:
            raise RuleTableError(
                f"unknown key {bad[0]!r}", Location(file=file, field=f"{where}.{bad[0]}")
            )
        valid_from = item.get("valid_from")
        if not isinstance(valid_from, dt.date) or isinstance(valid_from, dt.datetime):
            raise RuleTableError(
                "valid_from must be a date such as 2026-01-01",
                Location(file=file, field=f"{where}.valid_from"),
            )
        source = item.get("source")
        if not isinstance(source, str) or not source.strip():
            raise RuleTableError(
                "every entry needs a source", Location(file=file, field=f"{where}.source")
            )
        provisional = item.get("provisional", False)
        if not isinstance(provisional, bool):
            raise RuleTableError(
                "provisional must be true or false",
                Location(file=file, field=f"{where}.provisional"),
            )
        values = item.get("values", {})
        if not isinstance(values, dict):
            raise RuleTableError(
                "values must be a table", Location(file=file, field=f"{where}.values")
            )
        entries.append(RawEntry(valid_from, source, provisional, Values(values, file, index)))
    dates = [e.valid_from for e in entries]
    if dates != sorted(dates) or len(set(dates)) != len(dates):
        raise RuleTableError(
            "entries must have distinct valid_from dates in ascending order",
            Location(file=file, field="entry"),
        )
    next_revision, stated = _next_revision(doc, file, dates[-1])
    revision = doc.get("revision", "")
    if not isinstance(revision, str):
        raise RuleTableError("revision must be text", Location(file=file, field="revision"))
    return RawTable(
        name,
        str(doc.get("title", name)),
        file,
        tuple(entries),
        next_revision,
        revision or (str(doc["next_revision"]) if stated and next_revision is None else ""),
        stated,
    )


def _next_revision(doc: Mapping[str, Any], file: str, last: dt.date) -> tuple[dt.date | None, bool]:
    """``next_revision``: a date after the last entry, or "none scheduled"; (date, stated)."""
    if "next_revision" not in doc:
        return None, False
    raw = doc["next_revision"]
    where = Location(file=file, field="next_revision")
    if raw in (NONE_SCHEDULED, NOT_KNOWN):
        return None, True
    if not isinstance(raw, dt.date) or isinstance(raw, dt.datetime):
        raise RuleTableError(
            f'next_revision must be a date, "{NONE_SCHEDULED}" or "{NOT_KNOWN}"', where
        )
    if raw <= last:
        raise RuleTableError(
            f"next_revision {raw.isoformat()} must be after the last entry ({last.isoformat()}): "
            "add the new figures or move the date",
            where,
        )
    return raw, True


def load_table(
    name: str, convert: Callable[[Values], T], directory: Path | None = None
) -> DatedTable[T]:
    """Read table ``name`` and convert each entry's values with ``convert``."""
    raw = read_raw_table(name, directory)
    return DatedTable.of(
        name,
        [Dated(e.valid_from, convert(e.values), e.source, e.provisional) for e in raw.entries],
        next_revision=raw.next_revision,
        revision=raw.revision,
    )
