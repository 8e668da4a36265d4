"""``maatwerk run`` says what its channels delivered and refused, not only what it decided."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from cli_helpers import SETTING_FLAGS, migrate_and_import, plugins_with
from click.testing import CliRunner

from maatwerk.cli import cli
from maatwerk.core.ports import DeliveryContext, DeliveryReceipt, OutboundAction
from maatwerk.plugins import hookimpl
from maatwerk.plugins.records import ChannelSpec


RUN = dt.date(2026, 3, 2)
PORTFOLIO = (
    "debtor_id,name,household,net_monthly_income,payday,phone,debt_id,creditor_id,principal,"
    "due_date,category,periodic,street,house_number,postcode,city\n"
    + "".join(
        f"D{i},Person {i},single,1500.00,25,0612345678,B{i},zorg,100.00,{RUN + dt.timedelta(5)},"
        f"premium,yes,Voorbeeldstraat,{i},1234 AB,Utrecht\n"
        for i in range(3)
    )
)


class ClosedPrinter:
    """A plugin's letters channel whose printer is closed: it refuses every letter."""

    name = "letters"

    def deliver(
        self, actions: Sequence[OutboundAction], context: DeliveryContext
    ) -> list[DeliveryReceipt]:
        return [DeliveryReceipt.refused(a.action_id, "the printer is closed") for a in actions]


class PrinterPlugin:
    @hookimpl
    def maatwerk_register_channels(self) -> list[ChannelSpec]:
        return [
            ChannelSpec(name="letters", factory=ClosedPrinter, description="closed", overrides=True)
        ]


def _run(runner: CliRunner, db_url: str, tmp_path: Path, *extra: str) -> str:
    result = runner.invoke(
        cli,
        ["run", "--date", RUN.isoformat(), "--db", db_url, "--out", str(tmp_path / "out"),
         *SETTING_FLAGS, *extra],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return result.stdout


class TestRunSummary:
    def test_the_summary_counts_what_was_delivered(
        self, runner: CliRunner, db_url: str, tmp_path: Path
    ) -> None:
        migrate_and_import(runner, db_url, tmp_path / "p.csv", PORTFOLIO)
        output = _run(runner, db_url, tmp_path)
        assert "  actions decided: courtesy-reminder 3" in output
        assert "  dispatched: delivered 3" in output

    def test_refused_letters_are_counted_as_refused(
        self, runner: CliRunner, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(
            "maatwerk.cli.run.plugin_manager", plugins_with((PrinterPlugin(), "printer"))
        )
        migrate_and_import(runner, db_url, tmp_path / "p.csv", PORTFOLIO)
        output = _run(runner, db_url, tmp_path)
        assert "  dispatched: refused 3" in output
        assert "delivered" not in output
        again = json.loads(_run(runner, db_url, tmp_path, "--json"))  # nothing left to send
        assert again["dispatched"] == {}
