"""The maatwerk hook specifications: the contract between maatwerk and its plugins.

Every hook is prefixed ``maatwerk_``. maatwerk calls hooks with keyword arguments only, so an
implementation may accept any subset of a hook's parameters, and new parameters can be added
without breaking existing plugins. Registration hooks (``maatwerk_register_*``) take no
arguments and return an iterable of records (``ChannelSpec``, ...); returning ``None`` or an
empty list means "nothing to add". A plugin is a module or object with these functions marked
by :data:`maatwerk.plugins.hookimpl`, published in the ``maatwerk`` entry-point group::

    [project.entry-points.maatwerk]
    my_plugin = "my_package.maatwerk_plugin"

Compatibility promise (hook API version 1): hooks are never renamed or removed and their
parameters never change meaning within a major version of maatwerk; parameters may be added.
A hook that is going away is first deprecated for at least one minor release (pluggy's
``warn_on_impl``). Each hook says when it was added (``versionadded``).
"""

from __future__ import annotations

import pathlib
from collections.abc import Iterable
from typing import Final

import pluggy

from maatwerk.core.events import Event
from maatwerk.core.ports import DebtSettlementHub
from maatwerk.plugins.records import (
    ChannelSpec,
    CommandSpec,
    GuardSpec,
    ImporterSpec,
    RuleTableSpec,
)


__all__ = [
    "HOOK_API_VERSION",
    "maatwerk_debt_settlement_hub",
    "maatwerk_on_event",
    "maatwerk_register_channels",
    "maatwerk_register_commands",
    "maatwerk_register_guards",
    "maatwerk_register_importers",
    "maatwerk_register_rule_tables",
]

#: Version of the hook API described here (see the compatibility promise above).
HOOK_API_VERSION: Final = 1

_spec = pluggy.HookspecMarker("maatwerk")


# ---------------------------------------------------------------------- registration hooks
@_spec
def maatwerk_register_channels() -> Iterable[ChannelSpec] | None:
    """Add delivery channels (letters, phone work lists, direct-debit files, bailiff export ...).

    :return: channel records; each ``name`` must be unique over all plugins.

    Example::

        @hookimpl
        def maatwerk_register_channels():
            return [ChannelSpec(name="sms", factory=SmsChannel, description="Texts via our gateway")]

    .. versionadded:: 0.1
    """


@_spec
def maatwerk_register_importers() -> Iterable[ImporterSpec] | None:
    """Add file importers (portfolio, payments, bank returns ...).

    :return: importer records; each ``name`` must be unique over all plugins.

    Example::

        @hookimpl
        def maatwerk_register_importers():
            return [ImporterSpec(name="our-bank-csv", kind="payments",
                                 factory=OurBankCsv, description="Payments from our bank's CSV")]

    .. versionadded:: 0.1
    """


@_spec
def maatwerk_register_guards() -> Iterable[GuardSpec] | None:
    """Add policy guards that can veto or postpone a step.

    :return: guard records; each ``name`` must be unique over all plugins. A policy file
        names the guards it uses.

    Example::

        @hookimpl
        def maatwerk_register_guards():
            return [GuardSpec(name="winter-stop", factory=make_winter_stop,
                              description="No disconnection steps from 1 Nov to 31 Mar")]

    .. versionadded:: 0.1
    """


@_spec
def maatwerk_register_rule_tables() -> Iterable[RuleTableSpec] | None:
    """Add or replace dated rule tables and policy files (TOML).

    :return: rule-table records; the factory returns the TOML file's path. To replace a stock
        table (for example your own bailiff threshold), set ``overrides=True``.

    Example::

        @hookimpl
        def maatwerk_register_rule_tables():
            here = pathlib.Path(__file__).parent
            return [RuleTableSpec(name="bailiff_threshold", factory=lambda: here / "bailiff_threshold.toml",
                                  description="Our board's threshold", overrides=True)]

    .. versionadded:: 0.1
    """


@_spec
def maatwerk_register_commands() -> Iterable[CommandSpec] | None:
    """Add ``maatwerk`` CLI commands (click commands or groups).

    :return: command records; ``name`` is the sub-command name and must not clash with a
        built-in command. The factory is only called when the CLI starts.

    Example::

        @hookimpl
        def maatwerk_register_commands():
            return [CommandSpec(name="sync-crm", factory=lambda: sync_crm,
                                description="Push today's contacts to our CRM")]

    .. versionadded:: 0.1
    """


# ---------------------------------------------------------------------- notifications
@_spec
def maatwerk_on_event(event: Event) -> None:
    """Hear a domain event after it was recorded (audit trail, webhooks, dashboards).

    :param event: the recorded :class:`maatwerk.core.events.Event`; ``event.kind`` is its
        stable kind string. Ignore kinds you do not know. Never log personal data.
    :return: nothing; the return value is ignored. An exception is reported as a
        ``PluginError`` naming your plugin.

    Example::

        @hookimpl
        def maatwerk_on_event(event):
            audit_log.write(f"{event.occurred_on} {event.kind} {event.debtor_id}\\n")

    .. versionadded:: 0.1
    """


# ---------------------------------------------------------------------- ports
@_spec(firstresult=True)
def maatwerk_debt_settlement_hub(
    inbox: pathlib.Path | None, outbox: pathlib.Path | None
) -> DebtSettlementHub | None:
    """Provide the Schuldenknooppunt hub (:class:`maatwerk.core.ports.DebtSettlementHub`) that
    ``maatwerk knooppunt`` receives messages from and sends replies to.

    The first plugin that returns a hub wins; the stock plugin (called last) returns the
    file-based stand-in (``FileHub``) on the folders given, and nothing when none is given.

    :param inbox: the folder given with ``--inbox`` (``None``: not given); a hub that talks to
        the real web services ignores it.
    :param outbox: the folder given with ``--outbox`` (``None``: not given).
    :return: a hub (with ``name``, ``receive()`` and ``send()``, passing the contract kit's
        ``DebtSettlementHubContract``), or ``None`` to leave it to the next plugin.

    Example::

        @hookimpl
        def maatwerk_debt_settlement_hub():
            return SoapHub(endpoint=os.environ["KNOOPPUNT_URL"], certificate=...)

    .. versionadded:: 0.2
    """
