"""Limitation in the daily run (SQLite, PostgreSQL): a time-barred claim gets nothing.

Issue #17: a monthly premium due 2020-01-01 (BW 3:308: 5 years, so enforceable up to and
including 2025-01-01) was chased in 2026 with interest, costs and a 14-day letter. Now it gets
no interest line, no cost line, no step (no letter, no hand-over), and the decision says why;
a fresh debt of the same debtor still escalates as the policy says, and a premium whose
limitation was interrupted in time by an acknowledgement (BW 3:318) is chased like any other.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Final

import pytest
from run_helpers import bill, import_portfolio, shipped_evaluator, single, stock_dispatcher

from maatwerk.adapters.legal_tables import (
    load_aanmaning_table,
    load_awb_interest_table,
    load_bik_instalment_table,
    load_bik_table,
    load_interest_table,
)
from maatwerk.adapters.storage import SqlStore
from maatwerk.core.debts import InterestKind
from maatwerk.core.events import ActionKind, FourteenDayLetterSent, StepTaken
from maatwerk.core.interest import InterestTables
from maatwerk.core.money import eur
from maatwerk.core.records import ImportRecord
from maatwerk.services import recording
from maatwerk.services.run import PolicyCaseEvaluator, RunSettings, run_day


OLD_DUE: Final = dt.date(2020, 1, 1)
FRESH_DUE: Final = dt.date(2026, 1, 10)
DAYS: Final = [dt.date(2026, 1, 25) + dt.timedelta(days=i) for i in range(40)]
SETTINGS: Final = {"creditor_name": "Zorg NV", "creditor_phone": "010 123 45 67"}


def portfolio() -> tuple[ImportRecord, ...]:
    premium = {"category": "premium", "periodic": True}
    return (
        # MIX: a time-barred premium and a fresh invoice
        single("MIX", "Mix"),
        bill("MIX-OLD", "MIX", "zorg", eur("150.00"), OLD_DUE, **premium),
        bill("MIX-NEW", "MIX", "zorg", eur("800.00"), FRESH_DUE, category="invoice"),
        # BARRED: only the time-barred premium (the case of the issue)
        single("BARRED", "Barred"),
        bill("BARRED-OLD", "BARRED", "zorg", eur("150.00"), OLD_DUE, **premium),
        # ACK: the same premium, acknowledged on 2024-12-01 (before 2025-01-01): a new period
        single("ACK", "Ack"),
        bill("ACK-OLD", "ACK", "zorg", eur("150.00"), OLD_DUE, **premium),
    )


@pytest.fixture(scope="module")
def evaluator() -> PolicyCaseEvaluator:
    # the classic policy charges what the law allows and hands over without review
    return shipped_evaluator(
        "classic",
        bik=load_bik_table(),
        bik_instalments=load_bik_instalment_table(),
        interest=InterestTables(
            consumer=load_interest_table(InterestKind.CONSUMER),
            commercial=load_interest_table(InterestKind.COMMERCIAL),
            awb=load_awb_interest_table(),
        ),
        aanmaning=load_aanmaning_table(),
    )


@pytest.fixture
def ran(store: SqlStore, evaluator: PolicyCaseEvaluator, tmp_path: Path) -> SqlStore:
    import_portfolio(store, portfolio())
    recording.acknowledge_debt(
        store, "ACK", how="letter", note="", on=dt.date(2024, 12, 1), by="tester", debt_id="ACK-OLD"
    )
    for day in DAYS:
        run_day(
            store,
            evaluator,
            day,
            dispatcher=stock_dispatcher(store, day, tmp_path, SETTINGS),
            settings=RunSettings(batch_size=2),
        )
    return store


def _debt(store: SqlStore, debtor_id: str, debt_id: str):  # type: ignore[no-untyped-def]
    (key,) = store.cases_of_debtor(debtor_id)
    (stored,) = store.load_cases([key])
    return stored, stored.case.debt(debt_id)


def _steps(store: SqlStore, debtor_id: str) -> list[StepTaken]:
    return [r.event for r in store.history(debtor_id) if isinstance(r.event, StepTaken)]


class TestTimeBarred:
    def test_no_interest_no_costs_no_step(self, ran: SqlStore) -> None:
        for debtor_id in ("MIX", "BARRED"):
            _, old = _debt(ran, debtor_id, f"{debtor_id}-OLD")
            assert old.interest == ()
            assert old.costs == ()
            assert all(f"{debtor_id}-OLD" not in s.debt_ids for s in _steps(ran, debtor_id))
        assert _steps(ran, "BARRED") == []
        letters = [
            r.event
            for d in ("MIX", "BARRED")
            for r in ran.history(d)
            if isinstance(r.event, FourteenDayLetterSent)
        ]
        assert [letter.debt_ids for letter in letters] == [("MIX-NEW",)]

    def test_the_fresh_debt_still_escalates(self, ran: SqlStore) -> None:
        _, fresh = _debt(ran, "MIX", "MIX-NEW")
        assert fresh.interest, "interest runs on the fresh debt"
        assert [c.kind for c in fresh.costs] == ["bik"]
        # BIK on the fresh debt's EUR 800 alone: 15 % = EUR 120.00, not on EUR 950
        assert fresh.costs[0].amount == eur("120.00")
        actions = [s.action for s in _steps(ran, "MIX")]
        assert ActionKind.FOURTEEN_DAY_LETTER in actions
        assert ActionKind.BAILIFF_HANDOVER in actions
        handover = next(s for s in _steps(ran, "MIX") if s.action is ActionKind.BAILIFF_HANDOVER)
        assert handover.debt_ids == ("MIX-NEW",)

    def test_the_case_says_why(self, ran: SqlStore, evaluator: PolicyCaseEvaluator) -> None:
        stored, _ = _debt(ran, "BARRED", "BARRED-OLD")
        decision = evaluator.decide(stored, DAYS[-1])
        assert decision.action is None
        nl = decision.explain("nl")
        assert any("BARRED-OLD is verjaard sinds 2 januari 2025" in line for line in nl)
        assert any("uit zichzelf betalen" in line for line in nl)
        en = decision.explain("en")
        assert any("time-barred since 2025-01-02" in line for line in en)

    def test_an_acknowledgement_in_time_keeps_the_claim_alive(self, ran: SqlStore) -> None:
        _, ack = _debt(ran, "ACK", "ACK-OLD")
        assert ack.interest, "a claim that is not time-barred runs interest"
        actions = [s.action for s in _steps(ran, "ACK")]
        assert ActionKind.FOURTEEN_DAY_LETTER in actions
