"""Watching payment arrangements and promises to pay: completed, breached, kept or broken.

:func:`monitor_arrangements` judges every accepted plan of a case with
:func:`~maatwerk.core.arrangements.arrangement_status` from the payments booked on its debts;
the run records what it finds (:class:`ArrangementCompleted`, :class:`ArrangementBreached`) with
the case's other events, once. :func:`plan_debits` hands each instalment of a running
direct-debit plan to the ``sepa-direct-debit`` channel, once, under the debtor's mandate. :func:`monitor_promises` does the same for promises to pay
(:class:`PromiseKept`, :class:`PromiseBroken`), with the judgement the policy's guard reads
(:func:`~maatwerk.core.policy.casefile.judge_promises`). :func:`plan_reminders` is the run's own
missed-instalment reminder for a policy without an ``instalment-missed`` step.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

import attrs

from maatwerk.core.arrangements import (
    Arrangement,
    ArrangementState,
    ArrangementStatus,
    DebitSequence,
    InstalmentStatus,
    PaymentMethod,
    PlannedDebit,
    PromiseStatus,
    arrangement_status,
    debit_schedule,
)
from maatwerk.core.calendar import BusinessCalendar, CalendarRangeError
from maatwerk.core.events import (
    ActionKind,
    ArrangementAccepted,
    ArrangementBreached,
    ArrangementCompleted,
    ArrangementOffered,
    ArrangementRejected,
    DisputeOpened,
    DisputeResolved,
    Event,
    PromiseBroken,
    PromiseEvent,
    PromiseKept,
    PromiseToPay,
    StepTaken,
)
from maatwerk.core.money import Money
from maatwerk.core.policy import Decision, DecisionStatus
from maatwerk.core.policy.casefile import arrangement_from_events, judge_promises, plan_payments
from maatwerk.core.policy.model import Anchor, Policy
from maatwerk.core.ports import (
    PAYLOAD_AMOUNT,
    PAYLOAD_DEBTOR_NAME,
    PAYLOAD_EXPLANATION,
    PAYLOAD_PAY_BEFORE,
    PAYLOAD_PHONE,
    PAYLOAD_REFERENCE,
)
from maatwerk.core.records import Mandate, OutboxEntry, StoredCase
from maatwerk.core.subsistence import SubsistenceTables
from maatwerk.services.payloads import (
    SOURCE_DEDUCTION,
    address_facts,
    bvv_facts,
    case_reference,
    collection_date,
    deduction_payer,
    deduction_terms,
    missed_instalment_facts,
)
from maatwerk.services.run.postal import route_postal


__all__ = [
    "PLAN_DEBIT_NOTICE_STEP",
    "PLAN_DEBIT_STEP",
    "PLAN_DEDUCTION_STEP",
    "PLAN_REMINDER_STEP",
    "PlanDebits",
    "PlanWatch",
    "PromiseWatch",
    "monitor_arrangements",
    "monitor_promises",
    "plan_debits",
    "plan_deductions",
    "plan_reminders",
]

#: Step id (plus ``:<arrangement id>``) of the run's own missed-instalment reminder, sent for a
#: policy that has no ``instalment-missed`` step of its own.
PLAN_REMINDER_STEP: Final = "plan-reminder"
#: Step id (plus ``:<arrangement id>:<instalment number>``) of an instalment's direct debit.
PLAN_DEBIT_STEP: Final = "plan-debit"
#: Step id (plus ``:<arrangement id>:<instalment number>``) of one month's deduction-at-source
#: instruction of a deduction plan, from its second instalment on.
PLAN_DEDUCTION_STEP: Final = "plan-deduction"
#: Step id (plus ``:<arrangement id>``) of the confirmation of a direct-debit plan with its
#: pre-notification (amounts, dates, mandate reference, creditor identifier).
PLAN_DEBIT_NOTICE_STEP: Final = "plan-debit-notice"
#: The channel that writes the pain.008 collections.
SEPA_CHANNEL: Final = "sepa-direct-debit"
#: Action kinds that are collections under the debtor's mandate (for the sequence type).
_COLLECTIONS: Final = frozenset({ActionKind.DIRECT_DEBIT, ActionKind.DIRECT_DEBIT_REPRESENTATION})


@attrs.frozen(kw_only=True)
class PlanWatch:
    """What :func:`monitor_arrangements` found for one case on one day."""

    events: tuple[Event, ...] = ()
    """``ArrangementBreached`` / ``ArrangementCompleted`` not recorded before"""
    missed: tuple[tuple[ArrangementState, tuple[str, ...]], ...] = ()
    """running plans in grace (an instalment missed), with the debts they cover"""
    wake_on: tuple[dt.date, ...] = ()
    """days after today on which a running plan's status may change without a new payment"""


def monitor_arrangements(stored: StoredCase, today: dt.date) -> PlanWatch:
    """Judge every accepted arrangement with a schedule from the payments booked on its debts.

    :func:`~maatwerk.core.arrangements.arrangement_status` on ``today``: a breached plan gets an
    :class:`ArrangementBreached` dated its breach day, a fully paid one an
    :class:`ArrangementCompleted` dated the day it was paid, each once (an arrangement that
    already has either event is not judged again). A plan without a schedule (older records)
    is left alone. Call it after the day's payments are applied (:func:`apply_payments`).
    """
    events: list[Event] = []
    missed: list[tuple[ArrangementState, tuple[str, ...]]] = []
    wake: list[dt.date] = []
    for plan, debt_ids, acceptance in _running_plans(stored, today):
        ident = plan.arrangement_id
        payments = plan_payments(stored.case, debt_ids, acceptance.occurred_on, today)
        state = arrangement_status(plan, payments, today)
        debt_id = debt_ids[0] if len(debt_ids) == 1 else None
        if state.status is ArrangementStatus.BREACHED and state.breach_date is not None:
            events.append(
                ArrangementBreached(
                    occurred_on=state.breach_date,
                    debtor_id=stored.debtor.debtor_id,
                    debt_id=debt_id,
                    arrangement_id=ident,
                    missed=max(state.missed_count, 1),
                )
            )
        elif state.status is ArrangementStatus.COMPLETED and state.completed_on is not None:
            events.append(
                ArrangementCompleted(
                    occurred_on=state.completed_on,
                    debtor_id=stored.debtor.debtor_id,
                    debt_id=debt_id,
                    arrangement_id=ident,
                )
            )
        elif state.status.is_running:
            if state.status is ArrangementStatus.IN_GRACE and state.reminders_due:
                missed.append((state, debt_ids))
            wake.extend(
                s.overdue_from for s in state.instalments if s.status is not InstalmentStatus.PAID
            )
            if state.grace_until is not None:
                wake.append(state.grace_until + dt.timedelta(days=1))
            if plan.grace.grace_days is not None:
                wake.extend(
                    i.due_date + dt.timedelta(days=plan.grace.grace_days + 1)
                    for i in plan.instalments
                )
    return PlanWatch(
        events=tuple(events),
        missed=tuple(missed),
        wake_on=tuple(sorted({d for d in wake if d > today})),
    )


def _running_plans(
    stored: StoredCase, today: dt.date
) -> list[tuple[Arrangement, tuple[str, ...], ArrangementAccepted]]:
    """Every accepted plan with a schedule not breached, completed or rejected by ``today``,
    with the debts it covers and its acceptance."""
    offered: dict[str, ArrangementOffered] = {}
    accepted: dict[str, ArrangementAccepted] = {}
    ended: set[str] = set()
    for event in stored.events:
        if event.occurred_on > today:
            continue
        match event:
            case ArrangementOffered():
                offered[event.arrangement_id] = event
            case ArrangementAccepted():
                accepted[event.arrangement_id] = event
            case ArrangementBreached() | ArrangementCompleted() | ArrangementRejected():
                ended.add(event.arrangement_id)
            case _:
                pass
    found: list[tuple[Arrangement, tuple[str, ...], ArrangementAccepted]] = []
    for ident, acceptance in accepted.items():
        if ident in ended:
            continue
        offer = offered.get(ident)
        plan = arrangement_from_events(offer, acceptance, creditor_id=stored.case.creditor_id)
        if plan is not None:
            found.append((plan, offer.debt_ids if offer is not None else (), acceptance))
    return found


def active_mandate(stored: StoredCase, today: dt.date) -> Mandate | None:
    """The debtor's valid mandate for the case's creditor on ``today`` (the latest signed)."""
    creditor = stored.case.creditor_id
    active = [m for m in stored.mandates if m.creditor_id == creditor and m.active_on(today)]
    return max(active, key=lambda m: (m.signed_on, m.mandate_id)) if active else None


@attrs.frozen(kw_only=True)
class PlanDebits:
    """What :func:`plan_debits` found for one case on one day."""

    entries: tuple[OutboxEntry, ...] = ()
    """one ``direct-debit`` action per instalment to hand to the bank today, and the
    ``arrangement-confirmation`` letter with the pre-notification of a plan accepted"""
    wake_on: tuple[dt.date, ...] = ()
    """days after today on which a later instalment is to be handed to the bank"""


def plan_debits(
    stored: StoredCase,
    today: dt.date,
    sepa: BusinessCalendar | None,
    *,
    policy: str = "",
    stopped: bool = False,
) -> PlanDebits:
    """The collections of running direct-debit plans to hand to the bank today, each once.

    Only a plan whose method is direct debit and only while the debtor has a valid mandate for
    the case's creditor; never for a stopped case (deceased) or one with an open dispute (a
    refused or disputed collection opens one: no re-collection until a person resolves it).
    The first run on or after the plan's acceptance sends the debtor its confirmation with the
    pre-notification (each amount and date, the mandate reference; the letters channel adds the
    creditor identifier): the offer put the first collection at least
    :data:`~maatwerk.core.arrangements.PRE_NOTIFICATION_DAYS` days after it, and the letter goes
    before the first collection is handed to the bank. Each instalment is handed over from :data:`~maatwerk.core.arrangements.SUBMIT_DAYS_BEFORE`
    days before its collection date (:func:`~maatwerk.core.arrangements.debit_schedule`); a run
    that missed that day collects on the first date still possible. An instalment already paid
    in full (by transfer) is not collected. Exactly once: the step ``plan-debit:<plan>:<n>`` is
    recorded as taken with the outbox row, and a step taken before is never handed over again
    (a re-run of the same day writes the same row, which the outbox keeps once).
    """
    if sepa is None or stopped or not stored.case.debts:
        return PlanDebits()
    if _open_disputes(stored, today):
        return PlanDebits()
    mandate = active_mandate(stored, today)
    if mandate is None:
        return PlanDebits()
    taken = {e.step_id: e for e in stored.events if isinstance(e, StepTaken)}
    collected_before = any(
        e.action in _COLLECTIONS and mandate.signed_on <= e.occurred_on < today
        for e in taken.values()
    )
    entries: list[OutboxEntry] = []
    wake: list[dt.date] = []
    for plan, debt_ids, acceptance in _running_plans(stored, today):
        if plan.method is not PaymentMethod.DIRECT_DEBIT:
            continue
        notice = f"{PLAN_DEBIT_NOTICE_STEP}:{plan.arrangement_id}"
        if notice not in taken:
            dates = debit_schedule(plan.instalments, calendar=sepa)
            entries.append(
                _notice_entry(stored, today, notice, mandate, debt_ids, plan, dates, policy)
            )
        payments = plan_payments(stored.case, debt_ids, acceptance.occurred_on, today)
        state = arrangement_status(plan, payments, today)
        paid = {s.instalment.number for s in state.instalments if s.status is InstalmentStatus.PAID}
        todo = [
            i
            for i in plan.instalments
            if i.number not in paid and _debit_step(plan.arrangement_id, i.number) not in taken
        ]
        try:
            schedule = debit_schedule(
                todo, calendar=sepa, collected_before=collected_before or bool(entries)
            )
            earliest = collection_date(today, sepa)
        except CalendarRangeError:
            continue
        if earliest is None:
            continue
        for planned in schedule:
            if planned.submit_from > today:
                wake.append(planned.submit_from)
                continue
            step = _debit_step(plan.arrangement_id, planned.number)
            entries.append(
                _debit_entry(
                    stored,
                    today,
                    step=step,
                    mandate=mandate,
                    debt_ids=debt_ids,
                    amount=planned.amount,
                    on=max(planned.collection_date, earliest),
                    sequence=planned.sequence,
                    policy=policy,
                    arrangement_id=plan.arrangement_id,
                    number=planned.number,
                )
            )
    return PlanDebits(entries=tuple(entries), wake_on=tuple(sorted(set(wake))))


def _open_disputes(stored: StoredCase, today: dt.date) -> set[str]:
    opened: set[str] = set()
    for event in stored.events:
        if event.occurred_on > today:
            continue
        if isinstance(event, DisputeOpened):
            opened.add(event.dispute_id)
        elif isinstance(event, DisputeResolved):
            opened.discard(event.dispute_id)
    return opened


def _notice_entry(  # noqa: PLR0917 - private, one call site
    stored: StoredCase,
    today: dt.date,
    step: str,
    mandate: Mandate,
    debt_ids: tuple[str, ...],
    plan: Arrangement,
    dates: tuple[PlannedDebit, ...],
    policy: str,
) -> OutboxEntry:
    debts = [d for d in stored.case.debts if not debt_ids or d.debt_id in debt_ids]
    payload: dict[str, Any] = {
        PAYLOAD_DEBTOR_NAME: stored.debtor.name,
        PAYLOAD_AMOUNT: plan.total.amount,
        PAYLOAD_REFERENCE: case_reference(stored),
        "title": "Uw betalingsregeling: wij schrijven de termijnen af",
        "arrangement_id": plan.arrangement_id,
        "method": plan.method.value,
        "mandate_id": mandate.mandate_id,
        "debits": tuple({"date": d.collection_date, "amount": d.amount.amount} for d in dates),
        "household": stored.debtor.household.value,
        "policy": policy,
    }
    if stored.debtor.phone:
        payload[PAYLOAD_PHONE] = stored.debtor.phone
    payload.update(address_facts(stored.debtor))
    entry = OutboxEntry(
        case=stored.key,
        run_date=today,
        step=step,
        action=ActionKind.ARRANGEMENT_CONFIRMATION.value,
        channel="letters",
        debt_ids=tuple(d.debt_id for d in debts),
        payload=payload,
    )
    return route_postal(entry, stored.debtor)  # no address: the work list says so


def _debit_step(arrangement_id: str, number: int) -> str:
    return f"{PLAN_DEBIT_STEP}:{arrangement_id}:{number}"


def _debit_entry(
    stored: StoredCase,
    today: dt.date,
    *,
    step: str,
    mandate: Mandate,
    debt_ids: tuple[str, ...],
    amount: Money,
    on: dt.date,
    sequence: DebitSequence,
    policy: str,
    arrangement_id: str,
    number: int,
) -> OutboxEntry:
    debts = [d for d in stored.case.debts if not debt_ids or d.debt_id in debt_ids]
    payload: dict[str, Any] = {
        PAYLOAD_DEBTOR_NAME: stored.debtor.name,
        PAYLOAD_AMOUNT: amount.amount,
        PAYLOAD_REFERENCE: next((d.reference for d in debts if d.reference), ""),
        "debtor_iban": mandate.iban,
        "mandate_id": mandate.mandate_id,
        "mandate_date": mandate.signed_on,
        "collection_date": on,
        "sequence": sequence.value,
        "arrangement_id": arrangement_id,
        "instalment_number": number,
        "policy": policy,
    }
    return OutboxEntry(
        case=stored.key,
        run_date=today,
        step=step,
        action=ActionKind.DIRECT_DEBIT.value,
        channel=SEPA_CHANNEL,
        debt_ids=tuple(d.debt_id for d in debts),
        payload=payload,
    )


def plan_deductions(
    stored: StoredCase,
    today: dt.date,
    subsistence: SubsistenceTables | None,
    *,
    policy: str,
    stopped: bool = False,
) -> PlanDebits:
    """Each later month's deduction-at-source instruction of a running deduction plan.

    The policy's step to the ``source-deduction`` channel (anchor ``arrangement-accepted``)
    starts the deduction with the first instalment; from then on, on the first day of each
    later instalment's month, the run hands that month's instalment to the channel, once
    (step ``plan-deduction:<plan>:<n>``), for the payer the debtor agreed, capped at net income
    minus the protected income of that day (:func:`~maatwerk.services.payloads.deduction_terms`).
    An instalment already paid in full is not instructed. Nothing while the case is stopped or
    disputed, before the policy's step was taken, or without the BVV tables.
    """
    if subsistence is None or stopped or not stored.case.debts:
        return PlanDebits()
    if _open_disputes(stored, today):
        return PlanDebits()
    taken = {e.step_id: e for e in stored.events if isinstance(e, StepTaken)}
    entries: list[OutboxEntry] = []
    wake: list[dt.date] = []
    for plan, debt_ids, acceptance in _running_plans(stored, today):
        if plan.method is not PaymentMethod.SOURCE_DEDUCTION:
            continue
        started = any(
            e.channel == SOURCE_DEDUCTION
            and acceptance.occurred_on <= e.occurred_on <= today
            and not e.step_id.startswith(f"{PLAN_DEDUCTION_STEP}:")
            for e in taken.values()
        )
        if not started:
            continue
        payments = plan_payments(stored.case, debt_ids, acceptance.occurred_on, today)
        state = arrangement_status(plan, payments, today)
        paid = {s.instalment.number for s in state.instalments if s.status is InstalmentStatus.PAID}
        for instalment in plan.instalments[1:]:
            step = f"{PLAN_DEDUCTION_STEP}:{plan.arrangement_id}:{instalment.number}"
            if instalment.number in paid or step in taken:
                continue
            month_start = instalment.due_date.replace(day=1)
            if month_start > today:
                wake.append(month_start)
                break
            entries.append(
                _deduction_entry(
                    stored,
                    today,
                    step=step,
                    plan=plan,
                    number=instalment.number,
                    agreed=instalment.amount,
                    due_on=instalment.due_date,
                    outstanding=state.outstanding,
                    debt_ids=debt_ids,
                    policy=policy,
                    subsistence=subsistence,
                )
            )
    return PlanDebits(entries=tuple(entries), wake_on=tuple(sorted(set(wake))))


def _deduction_entry(
    stored: StoredCase,
    today: dt.date,
    *,
    step: str,
    plan: Arrangement,
    number: int,
    agreed: Money,
    due_on: dt.date,
    outstanding: Money,
    debt_ids: tuple[str, ...],
    policy: str,
    subsistence: SubsistenceTables,
) -> OutboxEntry:
    debts = [d for d in stored.case.debts if not debt_ids or d.debt_id in debt_ids]
    bvv = bvv_facts(stored, today, subsistence)
    payload: dict[str, Any] = {
        PAYLOAD_DEBTOR_NAME: stored.debtor.name,
        PAYLOAD_AMOUNT: outstanding.rounded().amount,
        PAYLOAD_REFERENCE: case_reference(stored),
        "title": "Inhouding op loon of uitkering: termijn van deze maand",
        "arrangement_id": plan.arrangement_id,
        "instalment_number": number,
        "household": stored.debtor.household.value,
        "policy": policy,
    }
    if bvv is not None:
        payload["bvv"] = bvv
    payload.update(address_facts(stored.debtor))
    payload.update(deduction_payer(stored, plan.arrangement_id))
    payload.update(deduction_terms(agreed, due_on, today, bvv))
    return OutboxEntry(
        case=stored.key,
        run_date=today,
        step=step,
        action=ActionKind.ARRANGEMENT_OFFER.value,
        channel=SOURCE_DEDUCTION,
        debt_ids=tuple(d.debt_id for d in debts),
        payload=payload,
    )


@attrs.frozen(kw_only=True)
class PromiseWatch:
    """What :func:`monitor_promises` found for one case on one day."""

    events: tuple[PromiseEvent, ...] = ()
    """``PromiseKept`` / ``PromiseBroken`` not recorded before"""
    wake_on: tuple[dt.date, ...] = ()
    """the day after the last day of each promise still open (it is then judged broken)"""


def monitor_promises(stored: StoredCase, today: dt.date, grace_days: int) -> PromiseWatch:
    """Judge every promise to pay of the case not judged before, from the payments booked.

    A promise paid in full by its last day (the promised day plus ``grace_days``, the policy's
    ``promise_grace_days``) gets a :class:`PromiseKept` dated the day it was complete; one not
    (or only partly) paid by then a :class:`PromiseBroken` dated the day after its last day,
    with what was paid and what was missing. Each is recorded once: a promise with either event
    is not judged again, and a day run again after a crash finds the same (the batch that
    records it is written whole or not at all). Call it after the day's payments are applied.
    """
    case = stored.case
    promises = tuple(
        e
        for e in stored.events
        if isinstance(e, PromiseToPay)
        and e.occurred_on <= today
        and e.covers_case(case.creditor_id)
    )
    if not promises:
        return PromiseWatch()
    outcomes = tuple(
        e for e in stored.events if isinstance(e, PromiseEvent) and e.occurred_on <= today
    )
    events: list[PromiseEvent] = []
    wake: list[dt.date] = []
    for judged in judge_promises(case, promises, outcomes, today, grace_days):
        if judged.recorded:
            continue
        made, state = judged.promise, judged.state
        if state.status is PromiseStatus.KEPT and state.kept_on is not None:
            events.append(
                PromiseKept(
                    occurred_on=state.kept_on,
                    debtor_id=made.debtor_id,
                    debt_id=made.debt_id,
                    promise_id=made.key,
                    paid=state.paid,
                )
            )
        elif state.status is PromiseStatus.BROKEN and state.broken_on is not None:
            events.append(
                PromiseBroken(
                    occurred_on=state.broken_on,
                    debtor_id=made.debtor_id,
                    debt_id=made.debt_id,
                    promise_id=made.key,
                    paid=state.paid,
                    outstanding=state.outstanding,
                )
            )
        elif state.last_day is not None:
            wake.append(state.last_day + dt.timedelta(days=1))
    return PromiseWatch(events=tuple(events), wake_on=tuple(sorted(d for d in wake if d > today)))


def plan_reminders(
    policy: Policy, decision: Decision, stored: StoredCase, plans: PlanWatch
) -> tuple[OutboxEntry, ...]:
    """A missed-instalment reminder per plan in grace, for a policy without an
    ``instalment-missed`` step (one per missed instalment; none when the policy acts today)."""
    if not plans.missed:
        return ()
    if any(step.timing.anchor is Anchor.INSTALMENT_MISSED for step in policy.steps):
        return ()  # the policy's own step sends it
    if decision.status is DecisionStatus.STOPPED or decision.action is not None:
        return ()
    found: list[OutboxEntry] = []
    for state, debt_ids in plans.missed:
        step_id = f"{PLAN_REMINDER_STEP}:{state.arrangement_id}"
        since = max(state.reminders_due)
        if any(
            isinstance(e, StepTaken) and e.step_id == step_id and e.occurred_on >= since
            for e in stored.events
        ):
            continue  # one reminder per missed instalment
        found.append(_plan_reminder(decision, stored, state, debt_ids, step_id))
    return tuple(found)


def _plan_reminder(
    decision: Decision,
    stored: StoredCase,
    state: ArrangementState,
    debt_ids: tuple[str, ...],
    step_id: str,
) -> OutboxEntry:
    since = max(state.reminders_due)
    until = state.grace_until
    debts = [d for d in stored.case.debts if not debt_ids or d.debt_id in debt_ids]
    debtor = stored.debtor
    explanation = (
        f"Een termijn van uw betalingsregeling is nog niet betaald (te laat sinds "
        f"{since.isoformat()}). U kunt dit nog inhalen"
        + (f" tot en met {until.isoformat()}." if until is not None else ".")
    )
    payload: dict[str, Any] = {
        PAYLOAD_DEBTOR_NAME: debtor.name,
        PAYLOAD_AMOUNT: state.arrears.rounded().amount,
        PAYLOAD_EXPLANATION: explanation,
        PAYLOAD_REFERENCE: case_reference(stored),
        "policy": decision.policy,
        "title": "Herinnering: een termijn van uw regeling is nog niet betaald",
        "household": debtor.household.value,
        "arrangement_id": state.arrangement_id,
        **missed_instalment_facts(state),
    }
    if until is not None:
        payload[PAYLOAD_PAY_BEFORE] = until
    if debtor.phone:
        payload[PAYLOAD_PHONE] = debtor.phone
    payload.update(address_facts(debtor))
    entry = OutboxEntry(
        case=stored.key,
        run_date=decision.today,
        step=step_id,
        action=ActionKind.PAYMENT_REMINDER.value,
        channel="letters",
        debt_ids=tuple(d.debt_id for d in debts),
        payload=payload,
    )
    return route_postal(entry, debtor)
