"""Domain events (gebeurtenissen): the append-only facts the escalation policy reacts to.

Every event is a frozen attrs value with a common base :class:`Event`: the event ``kind`` (a
stable string, the class variable ``KIND``), the day it happened (``occurred_on``), the debtor,
optionally the one debt it is about (``debt_id``; ``None`` means the whole case of the debtor)
and who recorded it (``recorded_by``: a user name, a channel or ``"engine"``).

Events are never changed or deleted: a hold that ends early gets a :class:`HoldEnded`, a consent
that is withdrawn gets a :class:`ConsentRevoked`, a flag set in error gets a :class:`FlagCleared`.
The policy (:mod:`maatwerk.core.policy`) derives the current state (is there an open dispute? is
the debtor deceased? was step ``reminder-2`` already taken?) from the ordered events up to the
controlling date; events dated after that date are ignored, so a re-run for an earlier date
gives the same decision as on that day.

Field types are plain values only: ``str``, ``int``, ``bool``, ``datetime.date``, ``Money``,
``Decimal``, enums with string values, ``tuple[X, ...]`` and fixed tuples such as
``tuple[dt.date, Money]`` of these, and ``X | None`` of these. That lets
the storage serialise every event generically with :func:`event_to_record` /
:func:`event_from_record` (JSON-able dicts) and the :data:`EVENT_TYPES` registry. No personal
data belongs in an event (no names, IBAN, BSN, addresses); free-text ``note`` fields are for
case managers and must not be logged.
"""

from __future__ import annotations

import datetime as dt
import enum
import types
import typing
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, ClassVar, Final, TypeVar

import attrs

from maatwerk.core.arrangements import PaymentMethod
from maatwerk.core.money import Money


__all__ = [
    "EVENT_TYPES",
    "ActionKind",
    "ArrangementAccepted",
    "ArrangementBreached",
    "ArrangementCompleted",
    "ArrangementEvent",
    "ArrangementOffered",
    "ArrangementRejected",
    "ConsentEvent",
    "ConsentGiven",
    "ConsentRevoked",
    "ConsentScope",
    "ContactAttempt",
    "ContactChannel",
    "ContactOutcome",
    "DebtHelpEnded",
    "DebtHelpEvent",
    "DebtHelpKind",
    "DebtHelpStarted",
    "DebtorFlag",
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
    "HoldScope",
    "PaymentReturned",
    "PromiseToPay",
    "ReturnReasonGroup",
    "ReviewApproved",
    "ReviewEvent",
    "ReviewRejected",
    "StepTaken",
    "event_class",
    "event_from_record",
    "event_to_record",
    "sort_events",
]


# ---------------------------------------------------------------------------------- vocabulary
class ActionKind(enum.Enum):
    """What a policy step does (stap). Ordered here from mild to severe (see ``severity``)."""

    COURTESY_REMINDER = "courtesy-reminder"
    """vriendelijke herinnering vóór de vervaldatum"""
    PAYMENT_REMINDER = "payment-reminder"
    """betalingsherinnering"""
    DIRECT_DEBIT_REPRESENTATION = "direct-debit-representation"
    """nieuwe incasso-poging na een stornering (bij voorkeur net na de betaaldag)"""
    PHONE_CALL = "phone-call"
    """belopdracht: persoonlijk contact ("hoe kunnen we u helpen?")"""
    ARRANGEMENT_OFFER = "arrangement-offer"
    """aanbod betalingsregeling (Zvw 18a: binnen 10 werkdagen bij 2 maanden achterstand)"""
    DEBT_HELP_REFERRAL = "debt-help-referral"
    """doorverwijzing naar schuldhulpverlening (met toestemming)"""
    EARLY_SIGNAL = "early-signal"
    """vroegsignaal aan de gemeente (Wgs art. 3 lid 1 sub b)"""
    FOURTEEN_DAY_LETTER = "fourteen-day-letter"
    """veertiendagenbrief / ingebrekestelling met kosten (BW 6:96 lid 6)"""
    ZVW_NOTICE = "zvw-notice"
    """mededeling voornemen tot aanmelding bij het CAK (Zvw 18b, 4 maanden)"""
    FORMAL_DEMAND = "formal-demand"
    """aanmaning (Awb 4:112) voor publiekrechtelijke vorderingen; sommatie voor private"""
    ZVW_REPORT = "zvw-report"
    """aanmelding bij het CAK als wanbetaler (Zvw 18c, 6 maanden)"""
    BAILIFF_HANDOVER = "bailiff-handover"
    """overdracht aan de deurwaarder"""
    WRITE_OFF = "write-off"
    """afboeken (oninbaar)"""
    CLOSE = "close"
    """dossier sluiten (betaald, geregeld)"""

    @property
    def severity(self) -> int:
        """Rank from mild (0) to severe; used to pick the most severe due step."""
        return list(ActionKind).index(self)


class ContactChannel(enum.Enum):
    """How someone tried to reach the debtor."""

    PHONE = "phone"
    LETTER = "letter"
    EMAIL = "email"
    SMS = "sms"
    VISIT = "visit"
    """huisbezoek"""

    @property
    def is_personal(self) -> bool:
        """A *personal* contact attempt (persoonlijk contact; seed 002): a call or a visit."""
        return self in (ContactChannel.PHONE, ContactChannel.VISIT)


class ContactOutcome(enum.Enum):
    REACHED = "reached"
    NO_ANSWER = "no-answer"
    PROMISE = "promise"
    """belofte tot betaling"""
    DISPUTE = "dispute"
    """betwist de vordering"""
    CANT_PAY = "cant-pay"
    """kan niet betalen"""
    WONT_PAY = "wont-pay"
    """wil niet betalen"""


class HoldScope(enum.Enum):
    """What a hold (pauze) covers."""

    DEBT = "debt"
    CASE = "case"
    RUN = "run"
    """the whole daily run (e.g. a system incident); ``debtor_id`` is then ``"*"``"""


class ConsentScope(enum.Enum):
    """What the debtor agreed to (toestemming), dated and revocable."""

    MUNICIPAL_REFERRAL = "municipal-referral"
    """gegevens delen met de gemeente / doorverwijzen (seed 000)"""
    EARLY_SIGNAL = "early-signal"
    """vroegsignaal aan de gemeente"""
    DEBT_HELP_REFERRAL = "debt-help-referral"
    """doorverwijzing naar schuldhulpverlening of budgetcoach"""


class DebtHelpKind(enum.Enum):
    DEBT_HELP = "debt-help"
    """schuldhulpverlening loopt"""
    STABILISATION = "stabilisation"
    """schriftelijke stabilisatieovereenkomst (Zvw 18c: geen aanmelding)"""
    SETTLEMENT = "settlement"
    """minnelijke schuldregeling"""
    WSNP = "wsnp"
    """wettelijke schuldsanering"""


class DebtorFlag(enum.Enum):
    VULNERABLE = "vulnerable"
    DECEASED = "deceased"
    PROBLEMATIC_DEBT = "problematic-debt"
    """problematische schulden: more creditors, more than the household can repay"""
    BRP_MISMATCH = "brp-mismatch"
    """adres niet of anders in de BRP (Zvw 18c: geen aanmelding)"""


class ReturnReasonGroup(enum.Enum):
    """Groups of SEPA return reason codes (storneringsredenen) the policy cares about."""

    COULD_NOT_PAY = "could_not_pay"
    """e.g. AM04 insufficient funds"""
    REFUSED_OR_DISPUTED = "refused_or_disputed"
    """e.g. MD06 refund request, MS02 refused by debtor"""
    DECEASED = "deceased"
    """MD07"""
    DATA_ERROR = "data_error"
    """e.g. AC04 closed account, MD01 no mandate"""


# ---------------------------------------------------------------------------------- base
_REGISTRY: dict[str, type[Event]] = {}

#: kind string -> event class (the storage keys rows on ``kind``), in the order declared
EVENT_TYPES: Final[Mapping[str, type[Event]]] = types.MappingProxyType(_REGISTRY)


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
    action: ActionKind
    channel: str
    debt_ids: tuple[str, ...] = ()
    policy: str = ""
    """``name@version`` of the policy that decided it"""


@attrs.frozen(kw_only=True)
class ContactAttempt(Event):
    """An attempt to reach the debtor (contactpoging) and what came of it."""

    KIND: ClassVar[str] = "contact-attempt"

    channel: ContactChannel
    outcome: ContactOutcome
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

    scope: HoldScope
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

    scope: ConsentScope


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

    help_kind: DebtHelpKind


@attrs.frozen(kw_only=True)
class DebtHelpStarted(DebtHelpEvent):
    """Debt help, a stabilisation agreement, a settlement or WSNP started."""

    KIND: ClassVar[str] = "debt-help-started"

    organisation: str = ""


@attrs.frozen(kw_only=True)
class DebtHelpEnded(DebtHelpEvent):
    KIND: ClassVar[str] = "debt-help-ended"


# ---------------------------------------------------------------------------------- flags
@attrs.frozen(kw_only=True)
class FlagEvent(Event):
    """An event about one flag on the debtor."""

    flag: DebtorFlag


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
    ``instalments`` (the first amount and the count) stay for older readers.
    """

    KIND: ClassVar[str] = "arrangement-offered"

    debt_ids: tuple[str, ...] = ()
    instalment: Money | None = None
    instalments: int | None = None
    respond_by: dt.date | None = None
    schedule: tuple[tuple[dt.date, Money], ...] = ()
    method: PaymentMethod | None = None
    debit_day: int | None = None
    payday: int | None = None
    tolerated_missed: int | None = None
    grace_days: int | None = None
    settle_days: int | None = None


@attrs.frozen(kw_only=True)
class ArrangementAccepted(ArrangementEvent):
    """The debtor accepted an offered arrangement.

    Without a ``schedule`` the offered plan is accepted as offered; with one (and the optional
    ``method``, ``debit_day``/``payday`` and grace settings, as in :class:`ArrangementOffered`)
    the accepted plan replaces the offered terms (e.g. agreed on the phone with another date).
    """

    KIND: ClassVar[str] = "arrangement-accepted"

    schedule: tuple[tuple[dt.date, Money], ...] = ()
    method: PaymentMethod | None = None
    debit_day: int | None = None
    payday: int | None = None
    tolerated_missed: int | None = None
    grace_days: int | None = None
    settle_days: int | None = None


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
    """The debtor promised to pay ``amount`` by ``promised_for`` (betalingsbelofte)."""

    KIND: ClassVar[str] = "promise-to-pay"

    amount: Money
    promised_for: dt.date


# ---------------------------------------------------------------------------------- payments
@attrs.frozen(kw_only=True)
class PaymentReturned(Event):
    """A direct debit came back (stornering) with a SEPA reason code and its group."""

    KIND: ClassVar[str] = "payment-returned"

    reason_code: str
    group: ReturnReasonGroup
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


# ---------------------------------------------------------------------------------- records
E = TypeVar("E", bound=Event)


def event_class(kind: str) -> type[Event]:
    """The class registered for ``kind``; ``KeyError`` with the known kinds otherwise."""
    try:
        return EVENT_TYPES[kind]
    except KeyError:
        raise KeyError(f"unknown event kind {kind!r}; known: {sorted(EVENT_TYPES)}") from None


def sort_events(events: typing.Iterable[E]) -> tuple[E, ...]:
    """Stable order for evaluation: by ``occurred_on``, keeping insertion order within a day."""
    return tuple(sorted(events, key=lambda e: e.occurred_on))


def _dump(value: Any) -> Any:
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Money):
        return {"amount": str(value.amount), "currency": value.currency}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, tuple):
        return [_dump(v) for v in value]
    raise TypeError(f"cannot serialise {type(value).__name__} in an event")


def event_to_record(event: Event) -> dict[str, Any]:
    """A JSON-able dict: ``{"kind": ..., <field>: <plain value>}`` (dates ISO, Money as a dict)."""
    record: dict[str, Any] = {"kind": event.kind}
    for field in attrs.fields(type(event)):
        record[field.name] = _dump(getattr(event, field.name))
    return record


def _load(tp: Any, value: Any, where: str) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(tp) if a is not type(None)]
        return _load(options[0], value, where)
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_load(args[0], v, where) for v in value)
        if len(args) != len(value):
            raise ValueError(f"{where}: expected {len(args)} values, got {value!r}")
        return tuple(_load(a, v, where) for a, v in zip(args, value, strict=True))
    if tp is dt.date:
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    if tp is Money:
        if isinstance(value, Money):
            return value
        return Money(str(value["amount"]), str(value.get("currency", "EUR")))
    if tp is Decimal:
        return Decimal(str(value))
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tp(value)
    if tp in (str, int, bool):
        if not isinstance(value, tp) or (tp is int and isinstance(value, bool)):
            raise ValueError(f"{where}: expected {tp.__name__}, got {value!r}")
        return value
    raise TypeError(f"{where}: unsupported field type {tp!r}")


def event_from_record(record: Mapping[str, Any]) -> Event:
    """Inverse of :func:`event_to_record`; unknown kinds or fields raise ``KeyError``/``ValueError``."""
    cls = event_class(str(record["kind"]))
    fields = {f.name: f for f in attrs.fields(cls)}
    unknown = sorted(set(record) - set(fields) - {"kind"})
    if unknown:
        raise ValueError(f"event {cls.KIND!r}: unknown field {unknown[0]!r}")
    kwargs = {
        name: _load(fields[name].type, value, f"{cls.KIND}.{name}")
        for name, value in record.items()
        if name != "kind"
    }
    return cls(**kwargs)
