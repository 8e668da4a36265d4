"""The law's preconditions on a payload (``maatwerk.core.preconditions``), whatever the channel."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

import pytest
from policy_helpers import case_file, debt, paid

from maatwerk.core.debts import Debt
from maatwerk.core.events import (
    ConsentGiven,
    ConsentRevoked,
    ConsentScope,
    DebtHelpKind,
    DebtHelpStarted,
    DebtorFlag,
    DebtorFlagged,
    DisputeOpened,
    Event,
    HoldPlaced,
    HoldScope,
)
from maatwerk.core.policy.casefile import CaseState, derive_state
from maatwerk.core.ports import PayloadValue
from maatwerk.core.preconditions import (
    bailiff_refusal,
    deduction_refusal,
    delivery_refusal,
    municipal_refusal,
    state_refusal,
)
from maatwerk.testing import sample_payload_for


DAY = dt.date(2026, 3, 2)


class TestBailiff:
    def test_the_kits_sample_may_go(self) -> None:
        assert bailiff_refusal(sample_payload_for("bailiff-handover"), DAY) == ""

    @pytest.mark.parametrize(
        ("overrides", "reason"),
        [
            ({"claims": ()}, "payload field 'claims' is missing: nothing to hand over"),
            ({"contact_attempts": ()}, "no personal contact attempt (call or visit) is recorded"),
            (
                {"active_arrangements": ("plan-1",)},
                "a payment arrangement is active: no hand-over while it is kept",
            ),
            ({"open_disputes": ("d-1",)}, "a dispute is open: no hand-over until it is resolved"),
            (
                {"fourteen_day_letters": ()},
                "claim debt-1: no 14-day letter whose term has expired (BW 6:96 lid 6)",
            ),
            ({"claims": "x"}, "payload field 'claims' must be a list of records"),
        ],
    )
    def test_each_refusal(self, overrides: dict[str, PayloadValue], reason: str) -> None:
        payload = sample_payload_for("bailiff-handover", **overrides)
        assert bailiff_refusal(payload, DAY) == reason

    def test_the_letters_term_must_have_ended_before_the_day(self) -> None:
        payload = sample_payload_for("bailiff-handover")
        last = dt.date(2026, 2, 17)  # the sample letter's last day
        assert bailiff_refusal(payload, last).startswith("claim debt-1: no 14-day letter")
        assert bailiff_refusal(payload, last + dt.timedelta(days=1)) == ""

    def test_a_public_claim_needs_an_expired_aanmaning(self) -> None:
        claims = sample_payload_for("bailiff-handover")["claims"]
        assert isinstance(claims, tuple)
        assert isinstance(claims[0], Mapping)
        claim: dict[str, PayloadValue] = {**claims[0], "claim_kind": "public"}
        payload = sample_payload_for("bailiff-handover", claims=(claim,))
        assert "no aanmaning whose 2-week term has expired (Awb 4:112)" in bailiff_refusal(
            payload, DAY
        )
        demand: dict[str, PayloadValue] = {
            "sent_on": DAY,
            "last_day": DAY + dt.timedelta(days=14),
            "debt_ids": (),
        }
        payload = sample_payload_for("bailiff-handover", claims=(claim,), formal_demands=(demand,))
        assert bailiff_refusal(payload, DAY + dt.timedelta(days=15)) == ""


class TestMunicipal:
    def test_consent_given_later_or_revoked_does_not_count(self) -> None:
        payload = sample_payload_for("debt-help-referral")
        assert municipal_refusal("debt-help-referral", payload, DAY) == ""
        early = dt.date(2026, 1, 1)
        assert municipal_refusal("debt-help-referral", payload, early).startswith(
            "no recorded, unrevoked consent for debt-help-referral"
        )
        revoked: tuple[PayloadValue, ...] = (
            {"scope": "municipal-referral", "given_on": early, "revoked_on": DAY},
        )
        payload = sample_payload_for("debt-help-referral", consents=revoked)
        assert municipal_refusal("debt-help-referral", payload, DAY) != ""

    def test_an_early_signal_needs_contact_and_a_written_reminder(self) -> None:
        signal = sample_payload_for("early-signal")
        assert municipal_refusal("early-signal", signal, DAY) == ""
        no_call = sample_payload_for("early-signal", contact_attempts=())
        assert municipal_refusal("early-signal", no_call, DAY) == (
            "early signal without a personal contact attempt first"
        )
        no_letter = sample_payload_for("early-signal", written_reminders=())
        assert municipal_refusal("early-signal", no_letter, DAY) == (
            "early signal without a written reminder first"
        )
        # a referral needs neither
        assert municipal_refusal("debt-help-referral", no_call, DAY) == ""


class TestDeduction:
    def test_the_kits_sample_may_go(self) -> None:
        assert deduction_refusal(sample_payload_for("arrangement-offer")) == ""

    def test_above_the_room_or_without_the_bvv_is_refused(self) -> None:
        too_much = sample_payload_for("arrangement-offer", instalment_amount=Decimal("100.01"))
        assert deduction_refusal(too_much) == (
            "the instalment is above net income minus the protected income (BVV)"
        )
        no_bvv = sample_payload_for("arrangement-offer", bvv=None)
        assert deduction_refusal(no_bvv).startswith("payload field 'bvv' is missing")

    def test_only_for_the_source_deduction_channel(self) -> None:
        offer = sample_payload_for("arrangement-offer", bvv=None)
        assert delivery_refusal("arrangement-offer", "letters", offer, DAY) == ""
        assert delivery_refusal("arrangement-offer", "source-deduction", offer, DAY) != ""
        assert delivery_refusal("payment-reminder", "letters", {}, DAY) == ""


# ------------------------------------------------------------------ the case on the delivery day
class TestTheCaseOnTheDeliveryDay:
    """:func:`state_refusal`: facts that changed between the decision and a later delivery."""

    @staticmethod
    def _state(*events: Event, debts: tuple[Debt, ...] = ()) -> CaseState:
        return derive_state(case_file(debts or (debt(),), events), DAY)

    def test_nothing_changed_may_go(self) -> None:
        assert state_refusal("fourteen-day-letter", ("d1",), self._state()) == ""

    @pytest.mark.parametrize(
        ("event", "reason"),
        [
            (
                DebtorFlagged(occurred_on=DAY, debtor_id="p1", flag=DebtorFlag.DECEASED),
                "the debtor's death is recorded (as of 2026-03-02): nothing goes out",
            ),
            (
                HoldPlaced(
                    occurred_on=DAY,
                    debtor_id="p1",
                    hold_id="h1",
                    scope=HoldScope.CASE,
                    reason="ziekenhuis",
                    start=DAY,
                ),
                "hold h1 is active since 2026-03-02: nothing goes out",
            ),
            (
                DisputeOpened(occurred_on=DAY, debtor_id="p1", dispute_id="x", debt_id="d1"),
                "a dispute is open since 2026-03-02: nothing goes out until it is resolved",
            ),
            (
                DebtHelpStarted(occurred_on=DAY, debtor_id="p1", help_kind=DebtHelpKind.DEBT_HELP),
                "debt help runs since 2026-03-02: nothing goes out while it runs",
            ),
        ],
    )
    def test_a_new_fact_stops_the_row(self, event: Event, reason: str) -> None:
        assert state_refusal("bailiff-handover", ("d1",), self._state(event)) == reason

    def test_a_hold_or_dispute_on_another_debt_does_not(self) -> None:
        other = DisputeOpened(occurred_on=DAY, debtor_id="p1", dispute_id="x", debt_id="d2")
        hold = HoldPlaced(
            occurred_on=DAY, debtor_id="p1", hold_id="h1", scope=HoldScope.DEBT,
            reason="", start=DAY, debt_id="d2",
        )  # fmt: skip
        state = self._state(other, hold, debts=(debt("d1"), debt("d2")))
        assert state_refusal("bailiff-handover", ("d1",), state) == ""
        assert state_refusal("bailiff-handover", ("d2",), state).startswith("hold h1")

    def test_a_revoked_consent(self) -> None:
        given = ConsentGiven(occurred_on=DAY, debtor_id="p1", scope=ConsentScope.EARLY_SIGNAL)
        revoked = ConsentRevoked(occurred_on=DAY, debtor_id="p1", scope=ConsentScope.EARLY_SIGNAL)
        assert state_refusal("early-signal", (), self._state(given)) == ""
        assert state_refusal("early-signal", (), self._state(given, revoked)) == (
            "no unrevoked consent for early-signal on 2026-03-02 (needs one of: early-signal)"
        )

    def test_a_paid_debt(self) -> None:
        state = self._state(debts=(paid(debt("d1"), DAY), debt("d2")))
        assert state_refusal("payment-reminder", ("d1", "d2"), state) == (
            "no longer owed on 2026-03-02: d1 (paid or closed since the decision)"
        )
        assert state_refusal("payment-reminder", ("d2",), state) == ""
        assert state_refusal("write-off", ("d1",), state) == ""

    def test_a_case_without_debts(self) -> None:
        assert state_refusal("payment-reminder", (), None) == (
            "the case has no debts any more: nothing goes out"
        )
