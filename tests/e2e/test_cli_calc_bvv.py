"""``maatwerk calc bvv`` reproduces the worked examples and prints one JSON object."""

from __future__ import annotations

from typing import Any

import pytest
from cli_helpers import calc, calc_json, calc_refusal, household
from click.testing import CliRunner


def run(runner: CliRunner, *args: str) -> dict[str, Any]:
    return calc_json(runner, "bvv", *args)


class TestCalcBvv:
    """The stable CLI contract of ``calc bvv``."""

    @pytest.mark.parametrize(
        ("args", "bvv", "attachable"),
        [
            (household("single", "1200.00"), "1140.00", "60.00"),
            (household("single", "3400", "--gross-annual-income", "60000"), "2191.42", "1208.58"),
            (
                household("single", "3400", "--gross-annual-income", "60000", date="2026-07-01"),
                "2208.48",
                "1191.52",
            ),
            (
                household(
                    "couple",
                    "2800",
                    "--gross-annual-income",
                    "90000",
                    "--spouse-unattached",
                    "1200",
                ),
                "1681.41",
                "1118.59",
            ),
            (household("single", "1401.50", "--bijstand"), "1331.43", "70.07"),
        ],
    )
    def test_worked_examples(
        self, runner: CliRunner, args: list[str], bvv: str, attachable: str
    ) -> None:
        payload = run(runner, *args)
        assert (payload["bvv"], payload["attachable"]) == (bvv, attachable)
        assert set(payload) >= {"bvv", "attachable", "table", "provisional", "lines"}
        assert isinstance(payload["lines"], list)
        assert payload["lines"]

    def test_json_shape(self, runner: CliRunner) -> None:
        payload = run(runner, *household("single", "3400", "--gross-annual-income", "60000"))
        assert payload["provisional"] is False
        assert (
            payload["table"]
            == "bvv_parameters@2026-01-01, bijstand_norms@2026-01-01, bvv_maxima@2026-01-01"
        )
        line = payload["lines"][0]
        assert set(line) == {"term", "value", "rule", "note", "provisional"}

    def test_no_address_and_housing_costs(self, runner: CliRunner) -> None:
        assert run(runner, *household("couple", "3000", "--no-address"))["bvv"] == "951.01"
        payload = run(
            runner,
            *household(
                "single", "4000", "--gross-annual-income", "60000", "--housing-costs", "1200"
            ),
        )
        assert payload["bvv"] == "2365.20"  # 2,191.418333 + 173.777

    def test_owner_occupier_increase_cannot_be_computed(self, runner: CliRunner) -> None:
        # Rv 475da lid 7: the Besluit's rule was not retrieved, so the command stops (never a
        # silent 0) and names the BVV without the increase, which is too low
        line = calc_refusal(
            runner,
            "bvv",
            *household("single", "3000", "--gross-annual-income", "40000", "--owner-occupier"),
        )
        assert "Rv 475da lid 7" in line
        assert "cannot be computed" in line
        assert "1821.80" in line
        assert "--owner-increase" in line
        assert "--date" not in line

    def test_owner_increase_set_by_a_person(self, runner: CliRunner) -> None:
        # hand calculation (2026-01-01, single, C = 40,000): 0.95 x 1,401.50 = 1,331.425;
        # zorg (40,000 - 29,736)/12 x 0.1373 = 117.437; housing min(16,575 x 0.27/12, 932.93 -
        # 202.52) = 372.9375; formula 1,821.80; plus the increase of 150.00 = 1,971.80
        payload = run(
            runner,
            *household(
                "single",
                "3000",
                "--gross-annual-income",
                "40000",
                "--owner-occupier",
                "--owner-increase",
                "150",
            ),
        )
        assert payload["bvv"] == "1971.80"
        assert payload["unsupported"] == []
        assert payload["provisional"] is False

    def test_owner_occupier_where_the_cap_decides(self, runner: CliRunner) -> None:
        payload = run(
            runner,
            *household("single", "1200", "--gross-annual-income", "15000", "--owner-occupier"),
        )
        assert payload["bvv"] == "1140.00"  # 95 % of 1,200: the increase cannot change it
        assert payload["provisional"] is False

    def test_after_next_revision_is_provisional(self, runner: CliRunner) -> None:
        # the BVV tables are next revised on 2027-01-01: on 2027-01-15 the 2026-07-01 figures
        # are used, and the result says they may have been superseded
        payload = run(
            runner,
            *household("single", "3400", "--gross-annual-income", "60000", date="2027-01-15"),
        )
        assert payload["bvv"] == "2208.48"  # the 2026-07-01 maximum
        assert payload["provisional"] is True
        assert payload["beyond_revision"] == "2027-01-01"
        assert "new figures were due on 2027-01-01" in payload["provisional_notes"][0]
        assert (
            "bvv_maxima@2026-07-01 (provisional: next revision was due 2027-01-01)"
            in (payload["table"])
        )
        code, out, _ = calc(
            runner,
            "bvv",
            *household("single", "3400", "--gross-annual-income", "60000", date="2027-01-15"),
        )
        assert code == 0
        assert "Op 2027-01-01 zouden er nieuwe bedragen komen" in out

    def test_before_next_revision_is_not_provisional(self, runner: CliRunner) -> None:
        payload = run(
            runner,
            *household("single", "3400", "--gross-annual-income", "60000", date="2026-12-31"),
        )
        assert payload["provisional"] is False
        assert payload["provisional_notes"] == []

    def test_2025_date_where_the_cap_decides(self, runner: CliRunner) -> None:
        # 2025: the quadratic formula's parameters were not retrieved, but 95 % of 1,200 =
        # 1,140 is below 95 % of norm A 2025 (0.95 x 1,345.45 = 1,278.18): the cap decides
        payload = run(runner, *household("single", "1200", date="2025-03-01"))
        assert payload["bvv"] == "1140.00"
        assert payload["provisional"] is False

    def test_text_output(self, runner: CliRunner) -> None:
        code, out, _ = calc(runner, "bvv", *household("single", "1200"))
        assert code == 0
        assert "Beslagvrije voet: EUR 1140.00" in out

    @pytest.mark.parametrize(
        "args",
        [
            household("trio", "1"),
            household("single", "1", date="2026-13-01"),
            household("single", "-5"),
            household("single", "1000", "--spouse-unattached", "10"),
            household("single", "4000"),
        ],
    )
    def test_bad_input_exit_2(self, runner: CliRunner, args: list[str]) -> None:
        assert calc_refusal(runner, "bvv", *args).startswith("Error:")

    def test_unknown_period_exit_2(self, runner: CliRunner) -> None:
        code, _, err = calc(
            runner,
            "bvv",
            *household("single", "3000", "--gross-annual-income", "60000", date="2025-03-01"),
        )
        assert code == 2  # a date outside the tables is bad input (audit defect 9)
        assert "not retrieved" in err
        assert "--date" in err
