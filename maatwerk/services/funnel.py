"""Funnel figures (trechtercijfers): what a policy did to a portfolio over a period.

:class:`FunnelFigures` is the typed value the report adapter renders (HTML with charts, and JSON).
It holds one :class:`PolicyFigures` column per policy, so a simulation can show ``humane`` and
``classic`` side by side. The figures are gathered from the store
(:mod:`maatwerk.services.reporting`); the simulation gathers one column per policy database.

The funnel follows the CAK 2017 infographic (seeds 000/001): bills -> paid on time -> reminders ->
phone calls -> arrangements -> arrangements kept -> formal demands -> bailiff -> recovered /
written off.

Stage definitions (the same for the simulation and the store; see docs/simulation-model.md):

* **Bills**: bills due in the period (unit: bills).
* **Households billed**: households with at least one bill due in the period. ``debtors`` is
  the whole portfolio; households whose bills all fall due after the period are not billed yet.
* **Paid on time** and **In arrears** split the billed households: *in arrears* when at least
  one bill due before the last day of the period was not settled by its due date; *paid on time*
  otherwise (a bill due on the last day is not overdue yet).
* **Reminders, Phone calls, Arrangements, Formal demands, Bailiff**: households *in arrears*
  that received that step (or accepted an arrangement) in the period; each is a subset of In
  arrears. Steps for households without an overdue bill of the period are not counted.
* **Arrangements kept** (subset of Arrangements): households whose latest arrangement was
  completed or is still running without a breach; **broken**: latest arrangement breached.
  ``arrangements_kept + arrangements_broken == arrangements``.
* **Recovered** / **Written off** (subsets of In arrears): every overdue bill settled and
  nothing written off / some bill written off.

The CAK 2017 measure (paid within 31 days) is kept apart: ``paid_within_31_days`` and
``not_within_31_days`` count households with a bill due at least 31 days before the end.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Final

import attrs

from maatwerk.core.money import Money


__all__ = [
    "AGEING_BUCKETS",
    "AgeingBucket",
    "ArrangementPoint",
    "FunnelFigures",
    "FunnelStage",
    "PolicyFigures",
    "ProtectionReason",
]

#: Arrears ageing buckets: (label, first day overdue, last day overdue or None).
AGEING_BUCKETS: Final[tuple[tuple[str, int, int | None], ...]] = (
    ("1-30 days", 1, 30),
    ("31-60 days", 31, 60),
    ("61-90 days", 61, 90),
    ("91-180 days", 91, 180),
    ("over 180 days", 181, None),
)


@attrs.frozen(kw_only=True)
class FunnelStage:
    """One step of the funnel: how many households (or bills) reached it."""

    key: str
    label: str
    count: int
    unit: str = "households"


@attrs.frozen(kw_only=True)
class AgeingBucket:
    """Open arrears at the end of the period, by days overdue."""

    label: str
    bills: int
    amount: Money


@attrs.frozen(kw_only=True)
class ProtectionReason:
    """Steps the engine did not take to protect a household, by reason (BVV, guard)."""

    reason: str
    decisions: int
    households: int


@attrs.frozen(kw_only=True)
class ArrangementPoint:
    """One arrangement: the monthly instalment against what the household can spare."""

    instalment: Money
    capacity: Money
    kept: bool


@attrs.frozen(kw_only=True)
class PolicyFigures:
    """The figures of one policy over the period (one column of the report)."""

    policy: str
    policy_version: str = ""
    debtors: int
    bills: int
    billed: Money
    paid_on_time: int
    """households that paid every bill due in the period by its due date"""
    paid_within_31_days: int
    """households that paid every bill within 31 days of its due date (the CAK 2017 measure,
    judged for bills due at least 31 days before the end)"""
    in_arrears: int
    """billed households with a bill due before the last day not settled by its due date"""
    reminders: int
    """households in arrears that got a payment reminder or a re-presented direct debit"""
    calls: int
    """households in arrears that got a phone call"""
    arrangements: int
    """households in arrears that accepted an arrangement"""
    arrangements_kept: int
    """of those, households whose latest arrangement was completed or runs without a breach"""
    arrangements_broken: int
    """of those, households whose latest arrangement was breached"""
    demands: int
    """households in arrears that got a 14-day letter or a formal demand (aanmaning)"""
    bailiff: int
    """households in arrears handed to the bailiff"""
    recovered: int
    """households in arrears that settled every overdue bill by the end, nothing written off"""
    written_off: int
    """households in arrears with a bill written off"""
    arrears_total: Money
    """everything that fell overdue in the period (principal)"""
    arrears_recovered: Money
    """of that, what was paid by the end of the period"""
    written_off_amount: Money
    costs_charged: Money
    """collection costs (BIK, aanmaning fees) and bailiff costs charged to debtors"""
    below_bvv: int
    """households whose plan or bailiff step took more than income minus protected income"""
    avg_days_to_resolution: Decimal | None
    """mean days from first overdue bill to paid in full, over recovered households"""
    ageing: tuple[AgeingBucket, ...] = ()
    protected: tuple[ProtectionReason, ...] = ()
    arrangement_points: tuple[ArrangementPoint, ...] = ()
    households_billed: int | None = None
    """households with a bill due in the period (``None``: all ``debtors``)"""
    not_within_31_days: int | None = None
    """households with a bill not settled within 31 days of its due date (CAK 2017
    "betaalachterstand"; ``None``: taken as ``in_arrears``, the older meaning)"""

    @property
    def billed_households(self) -> int:
        """Households with a bill due in the period (the funnel's population)."""
        return self.debtors if self.households_billed is None else self.households_billed

    @property
    def share_recovered(self) -> Decimal:
        """Share of the arrears amount recovered (0 when there were no arrears)."""
        if not self.arrears_total.is_positive:
            return Decimal(0)
        return self.arrears_recovered.ratio(self.arrears_total)

    @property
    def share_paid_within_31_days(self) -> Decimal:
        """Of the households with a bill due at least 31 days before the end, those that paid
        every such bill within 31 days (the CAK 2017 measure: 93.5 %)."""
        late = self.in_arrears if self.not_within_31_days is None else self.not_within_31_days
        judged = self.paid_within_31_days + late
        return Decimal(self.paid_within_31_days) / Decimal(judged) if judged else Decimal(0)

    @property
    def share_kept(self) -> Decimal:
        finished = self.arrangements_kept + self.arrangements_broken
        return Decimal(self.arrangements_kept) / Decimal(finished) if finished else Decimal(0)

    @property
    def households_protected(self) -> int:
        return sum(p.households for p in self.protected)

    def stages(self) -> tuple[FunnelStage, ...]:
        """The funnel from bills to recovered / written off."""
        return (
            FunnelStage(key="bills", label="Bills", count=self.bills, unit="bills"),
            FunnelStage(key="debtors", label="Households billed", count=self.billed_households),
            FunnelStage(key="on_time", label="Paid on time", count=self.paid_on_time),
            FunnelStage(key="in_arrears", label="In arrears", count=self.in_arrears),
            FunnelStage(key="reminders", label="Reminders", count=self.reminders),
            FunnelStage(key="calls", label="Phone calls", count=self.calls),
            FunnelStage(key="arrangements", label="Arrangements", count=self.arrangements),
            FunnelStage(key="kept", label="Arrangements kept", count=self.arrangements_kept),
            FunnelStage(key="demands", label="Formal demands", count=self.demands),
            FunnelStage(key="bailiff", label="Bailiff", count=self.bailiff),
            FunnelStage(key="recovered", label="Recovered", count=self.recovered),
            FunnelStage(key="written_off", label="Written off", count=self.written_off),
        )


@attrs.frozen(kw_only=True)
class FunnelFigures:
    """Everything the funnel report shows: one column per policy, for one period."""

    title: str
    period_from: dt.date
    period_to: dt.date
    columns: tuple[PolicyFigures, ...]
    source: str
    """where the figures come from, e.g. ``simulation (seed 1, 5000 debtors)`` or ``store``"""
    table_versions: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def __attrs_post_init__(self) -> None:
        if not self.columns:
            raise ValueError("a funnel report needs at least one policy column")
        if self.period_to < self.period_from:
            raise ValueError("period_to is before period_from")
