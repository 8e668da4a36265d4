"""Timing of the policy simulation and the synthetic generator at demo size (5,000 households).

Run with ``make bench`` (pytest-benchmark); results land in ``benchmarks/results/``. No timing is
asserted anywhere: the numbers are for people to read.
"""

from __future__ import annotations

import datetime as dt

import pytest

from maatwerk.adapters.policy_loader import load_policy, resolve_policy
from maatwerk.cli.simulate import load_simulation_tables
from maatwerk.demo.behaviour import load_behaviour
from maatwerk.demo.simulation import SimulationSettings, simulate
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
    tables = load_simulation_tables()
    loaded = load_policy(resolve_policy(policy))
    settings = SimulationSettings(start=START, days=120, seed=1)
    result = benchmark.pedantic(
        simulate,
        args=(portfolio, behaviour, loaded, tables, settings),
        rounds=1,
        iterations=1,
    )
    assert result.figures.debtors == 5000
