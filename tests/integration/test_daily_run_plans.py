"""The run watches payment arrangements every day (SQLite, PostgreSQL).

For each case with an accepted arrangement whose schedule is stored, the run judges it from the
booked payments (``arrangements.arrangement_status``): a missed instalment gets one reminder
(the policy's ``instalment-missed`` step, or the run's own ``payment-reminder`` via letters), a
breached plan one ``ArrangementBreached`` and a paid plan one ``ArrangementCompleted``, also when a
date is run again or after a crash.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import attrs
import pytest
import sqlalchemy as sa
from run_helpers import bill, import_payments, import_portfolio, shipped_evaluator, single

from maatwerk.adapters.storage import SqlStore, schema
from maatwerk.core.debts import Payment
from maatwerk.core.events import (
    ArrangementAccepted,
    ArrangementBreached,
    ArrangementCompleted,
    ArrangementOffered,
    Event,
)
from maatwerk.core.money import eur
from maatwerk.core.records import CaseOutcome, StoredCase
from maatwerk.services.run import (
    PLAN_REMINDER_STEP,
    PolicyCaseEvaluator,
    RunSettings,
    run_day,
)


DUE = dt.date(2026, 1, 10)
ACCEPTED = dt.date(2026, 1, 14)
SCHEDULE = (
    (dt.date(2026, 2, 1), eur("100.00")),
    (dt.date(2026, 3, 1), eur("100.00")),
    (dt.date(2026, 4, 1), eur("100.00")),
)
DAYS = [dt.date(2026, 1, 15) + dt.timedelta(days=i) for i in range(95)]


@pytest.fixture
def store(store: SqlStore) -> SqlStore:
    debt = bill("B1", "D1", "shop", eur("300.00"), DUE, category="invoice")
    import_portfolio(store, [single("D1", "Person 1"), debt])
    store.append(
        [
            ArrangementOffered(
                occurred_on=ACCEPTED,
                debtor_id="D1",
                arrangement_id="A1",
                debt_ids=("B1",),
                instalment=eur("100.00"),
                instalments=3,
                schedule=SCHEDULE,
            ),
            ArrangementAccepted(occurred_on=ACCEPTED, debtor_id="D1", arrangement_id="A1"),
        ]
    )
    return store


def pay(store: SqlStore, *days: dt.date) -> None:
    import_payments(
        store,
        (
            Payment(
                payment_id=f"P{d.isoformat()}", debtor_id="D1", received_on=d, amount=eur("100.00")
            )
            for d in days
        ),
        file_name="payments",
        file_sha256=",".join(d.isoformat() for d in days),
    )


def run(store: SqlStore, ev: PolicyCaseEvaluator, days: Sequence[dt.date]) -> None:
    for day in days:
        run_day(store, ev, day, settings=RunSettings(batch_size=1))


def plan_events(store: SqlStore) -> list[Event]:
    kinds = (ArrangementBreached, ArrangementCompleted)
    return [r.event for r in store.history("D1") if isinstance(r.event, kinds)]


def reminders(store: SqlStore) -> list[tuple[dt.date, str]]:
    return [
        (i.entry.run_date, i.entry.step)
        for i in store.outbox_items()
        if i.entry.action == "payment-reminder"
        and (i.entry.step == "plan-reminder" or i.entry.step.startswith(PLAN_REMINDER_STEP))
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


class TestBreach:
    """Missed instalments: one reminder each, then one breach dated its breach day."""

    @pytest.mark.parametrize("policy", ["humane", "classic"])
    def test_missed_instalments_remind_then_breach_once(self, store: SqlStore, policy: str) -> None:
        pay(store, dt.date(2026, 1, 30))  # the first instalment only
        ev = shipped_evaluator(policy)
        run(store, ev, DAYS)
        run(store, ev, DAYS)  # every date again: nothing new
        (breach,) = plan_events(store)
        assert isinstance(breach, ArrangementBreached)
        # 2nd late from 2 March (tolerated: one), 3rd late from 2 April: two in arrears
        assert breach.occurred_on == dt.date(2026, 4, 2)
        assert breach.arrangement_id == "A1"
        sent = reminders(store)
        assert [day for day, _step in sent] == [dt.date(2026, 3, 2)]
        if policy == "classic":  # no instalment-missed step: the run sends its own reminder
            assert sent[0][1] == f"{PLAN_REMINDER_STEP}:A1"
        else:
            assert sent[0][1] == "plan-reminder"

    def test_crash_on_the_breach_day_records_it_once(self, store: SqlStore) -> None:
        pay(store, dt.date(2026, 1, 30))
        ev = shipped_evaluator("classic")
        breach_day = dt.date(2026, 4, 2)
        for day in DAYS:
            if day == breach_day:
                with pytest.raises(SystemExit):
                    run_day(store, Crash(ev, day), day, settings=RunSettings(batch_size=1))
                assert plan_events(store) == []
            run(store, ev, [day])
        assert [e.occurred_on for e in plan_events(store)] == [breach_day]


class TestCompleted:
    """A plan paid in full gets one ArrangementCompleted dated the day of the last payment."""

    def test_paid_plan_completes_once(self, store: SqlStore) -> None:
        pay(store, dt.date(2026, 1, 30), dt.date(2026, 2, 27), dt.date(2026, 3, 30))
        ev = shipped_evaluator("humane")
        run(store, ev, DAYS)
        run(store, ev, DAYS[-10:])
        (done,) = plan_events(store)
        assert isinstance(done, ArrangementCompleted)
        assert done.occurred_on == dt.date(2026, 3, 30)
        assert reminders(store) == []


def plan_event_rows(store: SqlStore) -> list[tuple[str, str, str | None]]:
    """(kind, actor, idempotency key) of every stored plan completion or breach."""
    e = schema.events
    query = (
        sa.select(e.c.kind, e.c.actor, e.c.idempotency_key)
        .where(e.c.kind.in_(["arrangement-breached", "arrangement-completed"]))
        .order_by(e.c.sequence)
    )
    with store.engine.connect() as conn:
        return [(str(k), str(a), None if i is None else str(i)) for k, a, i in conn.execute(query)]


class TestRecordedByTheRun:
    """The run itself records a plan's end: once, in the batch of the day it sees it."""

    @pytest.mark.parametrize(
        ("paid", "seen_on", "kind"),
        [
            (
                (dt.date(2026, 1, 30), dt.date(2026, 2, 27), dt.date(2026, 3, 30)),
                dt.date(2026, 3, 30),
                "arrangement-completed",
            ),
            ((dt.date(2026, 1, 30),), dt.date(2026, 4, 2), "arrangement-breached"),
        ],
        ids=["completed", "breached"],
    )
    def test_once_on_the_day_the_run_sees_it_also_when_that_day_runs_again(
        self, store: SqlStore, paid: tuple[dt.date, ...], seen_on: dt.date, kind: str
    ) -> None:
        pay(store, *paid)
        ev = shipped_evaluator("humane")
        run(store, ev, [d for d in DAYS if d < seen_on])
        assert plan_events(store) == []
        run(store, ev, [seen_on, seen_on])  # the day, and the same day again
        (event,) = plan_events(store)
        assert (event.kind, event.occurred_on, event.recorded_by) == (kind, seen_on, "engine")
        ((stored_kind, actor, key),) = plan_event_rows(store)
        assert (stored_kind, actor) == (kind, "engine")
        assert key is not None
        assert key.startswith(f"run:{seen_on.isoformat()}:")  # the batch's key for the case
        run(store, ev, [d for d in DAYS if d > seen_on][:10])
        run(store, ev, [seen_on])
        assert len(plan_event_rows(store)) == 1

    def test_a_run_that_sees_it_late_records_it_then_dated_when_it_happened(
        self, store: SqlStore
    ) -> None:
        pay(store, dt.date(2026, 1, 30))
        ev = shipped_evaluator("humane")
        breach_day = dt.date(2026, 4, 2)
        run(store, ev, [d for d in DAYS if d < breach_day])
        late = breach_day + dt.timedelta(days=3)  # no run for three days
        run(store, ev, [late, late])
        (breach,) = plan_events(store)
        assert isinstance(breach, ArrangementBreached)
        assert breach.occurred_on == breach_day
        ((_kind, _actor, key),) = plan_event_rows(store)
        assert key is not None
        assert key.startswith(f"run:{late.isoformat()}:")
