"""Policy simulation (beleidssimulatie): one synthetic population, day by day, under a policy.

Everything runs in memory on the pure core: the policy engine decides
(:func:`maatwerk.core.policy.evaluate`), arrangements are sized and monitored by
:mod:`maatwerk.core.arrangements` on the capacity of :mod:`maatwerk.core.affordability` above the
protected income of :mod:`maatwerk.core.subsistence`, collection costs come from
:mod:`maatwerk.core.collection_costs`, payments are allocated by :mod:`maatwerk.core.allocation`.
This module adds only the *households*: how each behaviour profile of the synthetic portfolio
reacts to a bill, a letter, a call, an offer and a bailiff (parameters in
``maatwerk/demo/demo_behaviour.toml``; the model and its assumptions are in
``docs/simulation-model.md``).

Deterministic for a seed: each household draws from its own ``random.Random`` streams, keyed by
seed and household (not by policy), so every policy meets the same households with the same
luck for the same kind of event (common random numbers). No clock, no I/O.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Final

import attrs

from maatwerk.core.affordability import Commitment, affordability
from maatwerk.core.allocation import allocate_payment
from maatwerk.core.arrangements import (
    Arrangement,
    ArrangementStatus,
    arrangement_status,
    classic_arrangement,
    propose_arrangement,
)
from maatwerk.core.collection_costs import (
    AanmaningParams,
    BikParams,
    FourteenDayLetter,
    aanmaning_fee,
    collection_costs,
    costs_payable,
)
from maatwerk.core.debts import Case, ClaimKind, CostLine, Debt, DebtStatus, Payment
from maatwerk.core.events import (
    ActionKind,
    ArrangementAccepted,
    ArrangementBreached,
    ArrangementCompleted,
    ArrangementOffered,
    ArrangementRejected,
    ContactAttempt,
    ContactChannel,
    ContactOutcome,
    DebtHelpKind,
    DebtHelpStarted,
    Event,
    FormalDemandSent,
    FourteenDayLetterSent,
    StepTaken,
)
from maatwerk.core.money import Money, allocate
from maatwerk.core.policy import CaseFile, DecisionStatus, NoteKind, Policy, PolicyTables, evaluate
from maatwerk.core.policy.casefile import OtherArrear
from maatwerk.core.policy.decision import Decision, ProposedAction
from maatwerk.core.subsistence import SubsistenceInput, SubsistenceTables, protected_income
from maatwerk.core.tables import DatedTable
from maatwerk.demo.synthetic import (
    BehaviourParams,
    PaymentMethod,
    Portfolio,
    Profile,
    ProfileParams,
    SyntheticHousehold,
    chance_per_day,
)
from maatwerk.services.funnel import (
    AGEING_BUCKETS,
    AgeingBucket,
    ArrangementPoint,
    FunnelFigures,
    PolicyFigures,
    ProtectionReason,
)


__all__ = [
    "ActionRecord",
    "SimulationResult",
    "SimulationSettings",
    "SimulationTables",
    "compare",
    "simulate",
]

_DAY: Final = dt.timedelta(days=1)
BVV_REASON: Final = "protected income (BVV): no room for a plan"


@attrs.frozen(kw_only=True)
class SimulationTables:
    """The dated tables and policy tables a simulation needs."""

    policy: PolicyTables
    subsistence: SubsistenceTables
    bik: DatedTable[BikParams]
    aanmaning: DatedTable[AanmaningParams]


@attrs.frozen(kw_only=True)
class SimulationSettings:
    """Timing assumptions of the behaviour model (all [A], see docs/simulation-model.md)."""

    start: dt.date
    days: int
    seed: int
    response_window: int = 14
    """days a letter keeps working (its ``letter_response`` chance is spread over them)"""
    promise_days: int = 7
    """a debtor who promises on the phone pays within this many days (or not at all)"""
    bailiff_days: int = 42
    """days a bailiff needs to collect or to return the dossier as uncollectable"""
    offer_response_days: int = 10
    """days a debtor takes to accept or reject a written arrangement offer"""
    letter_delivery_days: int = 2
    """post: a letter sent today is received this many days later"""


@attrs.frozen(kw_only=True)
class ActionRecord:
    """One step the policy took (what a channel would have received), for the demo's outputs."""

    day: dt.date
    debtor_id: str
    step_id: str
    action: ActionKind
    channel: str
    debt_ids: tuple[str, ...]
    amount: Money
    detail: str = ""


@attrs.define
class _Household:
    index: int
    synthetic: SyntheticHousehold
    params: ProfileParams
    bills: list[Debt]
    bill_rng: random.Random
    rng: random.Random
    room: Money
    """net income minus protected income (BVV)"""
    bvv: Money
    events: list[Event] = attrs.Factory(list)
    payments: list[Payment] = attrs.Factory(list)
    paid_on: dict[str, dt.date] = attrs.Factory(dict)
    on_time_draw: dict[str, bool] = attrs.Factory(dict)
    next_eval: dt.date | None = None
    window_until: dt.date | None = None
    promise_until: dt.date | None = None
    offer: Arrangement | None = None
    offer_fits: bool = True
    offer_until: dt.date | None = None
    arrangement: Arrangement | None = None
    arrangement_payments: list[Payment] = attrs.Factory(list)
    arrangement_fits: bool = True
    arrangement_points: list[ArrangementPoint] = attrs.Factory(list)
    bailiff_on: dt.date | None = None
    bailiff_until: dt.date | None = None
    bailiff_collects: bool = False
    bailiff_garnish_bank: bool = True
    bailiff_debts: set[str] = attrs.Factory(set)
    open_ids: set[str] = attrs.Factory(set)
    in_debt_help: bool = False
    first_overdue: dt.date | None = None
    resolved_on: dt.date | None = None
    below_bvv: bool = False
    steps: Counter[ActionKind] = attrs.Factory(Counter)
    protected: Counter[str] = attrs.Factory(Counter)
    written_off: Money = Money.zero()
    """principal written off"""
    arrangements: int = 0
    costs: Money = Money.zero()
    payment_seq: int = 0

    @property
    def debtor_id(self) -> str:
        return self.synthetic.debtor.debtor_id

    def issued(self, day: dt.date) -> list[Debt]:
        return [b for b in self.bills if b.issued_on is None or b.issued_on <= day]

    def case(self, day: dt.date, creditor_id: str) -> Case:
        return Case(
            debtor_id=self.debtor_id, creditor_id=creditor_id, debts=tuple(self.issued(day))
        )

    def overdue(self, day: dt.date) -> list[Debt]:
        """Open bills past their due date (``open_ids`` caches ``Debt.is_open``)."""
        return [b for b in self.bills if b.due_date < day and b.debt_id in self.open_ids]

    def replace(self, debts: Sequence[Debt]) -> None:
        by_id = {d.debt_id: d for d in debts}
        self.bills = [by_id.get(b.debt_id, b) for b in self.bills]
        for debt in debts:
            if debt.is_open:
                self.open_ids.add(debt.debt_id)
            else:
                self.open_ids.discard(debt.debt_id)


@attrs.frozen(kw_only=True)
class SimulationResult:
    """What one policy did to the portfolio: the figures and every action taken."""

    figures: PolicyFigures
    actions: tuple[ActionRecord, ...]
    decisions: int
    """how many evaluations the policy engine ran"""


class _Simulator:
    def __init__(
        self,
        *,
        portfolio: Portfolio,
        behaviour: BehaviourParams,
        policy: Policy,
        tables: SimulationTables,
        settings: SimulationSettings,
        record_actions: bool,
    ) -> None:
        self.portfolio = portfolio
        self.behaviour = behaviour
        self.policy = policy
        self.tables = tables
        self.settings = settings
        self.record_actions = record_actions
        self.creditor = portfolio.creditor_id
        self.actions: list[ActionRecord] = []
        self.decisions = 0
        self.arrangement_seq = 0
        self.households = [self._household(i, h) for i, h in enumerate(portfolio.households)]

    # -- setup ------------------------------------------------------------------------------
    def _household(self, index: int, synthetic: SyntheticHousehold) -> _Household:
        debtor = synthetic.debtor
        net = debtor.net_monthly_income or Money.zero()
        result = protected_income(
            SubsistenceInput(
                household=debtor.household,
                on=self.settings.start,
                net_income=net,
                gross_annual_income=debtor.gross_annual_income,
                bijstand=debtor.on_bijstand,
            ),
            self.tables.subsistence,
        )
        seed = self.settings.seed
        bills = [d for d in self.portfolio.debts if d.debtor_id == debtor.debtor_id]
        return _Household(
            index=index,
            synthetic=synthetic,
            params=self.behaviour.profiles[synthetic.profile],
            bills=bills,
            bill_rng=random.Random(f"{seed}:bills:{index}"),  # noqa: S311  # reproducible by design
            rng=random.Random(f"{seed}:react:{index}"),  # noqa: S311
            room=(net - result.bvv).clamp_zero(),
            bvv=result.bvv,
            next_eval=self.settings.start,
            open_ids={b.debt_id for b in bills},
        )

    def _capacity(self, hh: _Household, debt: Money) -> Money:
        debtor = hh.synthetic.debtor
        commitments = []
        if hh.synthetic.other_arrears_instalment.is_positive:
            commitments.append(
                Commitment(label="other creditors", monthly=hh.synthetic.other_arrears_instalment)
            )
        return affordability(
            net_income=debtor.net_monthly_income or Money.zero(),
            protected=hh.bvv,
            debt=debt,
            commitments=commitments,
        ).capacity

    def _other_arrears(self, hh: _Household) -> tuple[OtherArrear, ...]:
        syn = hh.synthetic
        if not syn.other_arrears_creditors:
            return ()
        part = syn.other_arrears_total.divided(syn.other_arrears_creditors).rounded()
        return tuple(
            OtherArrear(creditor=f"other-{n + 1}", amount=part, reported_on=self.settings.start)
            for n in range(syn.other_arrears_creditors)
        )

    # -- money ----------------------------------------------------------------------------
    def _pay(self, hh: _Household, day: dt.date, amount: Money, *, plan: bool = False) -> Money:
        """Apply a payment to the household's open bills; returns what was applied."""
        if not amount.is_positive:
            return Money.zero()
        hh.payment_seq += 1
        payment = Payment(
            payment_id=f"{hh.debtor_id}-P{hh.payment_seq:04d}",
            debtor_id=hh.debtor_id,
            received_on=day,
            amount=amount,
        )
        case = hh.case(day, self.creditor)
        if not case.open_debts:
            return Money.zero()
        result = allocate_payment(case, payment)
        hh.replace(result.case.debts)
        applied = result.applied
        hh.payments.append(payment)
        if plan:
            hh.arrangement_payments.append(payment)
        for debt in result.case.debts:
            if debt.status is DebtStatus.PAID and debt.debt_id not in hh.paid_on:
                hh.paid_on[debt.debt_id] = day
        hh.next_eval = day
        return applied

    def _outstanding(self, hh: _Household, day: dt.date, *, overdue_only: bool) -> Money:
        debts = hh.overdue(day) if overdue_only else [b for b in hh.issued(day) if b.is_open]
        return sum((d.outstanding.total for d in debts), Money.zero())

    # -- one day --------------------------------------------------------------------------
    def run(self, progress: Callable[[int], None] | None = None) -> SimulationResult:
        end = self.settings.start + dt.timedelta(days=self.settings.days)
        day = self.settings.start
        while day < end:
            for hh in self.households:
                self._behave(hh, day)
                if hh.next_eval is not None and hh.next_eval <= day:
                    self._decide(hh, day)
            if progress is not None:
                progress(1)
            day += _DAY
        return SimulationResult(
            figures=self._figures(end - _DAY),
            actions=tuple(self.actions),
            decisions=self.decisions,
        )

    def _behave(self, hh: _Household, day: dt.date) -> None:
        profile = hh.synthetic.profile
        if profile is Profile.DECEASED:
            return
        params = hh.params
        # bills due today: paid on time or not (one draw per bill, the same under every policy)
        for bill in hh.bills:
            if bill.due_date == day and bill.debt_id in hh.open_ids:
                on_time = self._on_time(hh, bill)
                hh.on_time_draw[bill.debt_id] = on_time
                if on_time:
                    self._pay(hh, day, bill.outstanding.total)
                else:
                    hh.next_eval = day
        overdue = hh.overdue(day)
        if overdue and hh.first_overdue is None:
            hh.first_overdue = min(d.due_date for d in overdue) + _DAY
        # a running arrangement: the instalment falling due today
        if hh.arrangement is not None:
            self._instalments(hh, day)
        # the bailiff
        if hh.bailiff_on is not None:
            self._bailiff(hh, day)
            return
        if not overdue or hh.arrangement is not None:
            return
        # a written offer waiting for an answer
        if hh.offer is not None and hh.offer_until is not None:
            self._answer_offer(hh, day)
        chance = params.late_daily
        if hh.window_until is not None and day <= hh.window_until:
            chance = max(
                chance,
                chance_per_day(params.letter_response, self.settings.response_window),
            )
        if hh.promise_until is not None and day <= hh.promise_until:
            chance = max(chance, chance_per_day(0.85, self.settings.promise_days))
        if hh.rng.random() < chance and self._can_pay_lump(hh, day):
            self._pay(hh, day, self._outstanding(hh, day, overdue_only=True))

    def _on_time(self, hh: _Household, bill: Debt) -> bool:
        draw = hh.bill_rng.random()
        if hh.synthetic.method is PaymentMethod.SOURCE_DEDUCTION:
            # broninhouding: deducted by the payer within the protected income
            return bill.principal <= hh.room or draw < hh.params.on_time
        return draw < hh.params.on_time

    def _can_pay_lump(self, hh: _Household, day: dt.date) -> bool:
        """Whether the household can pay its overdue bills at once without going below the BVV."""
        profile = hh.synthetic.profile
        if profile in (Profile.ON_TIME, Profile.FORGETS, Profile.WONT_PAY):
            return True
        return self._outstanding(hh, day, overdue_only=True) <= hh.room

    def _instalments(self, hh: _Household, day: dt.date) -> None:
        arrangement = hh.arrangement
        if arrangement is None:
            return
        for inst in arrangement.instalments:
            if inst.due_date == day:
                keep = hh.params.keep_fit if hh.arrangement_fits else hh.params.keep_unfit
                if hh.rng.random() < keep:
                    if not hh.arrangement_fits:
                        hh.below_bvv = True
                    self._pay(hh, day, inst.amount, plan=True)
        state = arrangement_status(arrangement, hh.arrangement_payments, day)
        if state.status is ArrangementStatus.BREACHED:
            hh.events.append(
                ArrangementBreached(
                    occurred_on=day,
                    debtor_id=hh.debtor_id,
                    arrangement_id=arrangement.arrangement_id,
                    missed=state.missed_count,
                )
            )
            hh.arrangement_points.append(self._point(hh, kept=False))
            hh.arrangement = None
            hh.next_eval = day
        elif (
            state.status is ArrangementStatus.COMPLETED
            or not hh.case(day, self.creditor).open_debts
        ):
            hh.events.append(
                ArrangementCompleted(
                    occurred_on=day,
                    debtor_id=hh.debtor_id,
                    arrangement_id=arrangement.arrangement_id,
                )
            )
            hh.arrangement_points.append(self._point(hh, kept=True))
            hh.arrangement = None
            hh.next_eval = day

    def _point(self, hh: _Household, *, kept: bool) -> ArrangementPoint:
        arrangement = hh.arrangement
        assert arrangement is not None  # noqa: S101  # callers hold a running arrangement
        return ArrangementPoint(
            instalment=arrangement.largest_instalment,
            capacity=self._capacity(hh, arrangement.total),
            kept=kept,
        )

    def _bailiff(self, hh: _Household, day: dt.date) -> None:
        if hh.bailiff_until is None or day < hh.bailiff_until:
            return
        handed = [b for b in hh.issued(day) if b.debt_id in hh.bailiff_debts and b.is_open]
        owed = sum((b.outstanding.total for b in handed), Money.zero())
        if hh.bailiff_collects and owed.is_positive:
            if hh.bailiff_garnish_bank:
                # bank-account garnishment takes the whole amount at once
                if owed > hh.room:
                    hh.below_bvv = True
                self._pay(hh, day, owed)
            else:
                # wage garnishment within the protected income: what is above the BVV per month
                months = max(1, self.settings.bailiff_days // 30)
                self._pay(hh, day, owed.min(hh.room * months))
        # collected or not, the bailiff reports back; what is left of the dossier is written off
        left = [b for b in hh.issued(day) if b.debt_id in hh.bailiff_debts and b.is_open]
        self._close_as_written_off(hh, day, left)
        hh.bailiff_debts.clear()
        hh.bailiff_on = None
        hh.bailiff_until = None
        hh.next_eval = day

    def _answer_offer(self, hh: _Household, day: dt.date) -> None:
        offer = hh.offer
        if offer is None or hh.offer_until is None or day < hh.offer_until:
            return
        hh.offer = None
        hh.offer_until = None
        if hh.rng.random() < hh.params.accept_offer:
            self._accept(hh, day, offer)
        else:
            hh.events.append(
                ArrangementRejected(
                    occurred_on=day, debtor_id=hh.debtor_id, arrangement_id=offer.arrangement_id
                )
            )
        hh.next_eval = day

    def _accept(self, hh: _Household, day: dt.date, offer: Arrangement) -> None:
        hh.events.append(
            ArrangementAccepted(
                occurred_on=day, debtor_id=hh.debtor_id, arrangement_id=offer.arrangement_id
            )
        )
        hh.arrangement = attrs.evolve(offer, accepted_on=day)
        hh.arrangement_payments = []
        hh.arrangement_fits = hh.offer_fits
        hh.arrangements += 1

    # -- the policy -----------------------------------------------------------------------
    def _decide(self, hh: _Household, day: dt.date) -> None:
        case = hh.case(day, self.creditor)
        if not case.debts:
            hh.next_eval = min((b.issued_on or day for b in hh.bills), default=None)
            return
        file = CaseFile(
            debtor=hh.synthetic.debtor,
            case=case,
            events=tuple(hh.events),
            other_arrears=self._other_arrears(hh),
        )
        decision = evaluate(file, self.policy, day, self.tables.policy)
        self.decisions += 1
        self._note_protection(hh, decision)
        if decision.status is DecisionStatus.ACT and decision.action is not None:
            self._act(hh, day, decision.action)
            hh.next_eval = day + _DAY
        else:
            hh.next_eval = decision.next_check_on
            upcoming = [b.issued_on for b in hh.bills if b.issued_on and b.issued_on > day]
            if upcoming and (hh.next_eval is None or min(upcoming) < hh.next_eval):
                hh.next_eval = min(upcoming)

    def _note_protection(self, hh: _Household, decision: Decision) -> None:
        for note in decision.notes:
            if note.kind in (NoteKind.BLOCKED, NoteKind.POSTPONED):
                for reason in note.reasons:
                    hh.protected[reason.code] += 1

    def _record(self, hh: _Household, day: dt.date, action: ProposedAction, detail: str) -> None:
        hh.events.append(
            StepTaken(
                occurred_on=day,
                debtor_id=hh.debtor_id,
                debt_id=action.debt_ids[0] if len(action.debt_ids) == 1 else None,
                step_id=action.step_id,
                action=action.action,
                channel=action.channel,
                debt_ids=action.debt_ids,
                policy=self.policy.label,
            )
        )
        hh.steps[action.action] += 1
        if self.record_actions:
            self.actions.append(
                ActionRecord(
                    day=day,
                    debtor_id=hh.debtor_id,
                    step_id=action.step_id,
                    action=action.action,
                    channel=action.channel,
                    debt_ids=action.debt_ids,
                    amount=action.amount,
                    detail=detail,
                )
            )

    def _act(self, hh: _Household, day: dt.date, action: ProposedAction) -> None:
        kind = action.action
        params = dict(action.params)
        detail = ""
        handler: dict[ActionKind, Callable[[], str]] = {
            ActionKind.PHONE_CALL: lambda: self._call(hh, day),
            ActionKind.ARRANGEMENT_OFFER: lambda: self._offer(hh, day, params),
            ActionKind.DEBT_HELP_REFERRAL: lambda: self._refer(hh, day),
            ActionKind.EARLY_SIGNAL: lambda: self._refer(hh, day),
            ActionKind.FOURTEEN_DAY_LETTER: lambda: self._fourteen_day_letter(hh, day, action),
            ActionKind.FORMAL_DEMAND: lambda: self._demand(hh, day, action),
            ActionKind.BAILIFF_HANDOVER: lambda: self._handover(hh, day, action, params),
            ActionKind.WRITE_OFF: lambda: self._write_off(hh, day, action),
        }
        if kind in handler:
            detail = handler[kind]()
        elif kind in (
            ActionKind.COURTESY_REMINDER,
            ActionKind.PAYMENT_REMINDER,
            ActionKind.DIRECT_DEBIT_REPRESENTATION,
            ActionKind.ZVW_NOTICE,
            ActionKind.ZVW_REPORT,
        ):
            self._letter_window(hh, day)
        self._record(hh, day, action, detail)

    def _letter_window(self, hh: _Household, day: dt.date) -> None:
        start = day + dt.timedelta(days=self.settings.letter_delivery_days)
        hh.window_until = start + dt.timedelta(days=self.settings.response_window)

    def _call(self, hh: _Household, day: dt.date) -> str:
        profile = hh.synthetic.profile
        reached = hh.rng.random() < hh.params.call_answer
        if not reached:
            outcome = ContactOutcome.NO_ANSWER
        elif profile in (Profile.CANT_PAY, Profile.VULNERABLE) and not self._can_pay_lump(hh, day):
            outcome = ContactOutcome.CANT_PAY
        elif profile is Profile.WONT_PAY:
            outcome = ContactOutcome.WONT_PAY
        else:
            outcome = ContactOutcome.PROMISE
            hh.promise_until = day + dt.timedelta(days=self.settings.promise_days)
        hh.events.append(
            ContactAttempt(
                occurred_on=day,
                debtor_id=hh.debtor_id,
                channel=ContactChannel.PHONE,
                outcome=outcome,
            )
        )
        if outcome is ContactOutcome.CANT_PAY:
            # "how can we help?": a plan sized to what the household can spare, agreed on the phone
            self._offer(hh, day, {"plan": "capacity"}, by_phone=True)
        return outcome.value

    def _offer(
        self,
        hh: _Household,
        day: dt.date,
        params: dict[str, str],
        *,
        by_phone: bool = False,
    ) -> str:
        if hh.arrangement is not None or hh.offer is not None:
            return "already-arranged"
        debt = self._outstanding(hh, day, overdue_only=False)
        if not debt.is_positive:
            return "nothing-owed"
        capacity = self._capacity(hh, debt)
        self.arrangement_seq += 1
        arrangement_id = f"A{self.arrangement_seq:07d}"
        payday = hh.synthetic.debtor.payday
        plan = params.get("plan", "capacity")
        if plan == "capacity":
            proposal = propose_arrangement(
                arrangement_id=arrangement_id,
                debtor_id=hh.debtor_id,
                creditor_id=self.creditor,
                debt=debt,
                capacity=capacity,
                today=day + _DAY,
                payday=payday,
            )
        else:
            # a fixed rule ("6 months, at least EUR 50"), whatever the household can spare
            proposal = classic_arrangement(
                arrangement_id=arrangement_id,
                debtor_id=hh.debtor_id,
                creditor_id=self.creditor,
                debt=debt,
                today=day + _DAY,
                capacity=capacity,
                payday=payday,
                months=int(params.get("months", "6")),
                minimum=Money(params.get("minimum_instalment", "50.00")),
            )
        if proposal.arrangement is None:
            hh.protected[BVV_REASON] += 1
            return "no-room-above-bvv"
        arrangement = proposal.arrangement
        hh.events.append(
            ArrangementOffered(
                occurred_on=day,
                debtor_id=hh.debtor_id,
                arrangement_id=arrangement_id,
                debt_ids=(),
                instalment=arrangement.largest_instalment,
                instalments=len(arrangement.instalments),
            )
        )
        hh.offer_fits = not proposal.exceeds_capacity and arrangement.largest_instalment <= capacity
        if by_phone:
            if hh.rng.random() < hh.params.accept_offer:
                self._accept(hh, day, arrangement)
            return "offered-by-phone"
        hh.offer = arrangement
        hh.offer_until = day + dt.timedelta(days=self.settings.offer_response_days)
        return "offered"

    def _refer(self, hh: _Household, day: dt.date) -> str:
        # [A] with consent, half of those referred start debt help within the horizon
        if hh.rng.random() < 0.5:
            hh.in_debt_help = True
            hh.events.append(
                DebtHelpStarted(
                    occurred_on=day, debtor_id=hh.debtor_id, help_kind=DebtHelpKind.DEBT_HELP
                )
            )
            return "debt-help-started"
        return "referred"

    def _fourteen_day_letter(self, hh: _Household, day: dt.date, action: ProposedAction) -> str:
        debts = [d for d in hh.issued(day) if d.debt_id in action.debt_ids]
        private = [d for d in debts if d.kind is ClaimKind.PRIVATE]
        costs = Money.zero()
        if private:
            costs = collection_costs(
                [d.principal for d in private], on=day, table=self.tables.bik
            ).costs
        received = day + dt.timedelta(days=self.settings.letter_delivery_days)
        hh.events.append(
            FourteenDayLetterSent(
                occurred_on=day,
                debtor_id=hh.debtor_id,
                stated_costs=costs,
                sent_on=day,
                received_on=received,
                debt_ids=action.debt_ids,
            )
        )
        self._letter_window(hh, day)
        return f"stated costs {costs.format()}"

    def _demand(self, hh: _Household, day: dt.date, action: ProposedAction) -> str:
        """Formal demand: the aanmaning fee on public claims, the BIK on private ones (if allowed)."""
        debts = [d for d in hh.issued(day) if d.debt_id in action.debt_ids and d.is_open]
        charged = Money.zero()
        updated: list[Debt] = []
        for debt in debts:
            if debt.kind is ClaimKind.PUBLIC:
                fee = aanmaning_fee(debt.principal, on=day, table=self.tables.aanmaning)
                line = CostLine(
                    posted_on=day, amount=fee.fee, kind="aanmaning", table=str(fee.table)
                )
                updated.append(debt.with_cost(line))
                charged = charged + fee.fee
        hh.replace(updated)
        hh.costs = hh.costs + charged
        hh.events.append(  # the simulated letter always goes out: its term starts today
            FormalDemandSent(
                occurred_on=day,
                debtor_id=hh.debtor_id,
                sent_on=day,
                stated_costs=charged,
                debt_ids=action.debt_ids,
            )
        )
        self._letter_window(hh, day)
        return f"costs {charged.format()}"

    def _charge_stated_costs(self, hh: _Household, day: dt.date) -> Money:
        """The BIK the 14-day letter stated, once payable (BW 6:96 lid 6), on the debts it covered."""
        letters = [e for e in hh.events if isinstance(e, FourteenDayLetterSent)]
        if not letters:
            return Money.zero()
        sent = letters[-1]
        letter = FourteenDayLetter(
            sent_on=sent.sent_on,
            received_on=sent.received_on,
            stated_costs=sent.stated_costs,
            debt_ids=sent.debt_ids,
        )
        debts = [
            d
            for d in hh.issued(day)
            if d.debt_id in sent.debt_ids and d.is_open and d.kind is ClaimKind.PRIVATE
        ]
        if not debts or not sent.stated_costs.is_positive or any(d.costs for d in debts):
            return Money.zero()
        atw = self.tables.policy.calendars.get(self.tables.policy.atw)
        payable = all(
            costs_payable(
                debt_id=d.debt_id,
                claim_kind=d.kind,
                consumer=d.consumer,
                default_date=d.default_date,
                costs=sent.stated_costs,
                letter=letter,
                on=day,
                atw_calendar=atw,
            ).payable
            for d in debts
        )
        if not payable:
            return Money.zero()
        shares = _split(sent.stated_costs, [d.principal for d in debts])
        hh.replace(
            [
                d.with_cost(CostLine(posted_on=day, amount=share, kind="bik", table="bik"))
                for d, share in zip(debts, shares, strict=True)
                if share.is_positive
            ]
        )
        hh.costs = hh.costs + sent.stated_costs
        return sent.stated_costs

    def _handover(
        self, hh: _Household, day: dt.date, action: ProposedAction, params: dict[str, str]
    ) -> str:
        self._charge_stated_costs(hh, day)
        hh.bailiff_debts.update(action.debt_ids)
        if hh.bailiff_on is not None:
            return "added to the running bailiff dossier"
        hh.bailiff_on = day
        hh.bailiff_until = day + dt.timedelta(days=self.settings.bailiff_days)
        hh.bailiff_collects = hh.rng.random() < hh.params.bailiff_recovery
        hh.bailiff_garnish_bank = params.get("bank_garnishment", "yes") != "no"
        return "bank-garnishment" if hh.bailiff_garnish_bank else "wage-garnishment-within-bvv"

    def _write_off(self, hh: _Household, day: dt.date, action: ProposedAction) -> str:
        debts = [d for d in hh.issued(day) if d.debt_id in action.debt_ids and d.is_open]
        self._close_as_written_off(hh, day, debts)
        return f"written off {len(debts)}"

    def _close_as_written_off(self, hh: _Household, day: dt.date, debts: Sequence[Debt]) -> None:
        for debt in debts:
            hh.written_off = hh.written_off + debt.outstanding.principal
        hh.replace([attrs.evolve(d, status=DebtStatus.WRITTEN_OFF, closed_on=day) for d in debts])

    # -- figures --------------------------------------------------------------------------
    def _figures(self, last_day: dt.date) -> PolicyFigures:
        return _figures(self.policy, self.households, last_day)


def _split(total: Money, weights: Sequence[Money]) -> list[Money]:
    return allocate(total, [w.amount for w in weights])


_REMINDERS: Final = frozenset(
    {
        ActionKind.PAYMENT_REMINDER,
        ActionKind.DIRECT_DEBIT_REPRESENTATION,
    }
)
_DEMANDS: Final = frozenset({ActionKind.FOURTEEN_DAY_LETTER, ActionKind.FORMAL_DEMAND})


def _figures(policy: Policy, households: Sequence[_Household], last_day: dt.date) -> PolicyFigures:
    """The funnel figures; stage definitions in :mod:`maatwerk.services.funnel` (same as the
    store report): every step stage counts households in arrears, arrangements by the outcome
    of each household's latest arrangement, so the stages nest and add up."""
    judged_until = last_day - dt.timedelta(days=31)
    bills = billed_households = 0
    billed = Money.zero()
    on_time = within_31 = not_within_31 = in_arrears = 0
    reminders = calls = arrangements = kept = broken = 0
    demands = bailiff = recovered = written_off = below = 0
    arrears_total = arrears_recovered = written_off_amount = costs = Money.zero()
    resolution_days: list[int] = []
    ageing_bills = [0] * len(AGEING_BUCKETS)
    ageing_amounts = [Money.zero()] * len(AGEING_BUCKETS)
    protected_decisions: Counter[str] = Counter()
    protected_households: Counter[str] = Counter()
    points: list[ArrangementPoint] = []
    for hh in households:
        due = [b for b in hh.bills if b.due_date <= last_day]
        bills += len(due)
        billed = sum((b.principal for b in due), billed)
        if due:
            billed_households += 1
        judged = [b for b in due if b.due_date <= judged_until]
        late = [
            b
            for b in judged
            if hh.paid_on.get(b.debt_id, dt.date.max) > b.due_date + dt.timedelta(days=31)
        ]
        if judged and not late:
            within_31 += 1
        elif late:
            not_within_31 += 1
        overdue_bills = [
            b
            for b in due
            if b.due_date < last_day and hh.paid_on.get(b.debt_id, dt.date.max) > b.due_date
        ]
        if due and not overdue_bills:
            on_time += 1
        hh_points = list(hh.arrangement_points)
        if hh.arrangement is not None:
            hh_points.append(
                ArrangementPoint(
                    instalment=hh.arrangement.largest_instalment,
                    capacity=hh.room,
                    kept=True,
                )
            )
        points.extend(hh_points)
        costs = costs + hh.costs
        if hh.below_bvv:
            below += 1
        for reason, count in hh.protected.items():
            protected_decisions[reason] += count
            protected_households[reason] += 1
        if not overdue_bills:
            continue
        # ---- households in arrears: every later stage is a subset of these
        in_arrears += 1
        for bill in overdue_bills:
            arrears_total = arrears_total + bill.principal
            arrears_recovered = arrears_recovered + bill.paid.principal
        if hh.steps.keys() & _REMINDERS:
            reminders += 1
        if hh.steps[ActionKind.PHONE_CALL]:
            calls += 1
        if hh.arrangements and hh_points:
            arrangements += 1
            if hh_points[-1].kept:  # the latest arrangement: running or completed / breached
                kept += 1
            else:
                broken += 1
        if hh.steps.keys() & _DEMANDS:
            demands += 1
        if hh.steps[ActionKind.BAILIFF_HANDOVER]:
            bailiff += 1
        if hh.written_off.is_positive:
            written_off += 1
            written_off_amount = written_off_amount + hh.written_off
        still_open = [b for b in hh.bills if b.is_open and b.due_date < last_day]
        if not still_open and not hh.written_off.is_positive:
            recovered += 1
            if hh.first_overdue is not None:
                paid_days = [
                    hh.paid_on[b.debt_id] for b in overdue_bills if b.debt_id in hh.paid_on
                ]
                if paid_days:
                    resolution_days.append((max(paid_days) - hh.first_overdue).days)
        for bill in still_open:
            days_overdue = (last_day - bill.due_date).days
            for index, (_, low, high) in enumerate(AGEING_BUCKETS):
                if days_overdue >= low and (high is None or days_overdue <= high):
                    ageing_bills[index] += 1
                    ageing_amounts[index] = ageing_amounts[index] + bill.outstanding.total
    average = (
        (Decimal(sum(resolution_days)) / Decimal(len(resolution_days))).quantize(Decimal("0.1"))
        if resolution_days
        else None
    )
    return PolicyFigures(
        policy=policy.name,
        policy_version=policy.label,
        debtors=len(households),
        bills=bills,
        billed=billed,
        paid_on_time=on_time,
        paid_within_31_days=within_31,
        in_arrears=in_arrears,
        reminders=reminders,
        calls=calls,
        arrangements=arrangements,
        arrangements_kept=kept,
        arrangements_broken=broken,
        demands=demands,
        bailiff=bailiff,
        recovered=recovered,
        written_off=written_off,
        arrears_total=arrears_total,
        arrears_recovered=arrears_recovered,
        written_off_amount=written_off_amount,
        costs_charged=costs,
        below_bvv=below,
        avg_days_to_resolution=average,
        ageing=tuple(
            AgeingBucket(label=label, bills=n, amount=amount)
            for (label, _, _), n, amount in zip(
                AGEING_BUCKETS, ageing_bills, ageing_amounts, strict=True
            )
        ),
        protected=tuple(
            ProtectionReason(
                reason=reason,
                decisions=protected_decisions[reason],
                households=protected_households[reason],
            )
            for reason in sorted(protected_households)
        ),
        arrangement_points=tuple(points),
        households_billed=billed_households,
        not_within_31_days=not_within_31,
    )


def simulate(
    portfolio: Portfolio,
    behaviour: BehaviourParams,
    policy: Policy,
    tables: SimulationTables,
    settings: SimulationSettings,
    *,
    record_actions: bool = False,
    progress: Callable[[int], None] | None = None,
) -> SimulationResult:
    """Run ``policy`` over ``portfolio`` for ``settings.days`` days from ``settings.start``."""
    if settings.days < 1:
        raise ValueError("days must be at least 1")
    simulator = _Simulator(
        portfolio=portfolio,
        behaviour=behaviour,
        policy=policy,
        tables=tables,
        settings=settings,
        record_actions=record_actions,
    )
    return simulator.run(progress)


def compare(
    portfolio: Portfolio,
    behaviour: BehaviourParams,
    policies: Sequence[Policy],
    tables: SimulationTables,
    settings: SimulationSettings,
    *,
    progress: Callable[[int], None] | None = None,
) -> FunnelFigures:
    """The same portfolio under each policy, side by side, as report figures."""
    if not policies:
        raise ValueError("compare needs at least one policy")
    columns = tuple(
        simulate(portfolio, behaviour, p, tables, settings, progress=progress).figures
        for p in policies
    )
    last = settings.start + dt.timedelta(days=settings.days - 1)
    return FunnelFigures(
        title="maatwerk policy simulation: " + " vs ".join(p.name for p in policies),
        period_from=settings.start,
        period_to=last,
        columns=columns,
        source=(
            f"simulation, seed {settings.seed}, {len(portfolio.households)} households, "
            f"{settings.days} days"
        ),
        table_versions=(portfolio.params_version, *(p.label for p in policies)),
        notes=(
            (
                "Synthetic households with a documented behaviour model "
                "(docs/simulation-model.md); the same households and the same luck under every "
                "policy."
            ),
            "Review steps (bailiff, write-off) are taken as approved in the simulation.",
        ),
    )
