"""Stored records: the plain values that cross the storage port (opgeslagen gegevens).

The storage adapter maps database rows to and from these frozen attrs values; the services and
the core never see a row or an ORM object. Domain objects (:class:`~maatwerk.core.debtors.Debtor`,
:class:`~maatwerk.core.debts.Debt`, :class:`~maatwerk.core.debts.Payment`, the events of
:mod:`maatwerk.core.events`) are used as they are; this module adds what only storage and the
daily run need: case keys, mandates, consents and holds as imported, what one evaluated case
leaves behind (decision, outbox entries, events, postings) and the review queue.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from typing import Any, Final

import attrs

from maatwerk.core._convert import to_member
from maatwerk.core.debtors import Debtor
from maatwerk.core.debts import AppliedPayment, Case, CostLine, Debt, InterestLine, Payment
from maatwerk.core.errors import MaatwerkError
from maatwerk.core.events import ConsentScope, Event
from maatwerk.core.events._vocabulary import to_consent_scope


__all__ = [
    "IMPORT_REFERENCES",
    "CaseKey",
    "CaseOutcome",
    "ConsentRecord",
    "DebtClosure",
    "DecisionRecord",
    "DeliveredItem",
    "HoldRecord",
    "ImportBatch",
    "ImportClash",
    "ImportCounts",
    "ImportKind",
    "ImportRecord",
    "Mandate",
    "OutboxEntry",
    "OutboxItem",
    "OutboxStatus",
    "PaymentApplication",
    "Posting",
    "ReviewItem",
    "ReviewStatus",
    "StateConflictError",
    "StoredCase",
]


class StateConflictError(MaatwerkError):
    """A stored record is not in the state the change expects (e.g. a review already decided)."""


@attrs.frozen(order=True)
class CaseKey:
    """Identifies a case (dossier): one debtor at one creditor. Ordered for keyset paging."""

    debtor_id: str
    creditor_id: str

    def __str__(self) -> str:
        return f"{self.debtor_id}/{self.creditor_id}"


@attrs.frozen(kw_only=True)
class Mandate:
    """A SEPA direct-debit mandate (machtiging) the debtor signed for a creditor."""

    mandate_id: str
    debtor_id: str
    creditor_id: str
    iban: str = attrs.field(repr=False)
    signed_on: dt.date
    collection_day: int | None = None
    """the day of the month the debtor chose for the debit (CAK: customers choose)"""
    revoked_on: dt.date | None = None

    def active_on(self, day: dt.date) -> bool:
        return self.signed_on <= day and (self.revoked_on is None or day < self.revoked_on)


# ---------------------------------------------------------------------- enum converters
# A value string becomes the member, anything else a ValueError (see maatwerk.core._convert).
def to_import_kind(value: ImportKind | str) -> ImportKind:
    return value if type(value) is ImportKind else to_member(ImportKind, value)


def to_outbox_status(value: OutboxStatus | str) -> OutboxStatus:
    return value if type(value) is OutboxStatus else to_member(OutboxStatus, value)


def to_review_status(value: ReviewStatus | str) -> ReviewStatus:
    return value if type(value) is ReviewStatus else to_member(ReviewStatus, value)


@attrs.frozen(kw_only=True)
class ConsentRecord:
    """A consent as imported; stored as a row and as ``ConsentGiven``/``ConsentRevoked`` events."""

    consent_id: str
    debtor_id: str
    scope: ConsentScope = attrs.field(converter=to_consent_scope)
    given_on: dt.date
    revoked_on: dt.date | None = None
    source: str = ""


@attrs.frozen(kw_only=True)
class HoldRecord:
    """A hold as imported; stored as a row and as a ``HoldPlaced`` event (scope debt or case)."""

    hold_id: str
    debtor_id: str
    reason: str
    starts_on: dt.date
    ends_on: dt.date | None = None
    debt_id: str | None = None
    note: str = ""


class ImportKind(enum.Enum):
    """What an import file holds."""

    PORTFOLIO = "portfolio"
    """one row per debt with its debtor's columns (debtor repeated per debt)"""
    DEBTORS = "debtors"
    DEBTS = "debts"
    PAYMENTS = "payments"
    MANDATES = "mandates"
    CONSENTS = "consents"
    HOLDS = "holds"


ImportRecord = Debtor | Debt | Payment | Mandate | ConsentRecord | HoldRecord


@attrs.frozen(kw_only=True)
class ImportBatch:
    """A whole, validated import file: written all at once or not at all."""

    kind: ImportKind = attrs.field(converter=to_import_kind)
    file_name: str
    file_sha256: str
    records: tuple[ImportRecord, ...]
    recorded_by: str = "import"
    recorded_on: dt.date | None = None
    """the day an audit record of a changed row carries when the row has no date of its own
    (a debtor row; e.g. a person's correction, ``maatwerk debtor housing``)"""


#: What a record of each imported entity refers to: (entity referred to, field of the record).
#: An empty field refers to nothing. The file is refused when one refers to a debtor or debt
#: that is neither earlier in it nor stored.
IMPORT_REFERENCES: Final[Mapping[str, tuple[tuple[str, str], ...]]] = {
    "debtor": (),
    "debt": (("debtor", "debtor_id"),),
    "payment": (("debtor", "debtor_id"), ("debt", "designated_debt_id")),
    "mandate": (("debtor", "debtor_id"),),
    "consent": (("debtor", "debtor_id"),),
    "hold": (("debtor", "debtor_id"), ("debt", "debt_id")),
}


@attrs.frozen(kw_only=True)
class ImportClash:
    """A row a streamed import cannot take: its key was on an earlier line with other values
    (``first_line`` set), or it refers to a debtor or debt that is neither in the file nor stored
    (``first_line`` is ``None``)."""

    line: int
    entity: str
    field: str
    ident: str
    first_line: int | None = None


@attrs.frozen(kw_only=True)
class ImportCounts:
    """What an import did: new rows, changed rows (each with an audit event), unchanged rows."""

    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    events: tuple[Event, ...] = ()
    """the domain events the import appended (consents, holds), for listeners"""

    def __add__(self, other: ImportCounts) -> ImportCounts:
        return ImportCounts(
            rows=self.rows + other.rows,
            inserted=self.inserted + other.inserted,
            updated=self.updated + other.updated,
            unchanged=self.unchanged + other.unchanged,
            events=self.events + other.events,
        )


@attrs.frozen(kw_only=True)
class StoredCase:
    """Everything stored about one case, as of the moment it was loaded.

    ``events`` are the debtor's domain events that concern this case (about one of its debts or
    about no debt in particular), in recorded order; the policy ignores the ones dated after its
    controlling date. ``payments`` are the debtor's received payments that belong to this case
    (designated to one of its debts, or undesignated and this is the debtor's first case by
    creditor id) and are not applied yet; applied parts are already in the debts' ledgers.
    """

    debtor: Debtor
    case: Case
    events: tuple[Event, ...] = ()
    mandates: tuple[Mandate, ...] = ()
    payments: tuple[Payment, ...] = ()

    @property
    def key(self) -> CaseKey:
        return CaseKey(self.case.debtor_id, self.case.creditor_id)

    def as_of(self, day: dt.date) -> StoredCase:
        """The case as it stood at the end of ``day``: the ledger lines and events dated after
        it left out, and only the unapplied payments received by then (mandates carry their own
        dates). A past day's explanation reads this, so a later payment does not count."""
        return attrs.evolve(
            self,
            case=self.case.as_of(day),
            events=tuple(e for e in self.events if e.occurred_on <= day),
            payments=tuple(p for p in self.payments if p.received_on <= day),
        )


@attrs.frozen(kw_only=True)
class PaymentApplication:
    """The part of a payment applied to one debt (written to the ledger with its batch)."""

    debt_id: str
    applied: AppliedPayment


@attrs.frozen(kw_only=True)
class DebtClosure:
    """A debt the run found paid in full by payments: stored as ``paid`` with ``closed_on``
    (once: the storage closes only a debt still stored as ``open``)."""

    debt_id: str
    closed_on: dt.date


@attrs.frozen(kw_only=True)
class DecisionRecord:
    """The decision for one case on one run date, as stored (besluit).

    ``outcome`` is ``"action"`` (a step goes ahead), ``"review"`` (a step waits for a person),
    ``"blocked"`` (a guard vetoed the step; ``blocked_by`` is the guard's reason code),
    ``"awaiting-review"`` (an earlier proposal of this step is still in the queue) or
    ``"none"`` (nothing to do today). ``detail`` is JSON-able: the reason chain and the
    table/policy versions used.
    """

    run_date: dt.date
    case: CaseKey
    policy: str
    outcome: str
    step: str | None = None
    action: str | None = None
    blocked_by: str | None = None
    detail: Mapping[str, Any] = attrs.field(factory=dict, hash=False)


@attrs.frozen(kw_only=True)
class OutboxEntry:
    """An action to hand to a channel, written in the same transaction as its decision.

    The unique key is case + step + run date; ``review`` puts it in the review queue first.
    """

    case: CaseKey
    run_date: dt.date
    step: str
    action: str
    channel: str
    debt_ids: tuple[str, ...] = ()
    payload: Mapping[str, Any] = attrs.field(factory=dict, hash=False)
    review: bool = False
    four_eyes: bool = True
    prepared_by: str = "engine"

    @property
    def idempotency_key(self) -> str:
        """Stable id of this action; channels may be idempotent on it."""
        return (
            f"{self.run_date.isoformat()}:{self.case.debtor_id}:{self.case.creditor_id}:{self.step}"
        )


@attrs.frozen(kw_only=True)
class Posting:
    """A cost or interest line to post on a debt exactly once (``posting_key`` is unique per debt)."""

    debt_id: str
    posting_key: str
    line: CostLine | InterestLine


@attrs.frozen(kw_only=True)
class CaseOutcome:
    """Everything one evaluated case leaves behind; recorded atomically with its batch."""

    decision: DecisionRecord
    outbox: tuple[OutboxEntry, ...] = ()
    events: tuple[Event, ...] = ()
    postings: tuple[Posting, ...] = ()
    applications: tuple[PaymentApplication, ...] = ()
    closures: tuple[DebtClosure, ...] = ()
    """debts paid in full by payments, to store as ``paid`` (:func:`~maatwerk.core.debts.paid_in_full`)"""
    wake_on: dt.date | None = None
    """the case may rest (is idle) until this day unless its data changes (``core/idle.py``);
    ``None``: evaluate it again on the next run"""
    rests_as: DecisionRecord | None = None
    """the decision the case rests with until ``wake_on`` when it is not ``decision``: a case
    that took a step today rests as the case reads once today's events and postings are
    written (``None``: it rests as ``decision``)"""


class OutboxStatus(enum.Enum):
    PENDING = "pending"
    """waits for the dispatcher"""
    REVIEW = "review"
    """waits for a person (maker-checker)"""
    DONE = "done"
    """delivered by its channel"""
    FAILED = "failed"
    """the channel failed; the dispatcher tries again on the next run"""
    REFUSED = "refused"
    """the channel refused it (bad or missing data); needs a person"""
    REJECTED = "rejected"
    """a reviewer rejected it; never sent"""


@attrs.frozen(kw_only=True)
class OutboxItem:
    """An outbox row as read back for dispatching or listing."""

    outbox_id: int
    entry: OutboxEntry
    status: OutboxStatus = attrs.field(converter=to_outbox_status)
    attempts: int = 0


class ReviewStatus(enum.Enum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


@attrs.frozen(kw_only=True)
class ReviewItem:
    """A step waiting for (or decided by) a person: maker-checker (vier-ogenprincipe)."""

    review_id: int
    item: OutboxItem
    prepared_by: str
    four_eyes: bool
    status: ReviewStatus = attrs.field(converter=to_review_status)
    decided_by: str | None = None
    reason: str | None = None


@attrs.frozen(kw_only=True)
class DeliveredItem:
    """An outbox row its channel delivered, with the receipt's reference (e.g. a file + id).

    The ``sepa-direct-debit`` channel's reference is ``<channel>/<file>#<EndToEndId>``: bank
    returns are matched to the collection through it.
    """

    item: OutboxItem
    reference: str
