"""Regression tests for the calculator CLI defects found in the wave-2 audit (input and exits)."""

from __future__ import annotations

import re

import pytest
from cli_helpers import calc, calc_json, household
from click.testing import CliRunner

from maatwerk.adapters.calendars import build_calendars
from maatwerk.cli import cli
from maatwerk.core.calendar import ATW


BVV_SINGLE = ["bvv", *household("single", "1100", date="2026-03-01")]


class TestAmountParsing:
    """Amounts are plain euros with at most two decimals; anything ambiguous is refused (exit 2)."""

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("1,000", "ambiguous"),
            ("1e3", "not an amount"),
            ("12.340", "more than two decimals"),
            ("1.000,00", "not an amount"),
            ("+5", "not an amount"),
            ("-5", "must not be negative"),
            ("NaN", "not an amount"),
        ],
    )
    def test_refused(self, runner: CliRunner, text: str, message: str) -> None:
        code, out, err = calc(runner, "bik", text, "--json")
        assert (code, out) == (2, "")
        assert message in err
        assert len(err.strip().splitlines()) == 1

    @pytest.mark.parametrize(
        ("text", "principal"), [("1000", "1000.00"), ("12,34", "12.34"), ("12.3", "12.30")]
    )
    def test_accepted(self, runner: CliRunner, text: str, principal: str) -> None:
        assert calc_json(runner, "bik", text, "--date", "2026-01-05")["principal"] == principal


class TestDateParsing:
    """Dates are YYYY-MM-DD only; the message names the option, not an internal name."""

    @pytest.mark.parametrize("text", ["20260420", "2026-4-20", "2026-W17-1"])
    def test_refused(self, runner: CliRunner, text: str) -> None:
        code, _, err = calc(runner, "bik", "100", "--date", text)
        assert code == 2
        assert "'--date'" in err
        assert "YYYY-MM-DD" in err
        assert " on:" not in err


class TestExitCodes:
    """Dates outside the tables or the calendar are bad input: exit 2, one line, no traceback."""

    def test_bvv_before_the_tables_names_the_date(self, runner: CliRunner) -> None:
        code, _, err = calc(
            runner,
            "bvv",
            *household("single", "1100", "--gross-annual-income", "20000", date="2019-06-01"),
        )
        assert code == 2
        assert "--date" in err
        assert len(err.strip().splitlines()) == 1

    @pytest.mark.parametrize(
        ("args", "option"),
        [
            (["limitation", "--due", "9999-12-31"], "--due"),
            (["deadline", "--received", "9999-12-31", "--days", "1"], "--received"),
        ],
    )
    def test_far_future_dates(self, runner: CliRunner, args: list[str], option: str) -> None:
        result = runner.invoke(cli, ["calc", *args])
        assert result.exit_code == 2
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert option in result.stderr
        assert "Traceback" not in result.output


class TestLimitation:
    """An interruption dated before the limitation period started has no effect."""

    def test_interruption_before_the_period_is_ignored(self, runner: CliRunner) -> None:
        payload = calc_json(
            runner, "limitation", "--due", "2020-03-15", "--interrupted", "2019-01-10"
        )
        assert payload["interruptions_applied"] == []
        assert payload["interruptions_ignored"] == ["2019-01-10"]
        assert payload["last_day"] == "2025-03-15"


class TestDeadlineHelp:
    """The help states the years the Atw calendar covers, and they are the real ones."""

    def test_help_names_the_calendar_years(self, runner: CliRunner) -> None:
        result = runner.invoke(cli, ["calc", "deadline", "--help"])
        assert result.exit_code == 0
        match = re.search(r"covers (\d{4})-(\d{4})", " ".join(result.stdout.split()))
        assert match is not None
        calendar = build_calendars().get(ATW)
        assert (int(match[1]), int(match[2])) == (calendar.first_year, calendar.last_year)

    def test_outside_the_years_exit_2(self, runner: CliRunner) -> None:
        code, _, err = calc(runner, "deadline", "--received", "2030-01-01", "--days", "14")
        assert code == 2
        assert "2023-2028" in err


class TestPlan:
    """A plan proposed early in January needs the SEPA calendar of the year before."""

    def test_early_january_with_a_late_payday(self, runner: CliRunner) -> None:
        payload = calc_json(
            runner,
            "plan",
            "--debt",
            "300",
            "--net-income",
            "2000",
            "--gross-annual-income",
            "30000",
            "--household",
            "single",
            "--date",
            "2026-01-05",
            "--payday",
            "25",
        )
        assert payload["outcome"] == "plan"
        assert payload["instalments"][0]["due_date"] >= "2026-01-05"


class TestBvvOptions:
    """Attached and unattached income, bijstand's other income; nothing is silently ignored."""

    def test_unattached_income_is_not_attachable(self, runner: CliRunner) -> None:
        payload = calc_json(
            runner, *BVV_SINGLE, "--own-unattached", "100", "--gross-annual-income", "20000"
        )
        assert (payload["bvv"], payload["attachable"]) == ("1045.00", "0.00")

    def test_explicit_attached_income(self, runner: CliRunner) -> None:
        extra = ["--attached-income", "1400", "--gross-annual-income", "20000"]
        payload = calc_json(runner, "bvv", *household("single", "1500", *extra, date="2026-03-01"))
        assert payload["attachable"] == "68.57"  # 1400 - 1331.43

    def test_bijstand_other_income(self, runner: CliRunner) -> None:
        payload = calc_json(runner, *BVV_SINGLE, "--bijstand", "--bijstand-other-income", "100")
        assert payload["bvv"] == "1231.43"  # 0.95 x 1401.50 - 100

    @pytest.mark.parametrize(
        ("args", "words"),
        [
            (["--bijstand", "--own-unattached", "100"], "--bijstand-other-income"),
            (["--bijstand-other-income", "100"], "needs --bijstand"),
            (["--own-unattached", "2000"], "--own-unattached"),
            (["--attached-income", "2000"], "--attached-income"),
            (["--institution-costs", "500", "--own-unattached", "10"], "--institution-costs"),
        ],
    )
    def test_combinations_refused(self, runner: CliRunner, args: list[str], words: str) -> None:
        code, out, err = calc(runner, *BVV_SINGLE, *args)
        assert (code, out) == (2, "")
        assert words in err

    def test_errors_name_the_option(self, runner: CliRunner) -> None:
        code, _, err = calc(runner, *BVV_SINGLE, "--spouse-unattached", "100")
        assert code == 2
        assert "--spouse-unattached" in err
        assert "spouse_unattached" not in err

    def test_missing_institution_norm_message(self, runner: CliRunner) -> None:
        code, _, err = calc(runner, *BVV_SINGLE, "--institution-costs", "500")
        assert code == 2
        assert "give it with --institution-norm" in err
        assert "; pass it as" not in err

    def test_example_1_decided_by_the_cap_is_not_provisional(self, runner: CliRunner) -> None:
        payload = calc_json(runner, "bvv", *household("single", "1200"))
        assert (payload["bvv"], payload["attachable"]) == ("1140.00", "60.00")
        assert payload["provisional"] is False


class TestInterestBeyondTheTable:
    """Interest running past the last known rate says so in the result."""

    def test_note(self, runner: CliRunner) -> None:
        payload = calc_json(
            runner, "interest", "1000", "--from", "2026-01-01", "--to", "2099-01-01"
        )
        assert any("recalculate when the next rates are published" in n for n in payload["notes"])
