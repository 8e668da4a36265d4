"""`maatwerk calc allocate` through click's CliRunner: 6:44 order, principal first, overpayment."""

from __future__ import annotations

import json

import pytest
from cli_helpers import calc, calc_refusal
from click.testing import CliRunner


def run(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    return calc(runner, "allocate", *args)


PARTS = ["--costs", "40", "--interest", "5", "--principal", "100"]


class TestCalcAllocate:
    """The calculator applies a payment to costs, interest and principal and shows what remains."""

    def test_statutory_order(self, runner: CliRunner) -> None:
        code, out, _ = run(runner, "--payment", "50", *PARTS, "--json")
        assert code == 0
        assert json.loads(out) == {
            "costs": "40.00",
            "interest": "5.00",
            "principal": "5.00",
            "remaining": {
                "costs": "0.00",
                "interest": "0.00",
                "principal": "95.00",
                "total": "95.00",
            },
            "unapplied": "0.00",
            "order": "statutory",
        }

    def test_principal_first(self, runner: CliRunner) -> None:
        code, out, _ = run(runner, "--payment", "50", *PARTS, "--principal-first", "--json")
        assert code == 0
        payload = json.loads(out)
        assert (payload["costs"], payload["interest"], payload["principal"]) == (
            "0.00",
            "0.00",
            "50.00",
        )
        assert payload["remaining"]["costs"] == "40.00"
        assert payload["order"] == "principal-first"

    def test_overpayment_not_lost(self, runner: CliRunner) -> None:
        code, out, _ = run(runner, "--payment", "200.01", *PARTS, "--json")
        assert code == 0
        payload = json.loads(out)
        assert payload["unapplied"] == "55.01"
        assert payload["remaining"]["total"] == "0.00"

    def test_human_output(self, runner: CliRunner) -> None:
        code, out, _ = run(runner, "--payment", "200", *PARTS)
        assert code == 0
        assert "costs -> interest -> principal" in out
        assert "EUR 55.00" in out

    @pytest.mark.parametrize(
        ("args", "named"),
        [
            (["--payment", "-1", *PARTS], "--payment"),
            (["--payment", "ten", *PARTS], "--payment"),
            (["--payment", "10", "--costs", "-4"], "--costs"),
            (["--payment", "10", "--interest", "1.001"], "--interest"),
            (["--costs", "10"], "--payment"),
        ],
    )
    def test_bad_input(self, runner: CliRunner, args: list[str], named: str) -> None:
        assert named in calc_refusal(runner, "allocate", *args)
