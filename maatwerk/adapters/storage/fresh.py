"""The SQL side of :class:`maatwerk.core.idle.FreshRule`: cases never decided rest set-based.

On a first day nearly every case is *fresh* (no events, payments, ledger lines, outbox rows
or resting state) and has nothing due for weeks: evaluating each in Python was most of the
day. Here one query per page of debtors selects the fresh cases with what the rule reads (the
earliest due and default date, the debtor's segment and income, the number of debts and
mandates for the case's fingerprint, :func:`.run_state.fresh_fingerprint`); the rule decides
per row in Python (a few date sums, no case loaded) and the page's decisions and resting
states are written in bulk on the driver (``COPY`` on PostgreSQL), in one transaction. Every
case the rule does not let rest is left for the run's usual path (loaded and evaluated).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

import sqlalchemy as sa

from maatwerk.adapters.storage import schema as t
from maatwerk.adapters.storage.base import copy_rows
from maatwerk.adapters.storage.run_state import fresh_fingerprint
from maatwerk.core.idle import FreshRule


__all__ = ["rest_fresh_page"]

#: debtors per page (one transaction each): memory stays flat, a crash loses one page at most
PAGE: Final = 5000


def _fresh_cases(run_date: dt.date, after: str | None, upto: str) -> sa.Select[Any]:
    """The fresh cases of the debtors in ``(after, upto]`` with what :class:`FreshRule` reads
    and the number of debts and mandates (the rest of the fingerprint is nil: no events, no
    payments). The debts are grouped per case first (in index order), then each case is looked
    up once in the other tables, each test an index lookup."""
    d, db, s, e, p, o = t.debts, t.debtors, t.case_state, t.events, t.payments, t.outbox
    dec, m, cl, il = t.decisions, t.mandates, t.cost_lines, t.interest_lines
    in_range = d.c.debtor_id <= upto
    if after is not None:
        in_range = sa.and_(d.c.debtor_id > after, in_range)
    lined = sa.or_(
        sa.exists().where(cl.c.debt_id == d.c.debt_id),
        sa.exists().where(il.c.debt_id == d.c.debt_id),
    )
    cases = (
        sa.select(
            d.c.debtor_id,
            d.c.creditor_id,
            sa.func.min(d.c.due_date).label("due"),
            sa.func.min(d.c.default_date).label("defaults"),
            sa.func.count().label("debts"),
            sa.func.sum(sa.case((d.c.status != "open", 1), (lined, 1), else_=0)).label("stale"),
            sa.func.max(d.c.principal_cents).label("top"),
        )
        .where(in_range)
        .group_by(d.c.debtor_id, d.c.creditor_id)
        .subquery("cases")
    )
    c = cases.c
    return (
        sa.select(
            c.debtor_id,
            c.creditor_id,
            c.due,
            c.defaults,
            db.c.segment,
            db.c.household,
            db.c.on_bijstand,
            db.c.net_monthly_income_cents,
            c.debts,
            sa.select(sa.func.count()).where(m.c.debtor_id == c.debtor_id).scalar_subquery(),
        )
        .join(db, db.c.debtor_id == c.debtor_id)
        .where(
            c.stale == 0,
            c.top > 0,
            db.c.deceased == sa.false(),
            ~sa.exists().where(s.c.debtor_id == c.debtor_id, s.c.creditor_id == c.creditor_id),
            ~sa.exists().where(e.c.debtor_id == c.debtor_id),
            ~sa.exists().where(p.c.debtor_id == c.debtor_id),
            ~sa.exists().where(o.c.debtor_id == c.debtor_id, o.c.creditor_id == c.creditor_id),
            ~sa.exists().where(
                dec.c.run_date == run_date,
                dec.c.debtor_id == c.debtor_id,
                dec.c.creditor_id == c.creditor_id,
            ),
        )
    )


def may_have_fresh(conn: sa.Connection) -> bool:
    """Whether some case may have no resting state yet: fewer ``case_state`` rows than cases.

    Every case the run decided with its resting shortcut has a row, so on most days there are as
    many rows as cases and the pass over the portfolio is skipped. (A row of a case whose debts
    are gone only hides fresh cases from this shortcut: they are then evaluated in full.)
    """
    d, s = t.debts, t.case_state
    cases = sa.select(d.c.debtor_id, d.c.creditor_id).distinct().subquery()
    total = conn.execute(sa.select(sa.func.count()).select_from(cases)).scalar_one()
    states = conn.execute(sa.select(sa.func.count()).select_from(s)).scalar_one()
    return int(states) < int(total)


def refresh_statistics(conn: sa.Connection) -> None:
    """PostgreSQL: ``ANALYZE`` the tables the pass fills, after its first page and at its end.

    On a first day ``decisions`` and ``case_state`` start empty and their statistics say so;
    the planner then looks a case up in them by scanning the whole table, once per case, while
    the pass fills them: quadratic (a first day of 100,000 cases took two minutes). Fresh
    statistics make it use their indexes, here and in the run's later lookups.
    """
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("ANALYZE case_state, decisions")


def rest_fresh_page(
    conn: sa.Connection,
    run_date: dt.date,
    rule: FreshRule,
    evaluator: str,
    *,
    after: str | None,
) -> tuple[int, str | None]:
    """Rest the fresh cases of the next :data:`PAGE` debtors after ``after`` (debtor id order).

    Returns how many cases were recorded, and the last debtor id of the page (``None``: no
    debtor left).
    """
    version = conn.dialect.server_version_info or ()
    if conn.dialect.name == "postgresql" and version >= (11,):  # JIT came with PostgreSQL 11
        # the page's query is short but estimated dear (a range of a large table): JIT compiled
        # it on every other page, 420 ms for a query that runs in 60 ms
        conn.exec_driver_sql("SET LOCAL jit = off")
    db = t.debtors
    ids = sa.select(db.c.debtor_id).order_by(db.c.debtor_id).limit(PAGE)
    if after is not None:
        ids = ids.where(db.c.debtor_id > after)
    upto = conn.execute(sa.select(sa.func.max(ids.subquery().c.debtor_id))).scalar_one()
    if upto is None:
        return 0, None
    decisions: list[tuple[Any, ...]] = []
    states: list[tuple[Any, ...]] = []
    on = run_date.isoformat()
    # SQLite stores dates as ISO text (as SQLAlchemy's ``Date`` does), PostgreSQL takes dates
    as_text = conn.dialect.name != "postgresql"
    day = on if as_text else run_date
    texts: dict[dt.date, str] = {}
    for row in conn.execute(_fresh_cases(run_date, after, upto)):
        debtor, creditor, due, default, segment, household, bijstand, net, debts, mandates = row
        rests = rule.wake_on(
            run_date,
            creditor_id=creditor,
            segment=segment,
            household=household,
            on_bijstand=bool(bijstand),
            net_income_cents=net,
            first_due=due,
            first_default=default,
        )
        if rests is None:
            continue
        label, wake = rests
        text = texts.get(wake)
        if text is None:
            text = texts[wake] = wake.isoformat()
        decisions.append((day, debtor, creditor, label, _DETAIL.format(on=on, wake=text)))
        print_ = fresh_fingerprint(debts=debts, mandates=mandates)
        states.append((debtor, creditor, day, text if as_text else wake, label, print_, evaluator))
    if decisions:
        _insert_many(conn, decisions, states)
    return len(decisions), str(upto)


#: an idle decision's detail (``run_state._idle_detail``), marked ``fresh``; the dates are ISO
_DETAIL: Final = (
    '{{"status": "idle", "fresh": true, "evaluated_on": "{on}", "next_check_on": "{wake}"}}'
)
_DECISION_COLUMNS: Final = ("run_date", "debtor_id", "creditor_id", "policy", "detail", "outcome")
_STATE_COLUMNS: Final = (
    "debtor_id",
    "creditor_id",
    "evaluated_on",
    "wake_on",
    "policy",
    "fingerprint",
    "evaluator",
    "outcome",
)


def _insert_many(
    conn: sa.Connection, decisions: list[tuple[Any, ...]], states: list[tuple[Any, ...]]
) -> None:
    """The page's rows straight to the driver (they are its values already: SQLAlchemy's
    per-row bind processing was most of the cost), outcome ``none`` added: ``COPY`` on
    PostgreSQL (an ``executemany`` cost 16 µs a row there), one ``executemany`` per table on
    SQLite."""
    none = ("none",)
    if conn.dialect.name == "postgresql":
        copy_rows(conn, "decisions", _DECISION_COLUMNS, (row + none for row in decisions))
        copy_rows(conn, "case_state", _STATE_COLUMNS, (row + none for row in states))
        return
    for table, columns, rows in (
        ("decisions", _DECISION_COLUMNS, decisions),
        ("case_state", _STATE_COLUMNS, states),
    ):
        marks = ", ".join("?" for _ in columns[:-1])
        conn.exec_driver_sql(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}, 'none')", rows
        )
