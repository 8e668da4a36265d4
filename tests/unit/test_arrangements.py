"""Arrangements: sized to capacity, dated after payday, monitored, re-planned; classic compared."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from maatwerk.adapters.subsistence_tables import load_subsistence_tables
from maatwerk.core.affordability import Commitment, affordability
from maatwerk.core.arrangements import (
    Arrangement,
    ArrangementProposal,
    ArrangementStatus,
    ChargesDuringPlan,
    GracePolicy,
    InstalmentStatus,
    PaymentMethod,
    PromiseStatus,
    PromiseToPay,
    ProposalOutcome,
    arrangement_status,
    cancel,
    classic_arrangement,
    instalment_dates,
    new_charges_allowed,
    promise_status,
    propose_arrangement,
    replan,
    split_evenly,
)
from maatwerk.core.calendar import BusinessCalendar
from maatwerk.core.debtors import HouseholdType
from maatwerk.core.debts import Payment
from maatwerk.core.errors import InputError
from maatwerk.core.money import Money, eur
from maatwerk.core.subsistence import SubsistenceInput, protected_income


D = dt.date
TODAY = D(2026, 3, 10)


def propose(debt: str, capacity: str, **kwargs: Any) -> ArrangementProposal:
    return propose_arrangement(
        arrangement_id="a1",
        debtor_id="d1",
        creditor_id="c1",
        debt=eur(debt),
        capacity=eur(capacity),
        today=TODAY,
        **{"payday": 25, **kwargs},
    )


def plan(debt: str = "1000.00", capacity: str = "120.00", **kwargs: Any) -> Arrangement:
    proposal = propose(debt, capacity, **kwargs)
    assert proposal.arrangement is not None
    return proposal.arrangement.accepted(TODAY)


def pay(day: dt.date, amount: str, n: int = 0) -> Payment:
    return Payment(payment_id=f"p{day}{n}", debtor_id="d1", received_on=day, amount=eur(amount))


class TestProposal:
    """A plan fits the capacity, falls the day after payday and sums to the debt."""

    def test_sized_to_capacity(self) -> None:
        proposal = propose("1000.00", "120.00")
        assert proposal.outcome is ProposalOutcome.PLAN
        arrangement = proposal.arrangement
        assert arrangement is not None
        assert [i.amount for i in arrangement.instalments] == [eur("111.12")] * 8 + [eur("111.04")]
        assert arrangement.instalments[0].due_date == D(2026, 3, 26)
        assert arrangement.instalments[-1].due_date == D(2026, 11, 26)

    def test_problematic_debt(self) -> None:
        proposal = propose("10000.00", "120.00")
        assert proposal.outcome is ProposalOutcome.PROBLEMATIC_DEBT
        assert proposal.referral_recommended
        assert proposal.arrangement is None
        assert proposal.months_needed == 84
        assert "schuldhulpverlening" in proposal.lines[-1]

    def test_zero_capacity_is_problematic(self) -> None:
        proposal = propose("100.00", "0.00")
        assert proposal.outcome is ProposalOutcome.PROBLEMATIC_DEBT
        assert proposal.months_needed is None

    def test_max_months_is_a_policy_choice(self) -> None:
        assert (
            propose("1000.00", "50.00", max_months=12).outcome is ProposalOutcome.PROBLEMATIC_DEBT
        )
        assert propose("1000.00", "50.00", max_months=20).outcome is ProposalOutcome.PLAN

    def test_debit_day_and_sepa_calendar(self) -> None:
        calendar = BusinessCalendar(name="sepa", closed=frozenset({D(2026, 5, 1)}))
        dates = instalment_dates(count=3, not_before=TODAY, debit_day=1, calendar=calendar)
        # 2026-04-01 Wed; 2026-05-01 closed (Fri) -> Mon 05-04; 2026-06-01 Mon
        assert dates == (D(2026, 4, 1), D(2026, 5, 4), D(2026, 6, 1))

    def test_payday_at_month_end(self) -> None:
        dates = instalment_dates(count=3, not_before=D(2026, 1, 5), payday=31)
        assert dates == (D(2026, 2, 1), D(2026, 3, 1), D(2026, 4, 1))

    def test_method_and_charges_are_kept(self) -> None:
        proposal = propose(
            "300.00",
            "100.00",
            method=PaymentMethod.SOURCE_DEDUCTION,
            charges=ChargesDuringPlan.INTEREST_ONLY,
        )
        arrangement = proposal.arrangement
        assert arrangement is not None
        assert arrangement.method is PaymentMethod.SOURCE_DEDUCTION
        assert arrangement.charges is ChargesDuringPlan.INTEREST_ONLY

    def test_fractional_cents_refused(self) -> None:
        with pytest.raises(InputError):
            propose_arrangement(
                arrangement_id="a",
                debtor_id="d",
                creditor_id="c",
                debt=Money("10.001"),
                capacity=eur("5"),
                today=TODAY,
                payday=1,
            )


class TestClassic:
    """The classic rule (6 months, at least EUR 50) is there to show what it would ask."""

    def test_exceeds_capacity_is_reported(self) -> None:
        proposal = classic_arrangement(
            arrangement_id="k",
            debtor_id="d",
            creditor_id="c",
            debt=eur("1000.00"),
            today=TODAY,
            capacity=eur("120.00"),
            payday=25,
        )
        assert proposal.exceeds_capacity
        assert proposal.shortfall == eur("46.67")
        assert proposal.arrangement is not None
        assert proposal.arrangement.months == 6

    def test_minimum_fifty(self) -> None:
        proposal = classic_arrangement(
            arrangement_id="k",
            debtor_id="d",
            creditor_id="c",
            debt=eur("120.00"),
            today=TODAY,
            payday=25,
        )
        assert proposal.arrangement is not None
        assert [i.amount for i in proposal.arrangement.instalments] == [
            eur("50.00"),
            eur("50.00"),
            eur("20.00"),
        ]
        assert not proposal.exceeds_capacity


class TestMonitoring:
    """Instalment statuses, grace after one missed instalment, breach, completion."""

    def test_statuses_over_time(self) -> None:
        arrangement = plan()
        payments = [pay(D(2026, 3, 26), "111.12"), pay(D(2026, 4, 30), "50.00")]
        state = arrangement_status(arrangement, payments, D(2026, 3, 20))
        assert state.status is ArrangementStatus.ACTIVE
        assert state.instalments[0].status is InstalmentStatus.UPCOMING
        state = arrangement_status(arrangement, payments, D(2026, 4, 27))
        assert state.status is ArrangementStatus.IN_GRACE
        assert state.instalments[1].status is InstalmentStatus.MISSED
        assert state.reminders_due == (D(2026, 4, 27),)
        assert state.grace_until == D(2026, 5, 26)
        state = arrangement_status(arrangement, payments, D(2026, 5, 1))
        assert state.instalments[1].status is InstalmentStatus.PARTLY_PAID
        assert state.arrears == eur("61.12")
        state = arrangement_status(arrangement, payments, D(2026, 5, 27))
        assert state.status is ArrangementStatus.BREACHED
        assert state.breach_date == D(2026, 5, 27)

    def test_catching_up_keeps_the_plan(self) -> None:
        arrangement = plan()
        payments = [pay(D(2026, 3, 26), "111.12"), pay(D(2026, 5, 20), "222.24")]
        state = arrangement_status(arrangement, payments, D(2026, 6, 1))
        assert state.status is ArrangementStatus.ACTIVE
        assert state.missed_count == 0
        assert state.instalments[1].reminder_on == D(2026, 4, 27)

    def test_breach_is_final(self) -> None:
        arrangement = plan()
        late = [pay(D(2026, 6, 10), "1000.00")]
        state = arrangement_status(arrangement, late, D(2026, 12, 1))
        assert state.status is ArrangementStatus.BREACHED
        assert state.breach_date == D(2026, 4, 27)

    def test_grace_days(self) -> None:
        arrangement = plan(grace=GracePolicy(tolerated_missed=1, grace_days=14))
        state = arrangement_status(arrangement, [], D(2026, 4, 9))
        assert state.status is ArrangementStatus.IN_GRACE
        assert state.grace_until == D(2026, 4, 9)
        state = arrangement_status(arrangement, [], D(2026, 4, 10))
        assert state.status is ArrangementStatus.BREACHED

    def test_completed(self) -> None:
        arrangement = plan("300.00", "100.00")
        payments = [
            pay(D(2026, 3, 26), "100"),
            pay(D(2026, 4, 26), "100"),
            pay(D(2026, 5, 26), "100"),
        ]
        state = arrangement_status(arrangement, payments, D(2026, 6, 1))
        assert state.status is ArrangementStatus.COMPLETED
        assert state.completed_on == D(2026, 5, 26)
        assert state.outstanding == Money.zero()

    def test_proposed_and_cancelled(self) -> None:
        proposal = propose("300.00", "100.00")
        arrangement = proposal.arrangement
        assert arrangement is not None
        assert arrangement_status(arrangement, [], TODAY).status is ArrangementStatus.PROPOSED
        cancelled = cancel(arrangement.accepted(TODAY), on=D(2026, 4, 1), reason="test")
        state = arrangement_status(cancelled, [], D(2026, 4, 2))
        assert state.status is ArrangementStatus.CANCELLED

    def test_no_new_charges_while_kept(self) -> None:
        arrangement = plan()
        state = arrangement_status(arrangement, [], D(2026, 3, 20))
        assert not new_charges_allowed(arrangement, state)
        breached = arrangement_status(arrangement, [], D(2026, 6, 1))
        assert new_charges_allowed(arrangement, breached)


class TestReplanAndPromises:
    """An income change re-plans the rest; a promise to pay has its own due date."""

    def test_replan(self) -> None:
        arrangement = plan()
        old, proposal = replan(
            arrangement,
            [pay(D(2026, 3, 26), "111.12")],
            today=D(2026, 4, 1),
            new_capacity=eur("50.00"),
            new_arrangement_id="a2",
            payday=25,
        )
        assert old.cancelled_on == D(2026, 4, 1)
        assert proposal.arrangement is not None
        assert proposal.arrangement.total == eur("888.88")
        assert proposal.arrangement.replaces == "a1"
        assert proposal.arrangement.largest_instalment <= eur("50.00")

    def test_promise(self) -> None:
        promise = PromiseToPay(
            promise_id="b1",
            debtor_id="d1",
            creditor_id="c1",
            amount=eur("75.00"),
            due_date=D(2026, 3, 31),
            made_on=TODAY,
        )
        assert promise_status(promise, [], D(2026, 3, 20)).status is PromiseStatus.OPEN
        kept = promise_status(promise, [pay(D(2026, 3, 30), "75.00")], D(2026, 4, 5))
        assert kept.status is PromiseStatus.KEPT
        broken = promise_status(promise, [pay(D(2026, 3, 30), "70.00")], D(2026, 4, 1))
        assert broken.status is PromiseStatus.BROKEN
        assert broken.broken_on == D(2026, 4, 1)
        assert broken.outstanding == eur("5.00")


TABLES = load_subsistence_tables()
cents = st.integers(min_value=1, max_value=5_000_000).map(Money.from_minor_units)


class TestProperties:
    """Schedules sum exactly to the debt; a plan never leaves the household below its BVV."""

    @given(cents, cents)
    def test_split_sums_exactly(self, total: Money, ceiling: Money) -> None:
        parts = split_evenly(total, ceiling)
        assert sum(parts, Money.zero()) == total
        assert all(Money.zero() < p <= ceiling for p in parts)
        assert parts[-1] <= parts[0]

    @given(
        household=st.sampled_from(list(HouseholdType)),
        net=st.decimals(min_value=0, max_value=8000, places=2),
        gross=st.decimals(min_value=0, max_value=120000, places=0),
        debt=st.decimals(min_value=Decimal("0.01"), max_value=30000, places=2),
        other=st.decimals(min_value=0, max_value=500, places=2),
        payday=st.integers(min_value=1, max_value=31),
    )
    def test_plan_never_below_bvv(
        self,
        *,
        household: HouseholdType,
        net: Decimal,
        gross: Decimal,
        debt: Decimal,
        other: Decimal,
        payday: int,
    ) -> None:
        subsistence = protected_income(
            SubsistenceInput(
                household=household,
                on=D(2026, 3, 1),
                net_income=Money(net),
                gross_annual_income=Money(gross),
            ),
            TABLES,
        )
        capacity = affordability(
            net_income=Money(net),
            protected=subsistence.bvv,
            debt=Money(debt),
            commitments=[Commitment(label="andere regeling", monthly=Money(other))],
        )
        proposal = propose_arrangement(
            arrangement_id="a",
            debtor_id="d",
            creditor_id="c",
            debt=Money(debt),
            capacity=capacity.capacity,
            today=D(2026, 3, 1),
            payday=payday,
        )
        if proposal.arrangement is None:
            assert proposal.outcome is ProposalOutcome.PROBLEMATIC_DEBT
            return
        instalments = proposal.arrangement.instalments
        assert sum((i.amount for i in instalments), Money.zero()) == Money(debt)
        assert len(instalments) <= 36
        for instalment in instalments:
            left = Money(net) - Money(other) - instalment.amount
            assert left >= subsistence.bvv
        dates = [i.due_date for i in instalments]
        assert dates == sorted(set(dates))
