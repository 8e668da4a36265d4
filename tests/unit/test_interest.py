"""Statutory interest: actual/365, rate changes split periods, yearly compounding, Awb branch."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from interest_helpers import AWB, interest_tables, rate

from maatwerk.core.debts import ClaimKind, InterestKind
from maatwerk.core.errors import InputError, NoRuleForDateError
from maatwerk.core.interest import (
    InterestResult,
    anniversary,
    interest_for_claim,
    public_claim_interest,
    statutory_interest,
)
from maatwerk.core.money import Money, eur
from maatwerk.core.tables import Dated, DatedTable


D = dt.date


CONSUMER = DatedTable.of(
    "statutory_interest_consumer",
    [
        Dated(D(2015, 1, 1), rate("2"), "Stb. 2014, 516"),
        Dated(D(2023, 1, 1), rate("4"), "Stb. 2022, 517"),
        Dated(D(2023, 7, 1), rate("6"), "Stb. 2023, 215"),
        Dated(D(2024, 1, 1), rate("7"), "Stb. 2023, 462"),
        Dated(D(2025, 1, 1), rate("6"), "Stb. 2024, 409"),
        Dated(D(2026, 1, 1), rate("4"), "Stb. 2025, 427", provisional=True),
    ],
)
FLAT = DatedTable.of("flat", [Dated(D(2000, 1, 1), rate("10"), "test")])
COMMERCIAL = DatedTable.of(
    "statutory_interest_commercial", [Dated(D(2025, 7, 1), rate("10.15"), "s")]
)
TABLES = interest_tables(CONSUMER, COMMERCIAL)
START, END = D(2026, 2, 1), D(2026, 8, 1)


class TestWorkedExample:
    """docs/rules/statutory-interest.md: EUR 1,000 at 4 % from 2026-02-01 to 2026-08-01: EUR 19.84."""

    def test_rules_example(self) -> None:
        result = statutory_interest(
            eur(1000), start=D(2026, 2, 1), end=D(2026, 8, 1), table=CONSUMER
        )
        assert result.days == 181
        assert result.interest == eur("19.84")
        assert result.provisional  # the 2026 rate is provisional in this table
        assert [str(t) for t in result.tables] == [
            "statutory_interest_consumer@2026-01-01 (provisional)"
        ]

    def test_end_day_excluded(self) -> None:
        one_day = statutory_interest(eur(36500), start=D(2030, 1, 1), end=D(2030, 1, 2), table=FLAT)
        assert one_day.interest == eur("10.00")  # 36,500 * 10 % / 365
        none = statutory_interest(eur(1000), start=D(2030, 1, 1), end=D(2030, 1, 1), table=FLAT)
        assert none.interest == eur(0)
        assert none.periods == ()

    def test_leap_year_still_divides_by_365(self) -> None:
        result = statutory_interest(eur(1000), start=D(2028, 1, 1), end=D(2028, 12, 31), table=FLAT)
        assert result.days == 365
        assert result.interest == eur("100.00")


class TestRateChanges:
    """A change of rate splits the period; each part says which table entry it used."""

    def test_split_over_three_rates(self) -> None:
        result = statutory_interest(
            eur(1000), start=D(2023, 3, 1), end=D(2024, 3, 1), table=CONSUMER
        )
        lines = [(p.start, p.end, p.days, p.rate_percent) for p in result.periods]
        assert lines == [
            (D(2023, 3, 1), D(2023, 7, 1), 122, Decimal(4)),
            (D(2023, 7, 1), D(2024, 1, 1), 184, Decimal(6)),
            (D(2024, 1, 1), D(2024, 3, 1), 60, Decimal(7)),
        ]
        # 1000 * (4*122 + 6*184 + 7*60) / 36500 = 2012/36.5 = 55.1233 -> 55.12
        assert result.interest == eur("55.12")
        assert not result.provisional
        assert len(result.tables) == 3

    def test_before_the_first_entry(self) -> None:
        with pytest.raises(NoRuleForDateError):
            statutory_interest(eur(1000), start=D(2014, 12, 1), end=D(2015, 2, 1), table=CONSUMER)


class TestCompounding:
    """After each full year of default the year's interest joins the base (6:119 lid 2)."""

    def test_two_years_flat_rate(self) -> None:
        result = statutory_interest(eur(1000), start=D(2030, 3, 1), end=D(2032, 3, 1), table=FLAT)
        # year 1: 1000 * 10 % * 365/365 = 100; year 2 (2031-03-01 .. 2032-03-01, 366 days):
        # 1100 * 10 % * 366/365 = 110.30
        assert result.capitalised == ((D(2031, 3, 1), eur(100)),)
        assert result.periods[1].base == eur(1100)
        assert result.interest == eur("210.30")

    def test_year_counts_from_start_of_default_not_calendar_year(self) -> None:
        result = statutory_interest(eur(1000), start=D(2030, 7, 15), end=D(2031, 7, 20), table=FLAT)
        assert [c[0] for c in result.capitalised] == [D(2031, 7, 15)]
        assert [p.year for p in result.periods] == [1, 2]

    def test_no_compounding_at_exactly_one_year(self) -> None:
        result = statutory_interest(eur(1000), start=D(2030, 1, 1), end=D(2031, 1, 1), table=FLAT)
        assert result.capitalised == ()
        assert result.interest == eur("100.00")

    def test_three_years_real_rates(self) -> None:
        result = statutory_interest(
            eur(1000), start=D(2023, 3, 1), end=D(2026, 3, 1), table=CONSUMER
        )
        assert [c[0] for c in result.capitalised] == [D(2024, 3, 1), D(2025, 3, 1)]
        assert result.interest == eur("191.27")

    def test_anniversary_of_29_february(self) -> None:
        assert anniversary(D(2028, 2, 29), 1) == D(2029, 3, 1)
        assert anniversary(D(2028, 2, 29), 4) == D(2032, 2, 29)

    @given(
        st.integers(min_value=1, max_value=10_000_000),
        st.dates(min_value=D(2015, 1, 1), max_value=D(2029, 12, 31)),
        st.integers(min_value=0, max_value=3000),
    )
    def test_compound_at_least_simple_and_periods_add_up(
        self, cents: int, start: dt.date, days: int
    ) -> None:
        principal = Money.from_minor_units(cents)
        end = start + dt.timedelta(days=days)
        result = statutory_interest(principal, start=start, end=end, table=CONSUMER)
        assert sum(p.days for p in result.periods) == days
        assert result.exact == sum((p.amount for p in result.periods), eur(0))
        assert result.interest == result.exact.rounded()
        simple = sum(
            (principal * (p.rate_percent * p.days) for p in result.periods), eur(0)
        ).divided(36500)
        assert result.exact.amount - simple.amount >= Decimal("-1e-20")  # decimal precision
        for earlier, later in zip(result.periods, result.periods[1:], strict=False):
            assert earlier.end == later.start
            assert later.base >= earlier.base


class TestInputs:
    """Bad input is refused with the field named."""

    def test_end_before_start(self) -> None:
        with pytest.raises(InputError, match="before the start") as info:
            statutory_interest(eur(1), start=D(2026, 2, 1), end=D(2026, 1, 1), table=FLAT)
        assert info.value.location.field == "end"

    def test_negative_principal(self) -> None:
        with pytest.raises(InputError, match="negative"):
            statutory_interest(eur(-1), start=D(2026, 1, 1), end=D(2026, 2, 1), table=FLAT)


class TestPublicClaims:
    """Public-law claims: 6:119 rate via Awb 4:98 lid 1; not due under EUR 20 (lid 2)."""

    def test_below_twenty_not_due(self) -> None:
        result = public_claim_interest(
            eur(1000), start=D(2026, 2, 1), end=D(2026, 8, 1), table=CONSUMER, minimums=AWB
        )
        assert result.claim_kind is ClaimKind.PUBLIC
        assert result.waived
        assert result.interest == eur(0)
        assert result.exact.rounded() == eur("19.84")
        assert any("4:98 lid 2" in note for note in result.notes)

    def test_twenty_or_more_due(self) -> None:
        result = public_claim_interest(
            eur(2000), start=D(2026, 2, 1), end=D(2026, 8, 1), table=CONSUMER, minimums=AWB
        )
        assert not result.waived
        assert result.interest == eur("39.67")

    def test_authority_as_debtor_has_lower_minimum(self) -> None:
        result = public_claim_interest(
            eur(600),
            start=D(2026, 2, 1),
            end=D(2026, 8, 1),
            table=CONSUMER,
            minimums=AWB,
            authority_is_creditor=False,
        )
        assert result.interest == eur("11.90")  # 600 * 4 % * 181/365 = 11.90 >= 10

    def test_dispatch(self) -> None:
        def on_1000(claim_kind: ClaimKind, interest_kind: InterestKind) -> InterestResult:
            return interest_for_claim(
                eur(1000),
                claim_kind=claim_kind,
                interest_kind=interest_kind,
                start=START,
                end=END,
                tables=TABLES,
            )

        public = on_1000(ClaimKind.PUBLIC, InterestKind.COMMERCIAL)
        assert public.waived  # public claims never use the commercial rate
        commercial = on_1000(ClaimKind.PRIVATE, InterestKind.COMMERCIAL)
        assert commercial.interest == eur("50.33")  # 1000 * 10.15 % * 181/365
        none = on_1000(ClaimKind.PRIVATE, InterestKind.NONE)
        assert none.interest == eur(0)
        assert none.periods == ()


class TestBeyondTheTable:
    """Days after the half year of the table's last rate are computed with it, and a note says so."""

    def test_within_the_last_half_year_no_note(self) -> None:
        result = statutory_interest(eur(1000), start=START, end=D(2026, 7, 1), table=CONSUMER)
        assert not any("half year" in note for note in result.notes)

    def test_past_the_last_half_year_note(self) -> None:
        result = statutory_interest(eur(1000), start=START, end=D(2026, 7, 2), table=CONSUMER)
        (note,) = [n for n in result.notes if "half year" in n]
        assert "4 % from 2026-01-01" in note
        assert "from 2026-07-01 on" in note

    def test_a_july_entry_holds_until_january(self) -> None:
        result = statutory_interest(
            eur(1000), start=D(2025, 8, 1), end=D(2026, 1, 1), table=COMMERCIAL
        )
        assert not any("half year" in note for note in result.notes)
        later = statutory_interest(
            eur(1000), start=D(2025, 8, 1), end=D(2026, 1, 2), table=COMMERCIAL
        )
        assert any("from 2026-01-01 on" in note for note in later.notes)
