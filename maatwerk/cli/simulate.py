"""``maatwerk simulate``: the same synthetic population under several policies, side by side.

The simulation is the demo on a throwaway database (:mod:`maatwerk.demo.simulation`): for each
policy the demo's households go through the real daily run and channels on a fresh SQLite
database in a temporary folder, and the funnel is gathered from it as ``maatwerk report`` does.
With ``--out`` each policy's database and channel files are kept in ``--out/<policy>/`` and
``report.html`` and ``figures.json`` are written; it prints a comparison table or one JSON object.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from maatwerk.adapters.report import figures_to_json, write_report
from maatwerk.adapters.subsistence_tables import load_subsistence_tables
from maatwerk.cli._common import DATE, json_option
from maatwerk.cli._wiring import build_evaluator, plugin_manager
from maatwerk.demo.behaviour import load_behaviour
from maatwerk.demo.database import portfolio_for
from maatwerk.demo.run import DemoSettings
from maatwerk.demo.simulation import compare
from maatwerk.services.funnel import FunnelFigures


__all__ = ["progress_bar", "simulate"]

DEFAULT_START = dt.date(2026, 1, 1)


@contextlib.contextmanager
def progress_bar(total: int, label: str, *, enabled: bool) -> Iterator[Callable[[int], None]]:
    """A rich progress bar on stderr; yields the ``advance(n)`` callback (a no-op when disabled)."""
    if not enabled:
        yield lambda _n: None
        return
    console = Console(stderr=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} days"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task(label, total=total)
        yield lambda n: progress.advance(task, n)


def comparison_table(figures: FunnelFigures) -> Table:
    table = Table(title=figures.title)
    table.add_column("figure")
    for column in figures.columns:
        table.add_column(column.policy, justify="right")
    rows: Sequence[tuple[str, Callable[..., str]]] = (
        ("share of arrears recovered", lambda c: f"{c.share_recovered * 100:.1f} %"),
        ("written off", lambda c: f"EUR {c.written_off_amount.format()}"),
        ("bailiff dossiers", lambda c: str(c.bailiff)),
        ("arrangements made", lambda c: str(c.arrangements)),
        ("arrangements kept", lambda c: str(c.arrangements_kept)),
        ("costs charged to debtors", lambda c: f"EUR {c.costs_charged.format()}"),
        ("households pushed below the BVV", lambda c: str(c.below_bvv)),
        ("paid within 31 days", lambda c: f"{c.share_paid_within_31_days * 100:.1f} %"),
        (
            "average days to resolution",
            lambda c: "-" if c.avg_days_to_resolution is None else str(c.avg_days_to_resolution),
        ),
    )
    for label, get in rows:
        table.add_row(label, *(get(c) for c in figures.columns))
    return table


def _folders(names: Sequence[str]) -> list[str]:
    """A folder name per policy (the name, or a .toml file's stem), unique within the run."""
    folders: list[str] = []
    for name in names:
        stem = Path(name).stem if name.endswith(".toml") else name
        folders.append(stem if stem not in folders else f"{stem}-{len(folders) + 1}")
    return folders


@click.command("simulate")
@click.option(
    "--policy",
    "policies",
    multiple=True,
    default=("humane", "classic"),
    show_default=True,
    help="A shipped policy name or a .toml file; repeat to compare.",
)
@click.option("--debtors", type=click.IntRange(min=1), default=2000, show_default=True)
@click.option("--days", type=click.IntRange(min=1, max=1100), default=120, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--start", type=DATE, default=DEFAULT_START.isoformat(), show_default=True)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write report.html and figures.json into this directory.",
)
@json_option
def simulate(
    *,
    policies: tuple[str, ...],
    debtors: int,
    days: int,
    seed: int,
    start: dt.date,
    out_dir: Path | None,
    as_json: bool,
) -> None:
    """Simulate policies on one synthetic population (deterministic for a seed)."""
    plugins = plugin_manager()
    evaluators = [
        build_evaluator(plugins, default=name, by_creditor={}, by_segment={}) for name in policies
    ]
    behaviour = load_behaviour(start)
    portfolio = portfolio_for(behaviour, debtors=debtors, seed=seed, start=start, days=days)
    with progress_bar(days * len(policies), "simulating", enabled=not as_json) as advance:
        figures = compare(
            portfolio,
            behaviour,
            list(zip(_folders(policies), evaluators, strict=True)),
            plugins=plugins,
            subsistence=load_subsistence_tables(),
            settings=DemoSettings(start=start, days=days, seed=seed),
            out_dir=out_dir,
            progress=advance,
        )
    document = figures_to_json(figures)
    if out_dir is not None:
        report = write_report(figures, out_dir / "report.html")
        (out_dir / "figures.json").write_text(
            json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        document = {**document, "report": str(report)}
    if as_json:
        click.echo(json.dumps(document, ensure_ascii=False))
        return
    Console().print(comparison_table(figures))
    if out_dir is not None:
        click.echo(f"Report: {out_dir / 'report.html'}")
