"""`maatwerk calc bik` through click's CliRunner: JSON keys, worked examples, bad input."""

from __future__ import annotations

import json

import pytest
from cli_helpers import calc, calc_refusal
from click.testing import CliRunner


def run(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    return calc(runner, "bik", *args)


class TestCalcBik:
    """The calculator prints the staffel costs as one JSON object with two-decimal strings."""

    @pytest.mark.parametrize(
        ("amounts", "costs", "principal"),
        [
            (["100"], "40.00", "100.00"),
            (["1000"], "150.00", "1000.00"),
            (["2500"], "375.00", "2500.00"),
            (["10000"], "875.00", "10000.00"),
            (["1000000"], "6775.00", "1000000.00"),
            (["100", "100", "100"], "45.00", "300.00"),
        ],
    )
    def test_json(self, runner: CliRunner, amounts: list[str], costs: str, principal: str) -> None:
        code, out, _ = run(runner, *amounts, "--date", "2026-03-01", "--json")
        assert code == 0
        payload = json.loads(out)
        assert payload["costs"] == costs
        assert payload["principal"] == principal
        assert payload["table"] == "bik@2012-10-01"
        assert payload["vat"] == "0.00"
        assert payload["provisional"] is False

    def test_vat(self, runner: CliRunner) -> None:
        code, out, _ = run(runner, "1000", "--vat-non-deductible", "--date", "2026-03-01", "--json")
        assert code == 0
        payload = json.loads(out)
        assert (payload["costs"], payload["vat"], payload["total"]) == ("150.00", "31.50", "181.50")

    def test_human_output(self, runner: CliRunner) -> None:
        code, out, _ = run(runner, "1000", "--date", "2026-03-01")
        assert code == 0
        assert "EUR 150.00" in out
        assert "bik@2012-10-01" in out

    def test_default_date_is_today(self, runner: CliRunner) -> None:
        code, out, _ = run(runner, "100", "--json")
        assert code == 0
        assert json.loads(out)["costs"] == "40.00"

    @pytest.mark.parametrize(
        ("args", "named"),
        [
            (["-5"], "AMOUNT"),
            (["abc"], "AMOUNT"),
            (["100", "1.234"], "AMOUNT"),
            (["100", "--date", "2026-13-01"], "--date"),
            (["100", "--date", "2011-01-01"], "--date"),
            ([], "AMOUNT"),
        ],
    )
    def test_bad_input(self, runner: CliRunner, args: list[str], named: str) -> None:
        assert named in calc_refusal(runner, "bik", *args)
