"""``maatwerk demo generate`` writes the portfolio's CSV files, identical for the same seed."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from click.testing import CliRunner

from maatwerk.cli import cli
from maatwerk.demo.synthetic_csv import DEBT_COLUMNS, DEBTOR_COLUMNS, MANDATE_COLUMNS


class TestDemoGenerate:
    """The command writes every file and is deterministic for a seed."""

    def test_files_and_determinism(self, runner: CliRunner, tmp_path: Path) -> None:
        for name in ("a", "b"):
            result = runner.invoke(
                cli,
                [
                    "demo",
                    "generate",
                    "--debtors",
                    "40",
                    "--seed",
                    "9",
                    "--out",
                    str(tmp_path / name),
                ],
                catch_exceptions=False,
            )
            assert result.exit_code == 0, result.output
        for file in ("debtors.csv", "debts.csv", "mandates.csv", "behaviour.csv", "portfolio.json"):
            assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes()
        with (tmp_path / "a" / "debtors.csv").open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        assert len(rows) == 40
        assert tuple(rows[0]) == DEBTOR_COLUMNS
        with (tmp_path / "a" / "debts.csv").open(encoding="utf-8") as handle:
            assert tuple(next(csv.reader(handle))) == DEBT_COLUMNS
        with (tmp_path / "a" / "mandates.csv").open(encoding="utf-8") as handle:
            assert tuple(next(csv.reader(handle))) == MANDATE_COLUMNS

    def test_json_summary(self, runner: CliRunner, tmp_path: Path) -> None:
        result = runner.invoke(
            cli,
            ["demo", "generate", "--debtors", "5", "--out", str(tmp_path), "--json"],
            catch_exceptions=False,
        )
        assert result.exit_code == 0
        payload = json.loads(result.output)
        assert payload["debtors"] == 5
        assert payload["behaviour_table"].startswith("demo_behaviour@")

    def test_bad_count(self, runner: CliRunner, tmp_path: Path) -> None:
        result = runner.invoke(cli, ["demo", "generate", "--debtors", "0", "--out", str(tmp_path)])
        assert result.exit_code == 2
