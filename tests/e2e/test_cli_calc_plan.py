"""``maatwerk calc plan`` proposes a schedule within capacity, or the problematic-debt outcome."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from cli_helpers import calc, calc_json, calc_refusal
from click.testing import CliRunner


BASE = [
    "--household",
    "single",
    "--date",
    "2026-03-10",
    "--payday",
    "25",
    "--gross-annual-income",
    "36000",
]


def run(runner: CliRunner, *args: str) -> dict[str, Any]:
    return calc_json(runner, "plan", *args)


class TestCalcPlan:
    """The stable CLI contract of ``calc plan``."""

    def test_plan(self, runner: CliRunner) -> None:
        payload = run(runner, "--debt", "1000", "--net-income", "2400", *BASE)
        assert payload["outcome"] == "plan"
        assert payload["bvv"] == "1686.03"
        assert payload["capacity"] == "713.97"
        amounts = [Decimal(i["amount"]) for i in payload["instalments"]]
        assert sum(amounts) == Decimal("1000.00")
        assert max(amounts) <= Decimal(payload["capacity"])
        first = dt.date.fromisoformat(payload["instalments"][0]["due_date"])
        assert first == dt.date(2026, 3, 26)
        # 2026-04-26 is a Sunday: the direct debit moves to Monday
        assert payload["instalments"][1]["due_date"] == "2026-04-27"

    def test_other_arrangements_lower_capacity(self, runner: CliRunner) -> None:
        payload = run(
            runner, "--debt", "1000", "--net-income", "2400", "--other-arrangements", "600", *BASE
        )
        assert payload["capacity"] == "113.97"
        assert len(payload["instalments"]) == 9

    def test_problematic_debt(self, runner: CliRunner) -> None:
        payload = run(
            runner,
            "--debt",
            "10000",
            "--net-income",
            "2400",
            "--other-arrangements",
            "600",
            "--max-months",
            "36",
            *BASE,
        )
        assert payload["outcome"] == "problematic-debt"
        assert payload["referral_recommended"] is True
        assert payload["instalments"] == []
        assert payload["months_needed"] == 88

    def test_classic_comparison_shows_the_excess(self, runner: CliRunner) -> None:
        payload = run(
            runner, "--debt", "1000", "--net-income", "2400", "--other-arrangements", "600", *BASE
        )
        assert payload["classic"]["exceeds_capacity"] is True
        assert payload["classic"]["shortfall"] == "52.70"

    def test_text_output(self, runner: CliRunner) -> None:
        code, out, _ = calc(runner, "plan", "--debt", "1000", "--net-income", "2400", *BASE)
        assert code == 0
        assert "Uitkomst: plan" in out

    def test_bad_payday(self, runner: CliRunner) -> None:
        args = ["--debt", "1000", "--net-income", "2400", "--household", "single"]
        refusal = calc_refusal(runner, "plan", *args, "--date", "2026-03-10", "--payday", "32")
        assert refusal.startswith("Error:")
