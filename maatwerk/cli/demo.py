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
The summary counts what the channels delivered, refused and failed, per action kind, not what
the policy decided. ``--settings FILE`` gives channels (a plugin's too) their settings, as for
``maatwerk run``; a channel the policy uses that lacks a setting stops the demo before it starts.

The demo starts on a fixed date (``--start``, default 2026-01-01) rather than today, so that the
same seed always gives the same files. The default SQLite file is recreated on every demo.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Mapping
from pathlib import Path

import click

from maatwerk.adapters.channel_settings import load_settings
from maatwerk.adapters.report import figures_to_json, write_report
from maatwerk.adapters.subsistence_tables import load_subsistence_tables
from maatwerk.cli._common import DATE, emit_json, json_option, skip_idle_option
from maatwerk.cli._wiring import build_evaluator, check_channel_settings, plugin_manager
from maatwerk.cli.simulate import progress_bar
from maatwerk.demo.behaviour import load_behaviour
from maatwerk.demo.database import (
    DemoChannelSettings,
    fresh_sqlite,
    portfolio_for,
    run_on_database,
)
from maatwerk.demo.run import DemoSettings
from maatwerk.demo.synthetic import generate_portfolio
from maatwerk.demo.synthetic_csv import write_portfolio


__all__ = ["demo"]

DEFAULT_START = dt.date(2026, 1, 1)


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
@click.option(
    "--settings",
    "settings_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="TOML settings file as for `maatwerk run`: its [channels] reach every channel (e.g. a "
    "plugin channel's endpoint), a [creditors.<id>] table overrides a demo creditor "
    "(demo, gemeente-demo).",
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
    settings_file: Path | None,
    skip_idle: bool,
    as_json: bool,
) -> None:
    """Synthetic demo: generate, import, run --days real daily runs through every channel, report."""
    if ctx.invoked_subcommand is not None:
        return
    started = time.monotonic()
    plugins = plugin_manager()
    evaluator = build_evaluator(plugins, default=policy, by_creditor={}, by_segment={})
    channel_settings = DemoChannelSettings()
    if settings_file is not None:
        file = load_settings(settings_file)
        channel_settings = channel_settings.with_file(file.channels, file.creditors)
    # before anything is written: a channel the policy uses lacks a setting (exit 2)
    check_channel_settings(
        plugins, evaluator, channel_settings.defaults, channel_settings.creditors
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    url = fresh_sqlite(out_dir) if db_url is None else db_url
    behaviour = load_behaviour(start)
    portfolio = portfolio_for(behaviour, debtors=debtors, seed=seed, start=start, days=days)
    with progress_bar(days, f"{policy}: day", enabled=not as_json) as advance:
        outcome = run_on_database(
            url,
            portfolio=portfolio,
            behaviour=behaviour,
            subsistence=load_subsistence_tables(),
            settings=DemoSettings(start=start, days=days, seed=seed),
            plugins=plugins,
            evaluator=evaluator,
            out_dir=out_dir,
            skip_idle=skip_idle,
            channel_settings=channel_settings,
            progress=advance,
            title=f"maatwerk demo: {policy} policy, {debtors} households, {days} days",
            source_label=f"demo database ({days} daily runs), seed {seed}",
            notes=(
                (
                    "Synthetic households (docs/simulation-model.md) run through the real daily "
                    "run; reviews approved by a second person."
                ),
            ),
        )
    figures, result, imported = outcome.figures, outcome.result, outcome.imported
    ended = _by_status(outcome.outbox)
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
        "delivered": ended["done"],
        "refused": ended["refused"],
        "failed": ended["failed"],
        "payments": totals["payments"],
        "returns": totals["returns"],
        "arrangements": column.arrangements,
        "bailiff": ended["done"].get("bailiff-handover", 0),
        "bailiff_refused": ended["refused"].get("bailiff-handover", 0),
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
        f"{len(result.actions)} actions ({_sum(ended['done'])} delivered, "
        f"{_sum(ended['refused'])} refused, {_sum(ended['failed'])} failed), "
        f"{totals['payments']} payments, "
        f"{totals['returns']} returned debits, {column.arrangements} arrangements, "
        f"{summary['bailiff']} bailiff dossiers delivered ({summary['bailiff_refused']} refused), "
        f"{column.share_recovered * 100:.1f} % of arrears "
        f"recovered, {column.households_protected} household(s) protected "
        f"({summary['seconds']} s)."
    )
    click.echo(f"Database: {url}")
    click.echo(f"Report: {report}")


def _by_status(outbox: Mapping[tuple[str, str], int]) -> dict[str, dict[str, int]]:
    """The demo's outbox rows by status (``done``: delivered), each by action kind."""
    ended: dict[str, dict[str, int]] = {"done": {}, "refused": {}, "failed": {}}
    for (kind, status), count in sorted(outbox.items()):
        ended.setdefault(status, {})[kind] = count
    return ended


def _sum(counts: Mapping[str, int]) -> int:
    return sum(counts.values())


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
