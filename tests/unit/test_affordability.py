"""Affordability: capacity never above income − BVV, other commitments first, shared pro rata."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from maatwerk.core.affordability import Commitment, OtherDebt, affordability
from maatwerk.core.errors import InputError
from maatwerk.core.money import Money, eur


class TestAffordability:
    """Examples of the three steps."""

    def test_room_above_bvv(self) -> None:
        result = affordability(
            net_income=eur("2400.00"), protected=eur("1686.03"), debt=eur("1000")
        )
        assert result.capacity == eur("713.97")
        assert result.lines[-1].value == eur("713.97")

    def test_no_room_below_bvv(self) -> None:
        result = affordability(net_income=eur("1200.00"), protected=eur("1331.43"), debt=eur("500"))
        assert result.capacity == Money.zero()

    def test_other_arrangements_come_first(self) -> None:
        result = affordability(
            net_income=eur("2400.00"),
            protected=eur("1686.03"),
            debt=eur("1000"),
            commitments=[Commitment(label="energie", monthly=eur("200.00"))],
        )
        assert result.capacity == eur("513.97")

    def test_commitments_above_room_leave_nothing(self) -> None:
        result = affordability(
            net_income=eur("2000.00"),
            protected=eur("1900.00"),
            debt=eur("1000"),
            commitments=[Commitment(label="huur", monthly=eur("150.00"))],
        )
        assert result.capacity == Money.zero()
        assert "hoger" in result.lines[-2].note

    def test_shared_pro_rata(self) -> None:
        result = affordability(
            net_income=eur("2300.00"),
            protected=eur("2000.00"),
            debt=eur("1000"),
            other_debts=[OtherDebt(label="water", outstanding=eur("2000"))],
        )
        assert result.share == (eur("100.00"), eur("200.00"))
        assert result.capacity == eur("100.00")

    def test_negative_refused(self) -> None:
        with pytest.raises(InputError):
            affordability(net_income=eur("-1"), protected=eur("0"), debt=eur("1"))


amounts = st.decimals(min_value=0, max_value=10000, places=2)


class TestProperties:
    """Capacity stays within income − BVV − commitments and shares add up."""

    @given(amounts, amounts, amounts, st.lists(amounts, max_size=3), st.lists(amounts, max_size=4))
    def test_bounds(
        self,
        net: Decimal,
        bvv: Decimal,
        debt: Decimal,
        commitments: list[Decimal],
        others: list[Decimal],
    ) -> None:
        result = affordability(
            net_income=Money(net),
            protected=Money(bvv),
            debt=Money(debt),
            commitments=[Commitment(label="c", monthly=Money(c)) for c in commitments],
            other_debts=[OtherDebt(label="o", outstanding=Money(o)) for o in others],
        )
        assert Money.zero() <= result.capacity <= (Money(net) - Money(bvv)).clamp_zero()
        assert (
            result.capacity
            <= (Money(net) - Money(bvv) - Money(sum(commitments, Decimal(0)))).clamp_zero()
        )
        assert sum(result.share, Money.zero()) == result.free
