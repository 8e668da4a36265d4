"""Rv 475da lid 7 through the daily run on a real database: an owner-occupier below the lid-7
income limit whose increase no person has set gets no step that rests on the protected income
(no 14-day letter with costs under the humane policy, no plan sized to capacity, no bailiff)
and the reason; once a person sets the increase, the BVV includes it and the case proceeds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from cli_helpers import CHANNEL_SETTINGS
from run_helpers import HOME, import_portfolio, shipped_evaluator, stock_dispatcher

from maatwerk.adapters.legal_tables import load_bik_table
from maatwerk.adapters.storage import SqlStore, migrate
from maatwerk.adapters.storage.engine import make_engine
from maatwerk.adapters.subsistence_tables import load_subsistence_tables
from maatwerk.core.debtors import Debtor, HouseholdType, Housing
from maatwerk.core.debts import Debt
from maatwerk.core.events import ContactAttempt, ContactChannel, ContactOutcome, StepTaken
from maatwerk.core.money import eur
from maatwerk.services.payloads import household_capacity
from maatwerk.services.recording import set_housing
from maatwerk.services.run import PolicyCaseEvaluator, run_day


START = dt.date(2026, 3, 2)
#: net EUR 1,900 and a taxable EUR 26,000 a year (below the single lid-7 limit of EUR 55,682.78
#: for 2026): the BVV without the increase is EUR 1,389.36, with a person-set EUR 150 EUR 1,539.36
#: (``maatwerk calc bvv --owner-occupier``)
WITHOUT, WITH = eur("1389.36"), eur("1539.36")


def _debtor(debtor_id: str, housing: Housing | None) -> Debtor:
    return Debtor(
        address=HOME,
        debtor_id=debtor_id,
        name=debtor_id,
        household=HouseholdType.SINGLE,
        net_monthly_income=eur("1900.00"),
        gross_annual_income=eur("26000.00"),
        phone="0612345678",
        housing=housing,
    )


def _debt(debtor_id: str) -> Debt:
    return Debt(
        debt_id=f"B-{debtor_id}",
        debtor_id=debtor_id,
        creditor_id="zorg",
        principal=eur("300.00"),
        due_date=START,
    )


@pytest.fixture
def evaluator() -> PolicyCaseEvaluator:
    return shipped_evaluator("humane", subsistence=load_subsistence_tables(), bik=load_bik_table())


def _steps(store: SqlStore, debtor_id: str) -> list[str]:
    return [r.event.step_id for r in store.history(debtor_id) if isinstance(r.event, StepTaken)]


def _run(store: SqlStore, evaluator: PolicyCaseEvaluator, days: range, out: Path) -> None:
    for offset in days:
        day = START + dt.timedelta(days=offset)
        dispatcher = stock_dispatcher(store, day, out, CHANNEL_SETTINGS)
        run_day(store, evaluator, day, dispatcher=dispatcher)


def test_owner_occupier_waits_for_a_person_then_proceeds_with_the_increase(
    sqlite_url: str, evaluator: PolicyCaseEvaluator, tmp_path: Path
) -> None:
    engine = make_engine(sqlite_url)
    migrate.upgrade(engine)
    engine.dispose()
    store = SqlStore.from_url(sqlite_url)
    try:
        import_portfolio(
            store,
            [
                _debtor("OWNER", Housing.OWN),
                _debt("OWNER"),
                _debtor("TENANT", None),
                _debt("TENANT"),
            ],
        )
        # both were called on the ladder's call day and did not answer (a personal contact
        # attempt, which the bailiff needs first)
        store.append(
            [
                ContactAttempt(
                    occurred_on=START + dt.timedelta(days=14),
                    debtor_id=who,
                    channel=ContactChannel.PHONE,
                    outcome=ContactOutcome.NO_ANSWER,
                )
                for who in ("OWNER", "TENANT")
            ]
        )
        subsistence = load_subsistence_tables()
        _run(store, evaluator, range(100), tmp_path / "out")

        owner = _steps(store, "OWNER")
        tenant = _steps(store, "TENANT")
        # the tenant (no lid-7 request): the humane ladder, up to the bailiff review
        assert {"letter", "arrangement"} <= set(tenant)
        reviews = {r.item.entry.case.debtor_id: r.item.entry.step for r in store.reviews()}
        assert reviews.get("TENANT") == "bailiff"
        # the owner-occupier: only steps that do not rest on the protected income
        assert "call" in owner
        assert not {"letter", "arrangement", "bailiff"} & set(owner)
        assert "OWNER" not in reviews
        (case,) = store.load_cases(list(store.cases_of_debtor("OWNER")))
        assert case.case.debts[0].costs == ()
        capacity = household_capacity(case.debtor, START, subsistence)
        assert capacity.protected_income is None
        assert capacity.needs_person == "lid 7 increase cannot be computed"
        assert capacity.too_low == WITHOUT
        decision = evaluator.decide(case, START + dt.timedelta(days=99))
        text = " ".join(decision.explain("nl"))
        assert "De beslagvrije voet kan hoger zijn, omdat de klant een eigen huis heeft." in text
        assert "Een medewerker rekent het na." in text
        assert "1.389,36" in text
        blocked = {n.step_id for n in decision.notes if n.kind.value == "blocked"}
        assert "letter" in blocked

        # a person sets the increase: the BVV includes it and the case proceeds
        set_housing(
            store,
            "OWNER",
            housing=Housing.OWN,
            owner_increase=eur("150.00"),
            on=START + dt.timedelta(days=100),
            by="anna",
        )
        (case,) = store.load_cases(list(store.cases_of_debtor("OWNER")))
        capacity = household_capacity(case.debtor, START, subsistence)
        assert capacity.protected_income == WITH
        assert capacity.needs_person == ""
        _run(store, evaluator, range(100, 130), tmp_path / "out")
        assert "letter" in _steps(store, "OWNER")
        decision = evaluator.decide(case, START + dt.timedelta(days=129))
        assert "De beslagvrije voet kan hoger zijn" not in " ".join(decision.explain("nl"))
        audit = [h for h in store.history("OWNER") if h.kind == "audit.record-updated"]
        assert [h.occurred_on for h in audit] == [START + dt.timedelta(days=100)]
    finally:
        store.close()
