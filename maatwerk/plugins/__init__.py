"""The maatwerk plugin system (pluggy, project name ``maatwerk``).

Write a plugin: a module with functions marked :data:`hookimpl` and named after the hooks in
:mod:`maatwerk.plugins.hookspecs`, published through an entry point in the ``maatwerk`` group of
your distribution's ``pyproject.toml``::

    [project.entry-points.maatwerk]
    my_channel = "my_package.maatwerk_plugin"

A minimal plugin that adds a channel::

    from maatwerk.plugins import ChannelSpec, hookimpl

    @hookimpl
    def maatwerk_register_channels():
        return [ChannelSpec(name="sms", factory=SmsChannel, description="Texts via our gateway")]

The records a registration hook returns (:class:`ChannelSpec`, :class:`ImporterSpec`,
:class:`GuardSpec`, :class:`RuleTableSpec`, :class:`CommandSpec`) are exported here.
Nothing is loaded or registered at import time; see :func:`maatwerk.plugins.manager.make_plugin_manager`.
"""

from __future__ import annotations

from typing import Final

import pluggy

from maatwerk.plugins.records import (
    ChannelSpec,
    CommandSpec,
    GuardSpec,
    ImporterSpec,
    RuleTableSpec,
)


__all__ = [
    "PROJECT_NAME",
    "ChannelSpec",
    "CommandSpec",
    "GuardSpec",
    "ImporterSpec",
    "RuleTableSpec",
    "hookimpl",
]

#: The pluggy project name and the entry-point group external plugins are loaded from.
PROJECT_NAME: Final = "maatwerk"

#: Marks a plugin's hook implementations: ``@hookimpl`` or ``@hookimpl(trylast=True)``.
hookimpl: Final = pluggy.HookimplMarker(PROJECT_NAME)
