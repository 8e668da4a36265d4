"""One case, one ladder: consolidation, prerequisites caught up on, reactions, next-step notices."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import attrs
import pytest
from policy_helpers import carry_out, case_file, debt, policy, run, tables

from maatwerk.adapters.case_json import load_case_file
from maatwerk.adapters.policy_loader import load_policy_text, resolve_policy
from maatwerk.core.arrangements import PaymentMethod
from maatwerk.core.debts import AppliedPayment, Balance, ClaimKind
from maatwerk.core.events import (
    ActionKind,
    ArrangementAccepted,
    ArrangementOffered,
    ContactAttempt,
    ContactChannel,
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
from maatwerk.core.policy import CaseFile, NoteKind, Policy, evaluate


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
        # the hold ends on Sunday 22 March: no call on a weekend (the call-day guard)
        file = _hold(_fresh_example(), d(1, 2), d(3, 22))
        _, taken = run(file, policy("humane"), START, 140)
        after = [(day, s) for day, s in taken if day > d(3, 22) and s != "early-signal"]
        assert [s for _, s in after] == ["call", "arrangement", "letter", "call-2", "bailiff"]
        assert after[0][0] <= d(3, 24)

    def test_a_call_held_at_the_weekend_still_comes_first(self) -> None:
        """The hold ends on Friday 20 March: the call waits for Monday, and the reminder (a
        lower step, also due) does not go out ahead of it on the weekend."""
        file = _hold(_fresh_example(), d(1, 2), d(3, 20))
        done, taken = run(file, policy("humane"), START, 93)  # through Sunday 22 March
        after = [(day, s) for day, s in taken if day > d(3, 20) and s != "early-signal"]
        assert after == [], after
        sunday = evaluate(done, policy("humane"), d(3, 22), tables())
        assert sunday.action is None
        codes = {r.code for n in sunday.notes for r in n.reasons}
        assert {"call-day", "call-first"} <= codes
        _, later = run(file, policy("humane"), START, 140)
        assert next((day, s) for day, s in later if day > d(3, 21)) == (d(3, 23), "call")

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


def _days_between(taken: list[tuple[dt.date, str]], first: str, then: str) -> int:
    days = {s: day for day, s in taken}
    return (days[then] - days[first]).days


class TestMinimumGapAfterAStep:
    """A step waits its min_days_after gap after the named step, also when catching up on rungs."""

    def test_a_case_first_seen_late_gets_time_to_answer_the_offer(self) -> None:
        # defaulted 2 January, first evaluated 2 March: the letter is long due by its anchor
        _, taken = run(case_file(), policy("humane"), d(3, 2), 60)
        assert taken[:3] == [(d(3, 2), "call"), (d(3, 5), "arrangement"), (d(3, 19), "letter")]
        assert _days_between(taken, "call-2", "bailiff") >= 14

    def test_the_example_first_seen_late(self) -> None:
        _, taken = run(_fresh_example(), policy("humane"), d(3, 15), 60)
        assert _days_between(taken, "arrangement", "letter") >= 14
        assert _days_between(taken, "call-2", "bailiff") >= 14

    def test_after_a_hold_the_same(self) -> None:
        file = _hold(_fresh_example(), d(1, 2), d(3, 22))  # ends on a Sunday
        _, taken = run(file, policy("humane"), START, 140)
        after = [(day, s) for day, s in taken if day > d(3, 22)]
        # the call first, then the offer; the early signal only after both (a personal contact
        # attempt and a written reminder: the mandatory early-signal-steps guard)
        assert after[:3] == [
            (d(3, 23), "call"),
            (d(3, 26), "arrangement"),
            (d(3, 27), "early-signal"),
        ]
        assert (d(4, 9), "letter") in after  # 14 calendar days after the offer
        assert _days_between(after, "call-2", "bailiff") >= 14

    def test_public_claim_aanmaning_waits_too(self) -> None:
        from policy_helpers import debt

        public = debt(kind=ClaimKind.PUBLIC, category="care-contribution")
        _, taken = run(case_file([public]), policy("humane"), d(3, 2), 60)
        assert (d(3, 5), "arrangement") in taken
        assert (d(3, 19), "aanmaning") in taken

    def test_the_letter_is_announced_for_the_end_of_the_gap(self) -> None:
        file, _ = run(case_file(), policy("humane"), d(3, 2), 4)  # call, then the offer on 5 March
        decision = evaluate(file, policy("humane"), d(3, 6), tables())
        assert decision.action is None
        nxt = [n for n in decision.notes if n.kind is NoteKind.NEXT]
        assert [(n.step_id, n.until) for n in nxt] == [("letter", d(3, 19))]

    def test_an_offer_standing_in_for_the_rung_starts_the_gap(self) -> None:
        # a late case: the call, then the offer after a failed direct debit (a side step that
        # stands in for the arrangement rung): the letter waits 14 days after that offer
        def taken(step_id: str, action: ActionKind, on: dt.date) -> StepTaken:
            return StepTaken(
                occurred_on=on,
                debtor_id="p1",
                step_id=step_id,
                action=action,
                channel="letters" if action is ActionKind.ARRANGEMENT_OFFER else "phone-worklist",
                debt_ids=("d1",),
                policy="humane@2026.1",
            )

        events = [
            taken("call", ActionKind.PHONE_CALL, d(3, 2)),
            ContactAttempt(
                occurred_on=d(3, 2),
                debtor_id="p1",
                channel=ContactChannel.PHONE,
                outcome=ContactOutcome.NO_ANSWER,
            ),
            _returned(d(3, 3)),
            taken("returned-call", ActionKind.PHONE_CALL, d(3, 3)),
            taken("returned-offer", ActionKind.ARRANGEMENT_OFFER, d(3, 6)),
        ]
        file = case_file(events=events)
        _, later = run(file, policy("humane"), d(3, 7), 20)
        ids = [s for _, s in later]
        assert "arrangement" not in ids  # the stand-in was the offer
        assert "returned-offer" not in ids
        assert later[0] == (d(3, 20), "letter")  # 14 days after 6 March

    def test_the_gap_never_pulls_a_step_earlier(self) -> None:
        # on time, the letter comes at default + 35 days, 16 days after the offer
        _, taken = run(case_file(), policy("humane"), START, 60)
        assert (d(1, 21), "arrangement") in taken
        assert (d(2, 6), "letter") in taken


_GAP_POLICY = """\
schema = 1
name = "gap"
version = "1"

[[step]]
id = "first"
action = "arrangement-offer"
channel = "letters"
anchor = "default-date"
days = 7

[[step]]
id = "second"
action = "fourteen-day-letter"
channel = "letters"
anchor = "default-date"
days = 8
calendar = "sepa"
min_days_after = { step = "first", days = 10 }
"""


class TestMinimumGapSemantics:
    """due = max(anchor + days, done + gap) on the step's calendar; no gap before the step is done."""

    def test_gap_counts_on_the_step_calendar(self) -> None:
        gap_policy = load_policy_text(_GAP_POLICY, "gap.toml")
        _, taken = run(case_file(), gap_policy, d(3, 2), 30)
        # first on Monday 2 March, then 10 SEPA days later: Monday 16 March
        assert taken == [(d(3, 2), "first"), (d(3, 16), "second")]

    def test_without_the_gap_the_catch_up_is_next_day(self) -> None:
        plain = load_policy_text(
            _GAP_POLICY.replace('min_days_after = { step = "first", days = 10 }\n', ""), "g.toml"
        )
        _, taken = run(case_file(), plain, d(3, 2), 30)
        assert taken == [(d(3, 2), "first"), (d(3, 3), "second")]

    def test_no_gap_while_the_named_step_is_not_done(self) -> None:
        # "first" made no prerequisite: it is passed, and "second" is due by its anchor alone
        text = _GAP_POLICY.replace("days = 7\n", "days = 7\nprerequisite = false\n", 1)
        _, taken = run(case_file(), load_policy_text(text, "gap.toml"), d(3, 2), 30)
        assert taken == [(d(3, 2), "second")]


_AFTER_BREACH = """
[[step]]
id = "breach-call"
action = "phone-call"
channel = "phone-worklist"
anchor = "plan-breach"
days = 0
max_times = 12
"""


class TestPlanBreachIsAReaction:
    """A step anchored on ``plan-breach`` reacts to a breach: a side step, never a rung that
    a case without a breach would have to catch up on first."""

    def _with_breach_call(self) -> Policy:
        # before the 14-day letter, as a policy would list a call after a breached plan
        text = resolve_policy("humane").read_text(encoding="utf-8")
        letter = '[[step]]\nid = "letter"'
        assert letter in text
        text = text.replace(letter, _AFTER_BREACH.lstrip() + "\n" + letter)
        return load_policy_text(text, "humane-breach.toml")

    def test_a_plan_breach_step_is_a_side_step(self) -> None:
        step = self._with_breach_call().step("breach-call")
        assert step.is_side
        assert not step.is_prerequisite

    def test_it_does_not_hold_the_letter_of_a_case_without_a_breach(self) -> None:
        _, plain = run(_fresh_example(), policy("humane"), START, 140)
        _, taken = run(_fresh_example(), self._with_breach_call(), START, 140)
        assert taken == plain
        assert "letter" in [s for _, s in taken]


class TestOfferAfterTheCallForEachReturn:
    """After a new failed debit the offer follows that return's call, never the call of an
    earlier return (the demo's D0000011: called on 2 March, paid; a new return on Saturday 28
    March brought the offer on Sunday, the call only on Monday)."""

    def test_no_offer_between_a_new_return_and_its_call(self) -> None:
        call = StepTaken(
            occurred_on=d(3, 2),
            debtor_id="p1",
            step_id="returned-call",
            action=ActionKind.PHONE_CALL,
            channel="phone-worklist",
            debt_ids=("d1",),
            policy="humane@2026.1",
        )
        # the bill of March, due on Saturday 28 March, debited and returned that day; the
        # earlier bill (returned on 28 February, then paid after the call) is settled
        paid = debt("d0", due=d(2, 28)).with_payment(
            AppliedPayment(
                payment_id="pay", applied_on=d(3, 5), parts=Balance(principal=eur("300.00"))
            )
        )
        file = case_file(
            [paid, debt(due=d(3, 28))],
            [_returned(d(2, 28), "d0"), attrs.evolve(call, debt_ids=("d0",)), _returned(d(3, 28))],
        )
        _, taken = run(file, policy("humane"), d(3, 29), 10)
        offers = [day for day, s in taken if s in ("arrangement", "returned-offer")]
        calls = [day for day, s in taken if s == "returned-call"]
        assert calls == [d(3, 30)]  # Monday: no calls at the weekend
        assert len(offers) == 1  # one offer (the ladder's stands in for the reaction)
        call_on, offer_on = calls[0], offers[0]
        assert offer_on == d(4, 2)  # 3 SEPA days after the new call, not before it
        assert offer_on > call_on
