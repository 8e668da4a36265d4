"""``maatwerk knooppunt`` takes its Schuldenknooppunt hub from the plugins
(``maatwerk_debt_settlement_hub``): a plugin's hub is used without --inbox/--outbox, the stock
file stand-in otherwise; no hub at all stops with one line (exit 2)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import pytest
from cli_helpers import migrate_and_import, plugins_with
from click.testing import CliRunner

from maatwerk.adapters.knooppunt_files import FileHub
from maatwerk.cli import cli
from maatwerk.core.debt_settlement import (
    BalanceReply,
    BalanceRequest,
    HubMessage,
    HubReply,
    SettlementProposal,
)
from maatwerk.core.errors import PluginError
from maatwerk.plugins import hookimpl
from maatwerk.plugins.manager import make_plugin_manager


PORTFOLIO = (
    "debtor_id,name,household,net_monthly_income,payday,debt_id,creditor_id,principal,due_date,"
    "category\n"
    "P1,Anna,single,1050.00,25,B1,zorg,600.00,2026-03-02,invoice\n"
)


class MemoryHub:
    """A hub held in memory, as a plugin for the real web services would provide."""

    name = "memory"

    def __init__(self, messages: Sequence[HubMessage]) -> None:
        self.messages = list(messages)
        self.sent: list[HubReply] = []

    def receive(self) -> Sequence[HubMessage]:
        return list(self.messages)

    def send(self, replies: Sequence[HubReply]) -> Sequence[str]:
        self.sent.extend(replies)
        return [f"mem:{r.message_id}" for r in replies]


class HubPlugin:
    def __init__(self, hub: object) -> None:
        self.hub = hub

    @hookimpl
    def maatwerk_debt_settlement_hub(self) -> object:
        return self.hub


MESSAGES: list[HubMessage] = [
    BalanceRequest(message_id="S-1", debtor_id="P1", as_of=dt.date(2026, 3, 5)),
    SettlementProposal(
        message_id="V-1",
        debtor_id="P1",
        proposed_on=dt.date(2026, 3, 5),
        percentage=Decimal(40),
        pay_by=dt.date(2026, 6, 30),
    ),
]


def test_a_plugins_hub_is_used_by_process_and_decide(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    db = ["--db", f"sqlite:///{tmp_path / 'm.db'}"]
    migrate_and_import(runner, db[1], tmp_path / "p.csv", PORTFOLIO)
    hub = MemoryHub(MESSAGES)
    manager = plugins_with((HubPlugin(hub), "memory-hub"))
    monkeypatch.setattr("maatwerk.cli.knooppunt.plugin_manager", manager)
    done = runner.invoke(cli, ["knooppunt", "process", *db, "--date", "2026-03-06", "--json"])
    assert done.exit_code == 0, done.output
    summary = json.loads(done.stdout)
    assert (summary["requests"], summary["proposals"]) == (1, 1)
    assert summary["replies"] == ["mem:S-1-antwoord"]
    (reply,) = hub.sent
    assert isinstance(reply, BalanceReply)
    assert reply.total.amount == Decimal("600.00")
    decided = runner.invoke(
        cli,
        ["knooppunt", "decide", "P1", "V-1", "--accept", "--by", "anna", *db,
         "--date", "2026-03-07"],
    )  # fmt: skip
    assert decided.exit_code == 0, decided.output
    assert [r.in_reply_to for r in hub.sent] == ["S-1", "V-1"]
    assert not list(tmp_path.glob("**/*.json"))  # nothing went through the file stand-in


def test_without_a_plugin_hub_the_file_stand_in_or_one_line(tmp_path: Path) -> None:
    manager = make_plugin_manager(load_entrypoints=False)
    hub = manager.settlement_hub(inbox=tmp_path / "in", outbox=tmp_path / "out")
    assert isinstance(hub, FileHub)
    assert manager.settlement_hub() is None
    runner = CliRunner()
    result = runner.invoke(cli, ["knooppunt", "process", "--db", f"sqlite:///{tmp_path / 'm.db'}"])
    assert result.exit_code == 2
    assert "no Schuldenknooppunt hub" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_plugin_returning_no_hub_is_named() -> None:
    manager = make_plugin_manager(load_entrypoints=False)
    manager.register(HubPlugin("not a hub"), "bad-hub")
    with pytest.raises(PluginError, match="bad-hub"):
        manager.settlement_hub()
