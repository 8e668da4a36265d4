"""Can't pay through the daily run on a real database: the flag once (also across a crashed day),
no costs, no bailiff; won't pay with room keeps its ladder."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from cli_helpers import CHANNEL_SETTINGS
from run_helpers import HOME, import_portfolio, shipped_evaluator, stock_dispatcher

from maatwerk.adapters.legal_tables import load_bik_table
from maatwerk.adapters.storage import SqlStore
from maatwerk.adapters.subsistence_tables import load_subsistence_tables
from maatwerk.core.debtors import Debtor, HouseholdType
from maatwerk.core.debts import Debt
from maatwerk.core.events import (
    ContactAttempt,
    ContactChannel,
    ContactOutcome,
    DebtorFlag,
    DebtorFlagged,
    StepTaken,
)
from maatwerk.core.idle import IdleCase
from maatwerk.core.money import eur
from maatwerk.core.records import CaseKey, CaseOutcome
from maatwerk.services.run import PolicyCaseEvaluator, run_day


START = dt.date(2026, 3, 2)


def _debtor(debtor_id: str, income: str, *, bijstand: bool) -> Debtor:
    return Debtor(
        address=HOME,
        debtor_id=debtor_id,
        name=debtor_id,
        household=HouseholdType.SINGLE,
        net_monthly_income=eur(income),
        on_bijstand=bijstand,
        phone="0612345678",
    )


def _debt(debtor_id: str) -> Debt:
    return Debt(
        debt_id=f"B-{debtor_id}",
        debtor_id=debtor_id,
        creditor_id="zorg",
        principal=eur("300.00"),
        due_date=START,
    )


class _CrashOnce(SqlStore):
    """A store whose first batch write fails, as if the process died before the commit."""

    crashed = False

    def record_batch(
        self,
        run_date: dt.date,
        outcomes: Sequence[CaseOutcome],
        *,
        idle: Sequence[IdleCase],
        fingerprints: Mapping[CaseKey, str],
        evaluator: str,
    ) -> int:
        if not self.crashed and any(o.events for o in outcomes):
            self.crashed = True
            raise RuntimeError("killed before the commit")
        return super().record_batch(
            run_date, outcomes, idle=idle, fingerprints=fingerprints, evaluator=evaluator
        )


@pytest.fixture
def evaluator() -> PolicyCaseEvaluator:
    return shipped_evaluator("humane", subsistence=load_subsistence_tables(), bik=load_bik_table())


def test_cannot_pay_is_flagged_once_across_a_crash_and_never_charged_or_handed_over(
    migrated_db_url: str, evaluator: PolicyCaseEvaluator, tmp_path: Path
) -> None:
    store = _CrashOnce.from_url(migrated_db_url)
    try:
        import_portfolio(
            store,
            [
                _debtor("POOR", "1050.00", bijstand=True),
                _debt("POOR"),
                _debtor("RICH", "5500.00", bijstand=False),
                _debt("RICH"),
            ],
        )
        store.append(
            [
                ContactAttempt(
                    occurred_on=START + dt.timedelta(days=14),
                    debtor_id=who,
                    channel=ContactChannel.PHONE,
                    outcome=said,
                )
                for who, said in (
                    ("POOR", ContactOutcome.CANT_PAY),
                    ("RICH", ContactOutcome.WONT_PAY),
                )
            ]
        )
        with pytest.raises(RuntimeError, match="killed"):
            run_day(store, evaluator, START)
        for offset in range(100):
            day = START + dt.timedelta(days=offset)
            dispatcher = stock_dispatcher(store, day, tmp_path / "out", CHANNEL_SETTINGS)
            run_day(store, evaluator, day, dispatcher=dispatcher)
        poor = [r.event for r in store.history("POOR") if r.event is not None]
        flags = [
            e
            for e in poor
            if isinstance(e, DebtorFlagged) and e.flag is DebtorFlag.PROBLEMATIC_DEBT
        ]
        assert len(flags) == 1
        assert flags[0].occurred_on == START
        steps = [e.step_id for e in poor if isinstance(e, StepTaken)]
        assert "letter" in steps
        assert "bailiff" not in steps
        (case,) = store.load_cases(list(store.cases_of_debtor("POOR")))
        assert case.case.debts[0].costs == ()
        letters = [i for i in store.outbox_items() if i.entry.action == "fourteen-day-letter"]
        by_debtor = {i.entry.case.debtor_id: i for i in letters}
        assert by_debtor["POOR"].entry.payload["collection_costs"] == 0
        assert by_debtor["POOR"].status.value == "done"  # delivered: the term runs
        assert by_debtor["RICH"].entry.payload["collection_costs"] > 0
        rich = [r.event for r in store.history("RICH") if r.event is not None]
        assert not any(isinstance(e, DebtorFlagged) for e in rich)
        reviews = [r for r in store.reviews() if r.item.entry.case.debtor_id == "RICH"]
        assert [r.item.entry.step for r in reviews] == ["bailiff"]
        decision = evaluator.decide(case, START + dt.timedelta(days=99))
        text = " ".join(decision.explain("nl"))
        assert "bailiff" in {n.step_id for n in decision.notes}  # due, and blocked:
        assert "1.331,43" in text
        assert "kan niet betalen" in text
        assert "Daarom gaat er niets naar de deurwaarder" in text
    finally:
        store.close()
