"""``maatwerk calc limitation`` through click's CliRunner."""

from __future__ import annotations

import json

import pytest
from cli_helpers import calc, calc_refusal
from click.testing import CliRunner


def run(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    return calc(runner, "limitation", *args)


class TestCalcLimitation:
    """The command prints the last enforceable day; bad input exits 2 naming the option."""

    def test_contract_default(self, runner: CliRunner) -> None:
        code, out, _ = run(runner, "--due", "2021-03-15", "--json")
        assert code == 0
        payload = json.loads(out)
        assert payload["last_day"] == "2026-03-15"
        assert payload["start"] == "2021-03-16"
        assert payload["kind"] == "contract"
        assert payload["years"] == 5

    @pytest.mark.parametrize(
        ("kind", "last_day"),
        [
            ("contract", "2029-06-30"),
            ("periodic", "2029-06-30"),
            ("consumer-sale", "2026-06-30"),
            ("public", "2029-06-30"),
        ],
    )
    def test_kinds(self, runner: CliRunner, kind: str, last_day: str) -> None:
        code, out, _ = run(runner, "--due", "2024-06-30", "--kind", kind, "--json")
        assert (code, json.loads(out)["last_day"]) == (0, last_day)

    def test_interruptions(self, runner: CliRunner) -> None:
        code, out, _ = run(
            runner,
            "--due",
            "2020-06-01",
            "--interrupted",
            "2024-02-10",
            "--interrupted",
            "2031-01-01",
            "--json",
        )
        assert code == 0
        payload = json.loads(out)
        assert payload["original_last_day"] == "2025-06-01"
        assert payload["last_day"] == "2029-02-10"
        assert payload["interruptions_applied"] == ["2024-02-10"]
        assert payload["interruptions_ignored"] == ["2031-01-01"]

    def test_text_output(self, runner: CliRunner) -> None:
        code, out, _ = run(runner, "--due", "2024-06-30", "--kind", "consumer-sale")
        assert code == 0
        assert out.splitlines()[0] == "Last day: 2026-06-30"
        assert "7:28" in out

    @pytest.mark.parametrize(
        ("args", "option"),
        [
            (["--due", "2024-13-01"], "--due"),
            (["--due", "2024-06-30", "--kind", "loan"], "--kind"),
            (["--due", "2024-06-30", "--interrupted", "soon"], "--interrupted"),
            ([], "--due"),
        ],
    )
    def test_bad_input(self, runner: CliRunner, args: list[str], option: str) -> None:
        assert option in calc_refusal(runner, "limitation", *args, "--json")
