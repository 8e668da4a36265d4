"""Invariants of evaluate() over random cases and histories (hypothesis)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st
from policy_helpers import case_file, debt, debtor, policy, run, tables

from maatwerk.core.debts import ClaimKind
from maatwerk.core.events import (
    ArrangementAccepted,
    ArrangementOffered,
    ContactOutcome,
    DebtorFlag,
    DebtorFlagged,
    StepTaken,
)
from maatwerk.core.policy import CaseFile, DecisionStatus, evaluate


POLICIES = st.sampled_from(["humane", "classic", "zvw"])
BASE = dt.date(2026, 1, 1)


@st.composite
def case_files(draw: st.DrawFn) -> CaseFile:
    count = draw(st.integers(min_value=1, max_value=4))
    debts = []
    for index in range(count):
        premium = draw(st.booleans())
        debts.append(
            debt(
                f"d{index}",
                principal=f"{draw(st.integers(min_value=5, max_value=2000))}.00",
                due=BASE + dt.timedelta(days=draw(st.integers(min_value=0, max_value=120))),
                kind=draw(st.sampled_from(list(ClaimKind))),
                category="premium" if premium else "invoice",
                periodic=premium,
                consumer=draw(st.booleans()),
            )
        )
    who = debtor(
        vulnerable=draw(st.booleans()),
        payday=draw(st.integers(min_value=1, max_value=31)),
        has_brp_address=draw(st.booleans()),
    )
    return case_file(debts, who=who)


class TestDeterminism:
    """The same date and input give the same decision, however often it is asked."""

    @given(file=case_files(), name=POLICIES, offset=st.integers(min_value=-10, max_value=300))
    def test_same_date_same_decision(self, file: CaseFile, name: str, offset: int) -> None:
        today = BASE + dt.timedelta(days=offset)
        first = evaluate(file, policy(name), today, tables())
        again = evaluate(file, policy(name), today, tables())
        assert first == again
        assert first.explain("nl") == again.explain("nl")

    @given(file=case_files(), name=POLICIES, offset=st.integers(min_value=0, max_value=200))
    @settings(max_examples=40)
    def test_later_events_do_not_change_an_earlier_day(
        self, file: CaseFile, name: str, offset: int
    ) -> None:
        today = BASE + dt.timedelta(days=offset)
        before = evaluate(file, policy(name), today, tables())
        later, _ = run(file, policy(name), today + dt.timedelta(days=1), 60)
        assert evaluate(later, policy(name), today, tables()) == before

    @given(file=case_files(), name=POLICIES, offset=st.integers(min_value=0, max_value=200))
    @settings(max_examples=40)
    def test_rerunning_a_day_after_acting_proposes_nothing_new(
        self, file: CaseFile, name: str, offset: int
    ) -> None:
        start = BASE + dt.timedelta(days=offset)
        done, taken = run(file, policy(name), start, 1)
        if taken:
            assert evaluate(done, policy(name), start, tables()).action is None


class TestNoRepeats:
    """No step is ever taken twice for the same debt."""

    @given(
        file=case_files(),
        name=POLICIES,
        outcome=st.sampled_from([None, *ContactOutcome]),
    )
    @settings(max_examples=40)
    def test_no_step_repeated(
        self, file: CaseFile, name: str, outcome: ContactOutcome | None
    ) -> None:
        done, _ = run(file, policy(name), BASE - dt.timedelta(days=10), 330, contact=outcome)
        pairs = Counter(
            (e.step_id, debt_id)
            for e in done.events
            if isinstance(e, StepTaken)
            for debt_id in e.debt_ids
        )
        assert all(count == 1 for count in pairs.values()), pairs.most_common(3)


class TestSafety:
    """Kept arrangements never escalate; a deceased debtor never gets a step."""

    @given(file=case_files(), name=POLICIES, accepted=st.integers(min_value=0, max_value=100))
    @settings(max_examples=40)
    def test_kept_arrangement_never_escalates(
        self, file: CaseFile, name: str, accepted: int
    ) -> None:
        day = BASE + dt.timedelta(days=accepted)
        plan = (
            ArrangementOffered(occurred_on=day, debtor_id="p1", arrangement_id="a"),
            ArrangementAccepted(occurred_on=day, debtor_id="p1", arrangement_id="a"),
        )
        file = attrs.evolve(file, events=(*file.events, *plan))
        _, taken = run(file, policy(name), day, 250)
        assert taken == []

    @given(file=case_files(), name=POLICIES, died=st.integers(min_value=-30, max_value=100))
    @settings(max_examples=40)
    def test_deceased_never_gets_a_step(self, file: CaseFile, name: str, died: int) -> None:
        day = BASE + dt.timedelta(days=died)
        flag = DebtorFlagged(occurred_on=day, debtor_id="p1", flag=DebtorFlag.DECEASED)
        file = attrs.evolve(file, events=(*file.events, flag))
        _, taken = run(file, policy(name), day, 250)
        assert taken == []
        assert evaluate(file, policy(name), day, tables()).status is DecisionStatus.STOPPED
