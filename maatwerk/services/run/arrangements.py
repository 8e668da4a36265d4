"""Watching payment arrangements and promises to pay: completed, breached, kept or broken.

:func:`monitor_arrangements` judges every accepted plan of a case with
:func:`~maatwerk.core.arrangements.arrangement_status` from the payments booked on its debts;
the run records what it finds (:class:`ArrangementCompleted`, :class:`ArrangementBreached`) with
the case's other events, once. :func:`monitor_promises` does the same for promises to pay
(:class:`PromiseKept`, :class:`PromiseBroken`), with the judgement the policy's guard reads
(:func:`~maatwerk.core.policy.casefile.judge_promises`). :func:`plan_reminders` is the run's own
missed-instalment reminder for a policy without an ``instalment-missed`` step.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

import attrs

from maatwerk.core.arrangements import (
    ArrangementState,
    ArrangementStatus,
    InstalmentStatus,
    PromiseStatus,
    arrangement_status,
)
from maatwerk.core.events import (
    ActionKind,
    ArrangementAccepted,
    ArrangementBreached,
    ArrangementCompleted,
    ArrangementOffered,
    ArrangementRejected,
    Event,
    PromiseBroken,
    PromiseEvent,
    PromiseKept,
    PromiseToPay,
    StepTaken,
)
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
from maatwerk.core.records import OutboxEntry, StoredCase
from maatwerk.services.payloads import address_facts
from maatwerk.services.run.postal import route_postal


__all__ = [
    "PLAN_REMINDER_STEP",
    "PlanWatch",
    "PromiseWatch",
    "monitor_arrangements",
    "monitor_promises",
    "plan_reminders",
]

#: Step id (plus ``:<arrangement id>``) of the run's own missed-instalment reminder, sent for a
#: policy that has no ``instalment-missed`` step of its own.
PLAN_REMINDER_STEP: Final = "plan-reminder"


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
    events: list[Event] = []
    missed: list[tuple[ArrangementState, tuple[str, ...]]] = []
    wake: list[dt.date] = []
    for ident, acceptance in accepted.items():
        if ident in ended:
            continue
        offer = offered.get(ident)
        plan = arrangement_from_events(offer, acceptance, creditor_id=stored.case.creditor_id)
        if plan is None:
            continue
        debt_ids = offer.debt_ids if offer is not None else ()
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
        PAYLOAD_REFERENCE: next((d.reference for d in debts if d.reference), ""),
        "policy": decision.policy,
        "title": "Herinnering: een termijn van uw regeling is nog niet betaald",
        "household": debtor.household.value,
        "arrangement_id": state.arrangement_id,
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
