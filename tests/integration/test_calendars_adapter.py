"""The calendars built with the real ``holidays`` package and the shipped bridge-day table."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import holidays
import pytest

from maatwerk.adapters.calendars import (
    build_calendars,
    easter_sunday,
    load_bridge_days,
    target_closed_days,
)
from maatwerk.core.calendar import (
    ATW,
    CALENDAR,
    SEPA,
    BusinessCalendar,
    CalendarRangeError,
    explain_legal_deadline,
    legal_deadline,
)
from maatwerk.core.errors import RuleTableError


D = dt.date

DECREED = [
    D(2023, 4, 28),
    D(2023, 5, 19),
    D(2024, 5, 10),
    D(2024, 12, 27),
    D(2025, 5, 30),
    D(2026, 1, 2),
    D(2026, 5, 15),
    D(2027, 5, 7),
    D(2028, 4, 28),
    D(2028, 5, 26),
]


@pytest.fixture(scope="module")
def atw() -> BusinessCalendar:
    return build_calendars().get(ATW)


@pytest.fixture(scope="module")
def sepa() -> BusinessCalendar:
    return build_calendars().get(SEPA)


class TestShippedCalendars:
    """`sepa` closes on TARGET days; `atw` on Atw holidays, 5 May every year and decreed days."""

    def test_names_and_caching(self) -> None:
        calendars = build_calendars()
        assert calendars.names == (ATW, CALENDAR, SEPA)
        assert build_calendars() is calendars

    def test_liberation_day_every_year_on_atw_only(
        self, atw: BusinessCalendar, sepa: BusinessCalendar
    ) -> None:
        assert not atw.is_business_day(D(2026, 5, 5))
        assert sepa.is_business_day(D(2026, 5, 5))
        assert not atw.is_business_day(D(2027, 5, 5))  # not a lustrum year either
        assert D(2026, 5, 5) not in holidays.country_holidays(
            "NL", years=2026
        )  # the package alone would miss it

    def test_bridge_days_closed_on_atw_only(
        self, atw: BusinessCalendar, sepa: BusinessCalendar
    ) -> None:
        for day in DECREED:
            assert day.weekday() < 5
            assert not atw.is_business_day(day), day
        assert sepa.is_business_day(D(2026, 5, 15))
        assert atw.is_business_day(D(2026, 5, 13))

    def test_good_friday_and_target_days(
        self, atw: BusinessCalendar, sepa: BusinessCalendar
    ) -> None:
        assert not sepa.is_business_day(D(2026, 4, 3))
        assert not atw.is_business_day(D(2026, 4, 3))
        assert not sepa.is_business_day(D(2026, 4, 6))
        assert not sepa.is_business_day(D(2026, 5, 1))  # 1 May: TARGET, not Atw
        assert atw.is_business_day(D(2026, 5, 1))
        assert sepa.is_business_day(D(2026, 5, 14))  # Ascension: not a TARGET day
        assert not atw.is_business_day(D(2026, 5, 14))

    def test_christmas_and_kings_day(self, atw: BusinessCalendar, sepa: BusinessCalendar) -> None:
        for cal in (atw, sepa):
            assert not cal.is_business_day(D(2026, 12, 25))
            assert not cal.is_business_day(D(2026, 12, 26))
            assert not cal.is_business_day(D(2025, 12, 26))  # a Friday
        assert not atw.is_business_day(D(2026, 4, 27))  # King's Day, Monday
        assert sepa.is_business_day(D(2026, 4, 27))
        assert not atw.is_business_day(D(2026, 5, 25))  # Whit Monday

    def test_atw_only_for_decreed_years(self, atw: BusinessCalendar) -> None:
        assert (atw.first_year, atw.last_year) == (2023, 2028)
        assert all(v.table == "atw_bridge_days" for v in atw.versions)
        with pytest.raises(CalendarRangeError, match="2023-2028"):
            atw.is_business_day(D(2029, 1, 2))
        with pytest.raises(CalendarRangeError):
            legal_deadline(D(2022, 12, 20), 14, atw)

    def test_narrowed_range(self) -> None:
        calendars = build_calendars(2026, 2027)
        assert (calendars.get(SEPA).first_year, calendars.get(SEPA).last_year) == (2026, 2027)
        assert (calendars.get(ATW).first_year, calendars.get(ATW).last_year) == (2026, 2027)
        with pytest.raises(CalendarRangeError, match="add the decree"):
            build_calendars(2030, 2031)


class TestLegalDeadlines:
    """14-day letters and other statutory terms on the real Atw calendar."""

    def test_14_day_letter_received_thursday_30_april_2026(self, atw: BusinessCalendar) -> None:
        # Thu 14 May is Ascension, Fri 15 May a decreed day, then the weekend: Monday 18 May.
        result = explain_legal_deadline(D(2026, 4, 30), 14, atw)
        assert result.nominal_end == D(2026, 5, 14)
        assert result.last_day == D(2026, 5, 18)
        assert result.versions == atw.versions

    def test_letter_ending_on_5_may_2027(self, atw: BusinessCalendar) -> None:
        # Wed 5 May 2027, Thu 6 May Ascension, Fri 7 May decreed, weekend -> Monday 10 May.
        assert legal_deadline(D(2027, 4, 21), 14, atw) == D(2027, 5, 10)

    def test_letter_ending_on_a_plain_tuesday(self, atw: BusinessCalendar) -> None:
        assert legal_deadline(D(2026, 3, 3), 14, atw) == D(2026, 3, 17)

    def test_letter_over_christmas_2024(self, atw: BusinessCalendar) -> None:
        # 11 Dec 2024 + 14 = Wed 25 Dec; 26 Dec; Fri 27 Dec decreed; weekend -> Monday 30 Dec.
        assert legal_deadline(D(2024, 12, 11), 14, atw) == D(2024, 12, 30)

    def test_new_year_2026_bridge(self, atw: BusinessCalendar) -> None:
        # 18 Dec 2025 + 14 = Thu 1 Jan 2026; Fri 2 Jan decreed; weekend -> Monday 5 Jan.
        assert legal_deadline(D(2025, 12, 18), 14, atw) == D(2026, 1, 5)

    def test_three_day_cooling_off_example_2017(self, tmp_path: Path) -> None:
        # Worked example (staatsrechtpraktijk.nl, 2018): a 3-day term (BW 7:2) after signing on
        # Tue 19 Dec 2017 ends Fri 22 Dec; after Wed 20 Dec it ends Wed 27 Dec (Sat, Sun, Christmas).
        (tmp_path / "atw_bridge_days.toml").write_text(
            'table = "atw_bridge_days"\n'
            "[[entry]]\nvalid_from = 2017-01-01\n"
            'source = "Besluit gelijkstelling 2017-2019, Stcrt. 2016, 58653 (test copy)"\n'
            "[entry.values]\nfirst_year = 2017\nlast_year = 2019\n"
            "days = [2017-04-28, 2017-05-26, 2018-05-11, 2018-12-24, 2018-12-31, 2019-05-31,"
            " 2019-12-27]\n",
            encoding="utf-8",
        )
        atw = build_calendars(directory=tmp_path).get(ATW)
        assert legal_deadline(D(2017, 12, 19), 3, atw) == D(2017, 12, 22)
        assert legal_deadline(D(2017, 12, 20), 3, atw) == D(2017, 12, 27)


class TestBridgeDayTable:
    """The decree table is checked: dates inside the decree's years, no gap between decrees."""

    def test_shipped_table(self) -> None:
        bridge = load_bridge_days()
        assert sorted(bridge.days) == DECREED
        assert all(v.provisional for v in bridge.versions)

    def write(self, tmp_path: Path, entries: str) -> Path:
        (tmp_path / "atw_bridge_days.toml").write_text(
            f'table = "atw_bridge_days"\n{entries}', encoding="utf-8"
        )
        return tmp_path

    def test_gap_between_decrees_refused(self, tmp_path: Path) -> None:
        directory = self.write(
            tmp_path,
            '[[entry]]\nvalid_from = 2020-01-01\nsource = "a"\n[entry.values]\n'
            "first_year = 2020\nlast_year = 2021\ndays = []\n"
            '[[entry]]\nvalid_from = 2023-01-01\nsource = "b"\n[entry.values]\n'
            "first_year = 2023\nlast_year = 2025\ndays = []\n",
        )
        with pytest.raises(RuleTableError, match="consecutive years"):
            load_bridge_days(directory)

    def test_day_outside_decree_years_refused(self, tmp_path: Path) -> None:
        directory = self.write(
            tmp_path,
            '[[entry]]\nvalid_from = 2023-01-01\nsource = "a"\n[entry.values]\n'
            "first_year = 2023\nlast_year = 2025\ndays = [2026-01-02]\n",
        )
        with pytest.raises(RuleTableError, match=r"days\[0\]"):
            load_bridge_days(directory)


class TestTargetDays:
    """TARGET closing days come from holidays' XECB market; the fallback computes the same."""

    def test_easter(self) -> None:
        assert easter_sunday(2026) == D(2026, 4, 5)
        assert easter_sunday(2027) == D(2027, 3, 28)
        for year in range(2000, 2100):
            assert easter_sunday(year) in holidays.country_holidays("NL", years=year)

    def test_fallback_matches_package(self, monkeypatch: pytest.MonkeyPatch) -> None:
        expected = target_closed_days(2002, 2040)

        def no_market(*_args: object, **_kwargs: object) -> object:
            raise NotImplementedError

        monkeypatch.setattr(holidays, "financial_holidays", no_market)
        assert target_closed_days(2002, 2040) == expected
        assert len(expected) == 6 * 39
