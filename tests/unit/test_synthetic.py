"""The synthetic portfolio generator is deterministic, realistic in shape and valid in its details."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from schwifty import IBAN

from maatwerk.core.errors import RuleTableError
from maatwerk.demo.behaviour import load_behaviour
from maatwerk.demo.synthetic import (
    BehaviourParams,
    PaymentMethod,
    Profile,
    generate_portfolio,
    nl_iban,
)


START = dt.date(2026, 1, 1)


@pytest.fixture(scope="module")
def params() -> BehaviourParams:
    return load_behaviour(START)


class TestDeterminism:
    """The same seed gives the same portfolio; another seed another one."""

    def test_same_seed_same_portfolio(self, params: BehaviourParams) -> None:
        a = generate_portfolio(params, debtors=200, seed=7, start=START)
        b = generate_portfolio(params, debtors=200, seed=7, start=START)
        assert a == b

    def test_other_seed_other_portfolio(self, params: BehaviourParams) -> None:
        a = generate_portfolio(params, debtors=200, seed=7, start=START)
        b = generate_portfolio(params, debtors=200, seed=8, start=START)
        assert a.households != b.households

    def test_household_does_not_depend_on_portfolio_size(self, params: BehaviourParams) -> None:
        small = generate_portfolio(params, debtors=50, seed=7, start=START)
        large = generate_portfolio(params, debtors=300, seed=7, start=START)
        assert large.households[:50] == small.households
        assert large.debts[: len(small.debts)] == small.debts


class TestShape:
    """Shares follow the documented parameters; bills are well-formed."""

    def test_shares_close_to_parameters(self, params: BehaviourParams) -> None:
        portfolio = generate_portfolio(params, debtors=4000, seed=1, start=START)
        n = len(portfolio.households)
        profiles = Counter(h.profile for h in portfolio.households)
        assert profiles[Profile.ON_TIME] / n == pytest.approx(
            params.profiles[Profile.ON_TIME].share, abs=0.02
        )
        methods = Counter(h.method for h in portfolio.households)
        assert methods[PaymentMethod.SOURCE_DEDUCTION] / n == pytest.approx(0.157, abs=0.02)
        assert {h.profile for h in portfolio.households} == set(Profile)

    def test_bijstand_incomes_present_and_incomes_floor_at_norm(
        self, params: BehaviourParams
    ) -> None:
        portfolio = generate_portfolio(params, debtors=2000, seed=2, start=START)
        on_bijstand = [h for h in portfolio.households if h.debtor.on_bijstand]
        assert on_bijstand
        for h in portfolio.households:
            norm = params.households[h.debtor.household].bijstand_income
            assert h.debtor.net_monthly_income is not None
            assert h.debtor.net_monthly_income >= norm
            assert h.debtor.net_monthly_income.is_rounded()

    def test_bills(self, params: BehaviourParams) -> None:
        portfolio = generate_portfolio(params, debtors=300, seed=3, start=START, months=3)
        ids = [d.debt_id for d in portfolio.debts]
        assert len(ids) == len(set(ids))
        by_debtor = portfolio.debts_by_debtor()
        for h in portfolio.households:
            bills = by_debtor[h.debtor.debtor_id]
            kind = params.debts[h.product]
            assert len(bills) == (3 if kind.periodic else 1)
            for bill in bills:
                assert bill.issued_on is not None
                assert bill.due_date > bill.issued_on
                assert kind.min_amount <= bill.principal <= kind.max_amount
                assert bill.kind is kind.kind

    def test_deceased_and_vulnerable_flags_follow_profile(self, params: BehaviourParams) -> None:
        portfolio = generate_portfolio(params, debtors=3000, seed=4, start=START)
        for h in portfolio.households:
            assert h.debtor.deceased == (h.profile is Profile.DECEASED)
            assert h.debtor.vulnerable == (h.profile is Profile.VULNERABLE)


class TestIban:
    """Generated IBANs are valid Dutch IBANs (checked by schwifty, an independent library)."""

    @given(st.integers(min_value=0, max_value=2**32))
    def test_valid(self, seed: int) -> None:
        iban = IBAN(nl_iban(random.Random(seed)))
        assert iban.country_code == "NL"
        assert iban.bic is not None

    def test_portfolio_ibans_valid_and_unique_enough(self, params: BehaviourParams) -> None:
        portfolio = generate_portfolio(params, debtors=500, seed=5, start=START)
        ibans = [h.debtor.iban for h in portfolio.households]
        for value in ibans:
            assert value is not None
            IBAN(value)
        assert len(set(ibans)) == len(ibans)


class TestBehaviourFile:
    """The behaviour file is read with its version and bad values are named precisely."""

    def test_version(self, params: BehaviourParams) -> None:
        assert params.version == "demo_behaviour@2026-01-01 (provisional)"
        assert sum(p.share for p in params.profiles.values()) == pytest.approx(1.0)
        assert sum(h.share for h in params.households.values()) == pytest.approx(1.0)

    def test_bad_probability(self, tmp_path: Path) -> None:
        shipped = Path(__file__).parents[2] / "maatwerk" / "demo" / "demo_behaviour.toml"
        text = shipped.read_text(encoding="utf-8").replace("on_time = 0.995", "on_time = 1.5")
        (tmp_path / "demo_behaviour.toml").write_text(text, encoding="utf-8")
        with pytest.raises(RuleTableError, match=r"profiles\.on-time\.on_time"):
            load_behaviour(START, tmp_path)

    def test_unfit_plans_accepted_a_fifth_as_often(self, params: BehaviourParams) -> None:
        # CZ (seed 003): a fifth of the arrangements under the fixed rule "6 months, at least
        # EUR 50" compared with plans sized to what the customer can spare
        for profile in params.profiles.values():
            assert profile.accept_unfit == pytest.approx(profile.accept_offer / 5, abs=0.005)

    def test_accept_unfit_above_accept_offer_is_refused(self, tmp_path: Path) -> None:
        shipped = Path(__file__).parents[2] / "maatwerk" / "demo" / "demo_behaviour.toml"
        text = shipped.read_text(encoding="utf-8").replace(
            "accept_unfit = 0.04", "accept_unfit = 0.50"
        )
        (tmp_path / "demo_behaviour.toml").write_text(text, encoding="utf-8")
        with pytest.raises(RuleTableError, match=r"profiles\.wont-pay\.accept_unfit"):
            load_behaviour(START, tmp_path)
