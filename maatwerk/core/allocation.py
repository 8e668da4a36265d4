"""Payment allocation (toerekening van betalingen): BW 6:43 across debts, 6:44 within a debt.

**Across the debts of a case** (BW 6:43; for public claims Awb 4:92 lid 2 gives the debtor the same
right to designate):

1. a debt the debtor **designated** (``Payment.designated_debt_id``) comes first;
2. then debts that are **due** (opeisbaar: due date on or before the payment date) before debts
   that are not yet due;
3. among those, the **most burdensome** (meest bezwarend) first. The statute does not define it;
   this engine uses this documented, deterministic key, compared in order:

   a. a **public-law** claim before a private one (it can be enforced by dwangbevel without a
      court, Awb 4:114-4:116);
   b. the **interest it carries**: commercial interest (6:119a) before consumer interest (6:119)
      before no interest;
   c. a debt with **outstanding collection costs** before one without (costs already incurred
      signal an advanced, costlier collection stage);

4. then the **oldest** first (earliest due date);
5. debts equal on all of the above share the rest **pro rata** to their outstanding totals,
   split with :func:`~maatwerk.core.money.allocate` so no cent is lost.

**Within one debt** (BW 6:44 lid 1; Awb 4:92 lid 1): costs, then accrued interest, then principal
(:attr:`AllocationOrder.STATUTORY`). A creditor may choose the humane order
:attr:`AllocationOrder.PRINCIPAL_FIRST` (principal, then interest, then costs): it benefits the
debtor, and 6:44 only protects the creditor (docs/rules/allocation.md).

What cannot be applied (the case is paid in full) is returned as an explicit ``remainder``:
``applied + remainder == payment`` always, and no part receives more than it has outstanding.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence

import attrs

from maatwerk.core.debts import (
    AppliedPayment,
    Balance,
    Case,
    ClaimKind,
    Debt,
    InterestKind,
    Payment,
)
from maatwerk.core.errors import InputError, Location
from maatwerk.core.money import Money, allocate, total


__all__ = [
    "AllocationLine",
    "AllocationOrder",
    "AllocationResult",
    "LedgerPart",
    "PartsAllocation",
    "allocate_payment",
    "allocate_within",
    "burden_key",
]


class LedgerPart(enum.Enum):
    """A part of a debt's ledger."""

    COSTS = "costs"
    INTEREST = "interest"
    PRINCIPAL = "principal"


class AllocationOrder(enum.Enum):
    """The order in which a payment is applied to the parts of one debt."""

    STATUTORY = "statutory"
    """BW 6:44: costs, then interest, then principal (the default)."""
    PRINCIPAL_FIRST = "principal-first"
    """Humane option: principal, then interest, then costs."""

    @property
    def parts(self) -> tuple[LedgerPart, ...]:
        if self is AllocationOrder.STATUTORY:
            return (LedgerPart.COSTS, LedgerPart.INTEREST, LedgerPart.PRINCIPAL)
        return (LedgerPart.PRINCIPAL, LedgerPart.INTEREST, LedgerPart.COSTS)


@attrs.frozen(kw_only=True)
class PartsAllocation:
    """A payment applied to one set of parts: what went where, what is left, what did not fit."""

    applied: Balance
    remaining: Balance
    unapplied: Money


@attrs.frozen(kw_only=True)
class AllocationLine:
    """One amount applied to one part of one debt, with why that debt came at that point."""

    debt_id: str
    part: LedgerPart
    amount: Money
    reason: str


@attrs.frozen(kw_only=True)
class AllocationResult:
    """The case after the payment, the lines applied, and the remainder that did not fit."""

    case: Case
    payment: Payment
    lines: tuple[AllocationLine, ...]
    remainder: Money
    order: AllocationOrder

    @property
    def applied(self) -> Money:
        return total((line.amount for line in self.lines), self.payment.amount.currency)

    def applied_to(self, debt_id: str) -> Balance:
        """What this payment applied to one debt, per part."""
        nil = Money.zero(self.payment.amount.currency)
        parts = dict.fromkeys(LedgerPart, nil)
        for line in self.lines:
            if line.debt_id == debt_id:
                parts[line.part] = parts[line.part] + line.amount
        return Balance(
            costs=parts[LedgerPart.COSTS],
            interest=parts[LedgerPart.INTEREST],
            principal=parts[LedgerPart.PRINCIPAL],
        )


def _part(balance: Balance, part: LedgerPart) -> Money:
    if part is LedgerPart.COSTS:
        return balance.costs
    if part is LedgerPart.INTEREST:
        return balance.interest
    return balance.principal


def _check_amount(amount: Money, field: str) -> None:
    if amount.is_negative:
        raise InputError(f"{amount} must not be negative", Location(field=field))
    if not amount.is_rounded():
        raise InputError(f"{amount} has more than two decimals", Location(field=field))


def allocate_within(
    amount: Money, outstanding: Balance, order: AllocationOrder = AllocationOrder.STATUTORY
) -> PartsAllocation:
    """Apply ``amount`` to the parts of one debt in ``order`` (BW 6:44 or principal first).

    Each part receives at most what it has outstanding (a negative outstanding counts as zero);
    what is left over is ``unapplied``.
    """
    _check_amount(amount, "payment")
    nil = Money.zero(amount.currency)
    left = amount
    applied = dict.fromkeys(LedgerPart, nil)
    for part in order.parts:
        take = left.min(_part(outstanding, part).clamp_zero())
        applied[part] = take
        left = left - take
    paid = Balance(
        costs=applied[LedgerPart.COSTS],
        interest=applied[LedgerPart.INTEREST],
        principal=applied[LedgerPart.PRINCIPAL],
    )
    return PartsAllocation(applied=paid, remaining=outstanding - paid, unapplied=left)


_INTEREST_BURDEN = {InterestKind.COMMERCIAL: 0, InterestKind.CONSUMER: 1, InterestKind.NONE: 2}


def burden_key(debt: Debt) -> tuple[int, int, int]:
    """Most burdensome first (smaller sorts first): public, interest kind, outstanding costs.

    See the module docstring, step 3.
    """
    return (
        0 if debt.kind is ClaimKind.PUBLIC else 1,
        _INTEREST_BURDEN[debt.interest_kind],
        0 if debt.outstanding.costs.is_positive else 1,
    )


def _rank(debt: Debt, on: dt.date) -> tuple[int, tuple[int, int, int], dt.date]:
    return (0 if debt.is_due(on) else 1, burden_key(debt), debt.due_date)


def _reason(debt: Debt, on: dt.date, designated: bool) -> str:
    if designated:
        return "designated by the debtor (BW 6:43 lid 1)"
    due = "due" if debt.is_due(on) else "not yet due"
    kind = "public" if debt.kind is ClaimKind.PUBLIC else "private"
    return (
        f"{due}; {kind} claim, interest {debt.interest_kind.value}, "
        f"due {debt.due_date.isoformat()} (BW 6:43 lid 2)"
    )


def _groups(debts: Sequence[Debt], on: dt.date) -> list[list[Debt]]:
    """Debts in 6:43 order, equal ranks grouped (a group is split pro rata)."""
    ordered = sorted(debts, key=lambda d: (_rank(d, on), d.debt_id))
    groups: list[list[Debt]] = []
    for debt in ordered:
        if groups and _rank(groups[-1][0], on) == _rank(debt, on):
            groups[-1].append(debt)
        else:
            groups.append([debt])
    return groups


def allocate_payment(
    case: Case, payment: Payment, *, order: AllocationOrder = AllocationOrder.STATUTORY
) -> AllocationResult:
    """Apply ``payment`` to the open debts of ``case`` (BW 6:43 across, 6:44 or humane within).

    The payment date is ``payment.received_on`` (it decides which debts are due). Returns the
    updated case (each debt touched gets one :class:`~maatwerk.core.debts.AppliedPayment`), the
    lines, and the ``remainder`` that could not be applied (an overpayment, to refund or keep as
    credit: never dropped).
    """
    _check_amount(payment.amount, "payment")
    if payment.debtor_id != case.debtor_id:
        raise InputError(
            "the payment belongs to another debtor than the case", Location(field="debtor_id")
        )
    on = payment.received_on
    currency = payment.amount.currency
    left = payment.amount
    applied: dict[str, Balance] = {}
    lines: list[AllocationLine] = []

    def apply(debt: Debt, amount: Money, reason: str) -> Money:
        already = applied.get(debt.debt_id, Balance.zero(currency))
        result = allocate_within(amount, debt.outstanding - already, order)
        applied[debt.debt_id] = already + result.applied
        lines.extend(
            AllocationLine(
                debt_id=debt.debt_id, part=part, amount=_part(result.applied, part), reason=reason
            )
            for part in order.parts
            if _part(result.applied, part).is_positive
        )
        return result.unapplied

    open_debts = list(case.open_debts)
    designated = [d for d in open_debts if d.debt_id == payment.designated_debt_id]
    for debt in designated:
        left = apply(debt, left, _reason(debt, on, designated=True))
    rest = [d for d in open_debts if d.debt_id != payment.designated_debt_id]
    for group in _groups(rest, on):
        if not left.is_positive:
            break
        owed = [
            (d.outstanding - applied.get(d.debt_id, Balance.zero(currency))).total.clamp_zero()
            for d in group
        ]
        group_total = total(owed, currency)
        if not group_total.is_positive:
            continue
        if left >= group_total or len(group) == 1:
            for debt in group:
                left = apply(debt, left, _reason(debt, on, designated=False))
            continue
        shares = allocate(left, [o.amount for o in owed])
        left = Money.zero(currency)
        for debt, share in zip(group, shares, strict=True):
            if share.is_positive:
                left = left + apply(debt, share, _reason(debt, on, designated=False) + ", pro rata")
    updated = case
    for debt_id, parts in applied.items():
        if parts.total.is_positive:
            debt = updated.debt(debt_id)
            updated = updated.replace_debt(
                debt.with_payment(
                    AppliedPayment(payment_id=payment.payment_id, applied_on=on, parts=parts)
                )
            )
    return AllocationResult(
        case=updated, payment=payment, lines=tuple(lines), remainder=left, order=order
    )
