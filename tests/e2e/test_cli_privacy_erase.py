"""``maatwerk privacy erase DEBTOR``: refused with every reason while a debt is open or the
fiscal retention period (AWR art. 52 lid 4, seven years from the end of the year of the last
booking) runs; afterwards the person's name, IBAN, e-mail, phone, BSN and address are gone from
the database (the access export shows it), amounts and ids stay, the audit log still verifies
and records the erasure."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from cli_helpers import SETTING_FLAGS
from click.testing import CliRunner

from maatwerk.cli import cli
from maatwerk.core.retention import ErasureFacts, RetentionParams, erasure_refusals


PORTFOLIO = (
    "debtor_id,name,household,net_monthly_income,payday,iban,email,phone,bsn,debt_id,"
    "creditor_id,principal,due_date,category,street,house_number,postcode,city\n"
    "D1,Anna de Vries,single,1500.00,25,NL91ABNA0417164300,anna@example.org,0612345678,"
    "111222333,B1,zorg,100.00,2026-03-02,invoice,Lindelaan,7,3511 AB,Utrecht\n"
    "D2,Bart Jansen,single,1500.00,25,,,,,B2,zorg,100.00,2026-03-02,invoice,Kerkweg,9,"
    "9999 ZZ,Zwolle\n"
)
PERSONAL = ("Anna", "NL91ABNA0417164300", "anna@example.org", "0612345678", "111222333")
PERSONAL_ADDRESS = ("Lindelaan", "3511 AB", "Utrecht")


def _ok(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(cli, list(args))
    assert result.exit_code == 0, (args, result.output)
    return result.stdout


def _setup(runner: CliRunner, tmp_path: Path) -> list[str]:
    db = ["--db", f"sqlite:///{tmp_path / 'm.db'}"]
    _ok(runner, "db", "upgrade", *db)
    portfolio = tmp_path / "p.csv"
    portfolio.write_text(PORTFOLIO, encoding="utf-8")
    _ok(runner, "import", "portfolio", str(portfolio), *db)
    payments = tmp_path / "pay.csv"
    payments.write_text(
        "payment_id,debtor_id,received_on,amount,designated_debt_id,reference\n"
        "P1,D1,2026-03-20,100.00,B1,betaling A de Vries\n",
        encoding="utf-8",
    )
    _ok(runner, "import", "payments", str(payments), *db)
    for day in ("2026-03-02", "2026-03-21"):
        _ok(runner, "run", "--date", day, *SETTING_FLAGS, "--out", str(tmp_path / "out"), *db)
    return db


def _erase(runner: CliRunner, db: list[str], debtor: str, on: str) -> tuple[int, str]:
    result = runner.invoke(cli, ["privacy", "erase", debtor, "--by", "dpo", "--date", on, *db])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.output


def test_erase_is_refused_with_its_reasons_until_retention_ends_then_anonymises(
    runner: CliRunner, tmp_path: Path
) -> None:
    db = _setup(runner, tmp_path)
    code, out = _erase(runner, db, "D2", "2026-04-01")
    assert code == 1
    assert out.strip() == (
        "Error: not erased: debt B2 is still open; the fiscal retention period runs until "
        "2033-12-31 (7 years, AWR art. 52 lid 4)"
    )
    code, out = _erase(runner, db, "D1", "2033-12-31")
    assert (code, out.strip()) == (
        1,
        (
            "Error: not erased: the fiscal retention period runs until 2033-12-31 "
            "(7 years, AWR art. 52 lid 4)"
        ),
    )
    before = json.loads(_ok(runner, "privacy", "export", "D1", *db))
    assert before["debtor"]["name"] == "Anna de Vries"

    code, out = _erase(runner, db, "D1", "2034-01-01")
    assert code == 0, out
    assert out.startswith("erased the personal data of D1 (debtors 1, payments 1, outbox ")
    export = json.loads(_ok(runner, "privacy", "export", "D1", *db))
    text = json.dumps(export, ensure_ascii=False)
    for value in (*PERSONAL, *PERSONAL_ADDRESS, "betaling A de Vries"):
        assert value not in text, value
    assert export["debtor"]["name"] == "[erased]"
    assert export["debtor"]["address"] is None
    assert [p["amount"] for p in export["payments"]] == ["100.00"]  # the bookkeeping stays
    assert export["debts"][0]["principal"] == "100.00"
    assert all(set(o["payload"]) == {"erased_on"} for o in export["outbox"])
    assert "audit.personal-data-erased" in {h["kind"] for h in export["history"]}
    other = json.loads(_ok(runner, "privacy", "export", "D2", *db))
    assert other["debtor"]["name"] == "Bart Jansen"  # nobody else is touched
    assert "event log: every chain intact\n" in _ok(runner, "audit", "verify", *db)


def test_an_unknown_debtor_is_bad_input(runner: CliRunner, tmp_path: Path) -> None:
    db = ["--db", f"sqlite:///{tmp_path / 'm.db'}"]
    _ok(runner, "db", "upgrade", *db)
    code, out = _erase(runner, db, "NOBODY", "2040-01-01")
    assert (code, out.strip()) == (2, "Error: no such debtor")


def test_an_open_bailiff_dossier_is_a_reason_of_its_own() -> None:
    facts = ErasureFacts(
        open_debts=("B1", "B2"), bailiff_handovers=("B1",), last_booking=dt.date(2020, 5, 1)
    )
    assert erasure_refusals(facts, dt.date(2030, 1, 1), RetentionParams(fiscal_years=7)) == [
        "a bailiff dossier is open (debt B1 handed over and not settled)",
        "debt B1, B2 is still open",
    ]
    done = ErasureFacts(open_debts=(), bailiff_handovers=(), last_booking=None)
    assert erasure_refusals(done, dt.date(2030, 1, 1), RetentionParams(fiscal_years=7)) == []
