"""The daily run on SQLite and PostgreSQL: exactly once per case, step and date."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import attrs
import pytest
import sqlalchemy as sa
from run_helpers import import_payments, import_portfolio, shipped_evaluator, single

from maatwerk.adapters.storage import SqlStore, schema
from maatwerk.core.debts import CostLine, Debt, Payment
from maatwerk.core.events import ActionKind, StepTaken
from maatwerk.core.money import eur
from maatwerk.core.ports import DeliveryContext, DeliveryReceipt, OutboundAction
from maatwerk.core.records import (
    CaseKey,
    CaseOutcome,
    DecisionRecord,
    ImportRecord,
    OutboxEntry,
    OutboxStatus,
    Posting,
    ReviewStatus,
    StoredCase,
)
from maatwerk.services.run import Dispatcher, PolicyCaseEvaluator, RunSettings, run_day


START = dt.date(2026, 3, 1)


def portfolio(n: int) -> tuple[ImportRecord, ...]:
    records: list[ImportRecord] = []
    for i in range(n):
        records.append(single(f"D{i:04}", f"Person {i}"))
        records.extend(
            Debt(
                debt_id=f"B{i:04}-{j}",
                debtor_id=f"D{i:04}",
                creditor_id="zorg" if j == 0 else "gemeente",
                principal=eur("150.00") + eur(i),
                due_date=START - dt.timedelta(days=i % 40),
                periodic=j == 0,
                category="premium" if j == 0 else "invoice",
            )
            for j in range(1 + i % 2)
        )
    return tuple(records)


@attrs.define
class RecordingChannel:
    """A real, idempotent channel: keeps one copy per action id and counts every delivery."""

    name: str
    copies: dict[str, OutboundAction] = attrs.Factory(dict)
    deliveries: Counter[str] = attrs.Factory(Counter)

    def deliver(
        self, actions: Sequence[OutboundAction], context: DeliveryContext
    ) -> Sequence[DeliveryReceipt]:
        receipts = []
        for action in actions:
            self.deliveries[action.action_id] += 1
            self.copies.setdefault(action.action_id, action)
            receipts.append(DeliveryReceipt.delivered(action.action_id, reference=action.action_id))
        return receipts


@attrs.define
class Channels:
    known: dict[str, RecordingChannel] = attrs.Factory(dict)
    missing: set[str] = attrs.Factory(set)

    def __call__(self, name: str) -> RecordingChannel:
        if name in self.missing:
            raise LookupError(f"no channel named {name!r}")
        return self.known.setdefault(name, RecordingChannel(name))


@pytest.fixture(scope="module")
def humane() -> PolicyCaseEvaluator:
    return shipped_evaluator("humane")


def load(store: SqlStore, n: int) -> None:
    import_portfolio(store, portfolio(n))


def snapshot(store: SqlStore) -> dict[str, list[tuple[str, ...]]]:
    tables = {
        schema.decisions: ("run_date", "debtor_id", "creditor_id", "outcome", "step"),
        schema.outbox: ("run_date", "debtor_id", "creditor_id", "step", "status"),
        schema.events: ("kind", "debtor_id", "occurred_on", "idempotency_key"),
        schema.cost_lines: ("debt_id", "posting_key", "amount_cents"),
    }
    with store.engine.connect() as conn:
        return {
            t.name: sorted(
                tuple(str(v) for v in row)
                for row in conn.execute(sa.select(*(t.c[c] for c in cols)))
            )
            for t, cols in tables.items()
        }


def dispatcher(store: SqlStore, channels: Channels, day: dt.date, tmp: Path) -> Dispatcher:
    return Dispatcher(
        store=store,
        channel_for=channels,
        context=DeliveryContext(output_dir=tmp, run_date=day),
        batch_size=7,
    )


class TestExactlyOnce:
    """A date run twice, or run in small batches, records and delivers each action once."""

    def test_rerunning_a_date_is_a_no_op(
        self, store: SqlStore, humane: PolicyCaseEvaluator, tmp_path: Path
    ) -> None:
        load(store, 12)
        channels = Channels()
        day = START + dt.timedelta(days=10)
        first = run_day(store, humane, day, dispatcher=dispatcher(store, channels, day, tmp_path))
        assert first.cases_evaluated == first.cases_total == 18
        assert sum(first.actions_per_kind.values()) > 0
        before = snapshot(store)
        again = run_day(store, humane, day, dispatcher=dispatcher(store, channels, day, tmp_path))
        assert again.cases_evaluated == 0
        assert again.cases_already_decided == 18
        assert snapshot(store) == before
        assert set(channels.known["letters"].deliveries.values()) == {1}

    def test_thirty_days_each_step_once_and_every_action_delivered(
        self, store: SqlStore, humane: PolicyCaseEvaluator, tmp_path: Path
    ) -> None:
        load(store, 10)
        channels = Channels()
        for offset in range(30):
            day = START + dt.timedelta(days=offset)
            run_day(
                store,
                humane,
                day,
                dispatcher=dispatcher(store, channels, day, tmp_path),
                settings=RunSettings(batch_size=3),
            )
        items = store.outbox_items()
        assert items
        assert {i.status for i in items} == {OutboxStatus.DONE}
        delivered = Counter[str]()
        for channel in channels.known.values():
            delivered.update(channel.deliveries)
        assert sorted(delivered) == sorted(i.entry.idempotency_key for i in items)
        assert set(delivered.values()) == {1}
        taken = Counter[tuple[str, str, str, tuple[str, ...]]]()
        for debtor_id in {i.entry.case.debtor_id for i in items}:
            for record in store.history(debtor_id):
                if isinstance(record.event, StepTaken):
                    event = record.event
                    taken[(event.debtor_id, event.step_id, event.channel, event.debt_ids)] += 1
        assert set(taken.values()) == {1}

    def test_dry_run_records_nothing(
        self, store: SqlStore, humane: PolicyCaseEvaluator, tmp_path: Path
    ) -> None:
        load(store, 5)
        before = snapshot(store)
        summary = run_day(store, humane, START + dt.timedelta(days=9), dry_run=True)
        assert summary.cases_evaluated == 7
        assert snapshot(store) == before


def _review_evaluator(stored: StoredCase, today: dt.date) -> CaseOutcome:
    """A small real evaluator: a bailiff hand-over for review when arrears pass EUR 150."""
    key = stored.key
    arrears = stored.case.arrears(today)
    if arrears <= eur("150.00"):
        return CaseOutcome(
            decision=DecisionRecord(run_date=today, case=key, policy="t", outcome="none")
        )
    first = stored.case.debts[0]
    return CaseOutcome(
        decision=DecisionRecord(
            run_date=today,
            case=key,
            policy="t",
            outcome="review",
            step="bailiff",
            action=ActionKind.BAILIFF_HANDOVER.value,
        ),
        outbox=(
            OutboxEntry(
                case=key,
                run_date=today,
                step="bailiff",
                action=ActionKind.BAILIFF_HANDOVER.value,
                channel="bailiff",
                debt_ids=(first.debt_id,),
                payload={"amount": arrears.amount},
                review=True,
            ),
        ),
        postings=(
            Posting(
                debt_id=first.debt_id,
                posting_key="bik",
                line=CostLine(posted_on=today, amount=eur("40.00"), kind="bik", table="bik@t"),
            ),
        ),
    )


class TestReviewQueueAndPostings:
    """Review steps wait once in the queue; a cost posting is made once however often proposed."""

    def test_pending_review_is_not_queued_again_and_costs_post_once(
        self, store: SqlStore, tmp_path: Path
    ) -> None:
        load(store, 4)
        for offset in range(3):
            run_day(store, _review_evaluator, START + dt.timedelta(days=offset))
        pending = store.reviews(ReviewStatus.PENDING)
        last = START + dt.timedelta(days=2)
        eligible = [
            c
            for c in store.load_cases(store.case_keys(after=None, limit=100))
            if c.case.arrears(last) > eur("150.00")
        ]
        assert 0 < len(eligible) < 6
        assert sorted(r.item.entry.case for r in pending) == sorted(c.key for c in eligible)
        assert {r.item.status for r in pending} == {OutboxStatus.REVIEW}
        first_day = min(r.item.entry.run_date for r in pending)
        assert first_day < last
        waiting = [r for r in pending if r.item.entry.run_date < last]
        later = store.decision(waiting[0].item.entry.case, last)
        assert later is not None
        assert later.outcome == "awaiting-review"
        with store.engine.connect() as conn:
            costs = conn.execute(sa.select(schema.cost_lines.c.debt_id)).scalars().all()
        assert sorted(costs) == sorted(set(costs))
        assert len(costs) == len(pending)


class TestAtomicBatches:
    """A batch whose recording fails leaves nothing of that batch behind."""

    def test_failing_batch_records_nothing(self, store: SqlStore) -> None:
        load(store, 2)
        good = _review_evaluator(store.load_cases(store.case_keys(after=None, limit=1))[0], START)
        broken = attrs.evolve(
            good,
            decision=attrs.evolve(good.decision, case=attrs.evolve(good.decision.case)),
            postings=(
                Posting(
                    debt_id="NO-SUCH-DEBT",
                    posting_key="bik",
                    line=CostLine(posted_on=START, amount=eur("1.00"), kind="bik"),
                ),
            ),
        )
        before = snapshot(store)
        with pytest.raises(sa.exc.IntegrityError):
            store.record_outcomes(START, [broken])
        assert snapshot(store) == before


class TestDispatcher:
    """An unknown channel fails the row with a reason; the next run delivers it once."""

    def test_unknown_channel_is_retried(
        self, store: SqlStore, humane: PolicyCaseEvaluator, tmp_path: Path
    ) -> None:
        load(store, 6)
        channels = Channels(missing={"letters"})
        day = START + dt.timedelta(days=10)
        first = run_day(store, humane, day, dispatcher=dispatcher(store, channels, day, tmp_path))
        assert first.dispatched["failed"] > 0
        failed = [i for i in store.outbox_items() if i.status is OutboxStatus.FAILED]
        assert all(i.entry.channel == "letters" for i in failed)
        channels.missing.clear()
        second = run_day(store, humane, day, dispatcher=dispatcher(store, channels, day, tmp_path))
        assert second.dispatched["done"] == len(failed)
        assert {i.status for i in store.outbox_items()} == {OutboxStatus.DONE}


class TestPayments:
    """Payments received by the run date are applied once, in the run's transaction."""

    def test_payment_pays_the_case_once(
        self, store: SqlStore, humane: PolicyCaseEvaluator, tmp_path: Path
    ) -> None:
        load(store, 2)
        key = store.case_keys(after=None, limit=1)[0]
        (case,) = store.load_cases([key])
        owed = case.case.outstanding.total
        import_payments(
            store,
            [
                Payment(
                    payment_id="PAY1",
                    debtor_id=key.debtor_id,
                    received_on=START + dt.timedelta(days=3),
                    amount=owed,
                )
            ],
        )
        run_day(store, humane, START + dt.timedelta(days=2))
        (before,) = store.load_cases([key])
        assert before.case.outstanding.total == owed
        for offset in (4, 5):
            run_day(store, humane, START + dt.timedelta(days=offset))
        (after,) = store.load_cases([key])
        assert not after.case.outstanding.total.is_positive
        assert after.payments == ()
        with store.engine.connect() as conn:
            rows = conn.execute(sa.select(schema.applied_payments)).all()
        assert len(rows) == len(after.case.debts)
        decision = store.decision(key, START + dt.timedelta(days=5))
        assert decision is not None
        assert decision.outcome in {"closed", "action"}

    def test_a_debt_paid_in_full_is_stored_paid_once(
        self, store: SqlStore, humane: PolicyCaseEvaluator
    ) -> None:
        load(store, 2)
        key = store.case_keys(after=None, limit=1)[0]
        (case,) = store.load_cases([key])
        owed = case.case.outstanding.total
        paid_on = START + dt.timedelta(days=3)
        import_payments(
            store,
            [Payment(payment_id="PAY1", debtor_id=key.debtor_id, received_on=paid_on, amount=owed)],
        )
        run_day(store, humane, START + dt.timedelta(days=2))
        assert _statuses(store, key) == {d.debt_id: ("open", None) for d in case.case.debts}
        for offset in (4, 5, 6):
            run_day(store, humane, START + dt.timedelta(days=offset))
        # closed on the day the payment was received (its ``applied_on``), by the first run after
        assert _statuses(store, key) == {d.debt_id: ("paid", paid_on) for d in case.case.debts}
        (after,) = store.load_cases([key])
        assert all(d.closed_on == paid_on and not d.is_open for d in after.case.debts)
        # as it stood before the payment, the debt is open again (explain --date)
        assert all(d.as_of(START + dt.timedelta(days=2)).is_open for d in after.case.debts)

    def test_a_part_payment_leaves_the_debt_open(
        self, store: SqlStore, humane: PolicyCaseEvaluator
    ) -> None:
        load(store, 2)
        key = store.case_keys(after=None, limit=1)[0]
        import_payments(
            store,
            [
                Payment(
                    payment_id="PAY1",
                    debtor_id=key.debtor_id,
                    received_on=START + dt.timedelta(days=1),
                    amount=eur("10.00"),
                )
            ],
        )
        run_day(store, humane, START + dt.timedelta(days=2))
        assert set(_statuses(store, key).values()) == {("open", None)}

    def test_a_debt_paid_before_the_status_was_stored_is_closed_on_its_last_payment(
        self, store: SqlStore, humane: PolicyCaseEvaluator
    ) -> None:
        """A ledger paid in full while the row says ``open`` (a database of an earlier version,
        or a re-import that set it ``open``) is closed by the next run that evaluates the case."""
        load(store, 2)
        key = store.case_keys(after=None, limit=1)[0]
        (case,) = store.load_cases([key])
        owed = case.case.outstanding.total
        paid_on = START + dt.timedelta(days=1)
        import_payments(
            store,
            [Payment(payment_id="PAY1", debtor_id=key.debtor_id, received_on=paid_on, amount=owed)],
        )
        run_day(store, humane, paid_on)
        with store.engine.begin() as conn:
            conn.execute(schema.debts.update().values(status="open", closed_on=None))
            conn.execute(schema.case_state.delete())  # not resting: the run evaluates it again
        run_day(store, humane, START + dt.timedelta(days=30))
        assert set(_statuses(store, key).values()) == {("paid", paid_on)}


def _statuses(store: SqlStore, key: CaseKey) -> dict[str, tuple[str, dt.date | None]]:
    d = schema.debts
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(d.c.debt_id, d.c.status, d.c.closed_on).where(
                d.c.debtor_id == key.debtor_id,
                d.c.creditor_id == key.creditor_id,
            )
        ).all()
    return {r.debt_id: (r.status, r.closed_on) for r in rows}
