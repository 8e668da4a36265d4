"""Zvw 18b and 18c: the notice, its 4-week term, the second notice, and the statutory bars.

The report to the CAK (18c) comes only after the 4 weeks of the latest notice have run (from
the day after receipt, Atw-extended); a dispute the insurer maintains gets a second notice and
another 4 weeks (18b lid 2); and each statutory bar blocks the report even when a policy lists
every guard it may switch off.
"""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
from policy_helpers import case_file, debt, debtor, policy, run, tables

from maatwerk.adapters.policy_loader import load_policy_text
from maatwerk.core.debtors import Debtor
from maatwerk.core.debts import Debt
from maatwerk.core.errors import PolicyError
from maatwerk.core.events import (
    ArrangementAccepted,
    ArrangementOffered,
    DebtHelpKind,
    DebtHelpStarted,
    DisputeOpened,
    DisputeResolved,
    Event,
    ZvwNoticeSent,
)
from maatwerk.core.letter_dates import ZVW_NOTICE_DAYS, zvw_notice_last_day
from maatwerk.core.policy import BUILTIN_GUARDS, Policy, evaluate


def d(month: int, day: int, year: int = 2026) -> dt.date:
    return dt.date(year, month, day)


def premiums(months: int = 8) -> list[Debt]:
    return [
        debt(f"p{m:02d}", "150.00", d(m, 1), category="premium", periodic=True)
        for m in range(1, months + 1)
    ]


#: Every guard a policy may switch off (the mandatory ones stay on whatever it says).
SWITCHABLE = tuple(s.code for s in BUILTIN_GUARDS.specs if not s.mandatory)
MANDATORY_FOR_REPORT = ("zvw-report-bars", "dispute", "brp-mismatch")


def lenient_zvw() -> Policy:
    """The shipped zvw policy with every switchable guard switched off (and the mandatory
    report guards listed too: a policy built in code can list them, it changes nothing)."""
    zvw = policy("zvw")
    disabled = (*SWITCHABLE, *MANDATORY_FOR_REPORT)
    return attrs.evolve(zvw, settings=attrs.evolve(zvw.settings, disabled_guards=disabled))


def notices(events: tuple[Event, ...]) -> list[ZvwNoticeSent]:
    return [e for e in events if isinstance(e, ZvwNoticeSent)]


class TestNoticeTerm:
    """The report waits until the notice's 4 weeks from the day after receipt have run (Atw)."""

    def test_report_after_the_notice_term_when_seen_late(self) -> None:
        # first seen at 6+ months' arrears: the notice goes out and the report waits 4 weeks
        # from receipt, not 28 days from sending
        file, taken = run(case_file(premiums(7)), policy("zvw"), d(7, 10), 80)
        (notice,) = notices(file.events)
        assert notice.sent_on == d(7, 12)  # a Sunday run: the letter goes out that day
        assert notice.received_on == d(7, 14)  # +2 = Tuesday, a delivery day
        assert notice.last_day == d(8, 11)
        assert dict(taken)[d(8, 12)] == "report-18c"
        assert "report-18c" not in [s for day, s in taken if day <= notice.last_day]

    def test_last_day_is_atw_extended(self) -> None:
        # received Sat 4 April 2026 (the notice of Thu 2 April): + 28 = Sat 2 May -> Mon 4 May
        atw = tables().calendars.get("atw")
        assert zvw_notice_last_day(d(4, 4), atw) == d(5, 4)
        # received Tue 7 April: + 28 = Tue 5 May, Liberation Day (Atw, every year) -> 6 May
        assert zvw_notice_last_day(d(4, 7), atw) == d(5, 6)
        assert ZVW_NOTICE_DAYS == 28

    def test_the_report_is_postponed_with_the_last_day_as_reason(self) -> None:
        file, _ = run(case_file(premiums(7)), policy("zvw"), d(7, 10), 20)
        decision = evaluate(file, policy("zvw"), d(8, 11), tables())
        assert decision.action is None
        reasons = [r for n in decision.notes for r in n.reasons if r.code == "zvw-report-bars"]
        assert reasons
        assert "11 augustus 2026" in reasons[0].nl
        assert "bezwaar" in reasons[0].nl


class TestSecondNotice:
    """Zvw 18b lid 2: a maintained dispute gets a second notice and another 4 weeks."""

    DISPUTE: dict[dt.date, list[Event]] = {  # noqa: RUF012 - read only
        d(4, 20): [DisputeOpened(occurred_on=d(4, 20), debtor_id="p1", dispute_id="x")],
        d(5, 8): [
            DisputeResolved(occurred_on=d(5, 8), debtor_id="p1", dispute_id="x", outcome="upheld")
        ],
    }

    def test_upheld_dispute_then_second_notice_then_four_weeks(self) -> None:
        file, taken = run(
            case_file(premiums()), policy("zvw"), d(12, 25, 2025), 220, extra=self.DISPUTE
        )
        first, second = notices(file.events)
        assert not first.second
        assert second.second
        assert second.sent_on == d(5, 8)
        assert second.received_on == d(5, 12)  # Fri + 2 = Sunday, no post Monday: Tuesday
        assert second.last_day == d(6, 9)
        assert (d(5, 8), "notice-18b-2") in taken
        # without the dispute the report went on 2 June; now only after the second term
        assert [day for day, s in taken if s == "report-18c"] == [d(6, 10)]

    def test_no_report_between_the_maintained_dispute_and_the_second_notice(self) -> None:
        file, _ = run(
            case_file(premiums()), policy("zvw"), d(12, 25, 2025), 120, extra=self.DISPUTE
        )
        # the upheld resolution is recorded, the second notice not yet delivered
        before = attrs.evolve(file, events=tuple(e for e in file.events if e.occurred_on < d(5, 8)))
        resolved = DisputeResolved(
            occurred_on=d(5, 8), debtor_id="p1", dispute_id="x", outcome="upheld"
        )
        later = attrs.evolve(before, events=(*before.events, resolved))
        decision = evaluate(later, lenient_zvw(), d(6, 20), tables())
        assert decision.action is not None
        assert decision.action.step_id == "notice-18b-2"  # not the report

    def test_a_dispute_the_insurer_drops_needs_no_second_notice(self) -> None:
        dropped: dict[dt.date, list[Event]] = {
            d(4, 20): [DisputeOpened(occurred_on=d(4, 20), debtor_id="p1", dispute_id="x")],
            d(5, 8): [
                DisputeResolved(
                    occurred_on=d(5, 8), debtor_id="p1", dispute_id="x", outcome="settled"
                )
            ],
        }
        _, taken = run(case_file(premiums()), policy("zvw"), d(12, 25, 2025), 220, extra=dropped)
        assert "notice-18b-2" not in [s for _, s in taken]


def _report_decision(file_events: list[Event], *, who: Debtor | None = None) -> list[str]:
    """Run the lenient zvw policy for 250 days from Christmas 2025; the steps taken."""
    file = case_file(premiums(), who=who)
    extra: dict[dt.date, list[Event]] = {}
    for event in file_events:
        extra.setdefault(event.occurred_on, []).append(event)
    _, taken = run(file, lenient_zvw(), d(12, 25, 2025), 250, extra=extra)
    return [s for _, s in taken]


class TestStatutoryBarsAreMandatory:
    """Each bar of Zvw 18b/18c blocks the report although the policy switched off all it can."""

    def test_the_lenient_policy_reports_without_a_bar(self) -> None:
        assert "report-18c" in _report_decision([])

    def test_stabilisation_agreement(self) -> None:
        help_ = DebtHelpStarted(
            occurred_on=d(5, 1), debtor_id="p1", help_kind=DebtHelpKind.STABILISATION
        )
        assert "report-18c" not in _report_decision([help_])

    @pytest.mark.parametrize("kind", [DebtHelpKind.SETTLEMENT, DebtHelpKind.WSNP])
    def test_settlement_or_wsnp(self, kind: DebtHelpKind) -> None:
        help_ = DebtHelpStarted(occurred_on=d(5, 1), debtor_id="p1", help_kind=kind)
        assert "report-18c" not in _report_decision([help_])

    def test_case_before_the_skgz_or_court(self) -> None:
        skgz = DisputeOpened(occurred_on=d(5, 20), debtor_id="p1", dispute_id="skgz", reason="skgz")
        assert "report-18c" not in _report_decision([skgz])

    def test_address_not_in_the_brp(self) -> None:
        assert "report-18c" not in _report_decision([], who=debtor(has_brp_address=False))

    def test_arrangement_after_four_months_while_new_premiums_are_paid(self) -> None:
        # first seen at six premiums unpaid (Jan-Jun): the notice on 12 June, an arrangement on
        # 20 June (after the 4-month point), July on paid (not in the case): no report
        _, taken = run(case_file(premiums(6)), lenient_zvw(), d(6, 10), 100, extra=self._plan())
        assert "notice-18b" in [s for _, s in taken]
        assert "report-18c" not in [s for _, s in taken]

    def test_arrangement_no_bar_when_a_new_premium_is_unpaid(self) -> None:
        # the same, but the July premium is not paid: the bar no longer holds
        _, taken = run(case_file(premiums(7)), lenient_zvw(), d(6, 10), 100, extra=self._plan())
        assert "report-18c" in [s for _, s in taken]

    @staticmethod
    def _plan() -> dict[dt.date, list[Event]]:
        offered = ArrangementOffered(occurred_on=d(6, 20), debtor_id="p1", arrangement_id="a")
        accepted = ArrangementAccepted(occurred_on=d(6, 20), debtor_id="p1", arrangement_id="a")
        return {d(6, 20): [offered, accepted]}

    def test_report_guards_cannot_be_disabled_in_a_policy_file(self) -> None:
        for code in ("zvw-report-bars", "zvw-second-notice"):
            text = f"""
schema = 1
name = "x"
version = "1"
[settings]
disabled_guards = ["{code}"]
[[step]]
id = "r"
action = "zvw-report"
channel = "ledger"
anchor = "default-date"
"""
            with pytest.raises(PolicyError, match="mandatory"):
                load_policy_text(text, "x.toml")

    def test_guards_stay_on_for_the_report(self) -> None:
        zvw = lenient_zvw()
        report = zvw.step("report-18c")
        codes = {s.code for s in BUILTIN_GUARDS.for_step(zvw, report)}
        assert set(MANDATORY_FOR_REPORT) <= codes
