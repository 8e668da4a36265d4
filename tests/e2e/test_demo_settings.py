"""``maatwerk demo --settings FILE``: a plugin channel gets its settings, a missing one stops the
demo before it starts, and the summary counts what was delivered and refused, not planned."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import attrs
import pytest
from cli_helpers import plugins_with
from click.testing import CliRunner

from maatwerk.cli import cli
from maatwerk.core.ports import DeliveryContext, DeliveryReceipt, OutboundAction
from maatwerk.plugins import hookimpl
from maatwerk.plugins.records import ChannelSpec


@attrs.define(eq=False)
class Dialer:
    """A plugin's work-list channel that needs its endpoint and refuses every call (the dialer
    is down), so that what it refused is what the summary must count."""

    name: str = "phone-worklist"
    settings: list[Mapping[str, str]] = attrs.field(factory=list)
    refused: set[str] = attrs.field(factory=set)

    def settings_problems(self, settings: Mapping[str, str]) -> list[str]:
        return [] if settings.get("dialer_url") else ["setting 'dialer_url' is missing"]

    def deliver(
        self, actions: Sequence[OutboundAction], context: DeliveryContext
    ) -> list[DeliveryReceipt]:
        self.settings.append(context.settings)
        self.refused.update(a.action_id for a in actions)
        return [DeliveryReceipt.refused(a.action_id, "the dialer is down") for a in actions]


@attrs.define(eq=False)
class DialerPlugin:
    dialer: Dialer

    @hookimpl
    def maatwerk_register_channels(self) -> list[ChannelSpec]:
        return [
            ChannelSpec(
                name="phone-worklist",
                factory=lambda: self.dialer,
                description="calls through our dialer",
                overrides=True,
            )
        ]


@pytest.fixture
def dialer(monkeypatch: pytest.MonkeyPatch) -> Dialer:
    found = Dialer()
    monkeypatch.setattr(
        "maatwerk.cli.demo.plugin_manager", plugins_with((DialerPlugin(found), "dialer"))
    )
    return found


ARGS = ("demo", "--debtors", "40", "--days", "75", "--seed", "7", "--json")


class TestDemoSettings:
    def test_a_missing_plugin_setting_stops_the_demo_before_it_starts(
        self, dialer: Dialer, tmp_path: Path
    ) -> None:
        out = tmp_path / "out"
        result = CliRunner().invoke(cli, [*ARGS, "--out", str(out)])
        assert result.exit_code == 2, result.output
        assert "phone-worklist: setting 'dialer_url' is missing" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        assert not out.exists()  # nothing written
        assert dialer.settings == []

    def test_the_settings_file_reaches_the_plugin_and_refusals_are_counted(
        self, dialer: Dialer, tmp_path: Path
    ) -> None:
        settings = tmp_path / "settings.toml"
        settings.write_text(
            '[channels]\ndialer_url = "https://dialer.example/api"\n\n'
            '[creditors.demo]\ncreditor_phone = "0800-9999999"\n',
            encoding="utf-8",
        )
        out = tmp_path / "out"
        result = CliRunner().invoke(cli, [*ARGS, "--out", str(out), "--settings", str(settings)])
        assert result.exit_code == 0, result.output
        summary = json.loads(result.stdout)
        assert dialer.settings, "the demo called no phone-worklist"
        assert {s["dialer_url"] for s in dialer.settings} == {"https://dialer.example/api"}
        # a demo creditor's own table lies over its demo settings (its letters give the phone)
        letters = [p.read_text(encoding="utf-8") for p in (out / "letters").rglob("*.txt")]
        assert any("0800-9999999" in text for text in letters)
        assert not any("0800-0123456" in text for text in letters)
        # the summary counts what the channels did, not what the policy decided
        assert summary["refused"] == {"phone-call": len(dialer.refused)}
        assert "phone-call" not in summary["delivered"]
        assert summary["delivered"]["courtesy-reminder"] > 0
        assert summary["bailiff"] == summary["bailiff_refused"] == 0
        assert sum(summary["delivered"].values()) + len(dialer.refused) <= summary["actions"]
