"""Collection costs: BIK for private claims, the aanmaning fee for public claims.

*Buitengerechtelijke incassokosten* (BIK), BW 6:96 lid 2 sub c and lid 4-8, with the amounts of the
*Besluit vergoeding voor buitengerechtelijke incassokosten* (Stb. 2012, 141), art. 2:

* the **staffel**: 15 % of the first EUR 2,500 of principal, 10 % of the next 2,500, 5 % of the next
  5,000, 1 % of the next 190,000 and 0.5 % above EUR 200,000; at least EUR 40, at most EUR 6,775
  (:func:`bik_fee`). The numbers come from the dated table ``rules/bik.toml`` (:class:`BikParams`);
* **VAT** (art. 2 lid 3) only when the creditor declares it cannot deduct the VAT it paid
  (``vat_non_deductible``);
* **several claims in one letter** (6:96 lid 7): the costs are computed on the *sum* of the
  principals, never per claim (:func:`collection_costs` takes all principals of the letter);
* **instalments** (6:96 lid 8, from 2024-10-01): provisional, see docs/rules/collection-costs.md and
  :func:`instalment_collection_costs`;
* **the 14-day letter** (6:96 lid 6): on a consumer claim the costs are payable only after a
  reminder sent after default started, that states the exact cost amount and gives 14 days from
  the day after receipt (Atw calendar), expired unpaid (:func:`costs_payable`).

Public-law claims (Awb titel 4.4) get **no BIK**; instead the *aanmaningsvergoeding* of Awb 4:113
(:func:`aanmaning_fee`, table ``rules/awb_aanmaning.toml``).

Rounding: the staffel is summed exactly and rounded half-up to cents once (only the 0.5 % band can
produce a half cent); VAT is computed on the rounded fee and rounded half-up once.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
import enum
from collections.abc import Sequence
from decimal import Decimal

import attrs

from maatwerk.core.calendar import BusinessCalendar, legal_deadline
from maatwerk.core.debts import ClaimKind
from maatwerk.core.errors import InputError, Location, RuleTableError
from maatwerk.core.money import Money, Rounding, total
from maatwerk.core.tables import DatedTable, TableVersion


__all__ = [
    "FOURTEEN_DAYS",
    "AanmaningFee",
    "AanmaningParams",
    "BikBand",
    "BikParams",
    "CollectionCosts",
    "CostsDecision",
    "CostsRefusal",
    "FourteenDayLetter",
    "Instalment",
    "InstalmentRule",
    "aanmaning_fee",
    "bik_fee",
    "collection_costs",
    "costs_payable",
    "instalment_collection_costs",
    "periodic_collection_costs",
]

FOURTEEN_DAYS = 14
"""BW 6:96 lid 6 sub b: the term of the reminder, from the day after receipt (the one
definition: ``PolicyTables.fourteen_day_term`` and the letter dates default to it)."""


# ------------------------------------------------------------------------------ parameters
@attrs.frozen(kw_only=True)
class BikBand:
    """One slice of the staffel: ``rate`` (a fraction) on the principal up to ``up_to``.

    ``up_to`` is cumulative (2,500, 5,000, ...); ``None`` for the last, open-ended band.
    """

    up_to: Decimal | None
    rate: Decimal


def _check_bands(_instance: object, _attribute: object, bands: tuple[BikBand, ...]) -> None:
    if not bands:
        raise RuleTableError("the BIK staffel needs at least one band")
    limits = [b.up_to for b in bands[:-1]]
    if any(limit is None for limit in limits) or bands[-1].up_to is not None:
        raise RuleTableError("only the last BIK band may be open-ended, and it must be")
    known = [limit for limit in limits if limit is not None]
    if known != sorted(set(known)) or any(limit <= 0 for limit in known):
        raise RuleTableError("BIK band limits must be positive and strictly ascending")
    if any(not 0 <= b.rate <= 1 for b in bands):
        raise RuleTableError("BIK band rates are fractions between 0 and 1")


@attrs.frozen(kw_only=True)
class BikParams:
    """The Besluit's numbers in force on a date (one entry of ``rules/bik.toml``)."""

    bands: tuple[BikBand, ...] = attrs.field(validator=_check_bands)
    minimum: Money
    maximum: Money
    vat_rate: Decimal
    """General VAT rate as a fraction (0.21), for art. 2 lid 3."""


@attrs.frozen(kw_only=True)
class InstalmentRule:
    """BW 6:96 lid 8 as the engine applies it (``rules/bik_instalments.toml``)."""

    applies: bool
    window_months: int


@attrs.frozen(kw_only=True)
class AanmaningParams:
    """Awb 4:113: ``fee_low`` below ``threshold``, ``fee_high`` from ``threshold``."""

    threshold: Money
    fee_low: Money
    fee_high: Money


# ---------------------------------------------------------------------------------- results
@attrs.frozen(kw_only=True)
class CollectionCosts:
    """BIK for one 14-day letter: the fee, optional VAT, and where the numbers came from.

    ``costs`` is the fee without VAT, ``vat`` the VAT on it (zero unless the creditor declared it
    cannot deduct VAT), ``total`` their sum: the amount the letter must state.
    """

    principal: Money
    costs: Money
    vat: Money
    table: TableVersion
    provisional: bool = False
    notes: tuple[str, ...] = ()
    rule_table: TableVersion | None = None

    @property
    def total(self) -> Money:
        return self.costs + self.vat


@attrs.frozen(kw_only=True)
class AanmaningFee:
    """The Awb 4:113 fee for one aanmaning of a public-law claim."""

    debt: Money
    fee: Money
    table: TableVersion


# ---------------------------------------------------------------------------------- staffel
def bik_fee(principal: Money, params: BikParams) -> Money:
    """The staffel of art. 2 on ``principal``, clamped to [minimum, maximum], rounded half-up.

    EUR 1,000 gives 15 % = 150.00; EUR 100 gives 15.00, so the minimum 40.00. A principal of
    zero (nothing unpaid) gives no costs at all.
    """
    if principal.is_negative:
        raise InputError("a principal must not be negative", Location(field="principal"))
    if not principal:
        return Money.zero(principal.currency)
    remaining = principal.amount
    lower = Decimal(0)
    fee = Decimal(0)
    for band in params.bands:
        width = remaining if band.up_to is None else min(remaining, band.up_to - lower)
        if width <= 0:
            break
        fee += width * band.rate
        remaining -= width
        if band.up_to is not None:
            lower = band.up_to
    exact = Money(fee, principal.currency)
    return exact.max(params.minimum).min(params.maximum).rounded(Rounding.HALF_UP)


def _vat(fee: Money, params: BikParams, vat_non_deductible: bool) -> Money:
    if not vat_non_deductible:
        return Money.zero(fee.currency)
    return (fee * params.vat_rate).rounded(Rounding.HALF_UP)


def _principals_sum(principals: Sequence[Money]) -> Money:
    if not principals:
        raise InputError("at least one principal is needed", Location(field="principal"))
    for index, amount in enumerate(principals):
        if amount.is_negative:
            raise InputError(
                f"principal {amount} must not be negative", Location(field=f"principal[{index}]")
            )
    return total(principals, principals[0].currency)


def collection_costs(
    principals: Sequence[Money],
    *,
    on: dt.date,
    table: DatedTable[BikParams],
    vat_non_deductible: bool = False,
) -> CollectionCosts:
    """BIK for one 14-day letter covering ``principals`` (BW 6:96 lid 7: on their **sum**).

    ``on`` is the date of the letter; the table entry in force then is used.
    ``vat_non_deductible``: the creditor declares it cannot deduct VAT (Besluit art. 2 lid 3).
    """
    principal = _principals_sum(principals)
    entry = table.at(on)
    fee = bik_fee(principal, entry.value)
    notes: list[str] = []
    if len(principals) > 1:
        notes.append(
            f"{len(principals)} claims in one letter: costs on the sum of the principals "
            "(BW 6:96 lid 7)."
        )
    if vat_non_deductible:
        notes.append(
            f"VAT {entry.value.vat_rate * 100:.0f} % added: the creditor declared it cannot deduct "
            "VAT (Besluit BIK art. 2 lid 3)."
        )
    return CollectionCosts(
        principal=principal,
        costs=fee,
        vat=_vat(fee, entry.value, vat_non_deductible),
        table=entry.version,
        provisional=entry.provisional,
        notes=tuple(notes),
    )


# ------------------------------------------------------------------------------ instalments
@attrs.frozen(kw_only=True)
class Instalment:
    """One instalment (termijn) of a periodic obligation under one legal relationship.

    ``unpaid`` is what is still open of it; ``reminded_on`` the date of the 14-day letter sent for
    it (``None``: none yet); ``costs_charged`` the BIK already charged for it.
    """

    debt_id: str
    due_date: dt.date
    unpaid: Money
    reminded_on: dt.date | None = None
    costs_charged: Money = Money.zero()


def _months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months earlier (clamped to the month's last day)."""
    index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(index, 12)
    last = _calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def instalment_collection_costs(
    current: Instalment,
    earlier: Sequence[Instalment],
    *,
    letter_date: dt.date,
    table: DatedTable[BikParams],
    rules: DatedTable[InstalmentRule],
    vat_non_deductible: bool = False,
) -> CollectionCosts:
    """BIK for a 14-day letter about one instalment, with BW 6:96 lid 8 (from 2024-10-01).

    The one-instalment case of :func:`periodic_collection_costs` (see there).
    """
    return periodic_collection_costs(
        [current.unpaid],
        earlier,
        letter_date=letter_date,
        table=table,
        rules=rules,
        current_ids=(current.debt_id,),
        vat_non_deductible=vat_non_deductible,
    )


def periodic_collection_costs(
    current: Sequence[Money],
    earlier: Sequence[Instalment],
    *,
    letter_date: dt.date,
    table: DatedTable[BikParams],
    rules: DatedTable[InstalmentRule],
    current_ids: Sequence[str] = (),
    vat_non_deductible: bool = False,
) -> CollectionCosts:
    """BIK for a 14-day letter about the instalments ``current`` (their unpaid principals),
    with BW 6:96 lid 8 (from 2024-10-01).

    **Provisional** (docs/rules/collection-costs.md; amended Besluit not found): when the rule is in
    force on ``letter_date`` and ``current`` on its own (the sum, lid 7) would attract the lowest
    fee (the minimum), the instalments of ``earlier`` (not among ``current_ids``) that were
    reminded in the ``window_months`` months before the letter and are still (partly) unpaid
    count with ``current`` as **one claim**: the fee is the staffel on the sum of their unpaid
    amounts, minus the costs already charged (or stated) for those earlier instalments (never
    below zero). So a debtor never pays EUR 40 per instalment. The result is marked
    ``provisional`` and says so in its notes.

    Before the rule is in force, or when ``current`` attracts more than the minimum, the fee is
    the ordinary staffel on the sum of ``current`` (lid 7).
    """
    entry = table.at(letter_date)
    params = entry.value
    rule = rules.at(letter_date)
    plain = collection_costs(
        current, on=letter_date, table=table, vat_non_deductible=vat_non_deductible
    )
    if not rule.value.applies:
        return attrs.evolve(plain, rule_table=rule.version)
    if plain.costs > params.minimum:
        return attrs.evolve(
            plain,
            rule_table=rule.version,
            notes=(
                *plain.notes,
                (
                    "Instalment rule (BW 6:96 lid 8) not used: this letter's claims attract more "
                    "than the lowest fee."
                ),
            ),
        )
    window_start = _months_before(letter_date, rule.value.window_months)
    counted = [
        i
        for i in earlier
        if i.debt_id not in current_ids
        and i.reminded_on is not None
        and window_start <= i.reminded_on < letter_date
        and i.unpaid.is_positive
    ]
    if not counted:
        return attrs.evolve(plain, rule_table=rule.version)
    currency = plain.principal.currency
    principal = total([plain.principal, *(i.unpaid for i in counted)], currency)
    combined = bik_fee(principal, params)
    already = total((i.costs_charged for i in counted), currency)
    fee = (combined - already).clamp_zero()
    notes = [
        (
            f"PROVISIONAL instalment rule (BW 6:96 lid 8): {len(counted)} earlier unpaid instalment(s) "
            f"reminded since {window_start.isoformat()} count as one claim with this letter's; "
            f"staffel on {principal} = {combined}, minus {already} already charged. The amended "
            "Besluit's exact rule was not found."
        ),
    ]
    if vat_non_deductible:
        notes.append("VAT added: the creditor declared it cannot deduct VAT (art. 2 lid 3).")
    return CollectionCosts(
        principal=principal,
        costs=fee,
        vat=_vat(fee, params, vat_non_deductible),
        table=entry.version,
        provisional=True,
        notes=tuple(notes),
        rule_table=rule.version,
    )


# ------------------------------------------------------------------------ the 14-day letter
@attrs.frozen(kw_only=True)
class FourteenDayLetter:
    """A reminder under BW 6:96 lid 6 (*veertiendagenbrief*).

    ``stated_costs``: the cost amount the letter states (``None`` when it states none).
    ``debt_ids``: the claims the letter covers.
    """

    sent_on: dt.date
    received_on: dt.date
    stated_costs: Money | None
    debt_ids: tuple[str, ...] = ()


class CostsRefusal(enum.Enum):
    """Why collection costs are not (yet) payable on a date."""

    PUBLIC_CLAIM = "public-claim"
    """Awb titel 4.4: no BIK on a public-law claim (only the aanmaning fee, 4:113)."""
    NOT_IN_DEFAULT = "not-in-default"
    """The debtor is not (yet) in default (verzuim) on that date."""
    LETTER_MISSING = "letter-missing"
    """No 14-day letter was sent for this claim (6:96 lid 6)."""
    LETTER_BEFORE_DEFAULT = "letter-before-default"
    """The letter was sent before default (verzuim, 6:81) started; lid 6 needs it after."""
    AMOUNT_NOT_STATED = "amount-not-stated"
    """The letter does not state the cost amount (6:96 lid 6 sub a)."""
    AMOUNT_DIFFERS = "amount-differs"
    """The letter states another amount than the costs now claimed."""
    TERM_NOT_EXPIRED = "term-not-expired"
    """The 14 days (from the day after receipt, Atw) have not yet passed."""
    PAID_IN_TIME = "paid-in-time"
    """The debtor paid within the term: no costs."""


_REFUSAL_TEXT = {
    CostsRefusal.PUBLIC_CLAIM: "public-law claim: no BIK (Awb titel 4.4); only the aanmaning fee",
    CostsRefusal.NOT_IN_DEFAULT: "the debtor is not in default yet",
    CostsRefusal.LETTER_MISSING: "no 14-day letter was sent for this claim (BW 6:96 lid 6)",
    CostsRefusal.LETTER_BEFORE_DEFAULT: "the 14-day letter was sent before default started",
    CostsRefusal.AMOUNT_NOT_STATED: "the 14-day letter does not state the cost amount",
    CostsRefusal.AMOUNT_DIFFERS: "the 14-day letter states a different cost amount",
    CostsRefusal.TERM_NOT_EXPIRED: "the 14-day term has not expired",
    CostsRefusal.PAID_IN_TIME: "the debtor paid within the 14-day term",
}


@attrs.frozen(kw_only=True)
class CostsDecision:
    """Whether collection costs are payable on ``on``, and why (not)."""

    on: dt.date
    payable: bool
    refusals: tuple[CostsRefusal, ...] = ()
    last_day: dt.date | None = None
    """Last day of the 14-day term (Atw), when a letter was sent."""
    lines: tuple[str, ...] = ()

    @property
    def reasons(self) -> tuple[str, ...]:
        return tuple(_REFUSAL_TEXT[r] for r in self.refusals)


def costs_payable(
    *,
    debt_id: str,
    claim_kind: ClaimKind,
    consumer: bool,
    default_date: dt.date,
    costs: Money,
    letter: FourteenDayLetter | None,
    on: dt.date,
    atw_calendar: BusinessCalendar,
    paid_on: dt.date | None = None,
) -> CostsDecision:
    """Are the collection costs ``costs`` payable on ``on`` (BW 6:96 lid 4 and 6)?

    * public-law claim: never (:attr:`CostsRefusal.PUBLIC_CLAIM`);
    * non-consumer (B2B) claim: payable from ``default_date`` without a reminder (6:96 lid 4);
    * consumer claim: only after a valid 14-day letter: covering ``debt_id``, sent on or after
      ``default_date``, stating exactly ``costs``; its term of 14 days runs from the day after
      ``received_on`` on ``atw_calendar`` (:func:`~maatwerk.core.calendar.legal_deadline`); the
      costs are payable from the day after the last day, unless the claim was paid in full on or
      before the last day (``paid_on``: the day the principal the letter asked for was paid).

    Every reason that applies is listed, so a letter can fail for several at once.
    """
    if claim_kind is ClaimKind.PUBLIC:
        return CostsDecision(
            on=on,
            payable=False,
            refusals=(CostsRefusal.PUBLIC_CLAIM,),
            lines=(_REFUSAL_TEXT[CostsRefusal.PUBLIC_CLAIM],),
        )
    if not consumer:
        if on < default_date:
            return CostsDecision(
                on=on,
                payable=False,
                refusals=(CostsRefusal.NOT_IN_DEFAULT,),
                lines=(f"not in default before {default_date.isoformat()} (BW 6:96 lid 4)",),
            )
        return CostsDecision(
            on=on,
            payable=True,
            lines=("non-consumer claim: payable on default without a reminder (BW 6:96 lid 4)",),
        )
    if letter is None or (letter.debt_ids and debt_id not in letter.debt_ids):
        return CostsDecision(
            on=on,
            payable=False,
            refusals=(CostsRefusal.LETTER_MISSING,),
            lines=(_REFUSAL_TEXT[CostsRefusal.LETTER_MISSING],),
        )
    refusals: list[CostsRefusal] = []
    if letter.sent_on < default_date:
        refusals.append(CostsRefusal.LETTER_BEFORE_DEFAULT)
    if letter.stated_costs is None:
        refusals.append(CostsRefusal.AMOUNT_NOT_STATED)
    elif letter.stated_costs != costs:
        refusals.append(CostsRefusal.AMOUNT_DIFFERS)
    last_day = legal_deadline(letter.received_on, FOURTEEN_DAYS, atw_calendar)
    if paid_on is not None and paid_on <= last_day:
        refusals.append(CostsRefusal.PAID_IN_TIME)
    elif on <= last_day:
        refusals.append(CostsRefusal.TERM_NOT_EXPIRED)
    lines = [
        (
            f"14-day letter received {letter.received_on.isoformat()}: term runs to and including "
            f"{last_day.isoformat()} (Atw)."
        )
    ]
    if letter.stated_costs is not None and CostsRefusal.AMOUNT_DIFFERS in refusals:
        lines.append(f"letter states {letter.stated_costs}, costs claimed {costs}")
    lines.extend(_REFUSAL_TEXT[r] for r in refusals)
    if not refusals:
        lines.append(f"costs {costs} payable since {(last_day + dt.timedelta(days=1)).isoformat()}")
    return CostsDecision(
        on=on, payable=not refusals, refusals=tuple(refusals), last_day=last_day, lines=tuple(lines)
    )


# ------------------------------------------------------------------------- public claims
def aanmaning_fee(debt: Money, *, on: dt.date, table: DatedTable[AanmaningParams]) -> AanmaningFee:
    """The Awb 4:113 aanmaning fee for a public-law claim of ``debt`` on ``on``.

    ``fee_low`` when the debt is less than the threshold (EUR 454), else ``fee_high``.
    """
    if debt.is_negative:
        raise InputError("a debt must not be negative", Location(field="debt"))
    entry = table.at(on)
    params = entry.value
    fee = params.fee_low if debt < params.threshold else params.fee_high
    return AanmaningFee(debt=debt, fee=fee, table=entry.version)
