"""How one demo household behaves (the households' side of :mod:`maatwerk.demo.run`).

A :class:`Home` is a synthetic household with its own ``random.Random`` streams (keyed by seed
and household, not by policy) and what it remembers between days: the bills it left unpaid, a
letter's response window, a promise, an offer to answer, a plan it pays, a bailiff dossier, a
re-presented collection, a dispute. Its methods decide what it does, per its behaviour profile
(``maatwerk/demo/demo_behaviour.toml``; the model is described in ``docs/simulation-model.md``);
the day's driver in :mod:`maatwerk.demo.run` records that the way the organisation records it
and runs the production pipeline. Deterministic for a seed; no clock, no store.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Final

import attrs

from maatwerk.core.affordability import Commitment, affordability
from maatwerk.core.debts import Debt, Payment
from maatwerk.core.events import ContactOutcome
from maatwerk.core.money import Money
from maatwerk.core.subsistence import SubsistenceTables
from maatwerk.demo.synthetic import (
    PaymentMethod,
    Profile,
    ProfileParams,
    SyntheticHousehold,
    chance_per_day,
)
from maatwerk.services.payloads import household_bvv


__all__ = ["RETURN_REASON", "BankReturn", "Home", "Plan"]

#: SEPA reason code the bank gives when a household's collection fails, per profile [A].
RETURN_REASON: Final = {
    Profile.CANT_PAY: "AM04",  # insufficient funds
    Profile.VULNERABLE: "AM04",
    Profile.FORGETS: "AM04",
    Profile.ON_TIME: "AM04",
    Profile.WONT_PAY: "MD06",  # refund requested by the debtor
    Profile.DECEASED: "MD07",  # debtor deceased
}


@attrs.frozen(kw_only=True)
class BankReturn:
    """A failed collection as the bank reports it (written to a camt.054 file by the adapter)."""

    end_to_end_id: str
    mandate_id: str
    amount: Money
    reason: str
    booking_date: dt.date
    creditor_id: str = ""
    """whose collection it was: the bank reports it on that creditor's own account"""


@attrs.define
class Plan:
    """The arrangement a household accepted, as it pays it."""

    instalment: Money
    left: int
    next_due: dt.date
    fits: bool
    payer_id: str | None = None
    """a deduction at source: the payer that deducts each month and remits it"""
    amounts: tuple[Money, ...] = ()
    """the offer's instalments in order (the last one takes the rest, often less than the
    others); empty: ``instalment`` each time"""

    def next_amount(self) -> Money:
        """The amount of the next instalment: the schedule's, so the last one pays the rest
        and not the rounded-up regular amount (a cent or more too much)."""
        paid = len(self.amounts) - self.left
        if 0 <= paid < len(self.amounts):
            return self.amounts[paid]
        return self.instalment

    dues: tuple[dt.date, ...] = ()
    """the accepted plan's later due dates, paid on each (empty: every 30 days)"""


@attrs.define
class Home:
    """One household during the demo: who it is, its luck, and what it remembers."""

    index: int
    synthetic: SyntheticHousehold
    params: ProfileParams
    bill_rng: random.Random
    rng: random.Random
    room: Money
    bvv: Money
    unpaid: set[str] = attrs.Factory(set)
    window_until: dt.date | None = None
    promise_until: dt.date | None = None
    offer_on: dt.date | None = None
    plan: Plan | None = None
    bailiff_until: dt.date | None = None
    representation: tuple[dt.date, BankReturn] | None = None
    """the day a re-presented collection is debited, and the return if it fails"""
    dispute: tuple[str, dt.date] | None = None
    fixed_offer: tuple[int, Money] | None = None
    """the written offer waiting for an answer is the fixed plan (months, minimum instalment)"""
    bank_garnishment: bool = False
    """the running bailiff dossier may garnish the bank account (beyond the protected income)"""
    payments: int = 0

    @classmethod
    def new(
        cls,
        index: int,
        synthetic: SyntheticHousehold,
        params: ProfileParams,
        subsistence: SubsistenceTables,
        *,
        start: dt.date,
        seed: int,
    ) -> Home:
        """The ``index``-th household on day ``start``: its protected income (BVV) and the room
        above it, and its random streams for ``seed``."""
        debtor = synthetic.debtor
        net = debtor.net_monthly_income or Money.zero()
        bvv = household_bvv(debtor, net, start, subsistence).bvv
        return cls(
            index=index,
            synthetic=synthetic,
            params=params,
            bill_rng=random.Random(f"{seed}:demo-bills:{index}"),  # noqa: S311  # reproducible
            rng=random.Random(f"{seed}:demo-react:{index}"),  # noqa: S311
            room=(net - bvv).clamp_zero(),
            bvv=bvv,
        )

    @property
    def debtor_id(self) -> str:
        return self.synthetic.debtor.debtor_id

    @property
    def deceased(self) -> bool:
        return self.synthetic.profile is Profile.DECEASED

    def capacity(self, debt: Money) -> Money:
        """What the household can spare per month for ``debt`` (income - BVV, other creditors)."""
        syn = self.synthetic
        commitments = []
        if syn.other_arrears_instalment.is_positive:
            commitments.append(
                Commitment(label="other creditors", monthly=syn.other_arrears_instalment)
            )
        return affordability(
            net_income=syn.debtor.net_monthly_income or Money.zero(),
            protected=self.bvv,
            debt=debt,
            commitments=commitments,
        ).capacity

    def payment(self, day: dt.date, amount: Money) -> Payment:
        """The household's next payment."""
        self.payments += 1
        return Payment(
            payment_id=f"{self.debtor_id}-P{self.payments:04d}",
            debtor_id=self.debtor_id,
            received_on=day,
            amount=amount.rounded(),
        )

    def can_pay_lump(self, owed: Money) -> bool:
        if self.synthetic.profile in (Profile.ON_TIME, Profile.FORGETS, Profile.WONT_PAY):
            return True
        return owed <= self.room

    def pays_on_time(self, bill: Debt) -> bool:
        """Whether the bill due today is paid (one draw of the bill stream per bill)."""
        syn = self.synthetic
        draw = self.bill_rng.random()
        if syn.profile is Profile.DECEASED:
            return False
        if syn.method is PaymentMethod.SOURCE_DEDUCTION:
            return bill.principal <= self.room or draw < self.params.on_time
        return draw < self.params.on_time

    def pays_late_today(self, day: dt.date, *, response_window: int, promise_days: int) -> bool:
        """Whether the household pays its arrears today: more likely in a letter's response
        window (``response_window`` days) or after a promise (``promise_days``)."""
        params = self.params
        chance = params.late_daily
        if self.window_until is not None and day <= self.window_until:
            chance = max(chance, chance_per_day(params.letter_response, response_window))
        if self.promise_until is not None and day <= self.promise_until:
            chance = max(chance, chance_per_day(0.85, promise_days))
        return self.rng.random() < chance

    def plan_instalment(self, day: dt.date) -> Money | None:
        """The plan's instalment paid today, or None (none due, or the household stops paying
        the plan: it pays no more instalments and the run sees the plan breached in time)."""
        plan = self.plan
        if plan is None or plan.next_due != day:
            return None
        keep = self.params.keep_fit if plan.fits else self.params.keep_unfit
        if self.rng.random() >= keep:
            self.plan = None
            return None
        amount = plan.next_amount()
        plan.left -= 1
        if plan.left <= 0:
            self.plan = None  # the last instalment; the run sees the plan completed
            self.unpaid.clear()
        elif plan.dues:  # on the plan's next date
            plan.next_due, plan.dues = plan.dues[0], plan.dues[1:]
        elif plan.payer_id is not None:  # a payer deducts once a calendar month
            month = plan.next_due.month % 12 + 1
            year = plan.next_due.year + (plan.next_due.month == 12)
            plan.next_due = plan.next_due.replace(year=year, month=month)
        else:
            plan.next_due = plan.next_due + dt.timedelta(days=30)
        return amount

    def bailiff_collects(self, day: dt.date) -> bool:
        """Whether the bailiff whose dossier ends today collects (else the dossier is returned)."""
        if self.bailiff_until != day:
            return False
        self.bailiff_until = None
        return self.rng.random() < self.params.bailiff_recovery

    def answers_call(self, day: dt.date, *, promise_days: int) -> ContactOutcome:
        """What the household says on the phone; a promise runs ``promise_days`` days."""
        profile = self.synthetic.profile
        if self.rng.random() >= self.params.call_answer:
            return ContactOutcome.NO_ANSWER
        if profile in (Profile.CANT_PAY, Profile.VULNERABLE):
            return ContactOutcome.CANT_PAY
        if profile is Profile.WONT_PAY:
            return ContactOutcome.WONT_PAY
        self.promise_until = day + dt.timedelta(days=promise_days)
        return ContactOutcome.PROMISE
