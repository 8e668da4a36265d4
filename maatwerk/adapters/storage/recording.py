"""Runs and their decisions (:class:`maatwerk.core.ports.RunLedger`), recorded a batch at a time.

A batch of outcomes is written in ONE transaction, one executemany per table: the decisions,
the idle cases' decisions, the outbox rows (:func:`~maatwerk.adapters.storage.outbox.enqueue`),
the run's own events, the ledger postings and applied payments
(:mod:`~maatwerk.adapters.storage.postings`) and the cases' resting states
(:mod:`~maatwerk.adapters.storage.run_state`, which also answers the reads of
:class:`maatwerk.core.idle.IdleStore`). A case already decided for the run date is left alone,
so a rerun is a no-op.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from maatwerk.adapters.storage import fresh, run_state
from maatwerk.adapters.storage import schema as t
from maatwerk.adapters.storage.base import SqlBase, json_object
from maatwerk.adapters.storage.event_log import event_row, insert_events
from maatwerk.adapters.storage.mapping import json_default
from maatwerk.adapters.storage.outbox import enqueue
from maatwerk.adapters.storage.postings import apply_payments, close_debts, post_lines
from maatwerk.core.idle import FreshRule, IdleCase, RestedDay
from maatwerk.core.records import CaseKey, CaseOutcome, DecisionRecord
from maatwerk.services.faults import fault_point


__all__ = ["SqlRunLedger"]


class SqlRunLedger(SqlBase):
    """:class:`maatwerk.core.ports.RunLedger`, :class:`maatwerk.core.idle.IdleStore` and
    :class:`maatwerk.core.idle.FreshStore`."""

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
            if rested:  # most of the day's decisions: the planner should know (fresh.py)
                fresh.refresh_statistics(conn)
        return RestedDay(already_decided=int(already), rested=tuple(rested))

    def rest_fresh(self, run_date: dt.date, rule: FreshRule, *, evaluator: str) -> int:
        """:class:`maatwerk.core.idle.FreshStore`: see :mod:`~maatwerk.adapters.storage.fresh`."""
        with self.engine.connect() as conn:
            if not fresh.may_have_fresh(conn):
                return 0
        rested, after, pages = 0, None, 0
        while True:
            with self.engine.begin() as conn:
                count, after = fresh.rest_fresh_page(conn, run_date, rule, evaluator, after=after)
                pages += 1
                if pages == 1 or after is None:
                    fresh.refresh_statistics(conn)
            rested += count
            if after is None:
                return rested

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
            enqueue(conn, [e for o in todo for e in o.outbox])
            events = [
                event_row(ev, f"run:{run_date.isoformat()}:{o.decision.case}:{i}")
                for o in todo
                for i, ev in enumerate(o.events)
            ]
            if events:
                insert_events(conn, events)
                # a case resting after today's own events rests on the data as written now
                wrote = [o.decision.case for o in todo if o.events and o.wake_on is not None]
                if wrote and fingerprints:
                    after = run_state.fingerprints(conn, wrote)
                    fingerprints = {**fingerprints, **after}
            post_lines(conn, [p for o in todo for p in o.postings])
            apply_payments(conn, [a for o in todo for a in o.applications])
            close_debts(conn, [c for o in todo for c in o.closures])
            fault_point("batch-postings-written")
            run_state.record_states(conn, run_date, todo, fingerprints, evaluator)
            return len(todo) + len(resting)

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
        return _decision_record(row)


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


def _decision_record(row: Any) -> DecisionRecord:
    return DecisionRecord(
        run_date=row.run_date,
        case=CaseKey(row.debtor_id, row.creditor_id),
        policy=row.policy,
        outcome=row.outcome,
        step=row.step,
        action=row.action,
        blocked_by=row.blocked_by,
        detail=json_object(row.detail),
    )
