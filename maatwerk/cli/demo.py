"""``maatwerk demo``: a synthetic portfolio through the real daily run; ``demo generate``: the portfolio.

``maatwerk demo`` generates the portfolio (default 5,000 households), upgrades the database
(default a SQLite file inside ``--out``; ``--db URL`` for another) and imports the portfolio, then
runs ``--days`` consecutive days of the production pipeline (:mod:`maatwerk.demo.run`):
the households' payments as a payments import file per day (``payments/``), failed direct debits
as a camt.054 bank file per day (``returns/``) matched to the collections and recorded as
returns, calls, consents, disputes and arrangements through the recording services, then
``maatwerk run`` for the day with dispatch through every stock channel. The channels write to
``sepa/``, ``letters/``, ``worklists/``, ``deductions/``, ``bailiff/`` and ``municipal/`` (a
channel writes under its own name; ``.channels/<name>`` links each name to its folder). At the
end ``report.html`` and ``figures.json`` are written from the database (``maatwerk report``).

The demo starts on a fixed date (``--start``, default 2026-01-01) rather than today, so that the
same seed always gives the same files. The default SQLite file is recreated on every demo.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final

import click

from maatwerk.adapters.csv_import import read_import_file
from maatwerk.adapters.report import figures_to_json, write_report
from maatwerk.adapters.returns import read_returns
from maatwerk.adapters.sepa.channel import end_to_end_id_for
from maatwerk.adapters.storage import migrate
from maatwerk.adapters.storage.engine import make_engine
from maatwerk.adapters.storage.store import SqlStore
from maatwerk.adapters.subsistence_tables import load_subsistence_tables
from maatwerk.cli._common import DATE, OneLineError, emit_json, json_option, skip_idle_option
from maatwerk.cli._wiring import build_dispatcher, build_evaluator, plugin_manager
from maatwerk.cli.simulate import progress_bar
from maatwerk.core.debts import Payment
from maatwerk.core.records import ImportKind
from maatwerk.core.returns import ReturnedCollection
from maatwerk.demo.behaviour import load_behaviour
from maatwerk.demo.returns import write_camt054
from maatwerk.demo.run import BankReturn, DemoSettings, run_demo
from maatwerk.demo.synthetic import Portfolio, generate_portfolio
from maatwerk.demo.synthetic_csv import write_portfolio
from maatwerk.plugins.manager import MaatwerkPlugins
from maatwerk.services.importing import import_file
from maatwerk.services.reporting import capacity_from_tables, gather_funnel
from maatwerk.services.returns_import import import_returns
from maatwerk.services.run import PolicyCaseEvaluator, RunSettings, RunSummary, run_day


__all__ = ["CHANNEL_FOLDERS", "DEMO_SETTINGS", "demo"]

DEFAULT_START = dt.date(2026, 1, 1)
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
PAYMENT_COLUMNS: Final = ("payment_id", "debtor_id", "received_on", "amount", "currency")


def _import(files: Mapping[str, Path], store: SqlStore) -> dict[str, int]:
    counts: dict[str, int] = {}
    for kind in (ImportKind.DEBTORS, ImportKind.DEBTS, ImportKind.MANDATES):
        parsed = read_import_file(files[kind.value], kind)
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


class _StoreDemoIO:
    """The demo's bank, payment import and daily run on one store (see ``DemoIO``)."""

    def __init__(
        self,
        store: SqlStore,
        plugins: MaatwerkPlugins,
        evaluator: PolicyCaseEvaluator,
        out_dir: Path,
        *,
        skip_idle: bool = True,
    ) -> None:
        self.store = store
        self.settings = RunSettings(prepared_by="demo-engine", skip_idle=skip_idle)
        self.plugins = plugins
        self.evaluator = evaluator
        self.out_dir = out_dir
        self.channels = _channel_links(out_dir, sorted(plugins.channels()))
        for folder in ("payments", "returns"):
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
        parsed = read_import_file(path, ImportKind.PAYMENTS)
        return import_file(parsed, self.store, recorded_by="demo-bank").rows

    def bank_returns(
        self, day: dt.date, returns: Sequence[BankReturn]
    ) -> Sequence[ReturnedCollection]:
        path = self.out_dir / "returns" / f"camt054-{day.isoformat()}.xml"
        write_camt054(path, returns, account_iban=DEMO_SETTINGS["creditor_iban"], booking_date=day)
        return read_returns(path).returns

    def import_returns(self, day: dt.date, returns: Sequence[BankReturn]) -> int:
        path = self.out_dir / "returns" / f"camt054-{day.isoformat()}-sepa.xml"
        write_camt054(path, returns, account_iban=DEMO_SETTINGS["creditor_iban"], booking_date=day)
        result = import_returns(
            self.store,
            read_returns(path).returns,
            file_name=path.name,
            file_sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
            received_on=day,
            recorded_by="demo-bank",
        )
        return len(result.returns)

    def end_to_end_id(self, action_id: str) -> str:
        return end_to_end_id_for(action_id)

    def run(self, day: dt.date) -> RunSummary:
        dispatcher = build_dispatcher(
            self.store,
            self.plugins,
            out=self.channels,
            run_date=day,
            batch_size=500,
            settings=DEMO_SETTINGS,
        )
        return run_day(
            self.store,
            self.evaluator,
            day,
            dispatcher=dispatcher,
            settings=self.settings,
        )


def _fresh_database(out_dir: Path, db_url: str | None) -> str:
    if db_url is not None:
        return db_url
    path = (out_dir / "maatwerk.db").resolve()
    path.unlink(missing_ok=True)
    return f"sqlite:///{path}"


def _portfolio(debtors: int, seed: int, start: dt.date, days: int) -> Portfolio:
    behaviour = load_behaviour(start)
    months = (days + 29) // 30
    return generate_portfolio(behaviour, debtors=debtors, seed=seed, start=start, months=months)


@click.group(invoke_without_command=True)
@click.option("--debtors", type=click.IntRange(min=1), default=5000, show_default=True)
@click.option("--days", type=click.IntRange(min=1, max=1100), default=120, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--start", type=DATE, default=DEFAULT_START.isoformat(), show_default=True)
@click.option("--policy", default="humane", show_default=True, help="Policy name or .toml file.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("demo-output"),
    show_default=True,
)
@click.option(
    "--db",
    "db_url",
    default=None,
    help="Database URL, must be empty (default: a fresh SQLite file inside --out).",
)
@skip_idle_option
@json_option
@click.pass_context
def demo(
    ctx: click.Context,
    *,
    debtors: int,
    days: int,
    seed: int,
    start: dt.date,
    policy: str,
    out_dir: Path,
    db_url: str | None,
    skip_idle: bool,
    as_json: bool,
) -> None:
    """Synthetic demo: generate, import, run --days real daily runs through every channel, report."""
    if ctx.invoked_subcommand is not None:
        return
    started = time.monotonic()
    out_dir.mkdir(parents=True, exist_ok=True)
    url = _fresh_database(out_dir, db_url)
    behaviour = load_behaviour(start)
    portfolio = _portfolio(debtors, seed, start, days)
    files = write_portfolio(portfolio, out_dir / "portfolio")
    plugins = plugin_manager()
    evaluator = build_evaluator(plugins, default=policy, by_creditor={}, by_segment={})
    subsistence = load_subsistence_tables()
    last = start + dt.timedelta(days=days - 1)
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        store = SqlStore(engine)
        if store.count_cases():
            raise OneLineError(
                "the database already holds cases; the demo needs an empty database (--db)"
            )
        imported = _import(files, store)
        io = _StoreDemoIO(store, plugins, evaluator, out_dir, skip_idle=skip_idle)
        with progress_bar(days, f"{policy}: day", enabled=not as_json) as advance:
            result = run_demo(
                store,
                io,
                portfolio=portfolio,
                behaviour=behaviour,
                subsistence=subsistence,
                settings=DemoSettings(start=start, days=days, seed=seed),
                progress=advance,
            )
        figures = gather_funnel(
            store,
            start,
            last,
            capacity=capacity_from_tables(subsistence),
            title=f"maatwerk demo: {policy} policy, {debtors} households, {days} days",
            source_label=f"demo database ({days} daily runs), seed {seed}",
            notes=(
                (
                    "Synthetic households (docs/simulation-model.md) run through the real daily "
                    "run; reviews approved by a second person."
                ),
            ),
        )
    finally:
        engine.dispose()
    report = write_report(figures, out_dir / "report.html")
    (out_dir / "figures.json").write_text(
        json.dumps(figures_to_json(figures), indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    column = figures.columns[0]
    totals = result.totals
    summary = {
        "debtors": debtors,
        "bills": len(portfolio.debts),
        "days": days,
        "policy": policy,
        "database": url,
        "imported": imported,
        "actions": len(result.actions),
        "payments": totals["payments"],
        "returns": totals["returns"],
        "arrangements": column.arrangements,
        "bailiff": column.bailiff,
        "share_recovered": f"{column.share_recovered:.4f}",
        "households_protected": column.households_protected,
        "outputs": {
            folder: len([p for p in (out_dir / folder).rglob("*") if p.is_file()])
            for folder in (
                "sepa",
                "returns",
                "letters",
                "worklists",
                "deductions",
                "bailiff",
                "municipal",
            )
        },
        "report": str(report),
        "seconds": round(time.monotonic() - started, 1),
    }
    if as_json:
        emit_json(summary)
        return
    click.echo(
        f"{debtors} households, {len(portfolio.debts)} bills, {days} daily runs under {policy}: "
        f"{len(result.actions)} actions, {totals['payments']} payments, "
        f"{totals['returns']} returned debits, {column.arrangements} arrangements, "
        f"{column.bailiff} bailiff dossiers, {column.share_recovered * 100:.1f} % of arrears "
        f"recovered, {column.households_protected} household(s) protected "
        f"({summary['seconds']} s)."
    )
    click.echo(f"Database: {url}")
    click.echo(f"Report: {report}")


@demo.command("generate")
@click.option("--debtors", type=click.IntRange(min=1), default=5000, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--start", type=DATE, default=DEFAULT_START.isoformat(), show_default=True)
@click.option(
    "--months", type=click.IntRange(min=1, max=36), default=4, show_default=True,
    help="Months of bills to issue from --start.",
)  # fmt: skip
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Directory for debtors.csv, debts.csv, mandates.csv, behaviour.csv, portfolio.json.",
)
@json_option
def generate(
    *, debtors: int, seed: int, start: dt.date, months: int, out_dir: Path, as_json: bool
) -> None:
    """Write a synthetic portfolio as import CSV files (deterministic for a seed)."""
    params = load_behaviour(start)
    portfolio = generate_portfolio(params, debtors=debtors, seed=seed, start=start, months=months)
    paths = write_portfolio(portfolio, out_dir)
    summary = {
        "debtors": len(portfolio.households),
        "debts": len(portfolio.debts),
        "seed": seed,
        "start": start,
        "behaviour_table": portfolio.params_version,
        "files": {name: str(path) for name, path in paths.items()},
    }
    if as_json:
        emit_json(summary)
        return
    click.echo(
        f"{summary['debtors']} debtors, {summary['debts']} bills (seed {seed}, "
        f"{portfolio.params_version}) written to {out_dir}"
    )
