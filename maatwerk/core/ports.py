"""Ports: the typed interfaces (``typing.Protocol``) that adapters and plugins implement.

The core and the services depend only on these; adapters implement them. Sections:

* channels, importers and listeners (plugin contract; see ``maatwerk.plugins.hookspecs``)
* the debt settlement hub (Schuldenknooppunt: balance requests and settlement proposals)
* storage (the SQLAlchemy adapter implements it for SQLite and PostgreSQL)
"""

from __future__ import annotations

import datetime as dt
import enum
import pathlib
import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from decimal import Decimal
from typing import Any, Final, Protocol, TypeAlias, TypeVar, runtime_checkable

import attrs

from maatwerk.core._convert import to_member
from maatwerk.core.events import Event


# ============================================================================================
# Channels, importers and listeners (the plugin contract)
# ============================================================================================
#
# A *channel* (kanaal) takes outbox actions and delivers them: a letter file, a phone work list,
# a pain.008 direct-debit file, a bailiff dossier. An *importer* reads a file the organisation
# receives (portfolio, payments, bank returns) into typed records. A *listener* hears every
# domain event (audit trail, webhooks). All three are registered through pluggy hooks in
# ``maatwerk.plugins.hookspecs`` and chosen by name.

#: A plain value in an action's payload: JSON-able after ``Decimal`` -> string and date -> ISO.
#: Amounts are ``Decimal`` (never float); dates are ``datetime.date``.
PayloadValue: TypeAlias = (
    "str | int | bool | Decimal | dt.date | tuple[PayloadValue, ...] | Mapping[str, PayloadValue]"
    " | None"
)

#: Well-known payload keys. Channels read these; a channel that needs a key that is missing
#: *refuses* the action (it does not raise). Other keys are allowed and ignored.
PAYLOAD_DEBTOR_NAME = "debtor_name"  #: str, the name to address (personal data: never log it)
PAYLOAD_AMOUNT = "amount"  #: Decimal, total amount due now, in euros
PAYLOAD_PAY_BEFORE = "pay_before"  #: date, the date by which to pay
PAYLOAD_PHONE = "phone"  #: str, the debtor's phone number
PAYLOAD_ADDRESS = "address"  #: tuple[str, ...], postal address lines
#: mapping, the postal address by field: ``street``, ``house_number``, ``postcode``, ``city``,
#: ``extra`` (or None), ``country`` (ISO 3166 alpha-2); absent when the debtor has none
PAYLOAD_POSTAL_ADDRESS = "postal_address"
PAYLOAD_EXPLANATION = "explanation"  #: str, why this step (the decision's reason chain)
PAYLOAD_CREDITOR_NAME = "creditor_name"  #: str, who is writing
PAYLOAD_CREDITOR_PHONE = "creditor_phone"  #: str, who to call
PAYLOAD_REFERENCE = "reference"  #: str, the payment reference (betalingskenmerk)
PAYLOAD_ARREARS_MONTHS = "arrears_months"  #: int, months in arrears (orders work lists)
PAYLOAD_COLLECTION_COSTS = "collection_costs"  #: Decimal, costs stated in a 14-day letter
#: date, the day a letter goes out (the letter's date)
PAYLOAD_SENT_ON = "sent_on"
#: date, the day a letter counts as received (``maatwerk.core.calendar.presumed_receipt``)
PAYLOAD_RECEIVED_ON = "received_on"
#: date, the last day (inclusive) of the letter's legal term: to pay (14-day letter, aanmaning),
#: to dispute or go to the SKGZ/court (Zvw notice), to accept (Zvw 18a offer). Computed by the
#: core (``maatwerk.core.letter_dates``, Atw-extended); a channel prints it, never computes it.
PAYLOAD_LAST_DAY = "last_day"
#: tuple of mappings, the claims a letter is about: ``reference``, ``category``, ``due_date``,
#: ``outstanding`` (Decimal) each
PAYLOAD_CLAIMS_LIST = "claims_list"
#: bool, ``True`` when the debtor has an active direct-debit mandate for the creditor (a letter
#: then says the amount is debited; ``debtor_iban`` names the account)
PAYLOAD_DIRECT_DEBIT = "direct_debit"
#: tuple of mappings, the missed instalments of a running plan: ``number``, ``due_date``,
#: ``amount`` (still open); with ``catch_up_by`` (date, the plan's grace) and
#: ``next_instalment_on`` / ``next_instalment_amount``
PAYLOAD_MISSED_INSTALMENTS = "missed_instalments"


def _freeze(value: object) -> PayloadValue:
    if value is None or isinstance(value, (str, bool, int, Decimal, dt.date)):
        return value
    if isinstance(value, Mapping):
        return types.MappingProxyType({str(k): _freeze(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    raise TypeError(f"payload value of type {type(value).__name__} is not a plain value")


# ---------------------------------------------------------------------- enum converters
# A value string becomes the member, anything else a ValueError (see maatwerk.core._convert).
def to_delivery_status(value: DeliveryStatus | str) -> DeliveryStatus:
    return value if type(value) is DeliveryStatus else to_member(DeliveryStatus, value)


def _str_tuple(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


def _frozen_settings(settings: Mapping[str, str]) -> Mapping[str, str]:
    return types.MappingProxyType(dict(settings))


def freeze_payload(payload: Mapping[str, object]) -> Mapping[str, PayloadValue]:
    """Return a read-only deep copy of *payload*; lists become tuples. Floats are rejected."""
    frozen = _freeze(payload)
    if not isinstance(frozen, Mapping):  # pragma: no cover - _freeze keeps mappings mappings
        raise TypeError("payload must be a mapping")
    return frozen


@attrs.frozen(kw_only=True)
class OutboundAction:
    """One action from the outbox, for one channel (uitgaande actie).

    ``action_id`` is stable: the same step for the same case on the same date always has the
    same id, so a channel can be idempotent on it. ``kind`` is the policy's action kind value
    (``"payment-reminder"``, ``"phone-call"``, ``"bailiff-handover"``, ``"direct-debit"`` ...).
    ``payload`` is a read-only mapping of plain values; see the ``PAYLOAD_*`` keys.
    """

    action_id: str
    kind: str
    channel: str
    debtor_id: str
    creditor_id: str
    run_date: dt.date
    debt_ids: tuple[str, ...] = attrs.field(default=(), converter=_str_tuple)
    due_date: dt.date | None = None
    payload: Mapping[str, PayloadValue] = attrs.field(
        factory=dict, converter=freeze_payload, hash=False
    )

    def __attrs_post_init__(self) -> None:
        if not self.action_id.strip():
            raise ValueError("action_id must not be empty")


class DeliveryStatus(enum.Enum):
    """What happened to one action in a channel."""

    DELIVERED = "delivered"  #: written / sent / handed over
    FAILED = "failed"  #: the channel tried and could not (may be retried later)
    REFUSED = "refused"  #: the channel will not deliver this action (bad or missing data)


@attrs.frozen(kw_only=True)
class DeliveryReceipt:
    """A channel's answer for one action (ontvangstbewijs).

    ``reason`` is required for ``failed`` and ``refused``: a sentence a person can act on.
    ``reference`` names what was produced (a file name, an external id), never personal data.
    """

    action_id: str
    status: DeliveryStatus = attrs.field(converter=to_delivery_status)
    reason: str = ""
    reference: str = ""

    def __attrs_post_init__(self) -> None:
        if self.status is not DeliveryStatus.DELIVERED and not self.reason.strip():
            raise ValueError(f"a {self.status.value} receipt needs a reason")

    @classmethod
    def delivered(cls, action_id: str, reference: str = "") -> DeliveryReceipt:
        return cls(action_id=action_id, status=DeliveryStatus.DELIVERED, reference=reference)

    @classmethod
    def failed(cls, action_id: str, reason: str) -> DeliveryReceipt:
        return cls(action_id=action_id, status=DeliveryStatus.FAILED, reason=reason)

    @classmethod
    def refused(cls, action_id: str, reason: str) -> DeliveryReceipt:
        return cls(action_id=action_id, status=DeliveryStatus.REFUSED, reason=reason)


class SideEffects(Protocol):
    """Where a channel reports each call it makes outside maatwerk (the side-effect seam).

    A channel that talks to another system (an HTTP API, an SMS gateway, a mail server) calls
    ``context.side_effects.call(method, target, idempotency_key=...)`` just before each request.
    The daily run ignores the reports; the contract kit records them
    (:class:`maatwerk.testing.SideEffectRecorder`) and fails a channel that sends during a dry
    run, sends a changing request without an idempotency key, or sends one action twice under
    different keys. ``target`` is where the call goes (a URL without personal data).
    """

    def call(self, method: str, target: str, *, idempotency_key: str = "") -> None: ...


@attrs.frozen
class UnrecordedSideEffects:
    """The default :class:`SideEffects`: reports are not kept."""

    def call(self, method: str, target: str, *, idempotency_key: str = "") -> None:  # noqa: ARG002
        return None


@attrs.frozen(kw_only=True)
class DeliveryContext:
    """Where and for when a channel delivers.

    ``output_dir`` is the directory a file-writing channel writes under (it creates its own
    subdirectory, named after the channel). ``settings`` holds the channel's configuration from
    the organisation's config (creditor name, IBAN, creditor identifier, phone number ...).
    ``side_effects``: where a channel that calls other systems reports each call
    (:class:`SideEffects`; the run ignores them, the contract kit checks them).
    """

    output_dir: pathlib.Path
    run_date: dt.date
    settings: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen_settings, hash=False)
    dry_run: bool = False
    side_effects: SideEffects = attrs.field(factory=UnrecordedSideEffects, eq=False, hash=False)


#: Setting the dispatcher gives a channel for a case whose creditor has a profile: the creditor
#: id (a file-writing channel keeps each creditor's output apart, e.g. one pain.008 per creditor).
SETTING_CREDITOR_PROFILE: Final = "creditor_profile"


@attrs.frozen
class CreditorProfile:
    """One creditor of a deployment (``[creditors.<creditor_id>]`` in the settings file).

    ``settings``: the creditor's channel settings over the ``[channels]`` defaults (name, phone,
    IBAN, BIC, SEPA creditor id, KvK, municipal partner type). ``public``: a public-law creditor
    (a municipality, the CAK): only such a creditor sends an Awb aanmaning. ``policy``: the policy
    for its cases (``None``: the run's default).
    """

    settings: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen_settings)
    public: bool = False
    policy: str | None = None

    def over(self, defaults: Mapping[str, str], creditor_id: str) -> dict[str, str]:
        """The channel settings for this creditor's cases: its own over ``defaults``."""
        return {**defaults, **self.settings, SETTING_CREDITOR_PROFILE: creditor_id}


class Channel(Protocol):
    """A delivery channel (kanaal). Implementations are registered with ``maatwerk_register_channels``.

    Contract (checked by ``maatwerk.testing``):

    * ``deliver`` returns exactly one receipt per action, with the action's id, in input order;
    * an empty batch returns no receipts and does nothing;
    * delivering the same action id again gives the same outcome and no second copy;
    * bad or missing data refuses the action with a reason; it does not raise;
    * it never delivers an action whose ``channel`` is not its own name (refuses it).

    Optional: ``settings_problems(settings)`` (:class:`SettingsChecked`), which ``maatwerk run``
    and ``maatwerk demo`` call before anything is decided, so a channel that lacks a setting
    stops the run with a clear error instead of refusing every action.

    Before ``deliver`` is called, the run has checked each action's payload against its action
    kind's schema (``docs/plugins/payloads.md``) and the law's preconditions
    (:mod:`maatwerk.core.preconditions`); an action that fails never reaches the channel.
    """

    @property
    def name(self) -> str: ...

    def deliver(
        self, actions: Sequence[OutboundAction], context: DeliveryContext
    ) -> Sequence[DeliveryReceipt]: ...


@runtime_checkable
class SettingsChecked(Protocol):
    """A channel that can say, before a run, which of its settings are missing or wrong.

    ``settings`` are the channel settings the run will give it (``[channels]`` of the settings
    file and ``--setting``; with creditor profiles, each creditor's over those). Return one short
    sentence per problem, each naming the setting (``"setting 'api_url' is missing"``); an empty
    list when all is well. It must not raise and must not reach the network.
    """

    def settings_problems(self, settings: Mapping[str, str]) -> Sequence[str]:
        """One short sentence per problem, each naming the setting (empty: all is well)."""
        ...


RecordT_co = TypeVar("RecordT_co", covariant=True)


class Importer(Protocol[RecordT_co]):
    """Reads one file into typed records. Registered with ``maatwerk_register_importers``.

    Contract: a bad file raises :class:`maatwerk.core.errors.InputError` whose ``location``
    names the file and, where it applies, the line and the field. It never returns a partial
    result for a bad file, and never raises anything else for bad input.
    """

    @property
    def name(self) -> str: ...

    def read(self, path: pathlib.Path) -> Iterable[RecordT_co]: ...


class EventListener(Protocol):
    """Hears domain events (audit, webhooks). Registered through ``maatwerk_on_event``.

    Receives every :class:`maatwerk.core.events.Event` after it is recorded. It must ignore kinds
    it does not know, must not log personal data, and must not raise for an event it can handle
    later (an exception is reported as a :class:`~maatwerk.core.errors.PluginError`).
    """

    def on_event(self, event: Event) -> None: ...


# ---- end of the plugin-contract section (channels, importers, listeners) --------------------


# ============================================================================================
# Debt settlement hub (Schuldenknooppunt)
# ============================================================================================
#
# Municipal debt help asks a creditor for balances and proposes collective settlements through
# the Schuldenknooppunt (see ``maatwerk.core.debt_settlement`` for the messages). A hub adapter
# fetches what arrived and sends our answers; ``maatwerk.adapters.knooppunt_files`` is the
# file-based stand-in, a real one speaks the hub's web services. The contract is checked by
# ``maatwerk.testing.contracts.DebtSettlementHubContract``.

from maatwerk.core.debt_settlement import HubMessage, HubReply  # noqa: E402


class DebtSettlementHub(Protocol):
    """The Schuldenknooppunt port.

    Contract (checked by ``maatwerk.testing``):

    * ``receive`` returns every message waiting, in a stable order, or raises
      :class:`~maatwerk.core.errors.InputError` naming the message (file) and the field when any
      one is bad: all or nothing, never a partial list, never another exception for bad input;
    * receiving again without a change gives equal messages (the service is idempotent on
      ``message_id``);
    * ``send`` returns one reference per reply, in input order; sending a reply with the same
      ``message_id`` again gives the same reference and no second copy;
    * nothing it returns or writes outside the messages themselves carries personal data.
    """

    @property
    def name(self) -> str: ...

    def receive(self) -> Sequence[HubMessage]: ...

    def send(self, replies: Sequence[HubReply]) -> Sequence[str]: ...


# ---- end of the debt settlement hub section -------------------------------------------------


# ============================================================================================
# Storage (the SQLAlchemy adapter in ``maatwerk.adapters.storage`` implements it)
# ============================================================================================
#
# The services see the database only through these protocols and the plain values of
# ``maatwerk.core.records``. Every method that writes is one transaction: a batch of outcomes
# (decisions + outbox rows + events + postings) is recorded together or not at all, and the
# unique keys (case + run date for decisions, case + step + run date for the outbox, debt +
# posting key for costs and interest, natural keys for imported rows) make a rerun a no-op.

from maatwerk.core.records import (  # noqa: E402  (the storage section is self-contained)
    CaseKey,
    CaseOutcome,
    DecisionRecord,
    DeliveredItem,
    ImportBatch,
    ImportClash,
    ImportCounts,
    ImportKind,
    ImportRecord,
    OutboxItem,
    OutboxStatus,
    ReviewItem,
    ReviewStatus,
    StoredCase,
)


@attrs.frozen(kw_only=True)
class RecordedEvent:
    """An event as stored: its place in the append-only log and who/what wrote it."""

    sequence: int
    event: Event | None
    """``None`` for audit records that are not domain events (see ``kind``/``payload``)"""
    kind: str
    debtor_id: str
    debt_id: str | None
    occurred_on: dt.date
    payload: Mapping[str, object] = attrs.field(factory=dict, hash=False)
    recorded_by: str = ""
    """who or what wrote it (a user name, an import, a channel, ``"engine"``); ``""`` unknown"""


@attrs.frozen(kw_only=True)
class SubjectRows:
    """Everything stored about one debtor, as plain JSON-able rows (for the AVG art. 15 export).

    Each row is a column -> value mapping (dates ISO, amounts as strings with two decimals, no
    internal hashes); ``debtor`` leaves out the BSN when the deployment stores none.
    """

    debtor: Mapping[str, object] = attrs.field(hash=False)
    debts: tuple[Mapping[str, object], ...] = ()
    """each with ``cost_lines``, ``interest_lines`` and ``applied_payments``"""
    payments: tuple[Mapping[str, object], ...] = ()
    mandates: tuple[Mapping[str, object], ...] = ()
    consents: tuple[Mapping[str, object], ...] = ()
    holds: tuple[Mapping[str, object], ...] = ()
    decisions: tuple[Mapping[str, object], ...] = ()
    outbox: tuple[Mapping[str, object], ...] = ()
    """each with its payload, delivery status, receipt and review (if any)"""


class SubjectAccess(Protocol):
    """What the data-subject access export reads (separate from :class:`Store`, like
    :class:`ReturnsLedger`, so existing fakes of ``Store`` stay complete)."""

    def subject_rows(self, debtor_id: str) -> SubjectRows | None:
        """Every stored row about ``debtor_id``; ``None`` when there is no such debtor."""
        ...

    def history(self, debtor_id: str) -> Sequence[RecordedEvent]: ...


class CaseRepository(Protocol):
    """Loads cases in batches (streaming: memory does not grow with the portfolio)."""

    def case_keys(self, *, after: CaseKey | None, limit: int) -> Sequence[CaseKey]:
        """Up to ``limit`` keys of cases with at least one debt, in key order, after ``after``."""
        ...

    def load_cases(self, keys: Sequence[CaseKey]) -> Sequence[StoredCase]:
        """The stored cases for ``keys`` (set-based queries), in the order of ``keys``."""
        ...

    def cases_of_debtor(self, debtor_id: str) -> Sequence[CaseKey]: ...

    def count_cases(self) -> int:
        """How many cases there are (for progress reporting)."""
        ...


class EventLog(Protocol):
    """The append-only event log. Nothing is updated in place without an event."""

    def append(self, events: Sequence[Event], *, idempotency_key: str | None = None) -> int:
        """Append in one transaction; a repeated ``idempotency_key`` appends nothing (returns 0)."""
        ...

    def history(self, debtor_id: str) -> Sequence[RecordedEvent]:
        """Every record about the debtor (domain events and audit records), in log order."""
        ...


class RunLedger(Protocol):
    """Runs and their decisions; a batch of outcomes is recorded atomically."""

    def start_run(self, run_date: dt.date, *, dry_run: bool) -> int: ...

    def finish_run(self, run_id: int, *, status: str, summary: Mapping[str, object]) -> None: ...

    def decided(self, run_date: dt.date, keys: Sequence[CaseKey]) -> frozenset[CaseKey]:
        """Which of ``keys`` already have a decision for ``run_date``."""
        ...

    def record_outcomes(self, run_date: dt.date, outcomes: Sequence[CaseOutcome]) -> int:
        """Record decisions, outbox rows, events and postings in ONE transaction.

        Outcomes of cases already decided for ``run_date`` are skipped (a rerun is a no-op);
        returns how many were recorded.
        """
        ...

    def decision(self, key: CaseKey, run_date: dt.date) -> DecisionRecord | None: ...


class Outbox(Protocol):
    """The transactional outbox the dispatcher drains."""

    def claim_pending(
        self, *, after_id: int, limit: int, max_attempts: int = 5
    ) -> Sequence[OutboxItem]:
        """Pending rows, and failed rows tried fewer than ``max_attempts`` times, with id >
        ``after_id``, oldest first; counts an attempt."""
        ...

    def mark(
        self, outbox_id: int, status: OutboxStatus, *, reference: str = "", reason: str = ""
    ) -> None: ...

    def outbox_items(self, run_date: dt.date | None = None) -> Sequence[OutboxItem]: ...


class ReviewQueue(Protocol):
    """Steps that wait for a person (maker-checker)."""

    def reviews(
        self, status: ReviewStatus | None = ReviewStatus.PENDING
    ) -> Sequence[ReviewItem]: ...

    def get_review(self, review_id: int) -> ReviewItem:
        """The review; ``KeyError`` when there is none with this id."""
        ...

    def pending_steps(self, keys: Sequence[CaseKey]) -> frozenset[tuple[CaseKey, str]]:
        """(case, step) pairs of ``keys`` with a review still pending."""
        ...

    def decide_review(
        self, review_id: int, *, approved: bool, by: str, reason: str, events: Sequence[Event]
    ) -> ReviewItem:
        """Approve (outbox row -> pending) or reject (-> rejected), appending ``events``; atomic.

        :class:`~maatwerk.core.records.StateConflictError` when the review is not pending.
        """
        ...


class ImportStore(Protocol):
    """Writes a validated import file all at once."""

    def existing_ids(self, entity: str, ids: Iterable[str]) -> frozenset[str]:
        """Which of ``ids`` exist; ``entity`` is ``"debtor"`` or ``"debt"``."""
        ...

    def apply_import(self, batch: ImportBatch) -> ImportCounts:
        """Insert new rows, update changed rows (each with an audit record), in ONE transaction."""
        ...


class ImportSession(Protocol):
    """One import file written in parts inside ONE transaction (a streamed import).

    The store remembers every key the file had so far (a staging table), so a key listed again
    with other values and a reference to an unknown debtor or debt come back as clashes without
    the caller holding the file in memory. Leaving the session without :meth:`finish` writes
    nothing.
    """

    def stage(self, rows: Sequence[tuple[int, Sequence[ImportRecord]]]) -> Sequence[ImportClash]:
        """Write the records of these (line, records) rows; the clashes found, by line."""
        ...

    def stage_prepared(self, prepared: Any) -> Sequence[ImportClash]:
        """:meth:`stage` of rows already turned into the store's own form by its
        :meth:`StreamingImportStore.row_preparer` (in a reader's worker process)."""
        ...

    def finish(self, *, file_sha256: str) -> ImportCounts:
        """Note the file in the import audit and commit everything staged."""
        ...


class StreamingImportStore(Protocol):
    """A store that takes an import file in parts (:class:`ImportSession`)."""

    def open_import(
        self, kind: ImportKind, *, file_name: str, recorded_by: str
    ) -> AbstractContextManager[ImportSession]:
        """An import session in one transaction, rolled back unless it was finished."""
        ...

    def row_preparer(self) -> Callable[[Sequence[tuple[int, Sequence[ImportRecord]]]], Any]:
        """A module-level function (it is sent to worker processes by reference) that turns
        (line, records) rows into what :meth:`ImportSession.stage_prepared` takes: the part of
        writing that needs no database, done on another core while this process writes."""
        ...


class Store(CaseRepository, EventLog, RunLedger, Outbox, ReviewQueue, ImportStore, Protocol):
    """Everything the services need from storage."""


class ReturnsLedger(Protocol):
    """What the bank-returns import needs: delivered collections and an atomic, keyed append.

    Separate from :class:`Store` so existing fakes of ``Store`` stay complete; the SQL store
    implements both.
    """

    def delivered_items(self, *, actions: Iterable[str]) -> Sequence[DeliveredItem]:
        """Outbox rows with one of the action kinds ``actions`` that their channel delivered."""
        ...

    def record_keyed_events(
        self,
        events: Sequence[tuple[str, Event]],
        *,
        kind: str,
        file_name: str,
        file_sha256: str,
    ) -> tuple[tuple[str, Event], ...] | None:
        """Append each event whose key is new, and note the file, in ONE transaction.

        ``None`` (nothing written) when a file of ``kind`` with ``file_sha256`` was recorded
        before; otherwise the (key, event) pairs actually appended, in order (those whose key
        was already stored are left out).
        """
        ...


# ---- end of the storage section ------------------------------------------------------------
