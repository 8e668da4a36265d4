"""The values of the protected-income calculation: the dated table values, the input, the result."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

import attrs

from maatwerk.core._convert import to_member
from maatwerk.core.debtors import HouseholdType, to_household_type
from maatwerk.core.errors import InputError, Location, NoRuleForDateError
from maatwerk.core.money import Money
from maatwerk.core.tables import DatedTable, TableVersion


__all__ = [
    "BijstandNorms",
    "BvvMaxima",
    "CalculationLine",
    "FormulaParameters",
    "FormulaVersion",
    "IncreaseNotComputableError",
    "InstitutionStay",
    "MissingParameterError",
    "SubsistenceBasis",
    "SubsistenceInput",
    "SubsistenceResult",
    "SubsistenceTables",
]


class MissingParameterError(NoRuleForDateError):
    """A parameter this calculation needs was not retrieved for the period (no number is invented)."""


class IncreaseNotComputableError(MissingParameterError):
    """The owner-occupier / no-huurtoeslag increase (Rv 475da lid 7) was asked for and matters,
    but the rule that computes it (Besluit beslagvrije voet) was not retrieved.

    ``reason`` is the short reason a case goes to a person with; ``without`` the BVV without the
    increase (a lower bound: the real BVV is higher, so it must not be used to attach or deduct).
    """

    reason = "lid 7 increase cannot be computed"

    def __init__(self, message: str, *, without: Money) -> None:
        super().__init__(message)
        self.without = without


class FormulaVersion(enum.Enum):
    """Which text of Rv 475da lid 2 applies (chosen per period by the parameter table)."""

    QUADRATIC_2021 = "quadratic-2021"
    """texts 2021-01-01 up to and including 2025-07-01: housing term ``a·C² + b·C − J``"""
    LINEAR_2026 = "linear-2026"
    """texts from 2026-01-01: housing term ``min(I·F/12, H − J)`` (huurtoeslag reform)"""


class SubsistenceBasis(enum.Enum):
    """Which rule set the BVV."""

    FORMULA = "formula"
    """475da lid 1-2 (with increases, 475db reductions and the 475dc lid 1 cap)"""
    BIJSTAND = "bijstand"
    """475dc lid 2"""
    NO_ADDRESS = "no-address"
    """475da lid 4"""
    INSTITUTION = "institution"
    """475e lid 2"""


# ------------------------------------------------------------------------------ table values
@attrs.frozen(kw_only=True)
class BvvMaxima:
    """Maximum BVV per month per household type (Rv 475da lid 1); ``None`` = not retrieved."""

    single: Money | None
    single_parent: Money | None
    couple: Money | None
    couple_children: Money | None

    def for_household(self, household: HouseholdType) -> Money | None:
        return {
            HouseholdType.SINGLE: self.single,
            HouseholdType.SINGLE_PARENT: self.single_parent,
            HouseholdType.COUPLE: self.couple,
            HouseholdType.COUPLE_CHILDREN: self.couple_children,
        }[household]


@attrs.frozen(kw_only=True)
class BijstandNorms:
    """Social-assistance norms per month incl. holiday allowance (Participatiewet art. 21-23).

    ``single`` is A (art. 21(a)), ``couple`` is B (art. 21(b)); ``care_allowance_*`` the art. 23(2)
    amounts; ``institution_*`` the art. 23(1) norms. ``None`` = not retrieved.
    """

    single: Money | None
    couple: Money | None
    aow_single: Money | None = None
    aow_couple: Money | None = None
    care_allowance_single: Money | None = None
    care_allowance_couple: Money | None = None
    institution_single: Money | None = None
    institution_couple: Money | None = None


# ---------------------------------------------------------------------- enum converters
# A value string becomes the member, anything else a ValueError (see maatwerk.core._convert).
def to_formula_version(value: FormulaVersion | str) -> FormulaVersion:
    return value if type(value) is FormulaVersion else to_member(FormulaVersion, value)


@attrs.frozen(kw_only=True)
class FormulaParameters:
    """The letters of Rv 475da lid 2 for one period (yearly amounts unless named monthly).

    ``None`` marks a value that was not retrieved: a calculation that needs it raises
    :class:`MissingParameterError` instead of guessing.
    """

    formula: FormulaVersion = attrs.field(converter=to_formula_version)
    zorg_threshold: Decimal | None = None
    """D: zorgtoeslag drempelinkomen per year (Wzt art. 1(1)(f))"""
    zorg_rate: Decimal | None = None
    """E: zorgtoeslag percentage above the threshold, as a fraction (Wzt art. 2(3))"""
    standard_premium: Decimal | None = None
    """standaardpremie per year (Wzt art. 2(1)); twice for couples (lid 3 cap)"""
    rent_rate_one: Decimal | None = None
    """F: huurtoeslag afbouwpercentage, one-person household (Wht art. 21(2)(a))"""
    rent_rate_more: Decimal | None = None
    """G: same, multi-person household (Wht art. 21(2)(b))"""
    max_rent: Decimal | None = None
    """H: maximale huurgrens per month (Wht art. 13(1)(a))"""
    min_income_one: Decimal | None = None
    """minimum-inkomensijkpunt per year, one person (Wht art. 17(1)); I = C − this"""
    min_income_more: Decimal | None = None
    base_rent_one: Decimal | None = None
    """J: basishuur per month, one person (Wht art. 16)"""
    base_rent_more: Decimal | None = None
    child_rate: Decimal | None = None
    """K: kindgebonden budget afbouwpercentage (WKB art. 2(7))"""
    child_partner_raise: Decimal | None = None
    """L: raise of the KGB income threshold for a parent with a partner (WKB art. 2(8))"""
    quad_a_one: Decimal | None = None
    """quadratic version: coefficient of C², one person (monthly result)"""
    quad_b_one: Decimal | None = None
    quad_a_more: Decimal | None = None
    quad_b_more: Decimal | None = None
    owner_income_limit_single: Decimal | None = None
    """lid 7: taxable income below which an owner-occupier may ask for an increase"""
    owner_income_limit_multi: Decimal | None = None


@attrs.frozen(kw_only=True)
class SubsistenceTables:
    """The dated tables the BVV needs (loaded by ``maatwerk.adapters.subsistence_tables``)."""

    maxima: DatedTable[BvvMaxima]
    norms: DatedTable[BijstandNorms]
    parameters: DatedTable[FormulaParameters]


# ---------------------------------------------------------------------------- input / output
@attrs.frozen(kw_only=True)
class InstitutionStay:
    """A debtor admitted to a care institution (475e lid 2).

    ``care_costs``: the monthly price owed for the care. ``institution_norm``: the art. 23(1) PW
    norm that applies, when the table has none for the period (or to override it).
    """

    care_costs: Money
    institution_norm: Money | None = None


@attrs.frozen(kw_only=True)
class SubsistenceInput:
    """Facts for one BVV calculation (monthly amounts unless named annual).

    ``net_income``: the debtor's net monthly income incl. the monthly share of holiday pay, from
    the 475c lid 1 sources (the 475dc lid 1 basis). ``gross_annual_income``: C, the taxable income
    per year (the debtor's plus the spouse's for a couple, 475d). ``attached_income``: the net
    income under attachment (default ``net_income``); attachable = attached − BVV.
    ``bijstand_norm``: the debtor's own applicable norm (youth, AOW, cost-sharer norm) for the
    475dc lid 2 case; default A or B by household type.
    """

    household: HouseholdType = attrs.field(converter=to_household_type)
    on: dt.date
    net_income: Money
    gross_annual_income: Money | None = None
    attached_income: Money | None = None
    spouse_unattached: Money = Money.zero()
    own_unattached: Money = Money.zero()
    bijstand: bool = False
    bijstand_norm: Money | None = None
    bijstand_other_income: Money = Money.zero()
    no_address: bool = False
    address_disclosed: bool = False
    """475e lid 1: a fixed address outside the BRP, living situation and income disclosed"""
    institution: InstitutionStay | None = None
    housing_costs: Money | None = None
    """on request (lid 5): monthly housing costs"""
    owner_occupier: bool = False
    """on request (lid 7): owner-occupier or tenant without huurtoeslag entitlement"""
    owner_increase: Money | None = None
    """lid 7: the monthly increase as set by a person per the Besluit beslagvrije voet (the engine
    cannot compute it: the Besluit's rule was not retrieved); only with ``owner_occupier``"""


@attrs.frozen(kw_only=True)
class CalculationLine:
    """One line of the calculation: the term, its value and the rule (article) behind it."""

    term: str
    value: Money
    rule: str
    note: str = ""
    provisional: bool = False


@attrs.frozen(kw_only=True)
class SubsistenceResult:
    """A BVV calculation: the amount, the attachable part, the tables, and the lines."""

    bvv: Money
    attachable: Money
    household: HouseholdType
    on: dt.date
    basis: SubsistenceBasis
    formula: FormulaVersion | None
    tables: tuple[TableVersion, ...]
    provisional: bool
    lines: tuple[CalculationLine, ...]
    unsupported: tuple[str, ...] = ()
    """requested parts the engine cannot compute (e.g. the owner-occupier increase)"""

    @property
    def table(self) -> str:
        """The table versions used, e.g. ``bvv_maxima@2026-01-01, ...``."""
        return ", ".join(str(v) for v in self.tables)

    @property
    def beyond_revision(self) -> dt.date | None:
        """The earliest scheduled revision of a table used that had passed on :attr:`on`
        (its figures may have been superseded: the result is then provisional)."""
        dates = [v.beyond_revision for v in self.tables if v.beyond_revision is not None]
        return min(dates) if dates else None

    def provisional_notes(self, lang: str = "en") -> tuple[str, ...]:
        """Why the result is provisional, one plain sentence per cause ('nl' or 'en')."""
        notes: list[str] = []
        beyond = self.beyond_revision
        if beyond is not None:
            used = max(v.valid_from for v in self.tables if v.beyond_revision is not None)
            notes.append(
                f"Voorlopig: de bedragen van {used.isoformat()} zijn gebruikt. Op "
                f"{beyond.isoformat()} zouden er nieuwe bedragen komen. Die hebben we nog niet; "
                "de uitkomst kan nog veranderen."
                if lang == "nl"
                else f"Provisional: the figures valid from {used.isoformat()} were used, but new "
                f"figures were due on {beyond.isoformat()} and are not in the tables yet; the "
                "result may change."
            )
        notes.extend(
            version.note_nl if lang == "nl" else version.note
            for version in self.tables
            if version.provisional and version.beyond_revision is None
        )
        for line in self.lines:
            if line.provisional:
                rule = f"{line.term} ({line.rule})"
                notes.append(
                    f"Voorlopig: {rule}: {line.note}"
                    if lang == "nl"
                    else f"Provisional: {rule}: {line.note}"
                )
        return tuple(notes) if self.provisional else ()


def _check_money(value: Money, field: str) -> None:
    if value.is_negative:
        raise InputError(f"must not be negative, got {value.format()}", Location(field=field))


def check_input(inp: SubsistenceInput) -> None:
    """Refuse negative amounts and contradictory facts, naming the field (``InputError``)."""
    for field in (
        "net_income",
        "spouse_unattached",
        "own_unattached",
        "bijstand_other_income",
    ):
        _check_money(getattr(inp, field), field)
    if inp.owner_increase is not None and not inp.owner_occupier:
        raise InputError(
            "an owner-occupier increase (Rv 475da lid 7) needs the owner-occupier request",
            Location(field="owner_increase"),
        )
    for field in (
        "gross_annual_income",
        "attached_income",
        "housing_costs",
        "bijstand_norm",
        "owner_increase",
    ):
        value = getattr(inp, field)
        if value is not None:
            _check_money(value, field)
    if inp.institution is not None:
        _check_money(inp.institution.care_costs, "institution.care_costs")
    if inp.spouse_unattached.is_positive and not inp.household.has_partner:
        raise InputError(
            "a spouse's income only applies to a couple (household couple or couple-children)",
            Location(field="spouse_unattached"),
        )
    specials = sum((inp.bijstand, inp.no_address, inp.institution is not None))
    if specials > 1:
        raise InputError(
            "choose at most one of: bijstand, no address, institution", Location(field="household")
        )
