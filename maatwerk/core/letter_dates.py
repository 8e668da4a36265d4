"""The dates a letter states: when it counts as received and the last day of its legal term.

One place computes them, for every letter and every reader: the daily run puts them in the
payload (the channel prints them, never computes them), the dispatcher dates them again on the
day the letter really goes out, and the policy's guards wait for the same last day.

* **Receipt** (:func:`~maatwerk.core.calendar.presumed_receipt`): the first postal delivery day
  on or after sending plus the days a letter is under way (table ``postal_delivery``).
* **14-day letter** (BW 6:96 lid 6): 14 days from the day after receipt, Atw-extended.
* **Aanmaning** (Awb 4:112): 2 weeks from the day after sending, Atw-extended.
* **Zvw notice** (Zvw 18b lid 1, and the second notice of lid 2): 4 weeks from the day after
  receipt, Atw-extended: the term to dispute the debt (lid 1), or to go to the SKGZ or the court
  (lid 2). No report to the CAK (18c) before it has run.
* **Arrangement offer** with a statutory answer term (Zvw 18a: 4 weeks to accept): that term from
  the day after receipt, Atw-extended.

Every term is extended on the ``atw`` calendar (:func:`~maatwerk.core.calendar.legal_deadline`).
"""

from __future__ import annotations

import datetime as dt
from typing import Final

import attrs

from maatwerk.core.calendar import (
    BusinessCalendar,
    PostalDelivery,
    legal_deadline,
    plain_calendar,
    presumed_receipt,
)
from maatwerk.core.collection_costs import FOURTEEN_DAYS
from maatwerk.core.events import ActionKind


__all__ = [
    "AANMANING_DAYS",
    "FOURTEEN_DAYS",
    "ZVW_NOTICE_DAYS",
    "LetterDates",
    "LetterTerms",
    "letter_dates",
    "zvw_notice_last_day",
]

AANMANING_DAYS: Final = 14
"""Awb 4:112 lid 1: two weeks to pay, from the day after the aanmaning was sent."""
ZVW_NOTICE_DAYS: Final = 28
"""Zvw 18b lid 1 and 2: four weeks to dispute (or, after a second notice, to go to the SKGZ or
the court), from the day after receipt of the notice."""


@attrs.frozen(kw_only=True)
class LetterTerms:
    """What the letter dates are computed with: the calendars, the post and the statutory terms.

    ``atw``: the Algemene termijnenwet calendar (the plain calendar when none is known).
    """

    atw: BusinessCalendar = attrs.field(factory=plain_calendar)
    delivery: PostalDelivery = PostalDelivery()
    fourteen_day_term: int = FOURTEEN_DAYS
    aanmaning_term: int = AANMANING_DAYS


@attrs.frozen(kw_only=True)
class LetterDates:
    """The dates one letter states.

    ``received_on``: presumed receipt. ``last_day``: the last day of the letter's legal term
    (inclusive), ``None`` when the letter has none. ``term_days`` and ``from_receipt`` say how
    it was counted (from the day after receipt, or after sending).
    """

    sent_on: dt.date
    received_on: dt.date
    last_day: dt.date | None = None
    term_days: int | None = None
    from_receipt: bool = True


def zvw_notice_last_day(received_on: dt.date, atw: BusinessCalendar) -> dt.date:
    """The last day of the 4-week term of a Zvw 18b notice received on ``received_on``."""
    return legal_deadline(received_on, ZVW_NOTICE_DAYS, atw)


def letter_dates(
    action: ActionKind,
    sent_on: dt.date,
    terms: LetterTerms,
    *,
    answer_days: int | None = None,
) -> LetterDates:
    """The dates of a letter for ``action`` sent on ``sent_on`` (see the module docstring).

    ``answer_days``: for an arrangement offer, the statutory days to accept it (Zvw 18a: 28);
    ``None``: the offer states no legal last day.
    """
    received = presumed_receipt(sent_on, terms.delivery, terms.atw)
    dates = LetterDates(sent_on=sent_on, received_on=received)
    match action:
        case ActionKind.FOURTEEN_DAY_LETTER:
            days = terms.fourteen_day_term
            last = legal_deadline(received, days, terms.atw)
        case ActionKind.FORMAL_DEMAND:
            days = terms.aanmaning_term
            last = legal_deadline(sent_on, days, terms.atw)
            return attrs.evolve(dates, last_day=last, term_days=days, from_receipt=False)
        case ActionKind.ZVW_NOTICE:
            days = ZVW_NOTICE_DAYS
            last = zvw_notice_last_day(received, terms.atw)
        case ActionKind.ARRANGEMENT_OFFER if answer_days is not None and answer_days > 0:
            days = answer_days
            last = legal_deadline(received, days, terms.atw)
        case _:
            return dates
    return attrs.evolve(dates, last_day=last, term_days=days)
