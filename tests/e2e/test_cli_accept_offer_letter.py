"""The plan accepted is the plan the offer letter stated: ``maatwerk run`` delivers an offer
letter, ``maatwerk arrangement accept DEBTOR`` (no id) accepts exactly that offer; an offer whose
time to answer passed, or that a later offer replaced, is refused with one line (exit 2)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import SETTING_FLAGS, migrate_and_import
from click.testing import CliRunner

from maatwerk.adapters.channels._files import dutch_amount, dutch_date
from maatwerk.cli import cli


pytestmark = pytest.mark.slow

START = dt.date(2026, 3, 2)
# one earner (EUR 1,500 net, gross known: the BVV is computed) owing EUR 400 in two bills
PORTFOLIO = """\
debtor_id,name,household,net_monthly_income,gross_annual_income,payday,phone,debt_id,creditor_id,principal,due_date,category,reference,street,house_number,postcode,city
D1,Persoon 1,single,1500.00,24000.00,25,0612345678,B1,zorg,250.00,2026-03-02,premium,P-0001,Voorbeeldstraat,1,1234 AB,Utrecht
D1,Persoon 1,single,1500.00,24000.00,25,0612345678,B2,zorg,150.00,2026-03-02,premium,P-0002,Voorbeeldstraat,1,1234 AB,Utrecht
"""


def _ok(runner: CliRunner, args: list[str]) -> Any:
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, (args, result.output)
    return json.loads(result.stdout)


def _offer_letter(runner: CliRunner, db_url: str, tmp_path: Path) -> tuple[dt.date, str]:
    """Run day by day until the offer letter is delivered: its day and its text."""
    migrate_and_import(runner, db_url, tmp_path / "portfolio.csv", PORTFOLIO)
    out = tmp_path / "out"
    for offset in range(60):
        day = START + dt.timedelta(days=offset)
        _ok(
            runner,
            ["run", "--date", day.isoformat(), "--db", db_url, "--out", str(out),
             *SETTING_FLAGS, "--json"],
        )  # fmt: skip
        for letter in sorted((out / "letters" / day.isoformat()).glob("*.txt")):
            text = letter.read_text(encoding="utf-8")
            if "Ons voorstel:" in text:
                return day, text
    pytest.fail("no offer letter with a plan in 60 days")


def _accept(runner: CliRunner, db_url: str, on: dt.date, *extra: str) -> Any:
    return runner.invoke(
        cli,
        ["arrangement", "accept", "D1", *extra, "--by", "anna", "--date", on.isoformat(),
         "--db", db_url, "--json"],
    )  # fmt: skip


class TestAcceptTheLetter:
    def test_accepted_plan_is_the_letter_plan(
        self, runner: CliRunner, db_url: str, tmp_path: Path
    ) -> None:
        sent, letter = _offer_letter(runner, db_url, tmp_path)
        result = _accept(runner, db_url, sent + dt.timedelta(days=5))
        assert result.exit_code == 0, result.output
        accepted = json.loads(result.stdout)
        assert accepted["kind"] == "arrangement-accepted"
        schedule = [
            (dt.date.fromisoformat(day), Decimal(amount["amount"]))
            for day, amount in accepted["schedule"]
        ]
        count = len(schedule)
        (first, amount), (last, last_amount) = schedule[0], schedule[-1]
        # every term the letter states is the accepted plan's
        assert count > 1
        assert f"De eerste betaling is op {dutch_date(first)}." in letter
        assert f"De laatste betaling is op {dutch_date(last)}." in letter
        if last_amount == amount:
            assert f"U betaalt {count} keer {dutch_amount(amount)}, 1 keer per maand." in letter
        else:
            assert (
                f"U betaalt {count - 1} keer {dutch_amount(amount)} en de laatste keer "
                f"{dutch_amount(last_amount)}." in letter
            )
        assert all(a == amount for _, a in schedule[:-1])
        assert sum(a for _, a in schedule) == Decimal("400.00")
        assert accepted["method"] == "transfer"
        assert "U maakt het bedrag elke keer zelf over." in letter

        # the text says which offer was accepted; a second acceptance is refused
        again = runner.invoke(
            cli,
            ["arrangement", "accept", "D1", "--by", "anna", "--date",
             (sent + dt.timedelta(days=6)).isoformat(), "--db", db_url],
        )  # fmt: skip
        assert again.exit_code == 2
        assert "already accepted" in again.stderr
        assert len(again.stderr.strip().splitlines()) == 1
        assert accepted["arrangement_id"] in again.stderr

    def test_lapsed_and_replaced_offers_are_refused(
        self, runner: CliRunner, db_url: str, tmp_path: Path
    ) -> None:
        sent, _ = _offer_letter(runner, db_url, tmp_path)
        late = _accept(runner, db_url, sent + dt.timedelta(days=60))
        assert late.exit_code == 2
        assert "time to answer ended" in late.stderr
        assert len(late.stderr.strip().splitlines()) == 1

        # a plan agreed on the phone later replaces the letter's offer
        day = sent + dt.timedelta(days=3)
        history = _ok(runner, ["explain", "D1", "--date", day.isoformat(), "--db", db_url,
                               "--json"])["history"]  # fmt: skip
        (letter_offer,) = [h for h in history if h["kind"] == "arrangement-offered"]
        _ok(
            runner,
            ["arrangement", "propose", "D1", "--creditor", "zorg", "--capacity", "50",
             "--by", "anna", "--date", day.isoformat(), "--db", db_url, "--json"],
        )  # fmt: skip
        replaced = _accept(runner, db_url, day, letter_offer["detail"]["arrangement_id"])
        assert replaced.exit_code == 2
        assert "later offer replaced it" in replaced.stderr
        # without an id the latest open offer (the phone one) is accepted, and named
        text = runner.invoke(
            cli,
            ["arrangement", "accept", "D1", "--by", "anna", "--date", day.isoformat(),
             "--db", db_url],
        )  # fmt: skip
        assert text.exit_code == 0, text.output
        assert f"arrangement D1:zorg:{day.isoformat()} accepted as offered: 8 x" in text.stdout
