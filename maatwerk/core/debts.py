"""Debts, their ledger, and cases (vordering, grootboek, dossier).

A :class:`Debt` is one claim. It is ``private`` (civil law, Burgerlijk Wetboek: statutory interest
6:119/6:119a, collection costs 6:96) or ``public`` (administrative law, Awb titel 4.4: aanmaning,
dwangbevel, no BIK). Its ledger holds what was charged (principal, cost lines, interest lines) and
what was paid toward each part. A :class:`Case` is all open debts of one debtor at one creditor:
one plan, one case manager.

Everything here is an immutable value; changes return a new object (``attrs.evolve``).
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
from collections.abc import Iterable

import attrs

from maatwerk.core._convert import to_member
from maatwerk.core.money import EUR, Money


__all__ = [
    "AppliedPayment",
    "Balance",
    "Case",
    "ClaimKind",
    "CostLine",
    "Debt",
    "DebtStatus",
    "InterestKind",
    "InterestLine",
    "Payment",
]


class ClaimKind(enum.Enum):
    """Legal regime of a claim."""

    PRIVATE = "private"
    """privaatrechtelijk (BW): statutory interest, BIK after a 14-day letter, bailiff after a judgment"""
    PUBLIC = "public"
    """bestuursrechtelijk (Awb titel 4.4): aanmaning (4:112), dwangbevel (4:114), no BIK"""


class InterestKind(enum.Enum):
    """Which statutory interest applies."""

    CONSUMER = "consumer"
    """wettelijke rente, BW 6:119 (also public claims, Awb 4:101-4:102)"""
    COMMERCIAL = "commercial"
    """wettelijke handelsrente, BW 6:119a"""
    NONE = "none"
    """no interest is charged (a creditor's humane choice, or Awb 4:98 under EUR 20)"""


class DebtStatus(enum.Enum):
    OPEN = "open"
    PAID = "paid"
    WRITTEN_OFF = "written-off"
    CANCELLED = "cancelled"


@attrs.frozen(kw_only=True)
class Balance:
    """An amount split into costs, interest and principal (the order of BW 6:44)."""

    costs: Money = Money.zero()
    interest: Money = Money.zero()
    principal: Money = Money.zero()

    @property
    def total(self) -> Money:
        return self.costs + self.interest + self.principal

    def __add__(self, other: Balance) -> Balance:
        return Balance(
            costs=self.costs + other.costs,
            interest=self.interest + other.interest,
            principal=self.principal + other.principal,
        )

    def __sub__(self, other: Balance) -> Balance:
        return Balance(
            costs=self.costs - other.costs,
            interest=self.interest - other.interest,
            principal=self.principal - other.principal,
        )

    @classmethod
    def zero(cls, currency: str = EUR) -> Balance:
        nil = Money.zero(currency)
        return cls(costs=nil, interest=nil, principal=nil)

    @classmethod
    def sum(cls, balances: Iterable[Balance]) -> Balance:
        result = cls.zero()
        for balance in balances:
            result = result + balance
        return result


@attrs.frozen(kw_only=True)
class CostLine:
    """A collection cost charged on a debt (BIK, aanmaning fee, ...), with the table it came from."""

    posted_on: dt.date
    amount: Money
    kind: str
    """e.g. ``"bik"``, ``"aanmaning"``, ``"dwangbevel"``"""
    table: str = ""
    """the table version that produced the amount, e.g. ``bik@2012-07-01``"""


@attrs.frozen(kw_only=True)
class InterestLine:
    """Statutory interest posted for ``[period_from, period_to)``."""

    posted_on: dt.date
    amount: Money
    period_from: dt.date
    period_to: dt.date
    table: str = ""


@attrs.frozen(kw_only=True)
class Payment:
    """Money received (betaling). ``designated_debt_id``: the debtor said which debt (BW 6:43)."""

    payment_id: str
    debtor_id: str
    received_on: dt.date
    amount: Money
    designated_debt_id: str | None = None
    reference: str = ""


@attrs.frozen(kw_only=True)
class AppliedPayment:
    """The part of one payment applied to one debt, split by ledger part."""

    payment_id: str
    applied_on: dt.date
    parts: Balance


# ---------------------------------------------------------------------- enum converters
# A value string becomes the member, anything else a ValueError (see maatwerk.core._convert).
def to_claim_kind(value: ClaimKind | str) -> ClaimKind:
    return value if type(value) is ClaimKind else to_member(ClaimKind, value)


def to_interest_kind(value: InterestKind | str) -> InterestKind:
    return value if type(value) is InterestKind else to_member(InterestKind, value)


def to_debt_status(value: DebtStatus | str) -> DebtStatus:
    return value if type(value) is DebtStatus else to_member(DebtStatus, value)


@attrs.frozen(kw_only=True)
class Debt:
    """One claim (vordering) and its ledger.

    ``default_date`` is the first day of default (verzuim, BW 6:81): interest runs from it.
    Without an explicit one it is the day after ``due_date`` (a fatale termijn, 6:83 sub a).
    ``consumer``: the debtor is a natural person not acting in a business (14-day letter rule).
    ``periodic``: a premium or other amount payable yearly or more often (BW 3:308 limitation,
    6:96 lid 8 instalments).
    """

    debt_id: str
    debtor_id: str
    creditor_id: str
    principal: Money
    due_date: dt.date
    kind: ClaimKind = attrs.field(default=ClaimKind.PRIVATE, converter=to_claim_kind)
    category: str = "invoice"
    """what the claim is for: ``premium``, ``care-contribution``, ``invoice``, ``rent``, ..."""
    issued_on: dt.date | None = None
    default_date_override: dt.date | None = attrs.field(default=None, alias="default_date")
    consumer: bool = True
    periodic: bool = False
    interest_kind: InterestKind = attrs.field(
        default=InterestKind.CONSUMER, converter=to_interest_kind
    )
    costs: tuple[CostLine, ...] = ()
    interest: tuple[InterestLine, ...] = ()
    applied: tuple[AppliedPayment, ...] = ()
    status: DebtStatus = attrs.field(default=DebtStatus.OPEN, converter=to_debt_status)
    closed_on: dt.date | None = None
    reference: str = ""

    @functools.cached_property
    def default_date(self) -> dt.date:
        """Computed once per value (debts are frozen): the policy engine asks for it often."""
        if self.default_date_override is not None:
            return self.default_date_override
        return self.due_date + dt.timedelta(days=1)

    @property
    def currency(self) -> str:
        return self.principal.currency

    @property
    def charged(self) -> Balance:
        """Everything charged: principal, every cost line, every interest line."""
        nil = Money.zero(self.currency)
        return Balance(
            costs=sum((c.amount for c in self.costs), nil),
            interest=sum((i.amount for i in self.interest), nil),
            principal=self.principal,
        )

    @property
    def paid(self) -> Balance:
        return (
            Balance.sum(a.parts for a in self.applied)
            if self.applied
            else Balance.zero(self.currency)
        )

    @functools.cached_property
    def outstanding(self) -> Balance:
        """What is still owed, per ledger part (computed once per value: debts are frozen)."""
        return self.charged - self.paid

    def principal_open_on(self, day: dt.date) -> Money:
        """The principal still open at the end of ``day``: the principal less the principal part of
        every payment applied by then (never below zero).

        This is the base of the collection costs a 14-day letter states (BW 6:96, Besluit BIK
        art. 2: the claim as it stands when the letter is sent; docs/rules/collection-costs.md):
        a part payment before the letter lowers the costs, one after it does not.
        """
        paid = Money.zero(self.currency)
        for applied in self.applied:
            if applied.applied_on <= day:
                paid = paid + applied.parts.principal
        return (self.principal - paid).clamp_zero()

    @functools.cached_property
    def is_open(self) -> bool:
        """Computed once per value (debts are frozen): cases filter their open debts often."""
        return self.status is DebtStatus.OPEN and self.outstanding.total.is_positive

    def is_due(self, today: dt.date) -> bool:
        """Opeisbaar: the due date has passed (payment was due on or before ``today``)."""
        return self.due_date <= today

    def in_default(self, today: dt.date) -> bool:
        return self.is_open and today >= self.default_date

    def as_of(self, day: dt.date) -> Debt:
        """The debt as its ledger stood at the end of ``day``: the cost, interest and payment
        lines dated after it left out, and a debt paid, written off or cancelled after it open
        again (what ``explain --date`` shows)."""
        costs = tuple(c for c in self.costs if c.posted_on <= day)
        interest = tuple(i for i in self.interest if i.posted_on <= day)
        applied = tuple(a for a in self.applied if a.applied_on <= day)
        reopened = self.closed_on is not None and self.closed_on > day
        if (
            len(costs) == len(self.costs)
            and len(interest) == len(self.interest)
            and len(applied) == len(self.applied)
            and not reopened
        ):
            return self
        return attrs.evolve(
            self,
            costs=costs,
            interest=interest,
            applied=applied,
            status=DebtStatus.OPEN if reopened else self.status,
            closed_on=None if reopened else self.closed_on,
        )

    def with_cost(self, line: CostLine) -> Debt:
        return attrs.evolve(self, costs=(*self.costs, line))

    def with_interest(self, line: InterestLine) -> Debt:
        return attrs.evolve(self, interest=(*self.interest, line))

    def with_payment(self, applied: AppliedPayment) -> Debt:
        """Record a payment part; a debt paid in full becomes ``PAID`` on that day."""
        debt = attrs.evolve(self, applied=(*self.applied, applied))
        if debt.status is DebtStatus.OPEN and not debt.outstanding.total.is_positive:
            debt = attrs.evolve(debt, status=DebtStatus.PAID, closed_on=applied.applied_on)
        return debt


@attrs.frozen(kw_only=True)
class Case:
    """All debts of one debtor at one creditor (dossier): one plan, one case manager."""

    debtor_id: str
    creditor_id: str
    debts: tuple[Debt, ...] = ()

    def __attrs_post_init__(self) -> None:
        for debt in self.debts:
            if debt.debtor_id != self.debtor_id or debt.creditor_id != self.creditor_id:
                raise ValueError(
                    f"debt {debt.debt_id} belongs to another debtor or creditor than case "
                    f"{self.debtor_id}/{self.creditor_id}"
                )

    @functools.cached_property
    def open_debts(self) -> tuple[Debt, ...]:
        """Computed once per value (a case and its debts are frozen)."""
        return tuple(d for d in self.debts if d.is_open)

    @property
    def outstanding(self) -> Balance:
        return Balance.sum(d.outstanding for d in self.open_debts)

    def arrears(self, today: dt.date) -> Money:
        """Outstanding principal of debts already due (excluding interest and costs)."""
        nil = Money.zero()
        return sum((d.outstanding.principal for d in self.open_debts if d.is_due(today)), nil)

    def as_of(self, day: dt.date) -> Case:
        """The case as its ledger stood at the end of ``day`` (:meth:`Debt.as_of`)."""
        return attrs.evolve(self, debts=tuple(d.as_of(day) for d in self.debts))

    def debt(self, debt_id: str) -> Debt:
        for debt in self.debts:
            if debt.debt_id == debt_id:
                return debt
        raise KeyError(debt_id)

    def replace_debt(self, debt: Debt) -> Case:
        return attrs.evolve(
            self, debts=tuple(debt if d.debt_id == debt.debt_id else d for d in self.debts)
        )
