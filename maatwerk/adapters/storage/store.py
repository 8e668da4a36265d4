"""The SQL store: implements :class:`maatwerk.core.ports.Store` with SQLAlchemy 2 Core.

Set-based throughout: a batch of cases is loaded with one query per table (the batch's debtor ids
in one array parameter), and a batch of outcomes is written with one executemany per table, in one
transaction. Unique keys make reruns no-ops; every write that a person or an import causes
leaves a record in the append-only ``events`` table.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Final, NamedTuple, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from maatwerk.adapters.storage import run_state
from maatwerk.adapters.storage import schema as t
from maatwerk.adapters.storage.engine import make_engine
from maatwerk.adapters.storage.mapping import (
    APPLIED_COLUMNS,
    COST_LINE_COLUMNS,
    DEBT_COLUMNS,
    DEBTOR_COLUMNS,
    INTEREST_LINE_COLUMNS,
    MANDATE_COLUMNS,
    PAYMENT_COLUMNS,
    applied_from_row,
    cents,
    consent_row,
    cost_line_from_row,
    debt_from_row,
    debt_row,
    debtor_from_row,
    debtor_row,
    decode_payload,
    encode_payload,
    hold_row,
    interest_line_from_row,
    json_default,
    mandate_from_row,
    mandate_row,
    payment_from_row,
    payment_row,
)
from maatwerk.adapters.storage.reporting import read_report_data
from maatwerk.core.debtors import Debtor
from maatwerk.core.debts import Case, CostLine, Debt, Payment
from maatwerk.core.events import (
    EVENT_TYPES,
    ConsentGiven,
    ConsentRevoked,
    Event,
    HoldEnded,
    HoldPlaced,
    HoldScope,
    event_from_record,
    event_to_record,
)
from maatwerk.core.idle import IdleCase, RestedDay
from maatwerk.core.ports import RecordedEvent
from maatwerk.core.records import (
    CaseKey,
    CaseOutcome,
    ConsentRecord,
    DecisionRecord,
    DeliveredItem,
    HoldRecord,
    ImportBatch,
    ImportCounts,
    Mandate,
    OutboxEntry,
    OutboxItem,
    OutboxStatus,
    Posting,
    ReviewItem,
    ReviewStatus,
    StateConflictError,
    StoredCase,
)
from maatwerk.core.report_data import ReportData


__all__ = ["AUDIT_RECORD_UPDATED", "SqlStore"]

T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")

#: Kind of the audit record written when an import changes a stored row.
AUDIT_RECORD_UPDATED: Final = "audit.record-updated"
#: Kind of the audit record written when an import adds a row.
AUDIT_RECORD_CREATED: Final = "audit.record-created"
#: Rows per ``IN (...)`` list: well within SQLite's and PostgreSQL's parameter limits.
_CHUNK: Final = 900
#: Decoded events kept per store (the daily run reads a case's events again on every
#: evaluation; decoding them was a fifth of loading a case). Cleared when full.
_EVENT_CACHE: Final = 200_000
#: Debtors and debts kept per store, by the full content of their rows (see ``SqlStore``).
_MAPPED_CACHE: Final = 50_000


class _CaseQueries(NamedTuple):
    """The statements :meth:`SqlStore.load_cases` runs for one part of a batch's debtors.

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


def _chunks(items: Sequence[T], size: int = _CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _event_row(event: Event, idempotency_key: str | None = None) -> dict[str, Any]:
    return {
        "kind": event.kind,
        "debtor_id": event.debtor_id,
        "debt_id": event.debt_id,
        "occurred_on": event.occurred_on,
        "actor": event.recorded_by,
        "idempotency_key": idempotency_key,
        "payload": event_to_record(event),
    }


class SqlStore:
    """Storage on one SQLAlchemy engine (SQLite file or PostgreSQL) made by
    :func:`~maatwerk.adapters.storage.engine.make_engine` (its JSON serializer writes the dates
    and amounts in decision details)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
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
            event = event_from_record(_json(payload))
            named = set(getattr(event, "debt_ids", ()) or ())
            if event.debt_id is not None:
                named.add(event.debt_id)
            found = self._decoded[sequence] = (event, frozenset(named))
        return found

    @classmethod
    def from_url(cls, url: str, *, schema: str | None = None) -> SqlStore:
        return cls(make_engine(url, schema=schema))

    def close(self) -> None:
        self.engine.dispose()

    # -- cases ----------------------------------------------------------------------------------
    def case_keys(self, *, after: CaseKey | None, limit: int) -> Sequence[CaseKey]:
        debts = t.debts
        query = sa.select(debts.c.debtor_id, debts.c.creditor_id).distinct()
        if after is not None:
            query = query.where(
                sa.or_(
                    debts.c.debtor_id > after.debtor_id,
                    sa.and_(
                        debts.c.debtor_id == after.debtor_id,
                        debts.c.creditor_id > after.creditor_id,
                    ),
                )
            )
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
            for part in _chunks(debtor_ids):
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

    # -- events ---------------------------------------------------------------------------------
    def append(self, events: Sequence[Event], *, idempotency_key: str | None = None) -> int:
        if not events:
            return 0
        with self.engine.begin() as conn:
            if idempotency_key is not None:
                seen = conn.execute(
                    sa.select(sa.func.count())
                    .select_from(t.events)
                    .where(t.events.c.idempotency_key.like(f"{idempotency_key}#%"))
                ).scalar_one()
                if seen:
                    return 0
            rows = [
                _event_row(e, None if idempotency_key is None else f"{idempotency_key}#{i}")
                for i, e in enumerate(events)
            ]
            conn.execute(t.events.insert(), rows)
        return len(rows)

    def history(self, debtor_id: str) -> Sequence[RecordedEvent]:
        query = (
            sa.select(t.events)
            .where(t.events.c.debtor_id == debtor_id)
            .order_by(t.events.c.sequence)
        )
        result: list[RecordedEvent] = []
        with self.engine.connect() as conn:
            for row in conn.execute(query):
                payload = _json(row.payload)
                event = event_from_record(payload) if row.kind in EVENT_TYPES else None
                result.append(
                    RecordedEvent(
                        sequence=int(row.sequence),
                        event=event,
                        kind=row.kind,
                        debtor_id=row.debtor_id,
                        debt_id=row.debt_id,
                        occurred_on=row.occurred_on,
                        payload=payload,
                    )
                )
        return result

    # -- runs and decisions ---------------------------------------------------------------------
    def start_run(self, run_date: dt.date, *, dry_run: bool) -> int:
        with self.engine.begin() as conn:
            inserted = conn.execute(
                t.runs.insert()
                .values(run_date=run_date, dry_run=dry_run, status="running")
                .returning(t.runs.c.id)
            )
            return int(inserted.scalar_one())

    def finish_run(self, run_id: int, *, status: str, summary: Mapping[str, object]) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                t.runs.update()
                .where(t.runs.c.id == run_id)
                .values(
                    status=status,
                    finished_at=sa.func.now(),
                    summary=json.loads(json.dumps(summary, default=json_default)),
                )
            )

    def decided(self, run_date: dt.date, keys: Sequence[CaseKey]) -> frozenset[CaseKey]:
        with self.engine.connect() as conn:
            return self._decided(conn, run_date, keys)

    @staticmethod
    def _decided(
        conn: sa.Connection, run_date: dt.date, keys: Sequence[CaseKey]
    ) -> frozenset[CaseKey]:
        found: set[CaseKey] = set()
        wanted = set(keys)
        if not wanted:
            return frozenset()
        d = t.decisions
        for row in conn.execute(
            sa.select(d.c.debtor_id, d.c.creditor_id)
            .where(d.c.run_date == run_date)
            .where(run_state.of_debtors(d.c.debtor_id, keys))
        ):
            key = CaseKey(row.debtor_id, row.creditor_id)
            if key in wanted:
                found.add(key)
        return frozenset(found)

    def record_outcomes(self, run_date: dt.date, outcomes: Sequence[CaseOutcome]) -> int:
        return self.record_batch(run_date, outcomes, idle=(), fingerprints={}, evaluator="")

    # -- idle cases (maatwerk.core.idle.IdleStore) ----------------------------------------------
    def rest_idle(self, run_date: dt.date, *, evaluator: str) -> RestedDay:
        with self.engine.begin() as conn:
            d = t.decisions
            already = conn.execute(
                sa.select(sa.func.count()).select_from(d).where(d.c.run_date == run_date)
            ).scalar_one()
            rested = run_state.rest_idle_cases(conn, run_date, evaluator)
        return RestedDay(already_decided=int(already), rested=tuple(rested))

    def pending_keys(
        self, run_date: dt.date, *, after: CaseKey | None, limit: int
    ) -> Sequence[CaseKey]:
        with self.engine.connect() as conn:
            return run_state.pending_keys(conn, run_date, after=after, limit=limit)

    def plan_batch(
        self, run_date: dt.date, keys: Sequence[CaseKey], *, evaluator: str
    ) -> tuple[Sequence[IdleCase], Mapping[CaseKey, str]]:
        with self.engine.connect() as conn:
            return run_state.plan_batch(conn, run_date, keys, evaluator)

    def record_batch(
        self,
        run_date: dt.date,
        outcomes: Sequence[CaseOutcome],
        *,
        idle: Sequence[IdleCase],
        fingerprints: Mapping[CaseKey, str],
        evaluator: str,
    ) -> int:
        if not outcomes and not idle:
            return 0
        with self.engine.begin() as conn:
            done = self._decided(
                conn, run_date, [o.decision.case for o in outcomes] + [i.key for i in idle]
            )
            todo = [o for o in outcomes if o.decision.case not in done]
            resting = [i for i in idle if i.key not in done]
            if not todo and not resting:
                return 0
            if todo:
                conn.execute(t.decisions.insert(), [_decision_row(o.decision) for o in todo])
            run_state.insert_idle_decisions(conn, run_date, resting)
            entries = [e for o in todo for e in o.outbox]
            if entries:
                conn.execute(t.outbox.insert(), [_outbox_row(e) for e in entries])
                reviewed = [e for e in entries if e.review]
                if reviewed:
                    ids = {
                        str(row[0]): int(row[1])
                        for row in conn.execute(
                            sa.select(t.outbox.c.idempotency_key, t.outbox.c.id).where(
                                t.outbox.c.idempotency_key.in_(
                                    [e.idempotency_key for e in reviewed]
                                )
                            )
                        )
                    }
                    conn.execute(
                        t.reviews.insert(),
                        [
                            {
                                "outbox_id": ids[e.idempotency_key],
                                "prepared_by": e.prepared_by,
                                "four_eyes": e.four_eyes,
                                "status": ReviewStatus.PENDING.value,
                            }
                            for e in reviewed
                        ],
                    )
            events = [
                _event_row(ev, f"run:{run_date.isoformat()}:{o.decision.case}:{i}")
                for o in todo
                for i, ev in enumerate(o.events)
            ]
            if events:
                conn.execute(t.events.insert(), events)
                # a case resting after today's own events rests on the data as written now
                wrote = [o.decision.case for o in todo if o.events and o.wake_on is not None]
                if wrote and fingerprints:
                    after = run_state.fingerprints(conn, wrote)
                    fingerprints = {**fingerprints, **after}
            self._post(conn, [p for o in todo for p in o.postings])
            applications = [
                {
                    "payment_id": a.applied.payment_id,
                    "debt_id": a.debt_id,
                    "applied_on": a.applied.applied_on,
                    "costs_cents": cents(a.applied.parts.costs),
                    "interest_cents": cents(a.applied.parts.interest),
                    "principal_cents": cents(a.applied.parts.principal),
                    "currency": a.applied.parts.principal.currency,
                }
                for o in todo
                for a in o.applications
            ]
            if applications:
                conn.execute(t.applied_payments.insert(), applications)
            run_state.record_states(conn, run_date, todo, fingerprints, evaluator)
            return len(todo) + len(resting)

    @staticmethod
    def _post(conn: sa.Connection, postings: Sequence[Any]) -> None:
        """Insert cost/interest lines whose (debt, posting key) is not there yet: posted once."""
        if not postings:
            return
        debt_ids = sorted({p.debt_id for p in postings})
        existing: set[tuple[str, str]] = set()
        for table in (t.cost_lines, t.interest_lines):
            for part in _chunks(debt_ids):
                existing.update(
                    (str(row[0]), str(row[1]))
                    for row in conn.execute(
                        sa.select(table.c.debt_id, table.c.posting_key).where(
                            table.c.debt_id.in_(part)
                        )
                    )
                )
        cost_rows: list[dict[str, Any]] = []
        interest_rows: list[dict[str, Any]] = []
        for posting in postings:
            marker = (posting.debt_id, posting.posting_key)
            if marker in existing:
                continue
            existing.add(marker)
            line = posting.line
            base = {
                "debt_id": posting.debt_id,
                "posting_key": posting.posting_key,
                "posted_on": line.posted_on,
                "amount_cents": cents(line.amount),
                "currency": line.amount.currency,
                "table_version": line.table,
            }
            if isinstance(line, CostLine):
                cost_rows.append({**base, "kind": line.kind})
            else:
                interest_rows.append(
                    {**base, "period_from": line.period_from, "period_to": line.period_to}
                )
        if cost_rows:
            conn.execute(t.cost_lines.insert(), cost_rows)
        if interest_rows:
            conn.execute(t.interest_lines.insert(), interest_rows)

    def decision(self, key: CaseKey, run_date: dt.date) -> DecisionRecord | None:
        d = t.decisions
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(d)
                .where(d.c.run_date == run_date)
                .where(d.c.debtor_id == key.debtor_id)
                .where(d.c.creditor_id == key.creditor_id)
            ).first()
        if row is None:
            return None
        return DecisionRecord(
            run_date=row.run_date,
            case=key,
            policy=row.policy,
            outcome=row.outcome,
            step=row.step,
            action=row.action,
            blocked_by=row.blocked_by,
            detail=_json(row.detail),
        )

    def decisions_of_debtor(self, debtor_id: str) -> Sequence[DecisionRecord]:
        d = t.decisions
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(d).where(d.c.debtor_id == debtor_id).order_by(d.c.run_date, d.c.id)
            ).all()
        return [
            DecisionRecord(
                run_date=r.run_date,
                case=CaseKey(r.debtor_id, r.creditor_id),
                policy=r.policy,
                outcome=r.outcome,
                step=r.step,
                action=r.action,
                blocked_by=r.blocked_by,
                detail=_json(r.detail),
            )
            for r in rows
        ]

    # -- outbox ---------------------------------------------------------------------------------
    def claim_pending(
        self, *, after_id: int, limit: int, max_attempts: int = 5
    ) -> Sequence[OutboxItem]:
        o = t.outbox
        with self.engine.begin() as conn:
            query = (
                sa.select(o)
                .where(
                    sa.or_(
                        o.c.status == OutboxStatus.PENDING.value,
                        sa.and_(
                            o.c.status == OutboxStatus.FAILED.value,
                            o.c.attempts < max_attempts,
                        ),
                    )
                )
                .where(o.c.id > after_id)
                .order_by(o.c.id)
                .limit(limit)
            )
            if conn.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = conn.execute(query).mappings().all()
            if rows:
                conn.execute(
                    o.update()
                    .where(o.c.id.in_([r["id"] for r in rows]))
                    .values(attempts=o.c.attempts + 1, claimed_at=sa.func.now())
                )
        return [_outbox_item(r, attempts_delta=1) for r in rows]

    def mark(
        self, outbox_id: int, status: OutboxStatus, *, reference: str = "", reason: str = ""
    ) -> None:
        o = t.outbox
        values: dict[str, Any] = {
            "status": status.value,
            "receipt": {"reference": reference, "reason": reason},
            "error": reason[:500] or None,
        }
        if status is OutboxStatus.DONE:
            values["done_at"] = sa.func.now()
        with self.engine.begin() as conn:
            conn.execute(o.update().where(o.c.id == outbox_id).values(**values))

    def mark_many(self, marks: Sequence[tuple[int, OutboxStatus, str, str]]) -> None:
        """:meth:`mark` for many rows in one transaction (one executemany per status kind)."""
        with self.engine.begin() as conn:
            self._mark_many(conn, marks)

    def record_delivery(
        self,
        marks: Sequence[tuple[int, OutboxStatus, str, str]],
        events: Sequence[tuple[str, Event]],
        postings: Sequence[Posting],
    ) -> Sequence[Event]:
        """Marks, the delivered actions' keyed events (each key once) and their postings (each
        ``(debt, posting key)`` once), in ONE transaction; returns the events appended."""
        with self.engine.begin() as conn:
            new: list[tuple[str, Event]] = []
            if events:
                known: set[str] = set()
                for part in _chunks(sorted({key for key, _event in events})):
                    known.update(
                        str(k)
                        for k in conn.execute(
                            sa.select(t.events.c.idempotency_key).where(
                                t.events.c.idempotency_key.in_(part)
                            )
                        ).scalars()
                    )
                for key, event in events:
                    if key not in known:
                        known.add(key)
                        new.append((key, event))
                if new:
                    conn.execute(t.events.insert(), [_event_row(e, key) for key, e in new])
            self._post(conn, postings)
            self._mark_many(conn, marks)
        return [event for _key, event in new]

    @staticmethod
    def _mark_many(
        conn: sa.Connection, marks: Sequence[tuple[int, OutboxStatus, str, str]]
    ) -> None:
        o = t.outbox
        done: list[dict[str, Any]] = []
        other: list[dict[str, Any]] = []
        for outbox_id, status, reference, reason in marks:
            row = {
                "_id": outbox_id,
                "_status": status.value,
                "_receipt": {"reference": reference, "reason": reason},
                "_error": reason[:500] or None,
            }
            (done if status is OutboxStatus.DONE else other).append(row)
        values: dict[str, Any] = {
            "status": sa.bindparam("_status"),
            "receipt": sa.bindparam("_receipt", type_=o.c.receipt.type),
            "error": sa.bindparam("_error"),
        }
        update = o.update().where(o.c.id == sa.bindparam("_id"))
        if done:
            conn.execute(update.values(**values, done_at=sa.func.now()), done)
        if other:
            conn.execute(update.values(**values), other)

    def outbox_items(self, run_date: dt.date | None = None) -> Sequence[OutboxItem]:
        o = t.outbox
        query = sa.select(o).order_by(o.c.id)
        if run_date is not None:
            query = query.where(o.c.run_date == run_date)
        with self.engine.connect() as conn:
            return [_outbox_item(r) for r in conn.execute(query).mappings()]

    # -- reviews --------------------------------------------------------------------------------
    def _review_query(self) -> sa.Select[Any]:
        r, o = t.reviews, t.outbox
        return sa.select(
            r.c.id.label("review_id"),
            r.c.prepared_by,
            r.c.four_eyes,
            r.c.status.label("review_status"),
            r.c.decided_by,
            r.c.reason,
            *o.c,
        ).join(o, o.c.id == r.c.outbox_id)

    def reviews(self, status: ReviewStatus | None = ReviewStatus.PENDING) -> Sequence[ReviewItem]:
        query = self._review_query().order_by(t.reviews.c.id)
        if status is not None:
            query = query.where(t.reviews.c.status == status.value)
        with self.engine.connect() as conn:
            return [_review_item(r) for r in conn.execute(query).mappings()]

    def get_review(self, review_id: int) -> ReviewItem:
        with self.engine.connect() as conn:
            row = (
                conn.execute(self._review_query().where(t.reviews.c.id == review_id))
                .mappings()
                .first()
            )
        if row is None:
            raise KeyError(review_id)
        return _review_item(row)

    def pending_steps(self, keys: Sequence[CaseKey]) -> frozenset[tuple[CaseKey, str]]:
        r, o = t.reviews, t.outbox
        wanted = set(keys)
        found: set[tuple[CaseKey, str]] = set()
        with self.engine.connect() as conn:
            for part in _chunks(sorted({k.debtor_id for k in keys})):
                for row in conn.execute(
                    sa.select(o.c.debtor_id, o.c.creditor_id, o.c.step)
                    .join(r, r.c.outbox_id == o.c.id)
                    .where(r.c.status == ReviewStatus.PENDING.value)
                    .where(o.c.debtor_id.in_(part))
                ):
                    key = CaseKey(row.debtor_id, row.creditor_id)
                    if key in wanted:
                        found.add((key, row.step))
        return frozenset(found)

    def decide_review(
        self, review_id: int, *, approved: bool, by: str, reason: str, events: Sequence[Event]
    ) -> ReviewItem:
        r, o = t.reviews, t.outbox
        status = ReviewStatus.APPROVED if approved else ReviewStatus.REJECTED
        with self.engine.begin() as conn:
            changed = conn.execute(
                r.update()
                .where(r.c.id == review_id)
                .where(r.c.status == ReviewStatus.PENDING.value)
                .values(
                    status=status.value,
                    decided_by=by,
                    decided_at=sa.func.now(),
                    reason=reason or None,
                )
            ).rowcount
            if changed != 1:
                raise StateConflictError(f"review {review_id} is not pending")
            outbox_id = conn.execute(
                sa.select(r.c.outbox_id).where(r.c.id == review_id)
            ).scalar_one()
            new_status = OutboxStatus.PENDING if approved else OutboxStatus.REJECTED
            conn.execute(
                o.update()
                .where(o.c.id == outbox_id)
                .where(o.c.status == OutboxStatus.REVIEW.value)
                .values(status=new_status.value)
            )
            if events:
                conn.execute(
                    t.events.insert(),
                    [_event_row(e, f"review:{review_id}:{i}") for i, e in enumerate(events)],
                )
        return self.get_review(review_id)

    # -- imports --------------------------------------------------------------------------------
    def existing_ids(self, entity: str, ids: Iterable[str]) -> frozenset[str]:
        table, column = _ENTITY[entity]
        col = table.c[column]
        wanted = sorted(set(ids))
        found: set[str] = set()
        with self.engine.connect() as conn:
            for part in _chunks(wanted):
                found.update(conn.execute(sa.select(col).where(col.in_(part))).scalars())
        return frozenset(found)

    def apply_import(self, batch: ImportBatch) -> ImportCounts:
        groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
        sources: dict[str, list[Any]] = defaultdict(list)
        for record in batch.records:
            entity, row = _import_row(record)
            groups[entity].append(row)
            sources[entity].append(record)
        counts = ImportCounts()
        with self.engine.begin() as conn:
            for entity in ("debtor", "debt", "payment", "mandate", "consent", "hold"):
                if entity in groups:
                    counts += self._upsert(
                        conn, entity, groups[entity], sources[entity], batch.recorded_by
                    )
            conn.execute(
                t.import_audit.insert().values(
                    kind=batch.kind.value,
                    file_name=batch.file_name,
                    file_sha256=batch.file_sha256,
                    rows=counts.inserted + counts.updated + counts.unchanged,
                    inserted=counts.inserted,
                    updated=counts.updated,
                    unchanged=counts.unchanged,
                )
            )
        return ImportCounts(
            rows=counts.inserted + counts.updated + counts.unchanged,
            inserted=counts.inserted,
            updated=counts.updated,
            unchanged=counts.unchanged,
            events=counts.events,
        )

    def _upsert(
        self,
        conn: sa.Connection,
        entity: str,
        rows: list[dict[str, Any]],
        records: list[Any],
        actor: str,
    ) -> ImportCounts:
        table, key = _ENTITY[entity]
        # One file may list a key twice (a portfolio repeats its debtor per debt): last wins.
        latest: dict[str, tuple[dict[str, Any], Any]] = {}
        for row, record in zip(rows, records, strict=True):
            latest[row[key]] = (row, record)
        stored: dict[str, Mapping[Any, Any]] = {}
        for part in _chunks(sorted(latest)):
            for found in conn.execute(sa.select(table).where(table.c[key].in_(part))).mappings():
                stored[found[key]] = found
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        audit: list[dict[str, Any]] = []
        domain: list[dict[str, Any]] = []
        for ident, (row, record) in latest.items():
            old = stored.get(ident)
            if old is None:
                inserts.append(row)
                domain.extend(_import_events(entity, record, None))
                continue
            if old["row_hash"] == row["row_hash"]:
                continue
            changed = sorted(
                name for name in row if name != "row_hash" and _differs(old[name], row[name])
            )
            updates.append(row)
            domain.extend(_import_events(entity, record, old))
            audit.append(
                {
                    "kind": AUDIT_RECORD_UPDATED,
                    "debtor_id": row.get("debtor_id", ident),
                    "debt_id": row.get("debt_id") if entity != "debtor" else None,
                    "occurred_on": _audit_day(row),
                    "actor": actor,
                    "idempotency_key": None,
                    "payload": {"entity": entity, "key": ident, "fields": changed},
                }
            )
        if inserts:
            conn.execute(table.insert(), inserts)
        if updates:
            by_key: sa.BindParameter[Any] = sa.bindparam("_key")
            values: dict[str, sa.BindParameter[Any]] = {
                name: sa.bindparam(name) for name in updates[0] if name != key
            }
            conn.execute(
                table.update().where(table.c[key] == by_key).values(values),
                [{**u, "_key": u[key]} for u in updates],
            )
        new_domain = [r for r in domain if not _event_known(conn, r)]
        rows_to_insert = audit + new_domain
        if rows_to_insert:
            conn.execute(t.events.insert(), rows_to_insert)
        return ImportCounts(
            rows=0,
            inserted=len(inserts),
            updated=len(updates),
            unchanged=len(latest) - len(inserts) - len(updates),
            events=tuple(event_from_record(r["payload"]) for r in new_domain),
        )

    # -- reporting (read-only) ------------------------------------------------------------------
    def report_data(self, period_from: dt.date, period_to: dt.date) -> ReportData:
        """The funnel report's data (:class:`maatwerk.core.report_data.ReportSource`)."""
        return read_report_data(self.engine, period_from, period_to)

    # -- bank returns (ReturnsLedger) -----------------------------------------------------------
    def delivered_items(self, *, actions: Iterable[str]) -> Sequence[DeliveredItem]:
        o = t.outbox
        query = (
            sa.select(o)
            .where(o.c.status == OutboxStatus.DONE.value)
            .where(o.c.action.in_(sorted(set(actions))))
            .order_by(o.c.id)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        result: list[DeliveredItem] = []
        for row in rows:
            receipt = _json(row["receipt"]) if row["receipt"] is not None else {}
            result.append(
                DeliveredItem(item=_outbox_item(row), reference=str(receipt.get("reference", "")))
            )
        return result

    def record_keyed_events(
        self,
        events: Sequence[tuple[str, Event]],
        *,
        kind: str,
        file_name: str,
        file_sha256: str,
    ) -> tuple[tuple[str, Event], ...] | None:
        audit = t.import_audit
        with self.engine.begin() as conn:
            seen = conn.execute(
                sa.select(audit.c.id)
                .where(audit.c.kind == kind)
                .where(audit.c.file_sha256 == file_sha256)
            ).first()
            if seen is not None:
                return None
            keys = [key for key, _event in events]
            known: set[str] = set()
            for part in _chunks(sorted(set(keys))):
                known.update(
                    str(k)
                    for k in conn.execute(
                        sa.select(t.events.c.idempotency_key).where(
                            t.events.c.idempotency_key.in_(part)
                        )
                    ).scalars()
                )
            new: list[tuple[str, Event]] = []
            for key, event in events:
                if key not in known:
                    known.add(key)
                    new.append((key, event))
            if new:
                conn.execute(t.events.insert(), [_event_row(e, key) for key, e in new])
            conn.execute(
                audit.insert().values(
                    kind=kind,
                    file_name=file_name[-500:],
                    file_sha256=file_sha256,
                    rows=len(events),
                    inserted=len(new),
                    updated=0,
                    unchanged=len(events) - len(new),
                )
            )
        return tuple(new)


# -- helpers ------------------------------------------------------------------------------------
_ENTITY: Final[dict[str, tuple[sa.Table, str]]] = {
    "debtor": (t.debtors, "debtor_id"),
    "debt": (t.debts, "debt_id"),
    "payment": (t.payments, "payment_id"),
    "mandate": (t.mandates, "mandate_id"),
    "consent": (t.consents, "consent_id"),
    "hold": (t.holds, "hold_id"),
}


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

    ``events`` come with the debt ids each names (see :meth:`SqlStore._event`). An event naming
    debts of another creditor's case (a step taken there) is left out, so the order in which a
    debtor's cases are evaluated never changes a decision.
    """
    return tuple(event for event, named in events if not named or not named.isdisjoint(own))


def _json(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        loaded = json.loads(value)
        return dict(loaded)
    return dict(value)


def _differs(old: Any, new: Any) -> bool:
    if isinstance(old, bool) or isinstance(new, bool):
        return bool(old) != bool(new)
    return bool(old != new)


def _audit_day(row: Mapping[str, Any]) -> dt.date:
    for name in ("due_date", "received_on", "signed_on", "given_on", "starts_on"):
        value = row.get(name)
        if isinstance(value, dt.date):
            return value
    return dt.date(1970, 1, 1)


def _import_row(record: Any) -> tuple[str, dict[str, Any]]:
    if isinstance(record, Debtor):
        return "debtor", debtor_row(record)
    if isinstance(record, Debt):
        return "debt", debt_row(record)
    if isinstance(record, Payment):
        return "payment", payment_row(record)
    if isinstance(record, Mandate):
        return "mandate", mandate_row(record)
    if isinstance(record, ConsentRecord):
        return "consent", consent_row(record)
    if isinstance(record, HoldRecord):
        return "hold", hold_row(record)
    raise TypeError(f"cannot import a {type(record).__name__}")


def _import_events(entity: str, record: Any, old: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """Domain events an imported consent or hold stands for (idempotent keys)."""
    rows: list[dict[str, Any]] = []
    if isinstance(record, ConsentRecord):
        key = f"import:consent:{record.consent_id}"
        rows.append(
            _event_row(
                ConsentGiven(
                    occurred_on=record.given_on,
                    debtor_id=record.debtor_id,
                    scope=record.scope,
                    recorded_by="import",
                ),
                f"{key}:given",
            )
        )
        if record.revoked_on is not None:
            rows.append(
                _event_row(
                    ConsentRevoked(
                        occurred_on=record.revoked_on,
                        debtor_id=record.debtor_id,
                        scope=record.scope,
                        recorded_by="import",
                    ),
                    f"{key}:revoked",
                )
            )
    elif isinstance(record, HoldRecord):
        key = f"import:hold:{record.hold_id}"
        placed = old is None
        rows.append(
            _event_row(
                HoldPlaced(
                    occurred_on=record.starts_on,
                    debtor_id=record.debtor_id,
                    debt_id=record.debt_id,
                    hold_id=record.hold_id,
                    scope=HoldScope.DEBT if record.debt_id else HoldScope.CASE,
                    reason=record.reason,
                    start=record.starts_on,
                    end=record.ends_on,
                    recorded_by="import",
                ),
                f"{key}:placed",
            )
        )
        if not placed and record.ends_on is not None and old is not None:
            previous = old["ends_on"]
            if previous is None or record.ends_on < previous:
                rows.append(
                    _event_row(
                        HoldEnded(
                            occurred_on=record.ends_on + dt.timedelta(days=1),
                            debtor_id=record.debtor_id,
                            debt_id=record.debt_id,
                            hold_id=record.hold_id,
                            recorded_by="import",
                        ),
                        f"{key}:ended:{record.ends_on.isoformat()}",
                    )
                )
    del entity
    return rows


def _event_known(conn: sa.Connection, row: Mapping[str, Any]) -> bool:
    key = row.get("idempotency_key")
    if key is None:
        return False
    found = conn.execute(
        sa.select(t.events.c.sequence).where(t.events.c.idempotency_key == key)
    ).first()
    return found is not None


def _decision_row(decision: DecisionRecord) -> dict[str, Any]:
    return {
        "run_date": decision.run_date,
        "debtor_id": decision.case.debtor_id,
        "creditor_id": decision.case.creditor_id,
        "policy": decision.policy,
        "outcome": decision.outcome,
        "step": decision.step,
        "action": decision.action,
        "blocked_by": decision.blocked_by,
        "detail": dict(decision.detail),  # the engine's JSON serializer takes dates, amounts
    }


def _outbox_row(entry: OutboxEntry) -> dict[str, Any]:
    return {
        "run_date": entry.run_date,
        "debtor_id": entry.case.debtor_id,
        "creditor_id": entry.case.creditor_id,
        "step": entry.step,
        "action": entry.action,
        "channel": entry.channel,
        "idempotency_key": entry.idempotency_key,
        "payload": {
            "debt_ids": list(entry.debt_ids),
            "data": encode_payload(dict(entry.payload)),
            "review": entry.review,
            "four_eyes": entry.four_eyes,
            "prepared_by": entry.prepared_by,
        },
        "status": (OutboxStatus.REVIEW if entry.review else OutboxStatus.PENDING).value,
        "attempts": 0,
    }


def _outbox_item(row: Mapping[Any, Any], attempts_delta: int = 0) -> OutboxItem:
    stored = _json(row["payload"])
    data = decode_payload(stored.get("data", {}))
    entry = OutboxEntry(
        case=CaseKey(row["debtor_id"], row["creditor_id"]),
        run_date=row["run_date"],
        step=row["step"],
        action=row["action"],
        channel=row["channel"],
        debt_ids=tuple(stored.get("debt_ids", ())),
        payload=data,
        review=bool(stored.get("review", False)),
        four_eyes=bool(stored.get("four_eyes", True)),
        prepared_by=str(stored.get("prepared_by", "engine")),
    )
    return OutboxItem(
        outbox_id=int(row["id"]),
        entry=entry,
        status=OutboxStatus(row["status"]),
        attempts=int(row["attempts"]) + attempts_delta,
    )


def _review_item(row: Mapping[Any, Any]) -> ReviewItem:
    return ReviewItem(
        review_id=int(row["review_id"]),
        item=_outbox_item(row),
        prepared_by=row["prepared_by"],
        four_eyes=bool(row["four_eyes"]),
        status=ReviewStatus(row["review_status"]),
        decided_by=row["decided_by"],
        reason=row["reason"],
    )
