"""``maatwerk run --settings FILE`` with two creditors: each letter is signed by the case's own
creditor, with its own phone number; a creditor table's mistakes stop the run with one line."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from cli_helpers import migrate_and_import
from click.testing import CliRunner

from maatwerk.cli import cli


START = dt.date(2026, 3, 2)
REMINDER_DAY = (START + dt.timedelta(days=10)).isoformat()
SETTINGS_TOML = """\
[channels]
creditor_name = "Standaard B.V."
creditor_phone = "0000"
creditor_iban = "NL91ABNA0417164300"
creditor_id = "NL32ZZZ999999991234"

[creditors.zorg]
creditor_name = "Zorg NL"
creditor_phone = "0800-1234"

[creditors.gemeente]
creditor_name = "Gemeente Voorbeeld"
creditor_phone = "14 030"
creditor_iban = "NL20INGB0001234567"
creditor_id = "NL66ZZZ301234560000"
public = true
"""
PORTFOLIO = (
    "debtor_id,name,household,net_monthly_income,payday,phone,street,house_number,postcode,city,"
    "debt_id,creditor_id,principal,due_date,category,periodic,kind\n"
    "D000,Person 0,single,1200.00,25,0600000000,Kerkstraat,1,1011 AB,Amsterdam,"
    "B000-0,zorg,100.00,2026-03-02,premium,yes,private\n"
    "D001,Person 1,single,1210.00,25,0600000001,Kerkstraat,2,1011 AB,Amsterdam,"
    "B001-0,gemeente,101.00,2026-03-03,other,no,public\n"
)


def _settings(tmp_path: Path, text: str = SETTINGS_TOML) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _error_line(runner: CliRunner, tmp_path: Path, path: Path) -> str:
    db = ["--db", f"sqlite:///{tmp_path / 'never-opened.db'}"]
    out = ["--out", str(tmp_path / "out")]
    result = runner.invoke(cli, ["run", "--date", REMINDER_DAY, *db, *out, "--settings", str(path)])
    assert result.exit_code == 2, result.output
    (line,) = result.stderr.strip().splitlines()
    assert not (tmp_path / "out").exists()
    return line


class TestTwoCreditors:
    def test_each_letter_carries_its_creditor(
        self, runner: CliRunner, db_url: str, tmp_path: Path
    ) -> None:
        migrate_and_import(runner, db_url, tmp_path / "portfolio.csv", PORTFOLIO)
        out = tmp_path / "out"
        args = ["--db", db_url, "--out", str(out), "--settings", str(_settings(tmp_path))]
        result = runner.invoke(cli, ["run", "--date", REMINDER_DAY, *args, "--json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["dispatched"] == {"done": 2}
        letters = [p.read_text(encoding="utf-8") for p in sorted(out.rglob("*.txt"))]
        assert len(letters) == 2
        (zorg,) = [t for t in letters if "Person 0" in t]
        (gemeente,) = [t for t in letters if "Person 1" in t]
        assert "Bel ons op 0800-1234" in zorg
        assert "Zorg NL" in zorg
        assert "Gemeente" not in zorg
        assert "Bel ons op 14 030" in gemeente
        assert "Gemeente Voorbeeld" in gemeente
        assert "Zorg NL" not in gemeente
        assert not any("Standaard B.V." in t for t in letters)


class TestCreditorTableErrors:
    def test_an_unknown_key_names_file_line_and_key(
        self, runner: CliRunner, tmp_path: Path
    ) -> None:
        path = _settings(tmp_path, SETTINGS_TOML.replace("public = true", "publiek = true"))
        line = _error_line(runner, tmp_path, path)
        assert str(path) in line
        assert "line 16" in line
        assert "creditors.gemeente.publiek" in line
        assert "unknown key 'publiek'" in line

    def test_public_must_be_true_or_false(self, runner: CliRunner, tmp_path: Path) -> None:
        path = _settings(tmp_path, SETTINGS_TOML.replace("public = true", 'public = "ja"'))
        line = _error_line(runner, tmp_path, path)
        assert "line 16" in line
        assert "must be true or false, not a string" in line

    def test_an_unknown_policy_for_a_creditor(self, runner: CliRunner, tmp_path: Path) -> None:
        path = _settings(tmp_path, SETTINGS_TOML + 'policy = "strenger"\n')
        line = _error_line(runner, tmp_path, path)
        assert "strenger" in line

    def test_a_creditor_whose_settings_are_incomplete(
        self, runner: CliRunner, tmp_path: Path
    ) -> None:
        text = SETTINGS_TOML.replace('creditor_phone = "0000"\n', "").replace(
            'creditor_phone = "14 030"\n', ""
        )
        line = _error_line(runner, tmp_path, _settings(tmp_path, text))
        assert "creditor gemeente" in line
        assert "creditor_phone" in line
