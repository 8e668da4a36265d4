"""The SQL side of idle cases (:mod:`maatwerk.core.idle`): fingerprints and the ``case_state`` table.

A case's **fingerprint** is a digest of the stored data the run does not write itself: the
debtor's newest event sequence number (every recording command, review decision, import audit
and the run's own steps append one), the number of debts in the case and the number of payments
and mandates of the debtor (new rows; a changed row leaves an audit event). Ledger lines and
applied payments are written only by the run, in the transaction that also stores the case state.

Everything is set-based: a few grouped queries per batch of case keys, one executemany per table.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final, TypeVar

import sqlalchemy as sa

from maatwerk.adapters.storage import schema as t
from maatwerk.core.idle import IdleCase
from maatwerk.core.records import CaseKey, CaseOutcome, DecisionRecord


__all__ = [
    "fingerprints",
    "insert_idle_decisions",
    "plan_batch",
    "record_states",
]

T = TypeVar("T")
_CHUNK: Final = 900


def _chunks(items: Sequence[T], size: int = _CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _between(column: sa.ColumnElement[Any], keys: Sequence[CaseKey]) -> sa.ColumnElement[bool]:
    """``column`` within the batch's debtor ids: the keyset pages are contiguous, so a range
    (two parameters, an index range scan) replaces a long ``IN`` list; callers drop extras."""
    ids = [k.debtor_id for k in keys]
    return column.between(min(ids), max(ids))


def fingerprints(conn: sa.Connection, keys: Sequence[CaseKey]) -> dict[CaseKey, str]:
    """The current fingerprint of each case in ``keys`` (see the module docstring)."""
    seq: dict[str, int] = {}
    debts: dict[CaseKey, int] = defaultdict(int)
    payments: dict[str, int] = {}
    mandates: dict[str, int] = {}
    e, d, p, m = t.events, t.debts, t.payments, t.mandates
    seq.update(
        (str(r[0]), int(r[1]))
        for r in conn.execute(
            sa.select(e.c.debtor_id, sa.func.max(e.c.sequence))
            .where(_between(e.c.debtor_id, keys))
            .group_by(e.c.debtor_id)
        )
    )
    for row in conn.execute(
        sa.select(d.c.debtor_id, d.c.creditor_id, sa.func.count())
        .where(_between(d.c.debtor_id, keys))
        .group_by(d.c.debtor_id, d.c.creditor_id)
    ):
        debts[CaseKey(str(row[0]), str(row[1]))] = int(row[2])
    payments.update(
        (str(r[0]), int(r[1]))
        for r in conn.execute(
            sa.select(p.c.debtor_id, sa.func.count())
            .where(_between(p.c.debtor_id, keys))
            .group_by(p.c.debtor_id)
        )
    )
    mandates.update(
        (str(r[0]), int(r[1]))
        for r in conn.execute(
            sa.select(m.c.debtor_id, sa.func.count())
            .where(_between(m.c.debtor_id, keys))
            .group_by(m.c.debtor_id)
        )
    )
    return {
        k: (
            f"{seq.get(k.debtor_id, 0)}:{debts[k]}:"
            f"{payments.get(k.debtor_id, 0)}:{mandates.get(k.debtor_id, 0)}"
        )
        for k in keys
    }


def _states(
    conn: sa.Connection, keys: Sequence[CaseKey], run_date: dt.date, evaluator: str
) -> dict[CaseKey, IdleCase]:
    """The stored resting states of ``keys`` that may be idle on ``run_date`` under
    ``evaluator`` (the date and evaluator tests of :meth:`IdleCase.idle_on` run in SQL, so
    only those rows are read and mapped; the fingerprint is compared by the caller)."""
    s = t.case_state
    wanted = set(keys)
    found: dict[CaseKey, IdleCase] = {}
    if keys:
        query = (
            sa.select(
                s.c.debtor_id,
                s.c.creditor_id,
                s.c.evaluated_on,
                s.c.wake_on,
                s.c.policy,
                s.c.outcome,
                s.c.blocked_by,
                s.c.fingerprint,
            )
            .where(_between(s.c.debtor_id, keys))
            .where(s.c.evaluator == evaluator)
            .where(s.c.evaluated_on <= run_date)
            .where(s.c.wake_on > run_date)
        )
        for debtor, creditor, since, wake, policy, outcome, blocked, print_ in conn.execute(query):
            key = CaseKey(debtor, creditor)
            if key in wanted:
                found[key] = IdleCase(
                    key=key,
                    evaluated_on=since,
                    wake_on=wake,
                    policy=policy,
                    outcome=outcome,
                    blocked_by=blocked,
                    fingerprint=print_,
                    evaluator=evaluator,
                )
    return found


def plan_batch(
    conn: sa.Connection, run_date: dt.date, keys: Sequence[CaseKey], evaluator: str
) -> tuple[list[IdleCase], dict[CaseKey, str]]:
    """Split ``keys`` into the cases idle on ``run_date`` and the others (with fingerprints)."""
    if not keys:
        return [], {}
    current = fingerprints(conn, keys)
    states = _states(conn, keys, run_date, evaluator)
    idle: list[IdleCase] = []
    others: dict[CaseKey, str] = {}
    for key in keys:
        state = states.get(key)
        if state is not None and state.idle_on(
            run_date, fingerprint=current[key], evaluator=evaluator
        ):
            idle.append(state)
        else:
            others[key] = current[key]
    return idle, others


def insert_idle_decisions(
    conn: sa.Connection, run_date: dt.date, states: Sequence[IdleCase]
) -> None:
    """Record each idle case's decision: its last outcome, and why it was not re-derived.

    ``detail`` is ``{"status": "idle", "evaluated_on", "next_check_on"}`` (ISO dates). The
    rows are copied from ``case_state`` in SQL (``INSERT ... SELECT``; the run is its only
    writer, so they are the states :func:`plan_batch` read in this run): no row is built,
    bound or JSON-encoded in Python, which was most of the cost of an idle case.
    """
    if not states:
        return
    s, d = t.case_state, t.decisions
    if conn.dialect.name == "postgresql":
        build: Any = sa.func.jsonb_build_object
    else:  # SQLite stores dates as ISO text (``YYYY-MM-DD``), as ``isoformat()`` writes them
        build = sa.func.json_object
    detail = build("status", "idle", "evaluated_on", s.c.evaluated_on, "next_check_on", s.c.wake_on)
    columns = ["run_date", "debtor_id", "creditor_id", "policy", "outcome", "blocked_by", "detail"]
    keys = sa.tuple_(s.c.debtor_id, s.c.creditor_id)
    for part in _chunks(states, 400):
        select = sa.select(
            sa.literal(run_date, sa.Date).label("run_date"),
            s.c.debtor_id,
            s.c.creditor_id,
            s.c.policy,
            s.c.outcome,
            s.c.blocked_by,
            detail.label("detail"),
        ).where(keys.in_([(i.key.debtor_id, i.key.creditor_id) for i in part]))
        conn.execute(d.insert().from_select(columns, select))


def record_states(
    conn: sa.Connection,
    run_date: dt.date,
    outcomes: Sequence[CaseOutcome],
    fingerprints: Mapping[CaseKey, str],
    evaluator: str,
) -> None:
    """Store the resting state of each evaluated case that has a fingerprint (upsert)."""
    rows = [
        _state_row(run_date, o.decision, o.wake_on, fingerprints[o.decision.case], evaluator)
        for o in outcomes
        if o.decision.case in fingerprints
    ]
    if not rows:
        return
    s = t.case_state
    for part in _chunks(rows, 400):
        keys = sa.tuple_(s.c.debtor_id, s.c.creditor_id)
        conn.execute(s.delete().where(keys.in_([(r["debtor_id"], r["creditor_id"]) for r in part])))
    conn.execute(s.insert(), rows)


def _state_row(
    run_date: dt.date,
    decision: DecisionRecord,
    wake_on: dt.date | None,
    fingerprint: str,
    evaluator: str,
) -> dict[str, Any]:
    return {
        "debtor_id": decision.case.debtor_id,
        "creditor_id": decision.case.creditor_id,
        "evaluated_on": run_date,
        "wake_on": wake_on,
        "policy": decision.policy,
        "outcome": decision.outcome,
        "blocked_by": decision.blocked_by,
        "fingerprint": fingerprint,
        "evaluator": evaluator,
    }
