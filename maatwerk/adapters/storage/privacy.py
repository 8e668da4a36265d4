"""What the data-subject access export reads (AVG art. 15): every stored row about one debtor.

One query per table, all keyed on the debtor (or the debtor's debts / outbox rows). Values come
back plain: dates ISO, cents as amounts with two decimals (``amount_cents`` -> ``amount``), JSON
columns as objects; internal row hashes are left out. Nothing is logged.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from maatwerk.adapters.storage import schema as t
from maatwerk.adapters.storage.base import SqlBase
from maatwerk.core.ports import SubjectRows


__all__ = ["SqlPrivacy"]

_LEFT_OUT = frozenset({"row_hash"})


def _untagged(value: Any) -> Any:
    """A stored JSON value with the ``$decimal``/``$date`` tags of
    :func:`~maatwerk.adapters.storage.mapping.encode_payload` turned into plain strings."""
    if isinstance(value, dict):
        if len(value) == 1 and ("$decimal" in value or "$date" in value):
            return str(next(iter(value.values())))
        return {str(k): _untagged(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_untagged(v) for v in value]
    return value


def _value(column: str, value: Any) -> tuple[str, Any]:
    if column.endswith("_cents"):
        name = column[: -len("_cents")]
        return name, None if value is None else f"{Decimal(int(value)) / 100:.2f}"
    if isinstance(value, (dt.date, dt.datetime)):
        return column, value.isoformat()
    if column in ("payload", "detail", "receipt"):
        return column, _untagged(json.loads(value) if isinstance(value, str) else value)
    return column, value


def _plain(row: sa.RowMapping) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column, value in row.items():
        if column in _LEFT_OUT:
            continue
        name, plain = _value(str(column), value)
        out[name] = plain
    return out


def _rows(conn: sa.Connection, query: sa.Select[Any]) -> list[dict[str, Any]]:
    return [_plain(row) for row in conn.execute(query).mappings()]


def _debtor(row: Mapping[str, Any]) -> dict[str, Any]:
    """The debtor row with the address as one object and the BSN only when stored."""
    debtor = {k: v for k, v in row.items() if not k.startswith("address_") and k != "bsn"}
    address = {k[len("address_") :]: v for k, v in row.items() if k.startswith("address_")}
    debtor["address"] = address if any(v is not None for v in address.values()) else None
    if row.get("bsn") is not None:
        debtor["bsn"] = row["bsn"]
    return debtor


class SqlPrivacy(SqlBase):
    """:class:`maatwerk.core.ports.SubjectAccess` (with ``history`` from the event log)."""

    def subject_rows(self, debtor_id: str) -> SubjectRows | None:
        with self.engine.connect() as conn:
            found = _rows(conn, sa.select(t.debtors).where(t.debtors.c.debtor_id == debtor_id))
            if not found:
                return None
            debts = _rows(
                conn,
                sa.select(t.debts)
                .where(t.debts.c.debtor_id == debtor_id)
                .order_by(t.debts.c.debt_id),
            )
            debt_ids = [str(d["debt_id"]) for d in debts]
            per_debt: dict[str, dict[str, list[dict[str, Any]]]] = {
                d: {"cost_lines": [], "interest_lines": [], "applied_payments": []}
                for d in debt_ids
            }
            for name, table, order in (
                ("cost_lines", t.cost_lines, t.cost_lines.c.id),
                ("interest_lines", t.interest_lines, t.interest_lines.c.id),
                ("applied_payments", t.applied_payments, t.applied_payments.c.payment_id),
            ):
                query = sa.select(table).where(table.c.debt_id.in_(debt_ids)).order_by(order)
                for line in _rows(conn, query) if debt_ids else []:
                    owner = str(line.pop("debt_id"))
                    line.pop("id", None)
                    per_debt[owner][name].append(line)
            for row in debts:
                row.update(per_debt[str(row["debt_id"])])

            def of_debtor(table: sa.Table, *order: Any) -> list[dict[str, Any]]:
                return _rows(
                    conn, sa.select(table).where(table.c.debtor_id == debtor_id).order_by(*order)
                )

            payments = of_debtor(t.payments, t.payments.c.received_on, t.payments.c.payment_id)
            mandates = of_debtor(t.mandates, t.mandates.c.mandate_id)
            consents = of_debtor(t.consents, t.consents.c.given_on, t.consents.c.consent_id)
            holds = of_debtor(t.holds, t.holds.c.starts_on, t.holds.c.hold_id)
            decisions = of_debtor(t.decisions, t.decisions.c.run_date, t.decisions.c.id)
            outbox = of_debtor(t.outbox, t.outbox.c.run_date, t.outbox.c.id)
            outbox_ids = [int(o["id"]) for o in outbox]
            reviews: dict[int, dict[str, Any]] = {}
            if outbox_ids:
                query = sa.select(t.reviews).where(t.reviews.c.outbox_id.in_(outbox_ids))
                for review in _rows(conn, query):
                    reviews[int(review.pop("outbox_id"))] = review
            for item in outbox:
                item["review"] = reviews.get(int(item["id"]))
        for row in (*payments, *mandates, *consents, *holds, *decisions, *outbox):
            row.pop("debtor_id", None)
        return SubjectRows(
            debtor=_debtor(found[0]),
            debts=tuple(debts),
            payments=tuple(payments),
            mandates=tuple(mandates),
            consents=tuple(consents),
            holds=tuple(holds),
            decisions=tuple(decisions),
            outbox=tuple(outbox),
        )
