"""Limitation of a debt in the run: the recorded interruptions, the ladder, the charges.

BW 3:307/3:308 (5 years from the day after the due date), 7:28 (2 years), Awb 4:104 (5 years);
interruptions (3:316-3:319): a delivered 14-day letter (on receipt), an aanmaning (on sending),
an acknowledgement, an accepted arrangement; a new period of at most 5 years, never ending
before the old one; nothing revives a claim already time-barred.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from interest_helpers import interest_tables, rate
from policy_helpers import case_file, debt, demand_sent, letter_sent, policy, run, tables

from maatwerk.core.calendar import plain_calendar
from maatwerk.core.charges import ChargeRules, case_charges, letter_costs
from maatwerk.core.collection_costs import BikBand, BikParams, InstalmentRule
from maatwerk.core.debts import ClaimKind, CostLine, Debt
from maatwerk.core.events import (
    ActionKind,
    ArrangementAccepted,
    ArrangementOffered,
    DebtAcknowledged,
    Event,
    FourteenDayLetterSent,
)
from maatwerk.core.limitation import (
    LimitationKind,
    debt_limitation,
    interruptions,
    limitation_kind,
    time_barred,
)
from maatwerk.core.money import eur
from maatwerk.core.policy import DecisionStatus, NoteKind, evaluate
from maatwerk.core.tables import Dated, DatedTable, TableVersion


D = dt.date
PREMIUM = debt("old", "150.00", D(2020, 1, 1), category="premium", periodic=True)
"""due 2020-01-01: enforceable up to and including 2025-01-01, time-barred from 2025-01-02"""


def ack(on: dt.date, debt_id: str | None = "old", debtor_id: str = "p1") -> DebtAcknowledged:
    return DebtAcknowledged(occurred_on=on, debtor_id=debtor_id, debt_id=debt_id, how="phone")


class TestDebtLimitation:
    def test_kind_follows_the_debt(self) -> None:
        assert limitation_kind(PREMIUM) is LimitationKind.PERIODIC
        assert limitation_kind(debt()) is LimitationKind.CONTRACT
        assert limitation_kind(debt(kind=ClaimKind.PUBLIC)) is LimitationKind.PUBLIC
        sale = debt(category="consumer-sale", due=D(2024, 1, 31))
        assert limitation_kind(sale) is LimitationKind.CONSUMER_SALE
        assert debt_limitation(sale).last_day == D(2026, 1, 31)  # BW 7:28: 2 years

    def test_the_premium_of_the_issue_is_time_barred(self) -> None:
        assert debt_limitation(PREMIUM).last_day == D(2025, 1, 1)
        assert time_barred(PREMIUM, (), D(2025, 1, 1)) is None
        barred = time_barred(PREMIUM, (), D(2025, 1, 2))
        assert barred is not None
        assert barred.years == 5

    def test_a_14_day_letter_interrupts_on_receipt(self) -> None:
        letter = letter_sent(D(2024, 5, 31), received_on=D(2024, 6, 3), debt_ids=("old",))
        result = debt_limitation(PREMIUM, [letter])
        # new period from 2024-06-04: up to and including 2029-06-03
        assert result.last_day == D(2029, 6, 3)
        assert time_barred(PREMIUM, [letter], D(2026, 4, 1)) is None

    def test_an_aanmaning_interrupts_on_sending(self) -> None:
        demand = demand_sent(D(2024, 12, 31), debt_ids=("old",))
        assert debt_limitation(PREMIUM, [demand]).last_day == D(2029, 12, 31)

    def test_acknowledgement_and_accepted_arrangement(self) -> None:
        assert debt_limitation(PREMIUM, [ack(D(2024, 12, 1))]).last_day == D(2029, 12, 1)
        assert debt_limitation(PREMIUM, [ack(D(2024, 12, 1), None)]).last_day == D(2029, 12, 1)
        plan: list[Event] = [
            ArrangementOffered(
                occurred_on=D(2023, 3, 1), debtor_id="p1", arrangement_id="a", debt_ids=("old",)
            ),
            ArrangementAccepted(occurred_on=D(2023, 3, 5), debtor_id="p1", arrangement_id="a"),
        ]
        assert [i.what for i in interruptions(PREMIUM, plan)] == ["arrangement"]
        assert debt_limitation(PREMIUM, plan).last_day == D(2028, 3, 5)

    def test_what_does_not_interrupt(self) -> None:
        others: list[Event] = [
            ack(D(2024, 12, 1), "other"),  # another debt
            ack(D(2024, 12, 1), debtor_id="p2"),  # another debtor
            letter_sent(D(2024, 12, 1), debt_ids=("other",)),
            ArrangementOffered(
                occurred_on=D(2023, 3, 1), debtor_id="p1", arrangement_id="a", debt_ids=("x",)
            ),
            ArrangementAccepted(occurred_on=D(2023, 3, 5), debtor_id="p1", arrangement_id="a"),
        ]
        assert interruptions(PREMIUM, others) == ()
        assert debt_limitation(PREMIUM, others).last_day == D(2025, 1, 1)

    def test_nothing_revives_a_time_barred_claim(self) -> None:
        late = [ack(D(2025, 6, 1)), letter_sent(D(2026, 2, 1), debt_ids=("old",))]
        result = debt_limitation(PREMIUM, late)
        assert result.last_day == D(2025, 1, 1)
        assert result.interruptions_ignored == (D(2025, 6, 1), D(2026, 2, 3))

    def test_only_events_up_to_the_day_count(self) -> None:
        later = [ack(D(2024, 12, 1))]
        assert time_barred(PREMIUM, later, D(2024, 11, 30)) is None
        # asked on 2025-01-02 the acknowledgement of 2024-12-01 counts
        assert time_barred(PREMIUM, later, D(2025, 1, 2)) is None


class TestTheLadder:
    """A time-barred debt leaves the ladder; the case says why; a fresh debt escalates."""

    def test_only_time_barred_no_step_and_the_reason(self) -> None:
        file = case_file([PREMIUM])
        decision = evaluate(file, policy("classic"), D(2026, 4, 1), tables())
        assert decision.action is None
        assert decision.status is DecisionStatus.BLOCKED
        (note,) = decision.notes
        assert note.kind is NoteKind.BLOCKED
        assert note.debt_ids == ("old",)
        assert note.reasons[0].code == "time-barred"
        nl = " ".join(decision.explain("nl"))
        assert "verjaard sinds 2 januari 2025" in nl
        assert "geen rente en geen kosten" in nl
        assert "2025-01-02" in " ".join(decision.explain("en"))

    def test_a_fresh_debt_escalates_on_its_own_dates(self) -> None:
        fresh = debt("new", "800.00", D(2026, 3, 1))
        file, taken = run(case_file([PREMIUM, fresh]), policy("classic"), D(2026, 3, 1), 60)
        steps = [e for e in file.events if e.kind == "step-taken"]
        assert steps, "the fresh debt escalates"
        assert all(s.debt_ids == ("new",) for s in steps)  # type: ignore[attr-defined]
        # classic: reminder at default + 7 (the fresh debt's own date, not the old one's)
        assert taken[0] == (D(2026, 3, 9), "reminder")
        assert "bailiff" in [step_id for _, step_id in taken]

    def test_a_letter_in_time_keeps_the_claim_on_the_ladder(self) -> None:
        # due 2021-03-01: enforceable up to and including 2026-03-01; a 14-day letter received
        # 2026-02-20 starts a new period, so the case goes on after 1 March
        premium = debt("p", "150.00", D(2021, 3, 1), periodic=True)
        letter = letter_sent(D(2026, 2, 18), received_on=D(2026, 2, 20), debt_ids=("p",))
        state_day = D(2026, 3, 2)
        barred = evaluate(case_file([premium]), policy("classic"), state_day, tables())
        assert [r.code for n in barred.notes for r in n.reasons] == ["time-barred"]
        kept = evaluate(case_file([premium], [letter]), policy("classic"), state_day, tables())
        assert "time-barred" not in [r.code for n in kept.notes for r in n.reasons]

    def test_a_time_barred_debt_counts_for_no_arrears(self) -> None:
        from maatwerk.core.policy import derive_state

        state = derive_state(case_file([PREMIUM, debt("new", "80.00")]), D(2026, 4, 1))
        assert set(state.time_barred) == {"old"}
        assert state.arrears == eur("80.00")
        assert state.total_outstanding == eur("80.00")
        assert [d.debt_id for d in state.open_debts] == ["old", "new"]  # still owed


# -------------------------------------------------------------------------------- charges
BIK = DatedTable.of(
    "bik",
    [
        Dated(
            D(2020, 1, 1),
            BikParams(
                bands=(
                    BikBand(up_to=Decimal(2500), rate=Decimal("0.15")),
                    BikBand(up_to=None, rate=Decimal("0.10")),
                ),
                minimum=eur(40),
                maximum=eur(6775),
                vat_rate=Decimal("0.21"),
            ),
            "test",
        )
    ],
)
LID8 = DatedTable.of(
    "bik_instalments",
    [
        Dated(D(2012, 7, 1), InstalmentRule(applies=False, window_months=0), "old"),
        Dated(
            D(2024, 10, 1), InstalmentRule(applies=True, window_months=6), "lid 8", provisional=True
        ),
    ],
)
RATE = DatedTable.of("rate", [Dated(D(2015, 1, 1), rate(4), "test")])
RULES = ChargeRules(
    interest=interest_tables(RATE, RATE), bik=BIK, atw=plain_calendar(), instalments=LID8
)


def premium(n: int, principal: str = "150.00") -> Debt:
    """Monthly premium ``m<n>`` due on the 1st of month ``n`` of 2026."""
    return debt(f"m{n}", principal, D(2026, n, 1), category="premium", periodic=True)


def letter(on: dt.date, stated: str, *ids: str) -> FourteenDayLetterSent:
    return FourteenDayLetterSent(
        occurred_on=on,
        debtor_id="p1",
        stated_costs=eur(stated),
        sent_on=on,
        received_on=on + dt.timedelta(days=2),
        debt_ids=ids,
    )


class TestChargesSkipTimeBarred:
    def test_no_interest_and_no_costs_on_a_time_barred_debt(self) -> None:
        charges = case_charges([PREMIUM], (), D(2026, 2, 1), RULES)
        assert charges.postings == ()
        alive = case_charges([PREMIUM], [ack(D(2024, 12, 1))], D(2026, 2, 1), RULES)
        assert [p.debt_id for p in alive.postings] == ["old"]  # the same debt, acknowledged

    def test_costs_of_a_letter_are_not_posted_on_a_time_barred_claim(self) -> None:
        # a letter received after the claim expired: it states costs, none are posted
        sent = letter(D(2026, 1, 5), "40.00", "old")
        assert case_charges([PREMIUM], [sent], D(2026, 2, 1), RULES).postings == ()

    def test_the_day_a_debt_becomes_time_barred_is_a_wake_up_day(self) -> None:
        premium_2021 = debt("p", "150.00", D(2021, 3, 1), periodic=True)
        charges = case_charges([premium_2021], (), D(2026, 2, 15), RULES)
        assert charges.next_on == D(2026, 3, 1)  # the next interest posting comes first
        charges = case_charges([premium_2021], (), D(2026, 3, 1), RULES)
        assert charges.next_on == D(2026, 3, 2)  # time-barred from then on


class TestInstalmentsAsOneClaim:
    """BW 6:96 lid 8 (provisional rule): monthly premiums reminded in the 6 months before count
    as one claim with the new one; the debtor pays the staffel on their sum, not EUR 40 each."""

    def test_each_letter_adds_only_what_the_sum_adds(self) -> None:
        debts = [premium(1), premium(2), premium(3)]
        first = letter_costs(debts, ["m1"], D(2026, 2, 1), BIK, (), LID8)
        assert first is not None
        assert first.costs.total == eur("40.00")  # 15 % of 150 = 22.50: the minimum
        sent: list[Event] = [letter(D(2026, 2, 1), "40.00", "m1")]
        second = letter_costs(debts, ["m2"], D(2026, 3, 1), BIK, sent, LID8)
        assert second is not None
        # 15 % of 300 = 45.00, less 40.00 stated for m1: 5.00
        assert second.costs.total == eur("5.00")
        assert second.costs.provisional
        sent.append(letter(D(2026, 3, 1), "5.00", "m2"))
        third = letter_costs(debts, ["m3"], D(2026, 4, 1), BIK, sent, LID8)
        assert third is not None
        # 15 % of 450 = 67.50, less 45.00: 22.50; the three letters together: 67.50
        assert third.costs.total == eur("22.50")

    def test_paid_or_old_instalments_do_not_count(self) -> None:
        from policy_helpers import paid

        debts = [paid(premium(1), D(2026, 2, 10)), premium(2)]
        sent: list[Event] = [letter(D(2026, 2, 1), "40.00", "m1")]
        found = letter_costs(debts, ["m2"], D(2026, 3, 1), BIK, sent, LID8)
        assert found is not None
        assert found.costs.total == eur("40.00")  # m1 was paid: m2 stands alone
        late = letter_costs([premium(1), premium(2)], ["m2"], D(2026, 9, 2), BIK, sent, LID8)
        assert late is not None
        assert late.costs.total == eur("40.00")  # m1's letter is more than 6 months old

    def test_not_before_2024_10_01_and_not_without_the_table(self) -> None:
        old = [
            debt(f"o{n}", "150.00", D(2024, n, 1), category="premium", periodic=True)
            for n in (7, 8)
        ]
        sent: list[Event] = [letter(D(2024, 8, 1), "40.00", "o7")]
        before = letter_costs(old, ["o8"], D(2024, 9, 1), BIK, sent, LID8)
        assert before is not None
        assert before.costs.total == eur("40.00")
        without = letter_costs([premium(1), premium(2)], ["m2"], D(2026, 3, 1), BIK, sent, None)
        assert without is not None
        assert without.costs.total == eur("40.00")

    def test_the_posting_is_what_the_letter_stated(self) -> None:
        debts = [premium(1), premium(2)]
        events: list[Event] = [
            letter(D(2026, 2, 1), "40.00", "m1"),
            letter(D(2026, 3, 1), "5.00", "m2"),
        ]
        charges = case_charges(debts, events, D(2026, 3, 20), RULES)
        costs = {p.debt_id: p.line.amount for p in charges.postings if isinstance(p.line, CostLine)}
        assert costs == {"m1": eur("40.00"), "m2": eur("5.00")}


class TestTableLabel:
    def test_a_line_over_many_rate_versions_fits_its_column(self) -> None:
        from maatwerk.core.charges import TABLE_LABEL_LENGTH, _versions_label

        versions = [
            TableVersion("statutory_interest_consumer", D(year, 1, 1), "s")
            for year in (2015, 2023, 2024, 2025, 2026)
        ]
        label = _versions_label(versions)
        assert len(label) <= TABLE_LABEL_LENGTH
        assert label == "statutory_interest_consumer@2015-01-01..2026-01-01 (5 versions)"
        assert _versions_label(versions[:1]) == "statutory_interest_consumer@2015-01-01"


def test_the_guard_cannot_be_switched_off() -> None:
    from maatwerk.core.policy import BUILTIN_GUARDS

    spec = BUILTIN_GUARDS.get("time-barred")
    assert spec.mandatory
    assert spec.applies_to is not None
    assert ActionKind.BAILIFF_HANDOVER in spec.applies_to
    assert ActionKind.WRITE_OFF not in spec.applies_to
