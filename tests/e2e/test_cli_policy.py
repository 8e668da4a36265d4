"""``maatwerk policy check|show|explain`` through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from maatwerk.adapters.policy_loader import resolve_policy
from maatwerk.cli import cli


EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "case.json"


class TestPolicyCheck:
    """check exits 0 for a valid file and 2 with file, line and field for a broken one."""

    def test_shipped_policy_is_valid(self, runner: CliRunner) -> None:
        result = runner.invoke(cli, ["policy", "check", str(resolve_policy("humane"))])
        assert result.exit_code == 0, result.output
        assert "OK (humane@2026.1" in result.output

    def test_typo_gives_file_line_field(self, runner: CliRunner, tmp_path: Path) -> None:
        text = resolve_policy("classic").read_text(encoding="utf-8")
        broken = tmp_path / "classic.toml"
        broken.write_text(text.replace('action = "formal-demand"', 'action = "formal-demnd"'))
        result = runner.invoke(cli, ["policy", "check", str(broken)])
        assert result.exit_code == 2
        line = text.splitlines().index('action = "formal-demand"') + 1
        assert f"{broken}, line {line}, field 'step[2].action'" in result.output
        assert "unknown action 'formal-demnd'" in result.output

    def test_json(self, runner: CliRunner) -> None:
        result = runner.invoke(cli, ["policy", "check", str(resolve_policy("zvw")), "--json"])
        assert result.exit_code == 0
        assert json.loads(result.output) == {"valid": True, "policy": "zvw@2026.2", "steps": 7}


class TestPolicyShow:
    """show prints the ladder as a table."""

    def test_table(self, runner: CliRunner) -> None:
        result = runner.invoke(cli, ["policy", "show", "humane"])
        assert result.exit_code == 0, result.output
        for word in ("courtesy", "bailiff-handover", "personal-contact", "amicable track 14"):
            assert word in result.output

    def test_unknown_name(self, runner: CliRunner) -> None:
        result = runner.invoke(cli, ["policy", "show", "harsh"])
        assert result.exit_code == 2
        assert "available: classic, humane, zvw" in result.output

    def test_json(self, runner: CliRunner) -> None:
        result = runner.invoke(cli, ["policy", "show", "classic", "--json"])
        payload = json.loads(result.output)
        assert [s["id"] for s in payload["steps"]][:2] == ["reminder", "letter"]

    def test_minimum_gap_is_shown(self, runner: CliRunner) -> None:
        result = runner.invoke(cli, ["policy", "show", "humane", "--json"])
        when = {s["id"]: s["when"] for s in json.loads(result.output)["steps"]}
        assert when["letter"] == "+35 days from default-date, at least 14 days after arrangement"
        assert when["bailiff"].endswith(", at least 14 days after call-2")


class TestPolicyExplain:
    """explain evaluates the example case and explains it in Dutch or English."""

    def test_dutch(self, runner: CliRunner) -> None:
        result = runner.invoke(
            cli, ["policy", "explain", "--case", str(EXAMPLE), "--date", "2026-03-15"]
        )
        assert result.exit_code == 0, result.output
        assert "Veertiendagenbrief ontvangen op 9 februari 2026" in result.output
        # no bailiff before the arrangement offer that was never made: it is caught up on
        assert "deurwaarder" not in result.output.splitlines()[-1]
        assert "Eerst moet een eerdere stap nog gebeuren: aanbod betalingsregeling" in result.output

    def test_json_english_zvw(self, runner: CliRunner) -> None:
        result = runner.invoke(
            cli,
            [
                "policy",
                "explain",
                "--case",
                str(EXAMPLE),
                "--date",
                "2026-03-15",
                "--policy",
                "zvw",
                "--lang",
                "en",
                "--json",
            ],
        )
        assert result.exit_code == 0, result.output
        payload = json.loads(result.output)
        assert payload["status"] == "act"
        assert payload["action"]["step_id"] == "arrangement-18a"
        assert payload["action"]["amount"] == "406.00"
        assert payload["action_id"] == "zorgverzekeraar-west/p-000123/arrangement-18a/2026-03-15"
        assert payload["explanation"][-1].startswith("Today: arrangement-18a")

    def test_bad_case_file(self, runner: CliRunner, tmp_path: Path) -> None:
        doc = json.loads(EXAMPLE.read_text(encoding="utf-8"))
        doc["debts"][1]["due_date"] = "2026-02-30"
        bad = tmp_path / "case.json"
        bad.write_text(json.dumps(doc), encoding="utf-8")
        result = runner.invoke(
            cli, ["policy", "explain", "--case", str(bad), "--date", "2026-03-15"]
        )
        assert result.exit_code == 2
        assert "field 'debts[1].due_date'" in result.output

    def test_bad_date(self, runner: CliRunner) -> None:
        result = runner.invoke(
            cli, ["policy", "explain", "--case", str(EXAMPLE), "--date", "15-03-2026"]
        )
        assert result.exit_code == 2
