"""Cases through time, day by day, for each shipped policy (the daily run carries out each step)."""

from __future__ import annotations

import datetime as dt

from policy_helpers import D0, carry_out, case_file, debt, paid, policy, run, tables

from maatwerk.core.debts import ClaimKind, Debt
from maatwerk.core.events import (
    ContactOutcome,
    DebtHelpKind,
    DebtHelpStarted,
    DisputeOpened,
    Event,
)
from maatwerk.core.policy import DecisionStatus, evaluate


def d(month: int, day: int, year: int = 2026) -> dt.date:
    return dt.date(year, month, day)


START = D0 - dt.timedelta(days=12)


class TestHumaneTimeline:
    """Humane: courtesy, reminder, call, offer, letter, second call, then (only then) a bailiff."""

    def test_unpaid_private_invoice(self) -> None:
        _, taken = run(case_file(), policy("humane"), START, 120)
        assert taken == [
            (d(12, 27, 2025), "courtesy"),
            (d(1, 9), "reminder"),
            (d(1, 16), "call"),
            (d(1, 21), "arrangement"),  # 3 SEPA days after the call (Fri -> Wed)
            (d(2, 6), "letter"),
            (d(2, 23), "call-2"),
            (d(3, 13), "bailiff"),
        ]

    def test_without_a_personal_contact_no_bailiff(self) -> None:
        file, taken = run(case_file(), policy("humane"), START, 120, contact=None)
        assert "bailiff" not in [step for _, step in taken]
        decision = evaluate(file, policy("humane"), d(4, 20), tables())
        assert decision.status is DecisionStatus.BLOCKED
        codes = {r.code for n in decision.notes for r in n.reasons}
        assert "personal-contact" in codes

    def test_payment_de_escalates_at_once_and_closes(self) -> None:
        settled = paid(debt(), d(1, 20))
        _, taken = run(case_file([settled]), policy("humane"), START, 120)
        assert taken == [
            (d(12, 27, 2025), "courtesy"),
            (d(1, 9), "reminder"),
            (d(1, 16), "call"),
            (d(1, 20), "close"),
        ]

    def test_cant_pay_leads_to_referral_with_consent(self) -> None:
        from maatwerk.core.events import ConsentGiven, ConsentScope

        consent: dict[dt.date, list[Event]] = {
            d(1, 16): [
                ConsentGiven(
                    occurred_on=d(1, 16), debtor_id="p1", scope=ConsentScope.MUNICIPAL_REFERRAL
                )
            ]
        }
        _, taken = run(
            case_file(), policy("humane"), START, 40, extra=consent, contact=ContactOutcome.CANT_PAY
        )
        assert (d(1, 23), "referral") in taken

    def test_public_claim_gets_aanmaning_not_14_day_letter(self) -> None:
        public = debt(kind=ClaimKind.PUBLIC, category="care-contribution")
        _, taken = run(case_file([public]), policy("humane"), START, 120)
        steps = [s for _, s in taken]
        assert "aanmaning" in steps
        assert "letter" not in steps
        assert (d(3, 13), "bailiff") in taken


class TestClassicTimeline:
    """Classic: reminder, 14-day letter, fixed plan, bailiff at fixed days."""

    def test_unpaid_private_invoice(self) -> None:
        _, taken = run(case_file(), policy("classic"), START, 120)
        assert taken == [
            (d(1, 9), "reminder"),
            (d(1, 23), "letter"),
            (d(2, 1), "arrangement"),
            (d(2, 16), "bailiff"),
        ]

    def test_business_debtor_needs_no_14_day_letter(self) -> None:
        b2b = debt(consumer=False)
        _, taken = run(case_file([b2b]), policy("classic"), START, 60)
        assert [s for _, s in taken] == ["reminder", "arrangement", "bailiff"]

    def test_below_bailiff_minimum_stops_before_bailiff(self) -> None:
        small = debt(principal="30.00")
        _, taken = run(case_file([small]), policy("classic"), START, 120)
        assert [s for _, s in taken] == ["reminder", "letter", "arrangement"]


def _premiums(months: int = 8) -> list[Debt]:
    return [
        debt(f"p{m:02d}", "150.00", d(m, 1), category="premium", periodic=True)
        for m in range(1, months + 1)
    ]


class TestZvwTimeline:
    """Zvw 18a-18c: offer at 2 months, notice at 4 months, report to CAK at 6 months."""

    def test_unpaid_premiums(self) -> None:
        _, taken = run(case_file(_premiums()), policy("zvw"), d(12, 25, 2025), 190)
        # one ladder for the case: each premium joins it; no reminder or call per premium
        assert taken == [
            (d(1, 9), "reminder"),
            (d(1, 16), "call"),
            (d(2, 2), "arrangement-18a"),
            (d(4, 2), "notice-18b"),
            (d(6, 2), "report-18c"),
        ]

    def test_offer_within_ten_working_days(self) -> None:
        # Monday 2 February (no call on Sunday the 1st: the call-day guard)
        first = evaluate(case_file(_premiums(2)), policy("zvw"), d(2, 2), tables())
        assert first.action is not None
        assert first.action.step_id == "call"  # caught up on before the offer
        file = carry_out(case_file(_premiums(2)), first, policy("zvw"))
        decision = evaluate(file, policy("zvw"), d(2, 3), tables())
        assert decision.action is not None
        assert decision.action.step_id == "arrangement-18a"
        assert decision.action.debt_ids == ("p01", "p02")
        assert decision.action.due_by == d(2, 16)

    def test_report_needs_review(self) -> None:
        file, _ = run(case_file(_premiums()), policy("zvw"), d(12, 25, 2025), 150)
        decision = evaluate(file, policy("zvw"), d(6, 2), tables())
        assert decision.action is not None
        assert decision.action.step_id == "report-18c"
        assert decision.action.needs_review

    def test_dispute_within_four_weeks_prevents_report(self) -> None:
        dispute: dict[dt.date, list[Event]] = {
            d(4, 20): [DisputeOpened(occurred_on=d(4, 20), debtor_id="p1", dispute_id="x")]
        }
        _, taken = run(case_file(_premiums()), policy("zvw"), d(12, 25, 2025), 200, extra=dispute)
        steps = [s for _, s in taken]
        assert "notice-18b" in steps
        assert "report-18c" not in steps

    def test_stabilisation_agreement_prevents_report(self) -> None:
        help_: dict[dt.date, list[Event]] = {
            d(5, 1): [
                DebtHelpStarted(
                    occurred_on=d(5, 1), debtor_id="p1", help_kind=DebtHelpKind.STABILISATION
                )
            ]
        }
        _, taken = run(case_file(_premiums()), policy("zvw"), d(12, 25, 2025), 200, extra=help_)
        assert "report-18c" not in [s for _, s in taken]
        assert taken[-1] == (d(4, 2), "notice-18b")

    def test_brp_mismatch_prevents_report(self) -> None:
        from policy_helpers import debtor

        file = case_file(_premiums(), who=debtor(has_brp_address=False))
        _, taken = run(file, policy("zvw"), d(12, 25, 2025), 200)
        steps = [s for _, s in taken]
        assert "notice-18b" in steps
        assert "report-18c" not in steps
