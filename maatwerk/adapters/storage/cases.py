"""Loading cases (:class:`maatwerk.core.ports.CaseRepository`): case keys and whole cases.

Set-based: a batch of cases is loaded with one query per table (the batch's debtor ids in one
array parameter, see :data:`_CASE_QUERIES_PG`), the rows grouped by debtor or debt in Python
and assembled per case. Decoded events and mapped debtors and debts are cached per store.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Final, NamedTuple, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from maatwerk.adapters.storage import schema as t
from maatwerk.adapters.storage.base import SqlBase, chunks, json_object, keys_after
from maatwerk.adapters.storage.mapping import (
    APPLIED_COLUMNS,
    COST_LINE_COLUMNS,
    DEBT_COLUMNS,
    DEBTOR_COLUMNS,
    INTEREST_LINE_COLUMNS,
    MANDATE_COLUMNS,
    PAYMENT_COLUMNS,
    applied_from_row,
    cost_line_from_row,
    debt_from_row,
    debtor_from_row,
    interest_line_from_row,
    mandate_from_row,
    payment_from_row,
)
from maatwerk.core.debtors import Debtor
from maatwerk.core.debts import Case, Debt, Payment
from maatwerk.core.events import EVENT_TYPES, Event, event_from_record
from maatwerk.core.records import CaseKey, Mandate, StoredCase


__all__ = ["SqlCases"]

K = TypeVar("K")
V = TypeVar("V")

#: Decoded events kept per store (the daily run reads a case's events again on every
#: evaluation; decoding them was a fifth of loading a case). Cleared when full.
_EVENT_CACHE: Final = 200_000
#: Debtors and debts kept per store, by the full content of their rows (see ``SqlCases``).
_MAPPED_CACHE: Final = 50_000


class _CaseQueries(NamedTuple):
    """The statements :meth:`SqlCases.load_cases` runs for one part of a batch's debtors.

    Built once (a ``Select`` is costly to build, and the compiled cache keys on its structure);
    the debtors are bound parameters. Plain rows in the column order of the mappers
    (``mapping.*_COLUMNS``); ledger lines and applied payments lead with their ``debt_id``.
    """

    debtors: sa.Select[Any]
    debts: sa.Select[Any]
    cost_lines: sa.Select[Any]
    interest_lines: sa.Select[Any]
    applied: sa.Select[Any]
    events: sa.Select[Any]
    mandates: sa.Select[Any]
    payments: sa.Select[Any]


def _build_case_queries(
    debtor_filter: Callable[[sa.ColumnElement[Any]], sa.ColumnElement[bool]],
) -> _CaseQueries:
    d, e, p, ap = t.debts, t.events, t.payments, t.applied_payments

    def cols(table: sa.Table, names: Sequence[str]) -> list[sa.Column[Any]]:
        return [table.c[name] for name in names]

    def ledger(table: sa.Table, names: Sequence[str]) -> sa.Select[Any]:
        return (
            sa.select(table.c.debt_id, *cols(table, names))
            .join(d, d.c.debt_id == table.c.debt_id)
            .where(debtor_filter(d.c.debtor_id))
        )

    return _CaseQueries(
        debtors=sa.select(*cols(t.debtors, DEBTOR_COLUMNS)).where(
            debtor_filter(t.debtors.c.debtor_id)
        ),
        debts=sa.select(*cols(d, DEBT_COLUMNS))
        .where(debtor_filter(d.c.debtor_id))
        .order_by(d.c.due_date, d.c.debt_id),
        cost_lines=ledger(t.cost_lines, COST_LINE_COLUMNS).order_by(t.cost_lines.c.id),
        interest_lines=ledger(t.interest_lines, INTEREST_LINE_COLUMNS).order_by(
            t.interest_lines.c.id
        ),
        applied=ledger(ap, APPLIED_COLUMNS).order_by(ap.c.applied_on, ap.c.payment_id),
        # the payload as text: JSON is parsed only for an event not decoded before
        events=sa.select(e.c.debtor_id, e.c.sequence, sa.cast(e.c.payload, sa.Text))
        .where(debtor_filter(e.c.debtor_id))
        .where(e.c.kind.in_(list(EVENT_TYPES)))
        .order_by(e.c.sequence),
        mandates=sa.select(*cols(t.mandates, MANDATE_COLUMNS))
        .where(debtor_filter(t.mandates.c.debtor_id))
        .order_by(t.mandates.c.signed_on, t.mandates.c.mandate_id),
        # applied payments are in the debts' ledgers: only the ones not applied at all
        payments=sa.select(*cols(p, PAYMENT_COLUMNS))
        .where(debtor_filter(p.c.debtor_id))
        .where(~sa.exists().where(ap.c.payment_id == p.c.payment_id))
        .order_by(p.c.received_on, p.c.payment_id),
    )


#: ``load_cases`` names a part's debtors with ONE parameter holding all their ids, so the SQL
#: text never changes (no ``IN`` list expanded per call, and the database's prepared statement
#: is reused: psycopg prepares a repeated query, the sqlite3 module caches statements by text).
#: The ids are matched with an index lookup each. (A ``BETWEEN`` range over a keyset page, as in
#: ``_decided``, would read every debtor of the page: the run loads only the non-idle ones.)
_CASE_QUERIES_PG: Final = _build_case_queries(
    lambda column: column == sa.any_(sa.bindparam("debtor_ids", type_=postgresql.ARRAY(sa.String)))
)
_CASE_QUERIES_SQLITE: Final = _build_case_queries(
    lambda column: column.in_(
        sa.select(sa.column("value", sa.String)).select_from(
            sa.func.json_each(sa.bindparam("debtor_ids", type_=sa.String))
        )
    )
)


def _case_queries(
    dialect: sa.Dialect, debtor_ids: Sequence[str]
) -> tuple[_CaseQueries, dict[str, Any]]:
    """The statements for ``dialect`` and their parameters: a PostgreSQL array, a JSON array
    for SQLite (``json_each``)."""
    if dialect.name == "postgresql":
        return _CASE_QUERIES_PG, {"debtor_ids": list(debtor_ids)}
    return _CASE_QUERIES_SQLITE, {"debtor_ids": json.dumps(list(debtor_ids))}


class SqlCases(SqlBase):
    """:class:`maatwerk.core.ports.CaseRepository`, with the caches that make loading the same
    unchanged cases day after day cheap."""

    def __init__(self, engine: sa.Engine) -> None:
        super().__init__(engine)
        self._decoded: dict[int, tuple[Event, frozenset[str]]] = {}
        """decoded domain events by sequence, with the debt ids they name (see
        :meth:`load_cases`): the log is append-only, a row never changes"""
        self._debtors: dict[tuple[Any, ...], Debtor] = {}
        self._debts: dict[tuple[Any, ...], Debt] = {}
        """debtors and debts mapped before, keyed by the complete content of their rows (a
        debt's with its ledger lines and applied payments): the daily run loads the same
        unchanged debts day after day, and a value built from equal rows is an equal value
        (they are frozen, so sharing one is safe; what a ``Debt`` caches, such as its
        outstanding balance, is then computed once). Bounded: cleared when full"""

    def _event(self, sequence: int, payload: Any) -> tuple[Event, frozenset[str]]:
        """The event stored as row ``sequence`` and the debts it names (its ``debt_id`` and
        ``debt_ids``), decoded once per store (bounded cache)."""
        found = self._decoded.get(sequence)
        if found is None:
            if len(self._decoded) >= _EVENT_CACHE:
                self._decoded.clear()
            event = event_from_record(json_object(payload))
            named = set(getattr(event, "debt_ids", ()) or ())
            if event.debt_id is not None:
                named.add(event.debt_id)
            found = self._decoded[sequence] = (event, frozenset(named))
        return found

    def case_keys(self, *, after: CaseKey | None, limit: int) -> Sequence[CaseKey]:
        debts = t.debts
        query = sa.select(debts.c.debtor_id, debts.c.creditor_id).distinct()
        if after is not None:
            query = query.where(keys_after(debts.c.debtor_id, debts.c.creditor_id, after))
        query = query.order_by(debts.c.debtor_id, debts.c.creditor_id).limit(limit)
        with self.engine.connect() as conn:
            return [CaseKey(r.debtor_id, r.creditor_id) for r in conn.execute(query)]

    def count_cases(self) -> int:
        cases = sa.select(t.debts.c.debtor_id, t.debts.c.creditor_id).distinct().subquery()
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(cases)).scalar_one())

    def cases_of_debtor(self, debtor_id: str) -> Sequence[CaseKey]:
        debts = t.debts
        query = (
            sa.select(debts.c.creditor_id)
            .distinct()
            .where(debts.c.debtor_id == debtor_id)
            .order_by(debts.c.creditor_id)
        )
        with self.engine.connect() as conn:
            return [CaseKey(debtor_id, r.creditor_id) for r in conn.execute(query)]

    def load_cases(self, keys: Sequence[CaseKey]) -> Sequence[StoredCase]:
        """One query per table for each part of the keys' debtors (see :class:`_CaseQueries`);
        the rows are grouped by debtor or debt in Python and assembled per case."""
        if not keys:
            return []
        wanted = {(k.debtor_id, k.creditor_id) for k in keys}
        debtor_ids = sorted({k.debtor_id for k in keys})
        debtors: dict[str, Debtor] = {}
        debt_rows: list[tuple[Any, ...]] = []
        # ledger rows by debt id, mapped with their debt (see ``self._debts``)
        costs: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        interest: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        applied: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        events: dict[str, list[tuple[Event, frozenset[str]]]] = defaultdict(list)
        mandates: dict[str, list[Mandate]] = defaultdict(list)
        payments: dict[str, list[Payment]] = defaultdict(list)
        with self.engine.connect() as conn:
            for part in chunks(debtor_ids):
                q, params = _case_queries(conn.dialect, part)
                for row in conn.execute(q.debtors, params):
                    values = tuple(row)
                    debtor = self._debtors.get(values)
                    if debtor is None:
                        debtor = _remember(self._debtors, values, debtor_from_row(values))
                    debtors[values[0]] = debtor
                debt_rows.extend(map(tuple, conn.execute(q.debts, params)))
                for row in conn.execute(q.cost_lines, params):
                    costs[row[0]].append(row[1:])
                for row in conn.execute(q.interest_lines, params):
                    interest[row[0]].append(row[1:])
                for row in conn.execute(q.applied, params):
                    applied[row[0]].append(row[1:])
                for debtor_id, sequence, payload in conn.execute(q.events, params):
                    events[debtor_id].append(self._event(int(sequence), payload))
                for row in conn.execute(q.mandates, params):
                    mandates[row[1]].append(mandate_from_row(row))
                for row in conn.execute(q.payments, params):
                    payments[row[1]].append(payment_from_row(row))
        by_case: dict[tuple[str, str], list[Debt]] = defaultdict(list)
        debt_creditor: dict[str, str] = {}
        first_creditor: dict[str, str] = {}
        for values in debt_rows:
            debt_id, debtor_id, creditor_id = values[0], values[1], values[2]
            debt_creditor[debt_id] = creditor_id
            current = first_creditor.get(debtor_id)
            if current is None or creditor_id < current:
                first_creditor[debtor_id] = creditor_id
            if (debtor_id, creditor_id) not in wanted:
                continue
            content = (
                values,
                tuple(costs.get(debt_id, ())),
                tuple(interest.get(debt_id, ())),
                tuple(applied.get(debt_id, ())),
            )
            debt = self._debts.get(content)
            if debt is None:
                debt = _remember(self._debts, content, _debt_from_rows(*content))
            by_case[debtor_id, creditor_id].append(debt)
        result: list[StoredCase] = []
        for key in keys:
            debtor = debtors.get(key.debtor_id)
            debts = by_case.get((key.debtor_id, key.creditor_id))
            if debtor is None or not debts:
                continue
            own = {d.debt_id for d in debts}
            first = first_creditor.get(key.debtor_id)
            result.append(
                StoredCase(
                    debtor=debtor,
                    case=Case(
                        debtor_id=key.debtor_id, creditor_id=key.creditor_id, debts=tuple(debts)
                    ),
                    events=_case_events(events.get(key.debtor_id, ()), own),
                    mandates=tuple(
                        m
                        for m in mandates.get(key.debtor_id, ())
                        if m.creditor_id == key.creditor_id
                    ),
                    payments=tuple(
                        p
                        for p in payments.get(key.debtor_id, ())
                        if key.creditor_id
                        == (debt_creditor.get(p.designated_debt_id or "") or first)
                    ),
                )
            )
        return result


def _remember(cache: dict[K, V], key: K, value: V) -> V:
    """``cache[key] = value`` in a cache bounded by ``_MAPPED_CACHE`` (cleared when full)."""
    if len(cache) >= _MAPPED_CACHE:
        cache.clear()
    cache[key] = value
    return value


def _debt_from_rows(
    debt: Sequence[Any],
    costs: Iterable[Sequence[Any]],
    interest: Iterable[Sequence[Any]],
    applied: Iterable[Sequence[Any]],
) -> Debt:
    return debt_from_row(
        debt,
        costs=tuple(map(cost_line_from_row, costs)),
        interest=tuple(map(interest_line_from_row, interest)),
        applied=tuple(map(applied_from_row, applied)),
    )


def _case_events(
    events: Iterable[tuple[Event, frozenset[str]]], own: set[str]
) -> tuple[Event, ...]:
    """The debtor's events that concern a case: about one of its debts (``own``), or about no debt.

    ``events`` come with the debt ids each names (see :meth:`SqlCases._event`). An event naming
    debts of another creditor's case (a step taken there) is left out, so the order in which a
    debtor's cases are evaluated never changes a decision.
    """
    return tuple(event for event, named in events if not named or not named.isdisjoint(own))
