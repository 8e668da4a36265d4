"""``maatwerk run --settings FILE``: channel settings from a TOML file, ``--setting`` overrides."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import SETTING_FLAGS, migrate_and_import
from click.testing import CliRunner

from maatwerk.cli import cli


START = dt.date(2026, 3, 2)
REMINDER_DAY = (START + dt.timedelta(days=10)).isoformat()  # a payment reminder for every case
SETTINGS_TOML = """\
# channel settings for the daily run
[channels]
creditor_name = "Zorg NL"
creditor_phone = "0800-1234"
creditor_iban = "NL91ABNA0417164300"
creditor_id = "NL32ZZZ999999991234"
"""
PORTFOLIO = (
    "debtor_id,name,household,net_monthly_income,payday,phone,debt_id,creditor_id,"
    "principal,due_date,category,periodic,street,house_number,postcode,city\n"
    "D000,Person 0,single,1200.00,25,0600000000,B000-0,zorg,100.00,2026-03-02,premium,yes,Voorbeeldstraat,1,1234 AB,Utrecht\n"
    "D001,Person 1,single,1210.00,25,0600000001,B001-0,zorg,101.00,2026-03-03,premium,yes,Voorbeeldstraat,1,1234 AB,Utrecht\n"
)


def _settings_file(tmp_path: Path, text: str = SETTINGS_TOML) -> Path:
    path = tmp_path / "maatwerk-settings.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _run(runner: CliRunner, db_url: str, out: Path, *args: str, **env: str) -> Any:
    """Migrate and import into ``db_url``, run the reminder day; the summary and the letters."""
    db = ["--db", db_url]
    migrate_and_import(runner, db_url, out.parent / f"{out.name}-portfolio.csv", PORTFOLIO)
    result = runner.invoke(
        cli, ["run", "--date", REMINDER_DAY, *db, "--out", str(out), *args, "--json"], env=env
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    summary.pop("duration_seconds")
    letters = {
        p.relative_to(out).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(out.rglob("*.txt"))
    }
    return summary, letters


def _error_line(runner: CliRunner, tmp_path: Path, *args: str, **env: str) -> str:
    """Run with ``args``: it must stop with exit 2 and one line on stderr, which is returned."""
    db = ["--db", f"sqlite:///{tmp_path / 'never-opened.db'}"]
    result = runner.invoke(
        cli, ["run", "--date", REMINDER_DAY, *db, "--out", str(tmp_path / "out"), *args], env=env
    )
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert not (tmp_path / "out").exists()
    return line


@pytest.mark.slow
class TestSettingsFileDelivers:
    @pytest.mark.parametrize("how", ["option", "env"])
    def test_file_alone_delivers_like_the_flags(
        self, runner: CliRunner, db_url: str, tmp_path: Path, how: str
    ) -> None:
        path = _settings_file(tmp_path)
        expected = _run(
            runner, f"sqlite:///{tmp_path / 'flags.db'}", tmp_path / "flags", *SETTING_FLAGS
        )
        if how == "option":
            got = _run(runner, db_url, tmp_path / "file", "--settings", str(path))
        else:
            got = _run(runner, db_url, tmp_path / "file", MAATWERK_SETTINGS=str(path))
        summary, letters = got
        assert summary["dispatched"] == {"done": 2}
        assert len(letters) == 2
        assert all("Bel ons op 0800-1234" in text for text in letters.values())
        assert got == expected

    def test_a_flag_overrides_the_file(
        self, runner: CliRunner, db_url: str, tmp_path: Path
    ) -> None:
        path = _settings_file(tmp_path)
        args = ["--settings", str(path), "--setting", "creditor_phone=0800-9999"]
        summary, letters = _run(runner, db_url, tmp_path / "out", *args)
        assert summary["dispatched"] == {"done": 2}
        assert letters
        for text in letters.values():
            assert "Bel ons op 0800-9999" in text
            assert "0800-1234" not in text
            assert "Zorg NL" in text  # the keys not overridden still come from the file


class TestSettingsFileErrors:
    """Every problem with the file stops the run with exit 2 and one line naming the file."""

    def test_missing_file(self, runner: CliRunner, tmp_path: Path) -> None:
        path = tmp_path / "nowhere.toml"
        line = _error_line(runner, tmp_path, "--settings", str(path))
        assert str(path) in line
        assert "not found" in line

    def test_missing_file_from_the_environment(self, runner: CliRunner, tmp_path: Path) -> None:
        path = tmp_path / "nowhere.toml"
        line = _error_line(runner, tmp_path, MAATWERK_SETTINGS=str(path))
        assert str(path) in line
        assert "not found" in line

    def test_invalid_toml_gives_the_line(self, runner: CliRunner, tmp_path: Path) -> None:
        path = _settings_file(tmp_path, '[channels]\ncreditor_name = "Zorg NL"\ncreditor_phone =\n')
        line = _error_line(runner, tmp_path, "--settings", str(path))
        assert str(path) in line
        assert "not valid TOML" in line
        assert "line 3" in line

    @pytest.mark.parametrize(
        ("value", "kind"),
        [("91", "a number"), ("true", "true/false"), ("{ a = 'b' }", "a table")],
    )
    def test_a_value_that_is_not_a_string(
        self, runner: CliRunner, tmp_path: Path, value: str, kind: str
    ) -> None:
        text = SETTINGS_TOML.replace('"NL91ABNA0417164300"', value)
        path = _settings_file(tmp_path, text)
        line = _error_line(runner, tmp_path, "--settings", str(path))
        assert str(path) in line
        assert "line 5" in line
        assert "'channels.creditor_iban'" in line
        assert f'must be a string in quotes, e.g. creditor_iban = "...", not {kind}' in line

    def test_an_empty_value(self, runner: CliRunner, tmp_path: Path) -> None:
        path = _settings_file(tmp_path, SETTINGS_TOML.replace('"Zorg NL"', '"  "'))
        line = _error_line(runner, tmp_path, "--settings", str(path))
        assert str(path) in line
        assert "'channels.creditor_name'" in line
        assert "must not be empty" in line

    @pytest.mark.parametrize(
        ("text", "name", "number"),
        [
            (SETTINGS_TOML.replace("[channels]", "[channel]"), "channel", 2),
            ('creditor_name = "Zorg NL"\n' + SETTINGS_TOML, "creditor_name", 1),
            (SETTINGS_TOML + "\n[letters]\nfooter = 'x'\n", "letters", 8),
        ],
    )
    def test_an_unknown_table_or_key(
        self, runner: CliRunner, tmp_path: Path, text: str, name: str, number: int
    ) -> None:
        path = _settings_file(tmp_path, text)
        line = _error_line(runner, tmp_path, "--settings", str(path))
        assert str(path) in line
        assert f"line {number}" in line
        assert f"unknown table or key {name!r}" in line
        assert "[channels]" in line

    def test_missing_setting_names_the_key_and_both_ways(
        self, runner: CliRunner, tmp_path: Path
    ) -> None:
        text = "\n".join(x for x in SETTINGS_TOML.splitlines() if not x.startswith("creditor_id"))
        path = _settings_file(tmp_path, text)
        line = _error_line(runner, tmp_path, "--settings", str(path))
        assert "creditor_id" in line
        assert "--setting KEY=VALUE" in line
        assert "--settings file" in line


class TestMissingSettingsAreAllNamed:
    def test_every_missing_key_is_named_with_the_file(
        self, runner: CliRunner, tmp_path: Path
    ) -> None:
        path = _settings_file(tmp_path, '[channels]\ncreditor_name = "Zorg NL"\n')
        line = _error_line(runner, tmp_path, "--settings", str(path))
        assert line.startswith(f"Error: {path}: channel settings incomplete: ")
        for key in ("creditor_phone", "creditor_iban", "creditor_id"):
            assert f"setting {key!r} is missing" in line
        assert "more)" not in line
        assert "--setting'" not in line
