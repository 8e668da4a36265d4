"""``maatwerk simulate`` runs end to end, deterministically, with valid outputs (the demo: test_demo_run.py)."""

from __future__ import annotations

import json
from pathlib import Path

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
