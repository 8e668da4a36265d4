"""Whether a person's data may be erased yet (AVG art. 17 lid 3 sub b and e: not while a legal
duty to keep it applies, nor while it is needed for a claim).

Three reasons to keep the data, each named in the refusal: a debt still open (the claim is
being collected), a bailiff dossier still open (a hand-over for a debt not yet settled), and the
fiscal retention period: the records behind the bookings are kept seven years (AWR art. 52 lid
4, BW 2:10 lid 3; dated table ``rules/retention.toml``), counted from the end of the calendar
year of the last booking about the person (an assumption of this engine: the law counts from
the record; the year end is the usual practice and never earlier).
"""

from __future__ import annotations

import datetime as dt

import attrs


__all__ = ["ErasureFacts", "RetentionParams", "erasure_refusals", "fiscal_retention_ends"]


@attrs.frozen
class RetentionParams:
    """One entry of the retention table: years the bookkeeping records are kept."""

    fiscal_years: int


@attrs.frozen
class ErasureFacts:
    """What decides whether one person's data may be erased."""

    open_debts: tuple[str, ...]
    bailiff_handovers: tuple[str, ...]
    """debts handed over to a bailiff that are still open"""
    last_booking: dt.date | None
    """the latest due date, payment or closing about the person"""


def fiscal_retention_ends(last_booking: dt.date, params: RetentionParams) -> dt.date:
    """The last day the records of a booking on ``last_booking`` must be kept."""
    return dt.date(last_booking.year + params.fiscal_years, 12, 31)


def erasure_refusals(facts: ErasureFacts, today: dt.date, params: RetentionParams) -> list[str]:
    """Why the data may not be erased on ``today``; ``[]`` when it may (plain English, no
    personal data: debt ids and dates only)."""
    reasons: list[str] = []
    if facts.bailiff_handovers:
        reasons.append(
            "a bailiff dossier is open (debt "
            + ", ".join(sorted(facts.bailiff_handovers))
            + " handed over and not settled)"
        )
    if facts.open_debts:
        reasons.append("debt " + ", ".join(sorted(facts.open_debts)) + " is still open")
    if facts.last_booking is not None:
        ends = fiscal_retention_ends(facts.last_booking, params)
        if today <= ends:
            reasons.append(
                f"the fiscal retention period runs until {ends.isoformat()} "
                f"({params.fiscal_years} years, AWR art. 52 lid 4)"
            )
    return reasons
