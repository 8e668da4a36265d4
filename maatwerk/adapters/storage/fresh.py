"""The SQL side of :class:`maatwerk.core.idle.FreshRule`: cases never decided rest set-based.

On a first day nearly every case is *fresh* (no events, payments, ledger lines, outbox rows
or resting state) and has nothing due for weeks: evaluating each in Python was most of the
day. Here one query per page of debtors selects the fresh cases with what the rule reads (the
earliest due and default date, the debtor's segment and income, the case's fingerprint,
computed as :mod:`.run_state` computes it); the rule decides per row in Python (a few date
sums, no case loaded) and the page's decisions and resting states are written with one
``executemany`` each, in one transaction. Every case the rule does not let rest is left for
the run's usual path (loaded and evaluated).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

import sqlalchemy as sa

from maatwerk.adapters.storage import schema as t
from maatwerk.adapters.storage.run_state import fingerprint_of
from maatwerk.core.idle import FreshRule


__all__ = ["rest_fresh_page"]

#: debtors per page (one transaction each): memory stays flat, a crash loses one page at most
PAGE: Final = 5000


def _fresh_cases(run_date: dt.date, after: str | None, upto: str) -> sa.Select[Any]:
    """The fresh cases of the debtors in ``(after, upto]`` with what :class:`FreshRule` reads."""
    # an alias: the fingerprint's own count of the case's debts reads ``debts`` itself
    d = t.debts.alias("fresh_debts")
    db, s, e, p, o = t.debtors, t.case_state, t.events, t.payments, t.outbox
    dec, cl, il = t.decisions, t.cost_lines, t.interest_lines
    in_range = d.c.debtor_id <= upto
    if after is not None:
        in_range = sa.and_(d.c.debtor_id > after, in_range)
    lined = sa.or_(
        sa.exists().where(cl.c.debt_id == d.c.debt_id),
        sa.exists().where(il.c.debt_id == d.c.debt_id),
    )
    not_fresh_debt = sa.case((d.c.status != "open", 1), (lined, 1), else_=0)
    return (
        sa.select(
            d.c.debtor_id,
            d.c.creditor_id,
            sa.func.min(d.c.due_date),
            sa.func.min(d.c.default_date),
            db.c.segment,
            db.c.on_bijstand,
            db.c.net_monthly_income_cents,
            fingerprint_of(d.c.debtor_id, d.c.creditor_id),
        )
        .join(db, db.c.debtor_id == d.c.debtor_id)
        .where(
            in_range,
            db.c.deceased == sa.false(),
            ~sa.exists().where(e.c.debtor_id == d.c.debtor_id),
            ~sa.exists().where(p.c.debtor_id == d.c.debtor_id),
            ~sa.exists().where(s.c.debtor_id == d.c.debtor_id, s.c.creditor_id == d.c.creditor_id),
            ~sa.exists().where(o.c.debtor_id == d.c.debtor_id, o.c.creditor_id == d.c.creditor_id),
            ~sa.exists().where(
                dec.c.run_date == run_date,
                dec.c.debtor_id == d.c.debtor_id,
                dec.c.creditor_id == d.c.creditor_id,
            ),
        )
        .group_by(
            d.c.debtor_id,
            d.c.creditor_id,
            db.c.segment,
            db.c.on_bijstand,
            db.c.net_monthly_income_cents,
        )
        .having(sa.func.sum(not_fresh_debt) == 0)
        .having(sa.func.max(d.c.principal_cents) > 0)
    )


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
    db = t.debtors
    ids = sa.select(db.c.debtor_id).order_by(db.c.debtor_id).limit(PAGE)
    if after is not None:
        ids = ids.where(db.c.debtor_id > after)
    upto = conn.execute(sa.select(sa.func.max(ids.subquery().c.debtor_id))).scalar_one()
    if upto is None:
        return 0, None
    decisions: list[dict[str, Any]] = []
    states: list[dict[str, Any]] = []
    for debtor, creditor, due, default, segment, bijstand, net, print_ in conn.execute(
        _fresh_cases(run_date, after, upto)
    ):
        rests = rule.wake_on(
            run_date,
            creditor_id=creditor,
            segment=segment,
            on_bijstand=bool(bijstand),
            net_income_cents=net,
            first_due=due,
            first_default=default,
        )
        if rests is None:
            continue
        label, wake = rests
        decisions.append(
            {
                "run_date": run_date,
                "debtor_id": debtor,
                "creditor_id": creditor,
                "policy": label,
                "outcome": "none",
                "detail": {
                    "status": "idle",
                    "fresh": True,
                    "evaluated_on": run_date.isoformat(),
                    "next_check_on": wake.isoformat(),
                },
            }
        )
        states.append(
            {
                "debtor_id": debtor,
                "creditor_id": creditor,
                "evaluated_on": run_date,
                "wake_on": wake,
                "policy": label,
                "outcome": "none",
                "blocked_by": None,
                "fingerprint": print_,
                "evaluator": evaluator,
            }
        )
    if decisions:
        conn.execute(t.decisions.insert(), decisions)
        conn.execute(t.case_state.insert(), states)
    return len(decisions), str(upto)
