"""``maatwerk calc bvv``: the beslagvrije voet (protected income, Rv 475b-475i)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import click

from maatwerk.adapters.subsistence_tables import load_subsistence_tables
from maatwerk.cli._common import AMOUNT, DATE, emit_json, json_option
from maatwerk.core.debtors import HouseholdType
from maatwerk.core.money import Money
from maatwerk.core.subsistence import (
    InstitutionStay,
    SubsistenceInput,
    SubsistenceResult,
    protected_income,
)


__all__ = ["bvv", "household_option", "result_payload", "subsistence_options"]

HOUSEHOLDS = [h.value for h in HouseholdType]


def household_option(func: Any) -> Any:
    return click.option(
        "--household",
        required=True,
        type=click.Choice(HOUSEHOLDS),
        help="single (alleenstaande), single-parent, couple, couple-children (Rv 475da lid 1).",
    )(func)


def subsistence_options(func: Any) -> Any:
    """The options that describe the household's income for a BVV (shared with ``calc plan``)."""
    options = [
        click.option(
            "--gross-annual-income",
            type=AMOUNT,
            help="C: taxable income per year (debtor plus spouse for a couple), Rv 475d.",
        ),
        click.option(
            "--spouse-unattached",
            type=AMOUNT,
            default=Decimal(0),
            help="Spouse's unattached net income per month (Rv 475db(a), at most half the BVV).",
        ),
        click.option(
            "--own-unattached",
            type=AMOUNT,
            default=Decimal(0),
            help="Debtor's own unattached net income per month (Rv 475db(b)).",
        ),
        click.option("--bijstand", is_flag=True, help="Debtor lives on bijstand (Rv 475dc lid 2)."),
        click.option(
            "--bijstand-norm",
            type=AMOUNT,
            help="With --bijstand: the debtor's own applicable norm per month incl. holiday pay.",
        ),
        click.option(
            "--no-address",
            is_flag=True,
            help="No residential address in the BRP (Rv 475da lid 4: 47.5 % of norm B).",
        ),
        click.option(
            "--housing-costs",
            type=AMOUNT,
            help="Request (Rv 475da lid 5): monthly housing costs; above 110 % of H raises the BVV.",
        ),
        click.option(
            "--owner-occupier",
            is_flag=True,
            help="Request (Rv 475da lid 7): owner-occupier increase (reported as not supported).",
        ),
        click.option(
            "--institution-costs",
            type=AMOUNT,
            help="Debtor in a care institution (Rv 475e lid 2): monthly price owed for the care.",
        ),
        click.option(
            "--institution-norm",
            type=AMOUNT,
            help="With --institution-costs: the art. 23(1) PW institution norm per month.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def build_input(
    *,
    household: str,
    on: dt.date,
    net_income: Decimal,
    gross_annual_income: Decimal | None,
    spouse_unattached: Decimal,
    own_unattached: Decimal,
    bijstand: bool,
    bijstand_norm: Decimal | None,
    no_address: bool,
    housing_costs: Decimal | None,
    owner_occupier: bool,
    institution_costs: Decimal | None,
    institution_norm: Decimal | None,
) -> SubsistenceInput:
    if institution_norm is not None and institution_costs is None:
        raise click.UsageError("--institution-norm needs --institution-costs")
    if bijstand_norm is not None and not bijstand:
        raise click.UsageError("--bijstand-norm needs --bijstand")
    institution = (
        InstitutionStay(
            care_costs=Money(institution_costs),
            institution_norm=None if institution_norm is None else Money(institution_norm),
        )
        if institution_costs is not None
        else None
    )
    return SubsistenceInput(
        household=HouseholdType(household),
        on=on,
        net_income=Money(net_income),
        gross_annual_income=None if gross_annual_income is None else Money(gross_annual_income),
        spouse_unattached=Money(spouse_unattached),
        own_unattached=Money(own_unattached),
        bijstand=bijstand,
        bijstand_norm=None if bijstand_norm is None else Money(bijstand_norm),
        no_address=no_address,
        housing_costs=None if housing_costs is None else Money(housing_costs),
        owner_occupier=owner_occupier,
        institution=institution,
    )


def result_payload(result: SubsistenceResult) -> dict[str, Any]:
    return {
        "bvv": result.bvv,
        "attachable": result.attachable,
        "table": result.table,
        "provisional": result.provisional,
        "lines": [
            {
                "term": line.term,
                "value": line.value,
                "rule": line.rule,
                "note": line.note,
                "provisional": line.provisional,
            }
            for line in result.lines
        ],
        "basis": result.basis.value,
        "formula": None if result.formula is None else result.formula.value,
        "household": result.household.value,
        "date": result.on,
        "unsupported": list(result.unsupported),
    }


@click.command("bvv")
@household_option
@click.option("--date", "on", required=True, type=DATE, help="Date of the calculation.")
@click.option(
    "--net-income",
    required=True,
    type=AMOUNT,
    help="Debtor's net income per month incl. holiday pay (Rv 475dc lid 1 basis).",
)
@subsistence_options
@json_option
def bvv(
    *,
    household: str,
    on: dt.date,
    net_income: Decimal,
    as_json: bool,
    **options: Any,
) -> None:
    """Beslagvrije voet: what the household keeps each month, with the calculation (Rv 475i)."""
    result = protected_income(
        build_input(household=household, on=on, net_income=net_income, **options),
        load_subsistence_tables(),
    )
    if as_json:
        emit_json(result_payload(result))
        return
    click.echo(f"Beslagvrije voet: {result.bvv}")
    click.echo(f"Beslag mogelijk op: {result.attachable}")
    for line in result.lines:
        note = f" ({line.note})" if line.note else ""
        mark = " [voorlopig]" if line.provisional else ""
        click.echo(f"  {line.term}: {line.value.format()}  [{line.rule}]{note}{mark}")
    click.echo(f"Tabellen: {result.table}")
    if result.provisional:
        click.echo("Let op: deze berekening gebruikt een voorlopige waarde of regel.")
    for item in result.unsupported:
        click.echo(f"Niet berekend: {item}")
