"""Interest on a debt paid off part-way: split at each principal payment, same compounding."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st
from interest_helpers import interest_tables, rate

from maatwerk.core.debts import AppliedPayment, Balance, ClaimKind, Debt, InterestKind
from maatwerk.core.interest import (
    debt_interest,
    interest_for_claim,
    statutory_interest,
)
from maatwerk.core.money import Money, eur
from maatwerk.core.tables import Dated, DatedTable


D = dt.date
CONSUMER = DatedTable.of(
    "statutory_interest_consumer",
    [
        Dated(D(2023, 1, 1), rate(4), "Stb. 2022, 517"),
        Dated(D(2024, 1, 1), rate(7), "Stb. 2023, 462"),
        Dated(D(2026, 1, 1), rate(4), "Stb. 2025, 427"),
    ],
)
COMMERCIAL = DatedTable.of("commercial", [Dated(D(2020, 1, 1), rate(8), "s")])
TABLES = interest_tables(CONSUMER, COMMERCIAL)


def debt(principal: Money, *payments: tuple[dt.date, Money], **kw: object) -> Debt:
    applied = tuple(
        AppliedPayment(payment_id=f"P{i}", applied_on=on, parts=Balance(principal=amount))
        for i, (on, amount) in enumerate(payments)
    )
    return Debt(
        debt_id="B1",
        debtor_id="D1",
        creditor_id="C",
        principal=principal,
        due_date=D(2023, 1, 31),
        applied=applied,
        **kw,  # type: ignore[arg-type]
    )


amounts = st.integers(min_value=0, max_value=5_000_000).map(Money.from_minor_units)
starts = st.dates(min_value=D(2023, 1, 1), max_value=D(2027, 12, 31))
lengths = st.integers(min_value=0, max_value=1200)


class TestWorkedExample:
    """EUR 1,000 at 4 % from 2026-02-01; EUR 400 paid on 2026-05-01; to 2026-08-01: EUR 15.80."""

    def test_part_payment(self) -> None:
        result = debt_interest(
            debt(eur(1000), (D(2026, 5, 1), eur(400))),
            start=D(2026, 2, 1),
            end=D(2026, 8, 1),
            tables=TABLES,
        )
        # 400 * 4 % * 89/365 + 600 * 4 % * 181/365 = 3.9014 + 11.9014
        # = 1000 * 4 % * 89/365 + 600 * 4 % * 92/365 (one line per base, as on a statement)
        assert result.interest == eur("15.80")
        assert [(p.start, p.end, p.base) for p in result.periods] == [
            (D(2026, 2, 1), D(2026, 5, 1), eur(1000)),
            (D(2026, 5, 1), D(2026, 8, 1), eur(600)),
        ]
        assert any("paid off" in n for n in result.notes)

    def test_payment_after_end_does_not_count(self) -> None:
        with_later = debt(eur(1000), (D(2026, 9, 1), eur(400)))
        result = debt_interest(with_later, start=D(2026, 2, 1), end=D(2026, 8, 1), tables=TABLES)
        assert result.interest == eur("19.84")

    def test_public_claim_below_the_awb_minimum_is_waived(self) -> None:
        result = debt_interest(
            debt(eur(100), kind=ClaimKind.PUBLIC),
            start=D(2026, 2, 1),
            end=D(2026, 8, 1),
            tables=TABLES,
        )
        assert result.waived
        assert result.interest == Money.zero()

    def test_no_interest_kind(self) -> None:
        result = debt_interest(
            debt(eur(1000), interest_kind=InterestKind.NONE),
            start=D(2026, 2, 1),
            end=D(2026, 8, 1),
            tables=TABLES,
        )
        assert result.interest == Money.zero()


class TestProperties:
    """Without payments it is the statutory interest; more principal never gives less."""

    @given(amounts, starts, lengths)
    def test_no_payments_equals_statutory_interest(
        self, principal: Money, start: dt.date, days: int
    ) -> None:
        end = start + dt.timedelta(days=days)
        ours = debt_interest(debt(principal), start=start, end=end, tables=TABLES)
        theirs = statutory_interest(principal, start=start, end=end, table=CONSUMER)
        assert ours.interest == theirs.interest
        assert ours.exact == theirs.exact
        assert ours.capitalised == theirs.capitalised
        claim = interest_for_claim(
            principal,
            claim_kind=ClaimKind.PRIVATE,
            interest_kind=InterestKind.COMMERCIAL,
            start=start,
            end=end,
            tables=TABLES,
        )
        commercial = debt(principal, interest_kind=InterestKind.COMMERCIAL)
        assert debt_interest(commercial, start=start, end=end, tables=TABLES).interest == (
            claim.interest
        )

    @given(amounts, amounts, starts, lengths)
    def test_monotone_in_principal(self, a: Money, b: Money, start: dt.date, days: int) -> None:
        low, high = sorted((a, b))
        end = start + dt.timedelta(days=days)
        assert (
            debt_interest(debt(low), start=start, end=end, tables=TABLES).interest
            <= debt_interest(debt(high), start=start, end=end, tables=TABLES).interest
        )

    @given(
        amounts,
        starts,
        lengths,
        st.lists(
            st.tuples(st.integers(min_value=0, max_value=1300), st.integers(0, 3_000_000)),
            max_size=4,
        ),
    )
    def test_payments_never_add_interest(
        self, principal: Money, start: dt.date, days: int, paid: list[tuple[int, int]]
    ) -> None:
        end = start + dt.timedelta(days=days)
        payments = [
            (start + dt.timedelta(days=offset), Money.from_minor_units(cents))
            for offset, cents in paid
        ]
        with_payments = debt_interest(
            debt(principal, *payments), start=start, end=end, tables=TABLES
        )
        without = debt_interest(debt(principal), start=start, end=end, tables=TABLES)
        assert Money.zero() <= with_payments.interest <= without.interest


FLAT = DatedTable.of(
    "statutory_interest_consumer", [Dated(D(2015, 1, 1), rate(2), "Stb. 2014, 516")]
)
FLAT_TABLES = interest_tables(FLAT, COMMERCIAL)


def interest_paid(*payments: tuple[dt.date, str]) -> Debt:
    """EUR 1,000 in default from 2017-01-01 (2 %), with payments of interest only."""
    applied = tuple(
        AppliedPayment(payment_id=f"I{i}", applied_on=on, parts=Balance(interest=eur(amount)))
        for i, (on, amount) in enumerate(payments)
    )
    return Debt(
        debt_id="B1",
        debtor_id="D1",
        creditor_id="C",
        principal=eur(1000),
        due_date=D(2016, 12, 31),
        applied=applied,
    )


class TestInterestPaidIsNotCapitalised:
    """BW 6:119 lid 2: after a year only the interest still unpaid is added to the base.

    EUR 1,000 at 2 % from 2017-01-01 (a 365-day year): the first year's interest is EUR 20.00.
    """

    def _to_2019(self, debt: Debt) -> tuple[Money, tuple[tuple[dt.date, Money], ...]]:
        result = debt_interest(debt, start=D(2017, 1, 1), end=D(2019, 1, 1), tables=FLAT_TABLES)
        return result.interest, result.capitalised

    def test_unpaid_interest_is_capitalised(self) -> None:
        # year 2 on 1,020.00: 20.40; total 40.40
        assert self._to_2019(interest_paid()) == (eur("40.40"), ((D(2018, 1, 1), eur(20)),))

    def test_part_paid_within_the_year(self) -> None:
        # 15.00 of the 20.00 paid on 2017-12-01 (18.30 had run by then): 5.00 capitalised;
        # year 2 on 1,005.00 = 20.10; total 40.10 (it was 40.40: capitalised as if unpaid)
        interest, capitalised = self._to_2019(interest_paid((D(2017, 12, 1), "15.00")))
        assert interest == eur("40.10")
        assert capitalised == ((D(2018, 1, 1), eur(5)),)

    def test_only_interest_run_by_then_can_be_paid(self) -> None:
        # 15.00 on 2017-07-01, when 1,000 * 2 % * 181/365 = 9.9178 had run (the ledger holds no
        # more): 20.00 - 9.9178 = 10.0822 capitalised; year 2 = 1,010.0822 * 2 % = 20.2016
        interest, capitalised = self._to_2019(interest_paid((D(2017, 7, 1), "15.00")))
        assert interest == eur("40.20")
        assert capitalised[0][1].rounded() == eur("10.08")

    def test_paid_on_the_anniversary_counts_as_paid(self) -> None:
        interest, capitalised = self._to_2019(interest_paid((D(2018, 1, 1), "20.00")))
        assert interest == eur("40.00")
        assert capitalised == ((D(2018, 1, 1), eur(0)),)

    def test_payment_pays_capitalised_interest_first(self) -> None:
        # 20.00 capitalised on 2018-01-01; 20.00 paid on 2018-07-02 pays it off, so the base is
        # 1,000 again from that day: 1,020 * 2 % * 182/365 + 1,000 * 2 % * 183/365
        # = 10.1721 + 10.0274 = 20.1995; total 20.00 + 20.1995 = 40.1995 -> 40.20
        interest, capitalised = self._to_2019(interest_paid((D(2018, 7, 2), "20.00")))
        assert interest == eur("40.20")
        assert capitalised == ((D(2018, 1, 1), eur(20)),)
