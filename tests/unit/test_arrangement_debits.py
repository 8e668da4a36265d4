"""``debit_schedule``: each instalment of a direct-debit plan -> collection date and sequence type."""

from __future__ import annotations

import datetime as dt

from maatwerk.adapters.calendars import build_calendars
from maatwerk.core.arrangements import (
    SUBMIT_DAYS_BEFORE,
    DebitSequence,
    Instalment,
    debit_schedule,
)
from maatwerk.core.calendar import SEPA
from maatwerk.core.money import eur


SEPA_DAYS = build_calendars().get(SEPA)


def _instalments(*days: dt.date) -> tuple[Instalment, ...]:
    return tuple(
        Instalment(number=n, due_date=d, amount=eur("50.00")) for n, d in enumerate(days, 1)
    )


class TestDebitSchedule:
    def test_first_collection_under_a_mandate_is_frst_the_rest_rcur(self) -> None:
        planned = debit_schedule(
            _instalments(dt.date(2026, 5, 8), dt.date(2026, 6, 8), dt.date(2026, 7, 8)),
            calendar=SEPA_DAYS,
        )
        assert [p.sequence for p in planned] == [
            DebitSequence.FIRST,
            DebitSequence.RECURRING,
            DebitSequence.RECURRING,
        ]
        assert [p.sequence.value for p in planned] == ["FRST", "RCUR", "RCUR"]
        assert [p.number for p in planned] == [1, 2, 3]

    def test_after_an_earlier_collection_every_one_is_rcur(self) -> None:
        planned = debit_schedule(
            _instalments(dt.date(2026, 5, 8), dt.date(2026, 6, 8)),
            calendar=SEPA_DAYS,
            collected_before=True,
        )
        assert {p.sequence for p in planned} == {DebitSequence.RECURRING}

    def test_a_date_that_is_no_sepa_business_day_moves_to_the_next(self) -> None:
        # Saturday 25 April 2026 -> Monday 27; Good Friday 3 April 2026 and Easter Monday -> 7
        planned = debit_schedule(
            _instalments(dt.date(2026, 4, 3), dt.date(2026, 4, 25), dt.date(2026, 12, 25)),
            calendar=SEPA_DAYS,
        )
        assert [p.collection_date for p in planned] == [
            dt.date(2026, 4, 7),
            dt.date(2026, 4, 27),
            dt.date(2026, 12, 28),
        ]

    def test_handed_to_the_bank_days_before_the_date(self) -> None:
        (planned,) = debit_schedule(_instalments(dt.date(2026, 5, 8)), calendar=SEPA_DAYS)
        assert planned.submit_from == dt.date(2026, 5, 8) - dt.timedelta(days=SUBMIT_DAYS_BEFORE)
        assert planned.amount == eur("50.00")
