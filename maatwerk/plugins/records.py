"""The frozen records registration hooks return (conda's ``plugins/types.py`` in spirit).

Every record has a unique ``name`` (what the organisation's config writes), a ``factory`` that
builds the adapter when it is needed (never at registration), and a one-line ``description``
shown by ``maatwerk plugins``. ``overrides=True`` lets an external plugin replace a stock
adapter of the same name on purpose; any other name clash is a :class:`PluginError`.
"""

from __future__ import annotations

import pathlib
import re
from collections.abc import Callable, Iterable
from typing import Final

import attrs
import click

from maatwerk.core.policy.guards import GuardSpec as PolicyGuardSpec
from maatwerk.core.ports import Channel, Importer


__all__ = ["ChannelSpec", "CommandSpec", "GuardSpec", "ImporterSpec", "RuleTableSpec", "Spec"]

_NAME: Final = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


def _check_name(_instance: object, _attribute: object, value: str) -> None:
    if not _NAME.match(value):
        raise ValueError(
            f"plugin record name {value!r} must be lower case letters, digits, '.', '_' or '-'"
        )


def _str_tuple(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


def _check_description(_instance: object, _attribute: object, value: str) -> None:
    if not value.strip():
        raise ValueError("a plugin record needs a description")


@attrs.frozen(kw_only=True)
class ChannelSpec:
    """A delivery channel: ``factory()`` returns a :class:`~maatwerk.core.ports.Channel`.

    ``action_kinds`` lists the policy action kinds the channel is meant for (``()``: any);
    it is informative (shown by ``maatwerk plugins``), the config decides the routing.
    """

    name: str = attrs.field(validator=_check_name)
    factory: Callable[[], Channel]
    description: str = attrs.field(validator=_check_description)
    action_kinds: tuple[str, ...] = attrs.field(default=(), converter=_str_tuple)
    overrides: bool = False


@attrs.frozen(kw_only=True)
class ImporterSpec:
    """A file importer: ``factory()`` returns an :class:`~maatwerk.core.ports.Importer`.

    ``kind`` says what the records are (``"returns"``, ``"payments"``, ``"portfolio"`` ...), so
    ``maatwerk import <kind>`` can offer every importer of that kind.
    """

    name: str = attrs.field(validator=_check_name)
    kind: str = attrs.field(validator=_check_name)
    factory: Callable[[], Importer[object]]
    description: str = attrs.field(validator=_check_description)
    overrides: bool = False


@attrs.frozen(kw_only=True)
class GuardSpec:
    """A policy guard (veto or postpone a step).

    ``factory()`` returns the policy engine's guard record,
    :class:`maatwerk.core.policy.guards.GuardSpec` (``code`` equal to ``name``, the ``check``
    callable ``(GuardContext) -> Verdict | None``, the action kinds it applies to, whether a
    policy may switch it off). A mandatory stock guard cannot be replaced.
    """

    name: str = attrs.field(validator=_check_name)
    factory: Callable[[], PolicyGuardSpec]
    description: str = attrs.field(validator=_check_description)
    overrides: bool = False


@attrs.frozen(kw_only=True)
class RuleTableSpec:
    """A dated rule table or policy file: ``factory()`` returns the path of the TOML file.

    The file's stem must equal ``name`` (the rule-table format requires ``table = name``).
    """

    name: str = attrs.field(validator=_check_name)
    factory: Callable[[], pathlib.Path]
    description: str = attrs.field(validator=_check_description)
    overrides: bool = False


@attrs.frozen(kw_only=True)
class CommandSpec:
    """A CLI command: ``factory()`` returns a click command added as ``maatwerk <name>``."""

    name: str = attrs.field(validator=_check_name)
    factory: Callable[[], click.Command]
    description: str = attrs.field(validator=_check_description)
    overrides: bool = False


#: Any registration record.
Spec = ChannelSpec | ImporterSpec | GuardSpec | RuleTableSpec | CommandSpec
