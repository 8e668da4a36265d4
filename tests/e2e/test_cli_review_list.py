"""``maatwerk review list`` shows what a checker needs without running ``explain`` per case:
the amount owed, months in arrears, the room above the protected income, the household's flags
(below protected income, bijstand, debt help, problematic debt, vulnerable) and the first line
of the explanation, in the table and in ``--json``."""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources
from pathlib import Path
from typing import Any

from cli_helpers import SETTING_FLAGS, migrate_and_import
from click.testing import CliRunner

from maatwerk.cli import cli


START = dt.date(2026, 3, 2)
PORTFOLIO = (
    "debtor_id,name,household,net_monthly_income,gross_annual_income,on_bijstand,vulnerable,"
    "payday,phone,debt_id,creditor_id,principal,due_date,category,periodic\n"
    "P1,Anna,single,1050.00,,yes,yes,25,0611111111,B1,zorg,300.00,2026-03-02,premium,yes\n"
    "P3,Cees,single,2400.00,36000.00,no,no,25,0633333333,B3,zorg,250.00,2026-03-02,invoice,no\n"
)


def _ok(runner: CliRunner, args: list[str]) -> Any:
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, (args, result.output)
    return result.stdout


def _policy(tmp_path: Path) -> Path:
    """The humane policy with its reminder held for review (the shipped one reviews only the
    bailiff and a write-off, weeks later)."""
    text = (resources.files("maatwerk") / "rules" / "policies" / "humane.toml").read_text("utf-8")
    marker = 'id = "reminder"\naction = "payment-reminder"\n'
    assert marker in text
    path = tmp_path / "checked.toml"
    path.write_text(
        text.replace(marker, marker + "review = true\n").replace(
            'name = "humane"', 'name = "checked"'
        ),
        encoding="utf-8",
    )
    return path


def test_review_list_shows_amount_arrears_room_flags_and_why(
    runner: CliRunner, sqlite_url: str, tmp_path: Path
) -> None:
    db = ["--db", sqlite_url]
    migrate_and_import(runner, sqlite_url, tmp_path / "portfolio.csv", PORTFOLIO)
    policy = _policy(tmp_path)
    day = START
    while day <= START + dt.timedelta(days=10):
        _ok(runner, ["run", "--date", day.isoformat(), *db, "--out", str(tmp_path / "out"),
                     "--policy", str(policy), *SETTING_FLAGS, "--by", "carl", "--json"])  # fmt: skip
        day += dt.timedelta(days=1)

    reviews = json.loads(_ok(runner, ["review", "list", *db, "--json"]))["reviews"]
    by_debtor = {r["debtor_id"]: r for r in reviews}
    assert set(by_debtor) == {"P1", "P3"}, reviews
    anna, cees = by_debtor["P1"], by_debtor["P3"]
    assert anna["step"] == cees["step"] == "reminder"
    assert anna["amount"] == "300.00"
    assert cees["amount"] == "250.00"
    assert anna["arrears_months"] == "1.00"  # one month's premium
    # Anna: net EUR 1,050 is below her protected income: no room, and every flag shows
    assert anna["room"] == "0.00"
    # (cannot pay by her figures: the run recorded problematic debt on the first day)
    assert anna["flags"] == ["below-protected-income", "bijstand", "problematic-debt", "vulnerable"]
    # Cees: room above the protected income, no flags
    assert cees["room"] is not None
    assert float(cees["room"]) > 500
    assert cees["flags"] == []
    # the first line about today (not the case's history): the household, then today's step
    assert anna["explanation"].startswith("De klant kan niet betalen"), anna["explanation"]
    assert cees["explanation"].startswith("Vandaag: Herinnering"), cees["explanation"]

    table = _ok(runner, ["review", "list", *db]).splitlines()
    assert table[0].split("\t") == [
        "id", "status", "run date", "case", "step", "amount", "months", "room", "flags",
        "prepared by", "why",
    ]  # fmt: skip
    line = next(row for row in table[1:] if "P1" in row).split("\t")
    assert line[5:9] == [
        "300.00",
        anna["arrears_months"],
        "0.00",
        "below-protected-income,bijstand,problematic-debt,vulnerable",
    ]
    assert line[10] == anna["explanation"]
