"""Funnel figures (trechtercijfers): what a policy did to a portfolio over a period.

:class:`FunnelFigures` is the typed value the report adapter renders (HTML with charts, and JSON).
It holds one :class:`PolicyFigures` column per policy, so a simulation can show ``humane`` and
``classic`` side by side. The figures are gathered either by the in-memory simulation
(:mod:`maatwerk.services.simulation`) or from the store.

The funnel follows the CAK 2017 infographic (seeds 000/001): bills -> paid on time -> reminders ->
phone calls -> arrangements -> arrangements kept -> formal demands -> bailiff -> recovered /
written off.
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
    """households that paid every bill within 31 days of its due date (the CAK 2017 measure)"""
    in_arrears: int
    """households with a bill not paid within 31 days of its due date (CAK: "betaalachterstand")"""
    reminders: int
    calls: int
    arrangements: int
    arrangements_kept: int
    arrangements_broken: int
    demands: int
    bailiff: int
    recovered: int
    """households that were in arrears and have paid everything due by the end"""
    written_off: int
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
        judged = self.paid_within_31_days + self.in_arrears
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
            FunnelStage(key="debtors", label="Households", count=self.debtors),
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
