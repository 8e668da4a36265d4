"""What the funnel report reads from storage (rapportagegegevens), and the port that gives it.

The report service (:mod:`maatwerk.services.reporting`) turns a :class:`ReportData` into the
funnel figures; a storage adapter implements :class:`ReportSource` with read-only queries. The
records are plain values: a bill with what was paid on it by the end of the period, the domain
events that mark the funnel's steps, and the steps the engine did not take (blocked decisions)
counted per reason.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

import attrs

from maatwerk.core.debtors import Debtor
from maatwerk.core.money import Money
from maatwerk.core.ports import RecordedEvent


__all__ = ["BillRow", "BlockedRow", "ReportData", "ReportSource"]


@attrs.frozen(kw_only=True)
class BillRow:
    """One bill (vordering) due in the period, with its payments received by the period's end."""

    debt_id: str
    debtor_id: str
    principal: Money
    charges: Money
    """collection costs and interest posted on the bill by the end of the period"""
    due_date: dt.date
    status: str
    """the stored status (``open``, ``paid``, ``written-off`` ...)"""
    paid_principal: Money
    paid_total: Money
    settled_on: dt.date | None = None
    """the day the payment that cleared the bill was received; ``None`` while it is open"""

    @property
    def outstanding(self) -> Money:
        return (self.principal + self.charges - self.paid_total).clamp_zero()


@attrs.frozen(kw_only=True)
class BlockedRow:
    """Decisions in the period whose next step was blocked, for one reason (guard or BVV)."""

    reason: str
    decisions: int
    households: int


@attrs.frozen(kw_only=True)
class ReportData:
    """Everything the funnel report needs for one period, read in one go."""

    period_from: dt.date
    period_to: dt.date
    bills: tuple[BillRow, ...]
    events: tuple[RecordedEvent, ...]
    """domain events in the period that mark funnel steps (steps taken, contacts, arrangements)"""
    blocked: tuple[BlockedRow, ...]
    costs_charged: Money
    """collection costs posted in the period"""
    debtors: tuple[Debtor, ...] = ()
    """the debtors who accepted an arrangement in the period (to size their capacity)"""
    policies: tuple[str, ...] = ()
    """the policy labels (``name@version``) the decisions of the period were taken under"""
    portfolio_households: int | None = None
    """every household (debtor) in the store, billed in the period or not (``None``: unknown)"""


class ReportSource(Protocol):
    """Read-only queries for the funnel report (the SQL store implements it)."""

    def report_data(self, period_from: dt.date, period_to: dt.date) -> ReportData:
        """The bills due from ``period_from`` up to and including ``period_to``, and the events,
        blocked decisions and costs of those days."""
        ...
