"""End to end: an owner-occupier (Rv 475da lid 7) imported with ``housing = own`` waits for a
person; ``maatwerk explain`` says why; ``maatwerk debtor housing --owner-increase`` sets the
increase and the case proceeds with the higher protected income."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from cli_helpers import SETTING_FLAGS, migrate_and_import
from click.testing import CliRunner

from maatwerk.adapters.storage import SqlStore
from maatwerk.cli import cli
from maatwerk.core.debtors import Housing
from maatwerk.core.events import StepTaken
from maatwerk.core.money import eur


# net EUR 1,900, taxable EUR 26,000 a year: below the 2026 lid-7 limit for a single person
PORTFOLIO = """\
debtor_id,name,household,net_monthly_income,gross_annual_income,payday,phone,housing,debt_id,creditor_id,principal,due_date,street,house_number,postcode,city
P1,Person 1,single,1900.00,26000.00,25,0611111111,own,B1,zorg,300.00,2026-03-01,Voorbeeldstraat,1,1234 AB,Utrecht
P2,Person 2,single,1900.00,26000.00,25,0622222222,,B2,zorg,300.00,2026-03-01,Voorbeeldstraat,1,1234 AB,Utrecht
"""
REASON = (
    "De beslagvrije voet kan hoger zijn, omdat de klant een eigen huis heeft. Dat kunnen we "
    "niet zelf uitrekenen. Een medewerker rekent het na."
)


def _ok(runner: CliRunner, args: list[str]) -> Any:
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, (args, result.output)
    return json.loads(result.stdout) if "--json" in args else result.output


def _reasons(explained: dict[str, Any]) -> str:
    return " ".join(explained["cases"][0]["decision"]["reasons"])


def _steps(db_url: str, debtor: str) -> list[str]:
    store = SqlStore.from_url(db_url)
    try:
        return [r.event.step_id for r in store.history(debtor) if isinstance(r.event, StepTaken)]
    finally:
        store.close()


def _run(runner: CliRunner, db: list[str], out: Path, days: list[str]) -> None:
    for day in days:
        _ok(runner, ["run", "--date", day, *db, "--out", str(out), *SETTING_FLAGS, "--json"])


class TestDebtorHousing:
    def test_owner_waits_for_a_person_then_proceeds(
        self, runner: CliRunner, sqlite_url: str, tmp_path: Path
    ) -> None:
        db = ["--db", sqlite_url]
        migrate_and_import(runner, sqlite_url, tmp_path / "p.csv", PORTFOLIO)
        # daily from the default date to past the humane letter's day (35 days after default,
        # at least 14 days after the offer)
        start = dt.date(2026, 3, 2)
        days = [(start + dt.timedelta(days=n)).isoformat() for n in range(40)]  # to 04-10
        _run(runner, db, tmp_path / "out", days)
        assert {"arrangement", "letter"} <= set(_steps(sqlite_url, "P2"))
        # the owner-occupier: called, but no plan sized to capacity and no letter with costs
        assert "call" in _steps(sqlite_url, "P1")
        assert not {"arrangement", "letter"} & set(_steps(sqlite_url, "P1"))

        explained = _ok(runner, ["explain", "P1", "--date", "2026-04-10", *db, "--json"])
        assert REASON in _reasons(explained)
        assert "€ 1.389,36" in _reasons(explained)
        text = _ok(runner, ["explain", "P1", "--date", "2026-04-10", *db])
        assert REASON in text
        # nor does a person's plan offer rest on the too-low BVV
        propose = runner.invoke(
            cli,
            ["arrangement", "propose", "P1", "--creditor", "zorg", "--date", "2026-04-10",
             "--by", "anna", *db],
        )  # fmt: skip
        assert propose.exit_code == 2, propose.output
        assert "lid 7 increase cannot be computed" in propose.output
        assert "debtor housing P1 --owner-increase" in propose.output

        recorded = _ok(
            runner,
            ["debtor", "housing", "P1", "--housing", "own", "--owner-increase", "150.00",
             "--by", "anna", "--date", "2026-04-11", *db, "--json"],
        )  # fmt: skip
        assert recorded == {
            "debtor_id": "P1",
            "housing": "own",
            "owner_increase": "150.00",
            "recorded_on": "2026-04-11",
            "recorded_by": "anna",
        }
        store = SqlStore.from_url(sqlite_url)
        try:
            (case,) = store.load_cases(store.cases_of_debtor("P1"))
        finally:
            store.close()
        assert case.debtor.housing is Housing.OWN
        assert case.debtor.owner_increase == eur("150.00")

        explained = _ok(runner, ["explain", "P1", "--date", "2026-04-11", *db, "--json"])
        assert "beslagvrije voet kan hoger" not in _reasons(explained)
        history = [h["kind"] for h in explained["history"]]
        assert "audit.record-updated" in history
        _run(runner, db, tmp_path / "out", ["2026-04-11"])
        # the case proceeds: the plan sized to what the household can spare above the BVV
        # with the increase (EUR 1,900.00 - EUR 1,539.36) goes out first
        assert "arrangement" in _steps(sqlite_url, "P1")
        store = SqlStore.from_url(sqlite_url)
        try:
            (offer,) = [
                i.entry.payload
                for i in store.outbox_items()
                if i.entry.case.debtor_id == "P1" and i.entry.action == "arrangement-offer"
            ]
        finally:
            store.close()
        bvv: Any = offer["bvv"]
        assert bvv["protected_income"] == Decimal("1539.36")
        assert any("Verhoging eigen woning" in line["term"] for line in bvv["lines"])

    def test_bad_input_is_refused_plainly(
        self, runner: CliRunner, sqlite_url: str, tmp_path: Path
    ) -> None:
        db = ["--db", sqlite_url]
        migrate_and_import(runner, sqlite_url, tmp_path / "p.csv", PORTFOLIO)
        rent = runner.invoke(
            cli,
            ["debtor", "housing", "P2", "--housing", "rent", "--owner-increase", "10.00",
             "--by", "anna", *db],
        )  # fmt: skip
        assert rent.exit_code == 2
        assert "--owner-increase" in rent.output
        assert "lid 7" in rent.output
        unknown = runner.invoke(
            cli, ["debtor", "housing", "NOPE", "--housing", "own", "--by", "anna", *db]
        )
        assert unknown.exit_code == 2
        assert "NOPE" in unknown.output
        bad = tmp_path / "debtors.csv"
        bad.write_text("debtor_id,name,household,housing\nP3,X,single,koop\n", encoding="utf-8")
        result = runner.invoke(cli, ["import", "debtors", str(bad), *db])
        assert result.exit_code != 0
        assert "debtors.csv" in result.output
        assert "housing" in result.output
        assert "2" in result.output
