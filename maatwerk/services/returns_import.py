"""Import bank returns (storneringen): match them to our collections and record what happened.

``import_returns(store, returns, file_name=..., file_sha256=..., received_on=...)`` takes the
returned and rejected collections an importer read from one bank file (camt.053/054, pain.002,
MT940; see :mod:`maatwerk.adapters.returns`) and:

1. builds the collections we sent from the outbox: rows with a direct-debit action that the
   ``sepa-direct-debit`` channel delivered; the receipt's reference ends in ``#<EndToEndId>``;
2. matches each return on EndToEndId (+ mandate id when the bank gives one) and checks the
   amount (:func:`maatwerk.core.returns.match_returns`);
3. **all or nothing**: when any return is unknown, has no EndToEndId, or its mandate or amount
   differs, nothing is recorded and :class:`ReturnsRejectedError` lists every such return with
   its place in the file (exit code 2 on the command line). A person sorts it out; we never guess;
4. otherwise records, in ONE transaction, for each matched return a
   :class:`~maatwerk.core.events.PaymentReturned` event (dated the booking date, or
   ``received_on`` for a pre-settlement reject without one) plus what the policy needs to react:

   * ``could_not_pay`` (AM04, MS03): only the event. The policy then offers contact and an
     arrangement; its ``direct-debit-representation`` step (``max_times = 1``, capped at
     :data:`~maatwerk.core.returns.MAX_RE_PRESENTATIONS` in the core) re-presents at most once,
     aligned to payday; there is no other automatic retry;
   * ``refused_or_disputed`` (MD06, MS02, MD01, SL01, AC06): also a
     :class:`~maatwerk.core.events.DisputeOpened` (id ``return:<EndToEndId>``): the dispute guard
     stops hard steps until a person resolves it, and no re-collection happens;
   * ``deceased`` (MD07): also :class:`~maatwerk.core.events.DebtorFlagged` ``deceased`` about the
     whole debtor, so every case of the debtor stops;
   * ``data_error`` (AC04, MD02, ...): only the event, for a person to fix the data (no
     re-collection, no fees).

Idempotent: a file whose SHA-256 was imported before is a no-op; each event carries the key
``return:<EndToEndId>:<reason>[:<consequence>]``, so the same return reported again in another
file (a camt.054 and the day's camt.053) is recorded once.

Ledger: the daily run does not book a delivered collection as paid (money is booked only when a
payment is imported and applied by the run), so a return needs no reversal posting here. When an
organisation imports the settled collection as a payment, it must not import that payment for a
collection that came back (open point: payments carry no EndToEndId to link them).

Events are announced to ``listener`` only after the transaction committed.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Final

import attrs

from maatwerk.core.errors import InputError, Location
from maatwerk.core.events import (
    ActionKind,
    DebtorFlag,
    DebtorFlagged,
    DisputeOpened,
    Event,
    ReturnReasonGroup,
)
from maatwerk.core.money import Money
from maatwerk.core.ports import EventListener, ReturnsLedger
from maatwerk.core.records import DeliveredItem
from maatwerk.core.returns import (
    MatchStatus,
    Reaction,
    ReturnedCollection,
    ReturnMatch,
    SentCollection,
    match_returns,
    reaction_for,
    returned_event,
)
from maatwerk.services.announce import ListenerFailure, announce


__all__ = [
    "DIRECT_DEBIT_ACTIONS",
    "RETURNS_IMPORT_KIND",
    "RecordedReturn",
    "ReturnsImportResult",
    "ReturnsRejectedError",
    "import_returns",
    "sent_collections",
]

#: Outbox action kinds that are direct-debit collections.
DIRECT_DEBIT_ACTIONS: Final = ("direct-debit", ActionKind.DIRECT_DEBIT_REPRESENTATION.value)
#: The channel whose receipts name the collection's EndToEndId.
SEPA_CHANNEL: Final = "sepa-direct-debit"
#: ``kind`` under which an imported returns file is noted (``import_audit``).
RETURNS_IMPORT_KIND: Final = "returns"

_WHY: Final[Mapping[MatchStatus, tuple[str, str]]] = {
    MatchStatus.UNKNOWN: ("EndToEndId", "no collection we sent has this EndToEndId"),
    MatchStatus.NO_REFERENCE: ("EndToEndId", "the bank gave no EndToEndId; we do not guess"),
    MatchStatus.MANDATE_MISMATCH: ("MndtId", "the mandate id differs from the collection's"),
    MatchStatus.AMOUNT_MISMATCH: ("Amt", "the amount differs from the collection's"),
}


class ReturnsRejectedError(InputError):
    """Some returns match no collection; nothing was recorded. ``errors`` lists each one."""

    def __init__(self, file_name: str, errors: Sequence[InputError]) -> None:
        self.errors = tuple(errors)
        super().__init__(
            f"{len(self.errors)} return(s) do not match a collection we sent; nothing was recorded",
            Location(file=file_name),
        )


@attrs.frozen(kw_only=True)
class RecordedReturn:
    """One matched return and the policy's reaction to it."""

    end_to_end_id: str
    debtor_id: str
    debt_id: str | None
    amount: Money
    reason: str | None
    group: ReturnReasonGroup
    reaction: Reaction
    new: bool
    """``False`` when this return was recorded before (from another file)"""


@attrs.frozen(kw_only=True)
class ReturnsImportResult:
    """What an import did."""

    file_name: str
    already_imported: bool
    returns: tuple[RecordedReturn, ...] = ()
    duplicates: int = 0
    """returns listed more than once in the file (recorded once)"""
    events: tuple[Event, ...] = ()
    """the events written (and announced)"""
    listener_failures: tuple[ListenerFailure, ...] = ()


# ---------------------------------------------------------------------------------- collections
def _text(payload: Mapping[str, Any], key: str) -> str | None:
    value = payload.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _sent(delivered: DeliveredItem) -> SentCollection | None:
    channel, _sep, e2e = delivered.reference.rpartition("#")
    if not channel.startswith(f"{SEPA_CHANNEL}/") or not e2e:
        return None
    entry = delivered.item.entry
    payload = entry.payload
    amount = payload.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, (Decimal, int)):
        return None
    collection_date = payload.get("collection_date", payload.get("pay_before"))
    if not isinstance(collection_date, dt.date):
        collection_date = entry.run_date
    return SentCollection(
        collection_id=entry.idempotency_key,
        debtor_id=entry.case.debtor_id,
        end_to_end_id=e2e,
        mandate_id=_text(payload, "mandate_id") or "",
        amount=Money(Decimal(amount)).rounded(),
        collection_date=collection_date,
        debt_id=entry.debt_ids[0] if entry.debt_ids else None,
    )


def sent_collections(items: Sequence[DeliveredItem]) -> tuple[SentCollection, ...]:
    """The collections the ``sepa-direct-debit`` channel delivered, from outbox rows.

    A collection covering several debts is attributed to its first debt, so the return's event
    stays within that creditor's case.
    """
    return tuple(s for s in (_sent(i) for i in items) if s is not None)


# ---------------------------------------------------------------------------------- the import
def _unmatched(file_name: str, matches: Sequence[ReturnMatch]) -> list[InputError]:
    errors: list[InputError] = []
    for number, match in enumerate(matches, start=1):
        if match.status in (MatchStatus.MATCHED, MatchStatus.DUPLICATE):
            continue
        field, why = _WHY[match.status]
        item = match.returned
        errors.append(
            InputError(
                f"return {number} ({item.end_to_end_id or 'no EndToEndId'}, "
                f"EUR {item.amount.format()}, {item.reason or 'no reason'}): {why}",
                Location(file=file_name, field=f"return[{number}].{field}"),
            )
        )
    return errors


def _key(match: ReturnMatch) -> str:
    collection = match.collection
    assert collection is not None  # noqa: S101 - only matched returns get here
    return f"return:{collection.end_to_end_id}:{match.returned.reason or '-'}"


def _consequences(match: ReturnMatch, event: Event) -> list[tuple[str, Event]]:
    key = _key(match)
    group = match.returned.group
    if group is ReturnReasonGroup.REFUSED_OR_DISPUTED:
        reason = match.returned.reason or "?"
        return [
            (
                f"{key}:dispute",
                DisputeOpened(
                    occurred_on=event.occurred_on,
                    debtor_id=event.debtor_id,
                    debt_id=event.debt_id,
                    recorded_by=event.recorded_by,
                    dispute_id=f"return:{match.collection.end_to_end_id}"
                    if match.collection
                    else "return",
                    reason=f"direct debit refused or disputed at the bank ({reason})",
                ),
            )
        ]
    if group is ReturnReasonGroup.DECEASED:
        return [
            (
                f"{key}:deceased",
                DebtorFlagged(
                    occurred_on=event.occurred_on,
                    debtor_id=event.debtor_id,
                    recorded_by=event.recorded_by,
                    flag=DebtorFlag.DECEASED,
                    note="bank return MD07 (debtor deceased)",
                ),
            )
        ]
    return []


def import_returns(
    store: ReturnsLedger,
    returns: Sequence[ReturnedCollection],
    *,
    file_name: str,
    file_sha256: str,
    received_on: dt.date,
    recorded_by: str = "returns-import",
    listener: EventListener | None = None,
) -> ReturnsImportResult:
    """Match ``returns`` to delivered collections and record them all at once (see module doc).

    ``received_on`` dates a reject that has no booking date (pain.002). Raises
    :class:`ReturnsRejectedError` (nothing recorded) when any return does not match.
    """
    delivered = store.delivered_items(actions=DIRECT_DEBIT_ACTIONS)
    collections = sent_collections(delivered)
    matches = match_returns(returns, collections)
    errors = _unmatched(file_name, matches)
    if errors:
        raise ReturnsRejectedError(file_name, errors)
    represented = Counter(
        (d.item.entry.case.debtor_id, d.item.entry.debt_ids[0] if d.item.entry.debt_ids else None)
        for d in delivered
        if d.item.entry.action == ActionKind.DIRECT_DEBIT_REPRESENTATION.value
    )
    keyed: list[tuple[str, Event]] = []
    matched: list[tuple[str, ReturnMatch, Event]] = []
    for match in matches:
        if not match.matched:
            continue
        day = match.returned.booking_date or received_on
        event = attrs.evolve(returned_event(match, occurred_on=day), recorded_by=recorded_by)
        key = _key(match)
        keyed.append((key, event))
        keyed.extend(_consequences(match, event))
        matched.append((key, match, event))
    written = store.record_keyed_events(
        keyed, kind=RETURNS_IMPORT_KIND, file_name=file_name, file_sha256=file_sha256
    )
    duplicates = sum(1 for m in matches if m.status is MatchStatus.DUPLICATE)
    if written is None:
        return ReturnsImportResult(file_name=file_name, already_imported=True)
    new_keys = {key for key, _event in written}
    events = tuple(event for _key, event in written)
    recorded = tuple(
        RecordedReturn(
            end_to_end_id=match.collection.end_to_end_id if match.collection else "",
            debtor_id=event.debtor_id,
            debt_id=event.debt_id,
            amount=match.returned.amount,
            reason=match.returned.reason,
            group=match.returned.group,
            reaction=reaction_for(
                match.returned.group,
                re_presentations_done=represented[(event.debtor_id, event.debt_id)],
            ),
            new=key in new_keys,
        )
        for key, match, event in matched
    )
    failures = announce(listener, events)
    return ReturnsImportResult(
        file_name=file_name,
        already_imported=False,
        returns=recorded,
        duplicates=duplicates,
        events=events,
        listener_failures=failures,
    )
