"""A broken plugin through the CLI: the run goes on without it, names it and exits non-zero.

* a channel that raises in ``deliver()``: exit 1, one line naming the channel, its plugin and
  how many actions wait, no traceback; the next run (channel fixed) delivers them once;
* a plugin whose registration hook raises: disabled with a warning, the run works without it;
  ``--strict`` makes it fatal.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import SETTING_FLAGS, AddEntryPoint, migrate_and_import
from click.testing import CliRunner

from maatwerk.cli import cli


PORTFOLIO = (
    "debtor_id,name,household,net_monthly_income,payday,phone,debt_id,creditor_id,"
    "principal,due_date,category,periodic,street,house_number,postcode,city\n"
    "D1,Anna Texter,single,1500.00,25,0612345678,B1,zorg,80.00,2026-01-10,premium,no,"
    "Voorbeeldstraat,1,1234 AB,Utrecht\n"
    "D2,Bram Texter,single,1500.00,25,0612345679,B2,zorg,90.00,2026-01-10,premium,no,"
    "Voorbeeldstraat,2,1234 AB,Utrecht\n"
)
POLICY = """
schema = 1
name = "texts"
version = "1"

[[step]]
id = "text"
action = "payment-reminder"
channel = "sms"
anchor = "default-date"
days = 7
"""
SMS = """
    import os
    from maatwerk.core.ports import DeliveryReceipt
    from maatwerk.plugins import ChannelSpec, hookimpl

    class Sms:
        name = "sms"

        def deliver(self, actions, context):
            if os.environ.get("SMS_GATEWAY") != "up":
                raise ConnectionError("gateway down for " + actions[0].payload["debtor_name"])
            path = context.output_dir / "sms.log"
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a") as log:
                log.writelines(a.action_id + "\\n" for a in actions)
            return [DeliveryReceipt.delivered(a.action_id, "sms") for a in actions]

    @hookimpl
    def maatwerk_register_channels():
        return [ChannelSpec(name="sms", factory=Sms, description="Texts")]
"""
RAISING = """
    from maatwerk.plugins import hookimpl

    @hookimpl
    def maatwerk_register_guards():
        raise RuntimeError("crm unreachable")
"""


@pytest.fixture
def setup(runner: CliRunner, db_url: str, tmp_path: Path, entry_point: AddEntryPoint) -> list[str]:
    entry_point("acme-sms", SMS)
    migrate_and_import(runner, db_url, tmp_path / "portfolio.csv", PORTFOLIO)
    policy = tmp_path / "texts.toml"
    policy.write_text(POLICY, encoding="utf-8")
    return ["--db", db_url, "--out", str(tmp_path / "out"), "--policy", str(policy), *SETTING_FLAGS]


class TestARaisingChannel:
    def test_exit_1_names_the_plugin_and_the_next_run_delivers_once(
        self,
        runner: CliRunner,
        setup: list[str],
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.setenv("SMS_GATEWAY", "down")
        result = runner.invoke(cli, ["run", "--date", "2026-01-18", *setup])
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
        assert result.stderr.splitlines()[-1] == (
            "Error: channel 'sms' of plugin 'acme-sms' failed for 2 action(s). They stay in "
            "the outbox and are tried again on the next run (details in the log)."
        )
        assert "Anna" not in result.stderr, "no personal data in the log or the message"

        as_json = runner.invoke(cli, ["run", "--date", "2026-01-18", *setup, "--json"])
        assert as_json.exit_code == 1
        summary = json.loads(as_json.stdout)
        assert summary["channel_failures"] == [
            {"channel": "sms", "plugin": "acme-sms", "actions": 2}
        ]

        monkeypatch.setenv("SMS_GATEWAY", "up")
        for day in ("2026-01-19", "2026-01-19", "2026-01-20"):
            fixed = runner.invoke(cli, ["run", "--date", day, *setup])
            assert fixed.exit_code == 0, fixed.output
        sent = (tmp_path / "out" / "sms.log").read_text(encoding="utf-8").splitlines()
        assert len(sent) == 2, "each kept action delivered exactly once"


class TestABrokenRegistrationPlugin:
    def test_is_disabled_with_a_warning_and_strict_makes_it_fatal(
        self,
        runner: CliRunner,
        setup: list[str],
        entry_point: AddEntryPoint,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        entry_point("crm", RAISING)
        monkeypatch.setenv("SMS_GATEWAY", "up")
        result = runner.invoke(cli, ["run", "--date", "2026-01-18", *setup])
        assert result.exit_code == 0, result.output
        assert "Warning: plugin 'crm' is disabled" in result.stderr
        assert "crm unreachable" in result.stderr

        strict = runner.invoke(cli, ["run", "--date", "2026-01-18", *setup, "--strict"])
        assert strict.exit_code == 1
        assert "plugin 'crm' failed in maatwerk_register_guards" in strict.stderr
        assert "Traceback" not in strict.output

        listing = runner.invoke(cli, ["plugins", "--json"])
        assert listing.exit_code == 0
        (broken,) = [p for p in json.loads(listing.stdout)["plugins"] if p["error"]]
        assert broken["name"] == "crm"
        assert runner.invoke(cli, ["plugins", "--strict"]).exit_code == 1


class TestAPolicyChannelFromABrokenPlugin:
    def test_the_error_names_the_broken_plugin(
        self, runner: CliRunner, setup: list[str], entry_point: AddEntryPoint
    ) -> None:
        entry_point("acme-sms", "import does_not_exist_anywhere\n")  # replaces the good one
        result = runner.invoke(cli, ["run", "--date", "2026-01-18", *setup])
        assert result.exit_code == 2
        assert "Warning: plugin 'acme-sms' is disabled" in result.stderr
        last = result.stderr.splitlines()[-1]
        assert "no channel named 'sms'" in last
        assert "broken plugins were skipped: 'acme-sms'" in last


BAD_SETTINGS = """
    from maatwerk.core.ports import DeliveryReceipt
    from maatwerk.plugins import ChannelSpec, hookimpl

    class Sms:
        name = "sms"

        def settings_problems(self, settings):
            return settings["sms_gateway_url"].startswith("https")  # KeyError: a plugin bug

        def deliver(self, actions, context):
            return [DeliveryReceipt.delivered(a.action_id, "sms") for a in actions]

    @hookimpl
    def maatwerk_register_channels():
        return [ChannelSpec(name="sms", factory=Sms, description="Texts")]
"""


class TestRaisingSettingsCheck:
    def test_one_line_naming_channel_and_plugin_exit_2(
        self, runner: CliRunner, setup: list[str], entry_point: AddEntryPoint, tmp_path: Path
    ) -> None:
        entry_point("acme-sms", BAD_SETTINGS)  # replaces the good one
        result = runner.invoke(cli, ["run", "--date", "2026-01-18", *setup])
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
        assert result.stderr.splitlines()[-1] == (
            "Error: channel 'sms' of plugin 'acme-sms' raised KeyError in settings_problems(): "
            "its settings cannot be checked, so nothing is run; fix the plugin (or leave its "
            "channel out of the policy)"
        )
        assert not (tmp_path / "out" / "sms.log").exists()
