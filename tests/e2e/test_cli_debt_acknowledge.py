"""End to end: ``maatwerk debt acknowledge`` interrupts limitation (BW 3:318); ``explain`` and
the daily run show a time-barred premium as such and leave it alone."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cli_helpers import SETTING_FLAGS, migrate_and_import
from click.testing import CliRunner

from maatwerk.adapters.storage import SqlStore
from maatwerk.cli import cli
from maatwerk.core.events import StepTaken


# two identical premiums due 2020-03-01: enforceable up to and including 2025-03-01 (BW 3:308)
PORTFOLIO = """\
debtor_id,name,household,net_monthly_income,payday,phone,debt_id,creditor_id,principal,due_date,category,periodic,street,house_number,postcode,city
P1,Person 1,single,1500.00,25,0611111111,B1,zorg,150.00,2020-03-01,premium,yes,Voorbeeldstraat,1,1234 AB,Utrecht
P2,Person 2,single,1500.00,25,0622222222,B2,zorg,150.00,2020-03-01,premium,yes,Voorbeeldstraat,1,1234 AB,Utrecht
"""


def _ok(runner: CliRunner, args: list[str]) -> Any:
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, (args, result.output)
    return json.loads(result.stdout)


def _acknowledge(debtor: str, debt: str, on: str, db: list[str], how: str = "phone") -> list[str]:
    return ["debt", "acknowledge", debtor, "--debt", debt, "--how", how, "--date", on,
            "--by", "anna", *db]  # fmt: skip


def _reasons(explained: dict[str, Any]) -> str:
    return " ".join(explained["cases"][0]["decision"]["reasons"])


class TestAcknowledge:
    def test_in_time_it_keeps_the_claim_late_it_does_not(
        self, runner: CliRunner, db_url: str, tmp_path: Path
    ) -> None:
        db = ["--db", db_url]
        migrate_and_import(runner, db_url, tmp_path / "p.csv", PORTFOLIO)
        recorded = _ok(runner, [*_acknowledge("P1", "B1", "2025-02-01", db), "--json"])
        assert recorded["kind"] == "debt-acknowledged"
        assert (recorded["debt_id"], recorded["how"]) == ("B1", "phone")
        # P2's acknowledgement comes after 2025-03-01: too late, nothing is revived
        _ok(runner, [*_acknowledge("P2", "B2", "2025-06-01", db, "letter"), "--json"])

        for day in ("2026-04-01", "2026-04-02"):
            _ok(runner, ["run", "--date", day, *db, "--out", str(tmp_path / "out"),
                         *SETTING_FLAGS, "--json"])  # fmt: skip

        barred = _ok(runner, ["explain", "P2", "--date", "2026-04-02", *db, "--json"])
        assert "B2 is verjaard sinds 2 maart 2025" in _reasons(barred)
        assert barred["cases"][0]["decision"]["action"] is None
        assert barred["cases"][0]["balance"]["interest"] == "0.00"
        assert barred["cases"][0]["balance"]["costs"] == "0.00"

        alive = _ok(runner, ["explain", "P1", "--date", "2026-04-02", *db, "--json"])
        assert "verjaard" not in _reasons(alive)
        assert alive["cases"][0]["balance"]["interest"] != "0.00"  # interest runs again

        store = SqlStore.from_url(db_url)
        try:
            steps = {
                debtor: [r.event for r in store.history(debtor) if isinstance(r.event, StepTaken)]
                for debtor in ("P1", "P2")
            }
        finally:
            store.close()
        assert steps["P2"] == []
        assert steps["P1"], "the acknowledged premium is chased like any other"

        # nor is a time-barred debt offered in instalments
        offer = runner.invoke(
            cli, ["arrangement", "propose", "P2", "--creditor", "zorg", "--date", "2026-04-02",
                  "--by", "anna", *db],
        )  # fmt: skip
        assert offer.exit_code == 1
        assert "owes nothing at 'zorg' to collect" in offer.output

    def test_refusals(self, runner: CliRunner, db_url: str, tmp_path: Path) -> None:
        db = ["--db", db_url]
        migrate_and_import(runner, db_url, tmp_path / "p.csv", PORTFOLIO)
        unknown_debt = runner.invoke(cli, _acknowledge("P1", "B2", "2025-02-01", db))
        assert unknown_debt.exit_code == 2
        assert "has no debt 'B2'" in unknown_debt.output
        unknown_form = runner.invoke(cli, _acknowledge("P1", "B1", "2025-02-01", db, "fax"))
        assert unknown_form.exit_code == 2
        unknown_debtor = runner.invoke(cli, _acknowledge("PX", "B1", "2025-02-01", db))
        assert unknown_debtor.exit_code == 2
