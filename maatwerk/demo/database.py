"""The demo on a database (de demo op een database): the one funnel code path.

:func:`run_on_database` is what ``maatwerk demo`` runs once and ``maatwerk simulate`` runs once
per policy: the portfolio is written as import files and imported into an empty database, the
households of :mod:`maatwerk.demo.run` act day by day against the real daily run with dispatch
through every stock channel, and the funnel figures are gathered from the store the way
``maatwerk report`` gathers them (:func:`maatwerk.services.reporting.gather_funnel`).

The bank and the payment import of the demo (:class:`StoreDemoIO`) write real files into the
output folder: ``payments/`` (a payments import file per day), ``returns/`` (camt.054 bank files)
and one folder per channel (``CHANNEL_FOLDERS``; ``.channels/<name>`` links each channel name to
its folder).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Final

import attrs

from maatwerk.adapters.csv_import import read_remittance_file, stream_import_file
from maatwerk.adapters.payload_schemas import payload_problems
from maatwerk.adapters.returns import read_returns
from maatwerk.adapters.sepa.channel import end_to_end_id_for
from maatwerk.adapters.storage import SqlStore, migrate
from maatwerk.adapters.storage.engine import make_engine
from maatwerk.core.debts import Payment
from maatwerk.core.errors import InputError
from maatwerk.core.ports import CreditorProfile, DeliveryContext
from maatwerk.core.records import ImportKind
from maatwerk.core.returns import ReturnedCollection
from maatwerk.core.subsistence import SubsistenceTables
from maatwerk.demo.households import BankReturn
from maatwerk.demo.returns import write_camt054
from maatwerk.demo.run import DemoResult, DemoSettings, run_demo
from maatwerk.demo.synthetic import BehaviourParams, Portfolio, generate_portfolio
from maatwerk.demo.synthetic_csv import write_portfolio
from maatwerk.plugins.manager import MaatwerkPlugins
from maatwerk.services.funnel import FunnelFigures
from maatwerk.services.importing import import_file
from maatwerk.services.remittance import import_remittance, instructed_amounts
from maatwerk.services.reporting import capacity_from_tables, gather_funnel
from maatwerk.services.returns_import import import_returns
from maatwerk.services.run import (
    Dispatcher,
    PolicyCaseEvaluator,
    RunSettings,
    RunSummary,
    run_day,
)


__all__ = [
    "CHANNEL_FOLDERS",
    "DEMO_CREDITORS",
    "DEMO_SETTINGS",
    "DemoChannelSettings",
    "DemoOutcome",
    "StoreDemoIO",
    "fresh_sqlite",
    "portfolio_for",
    "run_on_database",
]

#: Stock channel name -> the demo's output folder.
CHANNEL_FOLDERS: Final[Mapping[str, str]] = {
    "sepa-direct-debit": "sepa",
    "letters": "letters",
    "phone-worklist": "worklists",
    "source-deduction": "deductions",
    "bailiff": "bailiff",
    "municipal": "municipal",
}
#: The demo creditor's channel settings (a test creditor identifier and account).
DEMO_SETTINGS: Final[Mapping[str, str]] = {
    "creditor_name": "Demo Zorg en Premie B.V.",
    "creditor_phone": "0800-0123456",
    "creditor_iban": "NL91ABNA0417164300",
    "creditor_bic": "ABNANL2A",
    "creditor_id": "NL32ZZZ999999991234",
}
#: The demo's two creditors (``[creditors.<id>]`` in a settings file): the insurer bills premiums
#: and invoices (private law: 14-day letters), the municipality the care contribution (public
#: law: aanmaning); each signs its own letters and has its own account and pain.008 file.
DEMO_CREDITORS: Final[Mapping[str, CreditorProfile]] = {
    "demo": CreditorProfile(settings=DEMO_SETTINGS, public=False),
    "gemeente-demo": CreditorProfile(
        settings={
            "creditor_name": "Gemeente Demostad",
            "creditor_phone": "14 0123",
            "creditor_iban": "NL20INGB0001234567",
            "creditor_bic": "INGBNL2A",
            "creditor_id": "NL66ZZZ301234560000",
        },
        public=True,
    ),
}
PAYMENT_COLUMNS: Final = ("payment_id", "debtor_id", "received_on", "amount", "currency")


@attrs.frozen(kw_only=True)
class DemoOutcome:
    """What one demo on a database did: the days, the imported rows, the store's figures and
    how its outbox ended (``outbox``: rows by action kind and status, ``done`` = delivered)."""

    result: DemoResult
    imported: Mapping[str, int]
    figures: FunnelFigures
    outbox: Counter[tuple[str, str]] = attrs.Factory(Counter)


@attrs.frozen
class DemoChannelSettings:
    """The channel settings of a demo: the demo creditors' own (:data:`DEMO_SETTINGS`,
    :data:`DEMO_CREDITORS`) under what a settings file gives (``maatwerk demo --settings``).

    :meth:`with_file` lays a settings file over them: its ``[channels]`` reach every channel
    (e.g. a plugin channel's endpoint), a ``[creditors.<id>]`` table of a demo creditor
    (``demo``, ``gemeente-demo``) overrides that creditor's settings, another id adds a
    creditor (the demo's portfolio has none of its cases)."""

    defaults: Mapping[str, str] = DEMO_SETTINGS
    creditors: Mapping[str, CreditorProfile] = DEMO_CREDITORS

    def with_file(
        self, channels: Mapping[str, str], creditors: Mapping[str, CreditorProfile]
    ) -> DemoChannelSettings:
        merged = dict(self.creditors)
        for creditor_id, profile in creditors.items():
            own = merged.get(creditor_id)
            settings = {**(own.settings if own is not None else {}), **profile.settings}
            merged[creditor_id] = attrs.evolve(profile, settings=settings)
        return DemoChannelSettings(defaults={**self.defaults, **channels}, creditors=merged)


def portfolio_for(
    behaviour: BehaviourParams, *, debtors: int, seed: int, start: dt.date, days: int
) -> Portfolio:
    """The synthetic portfolio for a demo of ``days`` days: bills for every month it touches."""
    months = (days + 29) // 30
    return generate_portfolio(behaviour, debtors=debtors, seed=seed, start=start, months=months)


def fresh_sqlite(folder: Path) -> str:
    """The URL of a new SQLite file ``maatwerk.db`` in ``folder`` (an old one is removed)."""
    path = (folder / "maatwerk.db").resolve()
    path.unlink(missing_ok=True)
    return f"sqlite:///{path}"


def _import(files: Mapping[str, Path], store: SqlStore) -> dict[str, int]:
    counts: dict[str, int] = {}
    for kind in (ImportKind.DEBTORS, ImportKind.DEBTS, ImportKind.MANDATES):
        parsed = stream_import_file(files[kind.value], kind)
        counts[kind.value] = import_file(parsed, store, recorded_by="demo").rows
    return counts


def _channel_links(out_dir: Path, names: Sequence[str]) -> Path:
    """``out/.channels/<name>`` -> ``out/<folder>`` for every channel; returns ``.channels``."""
    links = out_dir / ".channels"
    links.mkdir(parents=True, exist_ok=True)
    for name in names:
        folder = out_dir / CHANNEL_FOLDERS.get(name, name)
        folder.mkdir(parents=True, exist_ok=True)
        link = links / name
        if not link.is_symlink():
            link.symlink_to(Path("..") / folder.name, target_is_directory=True)
    return links


class StoreDemoIO:
    """The demo's bank, payment import and daily run on one store (see ``DemoIO``)."""

    def __init__(
        self,
        store: SqlStore,
        plugins: MaatwerkPlugins,
        evaluator: PolicyCaseEvaluator,
        out_dir: Path,
        *,
        skip_idle: bool = True,
        channel_settings: DemoChannelSettings | None = None,
    ) -> None:
        self.store = store
        self.settings = RunSettings(prepared_by="demo-engine", skip_idle=skip_idle)
        self.channel_settings = channel_settings or DemoChannelSettings()
        self.plugins = plugins
        self.evaluator = evaluator
        self.out_dir = out_dir
        self.channels = _channel_links(out_dir, sorted(plugins.channels()))
        for folder in ("payments", "remittances", "returns"):
            (out_dir / folder).mkdir(parents=True, exist_ok=True)

    def record_payments(self, day: dt.date, payments: Sequence[Payment]) -> int:
        path = self.out_dir / "payments" / f"payments-{day.isoformat()}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(PAYMENT_COLUMNS)
            for p in payments:
                writer.writerow(
                    (p.payment_id, p.debtor_id, p.received_on.isoformat(),
                     f"{p.amount.amount:.2f}", p.amount.currency)
                )  # fmt: skip
        parsed = stream_import_file(path, ImportKind.PAYMENTS)
        return import_file(parsed, self.store, recorded_by="demo-bank").rows

    def record_remittances(self, day: dt.date, remitted: Sequence[tuple[str, Payment]]) -> int:
        # a payer deducts only a month it was instructed for (``maatwerk import remittance``
        # refuses any other row)
        period = f"{day.year:04d}-{day.month:02d}"
        instructed = instructed_amounts(self.store.delivered_items(actions=["arrangement-offer"]))
        by_payer: dict[str, list[Payment]] = {}
        for payer, payment in remitted:
            if (payer, payment.debtor_id, period) in instructed:
                by_payer.setdefault(payer, []).append(payment)
        rows = 0
        for payer, payments in sorted(by_payer.items()):
            path = self.out_dir / "remittances" / f"remittance-{payer}-{day.isoformat()}.csv"
            with path.open("w", encoding="utf-8", newline="") as handle:
                writer = csv.writer(handle, lineterminator="\n")
                writer.writerow(("payer_id", "debtor_id", "period", "amount", "paid_on"))
                for p in payments:
                    writer.writerow(
                        (payer, p.debtor_id, period, f"{p.amount.amount:.2f}",
                         p.received_on.isoformat())
                    )  # fmt: skip
            parsed = read_remittance_file(path)
            result = import_remittance(
                parsed, self.store, on=day, recorded_by=f"demo-payer-{payer}"
            )
            rows += result.counts.rows
        return rows

    def _camt_files(self, day: dt.date, returns: Sequence[BankReturn], suffix: str) -> list[Path]:
        """One camt.054 per creditor, on that creditor's own account (its profile's IBAN): the
        bank reports a return to the account the collection was made for."""
        by_creditor: dict[str, list[BankReturn]] = {}
        for item in returns:
            by_creditor.setdefault(item.creditor_id, []).append(item)
        paths: list[Path] = []
        for creditor_id, items in sorted(by_creditor.items()):
            profile = DEMO_CREDITORS.get(creditor_id)
            settings = profile.settings if profile is not None else DEMO_SETTINGS
            iban = settings.get("creditor_iban") or DEMO_SETTINGS["creditor_iban"]
            name = f"camt054-{day.isoformat()}-{creditor_id or 'demo'}{suffix}.xml"
            path = self.out_dir / "returns" / name
            write_camt054(path, items, account_iban=iban, booking_date=day)
            paths.append(path)
        return paths

    def bank_returns(
        self, day: dt.date, returns: Sequence[BankReturn]
    ) -> Sequence[ReturnedCollection]:
        return [
            r for path in self._camt_files(day, returns, "") for r in read_returns(path).returns
        ]

    def import_returns(self, day: dt.date, returns: Sequence[BankReturn]) -> int:
        imported = 0
        for path in self._camt_files(day, returns, "-sepa"):
            result = import_returns(
                self.store,
                read_returns(path).returns,
                file_name=path.name,
                file_sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
                received_on=day,
                recorded_by="demo-bank",
            )
            imported += len(result.returns)
        return imported

    def end_to_end_id(self, action_id: str) -> str:
        return end_to_end_id_for(action_id)

    def run(self, day: dt.date) -> RunSummary:
        dispatcher = Dispatcher(
            store=self.store,
            channel_for=self.plugins.channel,
            context=DeliveryContext(
                output_dir=self.channels, run_date=day, settings=self.channel_settings.defaults
            ),
            batch_size=500,
            tables=self.evaluator.tables,
            creditors=self.channel_settings.creditors,
            check_payload=payload_problems,
            plugin_for=self.plugins.channel_plugin,
        )
        return run_day(
            self.store, self.evaluator, day, dispatcher=dispatcher, settings=self.settings
        )


def run_on_database(
    url: str,
    *,
    portfolio: Portfolio,
    behaviour: BehaviourParams,
    subsistence: SubsistenceTables,
    settings: DemoSettings,
    plugins: MaatwerkPlugins,
    evaluator: PolicyCaseEvaluator,
    out_dir: Path,
    skip_idle: bool = True,
    channel_settings: DemoChannelSettings | None = None,
    progress: Callable[[int], None] | None = None,
    title: str = "",
    source_label: str = "",
    notes: Sequence[str] = (),
) -> DemoOutcome:
    """Import ``portfolio`` into the empty database at ``url``, run the demo's days on it under
    ``evaluator``'s policy with every channel writing into ``out_dir``, and gather the figures.

    The database is upgraded first; one that already holds cases is refused (:class:`InputError`).
    """
    files = write_portfolio(portfolio, out_dir / "portfolio")
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        store = SqlStore(engine)
        if store.count_cases():
            raise InputError(
                "the database already holds cases; the demo needs an empty database (--db)"
            )
        imported = _import(files, store)
        io = StoreDemoIO(
            store,
            plugins,
            evaluator,
            out_dir,
            skip_idle=skip_idle,
            channel_settings=channel_settings,
        )
        result = run_demo(
            store,
            io,
            portfolio=portfolio,
            behaviour=behaviour,
            subsistence=subsistence,
            settings=settings,
            progress=progress,
        )
        figures = gather_funnel(
            store,
            settings.start,
            settings.start + dt.timedelta(days=settings.days - 1),
            capacity=capacity_from_tables(subsistence),
            title=title,
            source_label=source_label,
            notes=notes,
        )
        outbox = Counter((i.entry.action, i.status.value) for i in store.outbox_items())
    finally:
        engine.dispose()
    return DemoOutcome(result=result, imported=imported, figures=figures, outbox=outbox)
