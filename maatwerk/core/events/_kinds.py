"""The domain event kinds: the :class:`Event` base, its families and every kind, declared once."""

from __future__ import annotations

import datetime as dt
import types
from collections.abc import Mapping
from decimal import Decimal
from typing import ClassVar, Final

import attrs

from maatwerk.core.arrangements import PaymentMethod
from maatwerk.core.arrangements._model import to_payment_method
from maatwerk.core.events._vocabulary import (
    ActionKind,
    ConsentScope,
    ContactChannel,
    ContactOutcome,
    DebtHelpKind,
    DebtorFlag,
    HoldScope,
    MunicipalOutcome,
    ReturnReasonGroup,
    to_action_kind,
    to_consent_scope,
    to_contact_channel,
    to_contact_outcome,
    to_debt_help_kind,
    to_debtor_flag,
    to_hold_scope,
    to_municipal_outcome,
    to_return_reason_group,
)
from maatwerk.core.money import Money


__all__ = [
    "EVENT_TYPES",
    "ArrangementAccepted",
    "ArrangementBreached",
    "ArrangementCompleted",
    "ArrangementEvent",
    "ArrangementOffered",
    "ArrangementRejected",
    "BalanceReported",
    "ConsentEvent",
    "ConsentGiven",
    "ConsentRevoked",
    "ContactAttempt",
    "DebtAcknowledged",
    "DebtHelpEnded",
    "DebtHelpEvent",
    "DebtHelpStarted",
    "DebtorFlagged",
    "DisputeEvent",
    "DisputeOpened",
    "DisputeResolved",
    "Event",
    "FlagCleared",
    "FlagEvent",
    "FormalDemandSent",
    "FourteenDayLetterSent",
    "HoldEnded",
    "HoldEvent",
    "HoldPlaced",
    "PaymentReturned",
    "PromiseBroken",
    "PromiseEvent",
    "PromiseKept",
    "PromiseToPay",
    "ReferralAnswered",
    "RemittanceFlagged",
    "ReviewApproved",
    "ReviewEvent",
    "ReviewRejected",
    "SettlementAccepted",
    "SettlementCompleted",
    "SettlementEvent",
    "SettlementProposed",
    "SettlementRejected",
    "StepRefused",
    "StepTaken",
    "ZvwNoticeSent",
]

_REGISTRY: dict[str, type[Event]] = {}

#: kind string -> event class (the storage keys rows on ``kind``), in the order declared
EVENT_TYPES: Final[Mapping[str, type[Event]]] = types.MappingProxyType(_REGISTRY)


def _optional_payment_method(value: PaymentMethod | str | None) -> PaymentMethod | None:
    return None if value is None else to_payment_method(value)


@attrs.frozen(kw_only=True)
class Event:
    """Base of every domain event. ``KIND`` is the stable string the storage keys on.

    Declaring a subclass with a ``KIND`` registers it in :data:`EVENT_TYPES`: each event kind is
    stated once, in its class. A base without a ``KIND`` (such as :class:`ArrangementEvent`)
    only shares fields: its fields come first, in the order the stored records keep.
    """

    KIND: ClassVar[str] = ""

    occurred_on: dt.date
    debtor_id: str
    debt_id: str | None = None
    recorded_by: str = "engine"

    @property
    def kind(self) -> str:
        return type(self).KIND

    @classmethod
    def __attrs_init_subclass__(cls) -> None:
        kind = cls.__dict__.get("KIND")
        if not kind:
            return
        if kind in _REGISTRY:
            raise TypeError(f"event kind {kind!r} declared twice")
        attrs.resolve_types(cls)
        _REGISTRY[kind] = cls


# ---------------------------------------------------------------------------------- steps
@attrs.frozen(kw_only=True)
class StepTaken(Event):
    """A policy step was carried out (one consolidated communication for ``debt_ids``)."""

    KIND: ClassVar[str] = "step-taken"

    step_id: str
    action: ActionKind = attrs.field(converter=to_action_kind)
    channel: str
    debt_ids: tuple[str, ...] = ()
    policy: str = ""
    """``name@version`` of the policy that decided it"""


@attrs.frozen(kw_only=True)
class StepRefused(Event):
    """The action of a step taken was refused before or by its channel (it did not go out).

    Recorded with the outbox row's ``refused`` mark, dated the delivery day. The step then does
    not count as taken: :func:`~maatwerk.core.policy.casefile.derive_state` drops the latest
    :class:`StepTaken` of ``step_id`` for the same ``debt_ids``, so a refused early signal is not
    an offer of debt help and a refused hand-over is not a hand-over; the policy decides the
    step again when its guards allow it. ``reason`` is the refusal (it names no personal data).
    """

    KIND: ClassVar[str] = "step-refused"

    step_id: str
    action: ActionKind = attrs.field(converter=to_action_kind)
    debt_ids: tuple[str, ...] = ()
    decided_on: dt.date | None = None
    """the run date that decided it"""
    reason: str = ""


@attrs.frozen(kw_only=True)
class ContactAttempt(Event):
    """An attempt to reach the debtor (contactpoging) and what came of it."""

    KIND: ClassVar[str] = "contact-attempt"

    channel: ContactChannel = attrs.field(converter=to_contact_channel)
    outcome: ContactOutcome = attrs.field(converter=to_contact_outcome)
    note: str = ""


@attrs.frozen(kw_only=True)
class ReviewEvent(Event):
    """A person's review of a step that needed it (four-eyes), for ``debt_ids``."""

    step_id: str
    debt_ids: tuple[str, ...] = ()
    note: str = ""


@attrs.frozen(kw_only=True)
class ReviewApproved(ReviewEvent):
    """A person approved a step that needed review (four-eyes)."""

    KIND: ClassVar[str] = "review-approved"


@attrs.frozen(kw_only=True)
class ReviewRejected(ReviewEvent):
    """A person rejected a step that needed review; it is not proposed again for these debts."""

    KIND: ClassVar[str] = "review-rejected"


# ---------------------------------------------------------------------------------- holds
@attrs.frozen(kw_only=True)
class HoldEvent(Event):
    """An event about one hold (pauze), by ``hold_id``."""

    hold_id: str


@attrs.frozen(kw_only=True)
class HoldPlaced(HoldEvent):
    """A time-boxed pause (opschorting) from ``start`` up to and including ``end`` (open: None)."""

    KIND: ClassVar[str] = "hold-placed"

    scope: HoldScope = attrs.field(converter=to_hold_scope)
    reason: str
    start: dt.date
    end: dt.date | None = None


@attrs.frozen(kw_only=True)
class HoldEnded(HoldEvent):
    """A hold ended early; it no longer applies from ``occurred_on``."""

    KIND: ClassVar[str] = "hold-ended"


# ---------------------------------------------------------------------------------- consent
@attrs.frozen(kw_only=True)
class ConsentEvent(Event):
    """An event about the debtor's consent for ``scope``."""

    scope: ConsentScope = attrs.field(converter=to_consent_scope)


@attrs.frozen(kw_only=True)
class ConsentGiven(ConsentEvent):
    KIND: ClassVar[str] = "consent-given"


@attrs.frozen(kw_only=True)
class ConsentRevoked(ConsentEvent):
    KIND: ClassVar[str] = "consent-revoked"


# ---------------------------------------------------------------------------------- disputes
@attrs.frozen(kw_only=True)
class DisputeEvent(Event):
    """An event about one dispute, by ``dispute_id``."""

    dispute_id: str


@attrs.frozen(kw_only=True)
class DisputeOpened(DisputeEvent):
    """The debtor disputes a debt (``debt_id``) or the whole case (``debt_id`` None)."""

    KIND: ClassVar[str] = "dispute-opened"

    reason: str = ""


@attrs.frozen(kw_only=True)
class DisputeResolved(DisputeEvent):
    KIND: ClassVar[str] = "dispute-resolved"

    outcome: str = ""
    """e.g. ``upheld`` (claim stands), ``rejected`` (claim dropped), ``settled``"""


# ---------------------------------------------------------------------------------- debt help
@attrs.frozen(kw_only=True)
class DebtHelpEvent(Event):
    """An event about the debtor's debt help of ``help_kind``."""

    help_kind: DebtHelpKind = attrs.field(converter=to_debt_help_kind)


@attrs.frozen(kw_only=True)
class DebtHelpStarted(DebtHelpEvent):
    """Debt help, a stabilisation agreement, a settlement or WSNP started."""

    KIND: ClassVar[str] = "debt-help-started"

    organisation: str = ""


@attrs.frozen(kw_only=True)
class DebtHelpEnded(DebtHelpEvent):
    KIND: ClassVar[str] = "debt-help-ended"


@attrs.frozen(kw_only=True)
class ReferralAnswered(Event):
    """The municipality answered a debt-help referral (terugkoppeling), as imported.

    ``outcome``: accepted, in-debt-help or stabilisation hold the case (a :class:`DebtHelpStarted`
    is recorded with it); no-contact or refused end the pause after the referral, and the case
    resumes with a personal contact attempt (the policy's ``debt-help-resumed`` step).
    ``reference``: our reference as the municipality gave it back.
    """

    KIND: ClassVar[str] = "referral-answered"

    outcome: MunicipalOutcome = attrs.field(converter=to_municipal_outcome)
    reference: str = ""


# ---------------------------------------------------------------------------------- flags
@attrs.frozen(kw_only=True)
class FlagEvent(Event):
    """An event about one flag on the debtor."""

    flag: DebtorFlag = attrs.field(converter=to_debtor_flag)


@attrs.frozen(kw_only=True)
class DebtorFlagged(FlagEvent):
    KIND: ClassVar[str] = "debtor-flagged"

    note: str = ""


@attrs.frozen(kw_only=True)
class FlagCleared(FlagEvent):
    KIND: ClassVar[str] = "flag-cleared"


# ---------------------------------------------------------------------------------- arrangements
@attrs.frozen(kw_only=True)
class ArrangementEvent(Event):
    """An event about one payment arrangement, by ``arrangement_id``."""

    arrangement_id: str


@attrs.frozen(kw_only=True)
class ArrangementOffered(ArrangementEvent):
    """A payment arrangement was offered (aanbod betalingsregeling).

    ``schedule`` is the full plan: one ``(due date, amount)`` per instalment, in order (empty in
    records written before the schedule was stored: such a plan cannot be monitored and is
    trusted as kept while accepted). ``method`` (``direct-debit``, ``source-deduction``,
    ``transfer``), ``debit_day``/``payday`` and the grace settings (``tolerated_missed``,
    ``grace_days``, ``settle_days``; see :class:`maatwerk.core.arrangements.GracePolicy`) are
    optional; ``None`` means the default of the arrangements module. ``instalment`` and
    ``instalments`` (the first amount and the count) stay for older readers. ``payer_id`` and
    ``payer_name``: for a deduction at source, the employer or benefit agency that deducts
    (optional; older records have none).
    """

    KIND: ClassVar[str] = "arrangement-offered"

    debt_ids: tuple[str, ...] = ()
    instalment: Money | None = None
    instalments: int | None = None
    respond_by: dt.date | None = None
    schedule: tuple[tuple[dt.date, Money], ...] = ()
    method: PaymentMethod | None = attrs.field(default=None, converter=_optional_payment_method)
    debit_day: int | None = None
    payday: int | None = None
    tolerated_missed: int | None = None
    grace_days: int | None = None
    settle_days: int | None = None
    payer_id: str | None = None
    payer_name: str | None = None


@attrs.frozen(kw_only=True)
class ArrangementAccepted(ArrangementEvent):
    """The debtor accepted an offered arrangement.

    Without a ``schedule`` the offered plan is accepted as offered; with one (and the optional
    ``method``, ``debit_day``/``payday`` and grace settings, as in :class:`ArrangementOffered`)
    the accepted plan replaces the offered terms (e.g. agreed on the phone with another date).
    For a deduction at source the acceptance is the debtor's voluntary agreement: it carries the
    offer's ``payer_id``/``payer_name`` (optional; older records have none).
    """

    KIND: ClassVar[str] = "arrangement-accepted"

    schedule: tuple[tuple[dt.date, Money], ...] = ()
    method: PaymentMethod | None = attrs.field(default=None, converter=_optional_payment_method)
    debit_day: int | None = None
    payday: int | None = None
    tolerated_missed: int | None = None
    grace_days: int | None = None
    settle_days: int | None = None
    payer_id: str | None = None
    payer_name: str | None = None


@attrs.frozen(kw_only=True)
class ArrangementRejected(ArrangementEvent):
    KIND: ClassVar[str] = "arrangement-rejected"


@attrs.frozen(kw_only=True)
class ArrangementBreached(ArrangementEvent):
    """The plan is broken (instalments missed); ``occurred_on`` is the plan-breach date."""

    KIND: ClassVar[str] = "arrangement-breached"

    missed: int = 1


@attrs.frozen(kw_only=True)
class ArrangementCompleted(ArrangementEvent):
    KIND: ClassVar[str] = "arrangement-completed"


@attrs.frozen(kw_only=True)
class PromiseToPay(Event):
    """The debtor promised to pay ``amount`` by ``promised_for`` (betalingsbelofte).

    ``promise_id`` names it for its outcome (:class:`PromiseKept`, :class:`PromiseBroken`);
    empty in older records, whose :attr:`key` is made from the debtor and the dates.
    ``creditor_id``: the case it is about (empty: every case of the debtor). ``debt_id``: the one
    debt it is about (``None``: the whole case); only payments booked on it then count.
    """

    KIND: ClassVar[str] = "promise-to-pay"

    amount: Money
    promised_for: dt.date
    promise_id: str = ""
    creditor_id: str = ""

    @property
    def key(self) -> str:
        """``promise_id``, or for an older record one made from the debtor and its dates."""
        return self.promise_id or (
            f"{self.debtor_id}:{self.occurred_on.isoformat()}:{self.promised_for.isoformat()}"
        )

    def covers_case(self, creditor_id: str) -> bool:
        return not self.creditor_id or self.creditor_id == creditor_id


@attrs.frozen(kw_only=True)
class PromiseEvent(Event):
    """The run's judgement of one promise to pay (:attr:`PromiseToPay.key`), recorded once.

    ``paid``: what was paid toward it from the day it was made up to its last day (the promised
    day plus the policy's grace, ``promise_grace_days``).
    """

    promise_id: str
    paid: Money


@attrs.frozen(kw_only=True)
class PromiseKept(PromiseEvent):
    """The promised amount was paid in time; ``occurred_on`` is the day it was complete."""

    KIND: ClassVar[str] = "promise-kept"


@attrs.frozen(kw_only=True)
class PromiseBroken(PromiseEvent):
    """The promised amount was not (or only partly) paid by the promised day plus the grace;
    ``occurred_on`` is the day after that last day, ``outstanding`` what was still missing."""

    KIND: ClassVar[str] = "promise-broken"

    outstanding: Money


@attrs.frozen(kw_only=True)
class DebtAcknowledged(Event):
    """The debtor acknowledged the debt ``debt_id`` (``None``: every debt of the case then due).

    An acknowledgement interrupts limitation (BW 3:318; docs/rules/limitation.md): a new period
    starts the next day. ``how`` says how it was given (``letter``, ``email``, ``phone``,
    ``visit``, ``payment``, ``arrangement``); one given after the claim was already time-barred
    does not revive it.
    """

    KIND: ClassVar[str] = "debt-acknowledged"

    how: str = ""
    note: str = ""


# ---------------------------------------------------------------------------------- payments
@attrs.frozen(kw_only=True)
class RemittanceFlagged(Event):
    """A payer remitted more for ``period`` (``YYYY-MM``) than the deduction instruction sent to
    it asked (``instructed``): the ``remitted`` amount was booked as a payment, and a person
    checks it (a deduction above the agreed instalment may have gone below the protected
    income). ``payer_id`` is the employer's or benefit agency's id, never a person's data."""

    KIND: ClassVar[str] = "remittance-flagged"

    payer_id: str
    period: str
    instructed: Money
    remitted: Money
    payment_id: str = ""


@attrs.frozen(kw_only=True)
class PaymentReturned(Event):
    """A direct debit came back (stornering) with a SEPA reason code and its group."""

    KIND: ClassVar[str] = "payment-returned"

    reason_code: str
    group: ReturnReasonGroup = attrs.field(converter=to_return_reason_group)
    amount: Money | None = None
    collection_date: dt.date | None = None


@attrs.frozen(kw_only=True)
class FourteenDayLetterSent(Event):
    """A 14-day letter (BW 6:96 lid 6) stating ``stated_costs``; the term runs from receipt."""

    KIND: ClassVar[str] = "fourteen-day-letter-sent"

    stated_costs: Money
    sent_on: dt.date
    received_on: dt.date
    debt_ids: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class FormalDemandSent(Event):
    """An aanmaning (Awb 4:112) went out on ``sent_on`` (its channel delivered it).

    The 2-week term runs from the day after ``sent_on``; ``stated_costs`` is the Awb 4:113 fee
    the letter states (zero: none). Recorded only on delivery, never for a refused letter.
    """

    KIND: ClassVar[str] = "formal-demand-sent"

    sent_on: dt.date
    stated_costs: Money
    debt_ids: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class ZvwNoticeSent(Event):
    """A Zvw 18b notice went out on ``sent_on`` (its channel delivered it).

    ``second``: the second notice after a dispute the insurer maintains (18b lid 2; the debtor
    then has 4 weeks to go to the SKGZ or the court), else the first (18b lid 1: 4 weeks to
    dispute). The term runs from the day after ``received_on`` (presumed receipt);
    ``last_day`` is the last day the letter stated. Recorded only on delivery.
    """

    KIND: ClassVar[str] = "zvw-notice-sent"

    sent_on: dt.date
    received_on: dt.date
    last_day: dt.date
    second: bool = False
    debt_ids: tuple[str, ...] = ()


# ------------------------------------------------------------ Schuldenknooppunt (debt settlement)
@attrs.frozen(kw_only=True)
class BalanceReported(Event):
    """We answered debt help's balance request (saldoverzoek) ``request_id``: ``total`` owed on
    ``as_of`` over the claims ``debt_ids`` (``maatwerk knooppunt process``)."""

    KIND: ClassVar[str] = "balance-reported"

    request_id: str
    as_of: dt.date
    total: Money
    debt_ids: tuple[str, ...] = ()
    counsellor: str = ""


@attrs.frozen(kw_only=True)
class SettlementEvent(Event):
    """An event about one settlement proposal (betaalvoorstel), by ``proposal_id``."""

    proposal_id: str


@attrs.frozen(kw_only=True)
class SettlementProposed(SettlementEvent):
    """Debt help proposed a collective settlement: ``percentage`` % of ``claim_total`` (our claim
    on ``occurred_on`` over ``debt_ids``), that is ``amount``, paid by ``pay_by`` in full and
    final settlement. Waits for a person's decision (``maatwerk knooppunt decide``)."""

    KIND: ClassVar[str] = "settlement-proposed"

    percentage: Decimal
    claim_total: Money
    amount: Money
    pay_by: dt.date
    debt_ids: tuple[str, ...] = ()
    term_months: int = 0
    counsellor: str = ""


@attrs.frozen(kw_only=True)
class SettlementAccepted(SettlementEvent):
    """We accepted the proposal: once ``amount`` is received on ``debt_ids`` the rest is written
    off. A ``DebtHelpStarted`` of kind ``settlement`` holds the case meanwhile."""

    KIND: ClassVar[str] = "settlement-accepted"

    amount: Money
    pay_by: dt.date
    debt_ids: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class SettlementRejected(SettlementEvent):
    KIND: ClassVar[str] = "settlement-rejected"

    reason: str = ""


@attrs.frozen(kw_only=True)
class SettlementCompleted(SettlementEvent):
    """The settlement amount was received (``paid`` since acceptance): ``written_off`` of
    ``debt_ids`` is forgiven per its terms and those debts are closed as written off."""

    KIND: ClassVar[str] = "settlement-completed"

    paid: Money
    written_off: Money
    debt_ids: tuple[str, ...] = ()
