"""Dated parameter tables (gedateerde parametertabellen).

Almost every legal amount changes on 1 January and/or 1 July. The core never hard-codes one: it
receives a :class:`DatedTable` whose entries say from which date a value holds, where it comes from
and whether it is *provisional* (not yet confirmed against the primary source). Looking a value up
for a date returns the whole :class:`Dated` entry, so every result can report the table version
(:class:`TableVersion`) that produced it and say honestly when a provisional value was used.

The TOML files live in ``maatwerk/rules/``; ``maatwerk.adapters.rules_loader`` reads them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Generic, TypeVar

import attrs

from maatwerk.core.errors import NoRuleForDateError, RuleTableError


__all__ = ["Dated", "DatedTable", "TableVersion"]

T = TypeVar("T")


@attrs.frozen
class TableVersion:
    """Identifies the table entry a result used, e.g. ``bik@2012-07-01``."""

    table: str
    valid_from: dt.date
    source: str
    provisional: bool = False

    def __str__(self) -> str:
        mark = " (provisional)" if self.provisional else ""
        return f"{self.table}@{self.valid_from.isoformat()}{mark}"


@attrs.frozen
class Dated(Generic[T]):
    """One entry of a dated table: a value in force from ``valid_from`` until the next entry."""

    valid_from: dt.date
    value: T
    source: str
    provisional: bool = False
    table: str = ""

    @property
    def version(self) -> TableVersion:
        return TableVersion(self.table, self.valid_from, self.source, self.provisional)


@attrs.frozen
class DatedTable(Generic[T]):
    """Entries ordered by ``valid_from``; :meth:`at` finds the one in force on a date."""

    name: str
    entries: tuple[Dated[T], ...]

    def __attrs_post_init__(self) -> None:
        dates = [e.valid_from for e in self.entries]
        if not dates:
            raise RuleTableError(f"table {self.name!r} has no entries")
        if dates != sorted(dates) or len(set(dates)) != len(dates):
            raise RuleTableError(
                f"table {self.name!r}: entries must have distinct, ascending valid_from"
            )

    @classmethod
    def of(cls, name: str, entries: Iterable[Dated[T]]) -> DatedTable[T]:
        """Build a table, stamping each entry with the table name and sorting by date."""
        stamped = sorted((attrs.evolve(e, table=name) for e in entries), key=lambda e: e.valid_from)
        return cls(name, tuple(stamped))

    def at(self, day: dt.date) -> Dated[T]:
        """The entry in force on ``day``; :class:`NoRuleForDateError` before the first entry."""
        found: Dated[T] | None = None
        for entry in self.entries:
            if entry.valid_from <= day:
                found = entry
            else:
                break
        if found is None:
            first = self.entries[0].valid_from.isoformat()
            raise NoRuleForDateError(
                f"table {self.name!r} has no entry in force on {day.isoformat()} (first: {first})"
            )
        return found

    def value_at(self, day: dt.date) -> T:
        return self.at(day).value

    def between(self, start: dt.date, end: dt.date) -> Iterator[tuple[dt.date, dt.date, Dated[T]]]:
        """Split ``[start, end)`` into the sub-periods of each entry: ``(from, until, entry)``."""
        if end <= start:
            return
        cursor = start
        for index, entry in enumerate(self.entries):
            nxt = self.entries[index + 1].valid_from if index + 1 < len(self.entries) else None
            if nxt is not None and nxt <= cursor:
                continue
            if entry.valid_from > cursor:
                raise NoRuleForDateError(
                    f"table {self.name!r} has no entry in force on {cursor.isoformat()}"
                )
            until = end if nxt is None else min(nxt, end)
            yield cursor, until, entry
            cursor = until
            if cursor >= end:
                return
