"""The Schuldenknooppunt on a real database: balance replies from the ledger, a settlement that
holds the case and, once paid, closes it with the rest written off."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from cli_helpers import CHANNEL_SETTINGS
from run_helpers import (
    import_payments,
    import_portfolio,
    shipped_evaluator,
    single,
    stock_dispatcher,
)

from maatwerk.adapters.knooppunt_files import FileHub, write_message
from maatwerk.adapters.legal_tables import (
    load_awb_interest_table,
    load_bik_table,
    load_interest_table,
)
from maatwerk.adapters.storage import SqlStore
from maatwerk.adapters.subsistence_tables import load_subsistence_tables
from maatwerk.core.debt_settlement import BalanceRequest, InboxRejectedError, SettlementProposal
from maatwerk.core.debts import Debt, DebtStatus, InterestKind, Payment
from maatwerk.core.events import (
    DebtHelpEnded,
    DebtHelpKind,
    DebtHelpStarted,
    SettlementAccepted,
    SettlementCompleted,
    SettlementProposed,
    StepTaken,
)
from maatwerk.core.interest import InterestTables
from maatwerk.core.money import Money, eur
from maatwerk.core.policy import outstanding_on
from maatwerk.services.knooppunt import (
    SettlementStateError,
    complete_settlements,
    decide_proposal,
    process_inbox,
)
from maatwerk.services.run import PolicyCaseEvaluator, run_day


START = dt.date(2026, 3, 2)
DAY = dt.timedelta(days=1)


@pytest.fixture
def evaluator() -> PolicyCaseEvaluator:
    return shipped_evaluator("humane", subsistence=load_subsistence_tables(), bik=load_bik_table())


def _debt(debt_id: str, principal: str, due: dt.date) -> Debt:
    return Debt(
        debt_id=debt_id, debtor_id="D1", creditor_id="zorg", principal=eur(principal),
        due_date=due, reference=f"REF-{debt_id}", category="premium",
    )  # fmt: skip


def _run(store: SqlStore, evaluator: PolicyCaseEvaluator, days: range, out: Path) -> None:
    for offset in days:
        day = START + offset * DAY
        run_day(
            store, evaluator, day,
            dispatcher=stock_dispatcher(store, day, out, CHANNEL_SETTINGS),
        )  # fmt: skip


def _events(store: SqlStore) -> list[object]:
    return [r.event for r in store.history("D1") if r.event is not None]


def test_a_balance_request_is_answered_from_the_ledger_as_of_its_date(
    store: SqlStore, evaluator: PolicyCaseEvaluator, tmp_path: Path
) -> None:
    import_portfolio(
        store,
        [single("D1", "Jan"), _debt("A", "300.00", START), _debt("B", "200.00", START + 30 * DAY)],
    )
    import_payments(
        store,
        [
            Payment(
                payment_id="p1", debtor_id="D1", received_on=START + 20 * DAY, amount=eur("50.00")
            )
        ],
    )
    _run(store, evaluator, range(60), tmp_path / "out")
    as_of = START + 45 * DAY
    write_message(tmp_path / "in", BalanceRequest(message_id="S-1", debtor_id="D1", as_of=as_of))
    hub = FileHub(tmp_path / "in", tmp_path / "outbox")
    result = process_inbox(store, hub, today=START + 60 * DAY)
    assert result.requests == 1
    assert result.replies == ("S-1-antwoord.json",)
    reply = json.loads((tmp_path / "outbox" / "S-1-antwoord.json").read_text())
    (case,) = store.load_cases(store.cases_of_debtor("D1"))
    expected = {d.debt_id: outstanding_on(d, as_of) for d in case.case.debts}
    assert [c["debt_id"] for c in reply["claims"]] == ["A", "B"]
    for claim in reply["claims"]:
        parts = Money(claim["principal"]) + Money(claim["interest"]) + Money(claim["costs"])
        assert Money(claim["total"]) == parts == expected[claim["debt_id"]]
        assert claim["reference"] == f"REF-{claim['debt_id']}"
    # the 50.00 paid on day 20 is booked on A (BW 6:44: costs, interest, then principal)
    a = case.case.debt("A").as_of(as_of)
    assert a.paid.total == eur("50.00")
    assert reply["claims"][1]["principal"] == "200.00"
    assert reply["total"] == sum(expected.values(), Money.zero()).format()
    # processed again: nothing new, the same reply file
    again = process_inbox(store, hub, today=START + 60 * DAY)
    assert again.events == ()
    assert again.replies == result.replies


def test_an_accepted_settlement_holds_the_case_then_closes_it_when_paid(
    store: SqlStore, tmp_path: Path
) -> None:
    # the run posts statutory interest here: none may land on the settled claim
    evaluator = shipped_evaluator(
        "humane",
        subsistence=load_subsistence_tables(),
        bik=load_bik_table(),
        interest=InterestTables(
            consumer=load_interest_table(InterestKind.CONSUMER),
            commercial=load_interest_table(InterestKind.COMMERCIAL),
            awb=load_awb_interest_table(),
        ),
    )
    control = attrs.evolve(_debt("A", "1000.00", START), debt_id="C", debtor_id="D2")
    import_portfolio(
        store, [single("D1", "Jan"), _debt("A", "1000.00", START), single("D2", "Piet"), control]
    )
    proposed_on = START + 3 * DAY
    write_message(
        tmp_path / "in",
        SettlementProposal(
            message_id="V-1", debtor_id="D1", proposed_on=proposed_on,
            percentage=Decimal(40), pay_by=START + 90 * DAY, counsellor="Gemeente Voorbeeld",
        ),
    )  # fmt: skip
    hub = FileHub(tmp_path / "in", tmp_path / "outbox")
    process_inbox(store, hub, today=proposed_on)
    (proposed,) = [e for e in _events(store) if isinstance(e, SettlementProposed)]
    assert (proposed.claim_total, proposed.amount, proposed.debt_ids) == (
        eur("1000.00"), eur("400.00"), ("A",),
    )  # fmt: skip
    decided_on = proposed_on + DAY
    decide_proposal(
        store, hub, debtor_id="D1", proposal_id="V-1", accept=True, by="anna", on=decided_on
    )
    with pytest.raises(SettlementStateError, match="decided before"):
        decide_proposal(
            store, hub, debtor_id="D1", proposal_id="V-1", accept=False, by="bob",
            on=decided_on, reason="x",
        )  # fmt: skip
    # the same decision again (the reply may not have gone out): sent again, nothing recorded
    recorded = len(store.history("D1"))
    (tmp_path / "outbox" / "V-1-antwoord.json").unlink()
    decide_proposal(
        store, hub, debtor_id="D1", proposal_id="V-1", accept=True, by="anna", on=decided_on
    )
    assert len(store.history("D1")) == recorded
    answer = json.loads((tmp_path / "outbox" / "V-1-antwoord.json").read_text())
    assert (answer["decision"], answer["amount"], answer["claim_total"]) == (
        "accepted", "400.00", "1000.00",
    )  # fmt: skip
    started = [e for e in _events(store) if isinstance(e, DebtHelpStarted)]
    assert [(e.help_kind, e.organisation) for e in started] == [
        (DebtHelpKind.SETTLEMENT, "Gemeente Voorbeeld")
    ]
    # held: no step while the settlement runs (the mandatory debt-help guard)
    _run(store, evaluator, range(5, 60), tmp_path / "out")
    steps = [e for e in _events(store) if isinstance(e, StepTaken) and e.occurred_on >= decided_on]
    assert steps == []
    control_steps = [r.event for r in store.history("D2") if isinstance(r.event, StepTaken)]
    assert control_steps, "the same debt without a settlement gets steps in that period"
    # no interest and no costs on the settled claim while the settlement runs (its amount is of
    # the claim on the proposal's date); the same debt without one is charged
    (held,) = store.load_cases(store.cases_of_debtor("D1"))
    (other,) = store.load_cases(store.cases_of_debtor("D2"))
    settled_lines = held.case.debt("A").interest
    assert settled_lines, "the interest period is closed, with a zero line"
    assert all(not line.amount.is_positive for line in settled_lines)
    assert held.case.debt("A").costs == ()
    assert any(line.amount.is_positive for line in other.case.debt("C").interest)
    # part paid: still open
    paid_on = START + 60 * DAY
    import_payments(
        store, [Payment(payment_id="s1", debtor_id="D1", received_on=paid_on, amount=eur("150.00"))]
    )
    _run(store, evaluator, range(60, 61), tmp_path / "out")
    first = complete_settlements(store, today=paid_on)
    assert first.completed == ()
    assert [(o.paid, o.overdue) for o in first.open] == [(eur("150.00"), False)]
    # the rest paid: closed per its terms
    import_payments(
        store,
        [Payment(payment_id="s2", debtor_id="D1", received_on=paid_on + DAY, amount=eur("250.00"))],
        file_name="pay2", file_sha256="2",
    )  # fmt: skip
    _run(store, evaluator, range(61, 62), tmp_path / "out")
    done = complete_settlements(store, today=paid_on + DAY)
    (completed,) = done.completed
    assert (completed.paid, completed.written_off) == (eur("400.00"), eur("600.00"))
    events = _events(store)
    assert any(isinstance(e, SettlementCompleted) for e in events)
    assert any(
        isinstance(e, DebtHelpEnded) and e.help_kind is DebtHelpKind.SETTLEMENT for e in events
    )
    assert any(isinstance(e, SettlementAccepted) for e in events)
    (case,) = store.load_cases(store.cases_of_debtor("D1"))
    debt = case.case.debt("A")
    assert (debt.status, debt.closed_on) == (DebtStatus.WRITTEN_OFF, paid_on + DAY)
    assert outstanding_on(debt, paid_on + DAY) == Money.zero()
    # settled again: nothing new; and no further step on the closed case
    assert complete_settlements(store, today=paid_on + 2 * DAY).completed == ()
    _run(store, evaluator, range(62, 90), tmp_path / "out")
    later = [e for e in _events(store) if isinstance(e, StepTaken) and e.occurred_on > paid_on]
    assert later == []


def test_an_unknown_debtor_rejects_the_whole_inbox(store: SqlStore, tmp_path: Path) -> None:
    import_portfolio(store, [single("D1", "Jan"), _debt("A", "100.00", START)])
    write_message(tmp_path / "in", BalanceRequest(message_id="S-1", debtor_id="D1", as_of=START))
    write_message(tmp_path / "in", BalanceRequest(message_id="S-2", debtor_id="NOPE", as_of=START))
    hub = FileHub(tmp_path / "in", tmp_path / "outbox")
    with pytest.raises(InboxRejectedError) as caught:
        process_inbox(store, hub, today=START)
    assert (caught.value.location.file, caught.value.location.field) == ("message S-2", "debtor_id")
    assert not (tmp_path / "outbox").exists()
    assert _events(store) == []


def test_a_settlement_whose_debt_help_ended_is_called_off_not_completed(
    store: SqlStore, tmp_path: Path
) -> None:
    import_portfolio(store, [single("D1", "Jan"), _debt("A", "1000.00", START)])
    write_message(
        tmp_path / "in",
        SettlementProposal(
            message_id="V-1", debtor_id="D1", proposed_on=START, percentage=Decimal("0.5"),
            pay_by=START + 90 * DAY,
        ),
    )  # fmt: skip
    hub = FileHub(tmp_path / "in", tmp_path / "outbox")
    process_inbox(store, hub, today=START)
    decide_proposal(store, hub, debtor_id="D1", proposal_id="V-1", accept=True, by="a", on=START)
    store.append(
        [DebtHelpEnded(occurred_on=START + DAY, debtor_id="D1", help_kind=DebtHelpKind.SETTLEMENT)]
    )
    result = complete_settlements(store, today=START + 2 * DAY)  # 5.00 due, 0 booked: not paid
    assert (result.completed, result.open) == ((), ())
    (case,) = store.load_cases(store.cases_of_debtor("D1"))
    assert case.case.debt("A").status is DebtStatus.OPEN
