"""Dispatching: the outbox to its channels, and what a delivered action leaves behind.

:class:`Dispatcher` hands pending outbox rows to their channels by name and marks each row with
the channel's receipt; :func:`delivery_records` is what a delivery records (a 14-day letter, an
aanmaning and its fee), in the same transaction as the mark; :func:`to_outbound` is the
channel's view of a row. :func:`channel_setting_problems` checks the channels' settings before a
run decides anything for them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import traceback
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Final, Protocol, runtime_checkable

import attrs
import structlog

from maatwerk.core.calendar import SEPA, CalendarRangeError, PostalDelivery
from maatwerk.core.debts import CostLine
from maatwerk.core.errors import InputError, PluginError
from maatwerk.core.events import (
    ActionKind,
    Event,
    FormalDemandSent,
    FourteenDayLetterSent,
    StepRefused,
    ZvwNoticeSent,
)
from maatwerk.core.letter_dates import LetterDates, LetterTerms, letter_dates
from maatwerk.core.money import Money
from maatwerk.core.policy import PolicyTables
from maatwerk.core.ports import (
    PAYLOAD_COLLECTION_COSTS,
    PAYLOAD_LAST_DAY,
    PAYLOAD_PAY_BEFORE,
    PAYLOAD_RECEIVED_ON,
    PAYLOAD_SENT_ON,
    Channel,
    CreditorProfile,
    DeliveryContext,
    DeliveryReceipt,
    DeliveryStatus,
    EventListener,
    OutboundAction,
    SettingsChecked,
    Store,
)
from maatwerk.core.records import OutboxItem, OutboxStatus, Posting
from maatwerk.services.announce import announce
from maatwerk.services.faults import fault_point
from maatwerk.services.payloads import (
    offer_from_letter,
    postal_of,
    redate_letter,
    replan_offer,
)
from maatwerk.services.run.before_delivery import (
    PayloadCheck,
    current_refusals,
    refusal_before_delivery,
)


__all__ = [
    "INTERNAL_CHANNELS",
    "PAYLOAD_AANMANING_FEES",
    "BulkMarker",
    "DeliveryLedger",
    "Dispatcher",
    "SettingsChecked",
    "awb_refusal",
    "channel_setting_problems",
    "delivery_records",
    "refusal_record",
    "to_outbound",
]

_log = structlog.get_logger("maatwerk.dispatch")

#: Channels handled inside the engine: the step is recorded by its event, nothing is sent.
INTERNAL_CHANNELS: Final = frozenset({"ledger"})


# ---------------------------------------------------------------------------------- settings
def channel_setting_problems(
    names: Iterable[str],
    channel_for: Callable[[str], Channel],
    settings: Mapping[str, str],
    plugin_for: Callable[[str], str] | None = None,
) -> list[str]:
    """``"<channel>: <problem>"`` for every channel of ``names`` whose settings are incomplete.

    Run before evaluating anything, so that no step is decided for a channel that would refuse
    every action (e.g. letters without the creditor's name or phone number). Channels that
    cannot check themselves (no ``settings_problems``) and the run's own channels pass.

    A channel whose ``settings_problems`` raises (or answers with something that is not a list
    of texts) stops the run before anything is decided: :class:`InputError` naming the channel,
    the plugin that provides it (``plugin_for``) and the exception type, never its message.
    """
    problems: list[str] = []
    for name in sorted(set(names) - INTERNAL_CHANNELS):
        channel = channel_for(name)
        if not isinstance(channel, SettingsChecked):
            continue
        try:
            found = [str(p) for p in channel.settings_problems(settings)]
        except Exception as exc:  # noqa: BLE001 - a plugin's bug, named in one line
            plugin = name
            if plugin_for is not None:
                with contextlib.suppress(Exception):
                    plugin = plugin_for(name)
            _log.error(
                "channel_settings_raised", channel=name, plugin=plugin, error=type(exc).__name__
            )
            raise InputError(
                f"channel {name!r} of plugin {plugin!r} raised {type(exc).__name__} in "
                "settings_problems(): its settings cannot be checked, so nothing is run; "
                "fix the plugin (or leave its channel out of the policy)"
            ) from None
        problems.extend(f"{name}: {p}" for p in found)
    return problems


# ---------------------------------------------------------------------------------- dispatcher
@runtime_checkable
class BulkMarker(Protocol):
    """A store that marks many outbox rows at once (the SQL store: one executemany)."""

    def mark_many(self, marks: Sequence[tuple[int, OutboxStatus, str, str]]) -> None:
        """Mark each ``(outbox_id, status, reference, reason)`` as :meth:`Outbox.mark` would."""
        ...


@runtime_checkable
class DeliveryLedger(Protocol):
    """A store that records delivered actions' events and postings with their marks, atomically."""

    def record_delivery(
        self,
        marks: Sequence[tuple[int, OutboxStatus, str, str]],
        events: Sequence[tuple[str, Event]],
        postings: Sequence[Posting],
    ) -> Sequence[Event]:
        """Mark the rows, append each event whose key is new and post each new posting, in ONE
        transaction; returns the events actually appended (for listeners)."""
        ...


#: Payload key of outbox rows written before letters carried their dates: days between sending
#: a 14-day letter and its assumed receipt (read only for such rows).
_LEGACY_RECEIPT_DAYS: Final = "letter_receipt_days"
#: Payload key: the Awb 4:113 fee per public claim an aanmaning states
#: (``({"debt_id", "amount", "table"}, ...)``); posted when the channel delivers it.
PAYLOAD_AANMANING_FEES: Final = "aanmaning_fees"


def _dates(item: OutboxItem, kind: ActionKind, delivered_on: dt.date) -> LetterDates | None:
    """The dates the delivered letter stated: the payload's when it was dated for the delivery
    day (the run, or the dispatcher's :func:`redate_letter`), else computed for that day on the
    plain calendar with the payload's postal presumption (an older row, or no calendars)."""
    payload = item.entry.payload
    received = payload.get(PAYLOAD_RECEIVED_ON)
    last = payload.get(PAYLOAD_LAST_DAY)
    if payload.get(PAYLOAD_SENT_ON) == delivered_on and isinstance(received, dt.date):
        return LetterDates(
            sent_on=delivered_on,
            received_on=received,
            last_day=last if isinstance(last, dt.date) else None,
        )
    delivery = postal_of(payload)
    if delivery is None:
        days = payload.get(_LEGACY_RECEIPT_DAYS)
        legacy = days if isinstance(days, int) and not isinstance(days, bool) else 2
        delivery = PostalDelivery(receipt_days=legacy)
    try:
        return letter_dates(kind, delivered_on, LetterTerms(delivery=delivery))
    except CalendarRangeError:  # pragma: no cover - the plain calendar covers every year
        return None


def delivery_records(
    item: OutboxItem, delivered_on: dt.date
) -> tuple[tuple[tuple[str, Event], ...], tuple[Posting, ...]]:
    """What a delivered action leaves behind: keyed events and postings (recorded once).

    Only a *delivered* letter starts a legal term: a 14-day letter (BW 6:96 lid 6) becomes a
    :class:`FourteenDayLetterSent` dated ``delivered_on`` (received on the presumed receipt the
    letter's payload carries), a Zvw 18b notice a :class:`ZvwNoticeSent` (receipt and the last
    day it stated; ``notice = "second"`` in the step params: the second notice of 18b lid 2),
    an aanmaning (Awb 4:112) a :class:`FormalDemandSent` plus its Awb 4:113 fee, an arrangement
    offer that states a plan the :class:`ArrangementOffered` it made, with exactly the letter's
    terms (:func:`~maatwerk.services.payloads.offer_from_letter`: the debtor who accepts it gets
    that plan). A refused or failed action records nothing. Keys are the action id plus an index, so a re-delivery after
    a crash records nothing twice.
    """
    entry = item.entry
    payload = entry.payload
    key = f"delivered:{entry.idempotency_key}"
    stated = payload.get(PAYLOAD_COLLECTION_COSTS)
    costs = Money(stated) if isinstance(stated, Decimal) else Money.zero()
    if entry.action == ActionKind.FOURTEEN_DAY_LETTER.value:
        dates = _dates(item, ActionKind.FOURTEEN_DAY_LETTER, delivered_on)
        letter = FourteenDayLetterSent(
            occurred_on=delivered_on,
            debtor_id=entry.case.debtor_id,
            stated_costs=costs,
            sent_on=delivered_on,
            received_on=dates.received_on if dates is not None else delivered_on,
            debt_ids=entry.debt_ids,
        )
        return ((f"{key}#0", letter),), ()
    if entry.action == ActionKind.ZVW_NOTICE.value:
        dates = _dates(item, ActionKind.ZVW_NOTICE, delivered_on)
        if dates is None or dates.last_day is None:  # pragma: no cover - a notice has a term
            return (), ()
        notice = ZvwNoticeSent(
            occurred_on=delivered_on,
            debtor_id=entry.case.debtor_id,
            sent_on=delivered_on,
            received_on=dates.received_on,
            last_day=dates.last_day,
            second=str(payload.get("notice", "")).strip() == "second",
            debt_ids=entry.debt_ids,
        )
        return ((f"{key}#0", notice),), ()
    if entry.action == ActionKind.FORMAL_DEMAND.value:
        demand = FormalDemandSent(
            occurred_on=delivered_on,
            debtor_id=entry.case.debtor_id,
            sent_on=delivered_on,
            stated_costs=costs,
            debt_ids=entry.debt_ids,
        )
        postings = tuple(
            Posting(
                debt_id=str(fee["debt_id"]),
                posting_key=f"aanmaning:{entry.run_date.isoformat()}",
                line=CostLine(
                    posted_on=delivered_on,
                    amount=Money(fee["amount"]),
                    kind="aanmaning",
                    table=str(fee.get("table", "")),
                ),
            )
            for fee in _fees(payload.get(PAYLOAD_AANMANING_FEES))
        )
        return ((f"{key}#0", demand),), postings
    if entry.action == ActionKind.ARRANGEMENT_OFFER.value:
        offer = offer_from_letter(
            payload,
            debtor_id=entry.case.debtor_id,
            debt_ids=entry.debt_ids,
            delivered_on=delivered_on,
        )
        return (((f"{key}#0", offer),) if offer is not None else ()), ()
    return (), ()


def refusal_record(
    item: OutboxItem, refused_on: dt.date, reason: str
) -> tuple[tuple[str, Event], ...]:
    """What a refused action leaves behind: a keyed :class:`StepRefused`, so the step it came
    from no longer counts as taken (a refused early signal is no offer of debt help, a refused
    hand-over no hand-over; the policy decides the step again once its guards allow it). Only a
    delivered action counts, as only a delivered aanmaning starts its term. Nothing for an
    action kind the engine does not know (no step of the policy took it)."""
    entry = item.entry
    try:
        action = ActionKind(entry.action)
    except ValueError:
        return ()
    refused = StepRefused(
        occurred_on=refused_on,
        debtor_id=entry.case.debtor_id,
        recorded_by="dispatcher",
        step_id=entry.step,
        action=action,
        debt_ids=entry.debt_ids,
        decided_on=entry.run_date,
        reason=reason,
    )
    return ((f"refused:{entry.idempotency_key}", refused),)


def _fees(value: object) -> list[Mapping[str, Any]]:
    if not isinstance(value, (tuple, list)):
        return []
    return [
        v
        for v in value
        if isinstance(v, Mapping) and isinstance(v.get("amount"), Decimal) and v.get("debt_id")
    ]


@attrs.define
class Dispatcher:
    """Hands pending outbox rows to channels by name and marks each row with the receipt.

    ``channel_for`` returns the channel registered under a name (the plugin facade's
    ``channel(name)``), or raises ``LookupError``/``KeyError`` for an unknown one: such rows
    are marked failed with the reason and tried again on the next run.

    ``tables``: with them a letter that goes out on another day than it was decided (after a
    review, or a channel that failed before) is dated again for the day it goes out
    (:func:`~maatwerk.services.payloads.redate_letter`): its receipt and the last day it states.

    A delivered action's events (:func:`delivery_records`: the 14-day letter, the Zvw notice,
    the aanmaning and its fee) are recorded in the same transaction as its mark, dated the delivery day
    (``context.run_date``); delivery is at least once and channels are idempotent on the action
    id, so a crash between delivering and recording re-delivers the same action on the rerun
    and records it then, once.

    ``creditors``: the deployment's creditor profiles by creditor id (``[creditors.<id>]`` in the
    settings file). A channel gets each case's actions with the case's creditor's settings over
    the ``context``'s defaults, one ``deliver`` call per creditor (so a pain.008 file, a letter's
    signature and phone number, a dossier's and a signal's creditor are the case's own). An
    aanmaning (Awb 4:112) is refused for a creditor whose profile says it is not public: only a
    public-law creditor may send one (see :func:`awb_refusal`).

    Before any channel is called, each row's payload is checked against its action kind's
    schema (``check_payload``) and the law's preconditions for the delivery day
    (:func:`~maatwerk.services.run.before_delivery.refusal_before_delivery`); a row that fails
    is refused with the reason and no channel sees it. A row decided on an earlier day, or one
    that waited for a review, is also checked against the case as it stands on the delivery day
    (:func:`~maatwerk.services.run.before_delivery.current_refusals`: consent, disputes, holds,
    debt help, death, the debt still owed; one read of the store per page of rows).
    """

    store: Store
    channel_for: Callable[[str], Channel]
    context: DeliveryContext
    batch_size: int = 500
    aliases: Mapping[str, str] = attrs.field(factory=dict)
    tables: PolicyTables | None = None
    creditors: Mapping[str, CreditorProfile] = attrs.field(factory=dict)
    plugin_for: Callable[[str], str] | None = None
    """the plugin that provides a channel, to name it when the channel raises"""
    crashes: Counter[tuple[str, str]] = attrs.field(factory=Counter)
    """actions whose channel raised in ``deliver()``, per (channel, plugin); see :meth:`_crashed`"""

    def _crashed(self, name: str, exc: Exception, count: int) -> str:
        """Record that channel ``name`` raised for ``count`` actions; the reason stored on them.

        The actions are marked failed (the outbox offers them again on the next run) and the
        other channels go on. The log gets the exception type and where it was raised, never
        its message or local values (they may hold personal data).
        """
        plugin = name
        if self.plugin_for is not None:
            with contextlib.suppress(Exception):
                plugin = self.plugin_for(self.aliases.get(name, name))
        self.crashes[(name, plugin)] += count
        frames = traceback.extract_tb(exc.__traceback__)
        _log.error(
            "channel_raised",
            channel=name,
            plugin=plugin,
            actions=count,
            error=type(exc).__name__,
            where=[f"{f.filename}:{f.lineno} in {f.name}" for f in frames[-5:]],
        )
        return f"channel {name!r} of plugin {plugin!r} raised {type(exc).__name__} in deliver()"

    check_payload: PayloadCheck | None = None

    def _context(self, creditor_id: str) -> DeliveryContext:
        profile = self.creditors.get(creditor_id)
        if profile is None:
            return self.context
        return attrs.evolve(self.context, settings=profile.over(self.context.settings, creditor_id))

    def _redated(self, item: OutboxItem) -> OutboxItem:
        """``item`` with its letter dated for today's delivery (unchanged when not a letter,
        already dated today, or without tables)."""
        if self.tables is None:
            return item
        try:
            kind = ActionKind(item.entry.action)
        except ValueError:
            return item
        sent_on = self.context.run_date
        facts = redate_letter(kind, item.entry.payload, sent_on, self.tables.letter_terms())
        if facts is None:
            return item
        if kind is ActionKind.ARRANGEMENT_OFFER:  # its plan starts after the new day to answer
            sepa = self.tables.calendars.get(SEPA) if SEPA in self.tables.calendars else None
            redated = {**item.entry.payload, **facts}
            facts.update(replan_offer(redated, item.entry.case, sent_on, sepa))
        entry = attrs.evolve(item.entry, payload={**item.entry.payload, **facts})
        return attrs.evolve(item, entry=entry)

    def dispatch(self, *, listener: EventListener | None = None) -> Counter[str]:
        """Deliver every pending row; ``listener`` hears the recorded events after each commit."""
        counts: Counter[str] = Counter()
        self.crashes.clear()
        after = 0
        delivered_on = self.context.run_date
        while items := self.store.claim_pending(after_id=after, limit=self.batch_size):
            after = items[-1].outbox_id
            by_channel: dict[str, list[OutboxItem]] = {}
            now = current_refusals(
                self.store,
                [i for i in items if i.entry.channel not in INTERNAL_CHANNELS],
                delivered_on,
            )
            for item in items:
                item = self._redated(item)  # noqa: PLW2901 - the row as it goes out today
                by_channel.setdefault(item.entry.channel, []).append(item)
            marks: list[tuple[int, OutboxStatus, str, str]] = []
            events: list[tuple[str, Event]] = []
            postings: list[Posting] = []
            for name, group in by_channel.items():
                for item, status, reference, reason in self._deliver(name, group, now):
                    marks.append((item.outbox_id, status, reference, reason))
                    counts[status.value] += 1
                    if status is OutboxStatus.DONE:
                        keyed, posted = delivery_records(item, delivered_on)
                        events.extend(keyed)
                        postings.extend(posted)
                    elif status is OutboxStatus.REFUSED:
                        events.extend(refusal_record(item, delivered_on, reason))
            fault_point("before-delivery-marked")
            recorded = self._record(marks, events, postings)
            fault_point("after-delivery-marked")
            if listener is not None and recorded:
                announce(listener, recorded)
        return counts

    def _record(
        self,
        marks: Sequence[tuple[int, OutboxStatus, str, str]],
        events: Sequence[tuple[str, Event]],
        postings: Sequence[Posting],
    ) -> Sequence[Event]:
        if isinstance(self.store, DeliveryLedger):
            return self.store.record_delivery(marks, events, postings)
        if postings:
            raise TypeError("this store cannot record postings on delivery (no record_delivery)")
        recorded: list[Event] = []
        for key, event in events:  # each keyed append is a no-op when already recorded
            if self.store.append([event], idempotency_key=key):
                recorded.append(event)
        if isinstance(self.store, BulkMarker):
            self.store.mark_many(marks)
        else:
            for outbox_id, status, reference, reason in marks:
                self.store.mark(outbox_id, status, reference=reference, reason=reason)
        return recorded

    def _deliver(
        self, name: str, group: list[OutboxItem], now: Mapping[int, str]
    ) -> list[tuple[OutboxItem, OutboxStatus, str, str]]:
        if name in INTERNAL_CHANNELS:
            return [(i, OutboxStatus.DONE, "recorded", "") for i in group]
        try:
            channel = self.channel_for(self.aliases.get(name, name))
        except (LookupError, ValueError, PluginError) as exc:
            reason = f"no channel {name!r}: {exc}"
            return [(i, OutboxStatus.FAILED, "", reason) for i in group]
        by_creditor: dict[str, list[OutboxItem]] = {}
        refused: dict[int, str] = {}
        for item in group:
            refusal = (
                awb_refusal(item, self.creditors.get(item.entry.case.creditor_id))
                or refusal_before_delivery(item, self.context.run_date, self.check_payload)
                or now.get(item.outbox_id, "")
            )
            if refusal:
                refused[item.outbox_id] = refusal
            else:
                by_creditor.setdefault(item.entry.case.creditor_id, []).append(item)
        receipts: dict[str, DeliveryReceipt] = {}
        actions: dict[int, OutboundAction] = {}
        for creditor_id, items in by_creditor.items():
            batch = [to_outbound(i, self.aliases.get(name, name)) for i in items]
            actions.update((i.outbox_id, a) for i, a in zip(items, batch, strict=True))
            try:  # a receipt that is not one fails here too (no action_id)
                delivered = {
                    r.action_id: r for r in channel.deliver(batch, self._context(creditor_id))
                }
            except Exception as exc:  # noqa: BLE001 - one failing channel must not stop the run
                reason = self._crashed(name, exc, len(batch))
                delivered = {
                    a.action_id: DeliveryReceipt.failed(a.action_id, reason) for a in batch
                }
            receipts.update(delivered)
            _log.debug(
                "channel_delivered",
                channel=name,
                creditor_id=creditor_id,
                actions=len(batch),
                receipts=len(delivered),
                delivered=sum(r.status is DeliveryStatus.DELIVERED for r in delivered.values()),
            )
        result: list[tuple[OutboxItem, OutboxStatus, str, str]] = []
        for item in group:
            if item.outbox_id in refused:
                result.append((item, OutboxStatus.REFUSED, "", refused[item.outbox_id]))
                continue
            receipt = receipts.get(actions[item.outbox_id].action_id)
            if receipt is None:
                result.append((item, OutboxStatus.FAILED, "", "the channel gave no receipt"))
                continue
            status = {
                DeliveryStatus.DELIVERED: OutboxStatus.DONE,
                DeliveryStatus.FAILED: OutboxStatus.FAILED,
                DeliveryStatus.REFUSED: OutboxStatus.REFUSED,
            }[receipt.status]
            result.append((item, status, receipt.reference, receipt.reason))
        return result


def awb_refusal(item: OutboxItem, creditor: CreditorProfile | None) -> str:
    """Why ``item`` may not go out for its creditor (empty: it may).

    An aanmaning (Awb 4:112, the formal demand that opens the way to a dwangbevel) is for a
    public-law claim of a public-law creditor only. The policy chooses it by the debts' claim kind
    (``public``); when the case's creditor profile says ``public = false``, the debts are wrongly
    imported as public claims and the letter is refused, so no aanmaning fee is charged and no
    bailiff step follows from it. A creditor without a profile is not checked.
    """
    if (
        item.entry.action == ActionKind.FORMAL_DEMAND.value
        and creditor is not None
        and not creditor.public
    ):
        return (
            "an aanmaning is only for a public-law creditor; this creditor's profile says "
            "public = false (import its claims as private: they get the 14-day letter)"
        )
    return ""


def to_outbound(item: OutboxItem, channel: str | None = None) -> OutboundAction:
    """The channel's view of an outbox row; ``action_id`` is the row's idempotency key."""
    entry = item.entry
    pay_before = entry.payload.get(PAYLOAD_PAY_BEFORE)
    return OutboundAction(
        action_id=entry.idempotency_key,
        kind=entry.action,
        channel=channel or entry.channel,
        debtor_id=entry.case.debtor_id,
        creditor_id=entry.case.creditor_id,
        run_date=entry.run_date,
        debt_ids=entry.debt_ids,
        due_date=pay_before if isinstance(pay_before, dt.date) else None,
        payload=entry.payload,
    )
