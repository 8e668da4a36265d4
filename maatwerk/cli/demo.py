"""``maatwerk demo``: a synthetic portfolio end to end; ``maatwerk demo generate``: the portfolio only.

``maatwerk demo`` generates the portfolio, imports it into the embedded SQLite database (default a
file inside ``--out``; ``--db URL`` for another), runs ``--days`` consecutive days of the humane
policy over the households in memory (the policy engine, arrangements, BVV and costs of the core,
with the documented behaviour model) and writes ``report.html``, ``figures.json`` and
``actions.csv`` (every step the policy took, with its channel).

What it does **not** do yet: run the store-backed daily run (``maatwerk run``) for each of the
days through the stock channels. On this machine that run takes several seconds per day for 5,000
cases, far beyond the two minutes the demo may take, so the channel folders (``sepa/``,
``letters/``, ...) are not written by the demo; ``maatwerk run --date D --db URL`` on the demo's
database writes them for a day.

The demo starts on a fixed date (``--start``, default 2026-01-01) rather than today, so that the
same seed always gives the same files.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import time
from pathlib import Path

import click

from maatwerk.adapters.csv_import import read_import_file
from maatwerk.adapters.demo_behaviour import load_behaviour
from maatwerk.adapters.report import figures_to_json, write_report
from maatwerk.adapters.storage import migrate
from maatwerk.adapters.storage.engine import make_engine
from maatwerk.adapters.storage.store import SqlStore
from maatwerk.adapters.synthetic_csv import write_portfolio
from maatwerk.cli._common import DATE, emit_json, json_option
from maatwerk.cli.simulate import load_policies, load_simulation_tables, progress_bar
from maatwerk.core.records import ImportKind
from maatwerk.services.funnel import FunnelFigures
from maatwerk.services.importing import import_file
from maatwerk.services.simulation import ActionRecord, SimulationSettings, simulate
from maatwerk.services.synthetic import generate_portfolio


__all__ = ["demo"]

DEFAULT_START = dt.date(2026, 1, 1)


def _import(files: dict[str, Path], db_url: str) -> dict[str, int]:
    engine = make_engine(db_url)
    try:
        migrate.upgrade(engine)
        store = SqlStore(engine)
        counts: dict[str, int] = {}
        for kind in (ImportKind.DEBTORS, ImportKind.DEBTS, ImportKind.MANDATES):
            parsed = read_import_file(files[kind.value], kind)
            counts[kind.value] = import_file(parsed, store, recorded_by="demo").rows
        return counts
    finally:
        engine.dispose()


def _write_actions(path: Path, actions: tuple[ActionRecord, ...]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(
            ("day", "debtor_id", "step_id", "action", "channel", "debt_ids", "amount", "detail")
        )
        for a in actions:
            writer.writerow(
                (
                    a.day.isoformat(),
                    a.debtor_id,
                    a.step_id,
                    a.action.value,
                    a.channel,
                    " ".join(a.debt_ids),
                    a.amount.format(),
                    a.detail,
                )
            )


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
    help="Database URL (default: a SQLite file inside --out).",
)
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
    as_json: bool,
) -> None:
    """Synthetic demo: generate, import into SQLite, run the humane policy for --days, report."""
    if ctx.invoked_subcommand is not None:
        return
    started = time.monotonic()
    out_dir.mkdir(parents=True, exist_ok=True)
    url = db_url or f"sqlite:///{(out_dir / 'maatwerk.db').resolve()}"
    behaviour = load_behaviour(start)
    months = (days + 29) // 30
    portfolio = generate_portfolio(
        behaviour, debtors=debtors, seed=seed, start=start, months=months
    )
    files = write_portfolio(portfolio, out_dir / "portfolio")
    imported = _import(files, url)
    (loaded,) = load_policies([policy])
    settings = SimulationSettings(start=start, days=days, seed=seed)
    with progress_bar(days, f"{policy}: day", enabled=not as_json) as advance:
        result = simulate(
            portfolio,
            behaviour,
            loaded,
            load_simulation_tables(),
            settings,
            record_actions=True,
            progress=advance,
        )
    figures = FunnelFigures(
        title=f"maatwerk demo: {loaded.name} policy, {debtors} households, {days} days",
        period_from=start,
        period_to=start + dt.timedelta(days=days - 1),
        columns=(result.figures,),
        source=f"demo (in-memory run of the core), seed {seed}",
        table_versions=(portfolio.params_version, loaded.label),
        notes=(
            (
                "The portfolio is imported into the database; the days are run in memory on the "
                "core (policy engine, arrangements, BVV, costs) with the behaviour model of "
                "docs/simulation-model.md. Channel files (SEPA, letters, work lists) are written "
                "by 'maatwerk run --date D' on the demo database, not by the demo itself."
            ),
        ),
    )
    report = write_report(figures, out_dir / "report.html")
    document = figures_to_json(figures)
    (out_dir / "figures.json").write_text(
        json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    _write_actions(out_dir / "actions.csv", result.actions)
    column = result.figures
    summary = {
        "debtors": debtors,
        "bills": len(portfolio.debts),
        "days": days,
        "policy": loaded.label,
        "database": url,
        "imported": imported,
        "actions": len(result.actions),
        "share_recovered": f"{column.share_recovered:.4f}",
        "arrangements": column.arrangements,
        "bailiff": column.bailiff,
        "below_bvv": column.below_bvv,
        "report": str(report),
        "seconds": round(time.monotonic() - started, 1),
        "daily_run_through_channels": False,
    }
    if as_json:
        emit_json(summary)
        return
    click.echo(
        f"{debtors} households, {len(portfolio.debts)} bills, {days} days under {loaded.label}: "
        f"{len(result.actions)} steps, {column.arrangements} arrangements, {column.bailiff} "
        f"bailiff dossiers, {column.share_recovered * 100:.1f} % of arrears recovered, "
        f"{column.below_bvv} households below their protected income "
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
