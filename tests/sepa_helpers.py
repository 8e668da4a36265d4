"""Shared pieces of the SEPA tests: one ordinary direct debit to vary, and its creditor."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from maatwerk.adapters.sepa import Creditor, DirectDebit, Remittance, SequenceType
from maatwerk.core.money import eur


SEPA_CREDITOR = Creditor(
    name="Gemeente Voorbeeld", iban="NL91ABNA0417164300", creditor_id="NL32ZZZ999999991234"
)
"""A creditor whose IBAN and creditor identifier pass every EPC check."""


def direct_debit(**changes: Any) -> DirectDebit:
    """A valid recurring collection of EUR 12.50 on Wednesday 25 November 2026, with ``changes``."""
    base = DirectDebit(
        end_to_end_id="MW-2026-0001",
        mandate_id="MNDT-0001",
        mandate_date=dt.date(2025, 1, 5),
        sequence=SequenceType.RCUR,
        debtor_name="J. Jansen",
        debtor_iban="NL44RABO0123456789",
        amount=eur("12.50"),
        collection_date=dt.date(2026, 11, 25),
        creditor=SEPA_CREDITOR,
        remittance=Remittance(unstructured="Termijn 3 van 12"),
    )
    return attrs.evolve(base, **changes)
