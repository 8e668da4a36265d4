"""Statutory interest (wettelijke rente): BW 6:119, 6:119a, 6:120; Awb 4:98 for public claims.

**What is computed.** Interest on ``principal`` over the days of default (verzuim): from ``start``,
the first day of default, up to but *not including* ``end`` (the day of payment or the day the
calculation is about). Day count **actual/365** (the statute is silent; the common calculator
convention, docs/rules/statutory-interest.md): each day is 1/365 of a year, also in leap years.

**Rate changes** split the period: the rate table (``rules/statutory_interest_consumer.toml`` for
6:119, ``..._commercial.toml`` for 6:119a) is a :class:`~maatwerk.core.tables.DatedTable`, and
each sub-period uses the entry in force on its days (:meth:`DatedTable.between`).

**Compounding** (6:119 lid 2, 6:119a lid 3): after each *full year of default*, counted from
``start`` (not calendar years), that year's interest is added to the base on which interest runs.
The anniversary of a start on 29 February is 1 March in a year without 29 February.

**Rounding**: every period line and the capitalised yearly interest are kept *exact* (unrounded
Decimal); only the total is rounded, half-up to cents, once at the end. Period amounts shown with
two decimals may therefore differ from the total by a cent.

**Public-law claims** (Awb titel 4.4) take their own branch, :func:`public_claim_interest`: Awb
4:98 lid 1 applies 6:119 lid 1-2 and 6:120 lid 1 (the non-commercial rate, compounded yearly);
lid 2: no interest is due when its amount at a (or the last) payment is less than EUR 20 (EUR 10
when the administrative body is the debtor), from ``rules/awb_interest.toml``.

Every result lists the table versions used and is ``provisional`` when any of them is.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Final

import attrs

from maatwerk.core.debts import Balance, ClaimKind, Debt, InterestKind
from maatwerk.core.errors import InputError, Location
from maatwerk.core.money import Money, Rounding
from maatwerk.core.tables import DatedTable, TableVersion


__all__ = [
    "DAYS_PER_YEAR",
    "AwbInterestParams",
    "InterestPeriod",
    "InterestRate",
    "InterestResult",
    "InterestTables",
    "anniversary",
    "debt_interest",
    "interest_for_claim",
    "public_claim_interest",
    "statutory_interest",
]

DAYS_PER_YEAR: Final = Decimal(365)
"""Day-count denominator (actual/365)."""


@attrs.frozen
class InterestRate:
    """One entry of a statutory interest table: the yearly rate in percent (``4.00`` = 4 %)."""

    percent: Decimal


@attrs.frozen(kw_only=True)
class AwbInterestParams:
    """Awb 4:98 lid 2: interest below these amounts is not due."""

    minimum_authority_creditor: Money
    minimum_authority_debtor: Money


@attrs.frozen(kw_only=True)
class InterestPeriod:
    """One line of the calculation: ``[start, end)`` at one rate on one base.

    ``amount`` is exact (not rounded). ``year`` is the year of default it falls in (1 = first).
    """

    start: dt.date
    end: dt.date
    days: int
    base: Money
    rate_percent: Decimal
    amount: Money
    table: TableVersion
    year: int


@attrs.frozen(kw_only=True)
class InterestResult:
    """Statutory interest over ``[start, end)``, with the lines that produced it.

    ``interest`` is the total rounded half-up to cents; ``exact`` the unrounded sum.
    ``capitalised`` lists ``(anniversary, amount)``: interest added to the base (6:119 lid 2).
    ``waived`` is set when Awb 4:98 lid 2 makes the interest not due (``interest`` is then zero
    and ``exact`` still shows the computed amount).
    """

    principal: Money
    start: dt.date
    end: dt.date
    kind: InterestKind
    claim_kind: ClaimKind
    interest: Money
    exact: Money
    periods: tuple[InterestPeriod, ...] = ()
    capitalised: tuple[tuple[dt.date, Money], ...] = ()
    waived: bool = False
    notes: tuple[str, ...] = ()

    @property
    def tables(self) -> tuple[TableVersion, ...]:
        """The distinct table versions used, in the order of the periods."""
        seen: list[TableVersion] = []
        for period in self.periods:
            if period.table not in seen:
                seen.append(period.table)
        return tuple(seen)

    @property
    def provisional(self) -> bool:
        """True when any rate used is provisional (not confirmed against the primary source)."""
        return any(p.table.provisional for p in self.periods)

    @property
    def days(self) -> int:
        return (self.end - self.start).days


@attrs.frozen(kw_only=True)
class InterestTables:
    """The tables :func:`interest_for_claim` chooses from."""

    consumer: DatedTable[InterestRate]
    commercial: DatedTable[InterestRate]
    awb: DatedTable[AwbInterestParams]


def anniversary(start: dt.date, years: int) -> dt.date:
    """``start`` plus ``years`` years; 29 February becomes 1 March in a common year."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return dt.date(start.year + years, 3, 1)


def _check(principal: Money, start: dt.date, end: dt.date) -> None:
    if principal.is_negative:
        raise InputError("the principal must not be negative", Location(field="principal"))
    if end < start:
        raise InputError(
            f"the end date {end.isoformat()} lies before the start of default {start.isoformat()}",
            Location(field="end"),
        )


def _beyond_table(table: DatedTable[InterestRate], end: dt.date) -> dt.date | None:
    """The table's next revision, when ``[.., end)`` runs past it.

    Statutory rates are set per half year (1 January and 1 July): the table says when its last
    entry is next due to change (``next_revision``; without one, the half-year boundary after
    the last entry). ``None`` when the period ends before it.
    """
    if not table.entries:
        return None
    boundary = table.next_revision
    if boundary is None:
        last = table.entries[-1].valid_from
        boundary = dt.date(last.year, 7, 1) if last.month < 7 else dt.date(last.year + 1, 1, 1)
    return boundary if end > boundary else None


def _accrue(  # noqa: PLR0917 - private helper of the two interest loops below
    periods: list[InterestPeriod],
    table: DatedTable[InterestRate],
    start: dt.date,
    end: dt.date,
    base: Money,
    year: int,
) -> Money:
    """Simple interest on ``base`` for ``[start, end)`` at the table's rates (one period per
    rate, appended to ``periods``, in interest ``year``); returns their sum."""
    total = Money.zero(base.currency)
    for sub_start, sub_end, entry in table.between(start, end):
        days = (sub_end - sub_start).days
        rate = entry.value.percent
        amount = (base * (rate * days)).divided(100 * DAYS_PER_YEAR)
        periods.append(
            InterestPeriod(
                start=sub_start,
                end=sub_end,
                days=days,
                base=base,
                rate_percent=rate,
                amount=amount,
                table=entry.version,
                year=year,
            )
        )
        total = total + amount
    return total


def statutory_interest(
    principal: Money,
    *,
    start: dt.date,
    end: dt.date,
    table: DatedTable[InterestRate],
    kind: InterestKind = InterestKind.CONSUMER,
    claim_kind: ClaimKind = ClaimKind.PRIVATE,
) -> InterestResult:
    """Statutory interest (BW 6:119 / 6:119a) on ``principal`` for ``[start, end)``.

    ``start`` is the first day of default; ``end`` is excluded. ``table`` is the rate table of
    ``kind`` (consumer: 6:119, commercial: 6:119a). Compounded after each full year of default.
    docs/rules/statutory-interest.md: EUR 1,000 at 4 % from 2026-02-01 to 2026-08-01 (181 days) is
    1000 * 4/100 * 181/365 = 19.835... = EUR 19.84.
    """
    _check(principal, start, end)
    base = principal
    periods: list[InterestPeriod] = []
    capitalised: list[tuple[dt.date, Money]] = []
    cursor = start
    year = 1
    while cursor < end:
        year_end = anniversary(start, year)
        stop = min(year_end, end)
        year_interest = _accrue(periods, table, cursor, stop, base, year)
        if stop == year_end and stop < end:
            base = base + year_interest
            capitalised.append((year_end, year_interest))
        cursor = stop
        year += 1
    exact = sum((p.amount for p in periods), Money.zero(principal.currency))
    notes: list[str] = []
    if capitalised:
        notes.append(
            f"Interest added to the base after {len(capitalised)} full year(s) of default "
            "(BW 6:119 lid 2 / 6:119a lid 3)."
        )
    if any(p.table.provisional for p in periods):
        notes.append("A provisional rate was used: check the rate table before relying on it.")
    beyond = _beyond_table(table, end)
    if beyond is not None:
        last = table.entries[-1]
        notes.append(
            f"The table's last rate ({last.value.percent} % from {last.valid_from.isoformat()}) "
            f"was used from {beyond.isoformat()} on as well, although the rate is set every half "
            "year (1 January, 1 July): the result is provisional; recalculate when the next "
            "rates are published."
        )
    return InterestResult(
        principal=principal,
        start=start,
        end=end,
        kind=kind,
        claim_kind=claim_kind,
        interest=exact.rounded(Rounding.HALF_UP),
        exact=exact,
        periods=tuple(periods),
        capitalised=tuple(capitalised),
        notes=tuple(notes),
    )


def public_claim_interest(
    principal: Money,
    *,
    start: dt.date,
    end: dt.date,
    table: DatedTable[InterestRate],
    minimums: DatedTable[AwbInterestParams],
    authority_is_creditor: bool = True,
) -> InterestResult:
    """Statutory interest on a public-law claim (Awb 4:98) for ``[start, end)``.

    ``table`` must be the non-commercial (6:119) rate table. Awb 4:98 lid 2: when the rounded
    interest at this payment (``end``) is less than the minimum in force on ``end`` (EUR 20 when
    the administrative body is the creditor, EUR 10 when it is the debtor), no interest is due:
    the result has ``interest`` zero and ``waived`` set, with the computed amount in ``exact``.
    """
    result = statutory_interest(
        principal,
        start=start,
        end=end,
        table=table,
        kind=InterestKind.CONSUMER,
        claim_kind=ClaimKind.PUBLIC,
    )
    entry = minimums.at(end)
    minimum = (
        entry.value.minimum_authority_creditor
        if authority_is_creditor
        else entry.value.minimum_authority_debtor
    )
    notes = [
        *result.notes,
        (
            "Public-law claim: Awb 4:98 lid 1 applies the rate of BW 6:119/6:120 lid 1, "
            f"compounded yearly ({entry.version})."
        ),
    ]
    if result.interest < minimum:
        notes.append(
            f"Interest {result.interest} is less than {minimum}: not due (Awb 4:98 lid 2)."
        )
        return attrs.evolve(
            result, interest=Money.zero(principal.currency), waived=True, notes=tuple(notes)
        )
    return attrs.evolve(result, notes=tuple(notes))


def interest_for_claim(
    principal: Money,
    *,
    claim_kind: ClaimKind,
    interest_kind: InterestKind,
    start: dt.date,
    end: dt.date,
    tables: InterestTables,
) -> InterestResult:
    """Dispatch on the claim: public (Awb) branch, 6:119, 6:119a, or no interest at all.

    ``InterestKind.NONE`` (a creditor's humane choice) gives zero interest without periods.
    A public claim always uses the non-commercial rate, whatever ``interest_kind`` says, unless it
    is ``NONE``.
    """
    _check(principal, start, end)
    if interest_kind is InterestKind.NONE:
        nil = Money.zero(principal.currency)
        return InterestResult(
            principal=principal,
            start=start,
            end=end,
            kind=interest_kind,
            claim_kind=claim_kind,
            interest=nil,
            exact=nil,
            notes=("No interest is charged on this claim.",),
        )
    if claim_kind is ClaimKind.PUBLIC:
        return public_claim_interest(
            principal, start=start, end=end, table=tables.consumer, minimums=tables.awb
        )
    table = tables.commercial if interest_kind is InterestKind.COMMERCIAL else tables.consumer
    return statutory_interest(
        principal, start=start, end=end, table=table, kind=interest_kind, claim_kind=claim_kind
    )


def _declining(
    principal: Money,
    paid: dict[dt.date, Balance],
    start: dt.date,
    end: dt.date,
    table: DatedTable[InterestRate],
) -> tuple[list[InterestPeriod], list[tuple[dt.date, Money]], int]:
    """Interest day by day on what is still owed, with the payments of ``paid`` (by day).

    The base is the principal still open plus the interest capitalised and not yet paid. A
    payment's principal part lowers the principal from its day on. Its interest part pays the
    oldest interest first: interest capitalised in an earlier year (which lowers the base from
    that day on), then the interest of the running year so far, which is then not capitalised at
    the anniversary (BW 6:119 lid 2 adds only the interest still unpaid after the year; a
    payment on the anniversary itself counts as paid by then). An interest part larger than the
    interest run so far (the ledger cannot hold one: interest is posted as it runs) counts up to
    that amount. Returns the periods, the
    capitalised amounts per anniversary and the number of principal payments.
    """
    zero = Money.zero(principal.currency)
    left = principal
    capital = zero  # capitalised interest still unpaid (part of the base)
    base = principal  # left + capital, kept in step (summed as statutory_interest sums it)
    periods: list[InterestPeriod] = []
    capitalised: list[tuple[dt.date, Money]] = []
    parts = 0
    days = sorted(paid)
    cursor = start
    year = 1
    year_interest = zero
    year_paid = zero

    def pay(day: dt.date) -> None:
        nonlocal left, capital, base, year_paid, parts
        part = paid.get(day)
        if part is None:
            return
        principal_part = part.principal.min(left).clamp_zero()
        if principal_part.is_positive:
            left = left - principal_part
            base = base - principal_part
            parts += 1
        interest_part = part.interest.clamp_zero()
        on_capital = interest_part.min(capital)
        capital = capital - on_capital
        base = base - on_capital
        year_paid = year_paid + (interest_part - on_capital).min(year_interest - year_paid)

    while cursor < end:
        year_end = anniversary(start, year)
        stop = min(year_end, end)
        bounds = [d for d in days if cursor < d < stop]
        pay(cursor)
        for seg_start, seg_end in zip([cursor, *bounds], [*bounds, stop], strict=True):
            if seg_start != cursor:
                pay(seg_start)
            year_interest = year_interest + _accrue(periods, table, seg_start, seg_end, base, year)
        if stop == year_end and stop < end:
            pay(year_end)
            paid.pop(year_end, None)  # counted once: before the capitalisation
            unpaid = (year_interest - year_paid).clamp_zero()
            capital = capital + unpaid
            base = base + unpaid
            capitalised.append((year_end, unpaid))
        cursor = stop
        year += 1
        year_interest = zero
        year_paid = zero
    return periods, capitalised, parts


def debt_interest(
    debt: Debt,
    *,
    start: dt.date,
    end: dt.date,
    tables: InterestTables,
    authority_is_creditor: bool = True,
) -> InterestResult:
    """Statutory interest on ``debt`` for ``[start, end)`` while it is paid off.

    Interest runs on what is still owed (:func:`_declining`): the principal less the
    ``principal`` parts of the debt's applied payments (BW 6:44), each from the day it was paid
    (a part paid on or before ``start`` runs no days), plus the interest capitalised after each
    full year of default, with the rate changes and years counted from ``start`` as in
    :func:`statutory_interest`. **Only interest still unpaid at an anniversary is capitalised**
    (BW 6:119 lid 2): the ``interest`` parts of payments pay the oldest interest first
    (capitalised interest, then the running year's), so interest paid within the year is not
    added to the base again. Payments applied on or after ``end`` do not count yet.

    The claim decides the branch as in :func:`interest_for_claim`: ``InterestKind.NONE`` gives
    zero; a public claim uses the 6:119 rate and Awb 4:98 lid 2 applies to the total (interest
    below the minimum in force on ``end`` is not due). Rounded once, at the end. With no
    payments the amount equals :func:`interest_for_claim` on ``debt.principal``.
    """
    principal = debt.principal
    _check(principal, start, end)
    if debt.interest_kind is InterestKind.NONE:
        return interest_for_claim(
            principal,
            claim_kind=debt.kind,
            interest_kind=debt.interest_kind,
            start=start,
            end=end,
            tables=tables,
        )
    public = debt.kind is ClaimKind.PUBLIC
    kind = InterestKind.CONSUMER if public else debt.interest_kind
    table = tables.commercial if kind is InterestKind.COMMERCIAL else tables.consumer
    paid: dict[dt.date, Balance] = {}
    for applied in debt.applied:
        if applied.applied_on >= end:
            continue
        day = max(applied.applied_on, start)
        paid[day] = paid.get(day, Balance.zero(principal.currency)) + applied.parts
    periods, capitalised, parts = _declining(principal, paid, start, end, table)
    exact = sum((p.amount for p in periods), Money.zero(principal.currency))
    notes: list[str] = []
    if capitalised:
        notes.append(
            f"Interest added to the base after {len(capitalised)} full year(s) of default "
            "(BW 6:119 lid 2 / 6:119a lid 3): only the interest of that year still unpaid then."
        )
    if any(p.table.provisional for p in periods):
        notes.append("A provisional rate was used: check the rate table before relying on it.")
    if parts:
        notes.append(f"Principal paid off in {parts} part(s): each part runs until it was paid.")
    result = InterestResult(
        principal=principal,
        start=start,
        end=end,
        kind=kind,
        claim_kind=debt.kind,
        interest=exact.rounded(Rounding.HALF_UP),
        exact=exact,
        periods=tuple(periods),
        capitalised=tuple(capitalised),
        notes=tuple(notes),
    )
    if not public:
        return result
    entry = tables.awb.at(end)
    minimum = (
        entry.value.minimum_authority_creditor
        if authority_is_creditor
        else entry.value.minimum_authority_debtor
    )
    if result.interest < minimum:
        return attrs.evolve(
            result,
            interest=Money.zero(principal.currency),
            waived=True,
            notes=(
                *result.notes,
                f"Interest {result.interest} is less than {minimum}: not due (Awb 4:98 lid 2).",
            ),
        )
    return result
