"""``maatwerk demo``: a synthetic portfolio run end to end; ``maatwerk demo generate``: the portfolio only.

The demo starts on a fixed date (``--start``, default 2026-01-01) rather than today, so that the
same seed always gives the same files.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from maatwerk.adapters.demo_behaviour import load_behaviour
from maatwerk.adapters.synthetic_csv import write_portfolio
from maatwerk.cli._common import DATE, emit_json, json_option
from maatwerk.services.synthetic import generate_portfolio


__all__ = ["demo"]

DEFAULT_START = dt.date(2026, 1, 1)


@click.group()
def demo() -> None:
    """Synthetic demo portfolio (made-up households, valid IBANs, documented behaviour model)."""


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
