"""Read-only queries for the funnel report (:class:`maatwerk.core.report_data.ReportSource`).

A handful of set-based queries per period, none of which writes: the bills due in the period
with their costs, interest and the payments applied to them (by the day each payment was
received), the funnel's domain events, the blocked decisions grouped per reason in SQL, the
collection costs posted, the policies used and the number of households in the store. Works
the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Final

import sqlalchemy as sa

from maatwerk.adapters.storage import schema as t
from maatwerk.adapters.storage.base import SqlBase, chunks
from maatwerk.adapters.storage.event_log import recorded_event
from maatwerk.adapters.storage.mapping import DEBTOR_COLUMNS, debtor_from_row
from maatwerk.core.debtors import Debtor
from maatwerk.core.events import (
    ArrangementAccepted,
    ArrangementBreached,
    ArrangementCompleted,
    ArrangementOffered,
    ArrangementRejected,
    ContactAttempt,
    DebtHelpStarted,
    PaymentReturned,
    StepTaken,
)
from maatwerk.core.money import Money
from maatwerk.core.ports import RecordedEvent
from maatwerk.core.report_data import BillRow, BlockedRow, ReportData


__all__ = ["REPORT_EVENT_KINDS", "SqlReporting", "read_report_data"]

#: The event kinds the funnel counts.
REPORT_EVENT_KINDS: Final = tuple(
    cls.KIND
    for cls in (
        StepTaken,
        ContactAttempt,
        ArrangementOffered,
        ArrangementAccepted,
        ArrangementCompleted,
        ArrangementBreached,
        ArrangementRejected,
        PaymentReturned,
        DebtHelpStarted,
    )
)


def _money(units: int | None) -> Money:
    return Money.from_minor_units(int(units or 0))


def _bills(conn: sa.Connection, period_from: dt.date, period_to: dt.date) -> list[BillRow]:
    d = t.debts
    debts = conn.execute(
        sa.select(d.c.debt_id, d.c.debtor_id, d.c.principal_cents, d.c.due_date, d.c.status)
        .where(d.c.due_date >= period_from)
        .where(d.c.due_date <= period_to)
        .order_by(d.c.debtor_id, d.c.due_date, d.c.debt_id)
    ).all()
    ids = [row.debt_id for row in debts]
    charges: dict[str, int] = defaultdict(int)
    paid: dict[str, list[tuple[dt.date, int, int]]] = defaultdict(list)
    for part in chunks(ids):
        for table in (t.cost_lines, t.interest_lines):
            for sums in conn.execute(
                sa.select(table.c.debt_id, sa.func.sum(table.c.amount_cents))
                .where(table.c.debt_id.in_(part))
                .where(table.c.posted_on <= period_to)
                .group_by(table.c.debt_id)
            ):
                charges[sums[0]] += int(sums[1] or 0)
        a, p = t.applied_payments, t.payments
        for part_row in conn.execute(
            sa.select(
                a.c.debt_id,
                p.c.received_on,
                a.c.principal_cents,
                (a.c.principal_cents + a.c.costs_cents + a.c.interest_cents).label("total"),
            )
            .join(p, p.c.payment_id == a.c.payment_id)
            .where(a.c.debt_id.in_(part))
            .where(p.c.received_on <= period_to)
            .order_by(a.c.debt_id, p.c.received_on, a.c.payment_id)
        ):
            paid[part_row.debt_id].append(
                (part_row.received_on, int(part_row.principal_cents), int(part_row.total))
            )
    bills: list[BillRow] = []
    for row in debts:
        owed = int(row.principal_cents) + charges[row.debt_id]
        total = principal = 0
        settled: dt.date | None = None
        for received_on, part_principal, part_total in paid[row.debt_id]:
            total += part_total
            principal += part_principal
            if settled is None and total >= owed:
                settled = received_on
        bills.append(
            BillRow(
                debt_id=row.debt_id,
                debtor_id=row.debtor_id,
                principal=_money(row.principal_cents),
                charges=_money(charges[row.debt_id]),
                due_date=row.due_date,
                status=row.status,
                paid_principal=_money(principal),
                paid_total=_money(total),
                settled_on=settled,
            )
        )
    return bills


def _events(conn: sa.Connection, period_from: dt.date, period_to: dt.date) -> list[RecordedEvent]:
    e = t.events
    rows = conn.execute(
        sa.select(e.c.sequence, e.c.kind, e.c.debtor_id, e.c.debt_id, e.c.occurred_on, e.c.payload)
        .where(e.c.kind.in_(REPORT_EVENT_KINDS))
        .where(e.c.occurred_on >= period_from)
        .where(e.c.occurred_on <= period_to)
        .order_by(e.c.sequence)
    )
    return [recorded_event(row) for row in rows]


def _blocked(conn: sa.Connection, period_from: dt.date, period_to: dt.date) -> list[BlockedRow]:
    d = t.decisions
    rows = conn.execute(
        sa.select(
            d.c.blocked_by,
            sa.func.count().label("decisions"),
            sa.func.count(sa.distinct(d.c.debtor_id)).label("households"),
        )
        .where(d.c.blocked_by.is_not(None))
        .where(d.c.run_date >= period_from)
        .where(d.c.run_date <= period_to)
        .group_by(d.c.blocked_by)
        .order_by(d.c.blocked_by)
    )
    return [
        BlockedRow(
            reason=str(r.blocked_by), decisions=int(r.decisions), households=int(r.households)
        )
        for r in rows
    ]


def _debtors(conn: sa.Connection, ids: Sequence[str]) -> list[Debtor]:
    found: list[Debtor] = []
    wanted = sorted(set(ids))
    for part in chunks(wanted):
        found.extend(
            debtor_from_row(row)
            for row in conn.execute(
                sa.select(*(t.debtors.c[name] for name in DEBTOR_COLUMNS))
                .where(t.debtors.c.debtor_id.in_(part))
                .order_by(t.debtors.c.debtor_id)
            )
        )
    return found


def read_report_data(engine: sa.Engine, period_from: dt.date, period_to: dt.date) -> ReportData:
    """The funnel report's data for the period (see :class:`ReportSource`); read-only."""
    if period_to < period_from:
        raise ValueError("the period ends before it starts")
    with engine.connect() as conn:
        bills = _bills(conn, period_from, period_to)
        events = _events(conn, period_from, period_to)
        blocked = _blocked(conn, period_from, period_to)
        c = t.cost_lines
        costs = conn.execute(
            sa.select(sa.func.coalesce(sa.func.sum(c.c.amount_cents), 0))
            .where(c.c.posted_on >= period_from)
            .where(c.c.posted_on <= period_to)
        ).scalar_one()
        d = t.decisions
        policies = tuple(
            str(p)
            for p in conn.execute(
                sa.select(d.c.policy)
                .distinct()
                .where(d.c.run_date >= period_from)
                .where(d.c.run_date <= period_to)
                .order_by(d.c.policy)
            ).scalars()
        )
        arranged = [r.debtor_id for r in events if r.kind == ArrangementAccepted.KIND]
        debtors = _debtors(conn, arranged)
        portfolio = conn.execute(sa.select(sa.func.count()).select_from(t.debtors)).scalar_one()
    return ReportData(
        period_from=period_from,
        period_to=period_to,
        bills=tuple(bills),
        events=tuple(events),
        blocked=tuple(blocked),
        costs_charged=_money(costs),
        debtors=tuple(debtors),
        policies=policies,
        portfolio_households=int(portfolio),
    )


class SqlReporting(SqlBase):
    """:class:`maatwerk.core.report_data.ReportSource`."""

    def report_data(self, period_from: dt.date, period_to: dt.date) -> ReportData:
        """The funnel report's data (:class:`maatwerk.core.report_data.ReportSource`)."""
        return read_report_data(self.engine, period_from, period_to)
