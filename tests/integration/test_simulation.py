"""The policy simulation (the demo on a throwaway database, once per policy) is deterministic,
reproduces the CAK 2017 shape under the classic policy, and the humane policy beats it without
ever pushing a household below its protected income."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from maatwerk.adapters.subsistence_tables import load_subsistence_tables
from maatwerk.cli._wiring import build_evaluator, plugin_manager
from maatwerk.core.money import Money
from maatwerk.demo.behaviour import load_behaviour
from maatwerk.demo.database import DemoOutcome
from maatwerk.demo.run import DemoSettings
from maatwerk.demo.simulation import simulate_policy
from maatwerk.demo.synthetic import BehaviourParams, Portfolio, generate_portfolio
from maatwerk.services.funnel import PolicyFigures
from maatwerk.services.payloads import household_bvv


#: two 600-household, 120-day demo runs on SQLite, one per policy (about 20 s together)
pytestmark = pytest.mark.slow

START = dt.date(2026, 1, 1)
DEBTORS = 600
DAYS = 120
SEED = 11


@pytest.fixture(scope="module")
def behaviour() -> BehaviourParams:
    return load_behaviour(START)


@pytest.fixture(scope="module")
def portfolio(behaviour: BehaviourParams) -> Portfolio:
    return generate_portfolio(behaviour, debtors=DEBTORS, seed=SEED, start=START, months=4)


def _run(
    portfolio: Portfolio,
    behaviour: BehaviourParams,
    name: str,
    *,
    days: int = DAYS,
    seed: int = SEED,
    out_dir: Path | None = None,
) -> DemoOutcome:
    plugins = plugin_manager()
    return simulate_policy(
        portfolio,
        behaviour,
        build_evaluator(plugins, default=name, by_creditor={}, by_segment={}),
        plugins=plugins,
        subsistence=load_subsistence_tables(),
        settings=DemoSettings(start=START, days=days, seed=seed),
        out_dir=out_dir,
    )


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder each policy's database, payment files and channel files are kept in."""
    return tmp_path_factory.mktemp("simulation")


@pytest.fixture(scope="module")
def classic_run(portfolio: Portfolio, behaviour: BehaviourParams, runs: Path) -> DemoOutcome:
    return _run(portfolio, behaviour, "classic", out_dir=runs / "classic")


@pytest.fixture(scope="module")
def classic(classic_run: DemoOutcome) -> PolicyFigures:
    return classic_run.figures.columns[0]


@pytest.fixture(scope="module")
def humane_run(portfolio: Portfolio, behaviour: BehaviourParams, runs: Path) -> DemoOutcome:
    return _run(portfolio, behaviour, "humane", out_dir=runs / "humane")


@pytest.fixture(scope="module")
def humane(humane_run: DemoOutcome) -> PolicyFigures:
    return humane_run.figures.columns[0]


def _bill_returns(folder: Path) -> dict[str, bytes]:
    """The bank files of failed bill collections (not of re-presentations the policy sent)."""
    return {
        path.name: path.read_bytes()
        for path in sorted((folder / "returns").glob("camt054-*.xml"))
        if not path.name.endswith("-sepa.xml")
    }


class TestDeterminism:
    """The same seed gives the same figures and the same actions, step for step."""

    def test_same_seed_same_result(self, behaviour: BehaviourParams) -> None:
        small = generate_portfolio(behaviour, debtors=120, seed=3, start=START, months=2)
        a = _run(small, behaviour, "humane", days=45, seed=3)
        b = _run(small, behaviour, "humane", days=45, seed=3)
        # everything but the runs' wall-clock durations
        assert (a.figures, a.result.actions, a.result.totals, a.imported) == (
            b.figures,
            b.result.actions,
            b.result.totals,
            b.imported,
        )
        assert a.result.actions

    def test_other_seed_other_result(self, behaviour: BehaviourParams) -> None:
        one = generate_portfolio(behaviour, debtors=120, seed=3, start=START, months=2)
        two = generate_portfolio(behaviour, debtors=120, seed=4, start=START, months=2)
        assert _run(one, behaviour, "humane", days=45, seed=3).figures != (
            _run(two, behaviour, "humane", days=45, seed=4).figures
        )


class TestCommonRandomNumbers:
    """Every policy meets the same households with the same luck: whether a bill's collection
    fails is the household's own draw, whatever the policy, so the bank returns the same
    collections on the same days under both policies."""

    def test_same_failed_collections(
        self, humane: PolicyFigures, classic: PolicyFigures, runs: Path
    ) -> None:
        assert (humane.bills, humane.billed) == (classic.bills, classic.billed)
        returned = _bill_returns(runs / "humane")
        assert returned
        assert returned == _bill_returns(runs / "classic")


class TestClassicReproducesCak2017Shape:
    """Bounds documented in docs/simulation-model.md, around the CAK 2017 figures (seed 001)."""

    def test_paid_within_31_days(self, classic: PolicyFigures) -> None:
        # CAK 2017: 93.5 % pay within 31 days
        assert Decimal("0.90") <= classic.share_paid_within_31_days <= Decimal("0.97")

    def test_share_in_arrears(self, classic: PolicyFigures) -> None:
        # CAK 2017: about 7 % of clients with a bill unpaid after 31 days ("betaalachterstand")
        assert classic.not_within_31_days is not None
        share = Decimal(classic.not_within_31_days) / Decimal(classic.debtors)
        assert Decimal("0.03") <= share <= Decimal("0.10")

    def test_arrangements_kept(self, classic: PolicyFigures) -> None:
        # CAK 2017: 79 % of 12,612 arrangements kept
        assert classic.arrangements > 0
        assert Decimal("0.60") <= classic.share_kept <= Decimal("0.95")

    def test_funnel_narrows(self, classic: PolicyFigures) -> None:
        # CAK 2017: 44,805 reminders > 14,200 demands; the bailiff is the last, smallest group
        assert classic.reminders > classic.demands > classic.bailiff > 0
        assert classic.paid_on_time > classic.in_arrears


class TestHumaneAgainstClassic:
    """Model consistency: fitting plans and personal contact recover more and write off less."""

    def test_recovers_more(self, humane: PolicyFigures, classic: PolicyFigures) -> None:
        assert humane.share_recovered > classic.share_recovered

    def test_writes_off_less(self, humane: PolicyFigures, classic: PolicyFigures) -> None:
        # write-offs come only from bailiff dossiers returned uncollectable within the horizon,
        # a rare event in a small test portfolio; so: never more, and less lost or long overdue
        assert humane.written_off_amount <= classic.written_off_amount

        def at_risk(figures: PolicyFigures) -> Decimal:
            old = sum(
                (
                    b.amount.amount
                    for b in figures.ageing
                    if b.label not in ("1-30 days", "31-60 days")
                ),
                Decimal(0),
            )
            return figures.written_off_amount.amount + old

        assert at_risk(humane) < at_risk(classic)

    def test_never_below_protected_income(
        self, humane: PolicyFigures, classic: PolicyFigures, classic_run: DemoOutcome
    ) -> None:
        assert humane.below_bvv == 0
        assert classic.below_bvv >= humane.below_bvv
        # the fixed "6 months, at least EUR 50" plan asks more than some households can spare:
        # most of them decline it (accept_unfit, seed 003); one that accepts is pushed below its
        # BVV (5,000 households: 21, docs/simulation-model.md)
        assert classic_run.result.totals["offers declined (above capacity)"] > 0

    def test_humane_plans_fit_capacity(self, humane: PolicyFigures) -> None:
        assert humane.arrangement_points
        assert all(p.instalment <= p.capacity for p in humane.arrangement_points if p.kept)

    def test_fewer_costs_and_bailiff(self, humane: PolicyFigures, classic: PolicyFigures) -> None:
        assert humane.costs_charged < classic.costs_charged
        assert humane.bailiff < classic.bailiff
        assert humane.calls > 0
        assert classic.calls == 0

    def test_households_protected_with_reasons(self, humane: PolicyFigures) -> None:
        reasons = {p.reason for p in humane.protected}
        assert reasons & {"protected income (BVV): no room for a plan", "vulnerable", "consent"}


def _without_room(portfolio: Portfolio) -> set[str]:
    """Households that cannot pay: net income at or below the protected income (BVV), or
    nothing left once other creditors' instalments are paid (issue #17 item 1)."""
    subsistence = load_subsistence_tables()
    found: set[str] = set()
    for household in portfolio.households:
        debtor = household.debtor
        net = debtor.net_monthly_income or Money.zero()
        bvv = household_bvv(debtor, net, START, subsistence).bvv
        if net <= bvv or not (net - bvv - household.other_arrears_instalment).is_positive:
            found.add(debtor.debtor_id)
    return found


class TestHumaneOutcomes:
    """Issue #17 item 8: on the same population the humane policy sends at most half as many
    households to the bailiff as the classic one, recovers at least as much, and never hands a
    household that cannot pay to the bailiff. The 5,000-household figures are in
    docs/simulation-model.md."""

    def test_at_most_half_the_bailiff(self, humane: PolicyFigures, classic: PolicyFigures) -> None:
        assert classic.bailiff > 0
        assert 2 * humane.bailiff <= classic.bailiff

    def test_recovers_at_least_as_much(self, humane: PolicyFigures, classic: PolicyFigures) -> None:
        assert humane.share_recovered >= classic.share_recovered

    @pytest.mark.xfail(
        strict=True,
        reason="not reached (5,000 households: 183 vs 116, 1.58x): almost every household with "
        "room that cannot pay at once already has a plan; those without room get help, not a "
        "plan; the rest pay in full after a reminder or a call "
        "(docs/simulation-model.md, 'Humane against classic')",
    )
    def test_twice_the_arrangements(self, humane: PolicyFigures, classic: PolicyFigures) -> None:
        assert humane.arrangements >= 2 * classic.arrangements

    def test_no_bailiff_for_households_that_cannot_pay(
        self, humane_run: DemoOutcome, portfolio: Portfolio
    ) -> None:
        cannot_pay = _without_room(portfolio)
        in_arrears = {
            debtor for _, debtor, step, _, _ in humane_run.result.actions if step != "courtesy"
        }
        assert cannot_pay & in_arrears  # the population has such households, and they fall behind
        handed_over = {
            debtor
            for _, debtor, _, action, _ in humane_run.result.actions
            if action == "bailiff-handover"
        }
        assert handed_over  # the bailiff does get won't-pay households
        assert not handed_over & cannot_pay


def _assert_nested(figures: PolicyFigures) -> None:
    """The funnel's stage definitions (maatwerk.services.funnel): each stage nests as implied."""
    billed = figures.billed_households
    assert billed <= figures.debtors
    assert figures.paid_on_time + figures.in_arrears == billed
    for stage in (
        figures.reminders,
        figures.calls,
        figures.arrangements,
        figures.demands,
        figures.bailiff,
        figures.recovered,
        figures.written_off,
    ):
        assert 0 <= stage <= figures.in_arrears
    assert figures.arrangements_kept + figures.arrangements_broken == figures.arrangements
    assert figures.recovered + figures.written_off <= figures.in_arrears
    assert figures.not_within_31_days is not None
    assert figures.paid_within_31_days + figures.not_within_31_days <= billed


class TestFunnelCountsAddUp:
    """Audit defect 12/19: arrangements = kept + broken (households, by their latest plan), and
    every step stage is a subset of the households in arrears."""

    def test_classic_counts_nest(self, classic: PolicyFigures) -> None:
        _assert_nested(classic)
        assert classic.arrangements_broken > 0

    def test_humane_counts_nest(self, humane: PolicyFigures) -> None:
        _assert_nested(humane)
        assert humane.arrangements > 0

    def test_short_period_still_has_arrears(
        self, portfolio: Portfolio, behaviour: BehaviourParams
    ) -> None:
        # 30 days: no bill is 31 days old yet, but late bills are arrears all the same
        figures = _run(portfolio, behaviour, "humane", days=30).figures.columns[0]
        _assert_nested(figures)
        assert figures.not_within_31_days == 0
        assert figures.in_arrears > 0
        assert figures.recovered > 0
        assert figures.billed_households < figures.debtors  # some bills fall due later
