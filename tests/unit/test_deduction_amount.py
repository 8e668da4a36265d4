"""A deduction at source never takes more than net income minus the protected income."""

from __future__ import annotations

import pytest

from maatwerk.core.affordability import deduction_amount
from maatwerk.core.money import eur


@pytest.mark.parametrize(
    ("instalment", "net", "protected", "expected"),
    [
        ("100.00", "2200.00", "1500.00", "100.00"),  # the room is large enough
        ("300.00", "1600.00", "1450.00", "150.00"),  # capped at the room
        ("100.00", "1400.00", "1450.00", "0.00"),  # below the BVV: nothing
        ("100.00", "1450.00", "1450.00", "0.00"),  # at the BVV: nothing
    ],
)
def test_capped_at_net_income_minus_bvv(
    instalment: str, net: str, protected: str, expected: str
) -> None:
    assert deduction_amount(eur(instalment), eur(net), eur(protected)) == eur(expected)
