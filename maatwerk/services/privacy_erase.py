"""Erasure of a person's personal data after retention (AVG/GDPR art. 17): ``maatwerk privacy
erase DEBTOR``.

Refused, with every reason, while a legal retention applies (:mod:`maatwerk.core.retention`: an
open debt, an open bailiff dossier, the fiscal retention period). Otherwise the store anonymises
the person in one transaction: the name becomes ``[erased]``; IBAN, e-mail, phone, BSN and postal
address are emptied; the IBAN of each mandate, the references of payments, the notes of holds,
the sources of consents and the payload of every outbox item about the person (the letters and
files as sent) are replaced. Ids, amounts and dates stay: the bookkeeping and the funnel figures
still add up. One audit event records the erasure (who, when), so ``maatwerk audit verify`` stays
intact: the hash-chained event log itself is not rewritten (its events carry ids and codes).
Files already delivered (letters, dossiers in the output directories) are outside the database.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

import attrs

from maatwerk.core.retention import ErasureFacts, RetentionParams, erasure_refusals
from maatwerk.core.tables import DatedTable


__all__ = [
    "Erased",
    "ErasureStore",
    "RetentionAppliesError",
    "UnknownDebtorError",
    "privacy_erase",
]


class RetentionAppliesError(Exception):
    """The data may not be erased yet; ``reasons`` says why (no personal data)."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


@attrs.frozen
class Erased:
    """What the erasure changed: rows per table."""

    debtor_id: str
    rows: dict[str, int]


class ErasureStore(Protocol):
    """What the erasure reads and writes."""

    def erasure_facts(self, debtor_id: str) -> ErasureFacts | None:
        """``None`` when no such debtor is stored."""

    def anonymise(self, debtor_id: str, *, erased_on: dt.date, by: str) -> dict[str, int]:
        """Anonymise the person in one transaction; rows changed per table."""


class UnknownDebtorError(LookupError):
    """No debtor with this id is stored."""


def privacy_erase(
    store: ErasureStore,
    debtor_id: str,
    *,
    today: dt.date,
    retention: DatedTable[RetentionParams],
    by: str,
) -> Erased:
    """Anonymise ``debtor_id`` or raise :class:`RetentionAppliesError` with every reason."""
    facts = store.erasure_facts(debtor_id)
    if facts is None:
        raise UnknownDebtorError(debtor_id)
    reasons = erasure_refusals(facts, today, retention.at(today).value)
    if reasons:
        raise RetentionAppliesError(reasons)
    return Erased(debtor_id, store.anonymise(debtor_id, erased_on=today, by=by))
