"""``maatwerk plugins`` and plugin-supplied commands, through the real CLI."""

from __future__ import annotations

import json

import pytest
from cli_helpers import AddEntryPoint
from click.testing import CliRunner

from maatwerk.cli import cli


HELLO = """
    import click
    from maatwerk.plugins import CommandSpec, hookimpl

    @click.command("hello")
    @click.argument("who")
    def hello(who):
        \"\"\"Say hello (from a plugin).\"\"\"
        click.echo(f"hallo {who}")

    @hookimpl
    def maatwerk_register_commands():
        return [CommandSpec(name="hello", factory=lambda: hello, description="Greets")]
"""

RAISING = """
    from maatwerk.plugins import hookimpl

    @hookimpl
    def maatwerk_register_commands():
        raise RuntimeError("crm unreachable")
"""


class TestPluginsCommand:
    """`maatwerk plugins` lists plugins, hooks and adapters with versions."""

    def test_json_is_one_object_with_the_stock_plugin(self, runner: CliRunner) -> None:
        result = runner.invoke(cli, ["plugins", "--json"], env={"MAATWERK_DISABLE_PLUGINS": "1"})
        assert result.exit_code == 0, result.output
        report = json.loads(result.stdout)
        assert report["hook_api_version"] == 1
        assert report["external_plugins_disabled"] is True
        (stock,) = report["plugins"]
        assert stock["name"] == "maatwerk.plugins.stock"
        assert stock["distribution"] == "maatwerk"
        assert stock["version"]
        assert "maatwerk_register_channels" in stock["hooks"]
        kinds = {(a["kind"], a["name"]) for a in report["adapters"]}
        assert {
            ("channel", "letters"),
            ("channel", "phone-worklist"),
            ("guard", "deceased"),
        } <= kinds
        assert report["error"] is None

    def test_text_lists_adapters(self, runner: CliRunner) -> None:
        result = runner.invoke(cli, ["plugins"], env={"MAATWERK_DISABLE_PLUGINS": "1"})
        assert result.exit_code == 0, result.output
        assert "external plugins disabled" in result.stdout
        assert "letters" in result.stdout
        assert "phone-worklist" in result.stdout

    def test_an_external_plugin_is_listed(
        self, runner: CliRunner, entry_point: AddEntryPoint
    ) -> None:
        entry_point("greeter", HELLO)
        report = json.loads(runner.invoke(cli, ["plugins", "--json"]).stdout)
        assert "greeter" in [p["name"] for p in report["plugins"]]
        assert {"kind": "command", "name": "hello"}.items() <= next(
            a for a in report["adapters"] if a["name"] == "hello"
        ).items()


BAILIFF = """
    from maatwerk.plugins import ChannelSpec, hookimpl
    from maatwerk.testing import FakeChannel

    @hookimpl
    def maatwerk_register_channels():
        return [ChannelSpec(name="bailiff", factory=lambda: FakeChannel(name="bailiff"),
                            description="Dossier by HTTP", overrides=True)]
"""


class TestReplacedStockChannels:
    def test_the_listing_says_which_stock_channel_is_replaced(
        self, runner: CliRunner, entry_point: AddEntryPoint
    ) -> None:
        entry_point("acme-bailiff", BAILIFF)
        text = runner.invoke(cli, ["plugins"]).stdout
        (line,) = [line for line in text.splitlines() if "Dossier by HTTP" in line]
        assert "(acme-bailiff; REPLACES the stock channel 'bailiff')" in line
        report = json.loads(runner.invoke(cli, ["plugins", "--json"]).stdout)
        (bailiff,) = [a for a in report["adapters"] if a["name"] == "bailiff"]
        assert bailiff["plugin"] == "acme-bailiff"
        assert bailiff["replaces"] == "maatwerk.plugins.stock"


class TestPluginCommands:
    """Plugin commands join the CLI lazily; a broken plugin never breaks --help."""

    def test_a_plugin_command_runs_and_shows_in_help(
        self, runner: CliRunner, entry_point: AddEntryPoint
    ) -> None:
        entry_point("greeter", HELLO)
        assert "hello" in runner.invoke(cli, ["--help"]).stdout
        result = runner.invoke(cli, ["hello", "Anna"])
        assert result.exit_code == 0, result.output
        assert result.stdout == "hallo Anna\n"

    def test_disabled_plugins_add_no_commands(
        self, runner: CliRunner, entry_point: AddEntryPoint
    ) -> None:
        entry_point("greeter", HELLO)
        result = runner.invoke(cli, ["hello", "Anna"], env={"MAATWERK_DISABLE_PLUGINS": "1"})
        assert result.exit_code == 2
        assert "No such command 'hello'" in result.output

    @pytest.mark.parametrize(
        ("name", "source", "help_says", "listing_code", "listing_stream", "listing_says"),
        [
            (
                "broken",
                "import does_not_exist_anywhere\n",
                ["plugin 'broken' was skipped"],
                0,
                "stdout",
                "BROKEN, SKIPPED: import failed",
            ),
            (
                "crm",
                RAISING,
                ["plugin 'crm' was skipped", "crm unreachable"],
                0,
                "stdout",
                "BROKEN, SKIPPED: plugin 'crm' failed in maatwerk_register_commands",
            ),
        ],
        ids=["does-not-import", "raises"],
    )
    def test_help_works_and_the_broken_plugin_is_named(
        self,
        *,
        runner: CliRunner,
        entry_point: AddEntryPoint,
        name: str,
        source: str,
        help_says: list[str],
        listing_code: int,
        listing_stream: str,
        listing_says: str,
    ) -> None:
        entry_point(name, source)
        result = runner.invoke(cli, ["--help"])
        assert result.exit_code == 0, result.output
        assert "calc" in result.stdout
        for words in help_says:
            assert words in result.stderr
        listing = runner.invoke(cli, ["plugins"])
        assert listing.exit_code == listing_code
        assert listing_says in getattr(listing, listing_stream)

    def test_an_unknown_command_mentions_the_plugin_failure(
        self, runner: CliRunner, entry_point: AddEntryPoint
    ) -> None:
        entry_point("crm", RAISING)
        result = runner.invoke(cli, ["sync-crm"])
        assert result.exit_code == 2
        assert "broken plugins were skipped: 'crm'" in result.output


SMS = """
    from maatwerk.core.ports import DeliveryReceipt
    from maatwerk.plugins import ChannelSpec, hookimpl

    class Sms:
        name = "sms"

        def deliver(self, actions, context):
            return [DeliveryReceipt.delivered(a.action_id, "sms") for a in actions]

    @hookimpl
    def maatwerk_register_channels():
        return [ChannelSpec(name="sms", factory=Sms, description="Texts")]
"""


class TestTwoPluginsOneName:
    """Two plugins registering the same channel name: both are disabled (neither is preferred),
    with a warning naming both; ``--strict`` makes it fatal."""

    def test_both_are_listed_as_broken(self, runner: CliRunner, entry_point: AddEntryPoint) -> None:
        entry_point("sms-a", SMS)
        entry_point("sms-b", SMS)
        listing = runner.invoke(cli, ["plugins"])
        assert listing.exit_code == 0, listing.output
        assert "Traceback" not in listing.output
        broken = [line for line in listing.stdout.splitlines() if "BROKEN, SKIPPED" in line]
        assert len(broken) == 2
        for line in broken:
            assert "channel name 'sms' is registered twice" in line
            assert "'sms-a'" in line
            assert "'sms-b'" in line
            assert "(both are disabled)" in line

        as_json = runner.invoke(cli, ["plugins", "--json"])
        assert as_json.exit_code == 0
        report = json.loads(as_json.stdout)
        assert {"sms-a", "sms-b"} <= {p["name"] for p in report["plugins"] if p["error"]}
        assert "sms" not in {a["name"] for a in report["adapters"] if a["kind"] == "channel"}

        # any command warns, naming both
        warned = runner.invoke(cli, ["--help"])
        assert warned.exit_code == 0
        assert "channel name 'sms' is registered twice" in warned.stderr

        strict = runner.invoke(cli, ["plugins", "--strict"])
        assert strict.exit_code == 1
        assert "Traceback" not in strict.output
        assert "channel name 'sms' is registered twice" in strict.stderr
