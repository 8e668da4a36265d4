"""``maatwerk report --from DATE --to DATE [--out report.html] [--json] [--db URL]``.

The funnel report from the store: bills due in the period -> paid on time -> reminders -> calls
-> arrangements -> kept -> demands -> bailiff -> recovered / written off, the arrears ageing, the
share recovered, the households protected (blocked decisions per reason) and the arrangements
against what each household can spare. Writes one self-contained HTML file; ``--json`` prints
the same figures as one JSON object (the document of ``funnel.schema.json``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from maatwerk.adapters.report import figures_to_json, write_report
from maatwerk.adapters.subsistence_tables import load_subsistence_tables
from maatwerk.cli._common import DATE, OneLineError, db_option, emit_json, json_option
from maatwerk.cli._store import open_store
from maatwerk.services.reporting import capacity_from_tables, gather_funnel, revision_notes


__all__ = ["report"]


@click.command("report")
@click.option("--from", "period_from", required=True, type=DATE, help="First day (YYYY-MM-DD).")
@click.option("--to", "period_to", required=True, type=DATE, help="Last day (YYYY-MM-DD).")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("report.html"),
    show_default=True,
    help="The HTML file to write.",
)
@db_option
@json_option
def report(
    *, period_from: dt.date, period_to: dt.date, out: Path, db_url: str, as_json: bool
) -> None:
    """Write the funnel report for a period from the database (HTML; --json prints the figures)."""
    if period_to < period_from:
        raise OneLineError("--to is before --from")
    tables = load_subsistence_tables()
    with open_store(db_url) as store:
        figures = gather_funnel(
            store,
            period_from,
            period_to,
            capacity=capacity_from_tables(tables),
            notes=revision_notes(tables, period_to),
        )
    path = write_report(figures, out)
    if as_json:
        emit_json(figures_to_json(figures))
        return
    column = figures.columns[0]
    click.echo(
        f"{period_from.isoformat()} to {period_to.isoformat()}: {column.bills} bills, "
        f"{column.debtors} households, {column.in_arrears} in arrears, "
        f"{column.arrangements} arrangements, {column.bailiff} to the bailiff, "
        f"{column.share_recovered * 100:.1f} % of arrears recovered, "
        f"{column.households_protected} household(s) protected"
    )
    click.echo(f"Report: {path}")
