"""Vtlb (vrij te laten bedrag): what a debtor keeps in debt settlement (docs/rules/vtlb.md).

Since 2021 the Recofa method starts from the beslagvrije voet (Rv 475da-475e, see
:mod:`maatwerk.core.subsistence`) and adds nominal corrections the BVV lacks. The engine does not
attempt the full Recofa method: the Vtlb is ``BVV + Σ corrections``, with the standard corrections
from a dated table (``maatwerk/rules/vtlb_corrections.toml``, provisional: only 2021 amounts were
found) and the case-specific ones (work allowance, commuting, childcare, maintenance paid, ...)
passed in by the caller as facts of the case. Repayment capacity (afloscapaciteit) is
``net income (excl. toeslagen) − Vtlb``, never below zero.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs

from maatwerk.core.errors import InputError, Location
from maatwerk.core.money import Money
from maatwerk.core.subsistence import CalculationLine, SubsistenceResult
from maatwerk.core.tables import DatedTable, TableVersion


__all__ = ["CaseCorrection", "VtlbCorrections", "VtlbResult", "vtlb"]


@attrs.frozen(kw_only=True)
class VtlbCorrections:
    """Standard nominal corrections for one period (per month); ``None`` = not retrieved."""

    health_premium: Money | None = None
    institution_reservation_single: Money | None = None
    institution_reservation_couple: Money | None = None


@attrs.frozen(kw_only=True)
class CaseCorrection:
    """A case-specific correction (e.g. ``"arbeidstoeslag"``, ``"reiskosten"``), per month."""

    name: str
    amount: Money
    note: str = ""


@attrs.frozen(kw_only=True)
class VtlbResult:
    vtlb: Money
    bvv: Money
    repayment_capacity: Money
    """afloscapaciteit: net income excl. toeslagen − Vtlb, at least zero"""
    tables: tuple[TableVersion, ...]
    provisional: bool
    lines: tuple[CalculationLine, ...]

    @property
    def table(self) -> str:
        return ", ".join(str(v) for v in self.tables)


def vtlb(
    bvv: SubsistenceResult,
    corrections: DatedTable[VtlbCorrections],
    *,
    net_income_excl_allowances: Money,
    in_institution: bool = False,
    case_corrections: Sequence[CaseCorrection] = (),
    standard: Mapping[str, bool] | None = None,
) -> VtlbResult:
    """Vtlb = BVV + standard corrections + case corrections; and the repayment capacity.

    ``standard`` switches the standard corrections on or off by key (default: the health-premium
    correction always; the institution reservation when ``in_institution``).
    """
    if net_income_excl_allowances.is_negative:
        raise InputError("must not be negative", Location(field="net_income_excl_allowances"))
    entry = corrections.at(bvv.on)
    values = entry.value
    lines: list[CalculationLine] = [
        CalculationLine(
            term="Beslagvrije voet",
            value=bvv.bvv,
            rule="Rv 475da-475e",
            provisional=bvv.provisional,
        )
    ]
    switches = {"health_premium": True, "institution_reservation": in_institution}
    if standard is not None:
        unknown = sorted(set(standard) - set(switches))
        if unknown:
            raise InputError(
                f"unknown standard correction {unknown[0]!r}; expected one of {sorted(switches)}",
                Location(field="standard"),
            )
        switches.update(standard)
    total = bvv.bvv
    rule = f"Recofa-methode; {entry.version}"
    note = "[U] bedrag uit 2021, huidig bedrag niet opgehaald" if entry.provisional else ""
    standard_terms: list[tuple[str, Money | None, str]] = []
    if switches["health_premium"]:
        standard_terms.append(
            (
                "Correctie zorgpremie / eigen risico",
                values.health_premium,
                "health-premium correction",
            )
        )
    if switches["institution_reservation"]:
        couple = bvv.household.has_partner
        amount = (
            values.institution_reservation_couple
            if couple
            else values.institution_reservation_single
        )
        standard_terms.append(("Reserveringstoeslag instelling", amount, "institution reservation"))
    for term, value, what in standard_terms:
        if value is None:
            raise InputError(f"{what} not in the table", Location(field="standard"))
        lines.append(
            CalculationLine(
                term=term, value=value, rule=rule, note=note, provisional=entry.provisional
            )
        )
        total = total + value
    for correction in case_corrections:
        if correction.amount.is_negative:
            raise InputError(
                "must not be negative", Location(field=f"case_corrections.{correction.name}")
            )
        lines.append(
            CalculationLine(
                term=correction.name,
                value=correction.amount,
                rule="Recofa-methode (gegevens van de zaak)",
                note=correction.note,
            )
        )
        total = total + correction.amount
    total = total.rounded()
    capacity = (net_income_excl_allowances - total).clamp_zero()
    lines.append(CalculationLine(term="Vtlb", value=total, rule="Recofa-methode"))
    lines.append(
        CalculationLine(
            term="Afloscapaciteit", value=capacity, rule="netto-inkomen excl. toeslagen − Vtlb"
        )
    )
    used_provisional = bvv.provisional or any(line.provisional for line in lines)
    return VtlbResult(
        vtlb=total,
        bvv=bvv.bvv,
        repayment_capacity=capacity,
        tables=(*bvv.tables, entry.version),
        provisional=used_provisional,
        lines=tuple(lines),
    )
