"""Funnel report from the store (trechterrapportage): what the engine did to a real portfolio.

:func:`gather_funnel` reads one period through the read-only :class:`ReportSource` port and
computes the same :class:`~maatwerk.services.funnel.FunnelFigures` the simulation produces, so
the report adapter renders both alike. The figures (CAK 2017 funnel shape, seeds 000/001):

* the stages and their definitions are those of :mod:`maatwerk.services.funnel` (the same as the
  simulation): bills due in the period -> households billed -> paid on time / in arrears (a bill
  due before the last day not settled by its due date) -> households in arrears reminded,
  called, with an arrangement (kept / broken by its latest arrangement), with a formal demand,
  at the bailiff -> recovered / written off; every step stage is a subset of In arrears;
* the CAK 2017 measure apart: households that paid every bill within 31 days, judged for bills
  due at least 31 days before the end;
* arrears ageing of the bills still open at the end; share of the arrears amount recovered;
* households protected: the decisions whose step was blocked, per reason (a guard or the BVV),
  as the decisions table records them;
* arrangements: the instalment against what the household can spare (``capacity``; the caller
  supplies it from the BVV tables, see :func:`capacity_from_tables`).

A household's latest arrangement accepted in the period counts as *kept* when it was completed,
or when it is still running at the end of the period without a breach; *broken* when an
:class:`ArrangementBreached` was recorded for it. The capacity chart shows every accepted
arrangement.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Final

from maatwerk.core.affordability import affordability
from maatwerk.core.debtors import Debtor
from maatwerk.core.errors import InputError
from maatwerk.core.events import (
    ActionKind,
    ArrangementAccepted,
    ArrangementBreached,
    ArrangementCompleted,
    ArrangementOffered,
    StepTaken,
)
from maatwerk.core.money import Money
from maatwerk.core.report_data import BillRow, ReportData, ReportSource
from maatwerk.core.subsistence import IncreaseNotComputableError, SubsistenceTables
from maatwerk.services.funnel import (
    AGEING_BUCKETS,
    AgeingBucket,
    ArrangementPoint,
    FunnelFigures,
    PolicyFigures,
    ProtectionReason,
)
from maatwerk.services.payloads import household_bvv


__all__ = [
    "Capacity",
    "capacity_from_tables",
    "figures_from_data",
    "gather_funnel",
    "revision_notes",
]

#: What a household can spare each month for a plan of the given total (``None``: unknown).
Capacity = Callable[[Debtor, Money, dt.date], Money | None]

_REMINDERS: Final = frozenset({ActionKind.PAYMENT_REMINDER, ActionKind.DIRECT_DEBIT_REPRESENTATION})
_DEMANDS: Final = frozenset({ActionKind.FOURTEEN_DAY_LETTER, ActionKind.FORMAL_DEMAND})
_WRITTEN_OFF: Final = "written-off"
_JUDGED_AFTER: Final = dt.timedelta(days=31)


def capacity_from_tables(tables: SubsistenceTables) -> Capacity:
    """Capacity = net income - protected income (BVV, Rv 475b-475i) on the day of the plan.

    ``None`` when the stored data do not determine the BVV (e.g. no gross income where the
    formula needs it): such an arrangement is left out of the capacity chart.
    """

    def capacity(debtor: Debtor, total: Money, on: dt.date) -> Money | None:
        if debtor.net_monthly_income is None:
            return None
        try:
            bvv = household_bvv(debtor, debtor.net_monthly_income, on, tables).bvv
        except (InputError, IncreaseNotComputableError):
            # not enough data to compute the BVV, or the Rv 475da lid 7 increase waits for a
            # person: the point is left out
            return None
        return affordability(
            net_income=debtor.net_monthly_income, protected=bvv, debt=total
        ).capacity

    return capacity


def revision_notes(tables: SubsistenceTables, period_to: dt.date) -> tuple[str, ...]:
    """A note when the period runs past a BVV table's next scheduled revision.

    The capacity figures of such days use the last figures in the tables, which may have been
    superseded by then: they are provisional, and the report says so.
    """
    notes: list[str] = []
    for table in (tables.maxima, tables.norms, tables.parameters):
        due = table.next_revision
        if due is not None and period_to >= due:
            last = table.entries[-1].valid_from
            notes.append(
                f"Provisional: from {due.isoformat()} on, protected-income (BVV) figures use the "
                f"{table.name} table of {last.isoformat()}, whose next revision was due on "
                f"{due.isoformat()}; capacities after that date may change."
            )
    return tuple(notes)


def gather_funnel(
    source: ReportSource,
    period_from: dt.date,
    period_to: dt.date,
    *,
    capacity: Capacity | None = None,
    title: str = "",
    source_label: str = "store",
    notes: Sequence[str] = (),
) -> FunnelFigures:
    """The funnel figures of the period, read from ``source`` (one column: the store)."""
    data = source.report_data(period_from, period_to)
    return figures_from_data(
        data, capacity=capacity, title=title, source_label=source_label, notes=notes
    )


def figures_from_data(
    data: ReportData,
    *,
    capacity: Capacity | None = None,
    title: str = "",
    source_label: str = "store",
    notes: Sequence[str] = (),
) -> FunnelFigures:
    """The figures for already-read report data (pure)."""
    column = _column(data, capacity)
    return FunnelFigures(
        title=title
        or (
            f"maatwerk funnel report {data.period_from.isoformat()} to {data.period_to.isoformat()}"
        ),
        period_from=data.period_from,
        period_to=data.period_to,
        columns=(column,),
        source=source_label,
        table_versions=data.policies,
        notes=(
            *notes,
            (
                "Bills due in the period; payments received up to its last day. Households "
                "billed: with a bill due in the period"
                + (
                    f" (of {data.portfolio_households:,} households in the store)"
                    if data.portfolio_households is not None
                    else ""
                )
                + ". In arrears: a bill due before the last day not paid by its due date; "
                "reminders, calls, arrangements, demands, bailiff, recovered and written off "
                "count only households in arrears. Arrangements kept/broken: by each "
                "household's latest arrangement (kept = completed or running without a breach)."
            ),
            (
                "'Below BVV' counts households whose accepted plan asks more per month than "
                "their income above the protected income (BVV)."
            ),
        ),
    )


def _column(data: ReportData, capacity: Capacity | None) -> PolicyFigures:
    last = data.period_to
    judged_until = last - _JUDGED_AFTER
    by_debtor: dict[str, list[BillRow]] = defaultdict(list)
    for bill in data.bills:
        by_debtor[bill.debtor_id].append(bill)
    steps: dict[str, Counter[ActionKind]] = defaultdict(Counter)
    written_off_ids: set[str] = set()
    offers: dict[str, ArrangementOffered] = {}
    accepted: list[ArrangementAccepted] = []
    completed: set[str] = set()
    breached: set[str] = set()
    for record in data.events:
        event = record.event
        if isinstance(event, StepTaken):
            steps[event.debtor_id][event.action] += 1
            if event.action is ActionKind.WRITE_OFF:
                written_off_ids.update(event.debt_ids)
        elif isinstance(event, ArrangementOffered):
            offers[event.arrangement_id] = event
        elif isinstance(event, ArrangementAccepted):
            accepted.append(event)
        elif isinstance(event, ArrangementCompleted):
            completed.add(event.arrangement_id)
        elif isinstance(event, ArrangementBreached):
            breached.add(event.arrangement_id)

    on_time = within_31 = not_within_31 = recovered = written_off = 0
    billed = arrears_total = arrears_recovered = written_off_amount = Money.zero()
    resolution_days: list[int] = []
    ageing_bills = [0] * len(AGEING_BUCKETS)
    ageing_amounts = [Money.zero()] * len(AGEING_BUCKETS)
    arrears: set[str] = set()
    for debtor_id, bills in by_debtor.items():
        billed = sum((b.principal for b in bills), billed)
        judged = [b for b in bills if b.due_date <= judged_until]
        late = [b for b in judged if _settled(b) > b.due_date + _JUDGED_AFTER]
        if judged and not late:
            within_31 += 1
        elif late:
            not_within_31 += 1
        overdue = [b for b in bills if b.due_date < last and _settled(b) > b.due_date]
        if not overdue:
            on_time += 1
            continue
        # ---- households in arrears: every later stage is a subset of these
        arrears.add(debtor_id)
        for bill in overdue:
            arrears_total = arrears_total + bill.principal
            arrears_recovered = arrears_recovered + bill.paid_principal
        gone = [b for b in bills if b.status == _WRITTEN_OFF or b.debt_id in written_off_ids]
        if gone:
            written_off += 1
            written_off_amount = sum(
                ((b.principal - b.paid_principal).clamp_zero() for b in gone), written_off_amount
            )
        still_open = [
            b for b in bills if b.settled_on is None and b.due_date < last and b not in gone
        ]
        if not still_open and not gone:
            recovered += 1
            first = min(b.due_date for b in overdue) + dt.timedelta(days=1)
            resolution_days.append((max(_settled(b) for b in overdue) - first).days)
        for bill in still_open:
            days_overdue = (last - bill.due_date).days
            for index, (_, low, high) in enumerate(AGEING_BUCKETS):
                if days_overdue >= low and (high is None or days_overdue <= high):
                    ageing_bills[index] += 1
                    ageing_amounts[index] = ageing_amounts[index] + bill.outstanding

    debtors = {d.debtor_id: d for d in data.debtors}
    points: list[ArrangementPoint] = []
    below: set[str] = set()
    latest: dict[str, ArrangementAccepted] = {}
    for event in accepted:
        latest[event.debtor_id] = event  # events come in recording order
        is_kept = event.arrangement_id not in breached
        offer = offers.get(event.arrangement_id)
        debtor = debtors.get(event.debtor_id)
        if capacity is None or offer is None or debtor is None or offer.instalment is None:
            continue
        total = offer.instalment * (offer.instalments or 1)
        spare = capacity(debtor, total, event.occurred_on)
        if spare is None:
            continue
        points.append(ArrangementPoint(instalment=offer.instalment, capacity=spare, kept=is_kept))
        if offer.instalment > spare:
            below.add(event.debtor_id)
    arranged = {d: e for d, e in latest.items() if d in arrears}
    broken = sum(1 for e in arranged.values() if e.arrangement_id in breached)
    kept = len(arranged) - broken

    def households(kinds: frozenset[ActionKind]) -> int:
        return sum(1 for d, counts in steps.items() if d in arrears and counts.keys() & kinds)

    average = (
        (Decimal(sum(resolution_days)) / Decimal(len(resolution_days))).quantize(Decimal("0.1"))
        if resolution_days
        else None
    )
    return PolicyFigures(
        policy=", ".join(sorted({p.split("@")[0] for p in data.policies})) or "store",
        policy_version=", ".join(data.policies),
        debtors=len(by_debtor) if data.portfolio_households is None else data.portfolio_households,
        bills=len(data.bills),
        billed=billed,
        paid_on_time=on_time,
        paid_within_31_days=within_31,
        in_arrears=len(arrears),
        reminders=households(_REMINDERS),
        calls=households(frozenset({ActionKind.PHONE_CALL})),
        arrangements=len(arranged),
        arrangements_kept=kept,
        arrangements_broken=broken,
        demands=households(_DEMANDS),
        bailiff=households(frozenset({ActionKind.BAILIFF_HANDOVER})),
        recovered=recovered,
        written_off=written_off,
        arrears_total=arrears_total,
        arrears_recovered=arrears_recovered,
        written_off_amount=written_off_amount,
        costs_charged=data.costs_charged,
        below_bvv=len(below),
        avg_days_to_resolution=average,
        ageing=tuple(
            AgeingBucket(label=label, bills=n, amount=amount)
            for (label, _, _), n, amount in zip(
                AGEING_BUCKETS, ageing_bills, ageing_amounts, strict=True
            )
        ),
        protected=tuple(
            ProtectionReason(reason=r.reason, decisions=r.decisions, households=r.households)
            for r in data.blocked
            if r.reason not in SCHEDULING_REASONS
        ),
        arrangement_points=tuple(points),
        households_billed=len(by_debtor),
        not_within_31_days=not_within_31,
    )


#: Blocks that only move a step to another day (a call on the next working day, or after the
#: call postponed that way): scheduling, not a step left out to protect the household.
SCHEDULING_REASONS: Final = frozenset({"call-day", "call-first"})


def _settled(bill: BillRow) -> dt.date:
    return bill.settled_on if bill.settled_on is not None else dt.date.max
