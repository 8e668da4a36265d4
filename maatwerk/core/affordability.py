"""Affordability (afloscapaciteit): what a household can spare each month for one creditor.

Seed 002 (MAST): count the debtor's other arrears and arrangements before agreeing a plan or a
referral. Seed 004 (RWV): the subsistence minimum must always be guaranteed. So:

1. room = net income (incl. holiday pay) − protected income (BVV), never below zero;
2. minus what is already committed each month: other arrangements, source deductions, running
   attachments (seed 002);
3. the rest is shared pro rata (by outstanding amount) over the creditors known to the deployment
   that still need a plan, this one included, with :func:`maatwerk.core.money.allocate`, so one
   plan never starves another.

The capacity for this creditor is therefore never above ``income − BVV``.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from maatwerk.core.errors import InputError, Location
from maatwerk.core.money import Money, Rounding, allocate


__all__ = [
    "Affordability",
    "AffordabilityLine",
    "Commitment",
    "OtherDebt",
    "affordability",
    "deduction_amount",
]


@attrs.frozen(kw_only=True)
class Commitment:
    """A monthly amount the household already pays: another arrangement, a deduction, a levy."""

    label: str
    monthly: Money


@attrs.frozen(kw_only=True)
class OtherDebt:
    """An arrear at another creditor, known to the deployment, not (yet) in a plan."""

    label: str
    outstanding: Money


@attrs.frozen(kw_only=True)
class AffordabilityLine:
    term: str
    value: Money
    note: str = ""


@attrs.frozen(kw_only=True)
class Affordability:
    """Monthly capacity for this creditor, the household's total room, and the lines."""

    capacity: Money
    """what this creditor's plan may ask per month"""
    room: Money
    """income − BVV, at least zero"""
    free: Money
    """room − commitments, at least zero: shared over the creditors without a plan"""
    share: tuple[Money, ...]
    """the free room per creditor: this one first, then ``other_debts`` in order"""
    lines: tuple[AffordabilityLine, ...]


def affordability(
    *,
    net_income: Money,
    protected: Money,
    debt: Money,
    commitments: Sequence[Commitment] = (),
    other_debts: Sequence[OtherDebt] = (),
) -> Affordability:
    """Capacity for one creditor's plan (see the module docstring).

    ``net_income`` and ``protected`` must belong together: the net monthly income incl. holiday pay
    the BVV was computed for, and that BVV (after the 475db reductions for a spouse's income, so
    do not add the spouse's income here). ``debt`` is what this creditor's plan must clear; it
    weighs this creditor's share against ``other_debts``.
    """
    for name, value in (("net_income", net_income), ("protected", protected), ("debt", debt)):
        if value.is_negative:
            raise InputError("must not be negative", Location(field=name))
    for item in commitments:
        if item.monthly.is_negative:
            raise InputError("must not be negative", Location(field=f"commitment {item.label}"))
    for other in other_debts:
        if other.outstanding.is_negative:
            raise InputError("must not be negative", Location(field=f"other debt {other.label}"))
    currency = net_income.currency
    lines = [
        AffordabilityLine(term="Netto-inkomen per maand incl. vakantiegeld", value=net_income),
        AffordabilityLine(term="Min: beslagvrije voet", value=-protected, note="Rv 475da-475dc"),
    ]
    room = (net_income - protected).clamp_zero().rounded(Rounding.DOWN)
    lines.append(AffordabilityLine(term="Ruimte boven de beslagvrije voet", value=room))
    committed = Money.zero(currency)
    for item in commitments:
        lines.append(AffordabilityLine(term=f"Min: {item.label}", value=-item.monthly))
        committed = committed + item.monthly
    free = (room - committed).clamp_zero().rounded(Rounding.DOWN)
    if commitments:
        note = "" if room >= committed else "lopende verplichtingen zijn al hoger dan de ruimte"
        lines.append(
            AffordabilityLine(term="Vrije ruimte na lopende regelingen", value=free, note=note)
        )
    weights = [debt.amount, *(d.outstanding.amount for d in other_debts)]
    if free.is_positive and other_debts and sum(weights) > 0:
        share = tuple(allocate(free, weights))
        lines.append(
            AffordabilityLine(
                term="Naar verhouding gedeeld met andere schuldeisers",
                value=share[0],
                note=f"{debt.format()} van {Money(sum(weights)).format()} aan open schulden",
            )
        )
    else:
        share = (free, *(Money.zero(currency) for _ in other_debts))
    capacity = share[0]
    lines.append(AffordabilityLine(term="Aflossen per maand voor deze schuldeiser", value=capacity))
    return Affordability(capacity=capacity, room=room, free=free, share=share, lines=tuple(lines))


def deduction_amount(instalment: Money, net_income: Money, protected_income: Money) -> Money:
    """What a payer may deduct this month for an agreed instalment: the instalment, never more
    than net income minus the protected income (BVV), never below zero.

    A voluntary deduction at source (looninhouding) is valid only as far as the wages could be
    attached (BW 7:633), so the household keeps its BVV (Rv 475d) whatever was agreed.
    """
    room = (net_income - protected_income).clamp_zero()
    return instalment.clamp_zero().min(room)
