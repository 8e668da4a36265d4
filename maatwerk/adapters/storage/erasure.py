"""Erasing one person's personal data after retention (:class:`maatwerk.services.privacy_erase.
ErasureStore`): the facts that decide whether it may, and the anonymisation in one transaction.

What is replaced and what stays is described in :mod:`maatwerk.services.privacy_erase`. The
erasure appends one ``audit.personal-data-erased`` event through the hash chain; nothing logs.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

import sqlalchemy as sa

from maatwerk.adapters.storage import schema as t
from maatwerk.adapters.storage.audit_chain import insert_events
from maatwerk.adapters.storage.base import SqlBase
from maatwerk.core.debts import DebtStatus
from maatwerk.core.retention import ErasureFacts


__all__ = ["ERASED", "SqlErasure"]

#: What stands in for a name, an IBAN or a text that was erased.
ERASED: Final = "[erased]"
_HANDOVER: Final = "bailiff-handover"
_NOT_SENT: Final = ("failed", "refused", "rejected")


def _latest(*days: dt.date | None) -> dt.date | None:
    known = [d for d in days if d is not None]
    return max(known) if known else None


class SqlErasure(SqlBase):
    """Erasure on the SQL store."""

    def erasure_facts(self, debtor_id: str) -> ErasureFacts | None:
        d, p, o = t.debts, t.payments, t.outbox
        with self.engine.connect() as conn:
            known = conn.execute(
                sa.select(t.debtors.c.debtor_id).where(t.debtors.c.debtor_id == debtor_id)
            ).first()
            if known is None:
                return None
            debts = conn.execute(
                sa.select(d.c.debt_id, d.c.creditor_id, d.c.status, d.c.due_date, d.c.closed_on)
                .where(d.c.debtor_id == debtor_id)
                .order_by(d.c.debt_id)
            ).all()
            paid = conn.execute(
                sa.select(sa.func.max(p.c.received_on)).where(p.c.debtor_id == debtor_id)
            ).scalar_one()
            handed_over = set(
                conn.execute(
                    sa.select(o.c.creditor_id)
                    .where(o.c.debtor_id == debtor_id)
                    .where(o.c.action == _HANDOVER)
                    .where(o.c.status.not_in(_NOT_SENT))
                ).scalars()
            )
        open_debts = [r for r in debts if r.status == DebtStatus.OPEN.value]
        return ErasureFacts(
            open_debts=tuple(str(r.debt_id) for r in open_debts),
            bailiff_handovers=tuple(
                str(r.debt_id) for r in open_debts if r.creditor_id in handed_over
            ),
            last_booking=_latest(paid, *(r.due_date for r in debts), *(r.closed_on for r in debts)),
        )

    def anonymise(self, debtor_id: str, *, erased_on: dt.date, by: str) -> dict[str, int]:
        blanks: dict[str, tuple[sa.Table, dict[str, Any]]] = {
            "debtors": (
                t.debtors,
                {
                    "name": ERASED,
                    "iban": None,
                    "email": None,
                    "phone": None,
                    "bsn": None,
                    "address_street": None,
                    "address_house_number": None,
                    "address_postcode": None,
                    "address_city": None,
                    "address_extra": None,
                    "address_country": None,
                    "row_hash": ERASED,  # a re-import of the old row is an update, seen as such
                },
            ),
            "mandates": (t.mandates, {"iban": ERASED, "row_hash": ERASED}),
            "payments": (t.payments, {"reference": "", "row_hash": ERASED}),
            "holds": (t.holds, {"note": "", "row_hash": ERASED}),
            "consents": (t.consents, {"source": "", "row_hash": ERASED}),
            "outbox": (t.outbox, {"payload": {"erased_on": erased_on.isoformat()}}),
        }
        changed: dict[str, int] = {}
        with self.engine.begin() as conn:
            for name, (table, values) in blanks.items():
                changed[name] = conn.execute(
                    table.update().where(table.c.debtor_id == debtor_id).values(values)
                ).rowcount
            insert_events(
                conn,
                [
                    {
                        "kind": "audit.personal-data-erased",
                        "debtor_id": debtor_id,
                        "debt_id": None,
                        "occurred_on": erased_on,
                        "actor": by,
                        "idempotency_key": None,
                        "payload": {"tables": dict(sorted(changed.items()))},
                    }
                ],
            )
        return changed
