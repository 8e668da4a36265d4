"""Idle cases on SQLite and PostgreSQL: left alone only while a full evaluation would agree."""

from __future__ import annotations

import datetime as dt

import pytest
from run_helpers import import_payments, import_portfolio, shipped_evaluator, single

from maatwerk.adapters.storage import SqlStore
from maatwerk.core.debts import Debt, Payment
from maatwerk.core.events import (
    ArrangementAccepted,
    ArrangementOffered,
    ContactAttempt,
    ContactChannel,
    ContactOutcome,
    DebtHelpKind,
    DebtHelpStarted,
    DebtorFlag,
    DebtorFlagged,
    DisputeOpened,
)
from maatwerk.core.money import eur
from maatwerk.core.records import CaseKey, DecisionRecord, ImportRecord
from maatwerk.services.run import PolicyCaseEvaluator, RunSettings, run_day


START = dt.date(2026, 3, 1)


def portfolio(n: int) -> tuple[ImportRecord, ...]:
    """Debtors with bills falling due over three months (most days nothing happens)."""
    records: list[ImportRecord] = []
    for i in range(n):
        debtor_id = f"D{i:04}"
        records.append(single(debtor_id, f"Person {i}"))
        records.extend(
            Debt(
                debt_id=f"B{i:04}-{month}",
                debtor_id=debtor_id,
                creditor_id="zorg" if i % 3 else "gemeente",
                principal=eur("120.00") + eur(i),
                due_date=START + dt.timedelta(days=30 * month + i % 20),
                periodic=True,
                category="premium",
            )
            for month in range(3)
        )
    return tuple(records)


@pytest.fixture
def store(store: SqlStore) -> SqlStore:
    import_portfolio(store, portfolio(9))
    return store


@pytest.fixture(scope="module")
def humane() -> PolicyCaseEvaluator:
    return shipped_evaluator("humane")


def _keys(store: SqlStore) -> list[CaseKey]:
    return list(store.case_keys(after=None, limit=1000))


def _status(store: SqlStore, key: CaseKey, day: dt.date) -> object:
    recorded = store.decision(key, day)
    assert recorded is not None
    return recorded.detail.get("status")


def _run_days(store: SqlStore, humane: PolicyCaseEvaluator, days: int) -> dt.date:
    """Run the first ``days`` days from START; the day after them."""
    for offset in range(days):
        run_day(store, humane, START + dt.timedelta(days=offset))
    return START + dt.timedelta(days=days)


def _idle_as_full(
    store: SqlStore, humane: PolicyCaseEvaluator, day: dt.date
) -> list[tuple[CaseKey, DecisionRecord]]:
    """The decisions recorded as idle on ``day``, each checked against a full evaluation."""
    idle: list[tuple[CaseKey, DecisionRecord]] = []
    for stored in store.load_cases(_keys(store)):
        recorded = store.decision(stored.key, day)
        assert recorded is not None
        if recorded.detail.get("status") != "idle":
            continue
        full = humane(stored, day).decision
        assert (full.outcome, full.step, full.blocked_by) == (
            recorded.outcome,
            None,
            recorded.blocked_by,
        ), f"{stored.key} on {day}"
        idle.append((stored.key, recorded))
    return idle


class TestIdleCases:
    """An idle case's recorded decision is the one a full evaluation gives that day."""

    def test_idle_decisions_equal_full_evaluation(
        self, store: SqlStore, humane: PolicyCaseEvaluator
    ) -> None:
        idle_total = 0
        for offset in range(75):
            day = START + dt.timedelta(days=offset)
            summary = run_day(store, humane, day, settings=RunSettings(batch_size=4))
            assert summary.cases_evaluated == summary.cases_total
            idle_total += summary.cases_idle
            for key, recorded in _idle_as_full(store, humane, day):
                since = dt.date.fromisoformat(recorded.detail["evaluated_on"])
                wake = dt.date.fromisoformat(recorded.detail["next_check_on"])
                # a case never decided rests from its first day unevaluated (FreshRule)
                first = since if recorded.detail.get("fresh") else since + dt.timedelta(days=1)
                assert first <= day < wake, f"{key} on {day}: {recorded.detail}"
        assert idle_total > 100, "cases with nothing due should rest"

    def test_new_event_or_payment_wakes_an_idle_case(
        self, store: SqlStore, humane: PolicyCaseEvaluator
    ) -> None:
        day = _run_days(store, humane, 3)
        quiet = run_day(store, humane, day)
        assert quiet.cases_idle > 2
        idle = [k for k in _keys(store) if _status(store, k, day) == "idle"]
        first, second = idle[0], idle[1]
        later = day + dt.timedelta(days=1)
        store.append(
            [
                ContactAttempt(
                    occurred_on=later,
                    debtor_id=first.debtor_id,
                    channel=ContactChannel.PHONE,
                    outcome=ContactOutcome.NO_ANSWER,
                )
            ]
        )
        import_payments(
            store,
            [
                Payment(
                    payment_id="P1",
                    debtor_id=second.debtor_id,
                    received_on=later,
                    amount=eur("5.00"),
                )
            ],
        )
        run_day(store, humane, later)
        for key in (first, second):
            recorded = store.decision(key, later)
            assert recorded is not None
            assert recorded.detail.get("status") != "idle", key

    def test_skip_idle_off_evaluates_every_case(
        self, store: SqlStore, humane: PolicyCaseEvaluator
    ) -> None:
        for offset in range(4):
            summary = run_day(
                store,
                humane,
                START + dt.timedelta(days=offset),
                settings=RunSettings(skip_idle=False),
            )
            assert summary.cases_idle == 0
            assert summary.cases_evaluated == summary.cases_total


class TestBlockedCasesRest:
    """A case blocked by a guard only its data can lift (debt help, consent, vulnerable, dispute,
    a kept plan) rests, and its recorded decision is the one a full evaluation gives that day."""

    def test_blocked_idle_decisions_equal_full_evaluation(
        self, store: SqlStore, humane: PolicyCaseEvaluator
    ) -> None:
        on = START + dt.timedelta(days=2)
        store.append(
            [DebtHelpStarted(occurred_on=on, debtor_id="D0000", help_kind=DebtHelpKind.DEBT_HELP)]
        )
        store.append([DisputeOpened(occurred_on=on, debtor_id="D0001", dispute_id="X1")])
        store.append([DebtorFlagged(occurred_on=on, debtor_id="D0002", flag=DebtorFlag.VULNERABLE)])
        store.append(
            [
                ContactAttempt(
                    occurred_on=on,
                    debtor_id="D0004",
                    channel=ContactChannel.PHONE,
                    outcome=ContactOutcome.CANT_PAY,
                )
            ]
        )
        store.append(
            [
                ArrangementOffered(
                    occurred_on=on,
                    debtor_id="D0005",
                    arrangement_id="A5",
                    schedule=tuple(
                        (START + dt.timedelta(days=20 + 30 * n), eur("100.00")) for n in range(4)
                    ),
                ),
                ArrangementAccepted(occurred_on=on, debtor_id="D0005", arrangement_id="A5"),
            ]
        )
        blocked_idle: set[str] = set()
        for offset in range(75):
            day = START + dt.timedelta(days=offset)
            run_day(store, humane, day, settings=RunSettings(batch_size=4))
            for _, recorded in _idle_as_full(store, humane, day):
                if recorded.blocked_by:
                    blocked_idle.add(recorded.blocked_by)
        assert blocked_idle, "blocked cases rest too"


class TestRestingAfterAStep:
    """A case that takes a step rests from the next day when nothing else is due (the run looks
    one day ahead), and a rerun of a day counts every case as already decided."""

    def test_step_taken_today_rests_from_tomorrow(
        self, store: SqlStore, humane: PolicyCaseEvaluator
    ) -> None:
        acted: dict[CaseKey, dt.date] = {}
        for offset in range(40):
            day = START + dt.timedelta(days=offset)
            run_day(store, humane, day)
            for key in _keys(store):
                recorded = store.decision(key, day)
                assert recorded is not None
                if recorded.outcome == "action":
                    acted.setdefault(key, day)
        assert acted, "the portfolio should see steps within 40 days"
        rested = [
            key
            for key, day in acted.items()
            if _status(store, key, day + dt.timedelta(days=1)) == "idle"
        ]
        assert rested, "a case that took a step and waits should rest from the next day"

    def test_rerun_counts_every_case_as_decided(
        self, store: SqlStore, humane: PolicyCaseEvaluator
    ) -> None:
        day = _run_days(store, humane, 5)
        first = run_day(store, humane, day)
        assert first.cases_idle > 0
        assert first.cases_evaluated == first.cases_total
        again = run_day(store, humane, day)
        assert again.cases_already_decided == again.cases_total
        assert again.cases_evaluated == 0
        assert again.cases_idle == 0
