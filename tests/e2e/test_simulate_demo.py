"""``maatwerk simulate`` and ``maatwerk demo`` run end to end, deterministically, with valid outputs."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import sqlalchemy as sa
from click.testing import CliRunner

from maatwerk.adapters.jsonschema_check import check
from maatwerk.adapters.report import load_schema
from maatwerk.cli import cli


class TestSimulate:
    """Two policies side by side; the same seed gives the same JSON; the report is written."""

    def test_json_deterministic_and_valid(self, runner: CliRunner, tmp_path: Path) -> None:
        args = ["simulate", "--debtors", "60", "--days", "40", "--seed", "5", "--json"]
        first = runner.invoke(cli, [*args, "--out", str(tmp_path / "a")], catch_exceptions=False)
        second = runner.invoke(cli, [*args, "--out", str(tmp_path / "b")], catch_exceptions=False)
        assert first.exit_code == 0, first.output
        a, b = json.loads(first.output), json.loads(second.output)
        a.pop("report")
        b.pop("report")
        assert a == b
        assert [p["policy"] for p in a["policies"]] == ["humane", "classic"]
        assert check(a, load_schema()) == []
        assert (tmp_path / "a" / "report.html").read_bytes() == (
            tmp_path / "b" / "report.html"
        ).read_bytes()
        stored = json.loads((tmp_path / "a" / "figures.json").read_text(encoding="utf-8"))
        assert check(stored, load_schema()) == []

    def test_unknown_policy(self, runner: CliRunner) -> None:
        result = runner.invoke(cli, ["simulate", "--policy", "nope", "--debtors", "5"])
        assert result.exit_code == 2
        assert "nope" in result.output


class TestDemo:
    """The demo imports the portfolio into SQLite and writes the report, figures and actions."""

    def test_small_demo(self, runner: CliRunner, tmp_path: Path) -> None:
        out = tmp_path / "demo"
        result = runner.invoke(
            cli,
            ["demo", "--debtors", "40", "--days", "35", "--seed", "2", "--out", str(out), "--json"],
            catch_exceptions=False,
        )
        assert result.exit_code == 0, result.output
        summary = json.loads(result.output)
        assert summary["imported"]["debtors"] == 40
        assert summary["below_bvv"] == 0
        assert summary["daily_run_through_channels"] is False
        engine = sa.create_engine(f"sqlite:///{out / 'maatwerk.db'}")
        with engine.connect() as conn:
            assert conn.execute(sa.text("select count(*) from debtors")).scalar_one() == 40
        engine.dispose()
        figures = json.loads((out / "figures.json").read_text(encoding="utf-8"))
        assert check(figures, load_schema()) == []
        with (out / "actions.csv").open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        assert len(rows) == summary["actions"]
        assert (out / "report.html").stat().st_size > 10_000
