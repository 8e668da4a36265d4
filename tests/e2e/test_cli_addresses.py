"""Postal addresses through the command line: imported, refused when wrong, printed on the
letter, and a debtor without one gets no letter but a call ("address missing")."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from cli_helpers import SETTING_FLAGS, migrate_and_import
from click.testing import CliRunner

from maatwerk.cli import cli


START = dt.date(2026, 3, 2)
PORTFOLIO = """debtor_id,name,household,net_monthly_income,payday,phone,debt_id,creditor_id,principal,due_date,category,street,house_number,postcode,city,address_extra
D1,Anna de Vries,single,1500.00,25,0612345671,B1,zorg,300.00,2026-03-02,invoice,Lindelaan,7,3511ab,Utrecht,t.a.v. bewindvoerder
D2,Bart Jansen,single,1600.00,25,0612345672,B2,zorg,300.00,2026-03-02,invoice,,,,,
"""


def _ok(runner: CliRunner, args: list[str]) -> Any:
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, (args, result.output)
    return json.loads(result.stdout)


class TestAddresses:
    def test_bad_addresses_are_refused_naming_file_line_and_field(
        self, runner: CliRunner, db_url: str, tmp_path: Path
    ) -> None:
        assert runner.invoke(cli, ["db", "upgrade", "--db", db_url]).exit_code == 0
        bad = tmp_path / "debtors.csv"
        bad.write_text(
            "debtor_id,name,household,street,house_number,postcode,city\n"
            "D1,A,single,Lindelaan,7,35110 AB,Utrecht\n"
            "D2,B,single,Lindelaan,,3511 AB,Utrecht\n",
            encoding="utf-8",
        )
        result = runner.invoke(cli, ["import", "debtors", str(bad), "--db", db_url])
        assert result.exit_code == 2
        assert "debtors.csv, line 2, field 'postcode'" in result.stderr
        assert "1234 AB" in result.stderr
        assert "debtors.csv, line 3, field 'house_number'" in result.stderr
        assert "nothing was imported" in result.stderr
        assert "35110" not in result.stderr  # the message names the format, not the address

    def test_letter_carries_the_address_and_no_address_means_a_call(
        self, runner: CliRunner, db_url: str, tmp_path: Path
    ) -> None:
        db = ["--db", db_url]
        out = tmp_path / "out"
        assert migrate_and_import(runner, db_url, tmp_path / "p.csv", PORTFOLIO)["inserted"] == 4
        for offset in range(40):
            day = (START + dt.timedelta(days=offset)).isoformat()
            _ok(runner, ["run", "--date", day, *db, "--out", str(out), *SETTING_FLAGS, "--json"])
        letters = [p.read_text(encoding="utf-8") for p in (out / "letters").rglob("*.txt")]
        assert letters
        assert all("Anna de Vries" in text for text in letters)  # no letter to Bart
        assert all("Lindelaan 7" in text for text in letters)
        assert all("t.a.v. bewindvoerder" in text for text in letters)
        assert all("3511 AB  UTRECHT" in text for text in letters)
        rows = "".join(
            p.read_text(encoding="utf-8-sig") for p in (out / "phone-worklist").rglob("*.csv")
        )
        bart = [line for line in rows.splitlines() if "Bart Jansen" in line]
        assert any("Adres ontbreekt" in line for line in bart)
        assert not any("Adres ontbreekt" in line for line in rows.splitlines() if "Anna" in line)
