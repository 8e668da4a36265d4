"""`maatwerk calc interest` through click's CliRunner: periods, compounding, bad input."""

from __future__ import annotations

import json

import pytest
from cli_helpers import calc, calc_refusal
from click.testing import CliRunner


def run(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    return calc(runner, "interest", *args)


class TestCalcInterest:
    """The calculator prints statutory interest and its periods as one JSON object."""

    def test_rules_worked_example(self, runner: CliRunner) -> None:
        code, out, _ = run(runner, "1000", "--from", "2026-02-01", "--to", "2026-08-01", "--json")
        assert code == 0
        payload = json.loads(out)
        assert payload["interest"] == "19.84"
        assert payload["days"] == 181
        assert sum(p["days"] for p in payload["periods"]) == 181
        assert all(p["rate"] == "4.00" for p in payload["periods"])
        assert payload["provisional"] is True  # 2026 rates are provisional in the shipped table

    def test_rate_changes_and_compounding(self, runner: CliRunner) -> None:
        code, out, _ = run(runner, "1000", "--from", "2023-03-01", "--to", "2026-03-01", "--json")
        assert code == 0
        payload = json.loads(out)
        assert payload["interest"] == "191.27"
        assert [c["on"] for c in payload["capitalised"]] == ["2024-03-01", "2025-03-01"]
        first = payload["periods"][0]
        assert first == {
            "from": "2023-03-01",
            "to": "2023-07-01",
            "days": 122,
            "base": "1000.00",
            "rate": "4.00",
            "amount": "13.37",
            "year": 1,
            "table": "statutory_interest_consumer@2023-01-01",
            "provisional": False,
        }

    def test_commercial(self, runner: CliRunner) -> None:
        args = ["1000", "--from", "2025-07-01", "--to", "2025-12-31", "--kind", "commercial"]
        code, out, _ = run(runner, *args, "--json")
        assert code == 0
        payload = json.loads(out)
        assert payload["interest"] == "50.89"  # 1000 * 10.15 % * 183/365 = 50.889
        assert payload["provisional"] is False

    def test_public_claim_below_twenty(self, runner: CliRunner) -> None:
        args = ["1000", "--from", "2026-02-01", "--to", "2026-08-01", "--kind", "public"]
        code, out, _ = run(runner, *args, "--json")
        assert code == 0
        payload = json.loads(out)
        assert payload["interest"] == "0.00"
        assert payload["waived"] is True

    def test_same_day_is_zero(self, runner: CliRunner) -> None:
        code, out, _ = run(runner, "1000", "--from", "2026-02-01", "--to", "2026-02-01", "--json")
        assert code == 0
        assert json.loads(out)["interest"] == "0.00"

    def test_human_output(self, runner: CliRunner) -> None:
        code, out, _ = run(runner, "1000", "--from", "2023-03-01", "--to", "2026-03-01")
        assert code == 0
        assert "EUR 191.27" in out
        assert "added to the base" in out

    @pytest.mark.parametrize(
        ("args", "named"),
        [
            (["-1", "--from", "2026-02-01", "--to", "2026-03-01"], "PRINCIPAL"),
            (["x", "--from", "2026-02-01", "--to", "2026-03-01"], "PRINCIPAL"),
            (["1000", "--from", "2026-02-30", "--to", "2026-03-01"], "--from"),
            (["1000", "--from", "2026-02-01", "--to", "soon"], "--to"),
            (["1000", "--from", "2026-02-01", "--to", "2026-01-31"], "--to"),
            (["1000", "--from", "2001-01-01", "--to", "2026-01-31"], "--from"),
            (["1000", "--to", "2026-01-31"], "--from"),
            (["1000", "--from", "2026-01-01", "--to", "2026-01-31", "--kind", "x"], "--kind"),
        ],
    )
    def test_bad_input(self, runner: CliRunner, args: list[str], named: str) -> None:
        assert named in calc_refusal(runner, "interest", *args)
