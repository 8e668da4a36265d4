"""The data-subject access export (AVG/GDPR art. 15): everything stored about one debtor.

One JSON document: a short static header (controller's purposes and legal bases, marked
*assumed* where they are a deployment's choice), the debtor record (with the postal address, the
BSN only where the deployment stores it), every debt with its ledger lines and applied payments,
the payments, mandates, consents and holds, every event of the debtor's history (via
:func:`~maatwerk.core.events.event_to_record`), and every decision and outbox item about the
debtor (with the payload sent: that is personal data too). Read through
:class:`~maatwerk.core.ports.SubjectAccess` only; nothing here logs.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from maatwerk.core.events import event_to_record
from maatwerk.core.ports import SubjectAccess


__all__ = ["SCHEMA_VERSION", "UnknownDebtorError", "privacy_export"]

SCHEMA_VERSION: Final = 1

#: The static header: why the data is processed and on which basis (AVG art. 15 lid 1 sub a-h,
#: short). The bases marked ``assumed`` depend on the deployment (a public creditor relies on
#: sub c/e, a private one on sub b/f); the controller must check them.
PURPOSES: Final[tuple[dict[str, str], ...]] = (
    {
        "purpose": "collection of a claim (reminders, payment arrangements, collection)",
        "legal_basis": "AVG art. 6 lid 1 sub b (contract) and sub f (legitimate interest) "
        "(assumed)",
    },
    {
        "purpose": "statutory duties around collection (protected income, Zvw, Awb, "
        "retention of records)",
        "legal_basis": "AVG art. 6 lid 1 sub c (legal obligation) (assumed)",
    },
    {
        "purpose": "referral to municipal debt help (early signal)",
        "legal_basis": "consent or the statutory signal duty of the deployment (assumed); "
        "see 'consents'",
    },
)

RIGHTS: Final = (
    "You may ask for correction (art. 16), erasure (art. 17), restriction (art. 18) and object "
    "(art. 21), and complain to the Autoriteit Persoonsgegevens (art. 77)."
)


class UnknownDebtorError(LookupError):
    """No debtor with this id is stored."""


def _history(source: SubjectAccess, debtor_id: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for recorded in source.history(debtor_id):
        record = (
            event_to_record(recorded.event)
            if recorded.event is not None
            else dict(recorded.payload)
        )
        recorded_by = recorded.recorded_by or record.get("recorded_by") or None
        record.pop("recorded_by", None)
        for repeated in ("kind", "debtor_id", "debt_id", "occurred_on"):
            record.pop(repeated, None)
        out.append(
            {
                "sequence": recorded.sequence,
                "kind": recorded.kind,
                "occurred_on": recorded.occurred_on.isoformat(),
                "debt_id": recorded.debt_id,
                "recorded_by": None if recorded_by is None else str(recorded_by),
                "fields": record,
            }
        )
    return out


def privacy_export(source: SubjectAccess, debtor_id: str, *, made_on: dt.date) -> dict[str, Any]:
    """The export document of ``debtor_id`` (:class:`UnknownDebtorError` when not stored)."""
    rows = source.subject_rows(debtor_id)
    if rows is None:
        raise UnknownDebtorError(debtor_id)
    return {
        "schema": "maatwerk/privacy-export",
        "schema_version": SCHEMA_VERSION,
        "made_on": made_on.isoformat(),
        "debtor_id": debtor_id,
        "about": {
            "article": "AVG (GDPR) art. 15: right of access",
            "purposes": [dict(p) for p in PURPOSES],
            "recipients": "the channels in 'outbox' (post, e-mail, bank, bailiff, municipality, "
            "CAK, payer) received what their payload shows",
            "retention": "as the deployment's retention policy sets (assumed; the engine "
            "deletes nothing by itself)",
            "source": "the creditor's own records and the imports it made",
            "rights": RIGHTS,
        },
        "debtor": dict(rows.debtor),
        "debts": [dict(d) for d in rows.debts],
        "payments": [dict(p) for p in rows.payments],
        "mandates": [dict(m) for m in rows.mandates],
        "consents": [dict(c) for c in rows.consents],
        "holds": [dict(h) for h in rows.holds],
        "history": _history(source, debtor_id),
        "decisions": [dict(d) for d in rows.decisions],
        "outbox": [dict(o) for o in rows.outbox],
    }
