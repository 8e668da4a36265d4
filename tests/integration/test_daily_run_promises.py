"""The run keeps a promise to pay (SQLite, PostgreSQL).

A promise recorded with a day and an amount holds every step until that day plus the policy's
grace (humane: 3 days). Paid in full by then: one ``PromiseKept``, no escalation. Not (or only
partly) paid: one ``PromiseBroken`` dated the day after the grace, and the ladder resumes with the
humane policy's call. Each outcome is recorded once, also when a day is run again or after a
crash.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import attrs
import pytest
from run_helpers import bill, import_payments, import_portfolio, shipped_evaluator, single

from maatwerk.adapters.storage import SqlStore
from maatwerk.core.debts import Payment
from maatwerk.core.events import ContactChannel, Event, PromiseBroken, PromiseKept, StepTaken
from maatwerk.core.money import eur
from maatwerk.core.records import CaseOutcome, StoredCase
from maatwerk.services import recording
from maatwerk.services.run import PolicyCaseEvaluator, RunSettings, run_day


DUE = dt.date(2026, 1, 10)
MADE = dt.date(2026, 1, 16)
BY = dt.date(2026, 2, 5)
LAST = BY + dt.timedelta(days=3)  # humane: promise_grace_days = 3
DAYS = [MADE + dt.timedelta(days=i) for i in range(50)]


@pytest.fixture
def store(store: SqlStore) -> SqlStore:
    import_portfolio(
        store,
        [single("D1", "Person 1"), bill("B1", "D1", "shop", eur("300.00"), DUE)],
    )
    recording.log_promise(
        store,
        "D1",
        channel=ContactChannel.PHONE,
        promised_on=BY,
        amount=eur("300.00"),
        note="",
        on=MADE,
        by="agent",
    )
    return store


def pay(store: SqlStore, day: dt.date, amount: str) -> None:
    import_payments(
        store,
        [Payment(payment_id=f"P{day}", debtor_id="D1", received_on=day, amount=eur(amount))],
        file_name="payments",
        file_sha256=f"{day}-{amount}",
    )


def run(store: SqlStore, ev: PolicyCaseEvaluator | Crash, days: Sequence[dt.date]) -> None:
    for day in days:
        run_day(store, ev, day, settings=RunSettings(batch_size=1))


def outcomes(store: SqlStore) -> list[Event]:
    kinds = (PromiseKept, PromiseBroken)
    return [r.event for r in store.history("D1") if isinstance(r.event, kinds)]


def steps(store: SqlStore) -> list[tuple[dt.date, str]]:
    return [
        (r.event.occurred_on, r.event.step_id)
        for r in store.history("D1")
        if isinstance(r.event, StepTaken)
    ]


@attrs.define
class Crash:
    """Dies (like a killed process) on the first case of ``day``."""

    inner: PolicyCaseEvaluator
    day: dt.date

    def __call__(self, stored: StoredCase, today: dt.date) -> CaseOutcome:
        if today == self.day:
            raise SystemExit("killed")
        return self.inner(stored, today)


class TestKept:
    def test_paid_inside_the_grace_no_escalation_kept_once(self, store: SqlStore) -> None:
        pay(store, BY + dt.timedelta(days=2), "300.00")
        ev = shipped_evaluator("humane")
        run(store, ev, DAYS)
        run(store, ev, DAYS)  # every date again: nothing new
        (kept,) = outcomes(store)
        assert isinstance(kept, PromiseKept)
        assert kept.occurred_on == BY + dt.timedelta(days=2)
        assert kept.paid == eur("300.00")
        assert kept.promise_id == f"D1:shop:{MADE}:{BY}"
        # nothing escalated while the promise ran; the paid case is only closed
        assert [s for _, s in steps(store)] in ([], ["close"])

    def test_crash_on_the_kept_day_records_it_once(self, store: SqlStore) -> None:
        kept_on = BY + dt.timedelta(days=1)
        pay(store, kept_on, "300.00")
        ev = shipped_evaluator("humane")
        run(store, ev, [d for d in DAYS if d < kept_on])
        with pytest.raises(SystemExit):
            run(store, Crash(ev, kept_on), [kept_on])
        run(store, ev, [d for d in DAYS if d >= kept_on])
        assert [type(e) for e in outcomes(store)] == [PromiseKept]


class TestBroken:
    @pytest.mark.parametrize("crash", [False, True])
    def test_part_payment_breaks_it_the_day_after_the_grace(
        self, store: SqlStore, crash: bool
    ) -> None:
        pay(store, BY - dt.timedelta(days=1), "100.00")
        ev = shipped_evaluator("humane")
        broken_on = LAST + dt.timedelta(days=1)
        if crash:
            run(store, ev, [d for d in DAYS if d < broken_on])
            with pytest.raises(SystemExit):
                run(store, Crash(ev, broken_on), [broken_on])
        run(store, ev, DAYS)
        run(store, ev, DAYS)
        (broken,) = outcomes(store)
        assert isinstance(broken, PromiseBroken)
        assert broken.occurred_on == broken_on
        assert broken.paid == eur("100.00")
        assert broken.outstanding == eur("200.00")
        taken = steps(store)
        assert all(day >= broken_on for day, _ in taken), taken
        # the ladder resumes: first the call about the broken promise, then the rungs
        assert taken[0] == (broken_on, "promise-call")
        assert len(taken) > 1

    def test_without_a_payment_classic_judges_it_but_does_not_wait(self, store: SqlStore) -> None:
        ev = shipped_evaluator("classic")
        run(store, ev, DAYS)
        (broken,) = outcomes(store)
        assert isinstance(broken, PromiseBroken)
        assert broken.occurred_on == BY + dt.timedelta(days=1)  # classic: no grace
        assert any(day < BY for day, _ in steps(store))  # its ladder did not wait
