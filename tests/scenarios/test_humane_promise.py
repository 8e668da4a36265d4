"""The humane promise, end to end (issue #17 item 7): twelve households, twelve weeks, the CLI.

Every household below is imported into one SQLite file and run day by day through
``maatwerk run`` for 84 days (2026-03-02 to 2026-05-24), with every review approved by a team
lead the day it appears and what people do recorded through the CLI on their day
(``scenarios/households.py`` has the data and the humane ladder's days). Each test asserts one
household's path: the steps and their days (a window where a term decides), what did not happen
and the guard that stopped it, the costs, the flags and the final state.

====  ==================  ===============  ======  ===================  ===========================
id    name                household        net     debts                what happens / expected path
====  ==================  ===============  ======  ===================  ===========================
H01   Sanne Bakker        single, bijstand 1050    450 invoice          day 23 "can't pay". Below
                                                                        the protected income
                                                                        (1331.43): flagged
                                                                        problematic debt, referral
                                                                        offered (waits for
                                                                        consent), no arrangement
                                                                        offer, no costs, never the
                                                                        bailiff.
H02   Mark de Vries       single           5500    820 invoice          day 23 "won't pay". Room to
                                                                        pay: the full ladder, 14-day
                                                                        letter day 43 with 123.00
                                                                        costs, charged day 60,
                                                                        bailiff day 78 (approved).
H03   Fam. Öztürk         couple+children  1700    820 invoice          day 23 "can't pay", figures
                          on bijstand                                   confirm (protected income
                                                                        1902.02): not H02's path.
H04   Kees Jansen         single           1400    950 invoice          day 23 "can't pay", day 27
                                                                        consent, referral day 29,
                                                                        day 45 municipality "in
                                                                        debt help": no letter, no
                                                                        costs, no bailiff; debt-help
                                                                        status shown.
H05   Wim Visser          single           2600    700 premium due      time-barred: no interest,
                                                   2020-01-01           no costs, no letter, no
                                                                        bailiff; explained.
H06   Linda Smit          single           2400    675 invoice          day 30 pays 100: the letter
                                                                        (day 43) states and the run
                                                                        charges 86.25 (15 % of 575).
H07   Ahmed Yilmaz        single           2200    380 invoice          day 23 promises 380 by
                                                                        day 36, pays all day 34:
                                                                        the ladder waits, kept,
                                                                        no letter, closed.
H08   Joyce Mulder        single           2000    520 invoice          day 23 promises 520 by
                                                                        day 50, pays nothing: the
                                                                        ladder waits to day 53
                                                                        (+ 3 days' grace), broken
                                                                        day 54, a call, an offer,
                                                                        the letter 14 days later.
H09   Piet de Boer        single           1900    2 premiums (Zvw)     2 months on day 31: 18a
                                                                        offer; no 18b, no 18c.
H10   Eva Hendriks        single           1900    6 premiums (Zvw,     4 months at the start;
                                                   Dec-May)             disputes day 10, maintained
                                                                        day 30: second notice (18b
                                                                        lid 2), report (6 months
                                                                        from day 61) only after its
                                                                        4 weeks.
H11   Rob Meijer          single           1900    6 premiums (Zvw,     6 months at the start:
                                                   Oct-Mar)             notice day 2, report only
                                                                        after the 4-week dispute
                                                                        term from the day after
                                                                        receipt (Atw: to 7 April),
                                                                        on day 37.
H12   Noor de Wit         single           2300    600 invoice due      14-day letter on Friday
                                                   2026-03-19           2026-04-24: received Tue
                                                                        04-28 (not Sunday; Monday is
                                                                        King's Day), term to 05-12,
                                                                        costs 90.00 on 05-13.
====  ==================  ===============  ======  ===================  ===========================

Households whose rule another part of issue #17 brings are marked ``xfail(strict=True)`` with
that part: such a test must fail until the feature lands, and then its marker goes.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from click.testing import CliRunner
from households import DAYS, HOUSEHOLDS, POLICY_FOR, START
from scenario_harness import BAILIFF, Household, Path, Scenario, run_scenario

from maatwerk.cli import cli
from maatwerk.core.events import FourteenDayLetterSent


LETTER = "fourteen-day-letter"
REFERRAL = "debt-help-referral"
OFFER = "arrangement-offer"
ESCALATION = {LETTER, "formal-demand", BAILIFF, "zvw-report"}
"""The hard steps: a letter with costs, an aanmaning, the bailiff, the CAK report."""


def _xfail(item: int, helper: str, what: str) -> pytest.MarkDecorator:
    return pytest.mark.xfail(strict=True, reason=f"needs #17 item {item}: h-{helper} ({what})")


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    folder = tmp_path_factory.mktemp("scenario")
    return run_scenario(HOUSEHOLDS, start=START, days=DAYS, folder=folder, policy_for=POLICY_FOR)


def _path(scenario: Scenario, debtor_id: str) -> Path:
    path = scenario.paths[debtor_id]
    assert path.errors == [], path.errors  # every recorded act went through the CLI
    return path


def _reasons(path: Path) -> list[str]:
    return [r for case in path.explained["cases"] for r in case["decision"]["reasons"]]


def _letters(path: Path) -> list[FourteenDayLetterSent]:
    return [e for e in path.events if isinstance(e, FourteenDayLetterSent)]


def _protected_income(h: Household) -> Decimal:
    """The household's protected income (BVV) on the first day, from ``maatwerk calc bvv``."""
    args = ["calc", "bvv", "--household", h.household, "--date", START.isoformat()]
    args += ["--net-income", h.net_income, "--json"]
    args += ["--gross-annual-income", h.gross_income] if h.gross_income else []
    args += ["--bijstand"] if h.on_bijstand else []
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return Decimal(json.loads(result.stdout)["bvv"])


def _not_to_the_bailiff(path: Path) -> None:
    assert BAILIFF not in path.actions()
    assert path.reviewed("bailiff") == []
    assert [h for h in path.handed if h[1] == BAILIFF] == []


def _cant_pay_path(path: Path) -> None:
    """Items 1-2 for a household that cannot pay and said so on day 23 (no consent given)."""
    assert path.steps()[:3] == [(2, "courtesy"), (15, "reminder"), (22, "call")]
    assert "problematic-debt" in path.flags()
    assert [day for day, action in _after(path, 23) if action == OFFER] == []  # nothing to spare
    blocked = path.blocked("referral").get("consent", [])
    assert blocked, "the referral is offered and waits for consent"
    assert 23 <= blocked[0] <= 29
    assert path.bik() == 0
    assert all(not letter.stated_costs.is_positive for letter in _letters(path))
    _not_to_the_bailiff(path)


def _after(path: Path, day: int) -> list[tuple[int, str]]:
    return [(t.day, t.action) for t in path.taken if t.day >= day]


# ---------------------------------------------------------------------------------- the run
def test_the_scenario_runs_every_day_for_every_household(scenario: Scenario) -> None:
    assert scenario.last == dt.date(2026, 5, 24)
    assert len(scenario.paths) == 12
    for path in scenario.paths.values():
        days = {d.day for d in path.decisions}
        assert days <= set(range(DAYS))
        assert path.explained["debtor_id"] == path.debtor_id
    for path in scenario.paths.values():  # every review was approved, none left waiting
        assert {status for *_, status in path.reviews} <= {"approved"}


def test_no_household_below_its_protected_income_or_in_debt_help_goes_to_the_bailiff(
    scenario: Scenario,
) -> None:
    """The global invariant: approving every review never hands such a household over."""
    protected = []
    for h in HOUSEHOLDS:
        path = scenario.paths[h.debtor_id]
        below = Decimal(h.net_income) <= _protected_income(h)
        in_help = any(a.feedback == "in-debt-help" for a in h.acts) or bool(
            path.of_kind("debt-help-started")
        )
        if below or in_help:
            protected.append(h.debtor_id)
            _not_to_the_bailiff(path)
    assert sorted(protected) == ["H01", "H03", "H04"]


# ---------------------------------------------------------------------------------- items 1-2
def test_h01_on_bijstand_below_the_protected_income_is_helped_not_charged(
    scenario: Scenario,
) -> None:
    path = _path(scenario, "H01")
    _cant_pay_path(path)
    assert path.balance["costs"] == 0


def test_h02_wont_pay_with_room_to_pay_escalates_as_the_policy_says(scenario: Scenario) -> None:
    path = _path(scenario, "H02")
    assert path.steps() == [
        (2, "courtesy"),
        (15, "reminder"),
        (22, "call"),
        (25, "arrangement"),
        (43, "letter"),
        (60, "call-2"),
        (78, "bailiff"),
    ]
    (letter,) = _letters(path)
    assert letter.stated_costs.amount == Decimal("123.00")  # 15 % of 820
    assert path.costs == [(dt.date(2026, 5, 1), "bik", Decimal("123.00"))]  # day 60
    assert path.reviewed("bailiff") == [78]
    assert (78, BAILIFF, "done") in path.handed
    assert "referral" not in path.blocked()  # a "won't pay" is not referred
    assert path.flags() == set()
    assert path.balance["principal"] == Decimal("820.00")


def test_h03_cant_pay_confirmed_by_the_figures_takes_another_path_than_h02(
    scenario: Scenario,
) -> None:
    path = _path(scenario, "H03")
    _cant_pay_path(path)
    assert path.steps() != scenario.paths["H02"].steps()


def test_h04_referral_with_consent_then_debt_help_stops_escalation(scenario: Scenario) -> None:
    path = _path(scenario, "H04")
    assert path.steps()[:3] == [(2, "courtesy"), (15, "reminder"), (22, "call")]
    assert path.days("referral") == [29]  # default + 21, consent since day 27
    assert (29, REFERRAL, "done") in path.handed
    (started,) = path.of_kind("debt-help-started")
    assert path.day_of(started.occurred_on) == 45
    assert not path.actions() & ESCALATION  # paused for the response term, then held
    assert path.bik() == 0
    assert path.balance["costs"] == 0
    _not_to_the_bailiff(path)
    # explain shows the debt-help status: a field, or a reason naming it and since when
    since = [r for r in _reasons(path) if "schuldhulp" in r and "sinds 16 april 2026" in r]
    assert path.debt_help or since, "explain shows the debt-help status"


# ---------------------------------------------------------------------------------- item 3
def test_h05_time_barred_premium_is_not_chased(scenario: Scenario) -> None:
    path = _path(scenario, "H05")
    assert not path.actions() & ESCALATION
    assert _letters(path) == []
    assert path.interest == 0
    assert path.costs == []
    assert path.balance["interest"] == path.balance["costs"] == 0
    assert any("verjaard" in reason for reason in _reasons(path))


# ---------------------------------------------------------------------------------- item 4
def test_h06_part_payment_lowers_the_costs_to_15_percent_of_what_is_still_open(
    scenario: Scenario,
) -> None:
    path = _path(scenario, "H06")
    assert path.steps() == [
        (2, "courtesy"),
        (15, "reminder"),
        (22, "call"),
        (25, "arrangement"),
        (43, "letter"),
        (60, "call-2"),
    ]
    (letter,) = _letters(path)
    assert letter.stated_costs.amount == Decimal("86.25")  # 15 % of 575, not of 675
    assert path.costs == [(dt.date(2026, 5, 1), "bik", Decimal("86.25"))]
    assert path.balance["principal"] == Decimal("575.00")
    # nobody spoke to her in person: the bailiff waits for a personal contact attempt
    assert BAILIFF not in path.actions()
    assert any("persoonlijk" in reason for reason in _reasons(path))


def test_h12_a_friday_letter_is_received_on_the_next_postal_delivery_day(
    scenario: Scenario,
) -> None:
    path = _path(scenario, "H12")
    assert path.days("letter") == [53]
    (letter,) = _letters(path)
    assert letter.sent_on == dt.date(2026, 4, 24)  # a Friday
    # Sunday is no delivery day, Monday 27 April is King's Day
    assert letter.received_on == dt.date(2026, 4, 28)
    assert letter.stated_costs.amount == Decimal("90.00")
    # the term runs to Tuesday 12 May inclusive; costs the day after
    assert path.costs == [(dt.date(2026, 5, 13), "bik", Decimal("90.00"))]


# ---------------------------------------------------------------------------------- item 5
def test_h07_a_promise_kept_stops_the_ladder(scenario: Scenario) -> None:
    path = _path(scenario, "H07")
    (promise,) = path.of_kind("promise-to-pay")
    assert path.day_of(promise.occurred_on) == 23
    # while the promise runs nothing else goes out, not even the arrangement offer of day 25
    assert path.steps() == [(2, "courtesy"), (15, "reminder"), (22, "call"), (34, "close")]
    assert path.blocked() == {"promise": list(range(25, 34))}
    (kept,) = path.of_kind("promise-kept")
    assert path.day_of(kept.occurred_on) == 34
    assert _letters(path) == []
    assert path.costs == []
    assert path.balance["total"] == 0
    assert [c["decision"]["status"] for c in path.explained["cases"]] == ["closed"]
    assert any("belofte" in reason for reason in _reasons(path))


def test_h08_a_promise_broken_lets_escalation_resume_after_the_promised_day(
    scenario: Scenario,
) -> None:
    path = _path(scenario, "H08")
    (promise,) = path.of_kind("promise-to-pay")
    assert path.day_of(promise.occurred_on) == 23
    # the promised day is day 50 (21 April); the humane policy's grace is 3 days
    assert path.blocked()["promise"] == list(range(25, 54))
    (broken,) = path.of_kind("promise-broken")
    assert path.day_of(broken.occurred_on) == 54
    assert any("niet nagekomen" in reason for reason in _reasons(path))
    # broken on day 54, Saturday 25 April: no call at the weekend nor on Koningsdag (Monday 27
    # April), and nothing else goes first (the call-day guard): the call on Tuesday, day 57
    assert path.steps() == [
        (2, "courtesy"),
        (15, "reminder"),
        (22, "call"),
        (57, "promise-call"),  # a person calls first
        (58, "arrangement"),
        (72, "letter"),  # at least 14 days after the offer
        (77, "call-2"),  # not on Ascension Day nor the bridge day after it, nor the weekend
    ]
    (letter,) = _letters(path)
    assert letter.stated_costs.amount == Decimal("78.00")  # 15 % of 520
    assert path.costs == []  # its term runs to the end of May, after the scenario
    _not_to_the_bailiff(path)  # not before the amicable track after call-2 (day 84)


# ---------------------------------------------------------------------------------- Zvw
def test_h09_two_months_of_premiums_gets_the_18a_offer_only(scenario: Scenario) -> None:
    path = _path(scenario, "H09")
    # default of the March premium on day 0; two months' arrears from 2 April (day 31)
    assert path.steps() == [(7, "reminder"), (14, "call"), (31, "arrangement-18a")]
    assert not path.actions() & ESCALATION
    assert "zvw-notice" not in path.actions()
    assert path.costs == []


def test_h10_a_maintained_dispute_brings_a_second_notice_and_four_more_weeks(
    scenario: Scenario,
) -> None:
    path = _path(scenario, "H10")
    notices = [t.day for t in path.taken if t.action == "zvw-notice"]
    assert notices[0] <= 2  # four months' arrears from the start
    assert len(notices) == 2, "18b lid 2: a second notice after the maintained dispute"
    second = notices[1]
    assert 30 <= second <= 32
    (report,) = [t.day for t in path.taken if t.action == "zvw-report"]
    # six months' arrears from day 61, and not within 4 weeks after the second notice's receipt
    assert report >= max(61, second + 2 + 28)
    assert report <= 66
    assert path.reviewed("report-18c") == [report]


def test_h11_the_cak_report_waits_for_the_whole_dispute_term(scenario: Scenario) -> None:
    path = _path(scenario, "H11")
    assert path.steps()[:3] == [(0, "call"), (1, "arrangement-18a"), (2, "notice-18b")]
    # notice on Wednesday 4 March (day 2), received Friday 6 March: the 4 weeks from the day
    # after receipt end on Good Friday 3 April, which the Atw (art. 3 lid 2) extends past the
    # weekend and Easter Monday to Tuesday 7 April; the report comes on 8 April (day 37), not on
    # notice + 28 days (1 April, day 30) inside the term
    assert path.days("report-18c") == [37]
    assert path.reviewed("report-18c") == [37]
    assert (37, "zvw-report", "done") in path.handed
