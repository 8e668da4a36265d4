"""What the run puts in payloads and records on delivery (SQLite, PostgreSQL).

* an aanmaning (Awb 4:112), also one approved in review later, gets its Awb 4:113 fee posted
  once, when its channel delivers it; a refused one posts nothing and starts no term;
* a step for the ``source-deduction`` channel carries the BVV calculation (Rv 475da);
* a re-presented direct debit is dated on the TARGET (``sepa``) calendar with the lead time
  the SEPA channel checks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Final

import pytest
from run_helpers import HOME, bill, import_portfolio, stock_dispatcher

from maatwerk.adapters.calendars import build_calendars
from maatwerk.adapters.legal_tables import load_aanmaning_table
from maatwerk.adapters.policy_loader import load_policy
from maatwerk.adapters.sepa._rules import previous_business_day
from maatwerk.adapters.storage import SqlStore
from maatwerk.adapters.subsistence_tables import load_subsistence_tables
from maatwerk.core.calendar import SEPA
from maatwerk.core.debtors import Debtor, HouseholdType
from maatwerk.core.debts import ClaimKind
from maatwerk.core.events import FormalDemandSent
from maatwerk.core.money import eur
from maatwerk.core.policy import PolicyTables
from maatwerk.core.records import OutboxStatus
from maatwerk.services import review
from maatwerk.services.payloads import collection_date
from maatwerk.services.run import Dispatcher, PolicyCaseEvaluator, RunSettings, run_day


DUE = dt.date(2026, 1, 10)
SETTINGS: Final = {"creditor_name": "Gemeente", "creditor_phone": "14 010"}
POLICY = """
schema = 1
name = "demand"
version = "1"
title = "Aanmaning, reviewed or not, and a deduction"

[[step]]
id = "aanmaning"
action = "formal-demand"
channel = "letters"
anchor = "default-date"
days = 3
review = {review}

[[step]]
id = "deduct"
action = "arrangement-offer"
channel = "source-deduction"
anchor = "default-date"
days = 30
"""


def evaluator(tmp: Path, *, review_demand: bool) -> PolicyCaseEvaluator:
    path = tmp / "demand.toml"
    path.write_text(POLICY.format(review=str(review_demand).lower()), encoding="utf-8")
    return PolicyCaseEvaluator(
        policies={"demand": load_policy(path)},
        default="demand",
        tables=PolicyTables(calendars=build_calendars()),
        aanmaning=load_aanmaning_table(),
        subsistence=load_subsistence_tables(),
    )


@pytest.fixture
def store(store: SqlStore) -> SqlStore:
    debtor = Debtor(
        address=HOME,
        debtor_id="D1",
        name="Person 1",
        household=HouseholdType.SINGLE,
        net_monthly_income=eur("1800.00"),
        gross_annual_income=eur("28000.00"),
    )
    debt = bill("B1", "D1", "city", eur("400.00"), DUE, kind=ClaimKind.PUBLIC, category="tax")
    import_portfolio(store, [debtor, debt])
    return store


def dispatcher(
    store: SqlStore, day: dt.date, out: Path, settings: Mapping[str, str] = SETTINGS
) -> Dispatcher:
    return stock_dispatcher(store, day, out, settings)


def fees(store: SqlStore) -> list[tuple[str, dt.date]]:
    (case,) = store.load_cases(store.case_keys(after=None, limit=5))
    return [(c.kind, c.posted_on) for d in case.case.debts for c in d.costs]


def demands(store: SqlStore) -> list[FormalDemandSent]:
    return [r.event for r in store.history("D1") if isinstance(r.event, FormalDemandSent)]


class TestAanmaningFee:
    """The Awb 4:113 fee follows the delivered aanmaning, once; never a refused one."""

    def test_fee_posted_on_delivery_once(self, store: SqlStore, tmp_path: Path) -> None:
        ev = evaluator(tmp_path, review_demand=False)
        day = DUE + dt.timedelta(days=4)
        for _ in range(2):
            run_day(store, ev, day, dispatcher=dispatcher(store, day, tmp_path))
        assert fees(store) == [("aanmaning", day)]
        (demand,) = demands(store)
        assert demand.sent_on == day
        (item,) = [i for i in store.outbox_items() if i.entry.action == "formal-demand"]
        assert item.status is OutboxStatus.DONE
        assert demand.stated_costs.amount == item.entry.payload["collection_costs"] > 0
        letter = next((tmp_path / "letters").rglob("*.txt")).read_text(encoding="utf-8")
        assert "Awb 4:113" in letter, "the letter states the fee it costs"

    def test_refused_aanmaning_posts_nothing(self, store: SqlStore, tmp_path: Path) -> None:
        ev = evaluator(tmp_path, review_demand=False)
        day = DUE + dt.timedelta(days=4)
        run_day(store, ev, day, dispatcher=dispatcher(store, day, tmp_path, settings={}))
        (item,) = [i for i in store.outbox_items() if i.entry.action == "formal-demand"]
        assert item.status is OutboxStatus.REFUSED
        assert fees(store) == []
        assert demands(store) == []

    def test_approved_aanmaning_gets_its_fee_when_dispatched(
        self, store: SqlStore, tmp_path: Path
    ) -> None:
        ev = evaluator(tmp_path, review_demand=True)
        first = DUE + dt.timedelta(days=4)
        run_day(store, ev, first, dispatcher=dispatcher(store, first, tmp_path))
        (pending,) = store.reviews()
        assert fees(store) == []
        approved_on = first + dt.timedelta(days=2)
        review.approve(store, pending.review_id, by="checker", on=approved_on)
        for offset in (2, 3, 3):  # the next runs (the last one again) dispatch it once
            day = first + dt.timedelta(days=offset)
            run_day(
                store,
                ev,
                day,
                dispatcher=dispatcher(store, day, tmp_path),
                settings=RunSettings(prepared_by="engine"),
            )
        assert fees(store) == [("aanmaning", approved_on)]
        assert [d.sent_on for d in demands(store)] == [approved_on]


class TestDeductionPayload:
    """A step for the source-deduction channel carries the BVV with its calculation lines."""

    def test_bvv_in_the_payload_and_delivered(self, store: SqlStore, tmp_path: Path) -> None:
        ev = evaluator(tmp_path, review_demand=False)
        for offset in range(1, 45):
            day = DUE + dt.timedelta(days=offset)
            run_day(store, ev, day, dispatcher=dispatcher(store, day, tmp_path))
        (item,) = [i for i in store.outbox_items() if i.entry.channel == "source-deduction"]
        bvv = item.entry.payload["bvv"]
        assert bvv["protected_income"] > 0
        assert bvv["lines"]
        assert item.status is OutboxStatus.DONE, item


class TestCollectionDate:
    """The first date the SEPA channel accepts: a TARGET business day, D-1 after creation."""

    def test_good_friday_and_easter_monday_are_skipped(self) -> None:
        sepa = build_calendars().get(SEPA)
        assert collection_date(dt.date(2026, 4, 2), sepa) == dt.date(2026, 4, 7)
        assert collection_date(dt.date(2026, 4, 4), sepa) == dt.date(2026, 4, 8)

    def test_every_day_of_2026_gives_the_first_valid_date(self) -> None:
        sepa = build_calendars().get(SEPA)
        for offset in range(365):
            today = dt.date(2026, 1, 1) + dt.timedelta(days=offset)
            day = collection_date(today, sepa)
            assert day is not None
            assert sepa.is_business_day(day)
            assert previous_business_day(day, sepa.is_business_day) >= today
            earlier = previous_business_day(day, sepa.is_business_day)
            assert earlier <= today or previous_business_day(earlier, sepa.is_business_day) < today
