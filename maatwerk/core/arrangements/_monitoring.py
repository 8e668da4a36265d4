"""Monitoring a plan: its status from the payments, re-planning, cancelling, promises to pay."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import attrs

from maatwerk.core.arrangements._model import (
    DEFAULT_MAX_MONTHS,
    Arrangement,
    ArrangementProposal,
    ArrangementState,
    ArrangementStatus,
    BusinessDays,
    ChargesDuringPlan,
    InstalmentState,
    InstalmentStatus,
    PromiseState,
    PromiseStatus,
    PromiseToPay,
)
from maatwerk.core.arrangements._proposal import propose_arrangement
from maatwerk.core.debts import Payment
from maatwerk.core.errors import InputError, Location
from maatwerk.core.money import Money


__all__ = ["arrangement_status", "cancel", "new_charges_allowed", "promise_status", "replan"]

_ONE_DAY = dt.timedelta(days=1)


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
    promise: PromiseToPay, payments: Iterable[Payment], today: dt.date, *, grace_days: int = 0
) -> PromiseState:
    """Kept when the promised amount arrived by the due date plus ``grace_days``; broken the
    day after that if not.

    Only payments received from ``made_on`` up to ``today`` count, added up: part payments that
    together reach the amount in time keep the promise; a part payment that does not reach it
    by the last day (``due_date + grace_days``) leaves the promise broken, with what was paid
    and what was missing. The grace is the policy's (``promise_grace_days``): a payment on its
    way through the banks still counts.
    """
    if grace_days < 0:
        raise ValueError("the grace of a promise cannot be negative")
    last_day = promise.due_date + dt.timedelta(days=grace_days)
    paid = Money.zero(promise.amount.currency)
    kept_on: dt.date | None = None
    for payment in sorted(payments, key=lambda p: (p.received_on, p.payment_id)):
        if payment.received_on < promise.made_on or payment.received_on > min(today, last_day):
            continue
        paid = paid + payment.amount
        if kept_on is None and paid >= promise.amount:
            kept_on = payment.received_on
    outstanding = (promise.amount - paid).clamp_zero()
    if kept_on is not None:
        return PromiseState(
            promise_id=promise.promise_id,
            status=PromiseStatus.KEPT,
            paid=paid,
            outstanding=outstanding,
            kept_on=kept_on,
            last_day=last_day,
        )
    if today > last_day:
        return PromiseState(
            promise_id=promise.promise_id,
            status=PromiseStatus.BROKEN,
            paid=paid,
            outstanding=outstanding,
            broken_on=last_day + _ONE_DAY,
            last_day=last_day,
        )
    return PromiseState(
        promise_id=promise.promise_id,
        status=PromiseStatus.OPEN,
        paid=paid,
        outstanding=outstanding,
        last_day=last_day,
    )
