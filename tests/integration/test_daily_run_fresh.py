"""Cases never decided rest without an evaluation (``FreshRule``) only while a full evaluation
would agree, on SQLite and PostgreSQL: every day from the run date up to the wake day, the
full evaluation of each rested case decides ``none`` under the same policy and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
import sqlalchemy as sa
from run_helpers import single

from maatwerk.adapters.csv_import import read_import_file
from maatwerk.adapters.storage import SqlStore, fresh, run_state
from maatwerk.adapters.storage import schema as t
from maatwerk.cli._wiring import build_evaluator, plugin_manager
from maatwerk.core.debtors import HouseholdType
from maatwerk.core.idle import FreshPolicy, FreshRule
from maatwerk.core.money import Money
from maatwerk.core.records import CaseKey, ImportKind
from maatwerk.demo.behaviour import load_behaviour
from maatwerk.demo.synthetic import generate_portfolio
from maatwerk.demo.synthetic_csv import write_portfolio
from maatwerk.services.importing import import_file
from maatwerk.services.payloads import household_capacity
from maatwerk.services.run import PolicyCaseEvaluator


START = dt.date(2026, 1, 1)


def _import_demo(store: SqlStore, tmp: Path, debtors: int) -> None:
    portfolio = generate_portfolio(
        load_behaviour(START), debtors=debtors, seed=3, start=START, months=4
    )
    files = write_portfolio(portfolio, tmp / "portfolio")
    for kind in (ImportKind.DEBTORS, ImportKind.DEBTS, ImportKind.MANDATES):
        import_file(read_import_file(files[kind.value], kind), store, recorded_by="test")


def _evaluator(policy: str) -> PolicyCaseEvaluator:
    # "humane+": humane, but classic for the invoices (a policy chosen per segment)
    by_segment = {"invoice": "classic"} if policy == "humane+" else {}
    default = policy.rstrip("+")
    return build_evaluator(plugin_manager(), default=default, by_creditor={}, by_segment=by_segment)


@pytest.mark.parametrize(
    ("policy", "day"),
    [
        ("humane", START),
        ("classic", START + dt.timedelta(days=20)),
        ("zvw", START),
        ("humane+", START + dt.timedelta(days=10)),
    ],
)
def test_a_fresh_case_rests_only_while_a_full_evaluation_waits(
    store: SqlStore, tmp_path: Path, policy: str, day: dt.date
) -> None:
    _import_demo(store, tmp_path, 60)
    evaluator = _evaluator(policy)
    rested = store.rest_fresh(day, evaluator.fresh_rule(day), evaluator=evaluator.signature)
    with store.engine.connect() as conn:
        states = {
            CaseKey(r.debtor_id, r.creditor_id): (r.wake_on, r.policy, r.fingerprint)
            for r in conn.execute(sa.select(t.case_state))
        }
        decided = conn.execute(
            sa.select(sa.func.count()).where(t.decisions.c.run_date == day)
        ).scalar_one()
    total = store.count_cases()
    assert rested == len(states) == decided
    assert 0 < rested <= total
    if policy == "classic":  # 20 days on, steps are due: those cases are evaluated
        assert rested < total
    if policy == "humane+":  # both policies rest cases, each under its own label
        assert len({label for _, label, _ in states.values()}) == 2
    with store.engine.connect() as conn:
        current = run_state.fingerprints(conn, list(states))
    assert current == {k: v[2] for k, v in states.items()}
    for stored in store.load_cases(list(states)):
        wake, label, _ = states[stored.key]
        assert wake > day
        on = day
        while on < wake:
            outcome = evaluator(stored, on)
            assert outcome.decision.outcome == "none", (stored.key, on)
            assert outcome.decision.policy == label
            assert not outcome.outbox, (stored.key, on)
            assert not outcome.events, (stored.key, on)
            assert not outcome.postings, (stored.key, on)
            on += dt.timedelta(days=1)
    # a second call (a rerun of the day) records nothing twice
    assert store.rest_fresh(day, evaluator.fresh_rule(day), evaluator=evaluator.signature) == 0


def test_a_household_that_may_have_no_room_is_evaluated() -> None:
    evaluator = _evaluator("humane")
    rule = evaluator.fresh_rule(START)
    floors = rule.bijstand_floor_cents
    assert floors is not None
    single, couple = floors
    assert 0 < single < couple

    def wake(
        *, bijstand: bool, cents: int | None, household: str = "single"
    ) -> tuple[str, dt.date] | None:
        return rule.wake_on(
            START,
            creditor_id="c",
            segment="s",
            household=household,
            on_bijstand=bijstand,
            net_income_cents=cents,
            first_due=START + dt.timedelta(days=60),
            first_default=None,
        )

    assert wake(bijstand=True, cents=single) is None
    assert wake(bijstand=True, cents=single + 1) is not None
    assert wake(bijstand=True, cents=single + 1, household="couple") is None
    assert wake(bijstand=True, cents=couple + 1, household="couple") is not None
    assert wake(bijstand=False, cents=100) is None
    assert wake(bijstand=False, cents=None) is not None


@pytest.mark.parametrize("household", list(HouseholdType))
@pytest.mark.parametrize("cents", [101, 5_000, 95_000, 180_000, 400_000])
def test_the_income_cap_leaves_room_off_bijstand(household: HouseholdType, cents: int) -> None:
    """What ``FreshRule`` relies on: off bijstand, with more than 1 euro of net income, the
    protected income is at most 95 % of it (Rv 475dc lid 1), so the household has room."""
    debtor = attrs.evolve(
        single("D1", "P"),
        household=household,
        net_monthly_income=Money(Decimal(cents) / 100),
        on_bijstand=False,
    )
    evaluator = _evaluator("humane")
    capacity = household_capacity(debtor, START, evaluator.subsistence)
    assert not capacity.no_room


def test_a_policy_without_dated_steps_rests_nothing() -> None:
    rule = _evaluator("humane").fresh_rule(START)
    empty = FreshPolicy(label="x", from_due=(), from_default=(), charges=False)
    bare = FreshRule(
        policies={"x": empty},
        default="x",
        by_creditor={},
        by_segment={},
        calendars=rule.calendars,
        until=START + dt.timedelta(days=200),
    )
    assert (
        bare.wake_on(
            START,
            creditor_id="c",
            segment="s",
            household="single",
            on_bijstand=False,
            net_income_cents=None,
            first_due=START + dt.timedelta(days=60),
            first_default=None,
        )
        is None
    )


def test_a_page_of_the_fresh_pass_runs_without_jit_on_postgresql(
    store: SqlStore, tmp_path: Path
) -> None:
    """PostgreSQL compiled the page's query with JIT for seven times its run time: the page's
    transaction turns it off (``SET LOCAL``), and only that transaction."""
    _import_demo(store, tmp_path, 5)
    evaluator = _evaluator("humane")
    postgresql = store.engine.dialect.name == "postgresql"
    show = "SHOW jit"
    before = None
    if postgresql:
        with store.engine.connect() as conn:
            before = conn.exec_driver_sql(show).scalar_one()
    with store.engine.begin() as conn:
        rested, last = fresh.rest_fresh_page(
            conn, START, evaluator.fresh_rule(START), evaluator.signature, after=None
        )
        if postgresql:
            assert conn.exec_driver_sql(show).scalar_one() == "off"
    assert rested > 0
    assert last is not None
    if postgresql:
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql(show).scalar_one() == before
