"""The plugin manager's records and checks: what ``maatwerk plugins`` shows, what a
registration hook must return, and pluggy's errors made readable ("did you mean").

Split from :mod:`maatwerk.plugins.manager` to keep that module about loading and lookup.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final, Generic, TypeVar

import attrs

from maatwerk.core.errors import PluginError
from maatwerk.plugins import PROJECT_NAME, hookspecs
from maatwerk.plugins.records import (
    ChannelSpec,
    CommandSpec,
    GuardSpec,
    ImporterSpec,
    RuleTableSpec,
)


__all__ = [
    "REGISTRATION_HOOKS",
    "TRUE_WORDS",
    "AdapterInfo",
    "ClashError",
    "PluginInfo",
    "Registered",
    "bad_hook",
    "explain",
    "parse_disabled",
    "records",
]

#: What an environment variable says to mean "yes" (``MAATWERK_DISABLE_PLUGINS=all``, traces).
TRUE_WORDS: Final = frozenset({"1", "true", "yes", "on", "all"})


def parse_disabled(value: str | None) -> tuple[bool, frozenset[str]]:
    """Parse ``MAATWERK_DISABLE_PLUGINS``: (all blocked?, names blocked)."""
    text = (value or "").strip()
    if not text or text.lower() in {"0", "false", "no", "off"}:
        return False, frozenset()
    if text.lower() in TRUE_WORDS:
        return True, frozenset()
    return False, frozenset(part.strip() for part in text.split(",") if part.strip())


S = TypeVar("S", ChannelSpec, ImporterSpec, GuardSpec, RuleTableSpec, CommandSpec)


@attrs.frozen(kw_only=True)
class PluginInfo:
    """One plugin as ``maatwerk plugins`` shows it. ``error`` is set when it was skipped."""

    name: str
    distribution: str
    version: str
    stock: bool
    hooks: tuple[str, ...] = ()
    error: str = ""


@attrs.frozen(kw_only=True)
class AdapterInfo:
    """One registered adapter (channel, importer, guard, rule table or command)."""

    kind: str
    name: str
    description: str
    plugin: str
    distribution: str
    version: str
    replaces: str = ""
    """the stock plugin whose adapter of this name it replaces (``overrides=True``), else empty"""


@attrs.frozen(kw_only=True)
class Registered(Generic[S]):
    """A registration record together with the name of the plugin that returned it."""

    spec: S
    plugin: str
    replaces: str = ""


#: The registration hooks and the record type each returns.
REGISTRATION_HOOKS: Final[tuple[tuple[str, type[Any]], ...]] = (
    ("maatwerk_register_channels", ChannelSpec),
    ("maatwerk_register_importers", ImporterSpec),
    ("maatwerk_register_guards", GuardSpec),
    ("maatwerk_register_rule_tables", RuleTableSpec),
    ("maatwerk_register_commands", CommandSpec),
)


def records(returned: object, record_type: type[S], plugin: str, hook: str) -> Sequence[S]:
    if returned is None:
        return ()
    items: list[object] = [returned] if isinstance(returned, record_type) else []
    if not items:
        if isinstance(returned, (str, bytes, Mapping)) or not isinstance(returned, Iterable):
            raise PluginError(
                f"plugin {plugin!r}: {hook} must return {record_type.__name__} records, "
                f"got {type(returned).__name__}",
                plugin=plugin,
                hook=hook,
            )
        items = list(returned)
    checked: list[S] = []
    for item in items:
        if not isinstance(item, record_type):
            raise PluginError(
                f"plugin {plugin!r}: {hook} must return {record_type.__name__} records, "
                f"got {type(item).__name__}",
                plugin=plugin,
                hook=hook,
            )
        checked.append(item)
    return checked


def _hook_names() -> list[str]:
    return sorted(name for name in dir(hookspecs) if name.startswith(f"{PROJECT_NAME}_"))


def explain(exc: BaseException) -> str:
    """pluggy's message, with "did you mean" when it names a hook that does not exist."""
    text = str(exc)
    bad = bad_hook(exc)
    if bad is not None and bad not in _hook_names():
        close = difflib.get_close_matches(bad, _hook_names(), n=1)
        if close:
            text += f" (did you mean {close[0]!r}?)"
    return text


def bad_hook(exc: BaseException) -> str | None:
    text = str(exc)
    for word in text.replace("'", " ").replace('"', " ").split():
        if word.startswith(f"{PROJECT_NAME}_"):
            return word
    return None


class ClashError(Exception):
    """Internal: two plugins registered the same name (``error`` says so)."""

    def __init__(self, error: PluginError, plugins: tuple[str, str]) -> None:
        super().__init__(str(error))
        self.error = error
        self.plugins = plugins
