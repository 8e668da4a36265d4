"""Through the CLI: ``contact log --outcome promise --promised-on D --amount A`` holds the run
until the day plus the policy's grace and is explained; ``explain --date D`` shows the case as it
stood on D (a payment after D does not count)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import SETTING_FLAGS, migrate_and_import
from click.testing import CliRunner

from maatwerk.cli import cli


PORTFOLIO = """\
debtor_id,name,household,net_monthly_income,payday,phone,debt_id,creditor_id,principal,due_date,category,street,house_number,postcode,city
D1,Person 1,single,1800.00,25,0612345678,B1,zorg,300.00,2026-02-01,invoice,Voorbeeldstraat,1,1234 AB,Utrecht
D2,Person 2,single,1800.00,25,0612345679,B2,zorg,300.00,2026-02-01,invoice,Voorbeeldstraat,1,1234 AB,Utrecht
"""
MADE = dt.date(2026, 2, 10)
BY = dt.date(2026, 2, 20)


@pytest.fixture
def db(runner: CliRunner, sqlite_url: str, tmp_path: Path) -> list[str]:
    migrate_and_import(runner, sqlite_url, tmp_path / "portfolio.csv", PORTFOLIO)
    return ["--db", sqlite_url]


def _log(runner: CliRunner, db: list[str], debtor: str, *extra: str) -> Any:
    return runner.invoke(
        cli,
        [
            "contact",
            "log",
            debtor,
            "--channel",
            "phone",
            "--by",
            "anna",
            "--date",
            MADE.isoformat(),
            *db,
            *extra,
        ],
    )


def _ok(runner: CliRunner, args: list[str]) -> Any:
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, (args, result.output)
    return json.loads(result.stdout) if "--json" in args else result.stdout


def _kinds(runner: CliRunner, db: list[str], debtor: str, on: dt.date) -> list[str]:
    data = _ok(runner, ["explain", debtor, "--date", on.isoformat(), *db, "--json"])
    return [h["kind"] for h in data["history"]]


class TestContactLogPromise:
    def test_a_promise_needs_a_day_and_an_amount(self, runner: CliRunner, db: list[str]) -> None:
        for extra, missing in (
            ((), "--promised-on and --amount"),
            (("--amount", "300.00"), "--promised-on"),
            (("--promised-on", BY.isoformat()), "--amount"),
        ):
            result = _log(runner, db, "D1", "--outcome", "promise", *extra)
            assert result.exit_code == 2, result.output
            assert result.stderr == f"Error: --outcome promise needs {missing}\n"
        assert _kinds(runner, db, "D1", BY) == []  # nothing recorded

    def test_the_options_go_only_with_a_promise(self, runner: CliRunner, db: list[str]) -> None:
        result = _log(runner, db, "D1", "--outcome", "reached", "--amount", "10.00")
        assert result.exit_code == 2
        assert result.stderr == "Error: --amount only go with --outcome promise\n"

    def test_a_promise_above_the_open_total_or_before_the_call_is_refused(
        self, runner: CliRunner, db: list[str]
    ) -> None:
        too_much = _log(
            runner, db, "D1", "--outcome", "promise", "--promised-on", BY.isoformat(),
            "--amount", "300.01",
        )  # fmt: skip
        assert too_much.exit_code == 2
        assert "--amount" in too_much.stderr
        assert len(too_much.stderr.splitlines()) == 1
        early = _log(
            runner, db, "D1", "--outcome", "promise", "--promised-on", "2026-02-09",
            "--amount", "100.00",
        )  # fmt: skip
        assert early.exit_code == 2
        assert "--promised-on" in early.stderr

    def test_a_promise_holds_the_run_and_is_explained(
        self, runner: CliRunner, db: list[str], tmp_path: Path
    ) -> None:
        logged = _log(
            runner, db, "D1", "--outcome", "promise", "--promised-on", BY.isoformat(),
            "--amount", "300.00", "--json",
        )  # fmt: skip
        assert logged.exit_code == 0, logged.output
        record = json.loads(logged.stdout)
        assert record["kind"] == "promise-to-pay"
        assert record["promised_for"] == BY.isoformat()
        assert record["amount"] == {"amount": "300.00", "currency": "EUR"}
        assert _kinds(runner, db, "D1", MADE) == ["contact-attempt", "promise-to-pay"]
        out = ["--out", str(tmp_path / "out"), *SETTING_FLAGS]
        for offset in range(30):
            day = MADE + dt.timedelta(days=offset)
            _ok(runner, ["run", "--date", day.isoformat(), *db, *out, "--json"])
        # humane: the promise holds until 20 + 3 = 23 February; broken on the 24th
        text = _ok(runner, ["explain", "D1", "--date", "2026-02-23", *db])
        assert "beloofde de klant uiterlijk 20 februari 2026 € 300,00 te betalen" in text
        assert "We wachten tot en met 23 februari 2026." in text
        steps = _ok(runner, ["explain", "D1", "--date", "2026-03-11", *db, "--json"])
        kinds = [(h["kind"], h["occurred_on"]) for h in steps["history"]]
        assert ("promise-broken", "2026-02-24") in kinds
        taken = [h for h in steps["history"] if h["kind"] == "step-taken"]
        assert taken[0]["occurred_on"] == "2026-02-24"
        assert taken[0]["detail"]["step_id"] == "promise-call"
        # the other household, without a promise, was not held
        other = _ok(runner, ["explain", "D2", "--date", "2026-02-23", *db, "--json"])
        assert any(h["kind"] == "step-taken" for h in other["history"])


class TestExplainOnADate:
    def test_a_payment_after_the_date_does_not_count(
        self, runner: CliRunner, db: list[str], tmp_path: Path
    ) -> None:
        payments = tmp_path / "payments.csv"
        payments.write_text(
            "payment_id,debtor_id,received_on,amount\nP1,D1,2026-02-15,100.00\n"
            "P2,D1,2026-03-01,200.00\n",
            encoding="utf-8",
        )
        _ok(runner, ["import", "payments", str(payments), *db, "--json"])
        out = ["--out", str(tmp_path / "out"), *SETTING_FLAGS]
        for offset in range(25):
            day = dt.date(2026, 2, 10) + dt.timedelta(days=offset)
            _ok(runner, ["run", "--date", day.isoformat(), *db, *out, "--json"])
        before = _ok(runner, ["explain", "D1", "--date", "2026-02-20", *db, "--json"])
        (case,) = before["cases"]
        assert case["balance"]["principal"] == "200.00"  # P1 only; P2 came on 1 March
        assert case["debts"][0]["status"] == "open"
        assert all(h["occurred_on"] <= "2026-02-20" for h in before["history"])
        assert case["decision"]["status"] != "closed"
        after = _ok(runner, ["explain", "D1", "--date", "2026-03-02", *db, "--json"])
        (case,) = after["cases"]
        assert case["balance"]["principal"] == "0.00", case
        # the day before any payment: the whole bill is open
        first = _ok(runner, ["explain", "D1", "--date", "2026-02-14", *db, "--json"])
        assert first["cases"][0]["balance"]["principal"] == "300.00"
