"""``maatwerk calc deadline`` on the Atw calendar, through click's CliRunner."""

from __future__ import annotations

import json

import pytest
from cli_helpers import calc, calc_refusal
from click.testing import CliRunner


def run(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    return calc(runner, "deadline", *args)


class TestCalcDeadline:
    """The command prints the Atw last day; bad input exits 2 with one line naming the option."""

    def test_json_14_day_letter(self, runner: CliRunner) -> None:
        code, out, _ = run(runner, "--received", "2026-04-30", "--days", "14", "--json")
        assert code == 0
        payload = json.loads(out)
        assert payload["last_day"] == "2026-05-18"
        assert payload["nominal_end"] == "2026-05-14"
        assert payload["atw_applied"] is True
        assert payload["provisional"] is True
        assert "atw_bridge_days@2026-01-01 (provisional)" in payload["tables"]
        assert any("Atw art. 1" in line for line in payload["explanation"])

    def test_plain_day_and_art_4(self, runner: CliRunner) -> None:
        code, out, _ = run(runner, "--received", "2026-03-03", "--days", "14", "--json")
        assert (code, json.loads(out)["last_day"]) == (0, "2026-03-17")
        # 91 days: no Atw (art. 4); 14 Feb 2026 + 91 = Saturday 16 May stays.
        code, out, _ = run(runner, "--received", "2026-02-14", "--days", "91", "--json")
        payload = json.loads(out)
        assert (code, payload["last_day"], payload["atw_applied"]) == (0, "2026-05-16", False)

    def test_text_output(self, runner: CliRunner) -> None:
        code, out, _ = run(runner, "--received", "2026-04-30", "--days", "14")
        assert code == 0
        assert out.splitlines()[0] == "Last day: 2026-05-18"

    @pytest.mark.parametrize(
        ("args", "option"),
        [
            (["--received", "2026-02-30", "--days", "14"], "--received"),
            (["--received", "yesterday", "--days", "14"], "--received"),
            (["--received", "2026-04-30", "--days", "0"], "--days"),
            (["--received", "2026-04-30", "--days", "-3"], "--days"),
            (["--received", "2026-04-30", "--days", "two"], "--days"),
            (["--days", "14"], "--received"),
            (["--received", "2031-01-05", "--days", "14"], "--received"),
        ],
    )
    def test_bad_input(self, runner: CliRunner, args: list[str], option: str) -> None:
        assert option in calc_refusal(runner, "deadline", *args, "--json")
