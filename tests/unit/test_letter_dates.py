"""Receipt on the next postal delivery day, and the Atw in every last day a letter states."""

from __future__ import annotations

import datetime as dt

import pytest
from policy_helpers import tables

from maatwerk.adapters.legal_tables import load_postal_table
from maatwerk.core.calendar import PostalDelivery, plain_calendar, presumed_receipt
from maatwerk.core.events import ActionKind
from maatwerk.core.letter_dates import LetterTerms, letter_dates


def d(month: int, day: int, year: int = 2026) -> dt.date:
    return dt.date(year, month, day)


FRIDAY = d(3, 13)
TUE_TO_SAT = PostalDelivery()  # PostNL: no letters on Sunday or Monday
MON_TO_FRI = PostalDelivery(saturday=False, monday=True)
MON_TO_SAT = PostalDelivery(monday=True)


class TestPresumedReceipt:
    """The first postal delivery day on or after sending + N days."""

    def test_friday_letter_is_not_received_on_sunday(self) -> None:
        # the old rule said Sunday (Friday + 2 calendar days), so the term ended a day early
        assert presumed_receipt(FRIDAY, TUE_TO_SAT, tables().calendars.get("atw")) == d(3, 17)
        assert presumed_receipt(FRIDAY, MON_TO_SAT, tables().calendars.get("atw")) == d(3, 16)

    @pytest.mark.parametrize(
        ("delivery", "received"),
        [
            (PostalDelivery(receipt_days=1), d(3, 14)),  # Saturday delivery: Saturday
            (PostalDelivery(receipt_days=1, saturday=False, monday=True), d(3, 16)),  # Monday
            (PostalDelivery(receipt_days=1, saturday=False), d(3, 17)),  # nor Monday: Tuesday
        ],
        ids=["saturday", "no-saturday", "tue-fri"],
    )
    def test_saturday_delivery_is_a_setting(
        self, delivery: PostalDelivery, received: dt.date
    ) -> None:
        assert presumed_receipt(FRIDAY, delivery, tables().calendars.get("atw")) == received

    def test_around_easter(self) -> None:
        calendar = tables().calendars.get("atw")
        # sent on Good Friday 3 April 2026: + 2 = Easter Sunday; Easter Monday no post: Tuesday
        assert presumed_receipt(d(4, 3), MON_TO_SAT, calendar) == d(4, 7)
        # sent Wednesday 1 April: + 2 = Good Friday (a holiday, no post assumed): Saturday,
        # or Tuesday when the post does not deliver on Saturday
        assert presumed_receipt(d(4, 1), TUE_TO_SAT, calendar) == d(4, 4)
        assert presumed_receipt(d(4, 1), MON_TO_FRI, calendar) == d(4, 7)

    def test_kings_day_and_christmas(self) -> None:
        calendar = tables().calendars.get("atw")
        assert presumed_receipt(d(4, 25), TUE_TO_SAT, calendar) == d(4, 28)  # Mon 27 King's Day
        assert presumed_receipt(d(12, 23), TUE_TO_SAT, calendar) == d(12, 29)  # 25, 26, Sun, Mon

    def test_without_holidays_the_weekdays_still_count(self) -> None:
        assert presumed_receipt(FRIDAY, TUE_TO_SAT, plain_calendar()) == d(3, 17)

    def test_the_shipped_table(self) -> None:
        table = load_postal_table()
        assert table.at(d(3, 13)).value == PostalDelivery(receipt_days=2, saturday=True)
        assert table.at(d(7, 1)).provisional
        assert table.at(d(7, 1, 2027)).value.receipt_days == 3


def terms(delivery: PostalDelivery = TUE_TO_SAT) -> LetterTerms:
    return tables().letter_terms(delivery)


class TestLetterDates:
    """Every last day a letter states comes from here, extended per the Atw."""

    def test_aanmaning_dated_on_13_april_states_28_april(self) -> None:
        # 13 April + 14 = Monday 27 April, King's Day: the term runs to Tuesday 28 April
        dates = letter_dates(ActionKind.FORMAL_DEMAND, d(4, 13), terms())
        assert dates.last_day == d(4, 28)
        assert not dates.from_receipt

    def test_fourteen_day_term_ending_on_kings_day(self) -> None:
        # sent Saturday 11 April, received Monday 13 April (the post delivers on Monday here):
        # + 14 = King's Day -> 28 April
        dates = letter_dates(ActionKind.FOURTEEN_DAY_LETTER, d(4, 11), terms(MON_TO_SAT))
        assert dates.received_on == d(4, 13)
        assert dates.last_day == d(4, 28)

    def test_fourteen_day_letter_of_a_friday(self) -> None:
        # Friday 13 March: received Tuesday 17 March; + 14 = Tuesday 31 March
        dates = letter_dates(ActionKind.FOURTEEN_DAY_LETTER, FRIDAY, terms())
        assert (dates.received_on, dates.last_day) == (d(3, 17), d(3, 31))

    def test_zvw_notice_four_weeks_from_receipt(self) -> None:
        # Good Friday 3 April: received Tuesday 7 April; + 28 = 5 May (Atw) -> 6 May
        dates = letter_dates(ActionKind.ZVW_NOTICE, d(4, 3), terms())
        assert (dates.received_on, dates.last_day) == (d(4, 7), d(5, 6))

    def test_arrangement_offer_states_its_statutory_answer_term(self) -> None:
        dates = letter_dates(ActionKind.ARRANGEMENT_OFFER, FRIDAY, terms(), answer_days=28)
        assert dates.last_day == d(4, 14)
        without = letter_dates(ActionKind.ARRANGEMENT_OFFER, FRIDAY, terms())
        assert without.last_day is None

    def test_a_reminder_has_no_legal_last_day(self) -> None:
        assert letter_dates(ActionKind.PAYMENT_REMINDER, FRIDAY, terms()).last_day is None
