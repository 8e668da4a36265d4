"""Remittance rows against the instructions sent: an unknown payer, debtor or month is an error
naming the line and field; an amount above the instruction is a flag, not an error."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from maatwerk.core.debts import Payment
from maatwerk.core.money import eur
from maatwerk.core.records import ImportKind
from maatwerk.services.importing import ImportFile, ParsedRow, RemittedDeduction
from maatwerk.services.remittance import check_remittances


INSTRUCTED = {("P1", "D1", "2026-05"): Decimal("100.00"), ("P1", "D1", "2026-06"): Decimal(80)}


def _row(line: int, payer: str, debtor: str, period: str, amount: str) -> ParsedRow:
    payment = Payment(
        payment_id=f"remit:{payer}:{debtor}:{period}",
        debtor_id=debtor,
        received_on=dt.date(2026, 6, 27),
        amount=eur(amount),
    )
    return ParsedRow(
        line=line, records=(payment,), remitted=RemittedDeduction(payer_id=payer, period=period)
    )


def test_unknown_rows_are_errors_and_overpayments_flags() -> None:
    parsed = ImportFile(
        kind=ImportKind.PAYMENTS,
        file_name="r.csv",
        file_sha256="x",
        rows=(
            _row(2, "P1", "D1", "2026-05", "100.00"),  # as instructed
            _row(3, "P1", "D1", "2026-06", "80.01"),  # above: flagged
            _row(4, "P1", "D1", "2026-07", "80.00"),  # no instruction that month
            _row(5, "P2", "D1", "2026-05", "10.00"),  # payer never instructed
            _row(6, "P1", "D2", "2026-05", "10.00"),  # nor for that debtor
        ),
    )
    errors, flagged = check_remittances(parsed, INSTRUCTED, on=dt.date(2026, 6, 28))
    assert [(e.location.file, e.location.line, e.location.field) for e in errors] == [
        ("r.csv", 4, "period"),
        ("r.csv", 5, "payer_id"),
        ("r.csv", 6, "payer_id"),
    ]
    (flag,) = flagged
    assert flag.line == 3
    assert (flag.event.instructed, flag.event.remitted) == (eur("80.00"), eur("80.01"))
    assert (flag.event.payer_id, flag.event.period, flag.event.debtor_id) == (
        "P1",
        "2026-06",
        "D1",
    )
