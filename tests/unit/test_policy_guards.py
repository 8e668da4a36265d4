"""Each built-in guard blocks exactly the steps it must, and nothing else."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import attrs
import pytest
from policy_helpers import (
    case_file,
    debt,
    debtor,
    demand_sent,
    letter_sent,
    notice_sent,
    step_taken,
    tables,
)

from maatwerk.core.debts import ClaimKind
from maatwerk.core.events import (
    ActionKind,
    ArrangementAccepted,
    ArrangementOffered,
    ConsentGiven,
    ConsentRevoked,
    ConsentScope,
    ContactAttempt,
    ContactChannel,
    ContactOutcome,
    DebtHelpKind,
    DebtHelpStarted,
    DebtorFlag,
    DebtorFlagged,
    DisputeOpened,
    DisputeResolved,
    Event,
    FourteenDayLetterSent,
    HoldEnded,
    HoldPlaced,
    HoldScope,
    PromiseToPay,
    ReviewRejected,
    StepRefused,
    StepTaken,
    ZvwNoticeSent,
)
from maatwerk.core.money import eur
from maatwerk.core.policy import (
    BUILTIN_GUARDS,
    Anchor,
    CaseFile,
    GuardContext,
    GuardSpec,
    HouseholdCapacity,
    OtherArrear,
    Policy,
    PolicySettings,
    Step,
    Timing,
    Verdict,
    derive_state,
)
from maatwerk.core.policy.guards import HARD_ACTIONS


TODAY = dt.date(2026, 4, 1)
ALL = frozenset(ActionKind)
ALL_BUT_CLOSE = ALL - {ActionKind.CLOSE}
POLICY = Policy(name="test", version="1", settings=PolicySettings(bailiff_min_amount=eur("100.00")))


def _clean_events() -> list[Event]:
    day = dt.date(2026, 2, 1)
    return [
        step_taken(day, "letter", ActionKind.FOURTEEN_DAY_LETTER),
        letter_sent(day),
        ContactAttempt(
            occurred_on=dt.date(2026, 2, 10),
            debtor_id="p1",
            channel=ContactChannel.PHONE,
            outcome=ContactOutcome.NO_ANSWER,
        ),
        ConsentGiven(occurred_on=day, debtor_id="p1", scope=ConsentScope.MUNICIPAL_REFERRAL),
        ConsentGiven(occurred_on=day, debtor_id="p1", scope=ConsentScope.EARLY_SIGNAL),
        notice_sent(day),  # Zvw 18b: its 4 weeks ran before TODAY
    ]


def clean() -> CaseFile:
    """A case in which no guard should stop even a bailiff hand-over."""
    return case_file([debt()], _clean_events())


def step(action: ActionKind, **kw: object) -> Step:
    return Step(
        id="s",
        action=action,
        channel="x",
        timing=Timing(anchor=Anchor.DEFAULT_DATE),
        **kw,  # type: ignore[arg-type]
    )


def verdicts(file: CaseFile, action: ActionKind, **kw: object) -> dict[str, Verdict]:
    state = derive_state(file, TODAY)
    the_step = step(action, **kw)
    ctx = GuardContext(
        state=state, policy=POLICY, step=the_step, debt=file.case.debts[0], tables=tables()
    )
    found: dict[str, Verdict] = {}
    for spec in BUILTIN_GUARDS.for_step(POLICY, the_step):
        verdict = spec.check(ctx)
        if verdict is not None:
            found[spec.code] = verdict
    return found


def add(*events: Event) -> Callable[[CaseFile], CaseFile]:
    return lambda f: attrs.evolve(f, events=(*f.events, *events))


def without(kind: type[Event]) -> Callable[[CaseFile], CaseFile]:
    return lambda f: attrs.evolve(f, events=tuple(e for e in f.events if not isinstance(e, kind)))


def with_debtor(**kw: object) -> Callable[[CaseFile], CaseFile]:
    return lambda f: attrs.evolve(f, debtor=debtor(**kw))


_P = "p1"


def hold(
    scope: HoldScope,
    *,
    debt_id: str | None = None,
    start: dt.date = TODAY,
    end: dt.date | None = None,
    reason: str = "x",
) -> HoldPlaced:
    """Hold ``h``, placed on the day it starts (today unless told)."""
    return HoldPlaced(
        occurred_on=start,
        debtor_id=_P,
        debt_id=debt_id,
        hold_id="h",
        scope=scope,
        reason=reason,
        start=start,
        end=end,
    )


def _same(file: CaseFile) -> CaseFile:
    return file


#: Guards that check only a step with these params (the trigger is the step, not the case).
STEP_PARAMS: dict[str, tuple[tuple[str, str], ...]] = {
    "zvw-second-notice": (("notice", "second"),),
    # an offer sized to capacity rests on the BVV; any other offer does not
    "bvv-needs-person": (("plan", "capacity"),),
}

#: A trigger that is also a statutory bar of another guard on some actions: (code, action) ->
#: the other guards that rightly block too (also on an action the trigger's own guard lets
#: through). An arrangement accepted after the first Zvw notice
#: (the 4-month point) and kept bars the CAK report by statute (Zvw 18b), whatever the policy.
ALSO: dict[tuple[str, ActionKind], frozenset[str]] = {
    ("arrangement-kept", ActionKind.ZVW_REPORT): frozenset({"zvw-report-bars"}),
    # no personal contact attempt also bars an early signal (Besluit Wgs art. 2)
    ("personal-contact", ActionKind.EARLY_SIGNAL): frozenset({"early-signal-steps"}),
}

TRIGGERS: dict[str, tuple[Callable[[CaseFile], CaseFile], frozenset[ActionKind]]] = {
    "deceased": (
        add(DebtorFlagged(occurred_on=TODAY, debtor_id=_P, flag=DebtorFlag.DECEASED)),
        ALL,
    ),
    "hold": (
        add(hold(HoldScope.CASE, reason="illness")),
        ALL,
    ),
    "dispute": (add(DisputeOpened(occurred_on=TODAY, debtor_id=_P, dispute_id="x")), ALL_BUT_CLOSE),
    "review-rejected": (add(ReviewRejected(occurred_on=TODAY, debtor_id=_P, step_id="s")), ALL),
    "debt-help": (
        add(DebtHelpStarted(occurred_on=TODAY, debtor_id=_P, help_kind=DebtHelpKind.DEBT_HELP)),
        ALL_BUT_CLOSE,
    ),
    "arrangement-kept": (
        add(
            ArrangementOffered(occurred_on=TODAY, debtor_id=_P, arrangement_id="a"),
            ArrangementAccepted(occurred_on=TODAY, debtor_id=_P, arrangement_id="a"),
        ),
        ALL_BUT_CLOSE,
    ),
    "promise": (
        add(
            PromiseToPay(
                occurred_on=TODAY,
                debtor_id=_P,
                amount=eur("50.00"),
                promised_for=TODAY + dt.timedelta(days=5),
            )
        ),
        ALL_BUT_CLOSE,
    ),
    "vulnerable": (
        add(DebtorFlagged(occurred_on=TODAY, debtor_id=_P, flag=DebtorFlag.VULNERABLE)),
        HARD_ACTIONS,
    ),
    "consent": (
        add(
            ConsentRevoked(occurred_on=TODAY, debtor_id=_P, scope=ConsentScope.MUNICIPAL_REFERRAL),
            ConsentRevoked(occurred_on=TODAY, debtor_id=_P, scope=ConsentScope.EARLY_SIGNAL),
        ),
        frozenset({ActionKind.DEBT_HELP_REFERRAL, ActionKind.EARLY_SIGNAL}),
    ),
    "fourteen-day-letter": (
        without(FourteenDayLetterSent),
        frozenset({ActionKind.BAILIFF_HANDOVER}),
    ),
    "personal-contact": (without(ContactAttempt), frozenset({ActionKind.BAILIFF_HANDOVER})),
    # an early signal only after a personal contact attempt and a written reminder: here the
    # only step taken is a call, no letter (a missing call is personal-contact's trigger)
    "early-signal-steps": (
        lambda f: add(
            step_taken(dt.date(2026, 2, 1), "call", ActionKind.PHONE_CALL, channel="phone")
        )(without(StepTaken)(f)),
        frozenset({ActionKind.EARLY_SIGNAL}),
    ),
    # the step's action was refused at delivery two days ago: it waits refused_retry_days (7)
    "refused-retry": (
        add(
            StepRefused(
                occurred_on=TODAY - dt.timedelta(days=2),
                debtor_id=_P,
                step_id="s",
                action=ActionKind.PAYMENT_REMINDER,
                debt_ids=("d1",),
                reason="the channel refused it",
            )
        ),
        ALL,
    ),
    # the debtor was spoken to today (TODAY, 1 April 2026, is a working day)
    "call-day": (
        add(
            ContactAttempt(
                occurred_on=TODAY,
                debtor_id=_P,
                channel=ContactChannel.PHONE,
                outcome=ContactOutcome.REACHED,
            )
        ),
        frozenset({ActionKind.PHONE_CALL}),
    ),
    "amicable-track": (
        add(
            step_taken(
                TODAY - dt.timedelta(days=3), "call-2", ActionKind.PHONE_CALL, channel="phone"
            )
        ),
        frozenset({ActionKind.BAILIFF_HANDOVER}),
    ),
    "bailiff-threshold": (
        lambda f: attrs.evolve(f, case=attrs.evolve(f.case, debts=(debt(principal="99.99"),))),
        frozenset({ActionKind.BAILIFF_HANDOVER}),
    ),
    # arrears at two other creditors (the policy's problematic_other_creditors) and no referral
    # offered; a recorded problematic-debt flag also bars the bailiff under cannot-pay
    "problematic-debt": (
        lambda f: attrs.evolve(
            f,
            other_arrears=tuple(
                OtherArrear(creditor=kind, amount=eur("100.00"), reported_on=TODAY)
                for kind in ("energy", "rent")
            ),
        ),
        frozenset({ActionKind.BAILIFF_HANDOVER}),
    ),
    "cannot-pay": (
        lambda f: attrs.evolve(
            f,
            household=HouseholdCapacity(
                on=TODAY, net_income=eur("1050.00"), protected_income=eur("1331.43")
            ),
        ),
        frozenset({ActionKind.BAILIFF_HANDOVER}),
    ),
    # an owner-occupier asked for the Rv 475da lid 7 increase and no person has set it: the
    # services could not compute the BVV (only a too-low bound); costs do not depend on it under
    # this policy (costs_when_cannot_pay = true), so only the hand-over and the capacity offer
    "bvv-needs-person": (
        lambda f: attrs.evolve(
            f,
            debtor=debtor(housing="own"),
            household=HouseholdCapacity(
                on=TODAY,
                net_income=eur("1600.00"),
                needs_person="lid 7 increase cannot be computed",
                too_low=eur("1234.56"),
            ),
        ),
        frozenset({ActionKind.BAILIFF_HANDOVER, ActionKind.ARRANGEMENT_OFFER}),
    ),
    "brp-mismatch": (with_debtor(has_brp_address=False), frozenset({ActionKind.ZVW_REPORT})),
    # a premium due 2020-01-01: its 5 years (BW 3:308) ended on 2025-01-01; the 14-day letter
    # of 2026-02-01 came after that and revives nothing (a fresh d2 keeps the case above the
    # bailiff threshold: a time-barred debt counts for no amount)
    "time-barred": (
        lambda f: attrs.evolve(
            f,
            case=attrs.evolve(
                f.case,
                debts=(debt(due=dt.date(2020, 1, 1), periodic=True), debt("d2")),
            ),
        ),
        ALL - {ActionKind.CLOSE, ActionKind.WRITE_OFF},
    ),
    "zvw-report-bars": (without(ZvwNoticeSent), frozenset({ActionKind.ZVW_REPORT})),
    # a second notice without a maintained dispute after the first (18b lid 2)
    "zvw-second-notice": (_same, frozenset({ActionKind.ZVW_NOTICE})),
}


class TestGuardCoverage:
    """Every built-in guard has a trigger in this table."""

    def test_every_builtin_guard_is_tested(self) -> None:
        assert set(TRIGGERS) == set(BUILTIN_GUARDS.codes)


class TestCleanCase:
    """With every precondition met, no guard stops any step."""

    @pytest.mark.parametrize("action", list(ActionKind), ids=lambda a: a.value)
    def test_nothing_blocks(self, action: ActionKind) -> None:
        assert verdicts(clean(), action) == {}


class TestEachGuard:
    """A trigger makes its guard (and only its guard) block exactly its own action kinds."""

    @pytest.mark.parametrize("code", sorted(TRIGGERS))
    @pytest.mark.parametrize("action", list(ActionKind), ids=lambda a: a.value)
    def test_blocks_what_it_must_and_nothing_else(self, code: str, action: ActionKind) -> None:
        change, blocked = TRIGGERS[code]
        found = verdicts(change(clean()), action, params=STEP_PARAMS.get(code, ()))
        if action in blocked:
            assert set(found) == {code} | ALSO.get((code, action), frozenset())
            reason = found[code].reason
            assert reason.code == code
            assert reason.nl
            assert reason.en
        else:
            assert set(found) == ALSO.get((code, action), frozenset())


class TestPostponements:
    """Time-bound guards say until when; after that day the step may go."""

    def test_hold_with_end_postpones_to_the_day_after(self) -> None:
        end = TODAY + dt.timedelta(days=9)
        file = add(hold(HoldScope.DEBT, debt_id="d1", end=end))(clean())
        verdict = verdicts(file, ActionKind.PAYMENT_REMINDER)["hold"]
        assert verdict.until == end + dt.timedelta(days=1)

    def test_hold_on_another_debt_does_not_block(self) -> None:
        file = add(hold(HoldScope.DEBT, debt_id="other"))(clean())
        assert verdicts(file, ActionKind.PAYMENT_REMINDER) == {}

    def test_ended_hold_and_resolved_dispute_no_longer_block(self) -> None:
        file = add(
            hold(HoldScope.RUN, start=TODAY - dt.timedelta(days=20)),
            HoldEnded(occurred_on=TODAY - dt.timedelta(days=1), debtor_id=_P, hold_id="h"),
            DisputeOpened(occurred_on=TODAY - dt.timedelta(days=9), debtor_id=_P, dispute_id="x"),
            DisputeResolved(occurred_on=TODAY - dt.timedelta(days=2), debtor_id=_P, dispute_id="x"),
        )(clean())
        assert verdicts(file, ActionKind.BAILIFF_HANDOVER) == {}

    def test_letter_term_not_expired_postpones_to_after_atw_end(self) -> None:
        # + 14 days = Fri 3 April (Good Friday), weekend, Easter Monday: last day Tue 7 April
        received = dt.date(2026, 3, 20)
        file = attrs.evolve(
            clean(),
            events=(
                *without(FourteenDayLetterSent)(clean()).events,
                letter_sent(received, received_on=received, debt_ids=()),
            ),
        )
        verdict = verdicts(file, ActionKind.BAILIFF_HANDOVER)["fourteen-day-letter"]
        assert verdict.until == dt.date(2026, 4, 8)

    def test_costs_need_the_letter_too(self) -> None:
        file = without(FourteenDayLetterSent)(clean())
        assert set(verdicts(file, ActionKind.PAYMENT_REMINDER, charges_costs=True)) == {
            "fourteen-day-letter"
        }

    def test_step_can_add_a_guard(self) -> None:
        file = without(ContactAttempt)(clean())
        found = verdicts(file, ActionKind.FORMAL_DEMAND, guards=("personal-contact",))
        assert set(found) == {"personal-contact"}


AANMANING_DAY = dt.date(2026, 3, 2)
AANMANING = step_taken(AANMANING_DAY, "aanmaning", ActionKind.FORMAL_DEMAND)


class TestPublicAndBusinessClaims:
    """Public claims need an expired aanmaning; business debtors need no 14-day letter."""

    def test_public_claim_without_aanmaning_blocks_bailiff(self) -> None:
        public = case_file([debt(kind=ClaimKind.PUBLIC)], _clean_events())
        assert set(verdicts(public, ActionKind.BAILIFF_HANDOVER)) == {"fourteen-day-letter"}

    def test_public_claim_after_aanmaning_term(self) -> None:
        delivered = demand_sent(AANMANING_DAY)
        public = case_file([debt(kind=ClaimKind.PUBLIC)], [*_clean_events(), AANMANING, delivered])
        assert verdicts(public, ActionKind.BAILIFF_HANDOVER) == {}

    def test_an_aanmaning_never_delivered_does_not_count(self) -> None:
        public = case_file([debt(kind=ClaimKind.PUBLIC)], [*_clean_events(), AANMANING])
        assert set(verdicts(public, ActionKind.BAILIFF_HANDOVER)) == {"fourteen-day-letter"}

    def test_business_debt_needs_no_letter(self) -> None:
        b2b = case_file([debt(consumer=False)], without(FourteenDayLetterSent)(clean()).events)
        assert verdicts(b2b, ActionKind.BAILIFF_HANDOVER) == {}


class TestRegistry:
    """The registry is a plain, extendable value; codes are unique."""

    def test_extend_with_a_plugin_guard(self) -> None:
        def never_on_sunday(ctx: GuardContext) -> Verdict | None:
            return None

        registry = BUILTIN_GUARDS.extended(GuardSpec(code="sunday", check=never_on_sunday))
        assert registry.codes[-1] == "sunday"
        assert "sunday" not in BUILTIN_GUARDS

    def test_duplicate_code_is_refused(self) -> None:
        with pytest.raises(ValueError, match="hold"):
            BUILTIN_GUARDS.extended(BUILTIN_GUARDS.get("hold"))

    def test_disabled_guard_is_skipped_but_mandatory_is_not(self) -> None:
        pol = attrs.evolve(
            POLICY,
            settings=PolicySettings(disabled_guards=("personal-contact", "deceased")),
        )
        codes = {s.code for s in BUILTIN_GUARDS.for_step(pol, step(ActionKind.BAILIFF_HANDOVER))}
        assert "personal-contact" not in codes
        assert "deceased" in codes


def _lid7_pending(housing: str = "own") -> CaseFile:
    return attrs.evolve(
        clean(),
        debtor=debtor(housing=housing),
        household=HouseholdCapacity(
            on=TODAY,
            net_income=eur("1600.00"),
            needs_person="lid 7 increase cannot be computed",
            too_low=eur("1234.56"),
        ),
    )


def _verdicts_under(
    file: CaseFile, policy: Policy, action: ActionKind, **kw: object
) -> dict[str, Verdict]:
    the_step = step(action, **kw)
    ctx = GuardContext(
        state=derive_state(file, TODAY),
        policy=policy,
        step=the_step,
        debt=file.case.debts[0],
        tables=tables(),
    )
    return {
        spec.code: v
        for spec in BUILTIN_GUARDS.for_step(policy, the_step)
        if (v := spec.check(ctx)) is not None
    }


class TestBvvNeedsPerson:
    """Rv 475da lid 7 not computable: no step that rests on the BVV until a person sets it."""

    def test_reason_is_plain_and_names_the_too_low_amount(self) -> None:
        reason = verdicts(_lid7_pending(), ActionKind.BAILIFF_HANDOVER)["bvv-needs-person"].reason
        assert reason.nl.startswith(
            "De beslagvrije voet kan hoger zijn, omdat de klant een eigen huis heeft. "
            "Dat kunnen we niet zelf uitrekenen. Een medewerker rekent het na."
        )
        assert "Zonder die verhoging is de beslagvrije voet € 1.234,56 per maand." in reason.nl
        assert "lid 7" in reason.en

    def test_tenant_without_huurtoeslag_is_named_as_such(self) -> None:
        file = _lid7_pending("rent-no-huurtoeslag")
        reason = verdicts(file, ActionKind.BAILIFF_HANDOVER)["bvv-needs-person"].reason
        assert "huurt zonder huurtoeslag" in reason.nl

    def test_deduction_at_source_is_blocked(self) -> None:
        found = verdicts(_lid7_pending(), ActionKind.ARRANGEMENT_OFFER)
        assert found == {}  # a plain offer (no plan sized to capacity) does not rest on the BVV
        the_step = attrs.evolve(step(ActionKind.ARRANGEMENT_OFFER), channel="source-deduction")
        ctx = GuardContext(
            state=derive_state(_lid7_pending(), TODAY),
            policy=POLICY,
            step=the_step,
            debt=clean().case.debts[0],
            tables=tables(),
        )
        assert BUILTIN_GUARDS.get("bvv-needs-person").check(ctx) is not None

    def test_cost_steps_blocked_when_the_policy_waives_costs_for_cannot_pay(self) -> None:
        humane = attrs.evolve(
            POLICY,
            settings=attrs.evolve(
                POLICY.settings,
                costs_when_cannot_pay=False,
                disabled_guards=("bvv-needs-person",),  # mandatory: ignored
            ),
        )
        for action in (ActionKind.FOURTEEN_DAY_LETTER, ActionKind.FORMAL_DEMAND):
            assert set(_verdicts_under(_lid7_pending(), humane, action)) == {"bvv-needs-person"}
        charged = _verdicts_under(
            _lid7_pending(), humane, ActionKind.PAYMENT_REMINDER, charges_costs=True
        )
        assert set(charged) == {"bvv-needs-person"}
        # a step without costs or BVV goes ahead
        assert _verdicts_under(_lid7_pending(), humane, ActionKind.PHONE_CALL) == {}

    def test_cost_steps_pass_when_costs_do_not_depend_on_the_bvv(self) -> None:
        assert verdicts(_lid7_pending(), ActionKind.FOURTEEN_DAY_LETTER) == {}

    def test_set_increase_lifts_it(self) -> None:
        file = attrs.evolve(
            _lid7_pending(),
            household=HouseholdCapacity(
                on=TODAY, net_income=eur("1600.00"), protected_income=eur("1384.56")
            ),
        )
        assert verdicts(file, ActionKind.BAILIFF_HANDOVER) == {}


class TestARefusedStepDidNotHappen:
    """A :class:`StepRefused` (its action refused before or by the channel) undoes the step."""

    @staticmethod
    def _problematic(*events: Event) -> CaseFile:
        return attrs.evolve(
            TRIGGERS["problematic-debt"][0](clean()), events=(*clean().events, *events)
        )

    def test_a_delivered_early_signal_counts_as_offered(self) -> None:
        signal = step_taken(TODAY - dt.timedelta(days=9), "signal", ActionKind.EARLY_SIGNAL)
        assert "problematic-debt" not in verdicts(
            self._problematic(signal), ActionKind.BAILIFF_HANDOVER
        )

    def test_a_refused_one_does_not(self) -> None:
        day = TODAY - dt.timedelta(days=9)
        signal = step_taken(day, "signal", ActionKind.EARLY_SIGNAL)
        refused = StepRefused(
            occurred_on=day + dt.timedelta(days=1),
            debtor_id=_P,
            step_id="signal",
            action=ActionKind.EARLY_SIGNAL,
            debt_ids=signal.debt_ids,
            decided_on=day,
            reason="no unrevoked consent",
        )
        file = self._problematic(signal, refused)
        assert "problematic-debt" in verdicts(file, ActionKind.BAILIFF_HANDOVER)
        state = derive_state(file, TODAY)
        assert [s.step_id for s in state.steps_taken] == ["letter"]
        # as of the day before the refusal the signal still counted
        assert "signal" in [s.step_id for s in derive_state(file, day).steps_taken]


def _refused(
    days_ago: int, *, step_id: str = "s", debt_ids: tuple[str, ...] = ("d1",)
) -> StepRefused:
    return StepRefused(
        occurred_on=TODAY - dt.timedelta(days=days_ago),
        debtor_id=_P,
        step_id=step_id,
        action=ActionKind.BAILIFF_HANDOVER,
        debt_ids=debt_ids,
        decided_on=TODAY - dt.timedelta(days=days_ago),
        reason="the law no longer allows it on 2026-03-30: a dispute is open",
    )


class TestRefusedRetry:
    """A step refused at delivery is not decided again for ``refused_retry_days``."""

    def test_postponed_to_the_refusal_day_plus_the_setting(self) -> None:
        verdict = verdicts(add(_refused(2))(clean()), ActionKind.BAILIFF_HANDOVER)["refused-retry"]
        assert verdict.until == TODAY + dt.timedelta(days=5)
        assert verdict.reason.en == (
            "Refused on 2026-03-30: the law no longer allows it on 2026-03-30: a dispute is "
            "open; tried again from 2026-04-06."
        )
        assert verdict.reason.nl.endswith("We proberen het opnieuw vanaf 6 april 2026.")

    def test_decided_again_from_that_day(self) -> None:
        assert verdicts(add(_refused(7))(clean()), ActionKind.BAILIFF_HANDOVER) == {}
        assert "refused-retry" in verdicts(add(_refused(6))(clean()), ActionKind.BAILIFF_HANDOVER)

    def test_the_latest_refusal_counts(self) -> None:
        file = add(_refused(20), _refused(1))(clean())
        verdict = verdicts(file, ActionKind.BAILIFF_HANDOVER)["refused-retry"]
        assert verdict.until == TODAY + dt.timedelta(days=6)

    def test_another_step_or_debt_is_not_held(self) -> None:
        assert (
            verdicts(add(_refused(1, step_id="other"))(clean()), ActionKind.BAILIFF_HANDOVER) == {}
        )
        assert (
            verdicts(add(_refused(1, debt_ids=("d9",)))(clean()), ActionKind.BAILIFF_HANDOVER) == {}
        )

    def test_the_setting_sets_the_wait_and_zero_switches_it_off(self) -> None:
        file = add(_refused(2))(clean())
        for days, until in ((3, TODAY + dt.timedelta(days=1)), (0, None)):
            policy = attrs.evolve(
                POLICY, settings=attrs.evolve(POLICY.settings, refused_retry_days=days)
            )
            the_step = step(ActionKind.BAILIFF_HANDOVER)
            ctx = GuardContext(
                state=derive_state(file, TODAY),
                policy=policy,
                step=the_step,
                debt=file.case.debts[0],
                tables=tables(),
            )
            verdict = BUILTIN_GUARDS.get("refused-retry").check(ctx)
            assert (verdict.until if verdict else None) == until

    def test_a_negative_setting_is_an_error(self) -> None:
        with pytest.raises(ValueError, match="refused_retry_days"):
            PolicySettings(refused_retry_days=-1)


class TestEarlySignalSteps:
    """An early signal waits for a personal contact attempt and a written reminder (mandatory)."""

    def test_mandatory(self) -> None:
        assert BUILTIN_GUARDS.get("early-signal-steps").mandatory

    def test_names_what_is_missing(self) -> None:
        neither = without(ContactAttempt)(TRIGGERS["early-signal-steps"][0](clean()))
        reason = verdicts(neither, ActionKind.EARLY_SIGNAL)["early-signal-steps"].reason
        assert reason.en.startswith("No personal contact attempt (call or visit) and no written")
        no_call = without(ContactAttempt)(clean())
        reason = verdicts(no_call, ActionKind.EARLY_SIGNAL)["early-signal-steps"].reason
        assert reason.en.startswith("No personal contact attempt (call or visit) yet.")

    def test_a_refused_letter_is_no_reminder(self) -> None:
        letter = next(e for e in clean().events if isinstance(e, StepTaken))
        refused = StepRefused(
            occurred_on=letter.occurred_on,
            debtor_id=_P,
            step_id=letter.step_id,
            action=letter.action,
            debt_ids=letter.debt_ids,
            reason="x",
        )
        found = verdicts(add(refused)(clean()), ActionKind.EARLY_SIGNAL)
        assert found["early-signal-steps"].reason.en.startswith("No written reminder yet.")
