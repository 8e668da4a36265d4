"""The TARGET business-day calendar (``sepa``) for collection dates.

TARGET2 is closed on weekends, 1 January, Good Friday, Easter Monday, 1 May, 25 and 26 December
(docs/rules/deadlines.md). Closed days: :mod:`maatwerk.adapters.calendars`; this helper only
bounds the calendar to the years a file needs, so a question outside them raises instead of
silently answering as if there were no holidays.
"""

from __future__ import annotations

from maatwerk.adapters.calendars import target_closed_days
from maatwerk.core.calendar import SEPA, SEPA_WEEKEND, BusinessCalendar


__all__ = ["target_calendar"]


def target_calendar(first_year: int, last_year: int) -> BusinessCalendar:
    """The ``sepa`` calendar for ``first_year``..``last_year`` (asking outside that range raises)."""
    return BusinessCalendar(
        name=SEPA,
        closed=target_closed_days(first_year, last_year),
        weekend=SEPA_WEEKEND,
        first_year=first_year,
        last_year=last_year,
    )
