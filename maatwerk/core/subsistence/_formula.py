"""The calculation of protected income (beslagvrije voet), Rv 475b-475i: see the package docstring."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from maatwerk.core.debtors import HouseholdType
from maatwerk.core.errors import InputError, Location
from maatwerk.core.money import Money
from maatwerk.core.subsistence._model import (
    BijstandNorms,
    BvvMaxima,
    CalculationLine,
    FormulaParameters,
    FormulaVersion,
    IncreaseNotComputableError,
    InstitutionStay,
    MissingParameterError,
    SubsistenceBasis,
    SubsistenceInput,
    SubsistenceResult,
    SubsistenceTables,
    check_input,
)
from maatwerk.core.tables import Dated, DatedTable, TableVersion


__all__ = ["protected_income"]

_TWELVE = Decimal(12)
_NINETY_FIVE = Decimal("0.95")
_NO_ADDRESS_SHARE = Decimal("0.475")
_HOUSING_MARGIN = Decimal("1.10")
_TWO_THIRDS = Decimal(2) / Decimal(3)


# ------------------------------------------------------------------------------ calculation
class _Work:
    """Collects lines, table versions and provisional flags while calculating."""

    def __init__(self, tables: SubsistenceTables, on: dt.date) -> None:
        self.tables = tables
        self.on = on
        self.lines: list[CalculationLine] = []
        self.versions: list[TableVersion] = []
        self.provisional = False
        self.unsupported: list[str] = []
        self.owner_pending = False
        """lid 7 asked for and due, but not computable (see :func:`_owner_increase`)"""

    def use(self, entry: Dated[Any]) -> None:
        version = entry.version
        if version not in self.versions:
            self.versions.append(version)
        if version.provisional:
            self.provisional = True

    def line(
        self, term: str, value: Money, rule: str, note: str = "", *, provisional: bool = False
    ) -> None:
        self.lines.append(
            CalculationLine(term=term, value=value, rule=rule, note=note, provisional=provisional)
        )
        if provisional:
            self.provisional = True

    def maxima(self) -> BvvMaxima:
        entry = self.tables.maxima.at(self.on)
        self.use(entry)
        return entry.value

    def norms(self) -> BijstandNorms:
        entry = self.tables.norms.at(self.on)
        self.use(entry)
        return entry.value

    def params(self) -> FormulaParameters:
        entry = self.tables.parameters.at(self.on)
        self.use(entry)
        return entry.value

    def result(
        self,
        inp: SubsistenceInput,
        bvv: Money,
        attached: Money,
        basis: SubsistenceBasis,
        formula: FormulaVersion | None,
    ) -> SubsistenceResult:
        """The BVV rounded half-up to cents, what may be attached above it, and the calculation."""
        final = bvv.rounded()
        self.line("Beslagvrije voet", final, "Rv 475da-475dc", "afgerond op centen (half-up)")
        attachable = (attached - final).clamp_zero()
        self.line("Beslag mogelijk op", attachable, "Rv 475a-475c", "inkomen onder beslag − BVV")
        return SubsistenceResult(
            bvv=final,
            attachable=attachable,
            household=inp.household,
            on=inp.on,
            basis=basis,
            formula=formula,
            tables=tuple(self.versions),
            provisional=self.provisional,
            lines=tuple(self.lines),
            unsupported=tuple(self.unsupported),
        )


def _need(value: Decimal | Money | None, what: str, table: DatedTable[Any], on: dt.date) -> Decimal:
    if value is None:
        entry = table.at(on)
        raise MissingParameterError(
            f"{what} for the period from {entry.valid_from.isoformat()} was not retrieved "
            f"(table {table.name!r}); the engine does not guess it"
        )
    return value.amount if isinstance(value, Money) else value


def protected_income(inp: SubsistenceInput, tables: SubsistenceTables) -> SubsistenceResult:
    """The beslagvrije voet (Rv 475b-475i) for ``inp`` on ``inp.on``; see the module docstring."""
    check_input(inp)
    work = _Work(tables, inp.on)
    attached = inp.attached_income if inp.attached_income is not None else inp.net_income
    formula: FormulaVersion | None = None
    alternative: Money | None = None

    if inp.institution is not None:
        basis = SubsistenceBasis.INSTITUTION
        bvv = _institution(inp, inp.institution, work)
    elif inp.bijstand:
        basis = SubsistenceBasis.BIJSTAND
        bvv = _bijstand(inp, work)
    else:
        if inp.no_address and not inp.address_disclosed:
            basis = SubsistenceBasis.NO_ADDRESS
            norms = work.norms()
            b = _need(norms.couple, "bijstandsnorm B (PW art. 21(b))", tables.norms, inp.on)
            bvv = Money(_NO_ADDRESS_SHARE * b)
            work.line(
                "Geen woonadres in de BRP: 47,5 % van de gehuwdennorm B",
                bvv,
                "Rv 475da lid 4",
                f"0,475 × {Money(b).format()}",
            )
        else:
            basis = SubsistenceBasis.FORMULA
            if inp.no_address:
                work.line(
                    "Vast adres buiten de BRP, woon- en inkomenssituatie gemeld: "
                    "de 47,5 %-regel geldt niet",
                    Money.zero(),
                    "Rv 475e lid 1",
                )
            params = work.params()
            formula = params.formula
            mark = len(work.lines)
            try:
                both = _formula_bvv(inp, params, work)
            except MissingParameterError as missing:
                # a formula parameter of the period was not retrieved: only the cap can decide
                del work.lines[mark:]
                return _lower_bound_result(inp, params, work, attached, missing=missing)
            if both is None:
                # gross income unknown: only the 95 %-of-income cap can decide (checked below)
                return _lower_bound_result(inp, params, work, attached)
            bvv, unclamped = both
            before = bvv
            bvv = _increases(inp, params, bvv, work)
            if unclamped != before:
                alternative = unclamped + (bvv - before)
        # the formula and the no-address rule are "the BVV of 475da": reductions and the cap
        bvv = _reductions(inp, bvv, work)
        bvv = _income_cap(inp, bvv, work)
        if work.owner_pending:
            _owner_cap_decides(inp, bvv, work)
        if alternative is not None:
            other = _income_cap(inp, _reductions(inp, alternative, None), None)
            if other.rounded() != bvv.rounded():
                work.line(
                    "Let op: zonder de [U]-ondergrens 0 voor negatieve formuletermen zou de "
                    f"BVV {other.rounded().format()} zijn",
                    Money.zero(),
                    "Rv 475da lid 2 [U]",
                    provisional=True,
                )

    return work.result(inp, bvv, attached, basis, formula)


def _institution(inp: SubsistenceInput, stay: InstitutionStay, work: _Work) -> Money:
    norms = work.norms()
    couple = inp.household.has_partner
    table_norm = norms.institution_couple if couple else norms.institution_single
    norm = stay.institution_norm if stay.institution_norm is not None else table_norm
    norm_value = _need(
        norm,
        "institution norm (PW art. 23(1))",
        work.tables.norms,
        inp.on,
    )
    allowance = _need(
        norms.care_allowance_couple if couple else norms.care_allowance_single,
        "PW art. 23(2) amount",
        work.tables.norms,
        inp.on,
    )
    work.line("Kosten van de zorg in de instelling", stay.care_costs, "Rv 475e lid 2")
    part = Money(_TWO_THIRDS * norm_value)
    work.line(
        "Twee derde van de instellingsnorm",
        part,
        "Rv 475e lid 2; PW art. 23(1)",
        f"⅔ × {Money(norm_value).format()}",
    )
    work.line("Bedrag art. 23 lid 2 PW", Money(allowance), "Rv 475e lid 2; PW art. 23(2)")
    return stay.care_costs + part + Money(allowance)


def _bijstand(inp: SubsistenceInput, work: _Work) -> Money:
    if inp.bijstand_norm is not None:
        norm = inp.bijstand_norm.amount
        note = "eigen toepasselijke norm (opgegeven)"
    else:
        norms = work.norms()
        couple = inp.household.has_partner
        norm = _need(
            norms.couple if couple else norms.single,
            "bijstandsnorm (PW art. 21)",
            work.tables.norms,
            inp.on,
        )
        note = (
            "norm 21 jaar tot AOW-leeftijd zonder kostendelers (PW art. 21"
            + ("(b))" if couple else "(a))")
            + "; geef de eigen norm op als die anders is"
        )
    base = Money(_NINETY_FIVE * norm)
    work.line("Bijstand: 95 % van de toepasselijke norm", base, "Rv 475dc lid 2", note)
    if inp.bijstand_other_income.is_positive:
        work.line(
            "Min: andere inkomsten (art. 32 PW)",
            -inp.bijstand_other_income,
            "Rv 475dc lid 2; PW art. 32",
        )
    result = base - inp.bijstand_other_income
    if result.is_negative:
        work.line("Niet lager dan nul", Money.zero(), "[U] ondergrens 0", provisional=True)
        result = Money.zero()
    return result


def _norm_for(household: HouseholdType, norms: BijstandNorms, work: _Work) -> tuple[str, Decimal]:
    if household.has_partner:
        return "B", _need(
            norms.couple, "bijstandsnorm B (PW art. 21(b))", work.tables.norms, work.on
        )
    return "A", _need(norms.single, "bijstandsnorm A (PW art. 21(a))", work.tables.norms, work.on)


def _formula_bvv(
    inp: SubsistenceInput, params: FormulaParameters, work: _Work
) -> tuple[Money, Money] | None:
    """475da lid 2 capped by lid 1; ``None`` when C (gross annual income) is not known.

    Returns the value with the [U] clamp of negative terms and the value without it, so the
    caller can say whether the clamp changed the outcome.
    """
    if inp.gross_annual_income is None:
        return None
    norms = work.norms()
    maxima = work.maxima()
    maximum = _need(
        maxima.for_household(inp.household),
        f"lid-1 maximum ({inp.household.value})",
        work.tables.maxima,
        inp.on,
    )
    letter, norm = _norm_for(inp.household, norms, work)
    table = work.tables.parameters
    on = inp.on
    c = inp.gross_annual_income.amount
    one = inp.household.is_one_person
    couple = inp.household.has_partner
    base = _NINETY_FIVE * norm
    work.line(
        f"95 % van norm {letter}", Money(base), "Rv 475da lid 2", f"0,95 × {Money(norm).format()}"
    )

    # zorg term Z, capped by lid 3
    d = min(_need(params.zorg_threshold, "zorgtoeslag drempelinkomen D", table, on), c)
    e = _need(params.zorg_rate, "zorgtoeslag percentage E", table, on)
    premium = _need(params.standard_premium, "standaardpremie", table, on)
    allowance = _need(
        norms.care_allowance_couple if couple else norms.care_allowance_single,
        "PW art. 23(2) amount",
        work.tables.norms,
        on,
    )
    z = (c - d) / _TWELVE * e
    z_cap = (premium * (2 if couple else 1)) / _TWELVE - allowance
    zorg = min(z, z_cap)
    work.line(
        "Zorgterm ((C − D)/12 × E), ten hoogste premie/12 − art. 23(2)",
        Money(zorg),
        "Rv 475da lid 2-3",
        f"C = {Money(c).format()}, D = {Money(d).format()}, E = {e}; max {Money(z_cap).format()}",
    )

    housing, clamped = _housing_term(params, c, one=one)
    line_note = "[U] negatieve term op 0 gezet" if clamped else ""
    work.line("Woonterm", Money(housing), "Rv 475da lid 2", line_note)

    child = Decimal(0)
    child_raw = Decimal(0)
    child_clamped = False
    if inp.household in (HouseholdType.SINGLE_PARENT, HouseholdType.COUPLE_CHILDREN):
        k = _need(params.child_rate, "kindgebonden budget afbouwpercentage K", table, on)
        threshold = d
        if inp.household is HouseholdType.COUPLE_CHILDREN:
            threshold = d + _need(params.child_partner_raise, "KGB verhoging L", table, on)
        child_raw = (c - threshold) / _TWELVE * k
        child = max(child_raw, Decimal(0))
        child_clamped = child_raw < 0
        work.line(
            "Kindterm ((C − (D + L))/12 × K)"
            if inp.household is HouseholdType.COUPLE_CHILDREN
            else "Kindterm ((C − D)/12 × K)",
            Money(child),
            "Rv 475da lid 2",
            "[U] negatieve term op 0 gezet" if child_clamped else f"K = {k}",
        )

    value = base + zorg + housing + child
    unclamped = base + zorg + _housing_term(params, c, one=one, clamp=False)[0] + child_raw
    work.line("Uitkomst formule", Money(value), "Rv 475da lid 2")
    capped = min(value, maximum)
    if value > maximum:
        work.line(
            f"Ten hoogste het maximum voor {inp.household.value}",
            Money(maximum),
            "Rv 475da lid 1",
        )
    return Money(capped), Money(min(unclamped, maximum))


def _housing_term(
    params: FormulaParameters,
    c: Decimal,
    *,
    one: bool,
    clamp: bool = True,
) -> tuple[Decimal, bool]:
    """The housing (huurtoeslag) term for the period's formula version; (value, clamped)."""
    table_name = "bvv_parameters"

    def need(value: Decimal | None, what: str) -> Decimal:
        if value is None:
            raise MissingParameterError(
                f"{what} for the {params.formula.value} formula was not retrieved "
                f"(table {table_name!r}); the engine does not guess it"
            )
        return value

    if params.formula is FormulaVersion.LINEAR_2026:
        rate = need(params.rent_rate_one if one else params.rent_rate_more, "huurtoeslag rate F/G")
        h = need(params.max_rent, "maximale huurgrens H")
        j = need(params.base_rent_one if one else params.base_rent_more, "basishuur J")
        floor = need(
            params.min_income_one if one else params.min_income_more, "minimum-inkomensijkpunt"
        )
        raw = min((c - floor) * rate / _TWELVE, h - j)
    else:
        a = need(params.quad_a_one if one else params.quad_a_more, "quadratic coefficient a")
        b = need(params.quad_b_one if one else params.quad_b_more, "quadratic coefficient b")
        j = need(params.base_rent_one if one else params.base_rent_more, "basishuur J")
        raw = a * c * c + b * c - j
    if clamp and raw < 0:
        return Decimal(0), True
    return raw, False


def _lower_bound_result(
    inp: SubsistenceInput,
    params: FormulaParameters,
    work: _Work,
    attached: Money,
    *,
    missing: MissingParameterError | None = None,
) -> SubsistenceResult:
    """Decide by the 95 %-of-income cap alone when the formula cannot be evaluated.

    Two cases: the gross income C is unknown (``missing`` is ``None``), or a formula parameter
    of the period was not retrieved (``missing``: e.g. the 2025 zorgtoeslag drempelinkomen or
    the huurtoeslag factors of the quadratic housing term).

    With the zorg, housing and child terms at zero ([U] clamp; the zorg term is never negative
    because D is C when C is lower), the formula is at least 95 % of norm A (or B); capped by
    lid 1 it is at least ``min(95 % of the norm, lid-1 maximum)``. Requested increases (lid 5-7)
    only raise it, and the 475db reductions keep the order (``x − min(s, x/2)`` and ``x − own``
    grow with ``x``), so the BVV before the cap is at least the reduced floor. If 95 % of the
    net income is not above that, the cap decides and the BVV is exact without knowing C or the
    missing parameter: the result is then not provisional (unless a table value it used is).
    For a missing parameter the lid-1 maximum of the period must be known (a published period);
    otherwise, or when the cap does not decide, a :class:`MissingParameterError` names the date
    (the CLI maps it to exit 2 and points at ``--date``).
    """
    norms = work.norms()
    letter, norm = _norm_for(inp.household, norms, work)
    floor_value = _NINETY_FIVE * norm
    title = f"Formule ten minste 95 % van norm {letter} (bruto-inkomen C onbekend)"
    if missing is not None:
        maximum = _need(
            work.maxima().for_household(inp.household),
            f"lid-1 maximum ({inp.household.value})",
            work.tables.maxima,
            inp.on,
        )
        floor_value = min(floor_value, maximum)
        title = (
            f"Formule ten minste 95 % van norm {letter} (niet volledig te berekenen: een "
            "parameter van deze periode is niet opgehaald)"
        )
    floor = Money(floor_value)
    work.line(
        title,
        floor,
        "Rv 475da lid 1-2",
        "zorg-, woon- en kindterm niet negatief (docs/rules/protected-income.md)",
    )
    reduced = _reductions(inp, floor, work)
    cap = Money(_NINETY_FIVE * inp.net_income.amount)
    if missing is not None:
        if reduced < cap:
            raise MissingParameterError(
                f"no BVV for the date {inp.on.isoformat()}: {missing}; the 95 %-of-"
                f"income cap ({cap.rounded().format()}) does not decide this case, because it is "
                f"above the lowest possible formula value ({reduced.rounded().format()})"
            ) from missing
        if inp.housing_costs is not None or inp.owner_occupier:
            work.line(
                "Gevraagde verhoging niet berekend: die maakt de BVV alleen hoger, en de "
                "95 %-grens beslist toch",
                Money.zero(),
                "Rv 475da lid 5-7; Rv 475dc lid 1",
            )
    elif reduced < cap or inp.housing_costs is not None or inp.owner_occupier:
        raise InputError(
            "the gross annual taxable income (C, Rv 475d) is needed: the 95 %-of-income cap "
            "does not decide this case",
            Location(field="gross_annual_income"),
        )
    # no value of the parameter entry decided the outcome, only its formula version: a
    # provisional mark on that entry does not make this result provisional
    parameters = work.tables.parameters.name
    work.provisional = any(line.provisional for line in work.lines) or any(
        v.provisional for v in work.versions if v.table != parameters
    )
    work.line(
        "Niet meer dan 95 % van het netto-inkomen incl. vakantiegeld",
        cap,
        "Rv 475dc lid 1",
        f"0,95 × {inp.net_income.format()}",
    )
    return work.result(inp, cap, attached, SubsistenceBasis.FORMULA, params.formula)


def _increases(inp: SubsistenceInput, params: FormulaParameters, bvv: Money, work: _Work) -> Money:
    """Increases on the debtor's request (475da lid 5-7)."""
    if inp.housing_costs is not None:
        h = _need(
            params.max_rent,
            "maximale huurgrens H (Wht art. 13(1)(a))",
            work.tables.parameters,
            inp.on,
        )
        limit = Money(_HOUSING_MARGIN * h)
        excess = inp.housing_costs - limit
        if excess.is_positive:
            granted = excess
            note = f"woonkosten {inp.housing_costs.format()} − 1,10 × {Money(h).format()}"
            provisional = False
            if inp.household.has_partner and inp.spouse_unattached.is_positive:
                spare = (inp.spouse_unattached - bvv.divided(2)).clamp_zero()
                granted = (excess - spare).clamp_zero()
                note += (
                    f"; min wat het vrije inkomen van de partner kan dragen ({spare.format()}) "
                    "[U] lezing van lid 6"
                )
                provisional = True
            work.line(
                "Verhoging hoge woonkosten (op verzoek)",
                granted,
                "Rv 475da lid 5-6",
                note,
                provisional=provisional,
            )
            bvv = bvv + granted
        else:
            work.line(
                "Geen verhoging: woonkosten niet boven 110 % van de maximale huurgrens",
                Money.zero(),
                "Rv 475da lid 5",
                f"grens {limit.format()}",
            )
    if inp.owner_occupier:
        bvv = _owner_increase(inp, params, bvv, work)
    return bvv


def _owner_increase(
    inp: SubsistenceInput, params: FormulaParameters, bvv: Money, work: _Work
) -> Money:
    """Rv 475da lid 7: owner-occupier, or tenant without huurtoeslag, on request.

    Below the income limit the BVV goes up by an amount set by the Besluit beslagvrije voet
    (art. 5: in effect the huurtoeslag the debtor would get as a tenant, docs/rules/
    protected-income.md). That rule's text was not retrieved, so the engine cannot compute it:
    a person sets it (``owner_increase``). Without it the calculation is marked pending and
    :func:`_owner_cap_decides` either finds that the 95 %-of-income cap decides anyway or
    raises :class:`IncreaseNotComputableError`: never a silent 0.
    """
    single = inp.household is HouseholdType.SINGLE
    limit_value = params.owner_income_limit_single if single else params.owner_income_limit_multi
    c = inp.gross_annual_income
    if limit_value is not None and c is not None and c.amount >= limit_value:
        work.line(
            "Geen verhoging eigen woning: inkomen niet onder de grens",
            Money.zero(),
            "Rv 475da lid 7",
            f"grens {Money(limit_value).format()} per jaar",
        )
        return bvv
    if inp.owner_increase is not None:
        work.line(
            "Verhoging eigen woning of huur zonder huurtoeslag (op verzoek)",
            inp.owner_increase,
            "Rv 475da lid 7; Besluit beslagvrije voet art. 5",
            "vastgesteld door een medewerker",
        )
        return bvv + inp.owner_increase
    work.owner_pending = True
    work.unsupported.append("owner-occupier increase (Rv 475da lid 7)")
    work.line(
        "Verhoging eigen woning (op verzoek): niet te berekenen",
        Money.zero(),
        "Rv 475da lid 7; Besluit beslagvrije voet art. 5",
        "de rekenregel uit het Besluit beslagvrije voet is niet opgehaald; een medewerker "
        "stelt de verhoging vast",
        provisional=True,
    )
    return bvv


def _owner_cap_decides(inp: SubsistenceInput, bvv: Money, work: _Work) -> None:
    """The lid-7 increase is pending: fine only when the 95 %-of-income cap decides anyway.

    The increase only raises the BVV before the 475db reductions, and those keep the order, so
    when the BVV without it already reaches 95 % of the net income the cap decides and the
    result is exact. Otherwise :class:`IncreaseNotComputableError`.
    """
    cap = Money(_NINETY_FIVE * inp.net_income.amount)
    if bvv.rounded() >= cap.rounded():
        work.owner_pending = False
        work.unsupported.clear()
        for index, line in enumerate(work.lines):
            if line.rule.startswith("Rv 475da lid 7") and line.provisional:
                work.lines[index] = CalculationLine(
                    term="Verhoging eigen woning (op verzoek): niet nodig",
                    value=Money.zero(),
                    rule=line.rule,
                    note="de 95 %-grens van Rv 475dc lid 1 beslist al; de verhoging verandert "
                    "de uitkomst niet",
                )
        work.provisional = any(line.provisional for line in work.lines) or any(
            v.provisional for v in work.versions
        )
        return
    raise IncreaseNotComputableError(
        "the owner-occupier / no-huurtoeslag increase (Rv 475da lid 7) cannot be computed: "
        "the rule of the Besluit beslagvrije voet (art. 5) was not retrieved. Without it the "
        f"BVV would be {bvv.rounded().format()}, which is too low; a person must set the "
        "increase (--owner-increase) before anything is attached or deducted",
        without=bvv.rounded(),
    )


def _reductions(inp: SubsistenceInput, bvv: Money, work: _Work | None) -> Money:
    """475db: spouse's unattached income (at most half the BVV), then own unattached income."""
    if inp.spouse_unattached.is_positive:
        cut = min(inp.spouse_unattached, bvv.divided(2))
        _say(
            work,
            "Min: vrij inkomen van de partner (ten hoogste de helft van de BVV)",
            -cut,
            "Rv 475db lid 1 onder a",
            f"min({inp.spouse_unattached.format()}, {bvv.divided(2).rounded().format()})",
        )
        bvv = bvv - cut
    if inp.own_unattached.is_positive:
        _say(
            work,
            "Min: eigen inkomen waarop geen beslag ligt",
            -inp.own_unattached,
            "Rv 475db lid 1 onder b",
        )
        bvv = bvv - inp.own_unattached
    if bvv.is_negative:
        _say(work, "Niet lager dan nul", Money.zero(), "[U] ondergrens 0", provisional=True)
        bvv = Money.zero()
    return bvv


def _income_cap(inp: SubsistenceInput, bvv: Money, work: _Work | None) -> Money:
    """475dc lid 1: never above 95 % of the debtor's net monthly income incl. holiday pay."""
    cap = Money(_NINETY_FIVE * inp.net_income.amount)
    if bvv > cap:
        _say(
            work,
            "Niet meer dan 95 % van het netto-inkomen incl. vakantiegeld",
            cap,
            "Rv 475dc lid 1",
            f"0,95 × {inp.net_income.format()}",
        )
        return cap
    return bvv


def _say(work: _Work | None, *args: Any, **kwargs: Any) -> None:
    if work is not None:
        work.line(*args, **kwargs)
