"""What stands on a case's day, derived from its events: the holds in force, the arrangements
accepted (with their schedule and status) and the promises to pay judged kept, broken or open.

:class:`~maatwerk.core.policy.casefile.CaseState` carries them; they are here so that the case
file module stays about the file and the state as a whole.
"""

from __future__ import annotations

import datetime as dt

import attrs

from maatwerk.core.arrangements import (
    Arrangement,
    ArrangementState,
    ArrangementStatus,
    GracePolicy,
    Instalment,
    PaymentMethod,
    PromiseState,
    PromiseStatus,
    promise_status,
)
from maatwerk.core.arrangements import PromiseToPay as PromiseTerms
from maatwerk.core.debts import Case, Payment
from maatwerk.core.events import (
    ArrangementAccepted,
    ArrangementOffered,
    HoldScope,
    PromiseBroken,
    PromiseEvent,
    PromiseToPay,
)
from maatwerk.core.money import Money


__all__ = [
    "ActiveArrangement",
    "ActiveHold",
    "JudgedPromise",
    "arrangement_from_events",
    "judge_promises",
    "plan_payments",
]


@attrs.frozen(kw_only=True)
class ActiveHold:
    hold_id: str
    scope: HoldScope
    reason: str
    start: dt.date
    end: dt.date | None
    debt_id: str | None


@attrs.frozen(kw_only=True)
class ActiveArrangement:
    """An accepted arrangement and, when its schedule is known, how it stands today.

    ``plan`` is ``None`` for an arrangement recorded without a schedule (older records): it is
    trusted as kept until an event ends it. With a plan, ``status`` is
    :func:`~maatwerk.core.arrangements.arrangement_status` on the controlling date, judged from
    the payments booked on the debts it covers since acceptance.
    """

    arrangement_id: str
    accepted_on: dt.date
    debt_ids: tuple[str, ...]
    """empty: the whole case"""
    plan: Arrangement | None = None
    status: ArrangementState | None = None
    method: PaymentMethod | None = None
    """how it is paid, as recorded (``None``: not recorded)"""

    def covers(self, debt_id: str) -> bool:
        return not self.debt_ids or debt_id in self.debt_ids

    @property
    def in_grace(self) -> bool:
        return self.status is not None and self.status.status is ArrangementStatus.IN_GRACE

    @property
    def missed_since(self) -> dt.date | None:
        """The day the latest missed instalment became late (the missed-instalment anchor)."""
        if self.status is None or not self.status.reminders_due:
            return None
        return max(self.status.reminders_due)


def arrangement_from_events(
    offered: ArrangementOffered | None, accepted: ArrangementAccepted, *, creditor_id: str = ""
) -> Arrangement | None:
    """The accepted plan as a core :class:`Arrangement`, or ``None`` when no schedule is known.

    The terms come from ``accepted`` when it carries a schedule, else from ``offered``; unset
    grace settings take the :class:`GracePolicy` defaults, an unset method is a direct debit.
    """
    terms: ArrangementOffered | ArrangementAccepted | None = (
        accepted if accepted.schedule else offered
    )
    if terms is None or not terms.schedule:
        return None
    defaults = GracePolicy()
    grace = GracePolicy(
        tolerated_missed=defaults.tolerated_missed
        if terms.tolerated_missed is None
        else terms.tolerated_missed,
        grace_days=terms.grace_days,
        settle_days=defaults.settle_days if terms.settle_days is None else terms.settle_days,
    )
    instalments = tuple(
        Instalment(number=n, due_date=due, amount=amount)
        for n, (due, amount) in enumerate(terms.schedule, start=1)
    )
    return Arrangement(
        arrangement_id=accepted.arrangement_id,
        debtor_id=accepted.debtor_id,
        creditor_id=creditor_id,
        total=sum((i.amount for i in instalments), Money.zero(instalments[0].amount.currency)),
        instalments=instalments,
        method=terms.method or PaymentMethod.DIRECT_DEBIT,
        grace=grace,
        proposed_on=offered.occurred_on if offered is not None else None,
        accepted_on=accepted.occurred_on,
    )


def plan_payments(
    case: Case, debt_ids: tuple[str, ...], since: dt.date, today: dt.date
) -> tuple[Payment, ...]:
    """Payments booked on the debts ``debt_ids`` (empty: every debt) from ``since`` to ``today``.

    The ledger keeps applied parts per debt; one payment spread over several debts counts once,
    with the sum of its parts, on the day it was applied.
    """
    totals: dict[str, tuple[dt.date, Money]] = {}
    for debt in case.debts:
        if debt_ids and debt.debt_id not in debt_ids:
            continue
        for applied in debt.applied:
            if not since <= applied.applied_on <= today:
                continue
            day, amount = totals.get(applied.payment_id, (applied.applied_on, Money.zero()))
            totals[applied.payment_id] = (
                min(day, applied.applied_on),
                amount + applied.parts.total,
            )
    return tuple(
        Payment(payment_id=pid, debtor_id=case.debtor_id, received_on=day, amount=amount)
        for pid, (day, amount) in sorted(totals.items(), key=lambda item: (item[1][0], item[0]))
        if amount.is_positive
    )


@attrs.frozen(kw_only=True)
class JudgedPromise:
    """A promise to pay and how it stands: recorded as kept or broken, or judged today."""

    promise: PromiseToPay
    state: PromiseState
    recorded: bool
    """the run already recorded its outcome (:class:`PromiseKept` / :class:`PromiseBroken`)"""

    @property
    def status(self) -> PromiseStatus:
        return self.state.status


def judge_promises(
    case: Case,
    promises: tuple[PromiseToPay, ...],
    outcomes: tuple[PromiseEvent, ...],
    today: dt.date,
    grace_days: int,
) -> tuple[JudgedPromise, ...]:
    """How each promise to pay of ``case`` stands at the end of ``today``, oldest first.

    A recorded outcome stands. Otherwise the promise is judged from the payments booked on the
    case (on its one debt, when it names one) from the day it was made
    (:func:`~maatwerk.core.arrangements.promise_status`, with the policy's ``grace_days``). A
    promise followed by a newer one made before its last day is replaced by it and left out:
    only the newest promise counts. The daily run records what this finds (``PromiseKept`` /
    ``PromiseBroken``), so the guard, the ladder and the record read the same judgement.
    """
    recorded = {o.promise_id: o for o in outcomes}
    ordered = sorted(promises, key=lambda p: p.occurred_on)
    found: list[JudgedPromise] = []
    for index, promise in enumerate(ordered):
        last_day = promise.promised_for + dt.timedelta(days=grace_days)
        outcome = recorded.get(promise.key)
        if outcome is None and any(later.occurred_on <= last_day for later in ordered[index + 1 :]):
            continue  # replaced by a newer promise before it fell due
        if outcome is not None:
            broken = isinstance(outcome, PromiseBroken)
            state = PromiseState(
                promise_id=promise.key,
                status=PromiseStatus.BROKEN if broken else PromiseStatus.KEPT,
                paid=outcome.paid,
                outstanding=outcome.outstanding
                if isinstance(outcome, PromiseBroken)
                else Money.zero(promise.amount.currency),
                kept_on=None if broken else outcome.occurred_on,
                broken_on=outcome.occurred_on if broken else None,
                last_day=last_day,
            )
            found.append(JudgedPromise(promise=promise, state=state, recorded=True))
            continue
        terms = PromiseTerms(
            promise_id=promise.key,
            debtor_id=promise.debtor_id,
            creditor_id=case.creditor_id,
            amount=promise.amount,
            due_date=promise.promised_for,
            made_on=promise.occurred_on,
        )
        scope = (promise.debt_id,) if promise.debt_id is not None else ()
        payments = plan_payments(case, scope, promise.occurred_on, today)
        state = promise_status(terms, payments, today, grace_days=grace_days)
        found.append(JudgedPromise(promise=promise, state=state, recorded=False))
    return tuple(found)
