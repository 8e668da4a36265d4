"""Shared pieces of the end-to-end tests: channel settings, event-listener plugins, calculators,
SEPA collection files, demo runs and their database."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from click.testing import CliRunner

from maatwerk.adapters.storage import SqlStore
from maatwerk.cli import cli
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


def migrate_and_import(runner: CliRunner, db_url: str, csv: Path, portfolio: str) -> Any:
    """``maatwerk db upgrade``, then ``maatwerk import portfolio`` of ``portfolio`` written to
    ``csv``; both must succeed. The import's JSON summary."""
    db = ["--db", db_url]
    assert runner.invoke(cli, ["db", "upgrade", *db]).exit_code == 0
    csv.write_text(portfolio, encoding="utf-8")
    result = runner.invoke(cli, ["import", "portfolio", str(csv), *db, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


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


Listen = Callable[..., Heard]
"""The ``listen`` fixture: ``listen("run", *others)`` puts a :class:`Heard` in ``maatwerk.cli.run``."""


class Raising:
    """A listener whose webhook is down: it raises on every event."""

    @hookimpl
    def maatwerk_on_event(self, event: Event) -> None:
        raise RuntimeError(f"webhook down for {event.kind}")


def plugins_with(*plugins: tuple[object, str]) -> Callable[..., MaatwerkPlugins]:
    """A ``plugin_manager`` stand-in: no entry points, only these (plugin, name) pairs."""

    def make(*, strict: bool = False) -> MaatwerkPlugins:
        manager = make_plugin_manager(load_entrypoints=False, strict=strict)
        for plugin, name in plugins:
            manager.register(plugin, name)
        return manager

    return make


# -- the calculators: ``maatwerk calc ...`` -----------------------------------------------------
def calc(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    """``maatwerk calc ARGS``: the exit code, stdout and stderr."""
    result = runner.invoke(cli, ["calc", *args])
    return result.exit_code, result.stdout, result.stderr


def calc_json(runner: CliRunner, *args: str) -> dict[str, Any]:
    """``maatwerk calc ARGS --json``, which must succeed: the JSON object it prints."""
    code, out, err = calc(runner, *args, "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert isinstance(payload, dict)
    return payload


def calc_refusal(runner: CliRunner, *args: str) -> str:
    """``maatwerk calc ARGS``, refused as bad input: exit 2, no stdout, one line on stderr."""
    code, out, err = calc(runner, *args)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1
    return lines[0]


def household(kind: str, net_income: str, *extra: str, date: str = "2026-01-01") -> list[str]:
    """The options of ``calc bvv`` for one household on a date, with any ``extra`` options."""
    return ["--household", kind, "--date", date, "--net-income", net_income, *extra]


# -- ``maatwerk sepa build`` ----------------------------------------------------------------------
SEPA_HEADER = (
    "end_to_end_id,mandate_id,mandate_date,sequence,debtor_name,debtor_iban,amount,remittance"
)
"""The header of a collections CSV."""

SEPA_CREDITOR = [
    "--creditor-name",
    "Gemeente Voorbeeld",
    "--creditor-iban",
    "NL91ABNA0417164300",
    "--creditor-id",
    "NL32ZZZ999999991234",
]
"""The creditor options of ``sepa build``."""


def write_collections(csv: Path, rows: list[str]) -> Path:
    """``rows`` under :data:`SEPA_HEADER`, written to ``csv`` as a UTF-8 collections CSV."""
    csv.write_text("\n".join([SEPA_HEADER, *rows]) + "\n", encoding="utf-8")
    return csv


AddEntryPoint = Callable[[str, str], None]
"""The ``entry_point`` fixture: ``entry_point(name, module_source)`` installs a fake plugin."""


def run_demo(out: Path, *args: str) -> dict[str, Any]:
    """``maatwerk demo *args --out out --json``, which must succeed; its JSON summary."""
    result = CliRunner().invoke(
        cli, ["demo", *args, "--out", str(out), "--json"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    summary: dict[str, Any] = json.loads(result.stdout)
    return summary


@contextmanager
def demo_database(out: Path) -> Iterator[sa.Connection]:
    """A connection to the SQLite database a demo wrote under ``out``, disposed afterwards."""
    engine = sa.create_engine(f"sqlite:///{out / 'maatwerk.db'}")
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()
