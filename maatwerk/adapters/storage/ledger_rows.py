"""The stored ledger in aggregate, for ``maatwerk audit verify`` (:mod:`maatwerk.services.ledger_audit`).

Sums straight from the tables (debts, cost and interest lines, applied payments, payments), so
the check does not lean on the code that loads cases for the run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import sqlalchemy as sa

from maatwerk.adapters.storage import schema as t
from maatwerk.services.ledger_audit import DebtRow, PaymentRow


__all__ = ["SqlLedger"]


def _sum_by(table: sa.Table, key: str, *columns: str) -> sa.Subquery:
    return (
        sa.select(
            table.c[key].label("k"),
            *(sa.func.sum(table.c[c]).label(c) for c in columns),
        )
        .group_by(table.c[key])
        .subquery()
    )


class SqlLedger:
    """:class:`~maatwerk.services.ledger_audit.LedgerSource` on a SQLAlchemy engine."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def ledger_debts(self) -> Iterator[DebtRow]:
        d = t.debts
        costs = _sum_by(t.cost_lines, "debt_id", "amount_cents")
        interest = _sum_by(t.interest_lines, "debt_id", "amount_cents")
        paid = _sum_by(
            t.applied_payments, "debt_id", "costs_cents", "interest_cents", "principal_cents"
        )
        zero = sa.literal(0)
        query = (
            sa.select(
                d.c.debt_id,
                d.c.debtor_id,
                d.c.creditor_id,
                d.c.status,
                d.c.principal_cents,
                sa.func.coalesce(costs.c.amount_cents, zero),
                sa.func.coalesce(interest.c.amount_cents, zero),
                sa.func.coalesce(paid.c.costs_cents, zero),
                sa.func.coalesce(paid.c.interest_cents, zero),
                sa.func.coalesce(paid.c.principal_cents, zero),
            )
            .outerjoin(costs, costs.c.k == d.c.debt_id)
            .outerjoin(interest, interest.c.k == d.c.debt_id)
            .outerjoin(paid, paid.c.k == d.c.debt_id)
            .order_by(d.c.debt_id)
        )
        with self.engine.connect() as conn:
            for row in conn.execute(query):
                yield DebtRow(
                    debt_id=row[0],
                    debtor_id=row[1],
                    creditor_id=row[2],
                    status=row[3],
                    principal=int(row[4]),
                    costs=int(row[5]),
                    interest=int(row[6]),
                    paid_costs=int(row[7]),
                    paid_interest=int(row[8]),
                    paid_principal=int(row[9]),
                )

    def ledger_payments(self) -> Iterator[PaymentRow]:
        p, a = t.payments, t.applied_payments
        applied = (
            sa.select(
                a.c.payment_id.label("k"),
                sa.func.sum(a.c.costs_cents + a.c.interest_cents + a.c.principal_cents).label(
                    "cents"
                ),
            )
            .group_by(a.c.payment_id)
            .subquery()
        )
        query = (
            sa.select(
                p.c.payment_id,
                p.c.debtor_id,
                p.c.received_on,
                p.c.amount_cents,
                sa.func.coalesce(applied.c.cents, sa.literal(0)),
            )
            .outerjoin(applied, applied.c.k == p.c.payment_id)
            .order_by(p.c.payment_id)
        )
        with self.engine.connect() as conn:
            for row in conn.execute(query):
                yield PaymentRow(
                    payment_id=row[0],
                    debtor_id=row[1],
                    received_on=row[2],
                    amount=int(row[3]),
                    allocated=int(row[4]),
                )

    def last_run_date(self) -> dt.date | None:
        r = t.runs
        query = sa.select(sa.func.max(r.c.run_date)).where(
            r.c.status == "done", r.c.dry_run.is_(False)
        )
        with self.engine.connect() as conn:
            value = conn.execute(query).scalar()
        return value if isinstance(value, dt.date) else None
