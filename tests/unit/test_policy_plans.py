"""Arrangement events carry the schedule; "kept" is judged from the schedule and the payments."""

from __future__ import annotations

import datetime as dt

import attrs
from policy_helpers import D0, case_file, debt, policy, tables

from maatwerk.core.arrangements import ArrangementStatus, PaymentMethod
from maatwerk.core.debts import AppliedPayment, Balance, Debt
from maatwerk.core.events import (
    ArrangementAccepted,
    ArrangementOffered,
    Event,
    event_from_record,
    event_to_record,
)
from maatwerk.core.money import eur
from maatwerk.core.policy import DecisionStatus, NoteKind, derive_state, evaluate
from maatwerk.core.policy.casefile import arrangement_from_events


OFFER_DAY = D0 + dt.timedelta(days=20)
SCHEDULE = (
    (dt.date(2026, 2, 26), eur("100.00")),
    (dt.date(2026, 3, 26), eur("100.00")),
    (dt.date(2026, 4, 27), eur("100.00")),
)


def _plan_events(*, schedule: bool = True) -> list[Event]:
    return [
        ArrangementOffered(
            occurred_on=OFFER_DAY,
            debtor_id="p1",
            arrangement_id="a1",
            debt_ids=("d1",),
            instalment=eur("100.00"),
            instalments=3,
            schedule=SCHEDULE if schedule else (),
            method=PaymentMethod.TRANSFER if schedule else None,
            payday=25,
            tolerated_missed=1,
        ),
        ArrangementAccepted(occurred_on=OFFER_DAY, debtor_id="p1", arrangement_id="a1"),
    ]


def _pay(d: Debt, on: dt.date, amount: str) -> Debt:
    return d.with_payment(
        AppliedPayment(payment_id=f"pay-{on}", applied_on=on, parts=Balance(principal=eur(amount)))
    )


class TestScheduleInEvents:
    """The full schedule survives the storage round trip; records without it still load."""

    def test_round_trip(self) -> None:
        for event in _plan_events():
            assert event_from_record(event_to_record(event)) == event

    def test_old_record_without_schedule_loads(self) -> None:
        record = event_to_record(_plan_events(schedule=False)[0])
        for key in ("schedule", "method", "debit_day", "payday", "tolerated_missed"):
            record.pop(key)
        record.pop("grace_days")
        record.pop("settle_days")
        loaded = event_from_record(record)
        assert isinstance(loaded, ArrangementOffered)
        assert loaded.schedule == ()
        assert loaded.method is None

    def test_accepted_terms_replace_offered_terms(self) -> None:
        offered, _ = _plan_events()
        assert isinstance(offered, ArrangementOffered)
        accepted = ArrangementAccepted(
            occurred_on=OFFER_DAY,
            debtor_id="p1",
            arrangement_id="a1",
            schedule=((dt.date(2026, 3, 2), eur("300.00")),),
            grace_days=5,
        )
        plan = arrangement_from_events(offered, accepted, creditor_id="c1")
        assert plan is not None
        assert [i.due_date for i in plan.instalments] == [dt.date(2026, 3, 2)]
        assert plan.grace.grace_days == 5
        assert plan.method is PaymentMethod.DIRECT_DEBIT
        as_offered = arrangement_from_events(
            offered,
            ArrangementAccepted(occurred_on=OFFER_DAY, debtor_id="p1", arrangement_id="a1"),
        )
        assert as_offered is not None
        assert as_offered.total == eur("300.00")
        assert as_offered.method is PaymentMethod.TRANSFER


class TestKeptFromPayments:
    """A paid plan blocks escalation, an unpaid one past its grace lets it resume."""

    def test_paid_instalments_keep_the_plan(self) -> None:
        d = debt()
        for due, _ in SCHEDULE[:2]:
            d = _pay(d, due, "100.00")
        file = case_file([d], _plan_events())
        state = derive_state(file, dt.date(2026, 4, 10))
        assert [p.arrangement_id for p in state.arrangements] == ["a1"]
        assert state.arrangements[0].status is not None
        assert state.arrangements[0].status.status is ArrangementStatus.ACTIVE
        decision = evaluate(file, policy("humane"), dt.date(2026, 4, 10), tables())
        assert decision.action is None
        codes = {r.code for n in decision.notes for r in n.reasons}
        assert "arrangement-kept" in codes

    def test_unpaid_plan_past_grace_is_not_kept(self) -> None:
        file = case_file([debt()], _plan_events())
        # tolerated_missed=1: the second instalment falling late (2026-03-27) breaches the plan
        state = derive_state(file, dt.date(2026, 3, 27))
        assert state.arrangements == ()
        assert state.last_breach("d1") == dt.date(2026, 3, 27)
        decision = evaluate(file, policy("humane"), dt.date(2026, 3, 27), tables())
        assert decision.status is DecisionStatus.ACT
        codes = {r.code for n in decision.notes for r in n.reasons}
        assert "arrangement-kept" not in codes

    def test_plan_without_schedule_is_trusted(self) -> None:
        file = case_file([debt()], _plan_events(schedule=False))
        state = derive_state(file, dt.date(2026, 6, 1))
        assert [p.arrangement_id for p in state.arrangements] == ["a1"]
        assert state.arrangements[0].plan is None

    def test_in_grace_gives_the_missed_instalment_reminder(self) -> None:
        file = case_file([debt()], _plan_events())
        day = dt.date(2026, 2, 27)  # the first instalment is late from today
        state = derive_state(file, day)
        assert state.arrangements[0].in_grace
        decision = evaluate(file, policy("humane"), day, tables())
        assert decision.action is not None
        assert decision.action.step_id == "plan-reminder"
        postponed = [n for n in decision.notes if n.kind is NoteKind.POSTPONED]
        assert postponed
        assert all(n.until == dt.date(2026, 3, 27) for n in postponed)

    def test_reminder_not_repeated_for_the_same_missed_instalment(self) -> None:
        file = case_file([debt()], _plan_events())
        day = dt.date(2026, 2, 27)
        decision = evaluate(file, policy("humane"), day, tables())
        assert decision.action is not None
        from policy_helpers import carry_out

        file = carry_out(file, decision, policy("humane"))
        later = evaluate(file, policy("humane"), day + dt.timedelta(days=3), tables())
        assert later.action is None

    def test_payment_before_acceptance_does_not_count(self) -> None:
        d = _pay(debt(), OFFER_DAY - dt.timedelta(days=2), "50.00")
        file = case_file([d], _plan_events())
        state = derive_state(file, dt.date(2026, 2, 27))
        assert state.arrangements[0].in_grace

    def test_breach_anchors_plan_breach_steps(self) -> None:
        file = case_file([debt()], _plan_events())
        state = derive_state(file, dt.date(2026, 5, 1))
        assert state.last_breach("d1") == dt.date(2026, 3, 27)
        other = attrs.evolve(file, events=())
        assert derive_state(other, dt.date(2026, 5, 1)).last_breach("d1") is None
