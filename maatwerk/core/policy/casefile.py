"""The input of an evaluation: a :class:`CaseFile`, and the :class:`CaseState` derived from it.

A case file bundles what the policy needs to know about one case (dossier) on a day: the
:class:`~maatwerk.core.debtors.Debtor`, the :class:`~maatwerk.core.debts.Case` with its debts and
ledgers, the domain events of that debtor (and run-wide holds, ``debtor_id == "*"``) and the other
arrears the debtor told us about. The daily run builds case files in batches from storage: one
query for debtors, one for debts, one for events, grouped by debtor id; nothing here reads
storage.

:class:`CaseState` is derived from a case file *as of* a controlling date: events after that date
and ledger lines posted after it are ignored, so an evaluation for a past date is reproducible.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from decimal import Decimal

import attrs

from maatwerk.core.arrangements import (
    ArrangementStatus,
    PromiseStatus,
    arrangement_status,
)
from maatwerk.core.debtors import Debtor
from maatwerk.core.debts import Case, Debt, DebtStatus
from maatwerk.core.events import (
    ActionKind,
    ArrangementAccepted,
    ArrangementBreached,
    ArrangementCompleted,
    ArrangementOffered,
    ArrangementRejected,
    ConsentGiven,
    ConsentRevoked,
    ConsentScope,
    ContactAttempt,
    ContactOutcome,
    DebtHelpEnded,
    DebtHelpKind,
    DebtHelpStarted,
    DebtorFlag,
    DebtorFlagged,
    DisputeOpened,
    DisputeResolved,
    Event,
    FlagCleared,
    FormalDemandSent,
    FourteenDayLetterSent,
    HoldEnded,
    HoldPlaced,
    PaymentReturned,
    PromiseBroken,
    PromiseEvent,
    PromiseKept,
    PromiseToPay,
    ReferralAnswered,
    ReturnReasonGroup,
    ReviewRejected,
    StepRefused,
    StepTaken,
    ZvwNoticeSent,
)
from maatwerk.core.limitation import LimitationResult, time_barred
from maatwerk.core.money import Money
from maatwerk.core.policy.standing import (
    ActiveArrangement,
    ActiveHold,
    JudgedPromise,
    arrangement_from_events,
    judge_promises,
    plan_payments,
)


__all__ = [
    "ActiveArrangement",
    "ActiveHold",
    "CaseFile",
    "CaseState",
    "HouseholdCapacity",
    "JudgedPromise",
    "OtherArrear",
    "arrangement_from_events",
    "judge_promises",
    "outstanding_on",
    "plan_payments",
]


@attrs.frozen(kw_only=True)
class OtherArrear:
    """An arrear at another creditor (andere betalingsachterstand, seed 002)."""

    creditor: str
    """a kind, not a name: ``energy``, ``rent``, ``water``, ``health-insurance``, ..."""
    amount: Money
    reported_on: dt.date


@attrs.frozen(kw_only=True)
class HouseholdCapacity:
    """What the household can spare each month, as the services computed it for one day.

    ``net_income``: the debtor's stored net monthly income; ``protected_income``: the household's
    protected income (beslagvrije voet, Rv 475da-475dc) on ``on`` from the dated tables. Either
    is ``None`` when it is not known (no income stored, or the tables cannot give a BVV for the
    household). ``provisional``: the BVV rests on figures marked provisional. ``table``: the
    table version the BVV came from (for explanations). The core never computes it: it reads it.

    ``needs_person``: why the protected income could not be computed and a person must set a
    figure first (e.g. ``"lid 7 increase cannot be computed"``: an owner-occupier or a tenant
    without huurtoeslag asked for the Rv 475da lid 7 increase, which the engine cannot compute);
    ``protected_income`` is then ``None`` and ``too_low`` the BVV without the missing part (a
    lower bound, never to be used to attach, deduct or size a plan).
    """

    on: dt.date
    net_income: Money | None = None
    protected_income: Money | None = None
    provisional: bool = False
    table: str = ""
    needs_person: str = ""
    too_low: Money | None = None

    @property
    def known(self) -> bool:
        """Both figures are known."""
        return self.net_income is not None and self.protected_income is not None

    @property
    def room(self) -> Money | None:
        """Net income - protected income, never below 0 (``None`` when a figure is unknown)."""
        if self.net_income is None or self.protected_income is None:
            return None
        return (self.net_income - self.protected_income).clamp_zero()

    @property
    def no_room(self) -> bool:
        """Known figures, and the net income is at or below the protected income (room nil)."""
        room = self.room
        return room is not None and not room.is_positive


@attrs.frozen(kw_only=True)
class CaseFile:
    """Everything the policy reads about one case. ``events`` in any order."""

    debtor: Debtor
    case: Case
    events: tuple[Event, ...] = ()
    other_arrears: tuple[OtherArrear, ...] = ()
    monthly_premium: Money | None = None
    """one month's premium for "arrears in months" (default: the largest periodic principal)"""
    household: HouseholdCapacity | None = None
    """the household's figures on the evaluation day (``None``: not computed, unknown)"""

    def __attrs_post_init__(self) -> None:
        if self.case.debtor_id != self.debtor.debtor_id:
            raise ValueError(
                f"case of debtor {self.case.debtor_id} given with debtor {self.debtor.debtor_id}"
            )


def outstanding_on(debt: Debt, day: dt.date) -> Money:
    """What is still owed on ``debt`` at the end of ``day``, counting only lines dated by then."""
    return _owed_on(debt, day)[0]


def _owed_on(debt: Debt, day: dt.date) -> tuple[Money, Money]:
    """:func:`outstanding_on` and the principal still owed of it (zero when nothing is).

    Every evaluation asks this for every debt of the case; the principal part is read only
    when something is owed.
    """
    zero = Money.zero(debt.currency)
    if debt.status in (DebtStatus.WRITTEN_OFF, DebtStatus.CANCELLED) and (
        debt.closed_on is None or debt.closed_on <= day
    ):
        return zero, zero
    total = debt.principal
    for cost in debt.costs:
        if cost.posted_on <= day:
            total = total + cost.amount
    for line in debt.interest:
        if line.posted_on <= day:
            total = total + line.amount
    for applied in debt.applied:
        if applied.applied_on <= day:
            total = total - applied.parts.total
    if not total.is_positive:
        return total, zero
    return total, debt.principal_open_on(day)


@attrs.frozen(kw_only=True)
class CaseState:
    """The case as it stands at the end of ``today``, derived from the case file."""

    file: CaseFile
    today: dt.date
    events: tuple[Event, ...]
    open_debts: tuple[Debt, ...]
    outstanding: dict[str, Money]
    arrears_principal: dict[str, Money]
    steps_taken: tuple[StepTaken, ...]
    holds: tuple[ActiveHold, ...]
    consents: frozenset[ConsentScope]
    open_disputes: tuple[DisputeOpened, ...]
    debt_help: tuple[DebtHelpStarted, ...]
    flags: frozenset[DebtorFlag]
    arrangements: tuple[ActiveArrangement, ...]
    """accepted plans still running today (kept, or in grace)"""
    breaches: tuple[ArrangementBreached, ...]
    broken_plans: tuple[ActiveArrangement, ...]
    """accepted plans whose schedule shows a breach (no ArrangementBreached recorded yet)"""
    returns: tuple[PaymentReturned, ...]
    contacts: tuple[ContactAttempt, ...]
    letters: tuple[FourteenDayLetterSent, ...]
    promises: tuple[PromiseToPay, ...]
    """promises to pay about this case"""
    rejections: tuple[ReviewRejected, ...]
    demands: tuple[FormalDemandSent, ...] = ()
    """aanmaningen (Awb 4:112) their channel delivered"""
    promise_outcomes: tuple[PromiseEvent, ...] = ()
    """the run's recorded judgements of those promises (kept, broken)"""
    time_barred: Mapping[str, LimitationResult] = attrs.field(factory=dict)
    """open debts past their limitation period today, by debt id (BW 3:307-3:311): no step,
    no interest, no costs; they stay owed (a natural obligation) but leave the ladder"""
    zvw_notices: tuple[ZvwNoticeSent, ...] = ()
    """Zvw 18b notices their channel delivered (first and second), in date order"""
    resolutions: tuple[DisputeResolved, ...] = ()
    """disputes resolved (with their outcome), in date order"""
    answers: tuple[ReferralAnswered, ...] = ()
    """the municipality's answers to debt-help referrals, in order"""
    debt_help_ended: tuple[DebtHelpEnded, ...] = ()
    """debt help that ended, in order"""
    refusals: tuple[StepRefused, ...] = ()
    """actions refused at delivery (their steps are not taken), in date order; the
    ``refused-retry`` guard waits the policy's ``refused_retry_days`` before a step is decided
    again"""
    _index: dict[tuple[str, str], tuple[StepTaken, ...]] = attrs.field(
        factory=dict, init=False, eq=False, repr=False
    )
    _judged: dict[int, tuple[JudgedPromise, ...]] = attrs.field(
        factory=dict, init=False, eq=False, repr=False
    )

    # -- derived views ----------------------------------------------------------------------
    # The views an evaluation asks for again and again are computed once per state
    # (``functools.cached_property``; a state is a frozen value of one case on one day). A view
    # asked for once stays a plain property: the first look-up of a cached one costs more.
    @property
    def debtor(self) -> Debtor:
        return self.file.debtor

    @functools.cached_property
    def deceased(self) -> bool:
        return self.debtor.deceased or DebtorFlag.DECEASED in self.flags

    @property
    def vulnerable(self) -> bool:
        return self.debtor.vulnerable or DebtorFlag.VULNERABLE in self.flags

    def in_default(self, debt: Debt) -> bool:
        return self.today >= debt.default_date and debt.debt_id in self.outstanding

    @functools.cached_property
    def collectable_debts(self) -> tuple[Debt, ...]:
        """The open debts that are not time-barred: the ones the ladder works on."""
        if not self.time_barred:
            return self.open_debts
        return tuple(d for d in self.open_debts if d.debt_id not in self.time_barred)

    @functools.cached_property
    def debts_in_default(self) -> tuple[Debt, ...]:
        """Collectable debts in default (a time-barred debt counts for no arrears or step)."""
        return tuple(d for d in self.collectable_debts if self.in_default(d))

    @functools.cached_property
    def default_ids(self) -> frozenset[str]:
        """The ids of :attr:`debts_in_default`."""
        return frozenset(d.debt_id for d in self.debts_in_default)

    @functools.cached_property
    def arrears(self) -> Money:
        """Outstanding principal of the debts in default (no interest, no costs)."""
        return sum((self.arrears_principal[d.debt_id] for d in self.debts_in_default), Money.zero())

    @property
    def total_outstanding(self) -> Money:
        """What is owed on the collectable debts (a time-barred debt is left out)."""
        if not self.time_barred:
            return sum(self.outstanding.values(), Money.zero())
        return sum(
            (v for k, v in self.outstanding.items() if k not in self.time_barred), Money.zero()
        )

    @functools.cached_property
    def monthly_premium(self) -> Money | None:
        if self.file.monthly_premium is not None:
            return self.file.monthly_premium
        periodic = [d.principal for d in self.file.case.debts if d.periodic]
        return max(periodic) if periodic else None

    @functools.cached_property
    def arrears_months(self) -> Decimal:
        """Arrears in monthly premiums (periodic debts in default, principal only; Zvw 18a)."""
        premium = self.monthly_premium
        if premium is None or not premium.is_positive:
            return Decimal(0)
        owed = sum(
            (self.arrears_principal[d.debt_id] for d in self.debts_in_default if d.periodic),
            Money.zero(),
        )
        return owed.ratio(premium)

    def threshold_reached_on(
        self, min_arrears: Money | None, min_months: Decimal | None
    ) -> dt.date | None:
        """First default date on which the debts now in default added up to the thresholds."""
        if min_arrears is None and min_months is None:
            return None
        premium = self.monthly_premium
        running = Money.zero()
        running_periodic = Money.zero()
        for debt in sorted(self.debts_in_default, key=lambda d: (d.default_date, d.debt_id)):
            running = running + self.arrears_principal[debt.debt_id]
            if debt.periodic:
                running_periodic = running_periodic + self.arrears_principal[debt.debt_id]
            amount_ok = min_arrears is None or running >= min_arrears
            months_ok = min_months is None or (
                premium is not None
                and premium.is_positive
                and running_periodic.ratio(premium) >= min_months
            )
            if amount_ok and months_ok:
                return debt.default_date
        return None

    def _taken_index(self) -> dict[tuple[str, str], tuple[StepTaken, ...]]:
        """Steps taken per (step, debt), in order; built once (the engine asks per step x debt)."""
        index = self._index
        if not index:
            grouped: dict[tuple[str, str], list[StepTaken]] = {}
            for step in self.steps_taken:
                for debt_id in _debts_of(step):
                    grouped.setdefault((step.step_id, debt_id), []).append(step)
                    grouped.setdefault(("", debt_id), []).append(step)
            index.update((key, tuple(found)) for key, found in grouped.items())
            index[("", "")] = ()  # built, even when no step was taken
        return index

    def taken(self, step_id: str, debt_id: str) -> tuple[StepTaken, ...]:
        return self._taken_index().get((step_id, debt_id), ()) if step_id else ()

    def last_step_for(self, debt_id: str) -> StepTaken | None:
        found = self._taken_index().get(("", debt_id), ())
        return found[-1] if found else None

    def last_breach(self, debt_id: str) -> dt.date | None:
        """The latest plan breach for the debt: recorded, or judged from the plan's schedule."""
        days = [b.occurred_on for b in self.breaches if b.debt_id in (None, debt_id)]
        days.extend(
            plan.status.breach_date
            for plan in self.broken_plans
            if plan.covers(debt_id) and plan.status is not None and plan.status.breach_date
        )
        return max(days) if days else None

    def missed_instalment(self, debt_id: str) -> dt.date | None:
        """The day the latest instalment of a running plan covering the debt became late."""
        days = [
            p.missed_since
            for p in self.arrangements
            if p.covers(debt_id) and p.in_grace and p.missed_since is not None
        ]
        return max(days) if days else None

    def accepted_plan(self, debt_id: str) -> dt.date | None:
        """The day the latest running arrangement covering the debt was accepted."""
        days = [p.accepted_on for p in self.arrangements if p.covers(debt_id)]
        return max(days) if days else None

    def judged_promises(self, grace_days: int) -> tuple[JudgedPromise, ...]:
        """:func:`judge_promises` for this case today with the policy's grace (found once)."""
        if not self.promises:
            return ()
        found = self._judged.get(grace_days)
        if found is None:
            found = judge_promises(
                self.file.case, self.promises, self.promise_outcomes, self.today, grace_days
            )
            self._judged[grace_days] = found
        return found

    def open_promise(self, grace_days: int, debt_id: str) -> JudgedPromise | None:
        """The promise covering the debt that escalation waits for today, if any."""
        for judged in reversed(self.judged_promises(grace_days)):
            if judged.promise.debt_id not in (None, debt_id):
                continue
            return judged if judged.status is PromiseStatus.OPEN else None
        return None

    def promise_broken(self, grace_days: int, debt_id: str) -> dt.date | None:
        """The day the latest broken promise covering the debt was broken (an anchor)."""
        days = [
            j.state.broken_on
            for j in self.judged_promises(grace_days)
            if j.state.broken_on is not None and j.promise.debt_id in (None, debt_id)
        ]
        return max(days) if days else None

    def dispute_resolved_on(self, debt_id: str) -> dt.date | None:
        """The day the latest dispute about the debt (or the whole case) was resolved."""
        days = [r.occurred_on for r in self.resolutions if r.debt_id in (None, debt_id)]
        return max(days) if days else None

    def last_return(self, debt_id: str | None = None) -> PaymentReturned | None:
        found = [r for r in self.returns if debt_id is None or r.debt_id in (None, debt_id)]
        return found[-1] if found else None

    @property
    def last_contact(self) -> ContactAttempt | None:
        return self.contacts[-1] if self.contacts else None

    @property
    def household(self) -> HouseholdCapacity | None:
        return self.file.household

    @functools.cached_property
    def last_word(self) -> ContactAttempt | None:
        """The latest contact in which the debtor said something (not a ``no-answer``)."""
        for contact in reversed(self.contacts):
            if contact.outcome is not ContactOutcome.NO_ANSWER:
                return contact
        return None

    @functools.cached_property
    def referred_on(self) -> dt.date | None:
        """The day of the latest debt-help referral step taken (``None``: never)."""
        days = [
            s.occurred_on for s in self.steps_taken if s.action is ActionKind.DEBT_HELP_REFERRAL
        ]
        return max(days, default=None)

    @property
    def said_cant_pay(self) -> bool:
        """The debtor's latest word was "I cannot pay" (contact outcome ``cant-pay``)."""
        word = self.last_word
        return word is not None and word.outcome is ContactOutcome.CANT_PAY

    @property
    def episode(self) -> tuple[StepTaken, ...]:
        """The steps of the current episode: those after the last ``close`` step taken."""
        for index in range(len(self.steps_taken) - 1, -1, -1):
            if self.steps_taken[index].action is ActionKind.CLOSE:
                return self.steps_taken[index + 1 :]
        return self.steps_taken

    @property
    def took_step_today(self) -> bool:
        return any(s.occurred_on == self.today for s in self.steps_taken)


def _debts_of(step: StepTaken) -> tuple[str, ...]:
    if step.debt_ids:
        return step.debt_ids
    return (step.debt_id,) if step.debt_id is not None else ()


def _drop_refused(steps: list[StepTaken], refused: StepRefused) -> None:
    """Remove the latest step taken that ``refused`` undoes (same step, same debts): its action
    never went out, so the step did not happen."""
    for index in range(len(steps) - 1, -1, -1):
        step = steps[index]
        if step.step_id == refused.step_id and step.debt_ids == refused.debt_ids:
            del steps[index]
            return


def derive_state(file: CaseFile, today: dt.date) -> CaseState:
    """Fold the events dated up to ``today`` into a :class:`CaseState` (pure)."""
    debtor_id = file.debtor.debtor_id
    events = tuple(
        sorted(
            (e for e in file.events if e.occurred_on <= today and e.debtor_id in (debtor_id, "*")),
            key=lambda e: e.occurred_on,
        )
    )
    outstanding: dict[str, Money] = {}
    principal: dict[str, Money] = {}
    open_debts: list[Debt] = []
    for debt in file.case.debts:
        left, left_principal = _owed_on(debt, today)
        if left.is_positive:
            open_debts.append(debt)
            outstanding[debt.debt_id] = left
            principal[debt.debt_id] = left_principal
    holds: dict[str, ActiveHold] = {}
    consents: set[ConsentScope] = set()
    disputes: dict[str, DisputeOpened] = {}
    debt_help: dict[DebtHelpKind, DebtHelpStarted] = {}
    flags: set[DebtorFlag] = set()
    offered: dict[str, ArrangementOffered] = {}
    arrangements: dict[str, ActiveArrangement] = {}
    steps: list[StepTaken] = []
    breaches: list[ArrangementBreached] = []
    returns: list[PaymentReturned] = []
    contacts: list[ContactAttempt] = []
    letters: list[FourteenDayLetterSent] = []
    demands: list[FormalDemandSent] = []
    notices: list[ZvwNoticeSent] = []
    resolutions: list[DisputeResolved] = []
    promises: list[PromiseToPay] = []
    promise_outcomes: list[PromiseEvent] = []
    rejections: list[ReviewRejected] = []
    answers: list[ReferralAnswered] = []
    ended: list[DebtHelpEnded] = []
    refusals: list[StepRefused] = []
    for event in events:
        match event:
            case StepTaken():
                steps.append(event)
            case StepRefused():
                _drop_refused(steps, event)
                refusals.append(event)
            case HoldPlaced():
                holds[event.hold_id] = ActiveHold(
                    hold_id=event.hold_id,
                    scope=event.scope,
                    reason=event.reason,
                    start=event.start,
                    end=event.end,
                    debt_id=event.debt_id,
                )
            case HoldEnded():
                hold = holds.get(event.hold_id)
                if hold is not None:
                    end = event.occurred_on - dt.timedelta(days=1)
                    holds[event.hold_id] = attrs.evolve(
                        hold, end=end if hold.end is None else min(hold.end, end)
                    )
            case ConsentGiven():
                consents.add(event.scope)
            case ConsentRevoked():
                consents.discard(event.scope)
            case DisputeOpened():
                disputes[event.dispute_id] = event
            case DisputeResolved():
                disputes.pop(event.dispute_id, None)
                resolutions.append(event)
            case DebtHelpStarted():
                debt_help[event.help_kind] = event
            case DebtHelpEnded():
                debt_help.pop(event.help_kind, None)
                ended.append(event)
            case ReferralAnswered():
                answers.append(event)
            case DebtorFlagged():
                flags.add(event.flag)
            case FlagCleared():
                flags.discard(event.flag)
            case ArrangementOffered():
                offered[event.arrangement_id] = event
            case ArrangementAccepted():
                offer = offered.get(event.arrangement_id)
                arrangements[event.arrangement_id] = ActiveArrangement(
                    arrangement_id=event.arrangement_id,
                    accepted_on=event.occurred_on,
                    debt_ids=offer.debt_ids if offer is not None else (),
                    plan=arrangement_from_events(offer, event, creditor_id=file.case.creditor_id),
                    method=event.method or (offer.method if offer is not None else None),
                )
            case ArrangementBreached():
                breaches.append(event)
                arrangements.pop(event.arrangement_id, None)
            case ArrangementCompleted() | ArrangementRejected():
                arrangements.pop(event.arrangement_id, None)
            case PaymentReturned():
                returns.append(event)
                if event.group is ReturnReasonGroup.DECEASED:
                    flags.add(DebtorFlag.DECEASED)
            case ContactAttempt():
                contacts.append(event)
            case FourteenDayLetterSent():
                letters.append(event)
            case FormalDemandSent():
                demands.append(event)
            case ZvwNoticeSent():
                notices.append(event)
            case PromiseToPay():
                if event.covers_case(file.case.creditor_id):
                    promises.append(event)
            case PromiseKept() | PromiseBroken():
                promise_outcomes.append(event)
            case ReviewRejected():
                rejections.append(event)
            case _:
                pass
    running, broken = _judge_plans(file.case, tuple(arrangements.values()), today)
    barred = {
        debt.debt_id: result
        for debt in open_debts
        if (result := time_barred(debt, events, today)) is not None
    }
    return CaseState(
        file=file,
        today=today,
        events=events,
        open_debts=tuple(open_debts),
        outstanding=outstanding,
        arrears_principal=principal,
        steps_taken=tuple(steps),
        holds=tuple(
            h for h in holds.values() if h.start <= today and (h.end is None or h.end >= today)
        ),
        consents=frozenset(consents),
        open_disputes=tuple(disputes.values()),
        debt_help=tuple(debt_help.values()),
        flags=frozenset(flags),
        arrangements=running,
        breaches=tuple(breaches),
        broken_plans=broken,
        returns=tuple(returns),
        contacts=tuple(contacts),
        letters=tuple(letters),
        promises=tuple(promises),
        rejections=tuple(rejections),
        demands=tuple(demands),
        promise_outcomes=tuple(promise_outcomes),
        time_barred=barred,
        zvw_notices=tuple(notices),
        resolutions=tuple(resolutions),
        answers=tuple(answers),
        debt_help_ended=tuple(ended),
        refusals=tuple(refusals),
    )


def _judge_plans(
    case: Case, plans: tuple[ActiveArrangement, ...], today: dt.date
) -> tuple[tuple[ActiveArrangement, ...], tuple[ActiveArrangement, ...]]:
    """Split accepted plans into running (kept or in grace) and broken, from their schedules."""
    running: list[ActiveArrangement] = []
    broken: list[ActiveArrangement] = []
    for active in plans:
        if active.plan is None:
            running.append(active)
            continue
        payments = plan_payments(case, active.debt_ids, active.accepted_on, today)
        judged = attrs.evolve(active, status=arrangement_status(active.plan, payments, today))
        assert judged.status is not None  # noqa: S101 - set on the line above
        if judged.status.status.is_running:
            running.append(judged)
        elif judged.status.status is ArrangementStatus.BREACHED:
            broken.append(judged)
    return tuple(running), tuple(broken)
