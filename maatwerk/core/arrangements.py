"""Payment arrangements (betalingsregelingen) sized to what the household can spare.

A humane plan is sized to the monthly *capacity* (see :mod:`maatwerk.core.affordability`), not to a
fixed rule such as "6 months, at least EUR 50" (seed 003, CZ). Instalments fall just after payday
(seed 004: "verschuif de betalingstermijn naar een datum na uitbetaling van het salaris") or on a
chosen direct-debit day, and never leave the household below its protected income (Rv 475b-475i).
When capacity cannot clear the debt within the policy's duration limit (default 36 months, the
classic schuldregeling term), the proposal is a **problematic debt** outcome: the policy then offers
a referral to municipal debt help, with the debtor's consent (Wgs), instead of a plan that cannot
work.

Public API (stable; the policy engine reads it):

* :class:`ArrangementStatus`, :class:`InstalmentStatus`, :class:`PaymentMethod`,
  :class:`ChargesDuringPlan`, :class:`ProposalOutcome`, :class:`PromiseStatus`
* :class:`Instalment`, :class:`Arrangement`, :class:`GracePolicy`, :class:`PromiseToPay`
* :func:`propose_arrangement` -> :class:`ArrangementProposal`
* :func:`classic_arrangement` -> :class:`ArrangementProposal` (for comparison only)
* :func:`arrangement_status` -> :class:`ArrangementState`
* :func:`replan` (after an income change), :func:`cancel`, :func:`promise_status`,
  :func:`new_charges_allowed`
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import datetime as dt
import decimal
import enum
from collections.abc import Iterable, Sequence
from typing import Protocol

import attrs

from maatwerk.core.debts import Payment
from maatwerk.core.errors import InputError, Location
from maatwerk.core.money import Money, Rounding


__all__ = [
    "DEFAULT_MAX_MONTHS",
    "Arrangement",
    "ArrangementProposal",
    "ArrangementState",
    "ArrangementStatus",
    "BusinessDays",
    "ChargesDuringPlan",
    "GracePolicy",
    "Instalment",
    "InstalmentState",
    "InstalmentStatus",
    "PaymentMethod",
    "PromiseState",
    "PromiseStatus",
    "PromiseToPay",
    "ProposalOutcome",
    "arrangement_status",
    "cancel",
    "classic_arrangement",
    "instalment_dates",
    "new_charges_allowed",
    "promise_status",
    "propose_arrangement",
    "replan",
    "split_evenly",
]

#: The classic schuldregeling term, used by municipalities as the test for problematic debt.
DEFAULT_MAX_MONTHS = 36

_ONE_DAY = dt.timedelta(days=1)


class ArrangementStatus(enum.Enum):
    """Where an arrangement stands on a given day."""

    PROPOSED = "proposed"
    """voorgesteld: offered, not (yet) accepted"""
    ACTIVE = "active"
    """lopend: accepted and kept"""
    IN_GRACE = "in-grace"
    """achterstand binnen de coulance: an instalment was missed; reminder sent, catching up allowed"""
    BREACHED = "breached"
    """vervallen: more missed than tolerated; the plan ended and the case returns to the policy"""
    COMPLETED = "completed"
    """voldaan: every instalment paid"""
    CANCELLED = "cancelled"
    """ingetrokken: withdrawn or replaced (e.g. by a new plan after an income change)"""

    @property
    def is_running(self) -> bool:
        """The plan binds the creditor: no escalation while it runs."""
        return self in (ArrangementStatus.ACTIVE, ArrangementStatus.IN_GRACE)


class InstalmentStatus(enum.Enum):
    """Status of one instalment on a given day."""

    UPCOMING = "upcoming"
    """not yet due, nothing paid toward it"""
    PAID = "paid"
    PARTLY_PAID = "partly-paid"
    """something, not everything, was paid toward it"""
    MISSED = "missed"
    """overdue and nothing paid toward it"""


class PaymentMethod(enum.Enum):
    """How the instalments are paid."""

    DIRECT_DEBIT = "direct-debit"
    """automatische incasso (SEPA Core); the date must be a SEPA business day"""
    SOURCE_DEDUCTION = "source-deduction"
    """inhouding op uitkering of loon (broninhouding)"""
    TRANSFER = "transfer"
    """the debtor transfers each instalment (overboeking)"""


class ChargesDuringPlan(enum.Enum):
    """What the creditor charges while the plan is kept (a per-creditor choice)."""

    NONE = "none"
    """no new interest or collection costs while the plan is kept (the humane default)"""
    INTEREST_ONLY = "interest-only"
    """statutory interest continues; no new collection costs"""
    INTEREST_AND_COSTS = "interest-and-costs"
    """interest and costs continue as the law allows"""


class ProposalOutcome(enum.Enum):
    PLAN = "plan"
    """a plan that fits the capacity within the duration limit"""
    PROBLEMATIC_DEBT = "problematic-debt"
    """capacity cannot clear the debt within the limit: refer to municipal debt help (with consent)"""


class BusinessDays(Protocol):
    """What a business-day calendar must offer (``maatwerk.core.calendar.BusinessCalendar`` does)."""

    def next_business_day(self, day: dt.date) -> dt.date:
        """``day`` itself when it is open, else the first open day after it."""
        ...


@attrs.frozen(kw_only=True)
class Instalment:
    """One instalment (termijn): its number (1-based), due date and amount."""

    number: int
    due_date: dt.date
    amount: Money


@attrs.frozen(kw_only=True)
class GracePolicy:
    """How missed instalments are handled (coulance).

    ``tolerated_missed``: how many instalments may be in arrears at the same time before the plan
    is breached (default one). ``grace_days``: if set, an instalment still unpaid this many days
    after its due date breaches the plan even within ``tolerated_missed``; ``None`` (default) lets
    the debtor catch up as long as no more than ``tolerated_missed`` are in arrears.
    ``settle_days``: days after the due date before a payment counts as late (bank processing).
    """

    tolerated_missed: int = 1
    grace_days: int | None = None
    settle_days: int = 0

    def __attrs_post_init__(self) -> None:
        if self.tolerated_missed < 0 or self.settle_days < 0:
            raise ValueError("tolerated_missed and settle_days must not be negative")
        if self.grace_days is not None and self.grace_days < 1:
            raise ValueError("grace_days must be at least 1 when given")


@attrs.frozen(kw_only=True)
class Arrangement:
    """A payment arrangement (betalingsregeling) between one debtor and one creditor.

    ``accepted_on`` is ``None`` while the plan is only proposed. ``cancelled_on`` ends it
    (withdrawn, or replaced by a re-plan). ``rule`` says how it was sized: ``"capacity"`` or
    ``"classic"``. Instalments must add up to ``total`` exactly.
    """

    arrangement_id: str
    debtor_id: str
    creditor_id: str
    total: Money
    instalments: tuple[Instalment, ...]
    method: PaymentMethod = PaymentMethod.DIRECT_DEBIT
    charges: ChargesDuringPlan = ChargesDuringPlan.NONE
    grace: GracePolicy = GracePolicy()
    rule: str = "capacity"
    proposed_on: dt.date | None = None
    accepted_on: dt.date | None = None
    cancelled_on: dt.date | None = None
    cancel_reason: str = ""
    replaces: str | None = None
    """the arrangement this one replaced (re-plan)"""

    def __attrs_post_init__(self) -> None:
        if not self.instalments:
            raise ValueError(f"arrangement {self.arrangement_id}: needs at least one instalment")
        total = Money.zero(self.total.currency)
        previous: dt.date | None = None
        for index, instalment in enumerate(self.instalments, start=1):
            if instalment.number != index:
                raise ValueError(
                    f"arrangement {self.arrangement_id}: instalments must be numbered 1, 2, ..."
                )
            if previous is not None and instalment.due_date < previous:
                raise ValueError(
                    f"arrangement {self.arrangement_id}: instalment due dates must not go back"
                )
            if not instalment.amount.is_positive:
                raise ValueError(
                    f"arrangement {self.arrangement_id}: instalment {index} must be positive"
                )
            previous = instalment.due_date
            total = total + instalment.amount
        if total != self.total:
            raise ValueError(
                f"arrangement {self.arrangement_id}: instalments add up to {total}, "
                f"not to the total {self.total}"
            )

    @property
    def months(self) -> int:
        return len(self.instalments)

    @property
    def first_due(self) -> dt.date:
        return self.instalments[0].due_date

    @property
    def last_due(self) -> dt.date:
        return self.instalments[-1].due_date

    @property
    def largest_instalment(self) -> Money:
        return max(i.amount for i in self.instalments)

    def accepted(self, on: dt.date) -> Arrangement:
        """The same arrangement, accepted by the debtor on ``on``."""
        return attrs.evolve(self, accepted_on=on)


@attrs.frozen(kw_only=True)
class ArrangementProposal:
    """The result of sizing a plan: a plan, or the problematic-debt outcome, with the reasons.

    ``lines`` explain the calculation in plain words (for the case manager and the letter).
    ``exceeds_capacity`` is only ever true for the ``classic`` rule: that is the comparison.
    """

    outcome: ProposalOutcome
    debt: Money
    capacity: Money
    max_months: int
    months_needed: int | None
    """months the capacity needs to clear the debt; ``None`` when capacity is zero"""
    arrangement: Arrangement | None
    rule: str = "capacity"
    exceeds_capacity: bool = False
    shortfall: Money = Money.zero()
    """how much the largest instalment exceeds the capacity (classic rule only)"""
    referral_recommended: bool = False
    """problematic debt: offer a referral to municipal debt help (only with the debtor's consent)"""
    lines: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class InstalmentState:
    """One instalment as seen on a given day."""

    instalment: Instalment
    status: InstalmentStatus
    paid: Money
    outstanding: Money
    overdue: bool
    """the due date (plus settle days) has passed and it is not fully paid"""
    overdue_from: dt.date
    """the first day on which it counts as late when unpaid"""
    paid_on: dt.date | None
    """the day it became fully paid"""
    reminder_on: dt.date | None
    """when it is (or was) overdue: the day a reminder is due"""


@attrs.frozen(kw_only=True)
class ArrangementState:
    """What :func:`arrangement_status` found on ``today``: the status plus the dates behind it."""

    arrangement_id: str
    today: dt.date
    status: ArrangementStatus
    instalments: tuple[InstalmentState, ...]
    paid: Money
    outstanding: Money
    arrears: Money
    """amount of overdue instalments not yet paid"""
    missed_count: int
    """instalments in arrears on ``today``"""
    breach_date: dt.date | None = None
    completed_on: dt.date | None = None
    cancelled_on: dt.date | None = None
    in_grace_since: dt.date | None = None
    grace_until: dt.date | None = None
    """last day to catch up before the plan is breached, when a deadline applies"""
    next_due: Instalment | None = None
    reminders_due: tuple[dt.date, ...] = ()
    """one date per missed instalment: the day its reminder is due"""
    explanation: str = ""


class PromiseStatus(enum.Enum):
    OPEN = "open"
    """due date not yet passed, not fully paid"""
    KEPT = "kept"
    BROKEN = "broken"
    """due date passed and not fully paid"""


@attrs.frozen(kw_only=True)
class PromiseToPay:
    """A promise to pay (betaalbelofte): an amount by a date, recorded on ``made_on``."""

    promise_id: str
    debtor_id: str
    creditor_id: str
    amount: Money
    due_date: dt.date
    made_on: dt.date

    def __attrs_post_init__(self) -> None:
        if not self.amount.is_positive:
            raise ValueError("a promise to pay needs a positive amount")
        if self.due_date < self.made_on:
            raise ValueError("a promise to pay cannot fall due before it was made")


@attrs.frozen(kw_only=True)
class PromiseState:
    promise_id: str
    status: PromiseStatus
    paid: Money
    outstanding: Money
    kept_on: dt.date | None = None
    broken_on: dt.date | None = None


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


def _schedule(amounts: Sequence[Money], dates: Sequence[dt.date]) -> tuple[Instalment, ...]:
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
    grace: GracePolicy = GracePolicy(),
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
        return ArrangementProposal(
            outcome=ProposalOutcome.PROBLEMATIC_DEBT,
            debt=debt,
            capacity=capacity,
            max_months=max_months,
            months_needed=None,
            arrangement=None,
            referral_recommended=True,
            lines=tuple(lines),
        )
    amounts = split_evenly(debt, capacity)
    months_needed = len(amounts)
    if months_needed > max_months:
        lines.append(
            f"Met {capacity} per maand duurt aflossen {months_needed} maanden: langer dan "
            f"{max_months}. Dit is een problematische schuld. Advies: met toestemming "
            "doorverwijzen naar de schuldhulpverlening van de gemeente, geen regeling die niet "
            "kan werken."
        )
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
    dates = instalment_dates(
        count=months_needed,
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
        instalments=_schedule(amounts, dates),
        method=method,
        charges=charges,
        grace=grace,
        rule="capacity",
        proposed_on=today,
    )
    lines.append(
        f"Voorstel: {months_needed} termijnen van {amounts[0]}"
        + (f" (laatste termijn {amounts[-1]})" if amounts[-1] != amounts[0] else "")
        + f", eerste op {dates[0].isoformat()}, laatste op {dates[-1].isoformat()}."
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
    dates = instalment_dates(
        count=len(amounts),
        not_before=today,
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
        instalments=_schedule(amounts, dates),
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


# ---------------------------------------------------------------------------------- monitoring
def _paid_on_dates(
    amounts: Sequence[Money], payments: Iterable[Payment], today: dt.date, currency: str
) -> tuple[list[Money], list[dt.date | None]]:
    """Apply payments received up to ``today`` to the instalments in order (oldest first).

    Returns what was paid toward each instalment and the day each became fully paid.
    """
    paid = [Money.zero(currency) for _ in amounts]
    paid_on: list[dt.date | None] = [None for _ in amounts]
    index = 0
    for payment in sorted(payments, key=lambda p: (p.received_on, p.payment_id)):
        if payment.received_on > today:
            continue
        left = payment.amount
        while left.is_positive and index < len(amounts):
            room = amounts[index] - paid[index]
            take = min(room, left)
            paid[index] = paid[index] + take
            left = left - take
            if paid[index] == amounts[index]:
                paid_on[index] = payment.received_on
                index += 1
    return paid, paid_on


def arrangement_status(
    arrangement: Arrangement, payments: Iterable[Payment], today: dt.date
) -> ArrangementState:
    """The status of ``arrangement`` on ``today`` from the payments made toward it.

    Payments (received on or before ``today``) are applied to the instalments oldest first; an
    overpayment pays the next instalment in advance. An instalment not fully paid after its due
    date (plus ``grace.settle_days``) is *missed* (or *partly paid*): a reminder is due the day it
    became late, and the plan is *in grace*. The plan is *breached* on the first day on which more
    than ``grace.tolerated_missed`` instalments are in arrears at once, or (when ``grace_days`` is
    set) an instalment is still unpaid ``grace_days`` after its due date. A breach is final: later
    payments do not revive the plan (the case returns to the policy, which may offer a new one).
    """
    grace = arrangement.grace
    currency = arrangement.total.currency
    amounts = [i.amount for i in arrangement.instalments]
    paid, paid_on = _paid_on_dates(amounts, payments, today, currency)
    settle = dt.timedelta(days=grace.settle_days)
    overdue_from = [i.due_date + settle + _ONE_DAY for i in arrangement.instalments]

    breach_date = _first_breach(arrangement, paid_on, overdue_from, today)
    completed_on = paid_on[-1] if paid_on[-1] is not None else None

    states: list[InstalmentState] = []
    arrears = Money.zero(currency)
    reminders: list[dt.date] = []
    missed = 0
    for inst, p, on, late in zip(arrangement.instalments, paid, paid_on, overdue_from, strict=True):
        outstanding = inst.amount - p
        overdue = outstanding.is_positive and today >= late
        if not outstanding.is_positive:
            status = InstalmentStatus.PAID
        elif p.is_positive:
            status = InstalmentStatus.PARTLY_PAID
        elif overdue:
            status = InstalmentStatus.MISSED
        else:
            status = InstalmentStatus.UPCOMING
        was_late = overdue or (on is not None and on >= late)
        if overdue:
            missed += 1
            arrears = arrears + outstanding
            reminders.append(late)
        states.append(
            InstalmentState(
                instalment=inst,
                status=status,
                paid=p,
                outstanding=outstanding,
                overdue=overdue,
                overdue_from=late,
                paid_on=on,
                reminder_on=late if was_late else None,
            )
        )
    total_paid = sum(paid, Money.zero(currency))
    outstanding_total = arrangement.total - total_paid
    next_due = next((s.instalment for s in states if s.status is not InstalmentStatus.PAID), None)

    base = ArrangementState(
        arrangement_id=arrangement.arrangement_id,
        today=today,
        status=ArrangementStatus.ACTIVE,
        instalments=tuple(states),
        paid=total_paid,
        outstanding=outstanding_total,
        arrears=arrears,
        missed_count=missed,
        breach_date=breach_date,
        completed_on=completed_on,
        cancelled_on=arrangement.cancelled_on,
        next_due=next_due,
        reminders_due=tuple(reminders),
    )

    cancelled = arrangement.cancelled_on
    if (
        cancelled is not None
        and cancelled <= today
        and (breach_date is None or breach_date >= cancelled)
    ):
        reason = f" ({arrangement.cancel_reason})" if arrangement.cancel_reason else ""
        return attrs.evolve(
            base,
            status=ArrangementStatus.CANCELLED,
            explanation=f"regeling ingetrokken op {cancelled.isoformat()}{reason}",
            breach_date=None,
        )
    if arrangement.accepted_on is None or arrangement.accepted_on > today:
        return attrs.evolve(
            base,
            status=ArrangementStatus.PROPOSED,
            explanation="regeling voorgesteld, nog niet geaccepteerd",
            breach_date=None,
            completed_on=None,
        )
    if breach_date is not None:
        return attrs.evolve(
            base,
            status=ArrangementStatus.BREACHED,
            explanation=f"regeling vervallen op {breach_date.isoformat()}: "
            f"meer termijnen gemist dan toegestaan ({grace.tolerated_missed})",
            completed_on=None,
        )
    if completed_on is not None:
        return attrs.evolve(
            base,
            status=ArrangementStatus.COMPLETED,
            explanation=f"regeling voldaan op {completed_on.isoformat()}",
        )
    if missed:
        since = min(s.overdue_from for s in states if s.overdue)
        until = _grace_until(arrangement, states, today)
        return attrs.evolve(
            base,
            status=ArrangementStatus.IN_GRACE,
            explanation=f"{missed} termijn(en) gemist sinds {since.isoformat()}; herinnering "
            "sturen, inhalen is nog mogelijk",
            in_grace_since=since,
            grace_until=until,
        )
    return attrs.evolve(
        base,
        explanation=f"regeling loopt sinds {arrangement.accepted_on.isoformat()}",
    )


def _first_breach(
    arrangement: Arrangement,
    paid_on: Sequence[dt.date | None],
    overdue_from: Sequence[dt.date],
    today: dt.date,
) -> dt.date | None:
    """The first day (up to ``today``) on which the plan's grace rules were broken."""
    grace = arrangement.grace
    start = arrangement.accepted_on
    if start is None:
        return None
    candidates = set(overdue_from)
    if grace.grace_days is not None:
        candidates |= {
            i.due_date + dt.timedelta(days=grace.grace_days) + _ONE_DAY
            for i in arrangement.instalments
        }
    for day in sorted(candidates):
        if day > today:
            break
        if day < start:
            continue
        in_arrears = [
            k
            for k, (late, on) in enumerate(zip(overdue_from, paid_on, strict=True))
            if late <= day and (on is None or on > day)
        ]
        if len(in_arrears) > grace.tolerated_missed:
            return day
        if grace.grace_days is not None:
            limit = dt.timedelta(days=grace.grace_days)
            for k in in_arrears:
                if day > arrangement.instalments[k].due_date + limit:
                    return day
    return None


def _grace_until(
    arrangement: Arrangement, states: Sequence[InstalmentState], today: dt.date
) -> dt.date | None:
    """The last day to catch up before a breach, seen from ``today`` (assuming no payment)."""
    grace = arrangement.grace
    overdue = [s for s in states if s.overdue]
    deadlines: list[dt.date] = []
    upcoming = [s for s in states if not s.overdue and s.status is not InstalmentStatus.PAID]
    room = grace.tolerated_missed - len(overdue)
    if room < len(upcoming):
        # the (room+1)-th instalment that falls late without payment breaches the plan
        deadlines.append(upcoming[room].overdue_from - _ONE_DAY)
    if grace.grace_days is not None:
        limit = dt.timedelta(days=grace.grace_days)
        deadlines.extend(s.instalment.due_date + limit for s in overdue)
    deadlines = [d for d in deadlines if d >= today]
    return min(deadlines) if deadlines else None


def new_charges_allowed(arrangement: Arrangement, state: ArrangementState) -> bool:
    """May the creditor add interest or costs today? Not while a ``NONE`` plan is kept."""
    if not state.status.is_running:
        return True
    return arrangement.charges is not ChargesDuringPlan.NONE


def cancel(arrangement: Arrangement, *, on: dt.date, reason: str) -> Arrangement:
    """Withdraw ``arrangement`` from ``on`` (e.g. replaced after an income change)."""
    return attrs.evolve(arrangement, cancelled_on=on, cancel_reason=reason)


def replan(
    arrangement: Arrangement,
    payments: Iterable[Payment],
    *,
    today: dt.date,
    new_capacity: Money,
    new_arrangement_id: str,
    payday: int | None = None,
    debit_day: int | None = None,
    max_months: int = DEFAULT_MAX_MONTHS,
    calendar: BusinessDays | None = None,
) -> tuple[Arrangement, ArrangementProposal]:
    """Re-plan after a change in income: cancel the old plan and size a new one to what is left.

    Returns the cancelled old arrangement and the new proposal (a plan, or the problematic-debt
    outcome when the new capacity cannot clear the rest within ``max_months``). The new plan
    keeps the old one's method, charges and grace policy and records which plan it replaces.
    """
    state = arrangement_status(arrangement, payments, today)
    if state.status in (ArrangementStatus.COMPLETED, ArrangementStatus.CANCELLED):
        raise InputError(
            f"arrangement {arrangement.arrangement_id} is {state.status.value}; nothing to re-plan",
            Location(field="arrangement"),
        )
    if not state.outstanding.is_positive:
        raise InputError("nothing outstanding to re-plan", Location(field="arrangement"))
    old = cancel(arrangement, on=today, reason="opnieuw gepland na inkomenswijziging")
    proposal = propose_arrangement(
        arrangement_id=new_arrangement_id,
        debtor_id=arrangement.debtor_id,
        creditor_id=arrangement.creditor_id,
        debt=state.outstanding,
        capacity=new_capacity,
        today=today + _ONE_DAY,
        payday=payday,
        debit_day=debit_day,
        max_months=max_months,
        method=arrangement.method,
        charges=arrangement.charges,
        grace=arrangement.grace,
        calendar=calendar,
    )
    if proposal.arrangement is not None:
        proposal = attrs.evolve(
            proposal,
            arrangement=attrs.evolve(proposal.arrangement, replaces=arrangement.arrangement_id),
        )
    return old, proposal


def promise_status(
    promise: PromiseToPay, payments: Iterable[Payment], today: dt.date
) -> PromiseState:
    """Kept when the promised amount arrived by the due date; broken the day after if not.

    Only payments received from ``made_on`` up to ``today`` count.
    """
    paid = Money.zero(promise.amount.currency)
    kept_on: dt.date | None = None
    for payment in sorted(payments, key=lambda p: (p.received_on, p.payment_id)):
        if payment.received_on < promise.made_on or payment.received_on > today:
            continue
        paid = paid + payment.amount
        if kept_on is None and paid >= promise.amount:
            kept_on = payment.received_on
    outstanding = (promise.amount - paid).clamp_zero()
    if kept_on is not None and kept_on <= promise.due_date:
        return PromiseState(
            promise_id=promise.promise_id,
            status=PromiseStatus.KEPT,
            paid=paid,
            outstanding=outstanding,
            kept_on=kept_on,
        )
    if today > promise.due_date:
        return PromiseState(
            promise_id=promise.promise_id,
            status=PromiseStatus.BROKEN,
            paid=paid,
            outstanding=outstanding,
            broken_on=promise.due_date + _ONE_DAY,
        )
    return PromiseState(
        promise_id=promise.promise_id, status=PromiseStatus.OPEN, paid=paid, outstanding=outstanding
    )
