"""Shared pieces of the end-to-end tests: the channel settings and event-listener plugins."""

from __future__ import annotations

from collections.abc import Callable

from maatwerk.adapters.storage import SqlStore
from maatwerk.core.events import Event
from maatwerk.plugins import hookimpl
from maatwerk.plugins.manager import MaatwerkPlugins, make_plugin_manager


CHANNEL_SETTINGS = {
    "creditor_name": "Zorg NL",
    "creditor_phone": "0800-1234",
    "creditor_iban": "NL91ABNA0417164300",
    "creditor_id": "NL32ZZZ999999991234",
}
"""What the daily run's channels need to send letters, worklist rows and direct debits."""

SETTING_FLAGS = [
    arg for key, value in CHANNEL_SETTINGS.items() for arg in ("--setting", f"{key}={value}")
]
""":data:`CHANNEL_SETTINGS` as ``--setting key=value`` command-line options."""


class Heard:
    """An inline ``maatwerk_on_event`` plugin that checks each event is committed when heard."""

    def __init__(self, db_url: str) -> None:
        self.db_url = db_url
        self.events: list[Event] = []
        self.committed: list[bool] = []

    @hookimpl
    def maatwerk_on_event(self, event: Event) -> None:
        store = SqlStore.from_url(self.db_url)  # its own connection: sees committed rows only
        try:
            self.committed.append(any(r.event == event for r in store.history(event.debtor_id)))
        finally:
            store.close()
        self.events.append(event)


class Raising:
    """A listener whose webhook is down: it raises on every event."""

    @hookimpl
    def maatwerk_on_event(self, event: Event) -> None:
        raise RuntimeError(f"webhook down for {event.kind}")


def plugins_with(*plugins: tuple[object, str]) -> Callable[[], MaatwerkPlugins]:
    """A ``plugin_manager`` stand-in: no entry points, only these (plugin, name) pairs."""

    def make() -> MaatwerkPlugins:
        manager = make_plugin_manager(load_entrypoints=False)
        for plugin, name in plugins:
            manager.register(plugin, name)
        return manager

    return make
