"""Money: exact, single-currency, explicitly rounded, and allocation never loses a cent."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from maatwerk.core.errors import CurrencyMismatchError, MoneyError
from maatwerk.core.money import Money, Rounding, allocate, eur, total


cents = st.integers(min_value=-(10**12), max_value=10**12)
ratios = st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=12).filter(any)


class TestMoney:
    """Money is exact Decimal in one currency; floats and mixing are refused."""

    def test_float_is_rejected(self) -> None:
        with pytest.raises(MoneyError, match="float"):
            Money(1.5)

    def test_junk_is_rejected(self) -> None:
        with pytest.raises(MoneyError, match="not a number"):
            eur("twelve")
        with pytest.raises(MoneyError, match="finite"):
            eur("NaN")

    def test_mixed_currencies_raise(self) -> None:
        with pytest.raises(CurrencyMismatchError):
            _ = eur("1") + Money("1", "USD")
        with pytest.raises(CurrencyMismatchError):
            _ = eur("1") < Money("1", "USD")

    def test_bad_currency(self) -> None:
        with pytest.raises(MoneyError, match="ISO 4217"):
            Money("1", "euro")

    def test_arithmetic(self) -> None:
        assert eur("10.10") + eur("0.05") == eur("10.15")
        assert eur("10.10") - eur("0.15") == eur("9.95")
        assert eur("10") * 3 == eur("30")
        assert eur("10").ratio(eur("4")) == Decimal("2.5")
        assert sum([eur("1"), eur("2")]) == eur("3")
        assert total([]) == eur("0")

    def test_money_times_money_is_an_error(self) -> None:
        with pytest.raises(TypeError):
            _ = eur("1") * eur("2")  # type: ignore[operator]

    @pytest.mark.parametrize(
        ("raw", "mode", "expected"),
        [
            ("0.005", Rounding.HALF_UP, "0.01"),
            ("0.005", Rounding.HALF_EVEN, "0.00"),
            ("0.015", Rounding.HALF_EVEN, "0.02"),
            ("-0.005", Rounding.HALF_UP, "-0.01"),
            ("1.999", Rounding.DOWN, "1.99"),
            ("1.991", Rounding.UP, "2.00"),
        ],
    )
    def test_rounding_is_named(self, raw: str, mode: Rounding, expected: str) -> None:
        assert eur(raw).rounded(mode) == eur(expected)

    def test_format_has_two_decimals(self) -> None:
        assert eur("1208.5").format() == "1208.50"
        assert str(eur("3")) == "EUR 3.00"

    def test_minor_units_need_rounding_first(self) -> None:
        with pytest.raises(MoneyError, match="round it first"):
            eur("0.001").to_minor_units()

    @given(cents)
    def test_minor_units_round_trip(self, units: int) -> None:
        assert Money.from_minor_units(units).to_minor_units() == units

    @given(cents)
    def test_string_round_trip(self, units: int) -> None:
        money = Money.from_minor_units(units)
        assert eur(money.format()) == money


class TestAllocate:
    """allocate() distributes leftover cents so the parts always sum to the total."""

    def test_three_ways(self) -> None:
        assert allocate(eur("100"), [1, 1, 1]) == [eur("33.34"), eur("33.33"), eur("33.33")]

    def test_zero_ratio_gets_nothing(self) -> None:
        assert allocate(eur("0.05"), [0, 1, 1]) == [eur("0"), eur("0.03"), eur("0.02")]

    def test_refuses_bad_ratios(self) -> None:
        with pytest.raises(MoneyError):
            allocate(eur("1"), [])
        with pytest.raises(MoneyError):
            allocate(eur("1"), [0, 0])
        with pytest.raises(MoneyError):
            allocate(eur("1"), [1, -1])

    @given(cents, ratios)
    def test_conservation(self, units: int, weights: list[int]) -> None:
        amount = Money.from_minor_units(units)
        parts = allocate(amount, weights)
        assert sum(parts, Money.zero()) == amount
        assert len(parts) == len(weights)
        for part, weight in zip(parts, weights, strict=True):
            if weight == 0:
                assert part == Money.zero()

    @given(st.integers(min_value=0, max_value=10**9), ratios)
    def test_parts_are_within_a_cent_of_exact(self, units: int, weights: list[int]) -> None:
        amount = Money.from_minor_units(units)
        weight_sum = sum(weights)
        for part, weight in zip(allocate(amount, weights), weights, strict=True):
            exact = Decimal(units) * weight / weight_sum
            assert abs(Decimal(part.to_minor_units()) - exact) < 1
