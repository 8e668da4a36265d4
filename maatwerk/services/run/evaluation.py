"""Evaluating one case: the policy's decision and the records the run writes for it.

:class:`PolicyCaseEvaluator` is the run's case evaluator: it applies the day's payments
(:mod:`.payments`), watches the case's arrangements (:mod:`.arrangements`), asks the escalation
policy for the next step and turns the decision into records (:func:`outcome_from_decision`):
the decision, the outbox row and its :class:`StepTaken`, interest and costs to post. A case that
writes nothing may rest (``core/idle.py``); one that writes today is looked at for tomorrow on
the data as written (:func:`_as_written`). The evaluator's ``signature`` names everything that
shapes a decision, so a stored resting state is only trusted under the same one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Final

import attrs

from maatwerk.core.allocation import AllocationOrder
from maatwerk.core.calendar import SEPA, BusinessCalendar, Calendars, PostalDelivery
from maatwerk.core.charges import (
    ChargeRules,
    Charges,
    aanmaning_postings,
    case_charges,
    letter_costs,
)
from maatwerk.core.collection_costs import AanmaningParams, BikParams, InstalmentRule
from maatwerk.core.debts import CostLine, InterestLine
from maatwerk.core.errors import NoRuleForDateError
from maatwerk.core.events import ActionKind, DebtorFlag, DebtorFlagged, Event, StepTaken
from maatwerk.core.idle import DATA_BLOCKS, FreshPolicy, FreshRule, idle_until
from maatwerk.core.interest import InterestTables
from maatwerk.core.letter_dates import LetterTerms
from maatwerk.core.money import Money
from maatwerk.core.policy import CaseFile, Decision, DecisionStatus, NoteKind, PolicyTables
from maatwerk.core.policy import evaluate as evaluate_policy
from maatwerk.core.policy.model import Policy
from maatwerk.core.records import (
    CaseOutcome,
    DecisionRecord,
    OutboxEntry,
    OutboxItem,
    Posting,
    StoredCase,
)
from maatwerk.core.subsistence import SubsistenceTables
from maatwerk.core.tables import DatedTable
from maatwerk.services.payloads import build_payload, household_capacity
from maatwerk.services.run.arrangements import (
    PlanDebits,
    monitor_arrangements,
    monitor_promises,
    plan_debits,
    plan_deductions,
    plan_reminders,
)
from maatwerk.services.run.dispatch import PAYLOAD_AANMANING_FEES
from maatwerk.services.run.payments import apply_payments, paid_in_full
from maatwerk.services.run.postal import route_postal


__all__ = ["PolicyCaseEvaluator", "outcome_from_decision", "step_taken_for"]

#: Version of the idle-case rules: part of every evaluator signature, so that changing the rules
#: (here or in ``core/idle.py``) makes every stored resting state stale.
_IDLE_RULES: Final = "idle-4"

#: Blocks a case may rest under: the data-only guards, a kept arrangement (its instalment
#: dates are passed to ``idle_until`` from :func:`monitor_arrangements`), problematic debt
#: (flags and steps taken) and a household that cannot pay (its stored income and contacts, and
#: the BVV tables, whose parameters change on 1 January and 1 July: :func:`_bvv_revision`).
_SETTLED_BLOCKS: Final = DATA_BLOCKS | {"arrangement-kept", "problematic-debt", "cannot-pay"}


def _blocked_by(decision: Decision) -> str | None:
    for note in decision.notes:
        if note.kind in (NoteKind.BLOCKED, NoteKind.POSTPONED) and note.reasons:
            return note.reasons[0].code
    return None


_OUTCOME: Final[Mapping[DecisionStatus, str]] = {
    DecisionStatus.ACT: "action",
    DecisionStatus.WAIT: "none",
    DecisionStatus.BLOCKED: "blocked",
    DecisionStatus.CLOSED: "closed",
    DecisionStatus.STOPPED: "stopped",
}


def _review_facts(
    decision: Decision, stored: StoredCase, explanation: Sequence[str]
) -> dict[str, Any]:
    """What a checker sees in ``review list`` without running ``explain``: the amount still
    owed, the household's room above its protected income, its circumstances and the line of
    the explanation that matters to the checker: why the household cannot pay (or its debt
    help) when that is known, else the line about today's step (the explanation's first lines
    retell the case's history)."""
    household = [r.nl for r in (decision.household, decision.debt_help) if r is not None]
    today = [line for line in explanation if line.startswith("Vandaag: ")]
    first = household or today or list(explanation)
    return {
        "explanation": first[0] if first else None,
        "amount": stored.case.outstanding.total.format(),
        "room": None if decision.room is None else decision.room.format(),
        "flags": list(decision.circumstances),
    }


def outcome_from_decision(
    decision: Decision,
    stored: StoredCase,
    *,
    stated_costs: Money | None = None,
    letter_terms: LetterTerms | None = None,
    demand_fees: Sequence[Posting] = (),
    subsistence: SubsistenceTables | None = None,
    calendars: Calendars | None = None,
) -> CaseOutcome:
    """Turn the policy's decision into the records the run writes for it.

    For a 14-day letter (BW 6:96 lid 6) ``stated_costs`` are the collection costs the letter
    states, for an aanmaning (Awb 4:112) ``demand_fees`` the Awb 4:113 fee per public claim;
    both go into the payload (the letter states them). Nothing that starts a legal term is
    recorded here: the :class:`Dispatcher` records the letter (:class:`FourteenDayLetterSent`,
    :class:`ZvwNoticeSent`) or the aanmaning and its fee only when the channel delivered it
    (:func:`delivery_records`). ``letter_terms``: with them a letter carries the dates it
    states (presumed receipt, last day of its term; ``maatwerk.core.letter_dates``). ``subsistence``: the BVV
    tables (the payload then carries the household's protected income); ``calendars``: the
    run's calendars (a re-presented direct debit is dated on the ``sepa`` calendar).
    """
    key = stored.key
    action = decision.action
    outcome = _OUTCOME[decision.status]
    if action is not None and action.needs_review:
        outcome = "review"
    explanation = decision.explain("nl")
    detail: dict[str, Any] = {
        "status": decision.status.value,
        "explanation_nl": list(explanation),
        "explanation_en": list(decision.explain("en")),
        "notes": [
            {
                "step": n.step_id,
                "kind": n.kind.value,
                "debts": list(n.debt_ids),
                "reasons": [r.code for r in n.reasons],
                "until": n.until.isoformat() if n.until else None,
            }
            for n in decision.notes
        ],
        "arrears": decision.arrears.format(),
        "arrears_months": decision.arrears_months,
        "next_check_on": decision.next_check_on.isoformat() if decision.next_check_on else None,
    }
    if outcome == "review":
        detail["review"] = _review_facts(decision, stored, explanation)
    record = DecisionRecord(
        run_date=decision.today,
        case=key,
        policy=decision.policy,
        outcome=outcome,
        step=action.step_id if action else None,
        action=action.action.value if action else None,
        blocked_by=_blocked_by(decision) if decision.status is DecisionStatus.BLOCKED else None,
        detail=detail,
    )
    if action is None:
        return CaseOutcome(decision=record)
    if action.action is ActionKind.FORMAL_DEMAND:
        stated_costs = sum((p.line.amount for p in demand_fees), Money.zero())
    payload = build_payload(
        decision,
        action,
        stored,
        explanation=explanation,
        stated_costs=stated_costs,
        subsistence=subsistence,
        calendars=calendars,
        letter_terms=letter_terms,
    )
    if action.action is ActionKind.FORMAL_DEMAND and demand_fees:
        payload[PAYLOAD_AANMANING_FEES] = tuple(
            {
                "debt_id": p.debt_id,
                "amount": p.line.amount.rounded().amount,
                "table": p.line.table,
            }
            for p in demand_fees
        )
    entry = route_postal(
        OutboxEntry(
            case=key,
            run_date=decision.today,
            step=action.step_id,
            action=action.action.value,
            channel=action.channel,
            debt_ids=action.debt_ids,
            payload=payload,
            review=action.needs_review,
        ),
        stored.debtor,
    )
    events: tuple[Event, ...] = ()
    if not action.needs_review:
        events = (_step_taken(entry, decision.today, decision.policy),)
    return CaseOutcome(decision=record, outbox=(entry,), events=events)


@attrs.frozen(kw_only=True)
class PolicyCaseEvaluator:
    """Evaluates a stored case with its policy: by creditor, else by segment, else the default.

    ``bik``: the BIK table; with it a 14-day letter states its collection costs (BW 6:96 lid 7:
    on the sum of the principals it covers) and is recorded as sent. ``postal``: the dated
    table of how the post delivers (``rules/postal_delivery.toml``); a letter counts as received
    on the first delivery day on or after sending + its days (a policy's settings may override
    them). ``letter_receipt_days``: the days under way when no table is given.
    """

    policies: Mapping[str, Policy]
    tables: PolicyTables
    default: str = "humane"
    by_creditor: Mapping[str, str] = attrs.field(factory=dict)
    by_segment: Mapping[str, str] = attrs.field(factory=dict)
    bik: DatedTable[BikParams] | None = None
    bik_instalments: DatedTable[InstalmentRule] | None = None
    """BW 6:96 lid 8 (``rules/bik_instalments.toml``): with it a 14-day letter about periodic
    claims counts the instalments reminded in the 6 months before as one claim"""
    letter_receipt_days: int = 2
    postal: DatedTable[PostalDelivery] | None = None
    interest: InterestTables | None = None
    """statutory interest tables; with them interest is posted monthly (``core/charges.py``)"""
    aanmaning: DatedTable[AanmaningParams] | None = None
    """Awb 4:113 fee table; with it a public claim's formal demand posts the fee"""
    allocation: AllocationOrder = AllocationOrder.STATUTORY
    subsistence: SubsistenceTables | None = None
    """the BVV tables (Rv 475da); with them every payload carries the household's protected
    income (``bvv``), which the ``source-deduction`` channel needs"""

    def __attrs_post_init__(self) -> None:
        for name in (self.default, *self.by_creditor.values(), *self.by_segment.values()):
            if name not in self.policies:
                raise KeyError(f"no policy {name!r} loaded; loaded: {sorted(self.policies)}")

    def policy_for(self, stored: StoredCase) -> Policy:
        name = self.by_creditor.get(
            stored.case.creditor_id, self.by_segment.get(stored.debtor.segment, self.default)
        )
        return self.policies[name]

    def _promise_grace(self, stored: StoredCase) -> int:
        return self.policy_for(stored).settings.promise_grace_days

    def _bvv_change(self, today: dt.date) -> dt.date:
        """The next day the BVV tables' figures change (their next entry or revision date), so
        a case resting on its household's figures is looked at again then."""
        tables = self.subsistence
        found = (
            []
            if tables is None
            else [
                day
                for table in (tables.parameters, tables.maxima, tables.norms)
                if (day := table.next_change(today)) is not None
            ]
        )
        return min(found, default=_half_year_after(today))

    def case_file(self, stored: StoredCase, today: dt.date) -> CaseFile:
        """The case file the policy reads, with the household's figures on ``today``."""
        return CaseFile(
            debtor=stored.debtor,
            case=stored.case,
            events=stored.events,
            household=household_capacity(stored.debtor, today, self.subsistence),
        )

    def decide(self, stored: StoredCase, today: dt.date) -> Decision:
        return evaluate_policy(
            self.case_file(stored, today), self.policy_for(stored), today, self.tables
        )

    def delivery(self, policy: Policy, sent_on: dt.date) -> PostalDelivery:
        """How the post delivers a letter sent on ``sent_on`` under ``policy``: the table's
        entry (else ``letter_receipt_days``, Tuesday to Saturday), with the policy's overrides."""
        base = PostalDelivery(receipt_days=self.letter_receipt_days)
        if self.postal is not None:
            with contextlib.suppress(NoRuleForDateError):
                base = self.postal.at(sent_on).value
        settings = policy.settings
        return PostalDelivery(
            receipt_days=base.receipt_days
            if settings.letter_receipt_days is None
            else settings.letter_receipt_days,
            saturday=base.saturday
            if settings.saturday_delivery is None
            else settings.saturday_delivery,
            monday=base.monday if settings.monday_delivery is None else settings.monday_delivery,
        )

    def letter_terms(self, policy: Policy, sent_on: dt.date) -> LetterTerms:
        """The terms a letter of ``policy`` sent on ``sent_on`` is dated with."""
        return self.tables.letter_terms(self.delivery(policy, sent_on))

    def stated_costs(self, decision: Decision, stored: StoredCase) -> Money | None:
        """BIK for a 14-day letter on private consumer claims (:func:`letter_costs`, the same rule
        that posts them after the term); ``None`` for anything else. Zero for a household the
        policy charges no costs (``decision.costs_waived``): the letter says no costs follow, so
        none can ever be posted for it."""
        action = decision.action
        if self.bik is None or action is None:
            return None
        if action.action is not ActionKind.FOURTEEN_DAY_LETTER:
            return None
        if decision.costs_waived is not None:
            return Money.zero()
        found = letter_costs(
            stored.case.debts,
            action.debt_ids,
            decision.today,
            self.bik,
            stored.events,
            self.bik_instalments,
        )
        return None if found is None else found.costs.total

    @property
    def signature(self) -> str:
        """A digest of everything that shapes a decision here (see :class:`SignedEvaluator`)."""
        parts = (
            _IDLE_RULES,
            self.default,
            sorted(self.by_creditor.items()),
            sorted(self.by_segment.items()),
            [repr(self.policies[name]) for name in sorted(self.policies)],
            self.tables.fourteen_day_term,
            self.tables.aanmaning_term,
            self.tables.calendars.names,
            repr(self.bik),
            repr(self.bik_instalments),
            repr(self.interest),
            repr(self.aanmaning),
            self.letter_receipt_days,
            repr(self.postal),
            self.allocation.value,
            repr(self.subsistence),
        )
        return hashlib.sha256(repr(parts).encode()).hexdigest()[:40]

    def fresh_rule(self, today: dt.date) -> FreshRule:
        """How the run may rest a case it never decided without evaluating it (``core/idle.py``),
        with this evaluator's policies, calendars and BVV tables on ``today``."""
        return FreshRule(
            policies={name: FreshPolicy.of(p) for name, p in self.policies.items()},
            default=self.default,
            by_creditor=dict(self.by_creditor),
            by_segment=dict(self.by_segment),
            calendars=self.tables.calendars,
            until=self._bvv_change(today),
            bijstand_floor_cents=_bijstand_floor(self.subsistence),
        )

    def charge_rules(self, policy: Policy) -> ChargeRules:
        """What ``policy`` lets the run post, with the tables this evaluator was given."""
        settings = policy.settings
        return ChargeRules(
            charge_interest=settings.charge_interest,
            charge_costs=settings.charge_costs,
            charges_during_plan=settings.charges_during_plan,
            interest=self.interest,
            bik=self.bik,
            aanmaning=self.aanmaning,
            atw=self.tables.calendars.get(self.tables.atw),
            instalments=self.bik_instalments,
        )

    def charges(self, decision: Decision, stored: StoredCase, today: dt.date) -> Charges:
        """Interest and costs to post today (``core/charges.py``); none once the debtor died.

        The Awb 4:113 aanmaning fee is not among them: it is posted when the aanmaning is
        delivered (:meth:`demand_fees`, :func:`delivery_records`).
        """
        if decision.status is DecisionStatus.STOPPED:
            return Charges()
        rules = self.charge_rules(self.policy_for(stored))
        if decision.costs_waived is not None:
            rules = attrs.evolve(rules, charge_costs=False)
        return case_charges(stored.case.debts, stored.events, today, rules)

    def demand_fees(self, decision: Decision, stored: StoredCase) -> tuple[Posting, ...]:
        """The Awb 4:113 fee per public claim an aanmaning proposed today covers (also one that
        waits for review); the letter states it and delivery posts it."""
        action = decision.action
        if action is None or action.action is not ActionKind.FORMAL_DEMAND:
            return ()
        if decision.status is DecisionStatus.STOPPED or decision.costs_waived is not None:
            return ()
        rules = self.charge_rules(self.policy_for(stored))
        covered = [d for d in stored.case.debts if d.debt_id in action.debt_ids]
        return aanmaning_postings(covered, decision.today, rules, stored.events)

    def debits(self, decision: Decision, stored: StoredCase, today: dt.date) -> PlanDebits:
        """The instalments of running direct-debit plans to collect today (``plan_debits``) and
        the month's instructions of running deduction plans (``plan_deductions``)."""
        calendars = self.tables.calendars
        sepa: BusinessCalendar | None = calendars.get(SEPA) if SEPA in calendars else None
        stopped = decision.status in (DecisionStatus.STOPPED, DecisionStatus.CLOSED)
        debits = plan_debits(stored, today, sepa, policy=decision.policy, stopped=stopped)
        # the later months of a deduction plan go to the payer the same way (plan_deductions)
        deductions = plan_deductions(
            stored, today, self.subsistence, policy=decision.policy, stopped=stopped
        )
        return PlanDebits(
            entries=(*debits.entries, *deductions.entries),
            wake_on=(*debits.wake_on, *deductions.wake_on),
        )

    def __call__(self, stored: StoredCase, today: dt.date) -> CaseOutcome:
        before = stored.case
        stored, applications = apply_payments(stored, today, self.allocation)
        closures = paid_in_full(before, stored.case)
        plans = monitor_arrangements(stored, today)
        promises = monitor_promises(stored, today, self._promise_grace(stored))
        judged = (*plans.events, *promises.events)
        if judged:
            stored = attrs.evolve(stored, events=(*stored.events, *judged))
        decision = self.decide(stored, today)
        outcome = outcome_from_decision(
            decision,
            stored,
            stated_costs=self.stated_costs(decision, stored),
            letter_terms=self.letter_terms(self.policy_for(stored), today),
            demand_fees=self.demand_fees(decision, stored),
            subsistence=self.subsistence,
            calendars=self.tables.calendars,
        )
        debits = self.debits(decision, stored, today)
        extra = (
            *plan_reminders(self.policy_for(stored), decision, stored, plans),
            *debits.entries,
        )
        charges = self.charges(decision, stored, today)
        events = (
            *_flagged(decision),
            *outcome.events,
            *(_step_taken(e, today, decision.policy) for e in extra),
        )
        postings = (*outcome.postings, *charges.postings)
        also = (
            *plans.wake_on,
            *promises.wake_on,
            *debits.wake_on,
            *(() if charges.next_on is None else (charges.next_on,)),
            self._bvv_change(today),
        )
        wake_on: dt.date | None = None
        rests_as: DecisionRecord | None = None
        if not events and not postings:
            wake_on = idle_until(decision, stored, also=also, settled=_SETTLED_BLOCKS)
        if wake_on is None and not extra and _worth_looking_ahead(decision):
            wake_on, rests_as = self._rest_from_tomorrow(decision, stored, events, postings)
        return attrs.evolve(
            outcome,
            outbox=(*outcome.outbox, *extra),
            events=(*judged, *events),
            postings=postings,
            applications=applications,
            closures=closures,
            wake_on=wake_on,
            rests_as=rests_as,
        )

    def _rest_from_tomorrow(
        self,
        decision: Decision,
        stored: StoredCase,
        events: Sequence[Event],
        postings: Sequence[Posting],
    ) -> tuple[dt.date | None, DecisionRecord | None]:
        """Until when a case that cannot rest from today may rest from tomorrow, and as what.

        A case that writes ``events`` or ``postings`` today (a step taken, interest posted), or
        whose data holds a date tomorrow (a debt falls due), would be derived again tomorrow,
        mostly only to find that it waits. So it is evaluated for *tomorrow* now, on the data
        as it will read once today's writes are stored. When that evaluation writes nothing
        and may rest (:func:`~maatwerk.core.idle.idle_until`), it is the decision a full
        evaluation gives tomorrow on unchanged data: tomorrow's run records it without deriving
        the case again. The storage adapter stores the fingerprint of the data *after* the
        batch's writes (``run_state.py``), so any later change (a delivery's event, a payment,
        a recorded contact) still wakes the case.
        """
        tomorrow = decision.today + dt.timedelta(days=1)
        # the steps of __call__ for tomorrow, given up at the first thing it would write
        after, applications = apply_payments(
            _as_written(stored, events, postings), tomorrow, self.allocation
        )
        plans = monitor_arrangements(after, tomorrow)
        if applications or plans.events or plans.missed:
            return None, None
        promises = monitor_promises(after, tomorrow, self._promise_grace(after))
        if promises.events:
            return None, None
        ahead = self.decide(after, tomorrow)
        if ahead.action is not None:
            return None, None
        debits = self.debits(ahead, after, tomorrow)
        if debits.entries:
            return None, None
        charges = self.charges(ahead, after, tomorrow)
        if charges.postings:
            return None, None
        also = (
            *plans.wake_on,
            *promises.wake_on,
            *debits.wake_on,
            *(() if charges.next_on is None else (charges.next_on,)),
            self._bvv_change(tomorrow),
        )
        wake_on = idle_until(ahead, after, also=also, settled=_SETTLED_BLOCKS)
        if wake_on is None:
            return None, None
        return wake_on, DecisionRecord(
            run_date=tomorrow,
            case=after.key,
            policy=ahead.policy,
            outcome=_OUTCOME[ahead.status],
            blocked_by=_blocked_by(ahead) if ahead.status is DecisionStatus.BLOCKED else None,
        )


def _bijstand_floor(tables: SubsistenceTables | None) -> tuple[int, int]:
    """The highest protected income of a single person and of a couple on bijstand in ``tables``
    (95 % of the highest norm A and B of any period, Rv 475dc lid 2), in cents rounded up; 0
    without tables or norms (the protected income is then unknown, so no household counts as
    without room)."""
    if tables is None:
        return 0, 0
    entries = [e.value for e in tables.norms.entries]
    single = [n.single.amount for n in entries if n.single is not None]
    couple = [n.couple.amount for n in entries if n.couple is not None]
    return (
        math.ceil(max(single, default=Decimal(0)) * 95),
        math.ceil(max(couple, default=Decimal(0)) * 95),
    )


def _half_year_after(today: dt.date) -> dt.date:
    """The next 1 January or 1 July after ``today``: when the BVV tables say nothing further
    (no later entry, no revision date after ``today``), the half-year on which their figures are
    set (Rv 475da, the bijstand norms)."""
    if today.month < 7:
        return dt.date(today.year, 7, 1)
    return dt.date(today.year + 1, 1, 1)


def _flagged(decision: Decision) -> tuple[Event, ...]:
    """The problematic-debt flag for a household that cannot pay, recorded once: the policy
    asks for it only while it was never recorded (nor cleared) for the debtor, and the run
    records it with the case's decision in one transaction (a crashed day records nothing; the
    rerun records it then)."""
    if not decision.flag_problematic:
        return ()
    return (
        DebtorFlagged(
            occurred_on=decision.today,
            debtor_id=decision.debtor_id,
            flag=DebtorFlag.PROBLEMATIC_DEBT,
            note="cannot pay: net income at or below the protected income (BVV)",
        ),
    )


def _worth_looking_ahead(decision: Decision) -> bool:
    """Whether :meth:`PolicyCaseEvaluator._rest_from_tomorrow` may find a rest for this case.

    Not for a step that waits for a person (it is looked at again tomorrow), nor for a case a
    guard blocks without a known end (tomorrow's evaluation is blocked the same way).
    """
    action = decision.action
    if action is not None and action.needs_review:
        return False
    return decision.status is not DecisionStatus.BLOCKED


def _as_written(
    stored: StoredCase, events: Sequence[Event], postings: Sequence[Posting]
) -> StoredCase:
    """``stored`` as the store loads it once the run wrote ``events`` and ``postings``.

    Events come after the case's own (in the order of the log); a posting adds its line to its
    debt after the debt's other lines. A posting whose key is already there is not written
    again by the store (``post_lines`` in the storage adapter); the charge rules never propose one (they read the lines).
    """
    costs: dict[str, list[CostLine]] = {}
    interest: dict[str, list[InterestLine]] = {}
    for posting in postings:
        if isinstance(posting.line, CostLine):
            costs.setdefault(posting.debt_id, []).append(posting.line)
        else:
            interest.setdefault(posting.debt_id, []).append(posting.line)
    debts = tuple(
        attrs.evolve(
            debt,
            costs=(*debt.costs, *costs.get(debt.debt_id, ())),
            interest=(*debt.interest, *interest.get(debt.debt_id, ())),
        )
        if debt.debt_id in costs or debt.debt_id in interest
        else debt
        for debt in stored.case.debts
    )
    return attrs.evolve(
        stored,
        case=attrs.evolve(stored.case, debts=debts),
        events=(*stored.events, *events),
    )


def _step_taken(entry: OutboxEntry, on: dt.date, policy: str) -> StepTaken:
    """The event that records ``entry``'s step as taken on ``on``."""
    return StepTaken(
        occurred_on=on,
        debtor_id=entry.case.debtor_id,
        step_id=entry.step,
        action=ActionKind(entry.action),
        channel=entry.channel,
        debt_ids=entry.debt_ids,
        policy=policy,
    )


def step_taken_for(item: OutboxItem, on: dt.date, policy: str = "") -> StepTaken:
    """The event recorded when a reviewed step is approved (it then counts as taken)."""
    return _step_taken(item.entry, on, policy or str(item.entry.payload.get("policy", "")))
