"""The debts' ledger as the run and deliveries write it: cost and interest lines, applied payments.

A posting is written once per ``(debt, posting key)`` (the unique key of ``cost_lines`` and
``interest_lines``), so a rerun or a repeated delivery posts nothing twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from maatwerk.adapters.storage import schema as t
from maatwerk.adapters.storage.base import chunks
from maatwerk.adapters.storage.mapping import cents
from maatwerk.core.debts import CostLine, DebtStatus
from maatwerk.core.records import DebtClosure, PaymentApplication, Posting


__all__ = ["apply_payments", "close_debts", "post_lines"]


def post_lines(conn: sa.Connection, postings: Sequence[Posting]) -> None:
    """Insert cost/interest lines whose (debt, posting key) is not there yet: posted once."""
    if not postings:
        return
    debt_ids = sorted({p.debt_id for p in postings})
    existing: set[tuple[str, str]] = set()
    for table in (t.cost_lines, t.interest_lines):
        for part in chunks(debt_ids):
            existing.update(
                (str(row[0]), str(row[1]))
                for row in conn.execute(
                    sa.select(table.c.debt_id, table.c.posting_key).where(table.c.debt_id.in_(part))
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


def apply_payments(conn: sa.Connection, applications: Sequence[PaymentApplication]) -> None:
    """Insert the ``applied_payments`` rows of ``applications``."""
    rows = [
        {
            "payment_id": a.applied.payment_id,
            "debt_id": a.debt_id,
            "applied_on": a.applied.applied_on,
            "costs_cents": cents(a.applied.parts.costs),
            "interest_cents": cents(a.applied.parts.interest),
            "principal_cents": cents(a.applied.parts.principal),
            "currency": a.applied.parts.principal.currency,
        }
        for a in applications
    ]
    if rows:
        conn.execute(t.applied_payments.insert(), rows)


def close_debts(conn: sa.Connection, closures: Sequence[DebtClosure]) -> None:
    """Store each debt of ``closures`` as ``paid`` on its day, once: only a debt still stored as
    ``open`` is closed, so a rerun or a later run does not move ``closed_on``."""
    if not closures:
        return
    d = t.debts
    conn.execute(
        d.update()
        .where(d.c.debt_id == sa.bindparam("_debt"), d.c.status == DebtStatus.OPEN.value)
        .values(status=DebtStatus.PAID.value, closed_on=sa.bindparam("_on")),
        [{"_debt": c.debt_id, "_on": c.closed_on} for c in closures],
    )
