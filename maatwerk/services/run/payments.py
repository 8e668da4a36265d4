"""Applying payments: the case's received payments booked on its debts, oldest first.

:func:`apply_payments` allocates each unapplied payment received by the run date (BW 6:43/6:44,
or the policy's allocation order) and returns the parts the run records with the case's
decision; the arrangement watch and the policy then read the case as paid. :func:`paid_in_full`
names the debts the payments paid in full, which the run stores as ``paid`` with ``closed_on``.
"""

from __future__ import annotations

import datetime as dt

import attrs

from maatwerk.core.allocation import AllocationOrder, allocate_payment
from maatwerk.core.debts import Case, DebtStatus
from maatwerk.core.records import DebtClosure, PaymentApplication, StoredCase


__all__ = ["apply_payments", "paid_in_full"]


def apply_payments(
    stored: StoredCase, today: dt.date, order: AllocationOrder = AllocationOrder.STATUTORY
) -> tuple[StoredCase, tuple[PaymentApplication, ...]]:
    """Apply the case's unapplied payments received by ``today`` (BW 6:43/6:44, or ``order``).

    Returns the case with the payments in its ledger and the parts to record. What a payment
    leaves over (an overpayment) stays unapplied on the payment row.
    """
    case = stored.case
    applications: list[PaymentApplication] = []
    for payment in sorted(stored.payments, key=lambda p: (p.received_on, p.payment_id)):
        if payment.received_on > today or not case.open_debts:
            continue
        result = allocate_payment(case, payment, order=order)
        for debt in result.case.debts:
            before = case.debt(debt.debt_id)
            applications.extend(
                PaymentApplication(debt_id=debt.debt_id, applied=part)
                for part in debt.applied[len(before.applied) :]
            )
        case = result.case
    if not applications:
        return stored, ()
    used = {a.applied.payment_id for a in applications}
    rest = tuple(p for p in stored.payments if p.payment_id not in used)
    return attrs.evolve(stored, case=case, payments=rest), tuple(applications)


def paid_in_full(stored: Case, now: Case) -> tuple[DebtClosure, ...]:
    """The debts stored as ``open`` that payments have paid in full in ``now`` (the case after
    :func:`apply_payments`): each closed on the day of the payment that paid it.

    Also a debt stored ``open`` whose applied payments already cover it (paid before the run
    stored the status, or set ``open`` again by a re-import): closed on its last payment day.
    A debt paid off otherwise (written off, cancelled) or still owing something is left alone.
    """
    closures: list[DebtClosure] = []
    for debt in now.debts:
        if not debt.applied:
            continue
        before = stored.debt(debt.debt_id)
        if before.status is not DebtStatus.OPEN:
            continue
        if debt.status is DebtStatus.PAID and debt.closed_on is not None:
            closures.append(DebtClosure(debt_id=debt.debt_id, closed_on=debt.closed_on))
        elif debt.status is DebtStatus.OPEN and not debt.outstanding.total.is_positive:
            last = max(a.applied_on for a in debt.applied)
            closures.append(DebtClosure(debt_id=debt.debt_id, closed_on=last))
    return tuple(closures)
