"""What the run posts: monthly interest lines that add up, BIK once after the term, plan pauses."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs
from interest_helpers import interest_tables, rate

from maatwerk.core.arrangements import ChargesDuringPlan
from maatwerk.core.calendar import plain_calendar
from maatwerk.core.charges import (
    ChargeRules,
    aanmaning_postings,
    case_charges,
    covered_by_plan,
    settled_by_proposal,
)
from maatwerk.core.collection_costs import (
    AanmaningParams,
    BikBand,
    BikParams,
    collection_costs,
)
from maatwerk.core.debts import AppliedPayment, Balance, ClaimKind, Debt, InterestKind, InterestLine
from maatwerk.core.events import (
    ArrangementAccepted,
    ArrangementBreached,
    ArrangementOffered,
    DebtHelpEnded,
    DebtHelpKind,
    Event,
    FourteenDayLetterSent,
    SettlementAccepted,
    SettlementCompleted,
)
from maatwerk.core.interest import debt_interest
from maatwerk.core.money import Money, eur
from maatwerk.core.tables import Dated, DatedTable


D = dt.date
RATE = DatedTable.of("rate", [Dated(D(2020, 1, 1), rate(4), "test")])
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
AANMANING = DatedTable.of(
    "aanmaning",
    [
        Dated(
            D(2020, 1, 1),
            AanmaningParams(threshold=eur(454), fee_low=eur("7.00"), fee_high=eur("16.00")),
            "test",
        )
    ],
)
RULES = ChargeRules(
    interest=interest_tables(RATE, RATE),
    bik=BIK,
    aanmaning=AANMANING,
    atw=plain_calendar(),
)
DEBT = Debt(
    debt_id="B1", debtor_id="D1", creditor_id="C", principal=eur(1000), due_date=D(2026, 1, 10)
)


def post_months(debt: Debt, events: tuple[Event, ...] = (), months: int = 4) -> Debt:
    """Run the first day of each month: the debt with the interest lines posted."""
    for month in range(2, 2 + months):
        charges = case_charges([debt], events, D(2026, month, 1), RULES)
        for posting in charges.postings:
            assert isinstance(posting.line, InterestLine)
            debt = debt.with_interest(posting.line)
    return debt


class TestInterest:
    """One line per month; the lines add up to the interest over the whole default."""

    def test_lines_add_up_and_are_not_posted_twice(self) -> None:
        debt = post_months(DEBT)
        assert [(line.period_from, line.period_to) for line in debt.interest] == [
            (D(2026, 1, 11), D(2026, 2, 1)),
            (D(2026, 2, 1), D(2026, 3, 1)),
            (D(2026, 3, 1), D(2026, 4, 1)),
            (D(2026, 4, 1), D(2026, 5, 1)),
        ]
        total = debt_interest(DEBT, start=D(2026, 1, 11), end=D(2026, 5, 1), tables=RULES.interest)  # type: ignore[arg-type]
        assert sum((line.amount for line in debt.interest), Money.zero()) == total.interest
        again = case_charges([debt], (), D(2026, 5, 20), RULES)
        assert again.postings == ()
        assert again.next_on == D(2026, 6, 1)

    def test_switched_off_or_no_interest_kind_posts_nothing(self) -> None:
        off = ChargeRules(interest=RULES.interest, charge_interest=False)
        assert case_charges([DEBT], (), D(2026, 3, 1), off).postings == ()
        none = attrs.evolve(DEBT, debt_id="B2", interest_kind=InterestKind.NONE)
        assert case_charges([none], (), D(2026, 3, 1), RULES).postings == ()

    def test_kept_plan_waives_the_period_for_good(self) -> None:
        plan: tuple[Event, ...] = (
            ArrangementOffered(occurred_on=D(2026, 2, 10), debtor_id="D1", arrangement_id="A"),
            ArrangementAccepted(occurred_on=D(2026, 2, 10), debtor_id="D1", arrangement_id="A"),
            ArrangementBreached(occurred_on=D(2026, 3, 15), debtor_id="D1", arrangement_id="A"),
        )
        assert covered_by_plan(plan, D(2026, 3, 1)) == frozenset()
        assert covered_by_plan(plan, D(2026, 3, 16)) is None
        debt = post_months(DEBT, plan)
        waived = [line for line in debt.interest if line.period_to == D(2026, 3, 1)]
        assert [line.amount for line in waived] == [Money.zero()]
        assert "waived" in waived[0].table
        assert all(line.amount.is_positive for line in debt.interest if line not in waived)


class TestCosts:
    """BIK only after the letter's term expired, once; the aanmaning fee only on public claims."""

    def letter(self) -> FourteenDayLetterSent:
        stated = collection_costs([DEBT.principal], on=D(2026, 2, 2), table=BIK).total
        return FourteenDayLetterSent(
            occurred_on=D(2026, 2, 2),
            debtor_id="D1",
            stated_costs=stated,
            sent_on=D(2026, 2, 2),
            received_on=D(2026, 2, 4),
            debt_ids=("B1",),
        )

    def test_bik_after_the_term_once(self) -> None:
        letter = self.letter()
        rules = ChargeRules(bik=BIK, atw=plain_calendar())
        waiting = case_charges([DEBT], (letter,), D(2026, 2, 18), rules)
        assert waiting.postings == ()
        assert waiting.next_on == D(2026, 2, 19)
        (posting,) = case_charges([DEBT], (letter,), D(2026, 2, 19), rules).postings
        assert posting.line.amount == letter.stated_costs == eur(150)
        assert posting.posting_key == "bik:2026-02-02"
        posted = DEBT.with_cost(posting.line)  # type: ignore[arg-type]
        assert case_charges([posted], (letter,), D(2026, 2, 20), rules).postings == ()

    def test_costs_on_the_principal_still_open_when_the_letter_was_sent(self) -> None:
        """EUR 675 billed, EUR 100 paid before the letter: 15 % of the EUR 575 still open
        (EUR 86.25), not of the EUR 675 billed (EUR 101.25); a payment after the letter does not
        lower the costs the letter stated."""
        debt = attrs.evolve(DEBT, principal=eur(675))

        def paid(amount: str, on: dt.date, base: Debt) -> Debt:
            parts = Balance(principal=eur(amount))
            return base.with_payment(
                AppliedPayment(payment_id=f"P{on}", applied_on=on, parts=parts)
            )

        part_paid = paid("100.00", D(2026, 1, 20), debt)
        assert part_paid.principal_open_on(D(2026, 1, 19)) == eur(675)
        assert part_paid.principal_open_on(D(2026, 2, 2)) == eur(575)
        stated = collection_costs([eur(575)], on=D(2026, 2, 2), table=BIK).total
        assert stated == eur("86.25")
        letter = attrs.evolve(self.letter(), stated_costs=stated)
        later = paid("200.00", D(2026, 2, 10), part_paid)
        rules = ChargeRules(bik=BIK, atw=plain_calendar())
        (posting,) = case_charges([later], (letter,), D(2026, 2, 19), rules).postings
        assert posting.line.amount == eur("86.25")
        # a letter that stated costs on the original principal is not honoured (6:96: the costs
        # stated must be the costs due)
        wrong = attrs.evolve(letter, stated_costs=eur("101.25"))
        assert case_charges([later], (wrong,), D(2026, 2, 19), rules).postings == ()

    def test_wrong_amount_or_public_claim_gets_no_bik(self) -> None:
        rules = ChargeRules(bik=BIK, atw=plain_calendar())
        wrong = attrs.evolve(self.letter(), stated_costs=eur(99))
        assert case_charges([DEBT], (wrong,), D(2026, 3, 1), rules).postings == ()
        public = attrs.evolve(DEBT, kind=ClaimKind.PUBLIC)
        assert case_charges([public], (self.letter(),), D(2026, 3, 1), rules).postings == ()
        (fee,) = aanmaning_postings([public], D(2026, 3, 1), RULES)
        assert fee.line.amount == eur("16.00")
        assert aanmaning_postings([DEBT], D(2026, 3, 1), RULES) == ()

    def test_no_new_costs_while_the_plan_is_kept(self) -> None:
        plan: tuple[Event, ...] = (
            ArrangementAccepted(occurred_on=D(2026, 2, 10), debtor_id="D1", arrangement_id="A"),
        )
        rules = ChargeRules(bik=BIK, atw=plain_calendar())
        assert case_charges([DEBT], (self.letter(), *plan), D(2026, 3, 1), rules).postings == ()
        allowed = ChargeRules(
            bik=BIK,
            atw=plain_calendar(),
            charges_during_plan=ChargesDuringPlan.INTEREST_AND_COSTS,
        )
        assert case_charges([DEBT], (self.letter(), *plan), D(2026, 3, 1), allowed).postings


class TestCollectiveSettlement:
    """Once we accept a debt-help settlement, its claims get no interest and no costs, whatever
    the policy allows during a plan; charges resume after it is called off."""

    ACCEPTED = SettlementAccepted(
        occurred_on=D(2026, 2, 10),
        debtor_id="D1",
        proposal_id="BV-1",
        amount=eur(400),
        pay_by=D(2026, 6, 1),
        debt_ids=("B1",),
    )
    EVERYTHING = attrs.evolve(RULES, charges_during_plan=ChargesDuringPlan.INTEREST_AND_COSTS)

    def test_no_interest_while_it_runs(self) -> None:
        events: tuple[Event, ...] = (self.ACCEPTED,)
        assert settled_by_proposal(events, D(2026, 2, 9)) is None
        assert settled_by_proposal(events, D(2026, 3, 1)) == frozenset({"B1"})
        (line,) = case_charges([DEBT], events, D(2026, 3, 1), self.EVERYTHING).postings
        assert line.line.amount == Money.zero()
        assert "collective settlement" in str(line.line.table)
        # another claim of the case, not in the settlement, is charged as before
        other = attrs.evolve(DEBT, debt_id="B2")
        (charged,) = case_charges([other], events, D(2026, 3, 1), self.EVERYTHING).postings
        assert charged.line.amount.is_positive

    def test_no_costs_and_no_aanmaning_fee_while_it_runs(self) -> None:
        letter = TestCosts().letter()
        events: tuple[Event, ...] = (letter, self.ACCEPTED)
        rules = ChargeRules(
            bik=BIK, atw=plain_calendar(), charges_during_plan=ChargesDuringPlan.INTEREST_AND_COSTS
        )
        assert case_charges([DEBT], events, D(2026, 3, 1), rules).postings == ()
        public = attrs.evolve(DEBT, kind=ClaimKind.PUBLIC)
        assert aanmaning_postings([public], D(2026, 3, 1), RULES, events) == ()

    def test_charges_resume_when_called_off_or_completed(self) -> None:
        ended = DebtHelpEnded(
            occurred_on=D(2026, 3, 15), debtor_id="D1", help_kind=DebtHelpKind.SETTLEMENT
        )
        events: tuple[Event, ...] = (self.ACCEPTED, ended)
        assert settled_by_proposal(events, D(2026, 3, 15)) is None
        debt = post_months(DEBT, events)
        waived = [line for line in debt.interest if not line.amount.is_positive]
        assert [line.period_to for line in waived] == [D(2026, 3, 1)]  # never charged later
        completed = SettlementCompleted(
            occurred_on=D(2026, 3, 15),
            debtor_id="D1",
            proposal_id="BV-1",
            paid=eur(400),
            written_off=eur(600),
            debt_ids=("B1",),
        )
        assert settled_by_proposal((self.ACCEPTED, completed), D(2026, 3, 16)) is None
