"""The plugin docs cover every hook with its exact signature, and the tutorial's code works."""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any

import attrs
import pytest

from maatwerk.core.ports import Channel
from maatwerk.plugins import hookspecs
from maatwerk.plugins.records import (
    ChannelSpec,
    CommandSpec,
    GuardSpec,
    ImporterSpec,
    RuleTableSpec,
)
from maatwerk.testing import ChannelContract


DOCS = Path(__file__).resolve().parents[2] / "docs"
HOOKS_PAGE = DOCS / "plugins" / "hooks.md"
TUTORIAL = DOCS / "plugins" / "tutorial.md"

HOOKS = sorted(name for name in dir(hookspecs) if name.startswith("maatwerk_"))


def signature(name: str) -> str:
    params = inspect.signature(getattr(hookspecs, name)).parameters
    return f"{name}({', '.join(params)})"


def sections() -> dict[str, str]:
    """Hook heading signature -> the text of its section in the hook reference."""
    text = HOOKS_PAGE.read_text(encoding="utf-8")
    parts = re.split(r"^## `([^`]+)`\s*$", text, flags=re.MULTILINE)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts), 2)}


class TestHookReference:
    """Every hook has a section headed by its exact signature, with parameters and an example."""

    def test_the_hook_list_is_not_empty(self) -> None:
        assert "maatwerk_register_channels" in HOOKS
        assert "maatwerk_on_event" in HOOKS

    @pytest.mark.parametrize("hook", HOOKS)
    def test_hook_has_a_section_with_its_signature(self, hook: str) -> None:
        assert signature(hook) in sections(), (
            f"docs/plugins/hooks.md lacks '## `{signature(hook)}`'"
        )

    @pytest.mark.parametrize("hook", HOOKS)
    def test_section_has_parameters_returns_and_an_example(self, hook: str) -> None:
        section = sections()[signature(hook)]
        assert "**Parameters**" in section
        assert "**Returns**" in section
        assert "@hookimpl" in section
        assert f"def {hook}(" in section

    @pytest.mark.parametrize("hook", HOOKS)
    def test_documented_parameters_are_the_real_ones(self, hook: str) -> None:
        section = sections()[signature(hook)]
        for param in inspect.signature(getattr(hookspecs, hook)).parameters:
            assert f"`{param}`" in section

    def test_no_section_for_a_hook_that_does_not_exist(self) -> None:
        assert set(sections()) == {signature(hook) for hook in HOOKS}

    @pytest.mark.parametrize(
        ("hook", "record"),
        [
            ("maatwerk_register_channels", ChannelSpec),
            ("maatwerk_register_importers", ImporterSpec),
            ("maatwerk_register_guards", GuardSpec),
            ("maatwerk_register_rule_tables", RuleTableSpec),
            ("maatwerk_register_commands", CommandSpec),
        ],
    )
    def test_record_fields_are_documented(self, hook: str, record: type[Any]) -> None:
        section = sections()[signature(hook)]
        for field in attrs.fields(record):
            assert f"`{field.name}`" in section, f"{record.__name__}.{field.name} not in {hook}"

    def test_every_hook_is_in_the_specs_all(self) -> None:
        assert set(HOOKS) <= set(hookspecs.__all__)


def tutorial_code(marker: str) -> str:
    blocks = re.findall(r"```python\n(.*?)```", TUTORIAL.read_text(encoding="utf-8"), re.DOTALL)
    (block,) = [b for b in blocks if marker in b]
    return str(block)


class TestTutorialChannelContract(ChannelContract):
    """The SMS channel written in the tutorial keeps the channel contract."""

    @pytest.fixture
    def channel(self) -> Channel:
        namespace: dict[str, Any] = {"__name__": "tutorial_channel"}
        exec(compile(tutorial_code("class SmsChannel"), str(TUTORIAL), "exec"), namespace)  # noqa: S102 - our own docs
        channel: Channel = namespace["SmsChannel"]()
        return channel
