"""Proposing a plan: sized to what the household can spare (humane), or the classic rule.

:func:`propose_arrangement` sizes a plan to the capacity and refers problematic debt to debt
help; :func:`classic_arrangement` ("6 months, at least EUR 50") is only ever a comparison.
:func:`instalment_dates` puts the instalments just after payday or on the debit day.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import datetime as dt
import decimal
from collections.abc import Sequence

from maatwerk.core.arrangements._model import (
    DEFAULT_MAX_MONTHS,
    Arrangement,
    ArrangementProposal,
    BusinessDays,
    ChargesDuringPlan,
    GracePolicy,
    Instalment,
    PaymentMethod,
    ProposalOutcome,
)
from maatwerk.core.errors import InputError, Location
from maatwerk.core.money import Money, Rounding


__all__ = ["classic_arrangement", "instalment_dates", "propose_arrangement", "split_evenly"]

_DEFAULT_GRACE = GracePolicy()


# ------------------------------------------------------------------------------------------ dates
def _day_in_month(year: int, month: int, day: int) -> dt.date:
    last = _stdlib_calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day, last))


def _add_months(year: int, month: int, n: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + n
    return index // 12, index % 12 + 1


def instalment_dates(
    *,
    count: int,
    not_before: dt.date,
    payday: int | None = None,
    debit_day: int | None = None,
    days_after_payday: int = 1,
    calendar: BusinessDays | None = None,
) -> tuple[dt.date, ...]:
    """``count`` monthly due dates, the first on or after ``not_before``.

    Either ``payday`` (day of the month the income arrives; each instalment falls
    ``days_after_payday`` days after it, default the next day) or ``debit_day`` (a chosen
    direct-debit day of the month). A day beyond the month's end means its last day. With a
    ``calendar`` each date moves forward to the next business day (SEPA direct debit).
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    if payday is not None and debit_day is not None:
        raise ValueError("give either payday or debit_day, not both")
    anchor = payday if payday is not None else debit_day
    if anchor is None:
        raise ValueError("give payday or debit_day")
    if not 1 <= anchor <= 31:
        raise ValueError(f"day of the month must be 1-31, got {anchor}")
    offset = dt.timedelta(days=days_after_payday if payday is not None else 0)

    def due_in(year: int, month: int) -> dt.date:
        day = _day_in_month(year, month, anchor) + offset
        return calendar.next_business_day(day) if calendar is not None else day

    year, month = _add_months(not_before.year, not_before.month, -1)
    dates: list[dt.date] = []
    while len(dates) < count:
        due = due_in(year, month)
        if due >= not_before and (not dates or due > dates[-1]):
            dates.append(due)
        year, month = _add_months(year, month, 1)
    return tuple(dates)


# ----------------------------------------------------------------------------------- proposals
def split_evenly(total: Money, ceiling: Money) -> tuple[Money, ...]:
    """Instalments of at most ``ceiling`` that add up to ``total`` exactly, as few as possible.

    All instalments are equal (``total / n`` rounded up to the cent) except the last, which takes
    the rounding and is never larger than the others.
    """
    if not total.is_positive:
        raise ValueError("total must be positive")
    if not ceiling.is_positive:
        raise ValueError("ceiling must be positive")
    total = total.rounded()
    ceiling = ceiling.rounded(Rounding.DOWN)
    if not ceiling.is_positive:
        raise ValueError("ceiling must be at least one cent")
    n = _ceil_div(total, ceiling)
    regular = total.divided(n).rounded(Rounding.UP)
    n = _ceil_div(total, regular)
    last = total - regular * (n - 1)
    return (*([regular] * (n - 1)), last)


def _ceil_div(total: Money, part: Money) -> int:
    with decimal.localcontext() as ctx:
        ctx.prec = 34
        return int((total.amount / part.amount).to_integral_value(rounding=decimal.ROUND_CEILING))


def _schedule(
    amounts: Sequence[Money],
    *,
    not_before: dt.date,
    payday: int | None,
    debit_day: int | None,
    days_after_payday: int,
    calendar: BusinessDays | None,
) -> tuple[Instalment, ...]:
    """``amounts`` as monthly instalments, dated by :func:`instalment_dates`."""
    dates = instalment_dates(
        count=len(amounts),
        not_before=not_before,
        payday=payday,
        debit_day=debit_day,
        days_after_payday=days_after_payday,
        calendar=calendar,
    )
    return tuple(
        Instalment(number=i, due_date=d, amount=a)
        for i, (a, d) in enumerate(zip(amounts, dates, strict=True), start=1)
    )


def _check_amount(value: Money, field: str, *, positive: bool) -> None:
    if value.is_negative or (positive and not value.is_positive):
        need = "positive" if positive else "zero or more"
        raise InputError(f"must be {need}, got {value.format()}", Location(field=field))
    if not value.is_rounded():
        raise InputError(
            f"must be a whole number of cents, got {value.amount}", Location(field=field)
        )


def _problematic_debt(
    debt: Money,
    capacity: Money,
    max_months: int,
    months_needed: int | None,
    lines: list[str],
) -> ArrangementProposal:
    """No plan within the policy's limit can work: refer to municipal debt help (with consent)."""
    return ArrangementProposal(
        outcome=ProposalOutcome.PROBLEMATIC_DEBT,
        debt=debt,
        capacity=capacity,
        max_months=max_months,
        months_needed=months_needed,
        arrangement=None,
        referral_recommended=True,
        lines=tuple(lines),
    )


def propose_arrangement(
    *,
    arrangement_id: str,
    debtor_id: str,
    creditor_id: str,
    debt: Money,
    capacity: Money,
    today: dt.date,
    payday: int | None = None,
    debit_day: int | None = None,
    days_after_payday: int = 1,
    lead_days: int = 0,
    max_months: int = DEFAULT_MAX_MONTHS,
    method: PaymentMethod = PaymentMethod.DIRECT_DEBIT,
    charges: ChargesDuringPlan = ChargesDuringPlan.NONE,
    grace: GracePolicy = _DEFAULT_GRACE,
    calendar: BusinessDays | None = None,
) -> ArrangementProposal:
    """Propose a plan sized to ``capacity`` (what the household can spare for this creditor).

    The fewest equal monthly instalments that each stay within ``capacity`` (the last takes the
    rounding), falling just after ``payday`` or on ``debit_day``; the first on or after
    ``today + lead_days``. With a ``calendar`` (e.g. the ``sepa`` calendar for direct debit) each
    date moves to the next business day. If more than ``max_months`` instalments would be needed,
    or capacity is zero, the outcome is :attr:`ProposalOutcome.PROBLEMATIC_DEBT` with a
    recommendation to refer to municipal debt help (with consent), and no arrangement.
    """
    _check_amount(debt, "debt", positive=True)
    _check_amount(capacity, "capacity", positive=False)
    if max_months < 1:
        raise InputError("must be at least 1", Location(field="max_months"))
    if lead_days < 0:
        raise InputError("must not be negative", Location(field="lead_days"))
    lines = [
        f"Schuld: {debt}.",
        f"Wat het huishouden per maand kan missen voor deze schuldeiser: {capacity}.",
        f"Maximale looptijd volgens het beleid: {max_months} maanden.",
    ]
    if not capacity.is_positive:
        lines.append(
            "Er is geen ruimte boven de beslagvrije voet: een regeling past niet. "
            "Advies: met toestemming doorverwijzen naar de schuldhulpverlening van de gemeente."
        )
        return _problematic_debt(debt, capacity, max_months, None, lines)
    amounts = split_evenly(debt, capacity)
    months_needed = len(amounts)
    if months_needed > max_months:
        lines.append(
            f"Met {capacity} per maand duurt aflossen {months_needed} maanden: langer dan "
            f"{max_months}. Dit is een problematische schuld. Advies: met toestemming "
            "doorverwijzen naar de schuldhulpverlening van de gemeente, geen regeling die niet "
            "kan werken."
        )
        return _problematic_debt(debt, capacity, max_months, months_needed, lines)
    instalments = _schedule(
        amounts,
        not_before=today + dt.timedelta(days=lead_days),
        payday=payday,
        debit_day=debit_day,
        days_after_payday=days_after_payday,
        calendar=calendar,
    )
    arrangement = Arrangement(
        arrangement_id=arrangement_id,
        debtor_id=debtor_id,
        creditor_id=creditor_id,
        total=debt,
        instalments=instalments,
        method=method,
        charges=charges,
        grace=grace,
        rule="capacity",
        proposed_on=today,
    )
    lines.append(
        f"Voorstel: {months_needed} termijnen van {amounts[0]}"
        + (f" (laatste termijn {amounts[-1]})" if amounts[-1] != amounts[0] else "")
        + f", eerste op {arrangement.first_due.isoformat()}, "
        f"laatste op {arrangement.last_due.isoformat()}."
    )
    return ArrangementProposal(
        outcome=ProposalOutcome.PLAN,
        debt=debt,
        capacity=capacity,
        max_months=max_months,
        months_needed=months_needed,
        arrangement=arrangement,
        lines=tuple(lines),
    )


def classic_arrangement(
    *,
    arrangement_id: str,
    debtor_id: str,
    creditor_id: str,
    debt: Money,
    today: dt.date,
    capacity: Money | None = None,
    payday: int | None = None,
    debit_day: int | None = None,
    days_after_payday: int = 1,
    months: int = 6,
    minimum: Money | None = None,
    calendar: BusinessDays | None = None,
) -> ArrangementProposal:
    """The classic rule "6 months, at least EUR 50 a month", for comparison only (seed 003).

    It ignores what the household can spare. When ``capacity`` is given the proposal reports
    whether the classic instalment exceeds it (``exceeds_capacity``, ``shortfall``): that is the
    point of the comparison. It is never offered as the humane proposal.
    """
    _check_amount(debt, "debt", positive=True)
    floor = minimum if minimum is not None else Money("50.00", debt.currency)
    if months < 1:
        raise InputError("must be at least 1", Location(field="months"))
    regular = min(max(debt.divided(months).rounded(Rounding.UP), floor), debt)
    count = _ceil_div(debt, regular)
    amounts = (*([regular] * (count - 1)), debt - regular * (count - 1))
    arrangement = Arrangement(
        arrangement_id=arrangement_id,
        debtor_id=debtor_id,
        creditor_id=creditor_id,
        total=debt,
        instalments=_schedule(
            amounts,
            not_before=today,
            payday=payday,
            debit_day=debit_day,
            days_after_payday=days_after_payday,
            calendar=calendar,
        ),
        rule="classic",
        proposed_on=today,
    )
    largest = arrangement.largest_instalment
    lines = [
        f"Klassieke regel: {months} maanden, minimaal {floor} per maand.",
        f"{len(amounts)} termijnen van {amounts[0]}.",
    ]
    exceeds = capacity is not None and largest > capacity
    shortfall = (largest - capacity) if capacity is not None and exceeds else Money.zero()
    if capacity is not None:
        if exceeds:
            lines.append(
                f"De termijn is {shortfall} hoger dan wat het huishouden kan missen ({capacity}): "
                "deze regeling zakt onder de beslagvrije voet of gaat ten koste van andere "
                "schuldeisers."
            )
        else:
            lines.append(f"De termijn past binnen wat het huishouden kan missen ({capacity}).")
    return ArrangementProposal(
        outcome=ProposalOutcome.PLAN,
        debt=debt,
        capacity=capacity if capacity is not None else Money.zero(debt.currency),
        max_months=months,
        months_needed=len(amounts),
        arrangement=arrangement,
        rule="classic",
        exceeds_capacity=exceeds,
        shortfall=shortfall,
        lines=tuple(lines),
    )
