"""Can't pay is not won't pay; debt help stops escalation (core/policy/household.py and guards)."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
from policy_helpers import case_file, letter_sent, policy, run, step_taken, tables

from maatwerk.core.errors import PolicyError
from maatwerk.core.events import (
    ActionKind,
    ConsentGiven,
    ConsentScope,
    ContactAttempt,
    ContactChannel,
    ContactOutcome,
    DebtHelpKind,
    DebtHelpStarted,
    DebtorFlag,
    DebtorFlagged,
    Event,
    MunicipalOutcome,
    ReferralAnswered,
)
from maatwerk.core.money import eur
from maatwerk.core.policy import (
    BUILTIN_GUARDS,
    CaseFile,
    Conditions,
    HouseholdCapacity,
    Policy,
    PolicySettings,
    derive_state,
    evaluate,
)
from maatwerk.core.policy.conditions import condition_failures
from maatwerk.core.policy.household import (
    HelpStatus,
    PayStatus,
    costs_waived,
    debt_help_state,
    flag_due,
    needs_help,
    pay_status,
)
from maatwerk.core.policy.model import Anchor, Step, Timing


TODAY = dt.date(2026, 4, 1)
POOR = HouseholdCapacity(on=TODAY, net_income=eur("1050.00"), protected_income=eur("1331.43"))
ROOM = HouseholdCapacity(on=TODAY, net_income=eur("5500.00"), protected_income=eur("1331.43"))
UNKNOWN = HouseholdCapacity(on=TODAY)


def said(outcome: ContactOutcome, on: dt.date = dt.date(2026, 3, 1)) -> ContactAttempt:
    return ContactAttempt(
        occurred_on=on, debtor_id="p1", channel=ContactChannel.PHONE, outcome=outcome
    )


def file(household: HouseholdCapacity | None, *events: Event) -> CaseFile:
    return case_file(events=events, household=household)


class TestPayStatus:
    @pytest.mark.parametrize(
        ("household", "events", "expected"),
        [
            (POOR, (), PayStatus.CANNOT_PAY),
            (POOR, (said(ContactOutcome.WONT_PAY),), PayStatus.CANNOT_PAY),
            (ROOM, (said(ContactOutcome.CANT_PAY),), PayStatus.CAN_PAY),
            (UNKNOWN, (said(ContactOutcome.CANT_PAY),), PayStatus.UNCONFIRMED),
            (None, (said(ContactOutcome.CANT_PAY),), PayStatus.UNCONFIRMED),
            (UNKNOWN, (), PayStatus.UNKNOWN),
            # the last word counts; a later unanswered call does not erase it
            (
                None,
                (
                    said(ContactOutcome.CANT_PAY),
                    said(ContactOutcome.NO_ANSWER, dt.date(2026, 3, 5)),
                ),
                PayStatus.UNCONFIRMED,
            ),
            (
                None,
                (said(ContactOutcome.CANT_PAY), said(ContactOutcome.PROMISE, dt.date(2026, 3, 5))),
                PayStatus.UNKNOWN,
            ),
        ],
    )
    def test_figures_decide_when_known(
        self, household: HouseholdCapacity | None, events: tuple[Event, ...], expected: PayStatus
    ) -> None:
        assert pay_status(derive_state(file(household, *events), TODAY)) is expected

    def test_net_equal_to_the_protected_income_is_no_room(self) -> None:
        equal = HouseholdCapacity(
            on=TODAY, net_income=eur("1331.43"), protected_income=eur("1331.43")
        )
        assert equal.room == eur("0.00")
        assert pay_status(derive_state(file(equal), TODAY)) is PayStatus.CANNOT_PAY

    def test_room_is_never_negative(self) -> None:
        assert POOR.room == eur("0.00")
        assert ROOM.room == eur("4168.57")
        assert UNKNOWN.room is None


class TestCannotPayGuard:
    def _verdict(self, f: CaseFile) -> str | None:
        state = derive_state(f, TODAY)
        spec = BUILTIN_GUARDS.get("cannot-pay")
        from maatwerk.core.policy import GuardContext

        bailiff = policy("humane").step("bailiff")
        ctx = GuardContext(
            state=state,
            policy=policy("humane"),
            step=bailiff,
            debt=f.case.debts[0],
            tables=tables(),
        )
        verdict = spec.check(ctx)
        return None if verdict is None else verdict.reason.nl

    def test_mandatory(self) -> None:
        assert BUILTIN_GUARDS.get("cannot-pay").mandatory

    def test_below_the_protected_income_names_both_amounts(self) -> None:
        text = self._verdict(file(POOR))
        assert text is not None
        assert "€ 1.050,00" in text or "1.050,00" in text
        assert "1.331,43" in text
        assert "deurwaarder" in text

    def test_said_cant_pay_with_unknown_figures_goes_to_a_person(self) -> None:
        text = self._verdict(file(None, said(ContactOutcome.CANT_PAY)))
        assert text is not None
        assert "medewerker" in text

    def test_wont_pay_with_room_passes(self) -> None:
        assert self._verdict(file(ROOM, said(ContactOutcome.WONT_PAY))) is None
        assert self._verdict(file(ROOM, said(ContactOutcome.CANT_PAY))) is None

    def test_a_policy_cannot_switch_it_off(self) -> None:
        from maatwerk.adapters.policy_loader import load_policy_text

        text = (
            'schema = 1\nname = "x"\nversion = "1"\n[settings]\ndisabled_guards = ["cannot-pay"]\n'
        )
        with pytest.raises(PolicyError, match="mandatory"):
            load_policy_text(text, "x.toml")


class TestConditionAndFlag:
    STEP = Step(
        id="s",
        action=ActionKind.DEBT_HELP_REFERRAL,
        channel="municipal",
        timing=Timing(anchor=Anchor.DEFAULT_DATE),
        conditions=Conditions(cannot_pay=True),
    )

    @pytest.mark.parametrize(
        ("f", "holds"),
        [
            (file(POOR), True),
            (file(None, said(ContactOutcome.CANT_PAY)), True),
            (file(ROOM, said(ContactOutcome.CANT_PAY)), True),  # said so: offered help anyway
            (
                file(
                    None,
                    DebtorFlagged(
                        occurred_on=TODAY, debtor_id="p1", flag=DebtorFlag.PROBLEMATIC_DEBT
                    ),
                ),
                True,
            ),
            (file(ROOM, said(ContactOutcome.WONT_PAY)), False),
            (file(None), False),
        ],
    )
    def test_cannot_pay_condition(self, f: CaseFile, holds: bool) -> None:
        state = derive_state(f, TODAY)
        assert needs_help(state) is holds
        failures = condition_failures(self.STEP, state)
        assert (not failures) is holds
        negated = attrs.evolve(self.STEP, conditions=Conditions(cannot_pay=False))
        assert (not condition_failures(negated, state)) is (not holds)

    def test_flag_once(self) -> None:
        state = derive_state(file(POOR), TODAY)
        assert flag_due(state)
        flagged = DebtorFlagged(occurred_on=TODAY, debtor_id="p1", flag=DebtorFlag.PROBLEMATIC_DEBT)
        assert not flag_due(derive_state(file(POOR, flagged), TODAY))
        assert not flag_due(derive_state(file(ROOM), TODAY))

    def test_costs_waived_only_when_the_policy_says(self) -> None:
        state = derive_state(file(POOR), TODAY)
        assert costs_waived(state, policy("humane")) is not None
        assert costs_waived(state, policy("classic")) is None
        assert costs_waived(derive_state(file(ROOM), TODAY), policy("humane")) is None


def _referred(on: dt.date) -> list[Event]:
    return [
        ConsentGiven(occurred_on=on, debtor_id="p1", scope=ConsentScope.DEBT_HELP_REFERRAL),
        step_taken(on, "referral", ActionKind.DEBT_HELP_REFERRAL, channel="municipal"),
    ]


class TestDebtHelp:
    REFERRED = dt.date(2026, 3, 20)

    def test_referral_pauses_for_the_response_term(self) -> None:
        state = derive_state(file(POOR, *_referred(self.REFERRED)), TODAY)
        found = debt_help_state(state, 28)
        assert found.status is HelpStatus.REFERRED
        assert found.until == self.REFERRED + dt.timedelta(days=28)

    def test_no_answer_in_time_resumes_the_day_after(self) -> None:
        late = self.REFERRED + dt.timedelta(days=29)
        found = debt_help_state(derive_state(file(POOR, *_referred(self.REFERRED)), late), 28)
        assert found.status is HelpStatus.RESUMED
        assert found.since == late
        assert found.why == "no-answer"

    @pytest.mark.parametrize(
        ("outcome", "status"),
        [
            (MunicipalOutcome.NO_CONTACT, HelpStatus.RESUMED),
            (MunicipalOutcome.REFUSED, HelpStatus.RESUMED),
        ],
    )
    def test_negative_answer_resumes(self, outcome: MunicipalOutcome, status: HelpStatus) -> None:
        answer = ReferralAnswered(occurred_on=TODAY, debtor_id="p1", outcome=outcome)
        found = debt_help_state(
            derive_state(file(POOR, *_referred(self.REFERRED), answer), TODAY), 28
        )
        assert found.status is status
        assert found.since == TODAY

    def test_debt_help_started_holds(self) -> None:
        started = DebtHelpStarted(
            occurred_on=TODAY, debtor_id="p1", help_kind=DebtHelpKind.DEBT_HELP
        )
        later = TODAY + dt.timedelta(days=200)
        found = debt_help_state(
            derive_state(file(POOR, *_referred(self.REFERRED), started), later), 28
        )
        assert found.status is HelpStatus.ACTIVE

    def test_debt_help_and_consent_guards_are_mandatory(self) -> None:
        assert BUILTIN_GUARDS.get("debt-help").mandatory
        assert BUILTIN_GUARDS.get("consent").mandatory


class TestHumaneLadder:
    """The humane policy, day by day on the core (the run's integration test is in tests/integration)."""

    def _run(
        self, household: HouseholdCapacity | None, extra: dict[dt.date, list[Event]]
    ) -> list[tuple[dt.date, str]]:
        f = file(household)
        _, taken = run(f, policy("humane"), dt.date(2026, 1, 1), 130, extra=extra)
        return taken

    def test_cannot_pay_without_consent_never_reaches_the_bailiff(self) -> None:
        taken = self._run(POOR, {})
        steps = [s for _, s in taken]
        assert "bailiff" not in steps
        assert "referral" not in steps  # no consent: the referral waits for one

    def test_wont_pay_with_room_reaches_the_bailiff_review(self) -> None:
        f = file(ROOM)
        decision = None
        day = dt.date(2026, 1, 1)
        for offset in range(100):
            today = day + dt.timedelta(days=offset)
            decision = evaluate(f, policy("humane"), today, tables())
            if decision.action is not None:
                if decision.action.step_id == "bailiff":
                    break
                from policy_helpers import carry_out

                f = carry_out(f, decision, policy("humane"), ContactOutcome.WONT_PAY)
        assert decision is not None
        assert decision.action is not None
        assert decision.action.step_id == "bailiff"
        assert decision.action.needs_review

    def test_referral_with_consent_pauses_then_no_contact_resumes_with_a_call(self) -> None:
        consent = ConsentGiven(
            occurred_on=dt.date(2026, 1, 5), debtor_id="p1", scope=ConsentScope.DEBT_HELP_REFERRAL
        )
        f = file(POOR, consent)
        f, taken = run(f, policy("humane"), dt.date(2026, 1, 1), 30)
        referral = [d for d, s in taken if s == "referral"]
        assert referral, taken
        referred = referral[0]
        # nothing while the municipality answers
        f, paused = run(f, policy("humane"), dt.date(2026, 1, 31), 10)
        assert paused == []
        answer = ReferralAnswered(
            occurred_on=dt.date(2026, 2, 10), debtor_id="p1", outcome=MunicipalOutcome.NO_CONTACT
        )
        f = attrs.evolve(f, events=(*f.events, answer))
        decision = evaluate(f, policy("humane"), dt.date(2026, 2, 10), tables())
        assert decision.action is not None
        assert decision.action.step_id == "resume-call"
        assert referred < dt.date(2026, 2, 10)
        assert decision.debt_help is not None
        assert "weer verder" in decision.debt_help.nl

    def test_letter_states_no_costs_reason(self) -> None:
        f = file(POOR, letter_sent(dt.date(2026, 2, 1)))
        decision = evaluate(f, policy("humane"), TODAY, tables())
        assert decision.costs_waived is not None
        assert decision.household is not None
        assert decision.flag_problematic


def test_response_days_is_a_policy_setting() -> None:
    assert policy("humane").settings.debt_help_response_days == 28
    assert not policy("humane").settings.costs_when_cannot_pay
    assert policy("classic").settings.costs_when_cannot_pay
    assert PolicySettings().debt_help_response_days == 28
    assert isinstance(policy("humane"), Policy)


class TestCircumstances:
    """What ``review list`` shows a checker about the household (``Decision.circumstances``)."""

    def test_none_for_a_household_with_room(self) -> None:
        decision = evaluate(file(ROOM), policy("humane"), TODAY, tables())
        assert decision.circumstances == ()
        assert decision.room == eur("4168.57")

    def test_below_protected_income_problematic_and_in_debt_help(self) -> None:
        flagged = DebtorFlagged(occurred_on=TODAY, debtor_id="p1", flag=DebtorFlag.PROBLEMATIC_DEBT)
        started = DebtHelpStarted(
            occurred_on=TODAY, debtor_id="p1", help_kind=DebtHelpKind.DEBT_HELP
        )
        decision = evaluate(file(POOR, flagged, started), policy("humane"), TODAY, tables())
        assert decision.circumstances == ("below-protected-income", "debt-help", "problematic-debt")
        assert decision.room == eur("0.00")

    def test_unknown_figures_give_no_room_and_no_flag(self) -> None:
        decision = evaluate(file(UNKNOWN), policy("humane"), TODAY, tables())
        assert decision.room is None
        assert "below-protected-income" not in decision.circumstances
