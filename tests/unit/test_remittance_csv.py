"""Reading a payer's remittance CSV: payments with stable ids; errors by line and field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from maatwerk.adapters.csv_import import read_remittance_file, remittance_payment_id
from maatwerk.core.debts import Payment
from maatwerk.core.money import eur


def test_a_row_is_one_payment_per_payer_debtor_and_month(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(
        "payer_id;debtor_id;period;amount;paid_on;debt_id\nUWV;D1;2026-05;87,50;2026-05-27;B1\n",
        encoding="utf-8",
    )
    parsed = read_remittance_file(path)
    assert parsed.errors == ()
    ((payment,),) = [row.records for row in parsed.rows]
    assert payment == Payment(
        payment_id="remit:UWV:D1:2026-05",
        debtor_id="D1",
        received_on=dt.date(2026, 5, 27),
        amount=eur("87.50"),
        designated_debt_id="B1",
        reference="inhouding UWV 2026-05",
    )


def test_errors_name_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(
        "payer_id,debtor_id,period,amount,paid_on\n,D1,may,0,2026-02-30\n", encoding="utf-8"
    )
    parsed = read_remittance_file(path)
    assert parsed.rows == ()
    assert {(e.location.line, e.location.field) for e in parsed.errors} == {
        (2, "payer_id"),
        (2, "period"),
        (2, "amount"),
        (2, "paid_on"),
    }


def test_a_long_id_is_hashed_within_the_column() -> None:
    ident = remittance_payment_id("P" * 60, "D" * 60, "2026-05")
    assert ident.startswith("remit:")
    assert len(ident) <= 64
    assert ident == remittance_payment_id("P" * 60, "D" * 60, "2026-05")
