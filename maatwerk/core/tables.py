"""Dated parameter tables (gedateerde parametertabellen).

Almost every legal amount changes on 1 January and/or 1 July. The core never hard-codes one: it
receives a :class:`DatedTable` whose entries say from which date a value holds, where it comes from
and whether it is *provisional* (not yet confirmed against the primary source). Looking a value up
for a date returns the whole :class:`Dated` entry, so every result can report the table version
(:class:`TableVersion`) that produced it and say honestly when a provisional value was used.

Each table also knows when its figures are next due to change (``next_revision``: e.g. the BVV
maxima every 1 January and 1 July; ``None`` where no revision is scheduled, e.g. the BIK staffel,
which changes only when the Besluit does). A value looked up for a day on or after that date comes
from the last entry, whose figures may have been superseded by then: the entry returned is marked
provisional, with :attr:`Dated.beyond_revision` set, so every result that reports its table
versions says so (``bvv_maxima@2026-07-01 (provisional: next revision was due 2027-01-01)``).

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
    beyond_revision: dt.date | None = None
    """the table's next revision was due on this date, on or before the day looked up: the
    figures of this entry may have been superseded (``provisional`` is then true)"""

    def __str__(self) -> str:
        if self.beyond_revision is not None:
            mark = f" (provisional: next revision was due {self.beyond_revision.isoformat()})"
        else:
            mark = " (provisional)" if self.provisional else ""
        return f"{self.table}@{self.valid_from.isoformat()}{mark}"

    @property
    def note(self) -> str:
        """A plain sentence for a provisional version ('' when it is not provisional)."""
        if self.beyond_revision is not None:
            return (
                f"Table {self.table!r}: the figures valid from {self.valid_from.isoformat()} were "
                f"used, but the table was due to be revised on "
                f"{self.beyond_revision.isoformat()}; newer figures may apply, so this result is "
                "provisional."
            )
        if self.provisional:
            return (
                f"Table {self.table!r} from {self.valid_from.isoformat()}: a value is not "
                "confirmed against the primary source, so this result is provisional."
            )
        return ""

    @property
    def note_nl(self) -> str:
        """The same in plain Dutch ('' when it is not provisional)."""
        if self.beyond_revision is not None:
            return (
                f"Voorlopig: de bedragen van {self.valid_from.isoformat()} zijn gebruikt. Op "
                f"{self.beyond_revision.isoformat()} zouden er nieuwe bedragen komen. Die hebben "
                "we nog niet; de uitkomst kan nog veranderen."
            )
        if self.provisional:
            return (
                f"Voorlopig: een bedrag uit de tabel {self.table} (vanaf "
                f"{self.valid_from.isoformat()}) is nog niet gecontroleerd in de wettekst."
            )
        return ""


@attrs.frozen
class Dated(Generic[T]):
    """One entry of a dated table: a value in force from ``valid_from`` until the next entry."""

    valid_from: dt.date
    value: T
    source: str
    provisional: bool = False
    table: str = ""
    beyond_revision: dt.date | None = None
    """set (with ``provisional``) when this entry was looked up on or after the table's next
    scheduled revision: see :meth:`DatedTable.at`"""

    @property
    def version(self) -> TableVersion:
        return TableVersion(
            self.table, self.valid_from, self.source, self.provisional, self.beyond_revision
        )


@attrs.frozen
class DatedTable(Generic[T]):
    """Entries ordered by ``valid_from``; :meth:`at` finds the one in force on a date.

    ``next_revision``: the date the table's figures are next due to change (after the last
    entry); ``None`` when no revision is scheduled. ``revision``: the schedule in words (e.g.
    "every 1 January and 1 July", "none scheduled").
    """

    name: str
    entries: tuple[Dated[T], ...]
    next_revision: dt.date | None = None
    revision: str = ""

    def __attrs_post_init__(self) -> None:
        dates = [e.valid_from for e in self.entries]
        if not dates:
            raise RuleTableError(f"table {self.name!r} has no entries")
        if dates != sorted(dates) or len(set(dates)) != len(dates):
            raise RuleTableError(
                f"table {self.name!r}: entries must have distinct, ascending valid_from"
            )
        if self.next_revision is not None and self.next_revision <= dates[-1]:
            raise RuleTableError(
                f"table {self.name!r}: next_revision {self.next_revision.isoformat()} must be "
                f"after the last entry ({dates[-1].isoformat()})"
            )

    @classmethod
    def of(
        cls,
        name: str,
        entries: Iterable[Dated[T]],
        *,
        next_revision: dt.date | None = None,
        revision: str = "",
    ) -> DatedTable[T]:
        """Build a table, stamping each entry with the table name and sorting by date."""
        stamped = sorted((attrs.evolve(e, table=name) for e in entries), key=lambda e: e.valid_from)
        return cls(name, tuple(stamped), next_revision, revision)

    def _beyond(self, entry: Dated[T]) -> Dated[T]:
        """``entry`` marked as used on or after the table's next revision."""
        return attrs.evolve(entry, provisional=True, beyond_revision=self.next_revision)

    def at(self, day: dt.date) -> Dated[T]:
        """The entry in force on ``day``; :class:`NoRuleForDateError` before the first entry.

        On or after :attr:`next_revision` the last entry is returned marked provisional (its
        figures may have been superseded), with :attr:`Dated.beyond_revision` set.
        """
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
        if self.next_revision is not None and day >= self.next_revision:
            return self._beyond(found)
        return found

    def next_change(self, after: dt.date) -> dt.date | None:
        """The first day after ``after`` on which the table's figures change: the next entry's
        ``valid_from``, else :attr:`next_revision`; ``None`` when neither is after it."""
        for entry in self.entries:
            if entry.valid_from > after:
                return entry.valid_from
        if self.next_revision is not None and self.next_revision > after:
            return self.next_revision
        return None

    def value_at(self, day: dt.date) -> T:
        return self.at(day).value

    def between(self, start: dt.date, end: dt.date) -> Iterator[tuple[dt.date, dt.date, Dated[T]]]:
        """Split ``[start, end)`` into the sub-periods of each entry: ``(from, until, entry)``.

        The last entry's period is split at :attr:`next_revision`; the part from that date on
        carries the entry marked provisional (see :meth:`at`).
        """
        if end <= start:
            return
        cursor = start
        # (first day in force, entry): the last entry again, marked, from the next revision on
        spans: list[tuple[dt.date, Dated[T]]] = [(e.valid_from, e) for e in self.entries]
        if self.next_revision is not None:
            spans.append((self.next_revision, self._beyond(self.entries[-1])))
        for index, (begins, entry) in enumerate(spans):
            nxt = spans[index + 1][0] if index + 1 < len(spans) else None
            if nxt is not None and nxt <= cursor:
                continue
            if begins > cursor:
                raise NoRuleForDateError(
                    f"table {self.name!r} has no entry in force on {cursor.isoformat()}"
                )
            until = end if nxt is None else min(nxt, end)
            yield cursor, until, entry
            cursor = until
            if cursor >= end:
                return
