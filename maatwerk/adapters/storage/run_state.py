"""The SQL side of idle cases (:mod:`maatwerk.core.idle`): fingerprints and the ``case_state`` table.

A case's **fingerprint** is a digest of the stored data the run does not write itself: the
debtor's newest event sequence number (every recording command, review decision, import audit
and the run's own steps append one), the number of debts in the case and the number of payments
and mandates of the debtor (new rows; a changed row leaves an audit event). Ledger lines and
applied payments are written only by the run, in the transaction that also stores the case state.

Everything is set-based: one query per batch of case keys decides which cases rest (the
fingerprint is computed and compared in SQL), one executemany per table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Final

import sqlalchemy as sa

from maatwerk.adapters.storage import schema as t
from maatwerk.adapters.storage.base import CHUNK, chunks, keys_after, keys_upto
from maatwerk.core.idle import IdleCase
from maatwerk.core.records import CaseKey, CaseOutcome, DecisionRecord


__all__ = [
    "fingerprint_of",
    "fingerprints",
    "fresh_fingerprint",
    "insert_idle_decisions",
    "of_debtors",
    "pending_cases",
    "pending_keys",
    "plan_batch",
    "record_states",
    "rest_idle_cases",
]


def of_debtors(column: sa.ColumnElement[Any], keys: Sequence[CaseKey]) -> sa.ColumnElement[bool]:
    """``column`` is one of the debtor ids of ``keys``, or lies between them (callers drop
    the other cases the condition lets through).

    An ``IN`` list up to :data:`~maatwerk.adapters.storage.base.CHUNK` debtors: the keys the run evaluates are the cases left
    after the idle ones were recorded (:func:`pending_keys`), a few hundred spread over the
    whole portfolio, where a range from the first to the last would cover every case in
    between. A larger batch gets the range (two parameters; SQLite allows 32,766 at most).
    """
    ids = sorted({k.debtor_id for k in keys})
    if len(ids) <= CHUNK:
        return column.in_(ids)
    return column.between(ids[0], ids[-1])


def fingerprint_of(debtor: Any, creditor: Any) -> sa.ColumnElement[str]:
    """The current fingerprint of the case ``(debtor, creditor)``, columns of an outer query.

    ``"<newest event sequence>:<debts of the case>:<payments>:<mandates>"`` (see the module
    docstring), each a correlated subquery answered from an index (``ix_events_debtor``: the
    maximum is the last entry of the debtor's range, no scan of its events; ``ix_debts_case``,
    ``ix_payments_debtor``, ``ix_mandates_debtor``).
    """
    d, e, p, m = t.debts, t.events, t.payments, t.mandates
    parts = (
        sa.func.coalesce(
            sa.select(sa.func.max(e.c.sequence)).where(e.c.debtor_id == debtor).scalar_subquery(),
            0,
        ),
        sa.select(sa.func.count())
        .where(d.c.debtor_id == debtor, d.c.creditor_id == creditor)
        .scalar_subquery(),
        sa.select(sa.func.count()).where(p.c.debtor_id == debtor).scalar_subquery(),
        sa.select(sa.func.count()).where(m.c.debtor_id == debtor).scalar_subquery(),
    )
    text: sa.ColumnElement[str] = sa.cast(parts[0], sa.String)
    for part in parts[1:]:
        text = text + sa.literal(":", sa.String) + sa.cast(part, sa.String)
    return text


def fresh_fingerprint(*, debts: int, mandates: int) -> str:
    """:func:`fingerprint_of` for a case whose debtor has no events and no payments (a case the
    run never decided, :mod:`.fresh`): ``"0:<debts>:0:<mandates>"``."""
    return f"0:{debts}:0:{mandates}"


def _fingerprinted(keys: Sequence[CaseKey]) -> sa.CTE:
    """The cases of the batch's debtor range with their current fingerprint, computed in SQL.

    A ``MATERIALIZED`` CTE (SQLite 3.35+, PostgreSQL 12+): computed once, where an inlined
    subquery would run the lookups again for the join condition.
    """
    d = t.debts
    cases = (
        sa.select(d.c.debtor_id, d.c.creditor_id)
        .distinct()
        .where(of_debtors(d.c.debtor_id, keys))
        .subquery("cases")
    )
    print_ = fingerprint_of(cases.c.debtor_id, cases.c.creditor_id)
    current = sa.select(cases.c.debtor_id, cases.c.creditor_id, print_.label("fingerprint"))
    return current.cte("current").prefix_with("MATERIALIZED")


def _idle_detail(conn: sa.Connection) -> sa.ColumnElement[Any]:
    """``{"status": "idle", "evaluated_on", "next_check_on"}`` built in SQL from ``case_state``."""
    s = t.case_state
    if conn.dialect.name == "postgresql":
        build: Any = sa.func.jsonb_build_object
    else:  # SQLite stores dates as ISO text (``YYYY-MM-DD``), as ``isoformat()`` writes them
        build = sa.func.json_object
    detail: sa.ColumnElement[Any] = build(
        "status", "idle", "evaluated_on", s.c.evaluated_on, "next_check_on", s.c.wake_on
    )
    return detail


def _decided_on(run_date: dt.date, debtor: Any, creditor: Any) -> sa.Exists:
    """The case ``(debtor, creditor)`` (columns of an outer query) has a decision on
    ``run_date`` (the unique index of ``decisions`` answers it)."""
    earlier = t.decisions.alias("earlier")
    return (
        sa.select(earlier.c.id)
        .where(
            earlier.c.run_date == run_date,
            earlier.c.debtor_id == debtor,
            earlier.c.creditor_id == creditor,
        )
        .exists()
    )


_DECISION_COLUMNS: Final = (
    "run_date",
    "debtor_id",
    "creditor_id",
    "policy",
    "outcome",
    "blocked_by",
    "detail",
)


def _copy_resting_decisions(
    conn: sa.Connection, run_date: dt.date, *where: sa.ColumnElement[bool]
) -> sa.Insert:
    """``INSERT INTO decisions ... SELECT`` the resting outcome of each ``case_state`` row
    matching ``where`` as its decision on ``run_date`` (detail: :func:`_idle_detail`)."""
    s = t.case_state
    select = sa.select(
        sa.literal(run_date, sa.Date).label("run_date"),
        s.c.debtor_id,
        s.c.creditor_id,
        s.c.policy,
        s.c.outcome,
        s.c.blocked_by,
        _idle_detail(conn).label("detail"),
    ).where(*where)
    return t.decisions.insert().from_select(_DECISION_COLUMNS, select)


def rest_idle_cases(
    conn: sa.Connection, run_date: dt.date, evaluator: str
) -> list[tuple[str, str | None]]:
    """Record ``run_date``'s decision of every idle case that has none yet, in ONE statement.

    A case is idle when its ``case_state`` row says so (:meth:`IdleCase.idle_on`: same
    evaluator, ``evaluated_on <= run_date < wake_on``, unchanged fingerprint, all tested in
    SQL). Its decision is its resting outcome, copied from ``case_state`` by ``INSERT ...
    SELECT`` (no row crosses into Python but the ``RETURNING`` pair the run counts). The
    fingerprint is computed only for the rows that pass the cheap tests, by index lookups.
    Returns ``(outcome, blocked_by)`` per case recorded now.
    """
    s, d = t.case_state, t.decisions
    decided = _decided_on(run_date, s.c.debtor_id, s.c.creditor_id)
    insert = _copy_resting_decisions(
        conn,
        run_date,
        s.c.evaluator == evaluator,
        s.c.evaluated_on <= run_date,
        s.c.wake_on > run_date,
        ~decided,
        s.c.fingerprint == fingerprint_of(s.c.debtor_id, s.c.creditor_id),
    ).returning(d.c.outcome, d.c.blocked_by)
    return [(str(outcome), blocked) for outcome, blocked in conn.execute(insert)]


def pending_cases(run_date: dt.date) -> sa.Select[Any]:
    """The case keys without a decision on ``run_date``: the debts grouped per case in the
    order of the case index, and the day's decision looked up once per case (``HAVING``), so
    that the database walks the index and can stop at a ``LIMIT``."""
    d = t.debts
    return (
        sa.select(d.c.debtor_id, d.c.creditor_id)
        .group_by(d.c.debtor_id, d.c.creditor_id)
        .having(~_decided_on(run_date, d.c.debtor_id, d.c.creditor_id))
    )


def pending_keys(
    conn: sa.Connection,
    run_date: dt.date,
    *,
    after: CaseKey | None,
    limit: int,
    last: CaseKey | None = None,
) -> list[CaseKey]:
    """Up to ``limit`` case keys after ``after`` and up to ``last`` (key order) without a
    decision on ``run_date`` (:func:`pending_cases`).

    (A ``DISTINCT`` subquery filtered outside was sorted again in full by SQLite on every
    page: a first day of a million households spent 4.0 s on seven pages, against 0.11 s on
    two at 100,000; a look-up per debt row instead of per case cost PostgreSQL 6.3 s for a pass
    over a million households, 2.4 s now.)
    """
    d = t.debts
    query = pending_cases(run_date).order_by(d.c.debtor_id, d.c.creditor_id).limit(limit)
    if after is not None:
        query = query.where(keys_after(d.c.debtor_id, d.c.creditor_id, after))
    if last is not None:
        query = query.where(keys_upto(d.c.debtor_id, d.c.creditor_id, last))
    return [CaseKey(debtor, creditor) for debtor, creditor in conn.execute(query)]


def fingerprints(conn: sa.Connection, keys: Sequence[CaseKey]) -> dict[CaseKey, str]:
    """The current fingerprint of each case in ``keys`` (see the module docstring)."""
    if not keys:
        return {}
    wanted = set(keys)
    found = {
        CaseKey(debtor, creditor): print_
        for debtor, creditor, print_ in conn.execute(sa.select(_fingerprinted(keys)))
    }
    return {k: v for k, v in found.items() if k in wanted}


def plan_batch(
    conn: sa.Connection, run_date: dt.date, keys: Sequence[CaseKey], evaluator: str
) -> tuple[list[IdleCase], dict[CaseKey, str]]:
    """Split ``keys`` into the cases idle on ``run_date`` and the others (with fingerprints).

    One query: the batch's cases with their current fingerprint (:func:`_fingerprinted`),
    left-joined to the ``case_state`` rows that are idle on ``run_date`` (the test of
    :meth:`IdleCase.idle_on`, in the join condition: evaluator, ``evaluated_on <= run_date <
    wake_on``, unchanged fingerprint). A case without such a row has changed data, a wake date
    that has come, another evaluator or no state: it is returned with its fingerprint.
    """
    if not keys:
        return [], {}
    s = t.case_state
    current = _fingerprinted(keys)
    resting = sa.and_(
        s.c.debtor_id == current.c.debtor_id,
        s.c.creditor_id == current.c.creditor_id,
        s.c.evaluator == evaluator,
        s.c.evaluated_on <= run_date,
        s.c.wake_on > run_date,
        s.c.fingerprint == current.c.fingerprint,
    )
    query = sa.select(
        current.c.debtor_id,
        current.c.creditor_id,
        current.c.fingerprint,
        s.c.evaluated_on,
        s.c.wake_on,
        s.c.policy,
        s.c.outcome,
        s.c.blocked_by,
    ).select_from(current.outerjoin(s, resting))
    states: dict[CaseKey, IdleCase] = {}
    prints: dict[CaseKey, str] = {}
    for debtor, creditor, print_, since, wake, policy, outcome, blocked in conn.execute(query):
        key = CaseKey(debtor, creditor)
        if since is None:
            prints[key] = print_
        else:
            states[key] = IdleCase(
                key=key,
                evaluated_on=since,
                wake_on=wake,
                policy=policy,
                outcome=outcome,
                blocked_by=blocked,
                fingerprint=print_,
                evaluator=evaluator,
            )
    # in the order of ``keys``; the range holds extras (dropped). A key without debts (gone
    # since the page was read) is not idle and gets an empty fingerprint, which never matches.
    idle = [states[k] for k in keys if k in states]
    return idle, {k: prints.get(k, "") for k in keys if k not in states}


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
    s = t.case_state
    keys = sa.tuple_(s.c.debtor_id, s.c.creditor_id)
    for part in chunks(states, 400):
        wanted = keys.in_([(i.key.debtor_id, i.key.creditor_id) for i in part])
        conn.execute(_copy_resting_decisions(conn, run_date, wanted))


def record_states(
    conn: sa.Connection,
    run_date: dt.date,
    outcomes: Sequence[CaseOutcome],
    fingerprints: Mapping[CaseKey, str],
    evaluator: str,
) -> None:
    """Store the resting state of each evaluated case that has a fingerprint (upsert).

    A case that rests after writing events today (``CaseOutcome.rests_as``) must be given the
    fingerprint read *after* those writes (:func:`fingerprints`, in the same transaction).
    """
    rows = [
        _state_row(
            run_date, o.rests_as or o.decision, o.wake_on, fingerprints[o.decision.case], evaluator
        )
        for o in outcomes
        if o.decision.case in fingerprints
    ]
    if not rows:
        return
    s = t.case_state
    keys = sa.tuple_(s.c.debtor_id, s.c.creditor_id)
    for part in chunks(rows, 400):
        pairs = [(r["debtor_id"], r["creditor_id"]) for r in part]
        # the debtor ids first: SQLite answers a list of pairs alone by scanning the table
        debtors = s.c.debtor_id.in_(sorted({debtor for debtor, _creditor in pairs}))
        conn.execute(s.delete().where(debtors, keys.in_(pairs)))
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
