"""The household's protected income (BVV) and capacity, for the run, the letters and the
dossiers."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from maatwerk.core.errors import MaatwerkError
from maatwerk.core.money import Money
from maatwerk.core.policy import HouseholdCapacity
from maatwerk.core.subsistence import (
    IncreaseNotComputableError,
    SubsistenceInput,
    SubsistenceResult,
    SubsistenceTables,
    protected_income,
)


if TYPE_CHECKING:
    from maatwerk.core.debtors import Debtor
    from maatwerk.core.records import StoredCase
from maatwerk.services.payloads._common import _cents


# ------------------------------------------------------------------------------ BVV
def household_bvv(
    debtor: Debtor, net_income: Money, on: dt.date, tables: SubsistenceTables
) -> SubsistenceResult:
    """The protected income (BVV, Rv 475b-475i) of the stored household of ``debtor`` on ``on``
    for a net monthly income of ``net_income`` (raises ``InputError`` when the stored household
    does not determine it).

    An owner-occupier or a tenant without huurtoeslag (``debtor.housing``) asks for the Rv 475da
    lid 7 increase, with the increase a person set (``debtor.owner_increase``); when it matters
    and no person set it, :class:`~maatwerk.core.subsistence.IncreaseNotComputableError` is
    raised (never a silent, too-low BVV).
    """
    return protected_income(
        SubsistenceInput(
            household=debtor.household,
            on=on,
            net_income=net_income,
            gross_annual_income=debtor.gross_annual_income,
            bijstand=debtor.on_bijstand,
            no_address=not debtor.has_brp_address,
            owner_occupier=debtor.asks_lid7,
            owner_increase=debtor.owner_increase if debtor.asks_lid7 else None,
        ),
        tables,
    )


def household_capacity(
    debtor: Debtor, on: dt.date, tables: SubsistenceTables | None
) -> HouseholdCapacity:
    """The household's figures on ``on`` for the policy (``CaseFile.household``).

    Net income as stored; the protected income from :func:`household_bvv` when the tables are
    given and can give it (else unknown: the policy then treats "I cannot pay" as unconfirmed
    and sends it to a person, never to a bailiff). When the Rv 475da lid 7 increase was asked
    for (owner-occupier, tenant without huurtoeslag) and cannot be computed, the protected
    income stays unknown and ``needs_person`` says why, with the too-low BVV without it: the
    mandatory ``bvv-needs-person`` guard then holds every step that rests on the BVV.
    """
    net = debtor.net_monthly_income
    if net is None or tables is None:
        return HouseholdCapacity(on=on, net_income=net)
    try:
        result = household_bvv(debtor, net, on, tables)
    except IncreaseNotComputableError as exc:
        return HouseholdCapacity(
            on=on, net_income=net, needs_person=exc.reason, too_low=exc.without
        )
    except MaatwerkError:
        return HouseholdCapacity(on=on, net_income=net)
    return HouseholdCapacity(
        on=on,
        net_income=net,
        protected_income=result.bvv,
        provisional=result.provisional,
        table=result.table,
    )


def bvv_facts(
    stored: StoredCase, on: dt.date, tables: SubsistenceTables
) -> dict[str, object] | None:
    """The household's protected income (BVV, Rv 475da) with its calculation lines.

    ``None`` when the debtor's net monthly income is unknown, or the tables cannot give a
    BVV for that date (then nothing may be deducted: the deduction channel refuses).
    """
    debtor = stored.debtor
    if debtor.net_monthly_income is None:
        return None
    try:
        result = household_bvv(debtor, debtor.net_monthly_income, on, tables)
    except MaatwerkError:
        return None
    return {
        "on": on,
        "net_income": _cents(debtor.net_monthly_income),
        "protected_income": _cents(result.bvv),
        "attachable": _cents(result.attachable),
        "basis": result.basis.value,
        "tables": result.table,
        "provisional": result.provisional,
        "provisional_notes": list(result.provisional_notes("nl")),
        "lines": [
            {
                "term": line.term,
                "value": _cents(line.value),
                "rule": line.rule,
                "note": line.note,
            }
            for line in result.lines
        ],
    }
