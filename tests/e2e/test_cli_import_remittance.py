"""``maatwerk import remittance``: a payer's deductions at source, booked as payments.

All rows or none: every bad row is named by file, line and field and the exit code is 2;
importing the same file again books nothing twice.
"""

from __future__ import annotations

import json
from pathlib import Path

from cli_helpers import migrate_and_import
from click.testing import CliRunner, Result

from maatwerk.cli import cli


PORTFOLIO = """\
debtor_id,name,household,net_monthly_income,payday,debt_id,creditor_id,principal,due_date,category
D1,Person 1,single,2200.00,25,B1,zorg,300.00,2026-02-01,premium
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


def _import(runner: CliRunner, db_url: str, path: Path, text: str) -> Result:
    path.write_text(text, encoding="utf-8")
    return runner.invoke(cli, ["import", "remittance", str(path), "--db", db_url, "--json"])


class TestImportRemittance:
    def test_rows_become_payments_once(
        self, runner: CliRunner, db_url: str, tmp_path: Path
    ) -> None:
        migrate_and_import(runner, db_url, tmp_path / "portfolio.csv", PORTFOLIO)
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
        migrate_and_import(runner, db_url, tmp_path / "portfolio.csv", PORTFOLIO)
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
