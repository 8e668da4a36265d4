"""Policy overlays: ``extends = "humane"`` with per-step overrides, checked like any policy.

An overlay changes a step (its channel, its delay) without copying the ladder; an error in an
override names the overlay's file, line and field with "did you mean"; an error in the base
names the base; ``maatwerk policy show`` and ``check`` show and check the merged policy.
"""

from __future__ import annotations

import json
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner

from maatwerk.adapters.policy_loader import load_policy, resolve_policy
from maatwerk.cli import cli
from maatwerk.core.errors import PolicyError
from maatwerk.core.events import ActionKind


OVERLAY = """\
schema = 1
name = "gemeente-x"
version = "2026.1"
extends = "humane"
title = "Humane, with texts"

[settings]
amicable_track_days = 21

[steps.reminder]
channel = "sms"
days = 10

[steps.call]
days = 12
"""
#: every channel humane uses, and the new one
CHANNELS = frozenset(
    {
        "bailiff",
        "cak-report",
        "ledger",
        "letters",
        "municipal",
        "phone-worklist",
        "sepa-direct-debit",
        "source-deduction",
        "sms",
    }
)


def write(tmp_path: Path, text: str, name: str = "gemeente-x.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error(path: Path, channels: frozenset[str] | None = None) -> PolicyError:
    with pytest.raises(PolicyError) as caught:
        load_policy(path, channels=channels)
    return caught.value


class TestMerging:
    def test_one_step_routed_and_one_delay_changed_the_rest_is_the_base(
        self, tmp_path: Path
    ) -> None:
        humane = load_policy(resolve_policy("humane"))
        policy = load_policy(write(tmp_path, OVERLAY), channels=CHANNELS)
        assert policy.label == "gemeente-x@2026.1"
        assert policy.title == "Humane, with texts"
        assert [s.id for s in policy.steps] == [s.id for s in humane.steps]
        reminder, call = policy.step("reminder"), policy.step("call")
        assert reminder.channel == "sms"
        assert reminder.timing.days == 10
        assert reminder.params == humane.step("reminder").params, "the rest of the step stays"
        assert reminder.title_nl == humane.step("reminder").title_nl
        assert call.timing.days == 12
        assert call.channel == humane.step("call").channel
        changed = {s.id for s in policy.steps if s != humane.step(s.id)}
        assert changed == {"reminder", "call"}
        assert policy.settings == attrs.evolve(humane.settings, amicable_track_days=21)

    def test_an_overlay_may_extend_an_overlay_by_relative_path(self, tmp_path: Path) -> None:
        write(tmp_path, OVERLAY)
        second = write(
            tmp_path,
            'schema = 1\nname = "wijk"\nversion = "1"\nextends = "gemeente-x.toml"\n'
            "[steps.reminder]\ndays = 5\n",
            "wijk.toml",
        )
        policy = load_policy(second)
        assert policy.step("reminder").channel == "sms"
        assert policy.step("reminder").timing.days == 5
        assert policy.step("call").timing.days == 12
        assert policy.settings.amicable_track_days == 21

    def test_a_when_table_replaces_the_base_table_whole(self, tmp_path: Path) -> None:
        text = OVERLAY + '\n[steps.bailiff.when]\nmin_arrears = "500.00"\n'
        policy = load_policy(write(tmp_path, text))
        bailiff = policy.step("bailiff")
        assert bailiff.action is ActionKind.BAILIFF_HANDOVER
        assert str(bailiff.conditions.min_arrears) == "EUR 500.00"


class TestErrorsNameTheOverlay:
    @pytest.mark.parametrize(
        ("old", "new", "line", "field", "words"),
        [
            ("days = 12", "dayz = 12", 15, "steps.call.dayz", "did you mean 'days'?"),
            ("[steps.call]", "[steps.cal]", 14, "steps.cal", "did you mean 'call'?"),
            ('extends = "humane"', 'extends = "humain"', 4, "extends", "did you mean 'humane'?"),
            ("days = 10", 'days = "ten"', 12, "steps.reminder.days", "days"),
            ("[settings]", "[settings]\namicable_days = 3", 8, "settings.amicable_days", "did you"),
        ],
        ids=["key", "step-id", "base", "value", "setting"],
    )
    def test_a_bad_override_is_located_in_the_overlay(
        self, *, tmp_path: Path, old: str, new: str, line: int, field: str, words: str
    ) -> None:
        path = write(tmp_path, OVERLAY.replace(old, new))
        caught = error(path, channels=CHANNELS)
        assert caught.location.file == str(path)
        assert caught.location.line == line
        assert caught.location.field == field
        assert words in str(caught)

    def test_an_unknown_channel_in_an_override(self, tmp_path: Path) -> None:
        path = write(tmp_path, OVERLAY.replace('"sms"', '"smss"'))
        caught = error(path, channels=CHANNELS)
        assert (caught.location.file, caught.location.line) == (str(path), 11)
        assert caught.location.field == "steps.reminder.channel"
        assert "did you mean 'sms'?" in str(caught)

    def test_an_error_in_the_base_names_the_base(self, tmp_path: Path) -> None:
        humane = resolve_policy("humane").read_text(encoding="utf-8")
        text = humane.replace('channel = "phone-worklist"', 'channel = "telefoon"', 1)
        base = write(tmp_path, text, "base.toml")
        path = write(tmp_path, OVERLAY.replace('"humane"', '"base.toml"'))
        caught = error(path, channels=CHANNELS)
        assert caught.location.file == str(base)
        assert "'telefoon'" in str(caught)

    def test_a_circle_is_refused(self, tmp_path: Path) -> None:
        write(tmp_path, 'schema = 1\nname = "a"\nversion = "1"\nextends = "b.toml"\n', "a.toml")
        path = write(
            tmp_path, 'schema = 1\nname = "b"\nversion = "1"\nextends = "a.toml"\n', "b.toml"
        )
        assert "in a circle" in str(error(path))

    @pytest.mark.parametrize(
        ("text", "words"),
        [
            (OVERLAY + '\n[[step]]\nid = "x"\n', "does not list [[step]]"),
            (OVERLAY.replace('name = "gemeente-x"\n', ""), "missing 'name'"),
            (
                'schema = 1\nname = "x"\nversion = "1"\nextends = "humane"\nsteps = 3\n',
                "steps must be",
            ),
            (OVERLAY.replace('channel = "sms"\n', 'id = "other"\n'), "unknown key 'id'"),
        ],
        ids=["step-list", "no-name", "steps-not-tables", "id"],
    )
    def test_what_an_overlay_may_not_do(self, tmp_path: Path, text: str, words: str) -> None:
        assert words in str(error(write(tmp_path, text)))


class TestCommands:
    def test_show_prints_the_merged_policy(self, tmp_path: Path) -> None:
        path = write(tmp_path, OVERLAY)
        result = CliRunner().invoke(cli, ["policy", "show", str(path), "--json"])
        assert result.exit_code == 0, result.output
        shown = json.loads(result.stdout)
        assert shown["policy"] == "gemeente-x@2026.1"
        steps = {s["id"]: s for s in shown["steps"]}
        assert steps["reminder"]["channel"] == "sms"
        assert len(steps) == len(load_policy(resolve_policy("humane")).steps)

    def test_check_refuses_an_unregistered_channel_with_exit_2(self, tmp_path: Path) -> None:
        path = write(tmp_path, OVERLAY)
        result = CliRunner().invoke(
            cli, ["policy", "check", str(path)], env={"MAATWERK_DISABLE_PLUGINS": "1"}
        )
        assert result.exit_code == 2
        assert f"{path}, line 11, field 'steps.reminder.channel'" in result.stderr
        assert "no channel named 'sms'" in result.stderr
