"""One case, one ladder: consolidation, prerequisites caught up on, reactions, next-step notices."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import attrs
import pytest
from policy_helpers import carry_out, case_file, policy, run, tables

from maatwerk.adapters.case_json import load_case_file
from maatwerk.core.arrangements import PaymentMethod
from maatwerk.core.events import (
    ActionKind,
    ArrangementAccepted,
    ArrangementOffered,
    ContactAttempt,
    ContactOutcome,
    Event,
    FourteenDayLetterSent,
    HoldPlaced,
    HoldScope,
    PaymentReturned,
    ReturnReasonGroup,
    StepTaken,
)
from maatwerk.core.money import eur
from maatwerk.core.policy import CaseFile, NoteKind, evaluate


EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "case.json"
START = dt.date(2025, 12, 20)


def d(month: int, day: int) -> dt.date:
    return dt.date(2026, month, day)


def _fresh_example() -> CaseFile:
    """examples/case.json without its history (no steps, letters or contacts yet)."""
    file = load_case_file(EXAMPLE)
    history = (StepTaken, FourteenDayLetterSent, ContactAttempt)
    return attrs.evolve(file, events=tuple(e for e in file.events if not isinstance(e, history)))


def _hold(file: CaseFile, start: dt.date, end: dt.date) -> CaseFile:
    hold = HoldPlaced(
        occurred_on=start,
        debtor_id=file.debtor.debtor_id,
        hold_id="h1",
        scope=HoldScope.CASE,
        reason="verhuizing",
        start=start,
        end=end,
    )
    return attrs.evolve(file, events=(*file.events, hold))


def _steps(file: CaseFile) -> list[StepTaken]:
    return [e for e in file.events if isinstance(e, StepTaken)]


class TestOneLadderPerCase:
    """examples/case.json day by day: one message per rung for the whole case."""

    @pytest.mark.parametrize("name", ["humane", "classic", "zvw"])
    def test_each_rung_at_most_once(self, name: str) -> None:
        _, taken = run(_fresh_example(), policy(name), START, 140)
        ids = [s for _, s in taken]
        repeatable = {s.id for s in policy(name).steps if s.max_times > 1}
        assert all(ids.count(i) == 1 for i in ids if i not in repeatable), ids
        assert len({day for day, _ in taken}) == len(taken)  # one message a day at most

    def test_humane_counts_messages(self) -> None:
        file, taken = run(_fresh_example(), policy("humane"), START, 140)
        assert taken == [
            (d(12, 27) - dt.timedelta(days=365), "courtesy"),
            (d(1, 9), "reminder"),
            (d(1, 16), "call"),
            (d(1, 21), "arrangement"),
            (d(2, 6), "letter"),
            (d(2, 20), "early-signal"),
            (d(2, 23), "call-2"),
            (d(3, 13), "bailiff"),
        ]  # was 21 messages with a ladder per premium
        steps = {s.step_id: s.debt_ids for s in _steps(file)}
        assert steps["letter"] == ("prem-2026-01", "prem-2026-02")  # one letter for the sum
        assert steps["bailiff"] == ("prem-2026-01", "prem-2026-02")
        # the March premium came after the letter: no letter of its own, so no bailiff for it
        assert "prem-2026-03" not in steps["bailiff"]

    def test_per_debt_history_is_kept(self) -> None:
        file, _ = run(_fresh_example(), policy("humane"), START, 140)
        decision = evaluate(file, policy("humane"), d(5, 1), tables())
        lines = decision.explain("nl")
        assert any("veertiendagenbrief" in line.lower() for line in lines)
        assert [h.code for h in decision.history].count("step:letter") == 1


class TestPrerequisites:
    """Call, arrangement offer and 14-day letter are never skipped past."""

    def test_after_a_hold_the_lowest_prerequisite_comes_first(self) -> None:
        file = _hold(_fresh_example(), d(1, 2), d(3, 20))
        _, taken = run(file, policy("humane"), START, 140)
        after = [(day, s) for day, s in taken if day > d(3, 20) and s != "early-signal"]
        assert [s for _, s in after] == ["call", "arrangement", "letter", "call-2", "bailiff"]
        assert after[0][0] <= d(3, 22)

    def test_a_case_first_seen_late_starts_with_the_call(self) -> None:
        _, taken = run(_fresh_example(), policy("humane"), d(3, 15), 60)
        ladder = [s for _, s in taken if s != "early-signal"]
        assert ladder == ["call", "arrangement", "letter", "call-2", "bailiff"]

    def test_prerequisite_is_a_step_attribute(self) -> None:
        humane = policy("humane")
        assert {s.id for s in humane.steps if s.is_prerequisite} == {
            "call",
            "arrangement",
            "letter",
            "aanmaning",
            "call-2",
        }
        side = {s.id for s in humane.steps if s.is_side}
        assert {"dd-retry", "returned-call", "returned-offer", "plan-reminder"} <= side


def _returned(on: dt.date, debt_id: str = "d1") -> PaymentReturned:
    return PaymentReturned(
        occurred_on=on,
        debtor_id="p1",
        debt_id=debt_id,
        reason_code="AM04",
        group=ReturnReasonGroup.COULD_NOT_PAY,
    )


class TestReactionsToReturns:
    """A could-not-pay return brings a call and an offer, again after each new return."""

    def test_call_and_offer_after_the_re_presentation_failed(self) -> None:
        file, taken = run(case_file(), policy("humane"), START, 70)
        assert "dd-retry" not in [s for _, s in taken]
        late: dict[dt.date, list[Event]] = {d(3, 2): [_returned(d(3, 2))]}
        _, after = run(file, policy("humane"), d(3, 1), 20, extra=late)
        ids = [s for _, s in after]
        assert ids[0] == "returned-call"  # the ladder is at the bailiff: the call still comes
        assert "returned-offer" in ids

    def test_taken_again_after_a_new_return_but_one_re_presentation(self) -> None:
        events: dict[dt.date, list[Event]] = {
            d(1, 5): [_returned(d(1, 5))],
            d(2, 10): [_returned(d(2, 10))],
        }
        _, taken = run(case_file(), policy("humane"), START, 70, extra=events)
        ids = [s for _, s in taken]
        assert ids.count("returned-call") == 2
        # one offer after each call: the ladder's own offer stood in for the first reaction
        assert ids.count("returned-offer") + ids.count("arrangement") == 2
        assert ids.count("dd-retry") == 1

    def test_the_reaction_stands_in_for_the_ladder_call(self) -> None:
        events: dict[dt.date, list[Event]] = {d(1, 10): [_returned(d(1, 10))]}
        _, taken = run(case_file(), policy("humane"), START, 40, extra=events)
        ids = [s for _, s in taken]
        assert "returned-call" in ids
        assert "call" not in ids  # called on 10 January after the reminder: no second call
        assert ids.count("arrangement") + ids.count("returned-offer") == 1  # one offer


class TestDeductionAtSource:
    """An accepted plan paid by deduction at source goes to the source-deduction channel."""

    def _plan(self, method: PaymentMethod) -> list[Event]:
        return [
            ArrangementOffered(
                occurred_on=d(1, 20),
                debtor_id="p1",
                arrangement_id="a1",
                schedule=((d(2, 26), eur("150.00")), (d(3, 26), eur("150.00"))),
                method=method,
            ),
            ArrangementAccepted(occurred_on=d(1, 22), debtor_id="p1", arrangement_id="a1"),
        ]

    def test_routed_once(self) -> None:
        file = case_file(events=self._plan(PaymentMethod.SOURCE_DEDUCTION))
        decision = evaluate(file, policy("humane"), d(1, 22), tables())
        assert decision.action is not None
        assert decision.action.step_id == "deduction"
        assert decision.action.channel == "source-deduction"
        assert decision.action.action is ActionKind.ARRANGEMENT_OFFER
        file = carry_out(file, decision, policy("humane"))
        assert evaluate(file, policy("humane"), d(1, 23), tables()).action is None

    def test_not_for_a_direct_debit_plan(self) -> None:
        file = case_file(events=self._plan(PaymentMethod.DIRECT_DEBIT))
        decision = evaluate(file, policy("humane"), d(1, 22), tables())
        assert decision.action is None


class TestNextStepNotice:
    """The announced next step respects guards and conditions."""

    def test_hold_moves_the_announced_date(self) -> None:
        file = _hold(case_file(), d(1, 10), d(3, 31))
        decision = evaluate(file, policy("humane"), d(1, 12), tables())
        nxt = [n for n in decision.notes if n.kind is NoteKind.NEXT]
        assert nxt
        assert nxt[0].until == d(4, 1)
        assert "1 april 2026" in nxt[0].reasons[0].nl

    def test_failing_condition_is_not_announced(self) -> None:
        file, _ = run(case_file(), policy("humane"), START, 32, contact=ContactOutcome.NO_ANSWER)
        decision = evaluate(file, policy("humane"), d(1, 19), tables())
        announced = {n.step_id for n in decision.notes if n.kind is NoteKind.NEXT}
        assert "referral" not in announced


class TestDutchWords:
    """Dutch explanations use Dutch words for channels and outcomes."""

    def test_contact_line(self) -> None:
        file, _ = run(case_file(), policy("humane"), START, 30)
        lines = evaluate(file, policy("humane"), d(1, 30), tables()).explain("nl")
        text = "\n".join(lines)
        assert "Contactpoging (telefoon)" in text
        assert "niet opgenomen" in text
        for word in ("phone", "no-answer", " call", "single"):
            assert word not in text


class TestTimingBeforeDefault:
    """A debt not yet in default times the case's next check, and joins nothing early."""

    def test_next_check_is_the_reminder_day(self) -> None:
        file, taken = run(case_file(), policy("humane"), START, 9)
        assert [s for _, s in taken] == ["courtesy"]
        decision = evaluate(file, policy("humane"), START + dt.timedelta(days=8), tables())
        assert decision.action is None
        assert decision.next_check_on == d(1, 9)  # default 2 January + 7 days

    def test_offer_covers_only_debts_in_default(self) -> None:
        from policy_helpers import debt

        file = case_file([debt("a"), debt("b", due=d(2, 1))])
        final, taken = run(file, policy("humane"), START, 35)
        assert (d(1, 21), "arrangement") in taken
        offer = next(s for s in _steps(final) if s.step_id == "arrangement")
        assert offer.debt_ids == ("a",)  # b falls due in February: not part of the offer yet
