"""Payment allocation: BW 6:43 across debts, 6:44 within a debt, principal first, no cent lost."""

from __future__ import annotations

import datetime as dt

import policy_helpers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from maatwerk.core.allocation import (
    AllocationOrder,
    LedgerPart,
    allocate_payment,
    allocate_within,
    burden_key,
)
from maatwerk.core.debts import (
    Balance,
    Case,
    ClaimKind,
    CostLine,
    Debt,
    DebtStatus,
    InterestKind,
    InterestLine,
    Payment,
)
from maatwerk.core.errors import InputError
from maatwerk.core.money import Money, eur


D = dt.date
ON = D(2026, 3, 1)
DUE = D(2026, 1, 1)


def debt(
    debt_id: str,
    principal: str,
    *,
    due: dt.date = DUE,
    costs: str = "0",
    interest: str = "0",
    kind: ClaimKind = ClaimKind.PRIVATE,
    interest_kind: InterestKind = InterestKind.CONSUMER,
) -> Debt:
    result = policy_helpers.debt(debt_id, principal, due, kind=kind, interest_kind=interest_kind)
    if eur(costs):
        result = result.with_cost(CostLine(posted_on=due, amount=eur(costs), kind="bik"))
    if eur(interest):
        result = result.with_interest(
            InterestLine(posted_on=due, amount=eur(interest), period_from=due, period_to=ON)
        )
    return result


def case(*debts: Debt) -> Case:
    return Case(debtor_id="p1", creditor_id="c1", debts=debts)


def pay(amount: str, designated: str | None = None, on: dt.date = ON) -> Payment:
    return Payment(
        payment_id="pay1",
        debtor_id="p1",
        received_on=on,
        amount=eur(amount),
        designated_debt_id=designated,
    )


class TestWithinDebt:
    """BW 6:44: costs, then interest, then principal; or principal first when chosen."""

    def test_statutory_order(self) -> None:
        outstanding = Balance(costs=eur(40), interest=eur(10), principal=eur(100))
        result = allocate_within(eur(45), outstanding)
        assert result.applied == Balance(costs=eur(40), interest=eur(5), principal=eur(0))
        assert result.remaining == Balance(costs=eur(0), interest=eur(5), principal=eur(100))
        assert result.unapplied == eur(0)

    def test_principal_first(self) -> None:
        outstanding = Balance(costs=eur(40), interest=eur(10), principal=eur(100))
        result = allocate_within(eur(105), outstanding, AllocationOrder.PRINCIPAL_FIRST)
        assert result.applied == Balance(costs=eur(0), interest=eur(5), principal=eur(100))

    def test_overpayment_returned(self) -> None:
        outstanding = Balance(costs=eur(40), interest=eur(10), principal=eur(100))
        result = allocate_within(eur(200), outstanding)
        assert result.unapplied == eur(50)
        assert result.remaining == Balance.zero()

    @pytest.mark.parametrize("amount", ["-1", "1.001"])
    def test_bad_amount(self, amount: str) -> None:
        with pytest.raises(InputError):
            allocate_within(Money(amount), Balance.zero())


class TestAcrossDebts:
    """BW 6:43: designated, due, most burdensome, oldest, then pro rata."""

    def test_designated_debt_first(self) -> None:
        c = case(debt("old", "100", due=D(2025, 1, 1)), debt("new", "100", due=D(2026, 2, 1)))
        result = allocate_payment(c, pay("60", designated="new"))
        assert result.applied_to("new").principal == eur(60)
        assert result.applied_to("old").total == eur(0)
        assert "designated" in result.lines[0].reason

    def test_designated_then_rest_by_default_order(self) -> None:
        c = case(debt("a", "100", due=D(2025, 1, 1)), debt("b", "50", due=D(2026, 2, 1)))
        result = allocate_payment(c, pay("80", designated="b"))
        assert result.applied_to("b").principal == eur(50)
        assert result.applied_to("a").principal == eur(30)

    def test_due_before_not_yet_due(self) -> None:
        c = case(debt("future", "100", due=D(2026, 6, 1)), debt("due", "100", due=D(2026, 2, 1)))
        result = allocate_payment(c, pay("100"))
        assert result.applied_to("due").principal == eur(100)
        assert result.case.debt("due").status is DebtStatus.PAID
        assert result.case.debt("future").is_open

    def test_public_claim_most_burdensome(self) -> None:
        c = case(
            debt("private", "100", due=D(2025, 1, 1)),
            debt("public", "100", due=D(2026, 1, 1), kind=ClaimKind.PUBLIC),
        )
        result = allocate_payment(c, pay("50"))
        assert result.applied_to("public").principal == eur(50)

    def test_interest_bearing_before_interest_free(self) -> None:
        c = case(
            debt("free", "100", due=D(2025, 1, 1), interest_kind=InterestKind.NONE),
            debt("commercial", "100", due=D(2026, 1, 1), interest_kind=InterestKind.COMMERCIAL),
            debt("consumer", "100", due=D(2025, 6, 1)),
        )
        result = allocate_payment(c, pay("150"))
        assert result.applied_to("commercial").principal == eur(100)
        assert result.applied_to("consumer").principal == eur(50)
        assert result.applied_to("free").total == eur(0)

    def test_burden_key_documented_order(self) -> None:
        public = debt("p", "1", kind=ClaimKind.PUBLIC, interest_kind=InterestKind.NONE)
        with_costs = debt("c", "1", costs="40")
        plain = debt("x", "1")
        assert burden_key(public) < burden_key(with_costs) < burden_key(plain)

    def test_oldest_first(self) -> None:
        c = case(debt("newer", "100", due=D(2025, 6, 1)), debt("older", "100", due=D(2025, 1, 1)))
        result = allocate_payment(c, pay("120"))
        assert result.applied_to("older").principal == eur(100)
        assert result.applied_to("newer").principal == eur(20)

    def test_pro_rata_when_equal(self) -> None:
        c = case(debt("a", "100"), debt("b", "200"), debt("c", "100"))
        result = allocate_payment(c, pay("100"))
        assert [result.applied_to(i).principal for i in "abc"] == [eur(25), eur(50), eur(25)]

    def test_pro_rata_keeps_every_cent(self) -> None:
        c = case(debt("a", "100"), debt("b", "100"), debt("c", "100"))
        result = allocate_payment(c, pay("100"))
        parts = [result.applied_to(i).principal for i in "abc"]
        assert sum(parts, eur(0)) == eur(100)
        assert sorted(parts) == [eur("33.33"), eur("33.33"), eur("33.34")]

    def test_within_each_debt_costs_interest_principal(self) -> None:
        c = case(debt("a", "100", costs="40", interest="5"))
        result = allocate_payment(c, pay("50"))
        assert [(line.part, line.amount) for line in result.lines] == [
            (LedgerPart.COSTS, eur(40)),
            (LedgerPart.INTEREST, eur(5)),
            (LedgerPart.PRINCIPAL, eur(5)),
        ]
        assert result.case.debt("a").outstanding == Balance(
            costs=eur(0), interest=eur(0), principal=eur(95)
        )

    def test_principal_first_option(self) -> None:
        c = case(debt("a", "100", costs="40", interest="5"))
        result = allocate_payment(c, pay("50"), order=AllocationOrder.PRINCIPAL_FIRST)
        assert result.case.debt("a").outstanding == Balance(
            costs=eur(40), interest=eur(5), principal=eur(50)
        )

    def test_overpayment_remainder_explicit(self) -> None:
        c = case(debt("a", "100", costs="40"), debt("b", "10"))
        result = allocate_payment(c, pay("200"))
        assert result.remainder == eur(50)
        assert result.applied == eur(150)
        assert all(not d.is_open for d in result.case.debts)

    def test_other_debtor_refused(self) -> None:
        c = case(debt("a", "100"))
        other = Payment(payment_id="x", debtor_id="p2", received_on=ON, amount=eur(1))
        with pytest.raises(InputError, match="another debtor"):
            allocate_payment(c, other)


debt_strategy = st.builds(
    lambda i, p, c, n, due, kind, ik: debt(
        f"d{i}",
        str(Money.from_minor_units(p).amount),
        costs=str(Money.from_minor_units(c).amount),
        interest=str(Money.from_minor_units(n).amount),
        due=due,
        kind=kind,
        interest_kind=ik,
    ),
    st.integers(min_value=0, max_value=10_000),
    st.integers(min_value=1, max_value=500_000),
    st.integers(min_value=0, max_value=10_000),
    st.integers(min_value=0, max_value=10_000),
    st.dates(min_value=D(2025, 1, 1), max_value=D(2026, 6, 1)),
    st.sampled_from(ClaimKind),
    st.sampled_from(InterestKind),
)


class TestProperties:
    """No cent is lost or created, and no part receives more than it has outstanding."""

    @given(
        st.lists(debt_strategy, min_size=1, max_size=6, unique_by=lambda d: d.debt_id),
        st.integers(min_value=0, max_value=2_000_000),
        st.sampled_from(AllocationOrder),
        st.booleans(),
    )
    def test_conservation(
        self, debts: list[Debt], cents: int, order: AllocationOrder, designate: bool
    ) -> None:
        c = case(*debts)
        payment = Payment(
            payment_id="p",
            debtor_id="p1",
            received_on=ON,
            amount=Money.from_minor_units(cents),
            designated_debt_id=debts[-1].debt_id if designate else None,
        )
        result = allocate_payment(c, payment, order=order)
        assert result.applied + result.remainder == payment.amount
        assert not result.remainder.is_negative
        for before in c.debts:
            after = result.case.debt(before.debt_id)
            got = result.applied_to(before.debt_id)
            assert after.outstanding == before.outstanding - got
            for part in ("costs", "interest", "principal"):
                assert not getattr(after.outstanding, part).is_negative
        # only an overpayment leaves a remainder
        if result.remainder.is_positive:
            assert all(not d.outstanding.total.is_positive for d in result.case.debts)
        assert all(line.amount.is_positive for line in result.lines)

    @given(
        st.integers(min_value=0, max_value=100_000),
        st.integers(min_value=0, max_value=100_000),
        st.integers(min_value=0, max_value=100_000),
        st.integers(min_value=0, max_value=400_000),
        st.sampled_from(AllocationOrder),
    )
    def test_within_conservation(
        self, costs: int, interest: int, principal: int, cents: int, order: AllocationOrder
    ) -> None:
        outstanding = Balance(
            costs=Money.from_minor_units(costs),
            interest=Money.from_minor_units(interest),
            principal=Money.from_minor_units(principal),
        )
        amount = Money.from_minor_units(cents)
        result = allocate_within(amount, outstanding, order)
        assert result.applied.total + result.unapplied == amount
        assert result.applied + result.remaining == outstanding
        for part in ("costs", "interest", "principal"):
            assert getattr(result.applied, part) <= getattr(outstanding, part)
            assert not getattr(result.remaining, part).is_negative
