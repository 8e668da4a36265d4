"""``maatwerk calc bvv``: the beslagvrije voet (protected income, Rv 475b-475i)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import click

from maatwerk.adapters.subsistence_tables import load_subsistence_tables
from maatwerk.cli._common import AMOUNT, DATE, OneLineError, emit_json, json_option
from maatwerk.core.debtors import HouseholdType
from maatwerk.core.errors import InputError
from maatwerk.core.money import Money
from maatwerk.core.subsistence import (
    IncreaseNotComputableError,
    InstitutionStay,
    MissingParameterError,
    SubsistenceInput,
    SubsistenceResult,
    protected_income,
)


__all__ = [
    "build_input",
    "bvv",
    "compute",
    "household_option",
    "result_payload",
    "subsistence_options",
]

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
        click.option(
            "--attached-income",
            type=AMOUNT,
            help="Net income under attachment per month (attachable = this - BVV); default: "
            "--net-income minus --own-unattached.",
        ),
        click.option("--bijstand", is_flag=True, help="Debtor lives on bijstand (Rv 475dc lid 2)."),
        click.option(
            "--bijstand-norm",
            type=AMOUNT,
            help="With --bijstand: the debtor's own applicable norm per month incl. holiday pay.",
        ),
        click.option(
            "--bijstand-other-income",
            type=AMOUNT,
            default=Decimal(0),
            help="With --bijstand: other income per month deducted from 95 % of the norm "
            "(Rv 475dc lid 2, PW art. 32).",
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
            help="Request (Rv 475da lid 7): owner-occupier or tenant without huurtoeslag. "
            "The increase cannot be computed (the Besluit's rule was not retrieved): without "
            "--owner-increase the command stops unless the 95 % cap decides anyway.",
        ),
        click.option(
            "--owner-increase",
            type=AMOUNT,
            help="With --owner-occupier: the monthly lid-7 increase as set by a person "
            "(Besluit beslagvrije voet art. 5).",
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
    owner_increase: Decimal | None = None,
    institution_norm: Decimal | None,
    attached_income: Decimal | None = None,
    bijstand_other_income: Decimal = Decimal(0),
) -> SubsistenceInput:
    """The core input from the CLI options; refuses combinations the core would silently ignore."""
    _check_combinations(
        net_income=net_income,
        spouse_unattached=spouse_unattached,
        own_unattached=own_unattached,
        bijstand=bijstand,
        institution=institution_costs is not None,
        attached_income=attached_income,
        bijstand_other_income=bijstand_other_income,
    )
    if attached_income is None and not bijstand and institution_costs is None:
        attached_income = net_income - own_unattached
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
        attached_income=None if attached_income is None else Money(attached_income),
        bijstand_other_income=Money(bijstand_other_income),
        gross_annual_income=None if gross_annual_income is None else Money(gross_annual_income),
        spouse_unattached=Money(spouse_unattached),
        own_unattached=Money(own_unattached),
        bijstand=bijstand,
        bijstand_norm=None if bijstand_norm is None else Money(bijstand_norm),
        no_address=no_address,
        housing_costs=None if housing_costs is None else Money(housing_costs),
        owner_occupier=owner_occupier,
        owner_increase=None if owner_increase is None else Money(owner_increase),
        institution=institution,
    )


def _check_combinations(
    *,
    net_income: Decimal,
    spouse_unattached: Decimal,
    own_unattached: Decimal,
    bijstand: bool,
    institution: bool,
    attached_income: Decimal | None,
    bijstand_other_income: Decimal,
) -> None:
    if bijstand_other_income and not bijstand:
        raise click.UsageError("--bijstand-other-income needs --bijstand")
    special = "--bijstand" if bijstand else "--institution-costs" if institution else None
    if special is not None:
        for option, value in (
            ("--own-unattached", own_unattached),
            ("--spouse-unattached", spouse_unattached),
        ):
            if value:
                hint = (
                    "; give the debtor's other income as --bijstand-other-income (PW art. 32)"
                    if bijstand
                    else ""
                )
                raise click.UsageError(
                    f"{option} does not apply with {special}: that rule sets the BVV directly "
                    f"({'Rv 475dc lid 2' if bijstand else 'Rv 475e lid 2'}){hint}"
                )
    if own_unattached > net_income:
        raise click.UsageError(
            "--own-unattached is part of --net-income (all net income) and cannot be more"
        )
    if attached_income is not None and attached_income > net_income:
        raise click.UsageError(
            "--attached-income is part of --net-income (all net income) and cannot be more"
        )


#: core input fields -> the CLI options that set them (errors name the option, not the field)
_OPTIONS = {
    "net_income": "--net-income",
    "gross_annual_income": "--gross-annual-income",
    "attached_income": "--attached-income",
    "spouse_unattached": "--spouse-unattached",
    "own_unattached": "--own-unattached",
    "bijstand_norm": "--bijstand-norm",
    "bijstand_other_income": "--bijstand-other-income",
    "housing_costs": "--housing-costs",
    "institution.care_costs": "--institution-costs",
    "household": "--household",
    "owner_increase": "--owner-increase",
}


def compute(inp: SubsistenceInput) -> SubsistenceResult:
    """The BVV for ``inp`` from the shipped tables; errors name the CLI option to fix."""
    try:
        return protected_income(inp, load_subsistence_tables())
    except IncreaseNotComputableError as exc:
        # not a date problem: the lid-7 rule is missing for every date
        raise OneLineError(str(exc), exit_code=2) from None
    except MissingParameterError as exc:
        institution = inp.institution
        if (
            institution is not None
            and institution.institution_norm is None
            and ("institution norm" in str(exc))
        ):
            raise click.UsageError(
                "the institution norm (PW art. 23(1)) for "
                f"{inp.on.isoformat()} is not in the tables: give it with --institution-norm"
            ) from None
        raise
    except InputError as exc:
        option = _OPTIONS.get(exc.location.field or "")
        if option is None:
            raise
        raise click.BadParameter(exc.message, param_hint=f"'{option}'") from None


def result_payload(result: SubsistenceResult) -> dict[str, Any]:
    return {
        "bvv": result.bvv,
        "attachable": result.attachable,
        "table": result.table,
        "provisional": result.provisional,
        "provisional_notes": list(result.provisional_notes("en")),
        "beyond_revision": result.beyond_revision,
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
    result = compute(build_input(household=household, on=on, net_income=net_income, **options))
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
        for note in result.provisional_notes("nl"):
            click.echo(f"  {note}")
    for item in result.unsupported:
        click.echo(f"Niet berekend: {item}")
