"""evaluate(): consolidation, de-escalation, explanations and the case-state details."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
from policy_helpers import D0, carry_out, case_file, debt, paid, policy, run, step_taken, tables

from maatwerk.core.events import (
    ActionKind,
    ArrangementBreached,
    PaymentReturned,
    ReturnReasonGroup,
    StepTaken,
)
from maatwerk.core.money import eur
from maatwerk.core.policy import DecisionStatus, NoteKind, derive_state, evaluate


class TestConsolidation:
    """Many debts of one debtor get one communication per step, with per-debt history."""

    def test_one_letter_for_all_debts_due(self) -> None:
        file = case_file([debt("a"), debt("b", due=D0 + dt.timedelta(days=2))])
        decision = evaluate(file, policy("classic"), D0 + dt.timedelta(days=12), tables())
        assert decision.action is not None
        assert decision.action.step_id == "reminder"
        assert decision.action.debt_ids == ("a", "b")
        assert decision.action.amount == eur("600.00")

    def test_new_debt_joins_the_current_rung(self) -> None:
        file, _ = run(case_file([debt("a")]), policy("classic"), D0, 32)
        late = debt("b", due=D0 + dt.timedelta(days=25))
        file = attrs.evolve(file, case=attrs.evolve(file.case, debts=(*file.case.debts, late)))
        decision = evaluate(file, policy("classic"), D0 + dt.timedelta(days=33), tables())
        assert decision.action is None  # no reminder of its own: the case is past that rung
        _, taken = run(file, policy("classic"), D0 + dt.timedelta(days=33), 60)
        assert [s for _, s in taken] == ["bailiff"]

    def test_later_rung_covers_every_debt_in_default(self) -> None:
        file = case_file([debt("a"), debt("b", due=D0 + dt.timedelta(days=15))])
        file, taken = run(file, policy("classic"), D0, 40)
        assert [s for _, s in taken] == ["reminder", "letter", "arrangement"]
        steps = [e for e in file.events if isinstance(e, StepTaken)]
        assert steps[0].debt_ids == ("a",)  # b not yet in default on day 8
        assert steps[1].debt_ids == ("a", "b")  # one 14-day letter for the sum
        assert steps[2].debt_ids == ("a", "b")  # one plan for the case

    def test_action_id_is_stable(self) -> None:
        file = case_file()
        day = D0 + dt.timedelta(days=8)
        first = evaluate(file, policy("classic"), day, tables())
        assert first.action_id == "c1/p1/reminder/2026-01-09"
        assert evaluate(file, policy("classic"), day, tables()).action_id == first.action_id


class TestDeEscalation:
    """A paid debt drops out at once; a fully paid case is closed once."""

    def test_paid_debt_is_left_out(self) -> None:
        file = case_file([paid(debt("a"), D0 + dt.timedelta(days=5)), debt("b")])
        decision = evaluate(file, policy("classic"), D0 + dt.timedelta(days=8), tables())
        assert decision.action is not None
        assert decision.action.debt_ids == ("b",)

    def test_partial_payment_keeps_the_debt_open(self) -> None:
        file = case_file([paid(debt("a"), D0 + dt.timedelta(days=5), eur("100.00"))])
        state = derive_state(file, D0 + dt.timedelta(days=8))
        assert state.outstanding["a"] == eur("200.00")
        assert state.arrears == eur("200.00")

    def test_payment_after_the_controlling_date_is_ignored(self) -> None:
        file = case_file([paid(debt("a"), D0 + dt.timedelta(days=30))])
        decision = evaluate(file, policy("classic"), D0 + dt.timedelta(days=8), tables())
        assert decision.action is not None
        assert decision.action.step_id == "reminder"

    def test_close_once_then_closed(self) -> None:
        file = case_file([paid(debt(), D0 + dt.timedelta(days=10))])
        _, taken = run(file, policy("classic"), D0, 40)
        assert [s for _, s in taken] == ["reminder", "close"]
        nothing = case_file([paid(debt(), D0 - dt.timedelta(days=3))])
        decision = evaluate(nothing, policy("classic"), D0 + dt.timedelta(days=40), tables())
        assert decision.status is DecisionStatus.CLOSED
        assert decision.action is None


class TestSupersededAndLimits:
    """The most severe due step goes; milder due ones are noted; limits hold."""

    def test_catch_up_starts_at_the_lowest_prerequisite(self) -> None:
        decision = evaluate(case_file(), policy("classic"), D0 + dt.timedelta(days=31), tables())
        assert decision.action is not None
        assert decision.action.step_id == "letter"
        superseded = {n.step_id for n in decision.notes if n.kind is NoteKind.SUPERSEDED}
        assert superseded == {"reminder"}
        waiting = {
            n.step_id for n in decision.notes if any(r.code == "prerequisite" for r in n.reasons)
        }
        assert waiting == {"arrangement"}
        nxt = [n for n in decision.notes if n.kind is NoteKind.NEXT]
        assert nxt == []  # the bailiff waits for the letter's term: not announced

    def test_one_step_per_case_per_day(self) -> None:
        day = D0 + dt.timedelta(days=8)
        first = evaluate(case_file(), policy("classic"), day, tables())
        after = carry_out(case_file(), first, policy("classic"))
        again = evaluate(after, policy("classic"), day, tables())
        assert again.action is None
        assert again.next_check_on == day + dt.timedelta(days=1)

    @pytest.mark.parametrize(
        ("reason_code", "group", "retries"),
        [
            # could not pay: once, on payday; payday 25 is a Sunday -> next SEPA day
            ("AM04", ReturnReasonGroup.COULD_NOT_PAY, [dt.date(2026, 1, 26)]),
            # refused: never re-presented
            ("MD06", ReturnReasonGroup.REFUSED_OR_DISPUTED, []),
        ],
        ids=["retry-on-payday-at-most-once", "refused-is-not-re-presented"],
    )
    def test_direct_debit_retry(
        self, reason_code: str, group: ReturnReasonGroup, retries: list[dt.date]
    ) -> None:
        returned = PaymentReturned(
            occurred_on=dt.date(2026, 1, 5), debtor_id="p1", reason_code=reason_code, group=group
        )
        file = case_file([debt(due=dt.date(2026, 1, 3))], [returned])
        _, taken = run(file, policy("humane"), dt.date(2026, 1, 4), 60)
        assert [day for day, s in taken if s == "dd-retry"] == retries

    def test_breach_ends_the_arrangement_guard(self) -> None:
        from maatwerk.core.events import ArrangementAccepted, ArrangementOffered

        day = D0 + dt.timedelta(days=3)
        events = [
            ArrangementOffered(occurred_on=day, debtor_id="p1", arrangement_id="a"),
            ArrangementAccepted(occurred_on=day, debtor_id="p1", arrangement_id="a"),
            ArrangementBreached(
                occurred_on=day + dt.timedelta(days=20), debtor_id="p1", arrangement_id="a"
            ),
        ]
        before = evaluate(
            case_file(events=events), policy("classic"), day + dt.timedelta(days=10), tables()
        )
        after = evaluate(
            case_file(events=events), policy("classic"), day + dt.timedelta(days=21), tables()
        )
        assert before.action is None
        assert after.action is not None


class TestExplanations:
    """Every decision explains itself in Dutch and English, past to future."""

    def test_chain_in_both_languages(self) -> None:
        file, _ = run(case_file(), policy("humane"), D0 - dt.timedelta(days=12), 120, contact=None)
        decision = evaluate(file, policy("humane"), dt.date(2026, 3, 20), tables())
        nl = "\n".join(decision.explain("nl"))
        en = "\n".join(decision.explain("en"))
        assert "9 januari 2026: Herinnering." in nl
        assert "de termijn verliep op 23 februari 2026" in nl
        assert "persoonlijk" in nl
        assert "reminder on 2026-01-09" in en
        assert "expired 2026-02-23" in en
        assert "bailiff: blocked: No personal contact attempt" in en

    def test_action_line_names_amount_and_review(self) -> None:
        file, _ = run(case_file(), policy("humane"), D0 - dt.timedelta(days=12), 70)
        decision = evaluate(file, policy("humane"), dt.date(2026, 3, 13), tables())
        assert decision.action is not None
        assert decision.action.action is ActionKind.BAILIFF_HANDOVER
        last = decision.explain("nl")[-1]
        assert "€ 300,00" in last
        assert "goedkeuren" in last

    def test_unknown_step_in_history_is_shown_by_id(self) -> None:
        old = step_taken(D0, "legacy-7", ActionKind.PAYMENT_REMINDER)
        decision = evaluate(case_file(events=[old]), policy("classic"), D0, tables())
        assert any("legacy-7" in line for line in decision.explain("en"))
