"""Messages with municipal debt help through the Schuldenknooppunt, and the pure rules on them.

The Schuldenknooppunt routes standard messages between debt counsellors and creditors (module
*Schuldregelen 2.0*). The counsellor sends a *Saldoverzoek* (what does this household owe you?)
and a *Betaalvoorstel* (a collective settlement: pay a percentage in full and final
settlement); the creditor answers with a *Saldoverzoek-antwoord* and a *Betaalvoorstel-antwoord*
(source: schuldenknooppunt.nl/hoe-werkt-het and its pages for software developers; see
``docs/formats/schuldenknooppunt.md``). The real message specification (SOAP/XML WSDLs) is only
given under the connection agreement, so the **fields here are assumed**: the smallest set a
creditor needs to answer, named after the Dutch practice (peildatum, hoofdsom/rente/kosten per vordering, percentage, betalen
vóór). A real adapter maps its XML onto these values.

Pure: no I/O, no clock. The amounts come from the ledger as it stood at the end of the request's
date (:meth:`maatwerk.core.debts.Debt.as_of`). The settlement amount is the percentage of the
total claim on the proposal's date, rounded half up to the cent (assumed: the counsellor's
percentage applies to the balance we gave).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Final, TypeAlias

import attrs

from maatwerk.core.debts import Case, Debt, Payment
from maatwerk.core.errors import InputError
from maatwerk.core.money import Money


__all__ = [
    "BalanceReply",
    "BalanceRequest",
    "ClaimBalance",
    "HubMessage",
    "HubReply",
    "InboxRejectedError",
    "ProposalDecision",
    "ProposalReply",
    "SettlementProposal",
    "balance_reply",
    "claim_balances",
    "settlement_amount",
]

_HUNDRED: Final = Decimal(100)


class InboxRejectedError(InputError):
    """Some messages are bad; none was taken. ``errors`` lists every problem; the error's own
    location is the first one's (the message's file and the field)."""

    def __init__(self, errors: Sequence[InputError]) -> None:
        self.errors = tuple(errors)
        listed = "; ".join(str(e) for e in self.errors)
        super().__init__(
            f"{len(self.errors)} problem(s), no message was taken: {listed}",
            self.errors[0].location,
        )


def _check_id(_instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not value.strip():
        raise ValueError(f"{attribute.name} must not be empty")


def _check_percentage(_instance: object, _attribute: object, value: Decimal) -> None:
    if not Decimal(0) < value <= _HUNDRED:
        raise ValueError(f"percentage must be more than 0 and at most 100, not {value}")


@attrs.frozen(kw_only=True)
class BalanceRequest:
    """Saldoverzoek: debt help asks what ``debtor_id`` owes on ``as_of`` (the peildatum).

    ``creditor_id`` names one of our creditors (empty: every case of the debtor with us).
    ``counsellor`` is the debt-help organisation (no person's name).
    """

    message_id: str = attrs.field(validator=_check_id)
    debtor_id: str = attrs.field(validator=_check_id)
    as_of: dt.date
    counsellor: str = ""
    creditor_id: str = ""


@attrs.frozen(kw_only=True)
class SettlementProposal:
    """Betaalvoorstel: a collective settlement (minnelijke schuldregeling) for ``debtor_id``.

    Every creditor gets ``percentage`` % of its claim as it stood on ``proposed_on``, paid by
    ``pay_by``, in full and final settlement; the rest is forgiven once that is paid.
    ``term_months``: how long the counsellor saves it up (0: a lump sum, e.g. a saneringskrediet).
    """

    message_id: str = attrs.field(validator=_check_id)
    debtor_id: str = attrs.field(validator=_check_id)
    proposed_on: dt.date
    percentage: Decimal = attrs.field(validator=_check_percentage)
    pay_by: dt.date
    term_months: int = 0
    counsellor: str = ""
    creditor_id: str = ""

    def __attrs_post_init__(self) -> None:
        if self.pay_by < self.proposed_on:
            raise ValueError("pay_by must not be before proposed_on")
        if self.term_months < 0:
            raise ValueError("term_months must be at least 0")


#: What the hub delivers to us.
HubMessage: TypeAlias = BalanceRequest | SettlementProposal


@attrs.frozen(kw_only=True)
class ClaimBalance:
    """One claim (vordering) as it stood on the request's date."""

    debt_id: str
    creditor_id: str
    reference: str
    category: str
    due_date: dt.date
    principal: Money
    interest: Money
    costs: Money

    @property
    def total(self) -> Money:
        return self.principal + self.interest + self.costs


@attrs.frozen(kw_only=True)
class BalanceReply:
    """Saldoverzoek-antwoord: our claims on ``as_of``; ``unallocated`` is money received by then
    that is not yet booked on a claim (it lowers ``total``)."""

    message_id: str = attrs.field(validator=_check_id)
    in_reply_to: str = attrs.field(validator=_check_id)
    debtor_id: str
    as_of: dt.date
    claims: tuple[ClaimBalance, ...]
    unallocated: Money = Money.zero()

    @property
    def total(self) -> Money:
        claims = sum((c.total for c in self.claims), Money.zero())
        return (claims - self.unallocated).clamp_zero()


class ProposalDecision(enum.Enum):
    ACCEPTED = "accepted"
    """akkoord"""
    REJECTED = "rejected"
    """niet akkoord"""


@attrs.frozen(kw_only=True)
class ProposalReply:
    """Betaalvoorstel-antwoord: accepted or rejected, and on acceptance what we will receive.

    ``claim_total``: our claim on the proposal's date; ``amount``: what we accept in full and
    final settlement (``percentage`` % of it, to be paid by ``pay_by``). ``reason``: why we
    rejected (required then).
    """

    message_id: str = attrs.field(validator=_check_id)
    in_reply_to: str = attrs.field(validator=_check_id)
    debtor_id: str
    decision: ProposalDecision
    decided_on: dt.date
    claim_total: Money
    amount: Money
    pay_by: dt.date
    reason: str = ""

    def __attrs_post_init__(self) -> None:
        if self.decision is ProposalDecision.REJECTED and not self.reason.strip():
            raise ValueError("a rejection needs a reason")


#: What we send to the hub.
HubReply: TypeAlias = BalanceReply | ProposalReply


def _claim(debt: Debt, day: dt.date) -> ClaimBalance | None:
    stood = debt.as_of(day)
    if not stood.is_open or stood.due_date > day:
        return None
    owed = stood.outstanding
    return ClaimBalance(
        debt_id=debt.debt_id,
        creditor_id=debt.creditor_id,
        reference=debt.reference,
        category=debt.category,
        due_date=debt.due_date,
        principal=owed.principal,
        interest=owed.interest,
        costs=owed.costs,
    )


def claim_balances(cases: Iterable[Case], day: dt.date) -> tuple[ClaimBalance, ...]:
    """Every claim that was due and open at the end of ``day``, principal/interest/costs as the
    ledger stood then (lines dated later left out), in case and debt order."""
    found = [
        claim
        for case in cases
        for debt in sorted(case.debts, key=lambda d: (d.due_date, d.debt_id))
        if (claim := _claim(debt, day)) is not None
    ]
    return tuple(found)


def balance_reply(
    request: BalanceRequest, cases: Sequence[Case], payments: Iterable[Payment]
) -> BalanceReply:
    """The answer to ``request`` from the debtor's ``cases`` and their unapplied ``payments``
    (only those received by the request's date count)."""
    day = request.as_of
    unallocated = sum(
        (p.amount for p in payments if p.received_on <= day), Money.zero()
    ).clamp_zero()
    return BalanceReply(
        message_id=f"{request.message_id}-antwoord",
        in_reply_to=request.message_id,
        debtor_id=request.debtor_id,
        as_of=day,
        claims=claim_balances(cases, day),
        unallocated=unallocated,
    )


def settlement_amount(claim_total: Money, percentage: Decimal) -> Money:
    """``percentage`` % of ``claim_total``, rounded half up to the cent."""
    return (claim_total * percentage).divided(_HUNDRED).rounded()
