"""``maatwerk calc allocate``: apply a payment to the costs, interest and principal of one debt."""

from __future__ import annotations

from decimal import Decimal

import click

from maatwerk.cli._common import AMOUNT, emit_json, json_option
from maatwerk.core.allocation import AllocationOrder, allocate_within
from maatwerk.core.debts import Balance
from maatwerk.core.money import Money


__all__ = ["allocate"]


@click.command("allocate")
@click.option("--payment", required=True, type=AMOUNT, help="The amount paid.")
@click.option("--costs", default="0", type=AMOUNT, show_default=True, help="Outstanding costs.")
@click.option(
    "--interest", default="0", type=AMOUNT, show_default=True, help="Outstanding accrued interest."
)
@click.option(
    "--principal", default="0", type=AMOUNT, show_default=True, help="Outstanding principal."
)
@click.option(
    "--principal-first",
    is_flag=True,
    help="Humane order: principal, then interest, then costs (instead of BW 6:44).",
)
@json_option
def allocate(  # click passes keywords
    *,
    payment: Decimal,
    costs: Decimal,
    interest: Decimal,
    principal: Decimal,
    principal_first: bool,
    as_json: bool,
) -> None:
    """Apply --payment to one debt: costs, then interest, then principal (BW 6:44).

    Prints what was applied to each part, what remains owed per part, and any amount that did not
    fit (an overpayment, to refund or keep as credit).
    """
    order = AllocationOrder.PRINCIPAL_FIRST if principal_first else AllocationOrder.STATUTORY
    outstanding = Balance(costs=Money(costs), interest=Money(interest), principal=Money(principal))
    result = allocate_within(Money(payment), outstanding, order)
    if as_json:
        emit_json(
            {
                "costs": result.applied.costs,
                "interest": result.applied.interest,
                "principal": result.applied.principal,
                "remaining": {
                    "costs": result.remaining.costs,
                    "interest": result.remaining.interest,
                    "principal": result.remaining.principal,
                    "total": result.remaining.total,
                },
                "unapplied": result.unapplied,
                "order": order.value,
            }
        )
        return
    click.echo(f"Order: {' -> '.join(p.value for p in order.parts)}")
    click.echo(f"{'':10}{'applied':>12}{'remaining':>12}")
    for name in ("costs", "interest", "principal"):
        applied: Money = getattr(result.applied, name)
        left: Money = getattr(result.remaining, name)
        click.echo(f"{name:10}{applied.format():>12}{left.format():>12}")
    if result.unapplied:
        click.echo(f"Not applied (overpayment): {result.unapplied}")
