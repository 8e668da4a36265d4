"""``maatwerk calc interest``: statutory interest (wettelijke rente) over a period of default."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import click

from maatwerk.adapters.legal_tables import load_awb_interest_table, load_interest_table
from maatwerk.cli._common import AMOUNT, DATE, emit_json, json_option
from maatwerk.core.debts import InterestKind
from maatwerk.core.errors import NoRuleForDateError
from maatwerk.core.interest import InterestResult, public_claim_interest, statutory_interest
from maatwerk.core.money import Money


__all__ = ["interest"]

KINDS = ("consumer", "commercial", "public")


def _calculate(principal: Money, start: dt.date, end: dt.date, kind: str) -> InterestResult:
    if kind == "public":
        return public_claim_interest(
            principal,
            start=start,
            end=end,
            table=load_interest_table(InterestKind.CONSUMER),
            minimums=load_awb_interest_table(),
        )
    interest_kind = InterestKind(kind)
    return statutory_interest(
        principal,
        start=start,
        end=end,
        table=load_interest_table(interest_kind),
        kind=interest_kind,
    )


@click.command("interest", context_settings={"ignore_unknown_options": True})
@click.argument("principal", type=AMOUNT)
@click.option("--from", "start", required=True, type=DATE, help="First day of default (verzuim).")
@click.option(
    "--to", "end", required=True, type=DATE, help="End date (not included), e.g. the payment day."
)
@click.option(
    "--kind",
    type=click.Choice(KINDS),
    default="consumer",
    show_default=True,
    help="consumer: BW 6:119; commercial: 6:119a; public: Awb 4:98 (6:119 rate, none under EUR 20).",
)
@json_option
def interest(principal: Decimal, start: dt.date, end: dt.date, kind: str, as_json: bool) -> None:
    """Statutory interest on PRINCIPAL from the first day of default up to (not including) --to.

    Actual/365; a change of rate splits the period; after each full year of default the year's
    interest is added to the base (BW 6:119 lid 2). Only the total is rounded (half-up, cents).
    """
    if end < start:
        raise click.BadParameter(
            f"{end.isoformat()} lies before --from {start.isoformat()}", param_hint="'--to'"
        )
    try:
        result = _calculate(Money(principal), start, end, kind)
    except NoRuleForDateError as exc:
        raise click.BadParameter(str(exc), param_hint="'--from'") from None
    tables = [str(t) for t in result.tables]
    if as_json:
        emit_json(
            {
                "interest": result.interest,
                "principal": result.principal,
                "from": result.start,
                "to": result.end,
                "days": result.days,
                "kind": kind,
                "periods": [
                    {
                        "from": p.start,
                        "to": p.end,
                        "days": p.days,
                        "base": p.base,
                        "rate": f"{p.rate_percent:.2f}",
                        "amount": p.amount,
                        "year": p.year,
                        "table": str(p.table),
                        "provisional": p.table.provisional,
                    }
                    for p in result.periods
                ],
                "capitalised": [
                    {"on": day, "amount": amount} for day, amount in result.capitalised
                ],
                "exact": result.exact,
                "waived": result.waived,
                "tables": tables,
                "provisional": result.provisional,
                "notes": list(result.notes),
            }
        )
        return
    click.echo(f"Interest: {result.interest}")
    for p in result.periods:
        click.echo(
            f"  {p.start.isoformat()} .. {p.end.isoformat()}  {p.days:>4} days  "
            f"{p.rate_percent:>6.2f} %  on {p.base.format():>12}  = {p.amount.format():>10}"
            f"{'  (provisional)' if p.table.provisional else ''}"
        )
    for day, amount in result.capitalised:
        click.echo(f"  {day.isoformat()}: {amount.format()} added to the base (BW 6:119 lid 2)")
    if tables:
        click.echo(f"  Tables: {', '.join(tables)}")
    for note in result.notes:
        click.echo(f"  {note}")
