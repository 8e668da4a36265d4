"""``maatwerk calc bik``: buitengerechtelijke incassokosten (BIK) on one or more principals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import click

from maatwerk.adapters.legal_tables import load_bik_table
from maatwerk.cli._common import AMOUNT, DATE, emit_json, json_option
from maatwerk.core.collection_costs import collection_costs
from maatwerk.core.errors import NoRuleForDateError
from maatwerk.core.money import Money


__all__ = ["bik"]

_AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@click.command("bik", context_settings={"ignore_unknown_options": True})
@click.argument("amount", nargs=-1, required=True, type=AMOUNT)
@click.option(
    "--vat-non-deductible",
    is_flag=True,
    help="The creditor declares it cannot deduct VAT: add VAT to the costs (Besluit BIK art. 2 lid 3).",
)
@click.option(
    "--date",
    "on",
    type=DATE,
    default=None,
    help="Date of the 14-day letter; picks the table in force (default: today).",
)
@json_option
def bik(
    amount: tuple[Decimal, ...], vat_non_deductible: bool, on: dt.date | None, as_json: bool
) -> None:
    """Collection costs (BIK) for one 14-day letter covering the claims of AMOUNT.

    Several amounts: the costs are computed on their sum (BW 6:96 lid 7). Staffel of the Besluit
    vergoeding voor buitengerechtelijke incassokosten: 15 % / 10 % / 5 % / 1 % / 0.5 %, at least
    EUR 40, at most EUR 6,775. Public-law claims (Awb) get no BIK.
    """
    day = on or dt.datetime.now(tz=_AMSTERDAM).date()
    try:
        result = collection_costs(
            [Money(a) for a in amount],
            on=day,
            table=load_bik_table(),
            vat_non_deductible=vat_non_deductible,
        )
    except NoRuleForDateError as exc:
        raise click.BadParameter(str(exc), param_hint="'--date'") from None
    if as_json:
        emit_json(
            {
                "costs": result.costs,
                "principal": result.principal,
                "table": str(result.table),
                "vat": result.vat,
                "total": result.total,
                "date": day,
                "provisional": result.provisional,
                "source": result.table.source,
                "notes": list(result.notes),
            }
        )
        return
    click.echo(f"Collection costs: {result.costs}")
    if result.vat:
        click.echo(f"VAT:              {result.vat}")
        click.echo(f"Total:            {result.total}")
    click.echo(f"  Principal: {result.principal}")
    click.echo(f"  Table: {result.table} ({result.table.source})")
    for note in result.notes:
        click.echo(f"  {note}")
