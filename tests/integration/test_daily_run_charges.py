"""Interest and collection costs posted by the run (SQLite, PostgreSQL): once, also after a crash.

The 14-day letter goes out through the real ``letters`` channel: only a delivered letter starts
its term and can lead to BIK (BW 6:96 lid 6); a refused one records nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Final

import attrs
import pytest
import sqlalchemy as sa
from run_helpers import (
    bill,
    import_payments,
    import_portfolio,
    shipped_evaluator,
    single,
    stock_dispatcher,
)

from maatwerk.adapters.legal_tables import (
    load_aanmaning_table,
    load_awb_interest_table,
    load_bik_table,
    load_interest_table,
)
from maatwerk.adapters.storage import SqlStore, schema
from maatwerk.core.collection_costs import collection_costs
from maatwerk.core.debts import InterestKind, Payment
from maatwerk.core.events import FourteenDayLetterSent
from maatwerk.core.interest import InterestTables, debt_interest
from maatwerk.core.money import Money, eur
from maatwerk.core.records import CaseOutcome, ImportRecord, StoredCase
from maatwerk.services.run import CaseEvaluator, PolicyCaseEvaluator, RunSettings, run_day


DUE = dt.date(2026, 1, 10)
DAYS = [dt.date(2026, 1, 25) + dt.timedelta(days=i) for i in range(40)]
INTEREST = InterestTables(
    consumer=load_interest_table(InterestKind.CONSUMER),
    commercial=load_interest_table(InterestKind.COMMERCIAL),
    awb=load_awb_interest_table(),
)


def portfolio() -> tuple[ImportRecord, ...]:
    records: list[ImportRecord] = []
    for i in range(3):
        records.append(single(f"D{i}", f"Person {i}", phone=None))
        records.append(
            bill(f"B{i}", f"D{i}", "shop", eur("800.00") + eur(i * 100), DUE, category="invoice")
        )
    return tuple(records)


@pytest.fixture
def store(store: SqlStore) -> SqlStore:
    import_portfolio(store, portfolio())
    return store


@pytest.fixture(scope="module")
def evaluator() -> PolicyCaseEvaluator:
    # the classic policy never pauses for an arrangement here and charges what the law allows
    return shipped_evaluator(
        "classic", bik=load_bik_table(), interest=INTEREST, aanmaning=load_aanmaning_table()
    )


@attrs.define
class Crash:
    """An evaluator that dies (like a killed process) after ``after`` cases on ``day``."""

    inner: PolicyCaseEvaluator
    day: dt.date
    after: int
    seen: int = 0

    def __call__(self, stored: StoredCase, today: dt.date) -> CaseOutcome:
        if today == self.day:
            self.seen += 1
            if self.seen > self.after:
                raise SystemExit("killed")
        return self.inner(stored, today)


def lines(store: SqlStore) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    """The posted cost lines and interest lines, as sorted rows of strings."""
    costs = ("debt_id", "kind", "posting_key", "amount_cents")
    interest = ("debt_id", "period_from", "period_to", "amount_cents", "table_version")
    with store.engine.connect() as conn:
        return _rows(conn, schema.cost_lines, costs), _rows(conn, schema.interest_lines, interest)


def _rows(conn: sa.Connection, table: sa.Table, columns: tuple[str, ...]) -> list[tuple[str, ...]]:
    found = conn.execute(sa.select(*(table.c[name] for name in columns))).all()
    return sorted(tuple(map(str, row)) for row in found)


SETTINGS: Final = {"creditor_name": "Winkel BV", "creditor_phone": "010 123 45 67"}


def run_one(
    store: SqlStore,
    evaluator: CaseEvaluator,
    day: dt.date,
    out: Path,
    settings: Mapping[str, str] = SETTINGS,
    *,
    delivery_store: SqlStore | None = None,
) -> None:
    """Run ``day`` a case per batch, delivering through the stock channels writing under ``out``;
    the deliveries are recorded in ``delivery_store`` (default ``store``)."""
    dispatcher = stock_dispatcher(delivery_store or store, day, out, settings)
    run_day(store, evaluator, day, dispatcher=dispatcher, settings=RunSettings(batch_size=1))


def run_all(store: SqlStore, evaluator: PolicyCaseEvaluator, out: Path) -> None:
    for day in DAYS:
        run_one(store, evaluator, day, out)


def letters_of(store: SqlStore) -> list[FourteenDayLetterSent]:
    return [
        r.event
        for i in range(3)
        for r in store.history(f"D{i}")
        if isinstance(r.event, FourteenDayLetterSent)
    ]


class TestPostedOnce:
    """BIK after the expired 14-day letter and monthly interest: each line exactly once."""

    def test_costs_and_interest_once_across_reruns(
        self, store: SqlStore, evaluator: PolicyCaseEvaluator, tmp_path: Path
    ) -> None:
        run_all(store, evaluator, tmp_path)
        costs, interest = lines(store)
        bik = [c for c in costs if c[1] == "bik"]
        assert [c[0] for c in bik] == ["B0", "B1", "B2"]
        letters = letters_of(store)
        assert len(letters) == 3, "the policy sends one 14-day letter per case"
        for letter, cost in zip(letters, bik, strict=True):
            assert cost[2] == f"bik:{letter.sent_on.isoformat()}"
            assert cost[3] == str(letter.stated_costs.to_minor_units())
        for case in store.load_cases(store.case_keys(after=None, limit=10)):
            (debt,) = case.case.debts
            (line,) = [c for c in debt.costs if c.kind == "bik"]
            (letter,) = [e for e in letters if e.debtor_id == case.key.debtor_id]
            assert line.posted_on > letter.received_on + dt.timedelta(days=14)
        # interest: [default, 1 Feb) and [1 Feb, 1 Mar) for each debt
        assert [(r[0], r[1], r[2]) for r in interest if r[0] == "B0"] == [
            ("B0", "2026-01-11", "2026-02-01"),
            ("B0", "2026-02-01", "2026-03-01"),
        ]
        assert len(interest) == 6
        assert all(r[4] for r in interest)
        (case,) = [
            c
            for c in store.load_cases(store.case_keys(after=None, limit=10))
            if c.key.debtor_id == "D0"
        ]
        (debt,) = case.case.debts
        total = debt_interest(
            debt, start=debt.default_date, end=dt.date(2026, 3, 1), tables=INTEREST
        ).interest
        assert sum((line.amount for line in debt.interest), Money.zero()) == total
        before = lines(store)
        run_all(store, evaluator, tmp_path)
        assert lines(store) == before
        assert len(letters_of(store)) == 3

    def test_costs_on_what_is_still_open_after_a_part_payment(
        self, store: SqlStore, evaluator: PolicyCaseEvaluator, tmp_path: Path
    ) -> None:
        """EUR 100 of the EUR 800 paid before the 14-day letter: the letter states, and the run
        posts, the costs on the EUR 700 still open (EUR 105.00), not on EUR 800 (EUR 120.00)."""
        paid = Payment(payment_id="P0", debtor_id="D0", received_on=DUE, amount=eur("100.00"))
        import_payments(store, [paid])
        run_all(store, evaluator, tmp_path)
        (letter,) = [e for e in letters_of(store) if e.debtor_id == "D0"]
        assert letter.sent_on > DUE
        expected = collection_costs([eur("700.00")], on=letter.sent_on, table=load_bik_table())
        assert letter.stated_costs == expected.total == eur("105.00")
        (bik,) = [c for c in lines(store)[0] if c[0] == "B0" and c[1] == "bik"]
        assert bik[3] == "10500"

    def test_crash_and_rerun_posts_once(
        self, store: SqlStore, evaluator: PolicyCaseEvaluator, tmp_path: Path
    ) -> None:
        for day in DAYS:
            if dt.date(2026, 2, 10) <= day <= dt.date(2026, 3, 2):
                # dies after the first case's batch was committed, then the day is run again
                with pytest.raises(SystemExit):
                    run_one(store, Crash(evaluator, day, after=1), day, tmp_path)
            run_one(store, evaluator, day, tmp_path)
        costs, interest = lines(store)
        assert len([c for c in costs if c[1] == "bik"]) == 3
        assert len(interest) == 6
        assert len({(r[0], r[1]) for r in interest}) == 6
        assert len(letters_of(store)) == 3


@attrs.define
class DiesAfterDelivery:
    """A store whose delivery transaction dies once (the channel already wrote the letters)."""

    inner: SqlStore
    died: bool = False

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    def record_delivery(self, *args: object, **kwargs: object) -> object:
        if not self.died:
            self.died = True
            raise SystemExit("killed between delivering and recording")
        return self.inner.record_delivery(*args, **kwargs)  # type: ignore[arg-type]


class TestOnlyDeliveredLettersCount:
    """A refused 14-day letter starts no term and never leads to BIK; a delivered one does."""

    def test_refused_letter_records_nothing_and_posts_no_bik(
        self, store: SqlStore, evaluator: PolicyCaseEvaluator, tmp_path: Path
    ) -> None:
        for day in DAYS:
            # the letters channel lacks the creditor's name: it refuses every letter
            run_one(store, evaluator, day, tmp_path, settings={})
        steps = {item.entry.action for item in store.outbox_items()}
        assert "fourteen-day-letter" in steps, "the policy proposed the letter"
        refused = [i for i in store.outbox_items() if i.entry.action == "fourteen-day-letter"]
        assert refused
        assert all(i.status.value == "refused" for i in refused)
        assert letters_of(store) == []
        costs, _interest = lines(store)
        assert [c for c in costs if c[1] == "bik"] == []

    def test_letter_is_dated_on_delivery(
        self, store: SqlStore, evaluator: PolicyCaseEvaluator, tmp_path: Path
    ) -> None:
        run_all(store, evaluator, tmp_path)
        items = {
            i.entry.case.debtor_id: i
            for i in store.outbox_items()
            if i.entry.action == "fourteen-day-letter"
        }
        for letter in letters_of(store):
            item = items[letter.debtor_id]
            assert item.status.value == "done"
            assert letter.sent_on == item.entry.run_date == letter.occurred_on
            assert letter.received_on == letter.sent_on + dt.timedelta(days=2)
            assert letter.stated_costs.amount == item.entry.payload["collection_costs"]

    def test_crash_between_delivery_and_recording_records_once(
        self, store: SqlStore, evaluator: PolicyCaseEvaluator, tmp_path: Path
    ) -> None:
        dying = DiesAfterDelivery(store)
        for day in DAYS:
            if not dying.died:
                try:
                    run_one(store, evaluator, day, tmp_path, delivery_store=dying)  # type: ignore[arg-type]
                except SystemExit:
                    assert letters_of(store) == []
            run_one(store, evaluator, day, tmp_path)
        assert dying.died
        assert len(letters_of(store)) == 3
        costs, _interest = lines(store)
        assert len([c for c in costs if c[1] == "bik"]) == 3
