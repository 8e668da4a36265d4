"""Timing of the policy simulation and the synthetic generator at demo size (5,000 households).

The simulation is the demo on a throwaway database (``maatwerk.demo.simulation``): each policy
runs the demo's households through the real daily run and channels on a fresh SQLite file, so
one policy at demo size costs about what ``maatwerk demo`` costs.

Run with ``make bench`` (pytest-benchmark); results land in ``benchmarks/results/``. No timing is
asserted anywhere: the numbers are for people to read.
"""

from __future__ import annotations

import datetime as dt

import pytest

from maatwerk.adapters.subsistence_tables import load_subsistence_tables
from maatwerk.cli._wiring import build_evaluator, plugin_manager
from maatwerk.demo.behaviour import load_behaviour
from maatwerk.demo.run import DemoSettings
from maatwerk.demo.simulation import simulate_policy
from maatwerk.demo.synthetic import generate_portfolio


START = dt.date(2026, 1, 1)


def test_generate_5000(benchmark) -> None:
    behaviour = load_behaviour(START)
    portfolio = benchmark.pedantic(
        generate_portfolio,
        args=(behaviour,),
        kwargs={"debtors": 5000, "seed": 1, "start": START, "months": 4},
        rounds=1,
        iterations=1,
    )
    assert len(portfolio.households) == 5000


@pytest.mark.parametrize("policy", ["humane", "classic"])
def test_simulate_5000_x_120(benchmark, policy: str) -> None:
    behaviour = load_behaviour(START)
    portfolio = generate_portfolio(behaviour, debtors=5000, seed=1, start=START, months=4)
    plugins = plugin_manager()
    evaluator = build_evaluator(plugins, default=policy, by_creditor={}, by_segment={})
    outcome = benchmark.pedantic(
        simulate_policy,
        args=(portfolio, behaviour, evaluator),
        kwargs={
            "plugins": plugins,
            "subsistence": load_subsistence_tables(),
            "settings": DemoSettings(start=START, days=120, seed=1),
        },
        rounds=1,
        iterations=1,
    )
    assert outcome.figures.columns[0].debtors == 5000
