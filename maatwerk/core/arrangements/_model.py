"""The values of payment arrangements: statuses, instalments, plans, proposals and promises."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Protocol

import attrs

from maatwerk.core._convert import to_member
from maatwerk.core.money import Money


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
]

#: The classic schuldregeling term, used by municipalities as the test for problematic debt.
DEFAULT_MAX_MONTHS = 36


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


# ---------------------------------------------------------------------- enum converters
# A value string becomes the member, anything else a ValueError (see maatwerk.core._convert).
def to_payment_method(value: PaymentMethod | str) -> PaymentMethod:
    return value if type(value) is PaymentMethod else to_member(PaymentMethod, value)


def to_charges_during_plan(value: ChargesDuringPlan | str) -> ChargesDuringPlan:
    return value if type(value) is ChargesDuringPlan else to_member(ChargesDuringPlan, value)


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
    method: PaymentMethod = attrs.field(
        default=PaymentMethod.DIRECT_DEBIT, converter=to_payment_method
    )
    charges: ChargesDuringPlan = attrs.field(
        default=ChargesDuringPlan.NONE, converter=to_charges_during_plan
    )
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
    """last day (due date plus grace) not yet passed, not fully paid"""
    KEPT = "kept"
    BROKEN = "broken"
    """last day (due date plus grace) passed and not fully paid"""


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
    last_day: dt.date | None = None
    """the last day a payment counts: the due date plus the grace"""
