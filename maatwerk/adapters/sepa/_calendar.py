"""The TARGET business-day calendar (``sepa``) for collection dates, built with ``holidays``.

TARGET2 is closed on weekends, 1 January, Good Friday, Easter Monday, 1 May, 25 and 26 December;
``holidays.financial_holidays("XECB")`` returns exactly these (FORMATS.md §1.5).
"""

from __future__ import annotations

import holidays

from maatwerk.core.calendar import SEPA, SEPA_WEEKEND, BusinessCalendar


__all__ = ["target_calendar"]


def target_calendar(first_year: int, last_year: int) -> BusinessCalendar:
    """The ``sepa`` calendar for ``first_year``..``last_year`` (asking outside that range raises)."""
    closed = holidays.financial_holidays("XECB", years=range(first_year, last_year + 1))
    return BusinessCalendar(
        name=SEPA,
        closed=frozenset(closed),
        weekend=SEPA_WEEKEND,
        first_year=first_year,
        last_year=last_year,
    )
