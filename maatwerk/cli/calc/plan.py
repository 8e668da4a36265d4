"""``maatwerk calc plan``: an arrangement sized to what the household can spare, or the advice."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

import click

from maatwerk.adapters.calendars import build_calendars
from maatwerk.cli._common import AMOUNT, DATE, emit_json, json_option
from maatwerk.cli.calc.bvv import build_input, compute, household_option, subsistence_options
from maatwerk.core.affordability import Commitment, OtherDebt, affordability
from maatwerk.core.arrangements import (
    DEFAULT_MAX_MONTHS,
    ArrangementProposal,
    PaymentMethod,
    classic_arrangement,
    propose_arrangement,
)
from maatwerk.core.calendar import SEPA
from maatwerk.core.money import Money


__all__ = ["plan"]

#: Years ahead the SEPA calendar must cover: the longest plan the policy allows, plus a margin.
_CALENDAR_YEARS = 5


def _proposal_payload(proposal: ArrangementProposal) -> dict[str, Any]:
    arrangement = proposal.arrangement
    return {
        "outcome": proposal.outcome.value,
        "rule": proposal.rule,
        "months": None if arrangement is None else arrangement.months,
        "months_needed": proposal.months_needed,
        "max_months": proposal.max_months,
        "exceeds_capacity": proposal.exceeds_capacity,
        "shortfall": proposal.shortfall,
        "referral_recommended": proposal.referral_recommended,
        "method": None if arrangement is None else arrangement.method.value,
        "charges": None if arrangement is None else arrangement.charges.value,
        "instalments": []
        if arrangement is None
        else [
            {"number": i.number, "due_date": i.due_date, "amount": i.amount}
            for i in arrangement.instalments
        ],
        "lines": list(proposal.lines),
    }


@click.command("plan")
@click.option("--debt", required=True, type=AMOUNT, help="Amount the plan must clear.")
@click.option(
    "--net-income",
    required=True,
    type=AMOUNT,
    help="Debtor's net income per month incl. holiday pay.",
)
@household_option
@click.option("--date", "on", required=True, type=DATE, help="Date of the proposal.")
@click.option(
    "--payday",
    required=True,
    type=click.IntRange(1, 31),
    help="Day of the month the income arrives; instalments fall the day after.",
)
@click.option(
    "--other-arrangements",
    type=AMOUNT,
    multiple=True,
    help="Monthly amount already paid to other arrangements or deductions (repeatable).",
)
@click.option(
    "--other-debt",
    type=AMOUNT,
    multiple=True,
    help="Outstanding arrears at another known creditor without a plan (repeatable); "
    "capacity is shared pro rata.",
)
@click.option(
    "--max-months",
    type=click.IntRange(1, 120),
    default=DEFAULT_MAX_MONTHS,
    show_default=True,
    help="Policy limit on the plan's duration.",
)
@click.option(
    "--debit-day",
    type=click.IntRange(1, 31),
    help="Chosen direct-debit day of the month instead of the day after payday.",
)
@click.option(
    "--method",
    type=click.Choice([m.value for m in PaymentMethod]),
    default=PaymentMethod.DIRECT_DEBIT.value,
    show_default=True,
    help="direct-debit dates move to the next SEPA business day.",
)
@subsistence_options
@json_option
def plan(
    *,
    debt: Decimal,
    net_income: Decimal,
    household: str,
    on: dt.date,
    payday: int,
    other_arrangements: tuple[Decimal, ...],
    other_debt: tuple[Decimal, ...],
    max_months: int,
    debit_day: int | None,
    method: str,
    as_json: bool,
    **options: Any,
) -> None:
    """Propose a plan sized to capacity, or say the debt is problematic (referral, with consent).

    Capacity = net income − BVV − other arrangements, shared pro rata with other known creditors.
    The classic rule (6 months, at least EUR 50) is shown for comparison.
    """
    if debt <= 0:
        raise click.UsageError("--debt must be more than zero")
    subsistence = compute(build_input(household=household, on=on, net_income=net_income, **options))
    capacity = affordability(
        net_income=Money(net_income),
        protected=subsistence.bvv,
        debt=Money(debt),
        commitments=[
            Commitment(label=f"andere regeling {n}", monthly=Money(amount))
            for n, amount in enumerate(other_arrangements, start=1)
        ],
        other_debts=[
            OtherDebt(label=f"andere schuldeiser {n}", outstanding=Money(amount))
            for n, amount in enumerate(other_debt, start=1)
        ],
    )
    payment_method = PaymentMethod(method)
    calendar = None
    if payment_method is PaymentMethod.DIRECT_DEBIT:
        years = max(_CALENDAR_YEARS, math.ceil(max_months / 12) + 1)
        # from the year before: the first debit date is worked out from the payday before --date
        calendar = build_calendars(on.year - 1, on.year + years).get(SEPA)
    chosen_payday = None if debit_day else payday
    proposal = propose_arrangement(
        arrangement_id="voorstel",
        debtor_id="debtor",
        creditor_id="creditor",
        debt=Money(debt),
        capacity=capacity.capacity,
        today=on,
        max_months=max_months,
        method=payment_method,
        calendar=calendar,
        payday=chosen_payday,
        debit_day=debit_day,
    )
    classic = classic_arrangement(
        arrangement_id="klassiek",
        debtor_id="debtor",
        creditor_id="creditor",
        debt=Money(debt),
        today=on,
        capacity=capacity.capacity,
        calendar=calendar,
        payday=chosen_payday,
        debit_day=debit_day,
    )
    if as_json:
        payload = _proposal_payload(proposal)
        payload.update(
            {
                "debt": Money(debt),
                "capacity": capacity.capacity,
                "bvv": subsistence.bvv,
                "table": subsistence.table,
                "provisional": subsistence.provisional,
                "provisional_notes": list(subsistence.provisional_notes("en")),
                "affordability": [
                    {"term": line.term, "value": line.value, "note": line.note}
                    for line in capacity.lines
                ],
                "classic": _proposal_payload(classic),
            }
        )
        emit_json(payload)
        return
    click.echo(f"Beslagvrije voet: {subsistence.bvv}  (tabellen: {subsistence.table})")
    for line in capacity.lines:
        click.echo(f"  {line.term}: {line.value.format()}")
    click.echo(f"Uitkomst: {proposal.outcome.value}")
    for text in proposal.lines:
        click.echo(f"  {text}")
    if proposal.arrangement is not None:
        for instalment in proposal.arrangement.instalments:
            click.echo(
                f"  termijn {instalment.number:>2}: {instalment.due_date.isoformat()}  "
                f"{instalment.amount.format()}"
            )
    click.echo("Ter vergelijking, de klassieke regel:")
    for text in classic.lines:
        click.echo(f"  {text}")
    if subsistence.provisional:
        click.echo("Let op: de beslagvrije voet gebruikt een voorlopige waarde of regel.")
        for note in subsistence.provisional_notes("nl"):
            click.echo(f"  {note}")
