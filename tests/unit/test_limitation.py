"""Limitation (verjaring): period from the day after the due date, interruptions, explanation."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from maatwerk.core.limitation import (
    LimitationKind,
    LimitationRule,
    add_years,
    limitation_date,
    limitation_for,
    rule_for,
)


D = dt.date


class TestConvention:
    """The period starts the day after the due date; the last day is the eve of its anniversary."""

    def test_contract_five_years(self) -> None:
        # Due 15 Mar 2021: the period runs 16 Mar 2021 up to and including 15 Mar 2026.
        result = limitation_date(D(2021, 3, 15))
        assert result.start == D(2021, 3, 16)
        assert result.last_day == D(2026, 3, 15)
        assert not result.expired_on(D(2026, 3, 15))
        assert result.expired_on(D(2026, 3, 16))
        assert result.kind is LimitationKind.CONTRACT
        assert result.years == 5

    def test_last_day_is_due_plus_years(self) -> None:
        assert limitation_date(D(2020, 12, 31)).last_day == D(2025, 12, 31)
        assert limitation_date(D(2020, 1, 1)).last_day == D(2025, 1, 1)

    def test_no_atw_extension_for_terms_in_years(self) -> None:
        # 2026-03-14 is a Saturday; Atw art. 4 sub a: no move to Monday.
        assert limitation_date(D(2021, 3, 14)).last_day == D(2026, 3, 14)

    def test_leap_day_edges(self) -> None:
        # Period starts on 29 Feb 2024: ends 28 Feb 2029 (= due + 5 years).
        assert limitation_date(D(2024, 2, 28)).last_day == D(2029, 2, 28)
        # Due on 29 Feb 2024: period starts 1 Mar 2024, ends 28 Feb 2029.
        assert limitation_date(D(2024, 2, 29)).last_day == D(2029, 2, 28)
        # Consumer sale due 28 Feb 2022: period starts 1 Mar 2022, ends 29 Feb 2024, not 28 Feb.
        result = limitation_date(D(2022, 2, 28), LimitationKind.CONSUMER_SALE)
        assert result.last_day == D(2024, 2, 29)

    def test_add_years(self) -> None:
        assert add_years(D(2024, 2, 29), 1) == D(2025, 3, 1)
        assert add_years(D(2024, 2, 29), 4) == D(2028, 2, 29)
        assert add_years(D(2023, 6, 30), -2) == D(2021, 6, 30)


class TestKinds:
    """Contract, periodic and public claims: 5 years; consumer sale price: 2 years."""

    @pytest.mark.parametrize(
        ("kind", "years", "statute"),
        [
            (LimitationKind.CONTRACT, 5, "3:307"),
            (LimitationKind.PERIODIC, 5, "3:308"),
            (LimitationKind.CONSUMER_SALE, 2, "7:28"),
            (LimitationKind.PUBLIC, 5, "4:104"),
        ],
    )
    def test_periods(self, kind: LimitationKind, years: int, statute: str) -> None:
        result = limitation_date(D(2024, 6, 30), kind)
        assert result.years == years
        assert result.last_day == D(2024 + years, 6, 30)
        assert statute in result.lines[0]

    def test_periodic_each_instalment_separately(self) -> None:
        # Monthly premiums: each due date has its own end.
        ends = [limitation_date(D(2021, m, 1), LimitationKind.PERIODIC).last_day for m in (1, 2, 3)]
        assert ends == [D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 1)]

    def test_rule_table(self) -> None:
        assert rule_for(LimitationKind.CONSUMER_SALE).years == 2
        with pytest.raises(ValueError, match="at least one year"):
            LimitationRule(kind=LimitationKind.CONTRACT, years=0, statute="x")


class TestInterruption:
    """A reminder or acknowledgement starts a new period (max 5 years), never shortening it."""

    def test_reminder_starts_new_period(self) -> None:
        # Due 1 Jun 2020, reminder 10 Feb 2024: new period from 11 Feb 2024 to 10 Feb 2029.
        result = limitation_date(D(2020, 6, 1), interruptions=[D(2024, 2, 10)])
        assert result.original_last_day == D(2025, 6, 1)
        assert result.last_day == D(2029, 2, 10)
        assert result.interruptions_applied == (D(2024, 2, 10),)
        assert any("3:316" in line for line in result.lines)

    def test_several_interruptions_in_any_order(self) -> None:
        result = limitation_date(
            D(2020, 6, 1), interruptions=[D(2027, 1, 5), D(2024, 2, 10), D(2024, 2, 10)]
        )
        assert result.last_day == D(2032, 1, 5)
        assert result.interruptions_applied == (D(2024, 2, 10), D(2027, 1, 5))

    def test_consumer_sale_new_period_same_length(self) -> None:
        # 2-year period; reminder after 1.5 years gives a new 2-year period, not 5.
        result = limitation_date(
            D(2024, 1, 31), LimitationKind.CONSUMER_SALE, interruptions=[D(2025, 7, 31)]
        )
        assert result.original_last_day == D(2026, 1, 31)
        assert result.last_day == D(2027, 7, 31)

    def test_new_period_capped_at_five_years(self) -> None:
        # A 20-year period (e.g. a judgment): after interruption the new period is 5 years, and
        # it does not end before the original end.
        rule = LimitationRule(kind=LimitationKind.CONTRACT, years=20, statute="test 20 years")
        early = limitation_for(D(2010, 1, 1), rule, [D(2011, 1, 1)])
        assert early.last_day == D(2030, 1, 1)  # original end is later than 2016-01-01
        assert any("not before" in line for line in early.lines)
        late = limitation_for(D(2010, 1, 1), rule, [D(2029, 6, 30)])
        assert late.last_day == D(2034, 6, 30)

    def test_interruption_on_the_last_day_counts(self) -> None:
        result = limitation_date(D(2020, 6, 1), interruptions=[D(2025, 6, 1)])
        assert result.last_day == D(2030, 6, 1)

    def test_interruption_after_expiry_does_not_revive(self) -> None:
        result = limitation_date(D(2020, 6, 1), interruptions=[D(2025, 6, 2)])
        assert result.last_day == D(2025, 6, 1)
        assert result.interruptions_ignored == (D(2025, 6, 2),)
        assert result.interruptions_applied == ()
        assert any("not revived" in line for line in result.lines)

    def test_later_interruption_within_extended_period_counts(self) -> None:
        # The second reminder is after the ORIGINAL end but inside the extended period.
        result = limitation_date(D(2020, 6, 1), interruptions=[D(2024, 1, 1), D(2026, 3, 1)])
        assert result.last_day == D(2031, 3, 1)

    def test_interruption_before_the_due_date_changes_nothing(self) -> None:
        result = limitation_date(D(2020, 6, 1), interruptions=[D(2020, 5, 1)])
        assert result.last_day == D(2025, 6, 1)

    def test_interruption_before_the_period_is_listed_as_ignored(self) -> None:
        # audit defect 13: it was listed as applied
        result = limitation_date(D(2020, 3, 15), interruptions=[D(2019, 1, 10), D(2020, 3, 15)])
        assert result.interruptions_applied == ()
        assert result.interruptions_ignored == (D(2019, 1, 10), D(2020, 3, 15))
        assert any("before the period started" in line for line in result.lines)


dates = st.dates(min_value=D(2000, 1, 1), max_value=D(2040, 12, 31))


class TestProperties:
    """Invariants over arbitrary dates."""

    @given(
        due=dates,
        kind=st.sampled_from(LimitationKind),
        interruptions=st.lists(dates, max_size=6),
        extra=dates,
    )
    def test_monotone_in_interruptions(
        self,
        due: dt.date,
        kind: LimitationKind,
        interruptions: list[dt.date],
        extra: dt.date,
    ) -> None:
        base = limitation_date(due, kind, interruptions)
        more = limitation_date(due, kind, [*interruptions, extra])
        assert more.last_day >= base.last_day >= base.original_last_day
        assert base.last_day == limitation_date(due, kind, reversed(interruptions)).last_day

    @given(due=dates, kind=st.sampled_from(LimitationKind))
    def test_last_day_close_to_due_plus_years(self, due: dt.date, kind: LimitationKind) -> None:
        result = limitation_date(due, kind)
        assert abs((result.last_day - add_years(due, result.years)).days) <= 1
        if not (due.month == 2 and due.day >= 28):
            assert result.last_day == add_years(due, result.years)

    @given(due=dates, interruptions=st.lists(dates, max_size=6))
    def test_ignored_interruptions_are_outside_the_period(
        self, due: dt.date, interruptions: list[dt.date]
    ) -> None:
        result = limitation_date(due, LimitationKind.CONTRACT, interruptions)
        assert all(i > result.last_day or i < result.start for i in result.interruptions_ignored)
        assert all(result.start <= i <= result.last_day for i in result.interruptions_applied)
