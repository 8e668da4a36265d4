"""The demo household pays its plan as scheduled (regression: one cent too much at the end)."""

from __future__ import annotations

import datetime as dt

from maatwerk.core.money import eur
from maatwerk.demo.households import Plan


def test_demo_plan_pays_its_last_instalment_as_scheduled() -> None:
    """Regression: a plan of EUR 593.60 in three is 197.87, 197.87, 197.86; the demo household
    paid 197.87 three times, and EUR 197.87 came in where EUR 197.86 was owed."""
    plan = Plan(
        instalment=eur("197.87"),
        left=3,
        next_due=dt.date(2026, 3, 2),
        fits=True,
        amounts=(eur("197.87"), eur("197.87"), eur("197.86")),
    )
    paid = []
    while plan.left:
        paid.append(plan.next_amount())
        plan.left -= 1
    assert paid == [eur("197.87"), eur("197.87"), eur("197.86")]
    assert sum(a.amount for a in paid) == eur("593.60").amount
