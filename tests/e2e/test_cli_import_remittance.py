"""``maatwerk import remittance``: a payer's deductions at source, booked as payments.

All rows or none: every bad row is named by file, line and field and the exit code is 2;
importing the same file again books nothing twice. Each row answers a deduction instruction the
run sent (a plan paid by deduction, proposed and accepted through the CLI): a row no instruction
was sent for rejects the file; an amount above the instruction is booked and flagged.
"""

from __future__ import annotations

import json
from pathlib import Path

from cli_helpers import SETTING_FLAGS, migrate_and_import
from click.testing import CliRunner, Result

from maatwerk.cli import cli


PORTFOLIO = """\
debtor_id,name,household,net_monthly_income,gross_annual_income,payday,debt_id,creditor_id,principal,due_date,category,street,house_number,postcode,city
D1,Person 1,single,2200.00,28000.00,25,B1,zorg,300.00,2026-02-01,premium,Voorbeeldstraat,1,1234 AB,Utrecht
"""
GOOD = """\
payer_id,debtor_id,period,amount,paid_on,reference
123456789L01,D1,2026-04,100.00,2026-04-27,loonstrook april
123456789L01,D1,2026-05,100.00,2026-05-27,
"""
BAD = """\
payer_id,debtor_id,period,amount,paid_on
123456789L01,D1,2026-13,100.00,2026-04-27
123456789L01,D9,2026-05,-5,2026-05-27
123456789L01,D1,2026-06,100.00,2026-05-01
"""


def _instructed(runner: CliRunner, db_url: str, tmp_path: Path) -> None:
    """D1 accepts 3 x EUR 100.00 by deduction at payer 123456789L01; the run instructs April
    (the policy's step) and May (on its first day)."""
    migrate_and_import(runner, db_url, tmp_path / "portfolio.csv", PORTFOLIO)
    db = ["--db", db_url]
    for args in (
        ["arrangement", "propose", "D1", "--creditor", "zorg", "--capacity", "100",
         "--method", "deduction", "--payer-id", "123456789L01", "--payer-name", "Bakkerij",
         "--date", "2026-04-01", "--by", "anna"],
        ["arrangement", "accept", "D1", "--date", "2026-04-02", "--by", "anna"],
        ["run", "--date", "2026-04-02", "--out", str(tmp_path / "out"), *SETTING_FLAGS],
        ["run", "--date", "2026-05-01", "--out", str(tmp_path / "out"), *SETTING_FLAGS],
    ):  # fmt: skip
        result = runner.invoke(cli, [*args, *db])
        assert result.exit_code == 0, (args, result.output)
    sent = sorted(p.parent.name for p in (tmp_path / "out" / "source-deduction").rglob("*.json"))
    assert sent == ["2026-04", "2026-05"]


def _import(runner: CliRunner, db_url: str, path: Path, text: str, *extra: str) -> Result:
    path.write_text(text, encoding="utf-8")
    return runner.invoke(cli, ["import", "remittance", str(path), "--db", db_url, "--json", *extra])


class TestImportRemittance:
    def test_rows_become_payments_once(
        self, runner: CliRunner, db_url: str, tmp_path: Path
    ) -> None:
        _instructed(runner, db_url, tmp_path)
        first = _import(runner, db_url, tmp_path / "remit.csv", GOOD)
        assert first.exit_code == 0, first.output
        assert json.loads(first.stdout)["inserted"] == 2
        again = _import(runner, db_url, tmp_path / "remit.csv", GOOD)
        assert again.exit_code == 0, again.output
        summary = json.loads(again.stdout)
        assert (summary["inserted"], summary["updated"]) == (0, 0)

    def test_bad_rows_are_named_and_nothing_is_imported(
        self, runner: CliRunner, db_url: str, tmp_path: Path
    ) -> None:
        _instructed(runner, db_url, tmp_path)
        path = tmp_path / "remit.csv"
        path.write_text(BAD, encoding="utf-8")
        result = runner.invoke(cli, ["import", "remittance", str(path), "--db", db_url])
        assert result.exit_code == 2
        errors = result.stderr.strip().splitlines()
        assert any("remit.csv" in e and "line 2" in e and "period" in e for e in errors), errors
        assert any("line 3" in e and "amount" in e for e in errors), errors
        assert any("line 4" in e and "paid_on" in e for e in errors), errors
        assert "nothing was imported" in errors[-1]
        good = _import(runner, db_url, tmp_path / "good.csv", GOOD)  # still nothing booked
        assert json.loads(good.stdout)["inserted"] == 2

    def test_an_unknown_debtor_is_refused(
        self, runner: CliRunner, db_url: str, tmp_path: Path
    ) -> None:
        migrate_and_import(runner, db_url, tmp_path / "portfolio.csv", PORTFOLIO)
        text = "payer_id,debtor_id,period,amount,paid_on\nUWV,D9,2026-05,10.00,2026-05-27\n"
        result = _import(runner, db_url, tmp_path / "remit.csv", text)
        assert result.exit_code == 2
        (error,) = json.loads(result.stdout)["errors"]
        assert (error["line"], error["field"]) == (2, "debtor_id")

    def test_a_missing_column_is_one_line(
        self, runner: CliRunner, db_url: str, tmp_path: Path
    ) -> None:
        migrate_and_import(runner, db_url, tmp_path / "portfolio.csv", PORTFOLIO)
        path = tmp_path / "remit.csv"
        path.write_text("payer_id,debtor_id,amount,paid_on\nUWV,D1,10.00,2026-05-27\n", "utf-8")
        result = runner.invoke(cli, ["import", "remittance", str(path), "--db", db_url])
        assert result.exit_code == 2
        assert "'period'" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1

    def test_a_row_no_instruction_was_sent_for_rejects_the_file(
        self, runner: CliRunner, db_url: str, tmp_path: Path
    ) -> None:
        _instructed(runner, db_url, tmp_path)
        text = (
            "payer_id,debtor_id,period,amount,paid_on\n"
            "123456789L01,D1,2026-04,100.00,2026-04-27\n"
            "123456789L01,D1,2026-07,100.00,2026-07-27\n"  # no instruction for July
            "UWV,D1,2026-05,100.00,2026-05-27\n"  # UWV was never instructed for D1
        )
        result = _import(runner, db_url, tmp_path / "remit.csv", text)
        assert result.exit_code == 2
        errors = [(e["line"], e["field"]) for e in json.loads(result.stdout)["errors"]]
        assert errors == [(3, "period"), (4, "payer_id")]
        plain = runner.invoke(
            cli, ["import", "remittance", str(tmp_path / "remit.csv"), "--db", db_url]
        )
        assert "remit.csv, line 3, field 'period'" in plain.stderr
        assert "no deduction instruction was sent" in plain.stderr
        # nothing was booked: the April row alone imports as new
        good = _import(runner, db_url, tmp_path / "good.csv", GOOD.splitlines()[0] + "\n"
                       + GOOD.splitlines()[1] + "\n")  # fmt: skip
        assert json.loads(good.stdout)["inserted"] == 1

    def test_an_amount_above_the_instruction_is_booked_and_flagged(
        self, runner: CliRunner, db_url: str, tmp_path: Path
    ) -> None:
        _instructed(runner, db_url, tmp_path)
        text = (
            "payer_id,debtor_id,period,amount,paid_on\n"
            "123456789L01,D1,2026-04,100.00,2026-04-27\n"
            "123456789L01,D1,2026-05,150.00,2026-05-27\n"
        )
        result = _import(runner, db_url, tmp_path / "remit.csv", text, "--date", "2026-05-28")
        assert result.exit_code == 0, result.output
        summary = json.loads(result.stdout)
        assert summary["inserted"] == 2
        (flag,) = summary["flagged"]
        assert (flag["line"], flag["field"], flag["period"]) == (3, "amount", "2026-05")
        assert (flag["instructed"], flag["remitted"]) == ("100.00", "150.00")
        again = _import(runner, db_url, tmp_path / "remit.csv", text, "--date", "2026-05-29")
        assert again.exit_code == 0, again.output
        history = runner.invoke(
            cli, ["explain", "D1", "--date", "2026-05-31", "--db", db_url, "--json"]
        )
        kinds = [h["kind"] for h in json.loads(history.stdout)["history"]]
        assert kinds.count("remittance-flagged") == 1
