"""Business-day calendars and Algemene termijnenwet deadlines, with injected closed days."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from maatwerk.core.calendar import (
    ATW,
    CALENDAR,
    SEPA,
    BusinessCalendar,
    CalendarRangeError,
    Calendars,
    UnknownCalendarError,
    add_days,
    explain_legal_deadline,
    legal_deadline,
    plain_calendar,
)
from maatwerk.core.errors import InputError


D = dt.date

# Hand-written closed days for 2026 (the adapter test checks the real ones from `holidays`).
ATW_2026 = frozenset(
    {
        D(2026, 1, 1),
        D(2026, 1, 2),  # bridge day (decree)
        D(2026, 4, 3),  # Good Friday
        D(2026, 4, 6),  # Easter Monday
        D(2026, 4, 27),  # King's Day
        D(2026, 5, 5),  # 5 May, every year under the Atw
        D(2026, 5, 14),  # Ascension
        D(2026, 5, 15),  # bridge day (decree)
        D(2026, 5, 25),  # Whit Monday
        D(2026, 12, 25),
        D(2026, 12, 26),
    }
)
SEPA_2026 = frozenset(
    {D(2026, 1, 1), D(2026, 4, 3), D(2026, 4, 6), D(2026, 5, 1), D(2026, 12, 25), D(2026, 12, 26)}
)
ATW_CAL = BusinessCalendar(name=ATW, closed=ATW_2026, first_year=2026, last_year=2026)
SEPA_CAL = BusinessCalendar(name=SEPA, closed=SEPA_2026, first_year=2026, last_year=2026)
CALS = Calendars((plain_calendar(), SEPA_CAL, ATW_CAL))

days_2026 = st.dates(min_value=D(2026, 1, 1), max_value=D(2026, 10, 31))
closed_sets = st.frozensets(
    st.dates(min_value=D(2026, 1, 1), max_value=D(2026, 12, 31)), max_size=60
)


class TestBusinessCalendar:
    """Open days are neither weekend nor closed; counting starts after the given day."""

    def test_weekend_and_closed(self) -> None:
        assert SEPA_CAL.is_business_day(D(2026, 5, 4))  # Monday
        assert not SEPA_CAL.is_business_day(D(2026, 5, 2))  # Saturday
        assert not SEPA_CAL.is_business_day(D(2026, 5, 1))  # TARGET closing day
        assert SEPA_CAL.is_business_day(D(2026, 5, 5))
        assert not ATW_CAL.is_business_day(D(2026, 5, 5))

    def test_closed_reason(self) -> None:
        assert ATW_CAL.closed_reason(D(2026, 5, 9)) == "Saturday"
        assert ATW_CAL.closed_reason(D(2026, 5, 15)) == "closed day"
        assert ATW_CAL.closed_reason(D(2026, 5, 18)) is None

    def test_next_and_previous_business_day(self) -> None:
        assert ATW_CAL.next_business_day(D(2026, 5, 18)) == D(2026, 5, 18)
        assert ATW_CAL.next_business_day(D(2026, 5, 14)) == D(2026, 5, 18)
        assert ATW_CAL.previous_business_day(D(2026, 5, 17)) == D(2026, 5, 13)

    def test_add_business_days_forward(self) -> None:
        # Wed 13 May + 1 skips Ascension, bridge day and weekend.
        assert ATW_CAL.add_business_days(D(2026, 5, 13), 1) == D(2026, 5, 18)
        assert SEPA_CAL.add_business_days(D(2026, 5, 13), 1) == D(2026, 5, 14)
        # From a Saturday, the first business day after it is Monday.
        assert SEPA_CAL.add_business_days(D(2026, 5, 9), 1) == D(2026, 5, 11)
        assert SEPA_CAL.add_business_days(D(2026, 5, 9), 0) == D(2026, 5, 11)

    def test_add_business_days_backward(self) -> None:
        # Two SEPA business days before Tuesday 5 May 2026: Fri 1 May is closed -> Thu 30 Apr.
        assert SEPA_CAL.add_business_days(D(2026, 5, 5), -2) == D(2026, 4, 30)
        assert SEPA_CAL.add_business_days(D(2026, 5, 5), -1) == D(2026, 5, 4)

    def test_business_days_between(self) -> None:
        assert SEPA_CAL.business_days_between(D(2026, 4, 30), D(2026, 5, 5)) == 2
        assert SEPA_CAL.business_days_between(D(2026, 5, 5), D(2026, 4, 30)) == -2
        assert SEPA_CAL.business_days_between(D(2026, 5, 5), D(2026, 5, 5)) == 0

    def test_plain_calendar_counts_every_day(self) -> None:
        cal = plain_calendar()
        assert cal.is_business_day(D(2026, 12, 25))
        assert cal.add_business_days(D(2026, 12, 24), 2) == D(2026, 12, 26)
        assert cal.business_days_between(D(2020, 1, 1), D(2021, 1, 1)) == 366

    def test_outside_known_years(self) -> None:
        with pytest.raises(CalendarRangeError, match="2026-2026"):
            ATW_CAL.is_business_day(D(2027, 1, 4))
        with pytest.raises(CalendarRangeError):
            ATW_CAL.add_business_days(D(2026, 12, 30), 3)

    def test_invalid_construction(self) -> None:
        with pytest.raises(ValueError, match="outside"):
            BusinessCalendar(name="x", closed={D(2025, 1, 1)}, first_year=2026, last_year=2026)
        with pytest.raises(ValueError, match="both"):
            BusinessCalendar(name="x", first_year=2026)
        with pytest.raises(ValueError, match="open weekday"):
            BusinessCalendar(name="x", weekend=range(7))

    @given(start=days_2026, n=st.integers(min_value=-40, max_value=40), closed=closed_sets)
    def test_add_lands_on_business_day_and_inverts(
        self, start: dt.date, n: int, closed: frozenset[dt.date]
    ) -> None:
        cal = BusinessCalendar(name="x", closed=closed)
        result = cal.add_business_days(start, n)
        assert cal.is_business_day(result)
        if n != 0:
            assert cal.business_days_between(start, result) == n
            assert (result > start) == (n > 0)

    @given(start=days_2026, n=st.integers(min_value=0, max_value=40), closed=closed_sets)
    def test_add_is_monotone(self, start: dt.date, n: int, closed: frozenset[dt.date]) -> None:
        cal = BusinessCalendar(name="x", closed=closed)
        assert cal.add_business_days(start, n) <= cal.add_business_days(start, n + 1)


class TestCalendars:
    """Calendars are chosen by name; a wrong name lists the names available."""

    def test_get(self) -> None:
        assert CALS.get(ATW) is ATW_CAL
        assert CALS.names == (ATW, CALENDAR, SEPA)
        assert SEPA in CALS
        assert "target" not in CALS

    def test_unknown_name_lists_available(self) -> None:
        with pytest.raises(UnknownCalendarError, match="available: atw, calendar, sepa"):
            CALS.get("target")

    def test_duplicate_names_refused(self) -> None:
        with pytest.raises(ValueError, match="duplicate"):
            Calendars((SEPA_CAL, SEPA_CAL))

    def test_add_days_semantics(self) -> None:
        # 14 days on `calendar` are calendar days; on `sepa`/`atw` business days.
        assert add_days(D(2026, 4, 30), 14, CALS.get(CALENDAR)) == D(2026, 5, 14)
        assert CALS.add_days(D(2026, 4, 30), 14, CALENDAR) == D(2026, 5, 14)
        assert CALS.add_days(D(2026, 4, 30), 14, SEPA) == D(2026, 5, 21)
        assert CALS.add_days(D(2026, 4, 30), 14, ATW) == D(2026, 5, 26)
        assert CALS.add_days(D(2026, 5, 14), -3, CALENDAR) == D(2026, 5, 11)


class TestLegalDeadline:
    """Atw: day 1 is the day after receipt; an end on a closed day moves on (art. 1, 2, 4)."""

    def test_ordinary_end(self) -> None:
        # Received Monday 2 Mar 2026: 14 days end on Monday 16 Mar.
        assert legal_deadline(D(2026, 3, 2), 14, ATW_CAL) == D(2026, 3, 16)

    def test_end_on_sunday_moves_to_monday(self) -> None:
        result = explain_legal_deadline(D(2026, 3, 1), 14, ATW_CAL)
        assert result.nominal_end == D(2026, 3, 15)
        assert result.last_day == D(2026, 3, 16)
        assert any("Atw art. 1" in line for line in result.lines)

    def test_letter_received_thursday_30_april_2026(self) -> None:
        # 30 Apr + 14 = Thu 14 May (Ascension) -> Fri 15 May (bridge day) -> Sat, Sun -> Mon 18 May.
        assert legal_deadline(D(2026, 4, 30), 14, ATW_CAL) == D(2026, 5, 18)

    def test_5_may_every_year(self) -> None:
        # 21 Apr + 14 = Tue 5 May 2026 (not a lustrum year) -> Wed 6 May.
        assert legal_deadline(D(2026, 4, 21), 14, ATW_CAL) == D(2026, 5, 6)

    def test_art_2_two_working_days(self) -> None:
        # Received Thu 2 Apr 2026, 3 days: Sun 5 Apr -> Easter Monday -> Tue 7 Apr (art. 1). The term
        # (Fri 3 .. Tue 7) holds only one working day, so art. 2 extends it to Wed 8 Apr.
        result = explain_legal_deadline(D(2026, 4, 2), 3, ATW_CAL)
        assert result.last_day == D(2026, 4, 8)
        assert any("Atw art. 2" in line for line in result.lines)

    def test_art_2_not_for_terms_under_3_days(self) -> None:
        assert legal_deadline(D(2026, 4, 2), 2, ATW_CAL) == D(2026, 4, 7)

    def test_art_4_terms_over_90_days(self) -> None:
        # 91 days after 14 Feb 2026 is Saturday 16 May: no Atw (art. 4), so it stays.
        result = explain_legal_deadline(D(2026, 2, 14), 91, ATW_CAL)
        assert result.last_day == D(2026, 5, 16)
        assert not result.atw_applied
        # 90 days: still under the Atw. 14 Feb + 90 = Fri 15 May (bridge day) -> Mon 18 May.
        assert legal_deadline(D(2026, 2, 14), 90, ATW_CAL) == D(2026, 5, 18)

    def test_zero_days_refused(self) -> None:
        with pytest.raises(InputError, match="days"):
            legal_deadline(D(2026, 3, 2), 0, ATW_CAL)

    @given(received=days_2026, days=st.integers(min_value=1, max_value=60), closed=closed_sets)
    def test_never_ends_on_a_closed_day(
        self, received: dt.date, days: int, closed: frozenset[dt.date]
    ) -> None:
        cal = BusinessCalendar(name=ATW, closed=closed)
        result = explain_legal_deadline(received, days, cal)
        assert cal.is_business_day(result.last_day)
        assert result.last_day >= received + dt.timedelta(days=days)
        if days >= 3:
            assert cal.business_days_between(received, result.last_day) >= 2
        # Minimal: every day between the nominal end and the last day is closed, except when
        # art. 2 extended the term.
        if cal.business_days_between(received, result.nominal_end) >= 2 or days < 3:
            assert cal.closed_between(
                result.nominal_end, result.last_day - dt.timedelta(days=1)
            ) == (
                tuple(
                    result.nominal_end + dt.timedelta(days=i)
                    for i in range((result.last_day - result.nominal_end).days)
                )
            )
