"""A promise to pay with a day and an amount: the guard waits until the day plus the policy's
grace, the promise is judged kept or broken from the payments (a part payment that does not
reach the amount breaks it), and a broken promise returns the case to the ladder."""

from __future__ import annotations

import datetime as dt

import attrs
from policy_helpers import case_file, debt, paid, policy, run, tables

from maatwerk.core.arrangements import PromiseStatus, promise_status
from maatwerk.core.arrangements import PromiseToPay as PromiseTerms
from maatwerk.core.debts import Payment
from maatwerk.core.events import PromiseBroken, PromiseKept, PromiseToPay
from maatwerk.core.money import eur
from maatwerk.core.policy import CaseFile, DecisionStatus, NoteKind, evaluate
from maatwerk.core.policy.casefile import derive_state


MADE = dt.date(2026, 1, 16)
BY = dt.date(2026, 1, 30)
HUMANE_GRACE = 3


def promise(
    amount: str = "300.00", *, made: dt.date = MADE, by: dt.date = BY, ident: str = "pr1"
) -> PromiseToPay:
    return PromiseToPay(
        occurred_on=made,
        debtor_id="p1",
        amount=eur(amount),
        promised_for=by,
        promise_id=ident,
        creditor_id="c1",
    )


def file_with(*payments: tuple[dt.date, str], events: tuple[object, ...] = ()) -> CaseFile:
    d = debt()
    for on, amount in payments:
        d = paid(d, on, eur(amount))
    return case_file([d], (promise(), *events))  # type: ignore[arg-type]


class TestJudgement:
    """``promise_status`` with the policy's grace (core)."""

    TERMS = PromiseTerms(
        promise_id="b1",
        debtor_id="d1",
        creditor_id="c1",
        amount=eur("100.00"),
        due_date=BY,
        made_on=MADE,
    )

    @staticmethod
    def pay(on: dt.date, amount: str, ident: str = "x") -> Payment:
        return Payment(payment_id=ident, debtor_id="d1", received_on=on, amount=eur(amount))

    def test_a_payment_inside_the_grace_keeps_it(self) -> None:
        last = BY + dt.timedelta(days=3)
        state = promise_status(self.TERMS, [self.pay(last, "100.00")], last, grace_days=3)
        assert state.status is PromiseStatus.KEPT
        assert state.kept_on == last
        assert state.last_day == last

    def test_open_until_the_last_day_then_broken_the_day_after(self) -> None:
        last = BY + dt.timedelta(days=3)
        assert promise_status(self.TERMS, [], last, grace_days=3).status is PromiseStatus.OPEN
        broken = promise_status(self.TERMS, [], last + dt.timedelta(days=1), grace_days=3)
        assert broken.status is PromiseStatus.BROKEN
        assert broken.broken_on == last + dt.timedelta(days=1)

    def test_a_payment_after_the_grace_does_not_keep_it(self) -> None:
        late = BY + dt.timedelta(days=4)
        state = promise_status(self.TERMS, [self.pay(late, "100.00")], late, grace_days=3)
        assert state.status is PromiseStatus.BROKEN
        assert state.paid == eur("0.00")

    def test_part_payments_that_reach_the_amount_keep_it(self) -> None:
        payments = [self.pay(BY - dt.timedelta(days=5), "60.00", "a"), self.pay(BY, "40.00", "b")]
        state = promise_status(self.TERMS, payments, BY + dt.timedelta(days=10), grace_days=3)
        assert state.status is PromiseStatus.KEPT
        assert state.kept_on == BY

    def test_a_part_payment_short_of_the_amount_breaks_it(self) -> None:
        state = promise_status(
            self.TERMS, [self.pay(BY, "60.00")], BY + dt.timedelta(days=4), grace_days=3
        )
        assert state.status is PromiseStatus.BROKEN
        assert state.paid == eur("60.00")
        assert state.outstanding == eur("40.00")


class TestGuardAndLadder:
    """Under the humane policy (``promise_grace_days = 3``)."""

    def test_the_shipped_policies_set_the_grace(self) -> None:
        assert policy("humane").settings.promise_grace_days == HUMANE_GRACE
        assert policy("classic").settings.promise_grace_days == 0

    def test_escalation_waits_until_the_promised_day_plus_the_grace(self) -> None:
        last = BY + dt.timedelta(days=HUMANE_GRACE)
        decision = evaluate(file_with(), policy("humane"), last, tables())
        assert decision.action is None
        postponed = [
            n
            for n in decision.notes
            if n.kind is NoteKind.POSTPONED and any(r.code == "promise" for r in n.reasons)
        ]
        assert postponed
        assert {n.until for n in postponed} == {last + dt.timedelta(days=1)}
        text = "\n".join(decision.explain("nl"))
        assert "uiterlijk 30 januari 2026 € 300,00 te betalen" in text
        assert "We wachten tot en met 2 februari 2026." in text

    def test_a_kept_promise_holds_nothing_and_is_explained(self) -> None:
        # paid in full inside the grace: the case is settled, nothing escalates
        after = BY + dt.timedelta(days=10)
        file = file_with((BY + dt.timedelta(days=2), "300.00"))
        decision = evaluate(file, policy("humane"), after, tables())
        assert decision.action is None or decision.action.action.value == "close"
        text = "\n".join(decision.explain("nl"))
        assert "De klant heeft de belofte nagekomen: betaald op 1 februari 2026." in text

    def test_a_broken_promise_returns_the_case_to_the_ladder_with_a_call(self) -> None:
        broken_on = BY + dt.timedelta(days=HUMANE_GRACE + 1)
        file = file_with((BY, "100.00"))
        before = evaluate(file, policy("humane"), broken_on - dt.timedelta(days=1), tables())
        assert before.action is None
        decision = evaluate(file, policy("humane"), broken_on, tables())
        assert decision.status is DecisionStatus.ACT
        assert decision.action is not None
        assert decision.action.step_id == "promise-call"
        text = "\n".join(decision.explain("nl"))
        assert (
            "De klant heeft de belofte niet nagekomen: tot en met 2 februari 2026 is "
            "€ 100,00 van € 300,00 betaald." in text
        )

    def test_the_ladder_goes_on_after_the_call(self) -> None:
        file = file_with((BY, "100.00"))
        _, taken = run(file, policy("humane"), MADE, 40)
        steps = [step for _, step in taken]
        broken_on = BY + dt.timedelta(days=HUMANE_GRACE + 1)
        assert all(day >= broken_on for day, _ in taken), taken
        assert taken[0] == (broken_on, "promise-call")
        assert "reminder" in steps  # the rungs not yet done come after it, one a day

    def test_a_recorded_outcome_stands(self) -> None:
        kept = PromiseKept(occurred_on=BY, debtor_id="p1", promise_id="pr1", paid=eur("300.00"))
        state = derive_state(file_with(events=(kept,)), BY + dt.timedelta(days=20))
        (judged,) = state.judged_promises(HUMANE_GRACE)
        assert judged.recorded
        assert judged.status is PromiseStatus.KEPT
        broken = PromiseBroken(
            occurred_on=BY + dt.timedelta(days=4),
            debtor_id="p1",
            promise_id="pr1",
            paid=eur("0.00"),
            outstanding=eur("300.00"),
        )
        state = derive_state(file_with(events=(broken,)), BY + dt.timedelta(days=20))
        assert state.promise_broken(HUMANE_GRACE, "d1") == BY + dt.timedelta(days=4)

    def test_a_newer_promise_replaces_an_open_one(self) -> None:
        later = promise("150.00", made=BY - dt.timedelta(days=2), by=BY + dt.timedelta(days=14))
        later = attrs.evolve(later, promise_id="pr2")
        file = attrs.evolve(file_with(), events=(*file_with().events, later))
        day = BY + dt.timedelta(days=HUMANE_GRACE + 1)
        state = derive_state(file, day)
        assert [j.promise.key for j in state.judged_promises(HUMANE_GRACE)] == ["pr2"]
        decision = evaluate(file, policy("humane"), day, tables())
        assert decision.action is None  # still waiting for the newer promise

    def test_a_promise_at_another_creditor_holds_nothing_here(self) -> None:
        other = attrs.evolve(promise(), creditor_id="c2")
        file = case_file([debt()], (other,))
        assert derive_state(file, BY).promises == ()

    def test_classic_does_not_wait_but_still_judges(self) -> None:
        # classic switches the guard off: the ladder does not wait for the promise
        _, taken = run(file_with(), policy("classic"), MADE, 10)
        assert taken  # a step was taken while the promise ran
        state = derive_state(file_with(), BY + dt.timedelta(days=1))
        (judged,) = state.judged_promises(0)
        assert judged.status is PromiseStatus.BROKEN
