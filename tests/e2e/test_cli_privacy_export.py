"""``maatwerk privacy export``: an unknown debtor exits 2 with one line; ``--out`` writes a
file only the owner can read (0600), valid against the shipped schema, holding the address,
the debts, the letters sent, and nothing of another debtor; no personal data on the console."""

from __future__ import annotations

import datetime as dt
import json
import stat
from pathlib import Path

from cli_helpers import SETTING_FLAGS, migrate_and_import
from click.testing import CliRunner

from maatwerk.adapters.channels._documents import validate
from maatwerk.cli import cli


START = dt.date(2026, 3, 2)
PORTFOLIO = """debtor_id,name,household,net_monthly_income,payday,phone,debt_id,creditor_id,principal,due_date,category,street,house_number,postcode,city
D1,Anna de Vries,single,1500.00,25,0612345671,B1,zorg,300.00,2026-03-02,invoice,Lindelaan,7,3511ab,Utrecht
D2,Bart Jansen,single,1600.00,25,0612345672,B2,zorg,400.00,2026-03-02,invoice,Kerkweg,99,9999 ZZ,Zwolle
"""


def test_unknown_debtor_exits_2_with_one_line(
    runner: CliRunner, sqlite_url: str, tmp_path: Path
) -> None:
    migrate_and_import(runner, sqlite_url, tmp_path / "p.csv", PORTFOLIO)
    out = tmp_path / "x.json"
    result = runner.invoke(
        cli, ["privacy", "export", "NOPE", "--db", sqlite_url, "--out", str(out)]
    )
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == ["Error: no such debtor"]
    assert not out.exists()


def test_out_file_is_private_schema_valid_and_about_one_debtor(
    runner: CliRunner, sqlite_url: str, tmp_path: Path
) -> None:
    db = ["--db", sqlite_url]
    migrate_and_import(runner, sqlite_url, tmp_path / "p.csv", PORTFOLIO)
    for offset in range(12):
        day = (START + dt.timedelta(days=offset)).isoformat()
        result = runner.invoke(
            cli, ["run", "--date", day, *db, "--out", str(tmp_path / "out"), *SETTING_FLAGS]
        )
        assert result.exit_code == 0, result.output
    target = tmp_path / "anna.json"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o644)  # an existing file is made private too
    result = runner.invoke(cli, ["privacy", "export", "D1", *db, "--out", str(target)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert "Anna" not in result.output
    assert "Lindelaan" not in result.output
    document = json.loads(target.read_text(encoding="utf-8"))
    assert validate(document, "privacy-export.v1.json") == []
    assert document["debtor"]["address"]["postcode"] == "3511 AB"
    assert [d["debt_id"] for d in document["debts"]] == ["B1"]
    assert any(o["channel"] == "letters" and o["status"] == "done" for o in document["outbox"])
    assert "Bart" not in json.dumps(document)

    printed = runner.invoke(cli, ["privacy", "export", "D1", *db])
    assert printed.exit_code == 0
    assert json.loads(printed.stdout)["debtor"]["name"] == "Anna de Vries"
