"""BIK staffel, VAT, several claims, instalments, the 14-day letter, and the Awb aanmaning fee."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from maatwerk.core.calendar import BusinessCalendar
from maatwerk.core.collection_costs import (
    AanmaningParams,
    BikBand,
    BikParams,
    CostsRefusal,
    FourteenDayLetter,
    Instalment,
    InstalmentRule,
    aanmaning_fee,
    bik_fee,
    collection_costs,
    costs_payable,
    instalment_collection_costs,
)
from maatwerk.core.debts import ClaimKind
from maatwerk.core.errors import InputError, NoRuleForDateError, RuleTableError
from maatwerk.core.money import Money, eur
from maatwerk.core.tables import Dated, DatedTable


D = dt.date


def params(vat: str = "0.21") -> BikParams:
    return BikParams(
        bands=(
            BikBand(up_to=Decimal(2500), rate=Decimal("0.15")),
            BikBand(up_to=Decimal(5000), rate=Decimal("0.10")),
            BikBand(up_to=Decimal(10000), rate=Decimal("0.05")),
            BikBand(up_to=Decimal(200000), rate=Decimal("0.01")),
            BikBand(up_to=None, rate=Decimal("0.005")),
        ),
        minimum=eur(40),
        maximum=eur(6775),
        vat_rate=Decimal(vat),
    )


BIK = DatedTable.of(
    "bik",
    [
        Dated(D(2012, 7, 1), params("0.19"), "Stb. 2012, 141; VAT 19 %"),
        Dated(D(2012, 10, 1), params("0.21"), "Stb. 2012, 141; VAT 21 %"),
    ],
)
RULES = DatedTable.of(
    "bik_instalments",
    [
        Dated(D(2012, 7, 1), InstalmentRule(applies=False, window_months=0), "no lid 8"),
        Dated(
            D(2024, 10, 1),
            InstalmentRule(applies=True, window_months=6),
            "6:96 lid 8",
            provisional=True,
        ),
    ],
)
AANMANING = DatedTable.of(
    "awb_aanmaning",
    [
        Dated(
            D(2025, 1, 1),
            AanmaningParams(threshold=eur(454), fee_low=eur(9), fee_high=eur(20)),
            "Awb 4:113",
        )
    ],
)
# Atw calendar for spring 2026: King's Day 27 Apr, 5 May, Ascension 14 May, bridge day 15 May,
# Whit Monday 25 May (only what the tests need; the adapter builds the real one).
ATW = BusinessCalendar(
    name="atw",
    closed=frozenset(
        {D(2026, 4, 27), D(2026, 5, 5), D(2026, 5, 14), D(2026, 5, 15), D(2026, 5, 25)}
    ),
)
ON = D(2026, 3, 1)


class TestStaffel:
    """The staffel of the Besluit BIK art. 2, with its minimum and maximum."""

    @pytest.mark.parametrize(
        ("principal", "costs"),
        [
            ("100", "40.00"),  # docs/rules/collection-costs.md: the minimum
            ("1000", "150.00"),  # docs/rules/collection-costs.md: 15 %
            ("266.66", "40.00"),  # 39.999 -> minimum
            ("300", "45.00"),
            ("2500", "375.00"),  # 15 % of 2,500
            ("3000", "425.00"),  # 375 + 10 % of 500
            ("5000", "625.00"),  # 375 + 250
            ("10000", "875.00"),  # 625 + 5 % of 5,000
            ("200000", "2775.00"),  # 875 + 1 % of 190,000
            ("1000000", "6775.00"),  # 2,775 + 0.5 % of 800,000: exactly the maximum
            ("5000000", "6775.00"),  # capped
            ("200001", "2775.01"),  # 0.5 % of 1 = 0.005 -> half-up
            ("0", "0.00"),  # nothing unpaid, no costs
            ("0.01", "40.00"),  # the minimum applies to any unpaid principal
        ],
    )
    def test_worked_examples(self, principal: str, costs: str) -> None:
        result = collection_costs([eur(principal)], on=ON, table=BIK)
        assert result.costs == eur(costs)
        assert result.vat == eur(0)
        assert str(result.table) == "bik@2012-10-01"
        assert not result.provisional

    @given(st.integers(min_value=0, max_value=2_000_000_00))
    def test_between_min_and_max_and_monotone(self, cents: int) -> None:
        amount = Money.from_minor_units(cents)
        fee = bik_fee(amount, params())
        assert eur(40) <= fee <= eur(6775) or (cents == 0 and fee == eur(0))
        assert fee.is_rounded()
        assert bik_fee(amount + eur("0.01"), params()) >= fee

    def test_negative_principal_refused(self) -> None:
        with pytest.raises(InputError, match="negative"):
            collection_costs([eur(-1)], on=ON, table=BIK)

    def test_no_principal_refused(self) -> None:
        with pytest.raises(InputError, match="at least one"):
            collection_costs([], on=ON, table=BIK)

    def test_before_the_besluit_there_is_no_table(self) -> None:
        with pytest.raises(NoRuleForDateError):
            collection_costs([eur(100)], on=D(2012, 6, 30), table=BIK)

    def test_bad_bands_refused(self) -> None:
        with pytest.raises(RuleTableError):
            BikParams(
                bands=(
                    BikBand(up_to=None, rate=Decimal("0.15")),
                    BikBand(up_to=None, rate=Decimal(0)),
                ),
                minimum=eur(40),
                maximum=eur(6775),
                vat_rate=Decimal("0.21"),
            )


class TestVat:
    """VAT is added only when the creditor declares it cannot deduct it (art. 2 lid 3)."""

    def test_vat_added_on_declaration(self) -> None:
        result = collection_costs([eur(1000)], on=ON, table=BIK, vat_non_deductible=True)
        assert result.costs == eur("150.00")
        assert result.vat == eur("31.50")
        assert result.total == eur("181.50")

    def test_vat_on_minimum(self) -> None:
        result = collection_costs([eur(100)], on=ON, table=BIK, vat_non_deductible=True)
        assert result.total == eur("48.40")

    def test_vat_rate_of_the_date(self) -> None:
        result = collection_costs([eur(1000)], on=D(2012, 9, 1), table=BIK, vat_non_deductible=True)
        assert result.vat == eur("28.50")
        assert str(result.table) == "bik@2012-07-01"


class TestSeveralClaims:
    """Several claims in one letter: costs on the sum of the principals (6:96 lid 7)."""

    def test_sum_not_per_claim(self) -> None:
        result = collection_costs([eur(100), eur(100), eur(100)], on=ON, table=BIK)
        assert result.principal == eur(300)
        assert result.costs == eur("45.00")  # not 3 x 40
        assert any("lid 7" in note for note in result.notes)

    @given(st.lists(st.integers(min_value=1, max_value=1_000_000), min_size=2, max_size=6))
    def test_never_more_than_separately(self, cents: list[int]) -> None:
        amounts = [Money.from_minor_units(c) for c in cents]
        together = collection_costs(amounts, on=ON, table=BIK).costs
        separately = sum((bik_fee(a, params()) for a in amounts), eur(0))
        # the staffel is concave and the minimum applies once: together never costs more,
        # up to half a cent of rounding per claim
        assert together <= separately + eur("0.01") * len(amounts)


class TestInstalments:
    """BW 6:96 lid 8 (provisional): small unpaid instalments of 6 months count as one claim."""

    def premium(self, month: int, reminded: dt.date | None, charged: str = "0") -> Instalment:
        return Instalment(
            debt_id=f"premium-2026-{month:02d}",
            due_date=D(2026, month, 1),
            unpaid=eur("150.00"),
            reminded_on=reminded,
            costs_charged=eur(charged),
        )

    def test_combined_with_earlier_reminded_instalments(self) -> None:
        current = self.premium(4, None)
        earlier = [
            self.premium(2, D(2026, 2, 20), charged="40.00"),
            self.premium(3, D(2026, 3, 20), charged="0"),
        ]
        result = instalment_collection_costs(
            current, earlier, letter_date=D(2026, 4, 20), table=BIK, rules=RULES
        )
        # staffel on 450 = 67.50, minus 40 already charged
        assert result.principal == eur(450)
        assert result.costs == eur("27.50")
        assert result.provisional
        assert result.rule_table is not None
        assert result.rule_table.provisional
        assert "PROVISIONAL" in result.notes[0]

    def test_outside_window_or_unreminded_not_counted(self) -> None:
        current = self.premium(9, None)
        earlier = [
            self.premium(1, D(2026, 2, 19)),  # more than 6 months before 2026-09-20
            self.premium(8, None),  # never reminded
            self.premium(7, D(2026, 8, 20)),
        ]
        result = instalment_collection_costs(
            current, earlier, letter_date=D(2026, 9, 20), table=BIK, rules=RULES
        )
        assert result.principal == eur(300)
        assert result.costs == eur("45.00")

    def test_before_lid_8_each_letter_its_own_minimum(self) -> None:
        current = self.premium(4, None)
        earlier = [self.premium(3, D(2024, 3, 20))]
        result = instalment_collection_costs(
            current, earlier, letter_date=D(2024, 4, 20), table=BIK, rules=RULES
        )
        assert result.costs == eur("40.00")
        assert not result.provisional

    def test_large_instalment_not_in_lowest_band(self) -> None:
        current = Instalment(debt_id="rent", due_date=D(2026, 4, 1), unpaid=eur(1000))
        earlier = [self.premium(3, D(2026, 3, 20))]
        result = instalment_collection_costs(
            current, earlier, letter_date=D(2026, 4, 20), table=BIK, rules=RULES
        )
        assert result.costs == eur("150.00")
        assert not result.provisional

    @given(st.lists(st.integers(min_value=1, max_value=26_000), min_size=1, max_size=6))
    def test_never_more_than_forty_per_instalment(self, cents: list[int]) -> None:
        earlier = [
            Instalment(
                debt_id=f"i{n}",
                due_date=D(2026, 1 + n, 1),
                unpaid=Money.from_minor_units(c),
                reminded_on=D(2026, 1 + n, 20),
            )
            for n, c in enumerate(cents)
        ]
        current = Instalment(debt_id="now", due_date=D(2026, 8, 1), unpaid=eur(100))
        result = instalment_collection_costs(
            current, earlier, letter_date=D(2026, 8, 1), table=BIK, rules=RULES
        )
        assert result.costs <= eur(40) * (len(earlier) + 1)
        assert not result.costs.is_negative


def decide(
    letter: FourteenDayLetter | None,
    on: dt.date,
    *,
    costs: str = "40.00",
    paid_on: dt.date | None = None,
    consumer: bool = True,
    claim_kind: ClaimKind = ClaimKind.PRIVATE,
) -> tuple[bool, tuple[CostsRefusal, ...], dt.date | None]:
    decision = costs_payable(
        debt_id="d1",
        claim_kind=claim_kind,
        consumer=consumer,
        default_date=D(2026, 4, 1),
        costs=eur(costs),
        letter=letter,
        on=on,
        atw_calendar=ATW,
        paid_on=paid_on,
    )
    assert len(decision.reasons) == len(decision.refusals)
    return decision.payable, decision.refusals, decision.last_day


LETTER = FourteenDayLetter(
    sent_on=D(2026, 4, 29),
    received_on=D(2026, 4, 30),
    stated_costs=eur("40.00"),
    debt_ids=("d1",),
)


class TestFourteenDayLetter:
    """Consumer costs are payable only after a valid 14-day letter expired unpaid (6:96 lid 6)."""

    def test_term_counted_from_receipt_on_the_atw_calendar(self) -> None:
        # day 14 after 30 Apr is Thu 14 May (Ascension); Fri 15 May is a bridge day; then the
        # weekend: the term runs to Monday 18 May.
        payable, refusals, last_day = decide(LETTER, D(2026, 5, 18))
        assert last_day == D(2026, 5, 18)
        assert not payable
        assert refusals == (CostsRefusal.TERM_NOT_EXPIRED,)
        assert decide(LETTER, D(2026, 5, 19))[:2] == (True, ())

    def test_letter_missing(self) -> None:
        assert decide(None, D(2026, 9, 1))[1] == (CostsRefusal.LETTER_MISSING,)
        other = FourteenDayLetter(
            sent_on=D(2026, 4, 29),
            received_on=D(2026, 4, 30),
            stated_costs=eur(40),
            debt_ids=("d2",),
        )
        assert decide(other, D(2026, 9, 1))[1] == (CostsRefusal.LETTER_MISSING,)

    def test_amount_not_stated(self) -> None:
        letter = FourteenDayLetter(
            sent_on=D(2026, 4, 29), received_on=D(2026, 4, 30), stated_costs=None
        )
        assert decide(letter, D(2026, 9, 1))[1] == (CostsRefusal.AMOUNT_NOT_STATED,)

    def test_amount_differs(self) -> None:
        payable, refusals, _ = decide(LETTER, D(2026, 9, 1), costs="45.00")
        assert not payable
        assert refusals == (CostsRefusal.AMOUNT_DIFFERS,)

    def test_paid_in_time(self) -> None:
        payable, refusals, _ = decide(LETTER, D(2026, 9, 1), paid_on=D(2026, 5, 18))
        assert not payable
        assert refusals == (CostsRefusal.PAID_IN_TIME,)

    def test_paid_late_still_owes_costs(self) -> None:
        assert decide(LETTER, D(2026, 9, 1), paid_on=D(2026, 5, 19))[0]

    def test_letter_before_default(self) -> None:
        early = FourteenDayLetter(
            sent_on=D(2026, 3, 20), received_on=D(2026, 3, 21), stated_costs=eur(40)
        )
        payable, refusals, _ = decide(early, D(2026, 9, 1))
        assert not payable
        assert refusals == (CostsRefusal.LETTER_BEFORE_DEFAULT,)

    def test_several_reasons_at_once(self) -> None:
        letter = FourteenDayLetter(
            sent_on=D(2026, 3, 20), received_on=D(2026, 3, 21), stated_costs=None
        )
        refusals = decide(letter, D(2026, 3, 25))[1]
        assert set(refusals) == {
            CostsRefusal.LETTER_BEFORE_DEFAULT,
            CostsRefusal.AMOUNT_NOT_STATED,
            CostsRefusal.TERM_NOT_EXPIRED,
        }

    def test_business_claim_needs_no_letter(self) -> None:
        assert decide(None, D(2026, 4, 1), consumer=False)[0]
        assert decide(None, D(2026, 3, 31), consumer=False)[1] == (CostsRefusal.NOT_IN_DEFAULT,)

    def test_public_claim_never_bik(self) -> None:
        payable, refusals, _ = decide(LETTER, D(2026, 9, 1), claim_kind=ClaimKind.PUBLIC)
        assert not payable
        assert refusals == (CostsRefusal.PUBLIC_CLAIM,)


class TestAanmaningFee:
    """Public claims: the Awb 4:113 fee, EUR 9 under EUR 454 and EUR 20 from EUR 454."""

    @pytest.mark.parametrize(
        ("debt", "fee"), [("0", "9"), ("453.99", "9"), ("454.00", "20"), ("10000", "20")]
    )
    def test_fee(self, debt: str, fee: str) -> None:
        result = aanmaning_fee(eur(debt), on=D(2026, 3, 1), table=AANMANING)
        assert result.fee == eur(fee)
        assert str(result.table) == "awb_aanmaning@2025-01-01"

    def test_negative_debt_refused(self) -> None:
        with pytest.raises(InputError):
            aanmaning_fee(eur(-1), on=D(2026, 3, 1), table=AANMANING)
