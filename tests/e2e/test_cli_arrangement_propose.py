"""``maatwerk arrangement propose`` sizes the plan to the stored household (income - BVV)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import migrate_and_import
from click.testing import CliRunner

from maatwerk.cli import cli


# D1: single, EUR 1,200 net and no gross income: the 95 % cap decides, BVV 1,140.00, room 60.00.
# D2: the same household with EUR 5,000 owed: 36 x 60.00 does not clear it (problematic debt).
# D3: no stored income.
PORTFOLIO = """\
debtor_id,name,household,net_monthly_income,payday,debt_id,creditor_id,principal,due_date,category,street,house_number,postcode,city
D1,Person 1,single,1200.00,25,B1,zorg,300.00,2026-02-01,premium,Voorbeeldstraat,1,1234 AB,Utrecht
D2,Person 2,single,1200.00,25,B2,zorg,5000.00,2026-02-01,premium,Voorbeeldstraat,1,1234 AB,Utrecht
D3,Person 3,single,,25,B3,zorg,300.00,2026-02-01,premium,Voorbeeldstraat,1,1234 AB,Utrecht
"""


@pytest.fixture
def options(runner: CliRunner, db_url: str, tmp_path: Path) -> list[str]:
    """The three households imported; the options every ``arrangement propose`` here takes."""
    migrate_and_import(runner, db_url, tmp_path / "portfolio.csv", PORTFOLIO)
    return ["--creditor", "zorg", "--date", "2026-04-01", "--by", "anna", "--db", db_url]


def _propose(runner: CliRunner, debtor: str, options: list[str], *extra: str) -> Any:
    return runner.invoke(cli, ["arrangement", "propose", debtor, *options, *extra, "--json"])


def _history(runner: CliRunner, debtor: str, db_url: str) -> list[dict[str, Any]]:
    result = runner.invoke(
        cli, ["explain", debtor, "--date", "2026-04-02", "--db", db_url, "--json"]
    )
    assert result.exit_code == 0, result.output
    history = json.loads(result.stdout)["history"]
    assert isinstance(history, list)
    return history


class TestArrangementPropose:
    """A plan never asks more than income - BVV; when none fits, problematic debt is recorded."""

    def test_capacity_above_income_minus_bvv_is_refused(
        self, runner: CliRunner, db_url: str, options: list[str]
    ) -> None:
        result = _propose(runner, "D1", options, "--capacity", "60.01")
        assert result.exit_code == 2
        assert "--capacity" in result.stderr
        assert "EUR 60.00" in result.stderr
        assert _history(runner, "D1", db_url) == []

    def test_capacity_within_the_room_is_offered(
        self, runner: CliRunner, options: list[str]
    ) -> None:
        result = _propose(runner, "D1", options, "--capacity", "60.00")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["kind"] == "arrangement-offered"

    def test_capacity_computed_from_the_household(
        self, runner: CliRunner, options: list[str]
    ) -> None:
        result = _propose(runner, "D1", options)
        assert result.exit_code == 0, result.output
        offer = json.loads(result.stdout)
        amounts = [Decimal(amount["amount"]) for _, amount in offer["schedule"]]
        assert max(amounts) <= Decimal("60.00")
        assert sum(amounts) == Decimal("300.00")

    def test_problematic_debt_is_recorded(
        self, runner: CliRunner, db_url: str, options: list[str]
    ) -> None:
        result = _propose(runner, "D2", options)
        assert result.exit_code == 1
        assert "problematic debt" in result.stderr
        (flagged,) = _history(runner, "D2", db_url)
        assert flagged["kind"] == "debtor-flagged"
        assert "problematic-debt" in json.dumps(flagged)

    def test_household_without_income_is_refused(
        self, runner: CliRunner, options: list[str]
    ) -> None:
        result = _propose(runner, "D3", options, "--capacity", "10")
        assert result.exit_code == 2
        assert "no stored net income" in result.stderr


EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "case.json"


class TestProblematicDebtInThePolicy:
    """The recorded problematic-debt flag counts as "cannot pay" for the humane referral step."""

    def _referral(self, runner: CliRunner, tmp_path: Path, *, flagged: bool) -> dict[str, Any]:
        doc = json.loads(EXAMPLE.read_text(encoding="utf-8"))
        if flagged:
            doc["events"].append(
                {"kind": "debtor-flagged", "occurred_on": "2026-03-01", "flag": "problematic-debt"}
            )
        path = tmp_path / "case.json"
        path.write_text(json.dumps(doc), encoding="utf-8")
        result = runner.invoke(
            cli, ["policy", "explain", "--case", str(path), "--date", "2026-03-15", "--json"]
        )
        assert result.exit_code == 0, result.output
        (note,) = [n for n in json.loads(result.stdout)["notes"] if n["step_id"] == "referral"]
        assert isinstance(note, dict)
        return note

    def test_without_the_flag_nothing_shows_the_household_cannot_pay(
        self, runner: CliRunner, tmp_path: Path
    ) -> None:
        # the referral's condition is when.cannot_pay (figures, a cant-pay contact or the flag)
        note = self._referral(runner, tmp_path, flagged=False)
        assert [r["code"] for r in note["reasons"]] == ["cannot-pay"]

    def test_with_the_flag_only_consent_is_missing(self, runner: CliRunner, tmp_path: Path) -> None:
        note = self._referral(runner, tmp_path, flagged=True)
        assert [r["code"] for r in note["reasons"]] == ["consent"]


MANDATES = """\
mandate_id,debtor_id,creditor_id,iban,signed_on,collection_day
MD-D1,D1,zorg,NL91ABNA0417164300,2026-01-15,5
"""


class TestPaymentMethod:
    """``--method``/``--debit-day``: direct debit only under a valid mandate for the creditor."""

    def _mandates(self, runner: CliRunner, db_url: str, tmp_path: Path) -> None:
        path = tmp_path / "mandates.csv"
        path.write_text(MANDATES, encoding="utf-8")
        result = runner.invoke(cli, ["import", "mandates", str(path), "--db", db_url])
        assert result.exit_code == 0, result.output

    def test_direct_debit_without_a_mandate_is_refused(
        self, runner: CliRunner, db_url: str, options: list[str]
    ) -> None:
        result = _propose(runner, "D1", options, "--method", "direct-debit")
        assert result.exit_code == 2
        assert "no valid direct-debit mandate" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        assert _history(runner, "D1", db_url) == []

    def test_without_a_mandate_the_default_is_transfer(
        self, runner: CliRunner, options: list[str]
    ) -> None:
        result = _propose(runner, "D1", options)
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["method"] == "transfer"

    def test_with_a_mandate_direct_debit_on_the_chosen_day(
        self, runner: CliRunner, db_url: str, tmp_path: Path, options: list[str]
    ) -> None:
        self._mandates(runner, db_url, tmp_path)
        result = _propose(runner, "D1", options, "--method", "direct-debit", "--debit-day", "8")
        assert result.exit_code == 0, result.output
        offer = json.loads(result.stdout)
        assert offer["method"] == "direct-debit"
        assert offer["debit_day"] == 8
        dates = [day for day, _ in offer["schedule"]]
        # 8 April is less than 14 days away (pre-notification); 8 May is a Friday, 8 June a Monday
        assert dates[:2] == ["2026-05-08", "2026-06-08"]

    def test_with_a_mandate_its_collection_day_is_the_default(
        self, runner: CliRunner, db_url: str, tmp_path: Path, options: list[str]
    ) -> None:
        self._mandates(runner, db_url, tmp_path)
        result = _propose(runner, "D1", options)
        assert result.exit_code == 0, result.output
        offer = json.loads(result.stdout)
        assert offer["method"] == "direct-debit"
        assert offer["debit_day"] == 5
        # the first debit at least 14 days after the offer (pre-notification): not 5 April
        assert offer["schedule"][0][0] == "2026-05-05"


class TestDeductionAtSource:
    """``--method deduction`` records the payer; accepting is the debtor's agreement to it."""

    def test_the_payer_is_recorded_and_carried_by_the_acceptance(
        self, runner: CliRunner, db_url: str, options: list[str]
    ) -> None:
        result = _propose(
            runner, "D1", options, "--method", "deduction",
            "--payer-id", "123456789L01", "--payer-name", "UWV",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        offer = json.loads(result.stdout)
        assert (offer["method"], offer["payer_id"], offer["payer_name"]) == (
            "source-deduction",
            "123456789L01",
            "UWV",
        )
        accepted = runner.invoke(
            cli,
            ["arrangement", "accept", "D1", offer["arrangement_id"], "--by", "anna",
             "--date", "2026-04-02", "--db", db_url, "--json"],
        )  # fmt: skip
        assert accepted.exit_code == 0, accepted.output
        agreement = json.loads(accepted.stdout)
        assert (agreement["payer_id"], agreement["payer_name"]) == ("123456789L01", "UWV")

    @pytest.mark.parametrize(
        ("extra", "field", "words"),
        [
            (("--payer-name", "UWV"), "--payer-id", "needs the payer"),
            (("--payer-id", "123456789L01"), "--payer-name", "payer's name"),
            (("--payer-id", "UWV/zwolle", "--payer-name", "UWV"), "--payer-id", "not a payer id"),
        ],
    )
    def test_a_deduction_without_a_valid_payer_is_refused(
        self,
        runner: CliRunner,
        db_url: str,
        options: list[str],
        *,
        extra: tuple[str, ...],
        field: str,
        words: str,
    ) -> None:
        result = _propose(runner, "D1", options, "--method", "deduction", *extra)
        assert result.exit_code == 2
        assert field in result.stderr
        assert words in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        assert _history(runner, "D1", db_url) == []

    def test_a_payer_for_a_transfer_is_refused(
        self, runner: CliRunner, db_url: str, options: list[str]
    ) -> None:
        result = _propose(runner, "D1", options, "--payer-id", "UWV", "--payer-name", "UWV")
        assert result.exit_code == 2
        assert "only for --method deduction" in result.stderr
        assert _history(runner, "D1", db_url) == []
