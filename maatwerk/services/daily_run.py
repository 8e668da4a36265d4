"""The daily run (dagelijkse run): every case, its next right step, recorded exactly once.

``run_day(store, evaluate_case, run_date, ...)``:

1. streams the portfolio in batches of case keys (keyset paging: memory stays flat);
2. skips cases that already have a decision for ``run_date`` (a rerun or a restart after a
   crash continues where the last committed batch ended);
3. evaluates each remaining case with ``evaluate_case`` (a pure function of the stored case and
   the date; :class:`PolicyCaseEvaluator` wires the escalation policy engine);
4. records the batch's decisions, outbox rows, events and postings in ONE transaction;
5. hands the pending outbox rows to their channels (:class:`Dispatcher`) and marks each one.

Exactly once: decisions are unique per case and date, outbox rows per case, step and date, and a
batch is committed whole or not at all, so killing the process at any point and running the
date again produces the same set of actions. Delivery is at least once per outbox row and
channels are idempotent on the action id (the outbox key), so a re-delivery after a crash
between "delivered" and "marked" adds no second copy.

A step the policy marks ``review`` waits in the review queue (maker-checker); while it waits,
the policy's repeated proposal of the same step is recorded as ``awaiting-review``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Final, Protocol, runtime_checkable

import attrs

from maatwerk.core.allocation import AllocationOrder, allocate_payment
from maatwerk.core.arrangements import (
    ArrangementState,
    ArrangementStatus,
    InstalmentStatus,
    arrangement_status,
)
from maatwerk.core.calendar import Calendars
from maatwerk.core.charges import ChargeRules, Charges, aanmaning_postings, case_charges
from maatwerk.core.collection_costs import AanmaningParams, BikParams, collection_costs
from maatwerk.core.debts import ClaimKind, CostLine, InterestLine
from maatwerk.core.errors import PluginError
from maatwerk.core.events import (
    ActionKind,
    ArrangementAccepted,
    ArrangementBreached,
    ArrangementCompleted,
    ArrangementOffered,
    ArrangementRejected,
    Event,
    FormalDemandSent,
    FourteenDayLetterSent,
    StepTaken,
)
from maatwerk.core.idle import DATA_BLOCKS, IdleCase, IdleStore, idle_until
from maatwerk.core.interest import InterestTables
from maatwerk.core.money import Money
from maatwerk.core.policy import CaseFile, Decision, DecisionStatus, NoteKind, PolicyTables
from maatwerk.core.policy import evaluate as evaluate_policy
from maatwerk.core.policy.casefile import arrangement_from_events, plan_payments
from maatwerk.core.policy.model import Anchor, Policy
from maatwerk.core.ports import (
    PAYLOAD_AMOUNT,
    PAYLOAD_COLLECTION_COSTS,
    PAYLOAD_DEBTOR_NAME,
    PAYLOAD_EXPLANATION,
    PAYLOAD_PAY_BEFORE,
    PAYLOAD_PHONE,
    PAYLOAD_REFERENCE,
    Channel,
    DeliveryContext,
    DeliveryStatus,
    EventListener,
    OutboundAction,
    Store,
)
from maatwerk.core.records import (
    CaseKey,
    CaseOutcome,
    DecisionRecord,
    OutboxEntry,
    OutboxItem,
    OutboxStatus,
    PaymentApplication,
    Posting,
    StoredCase,
)
from maatwerk.core.subsistence import SubsistenceTables
from maatwerk.core.tables import DatedTable
from maatwerk.services.announce import announce, announce_outcomes
from maatwerk.services.payloads import build_payload


__all__ = [
    "CaseEvaluator",
    "Dispatcher",
    "PolicyCaseEvaluator",
    "RunSettings",
    "RunSummary",
    "channel_setting_problems",
    "delivery_records",
    "monitor_arrangements",
    "outcome_from_decision",
    "run_day",
]

#: Version of the idle-case rules: part of every evaluator signature, so that changing the rules
#: (here or in ``core/idle.py``) makes every stored resting state stale.
_IDLE_RULES: Final = "idle-2"

#: Blocks a case may rest under: the data-only guards, and a kept arrangement (its instalment
#: dates are passed to ``idle_until`` from :func:`monitor_arrangements`).
_SETTLED_BLOCKS: Final = DATA_BLOCKS | {"arrangement-kept"}

#: Channels handled inside the engine: the step is recorded by its event, nothing is sent.
INTERNAL_CHANNELS: Final = frozenset({"ledger"})


class CaseEvaluator(Protocol):
    """Decides one stored case for one date (pure: no I/O, same input -> same outcome)."""

    def __call__(self, stored: StoredCase, today: dt.date) -> CaseOutcome: ...


@runtime_checkable
class SignedEvaluator(Protocol):
    """An evaluator that sets ``CaseOutcome.wake_on`` and names its configuration.

    ``signature`` changes whenever a stored resting state could be wrong for it (another
    policy, version or setting): idle cases are only skipped under the same signature.
    """

    @property
    def signature(self) -> str: ...

    def __call__(self, stored: StoredCase, today: dt.date) -> CaseOutcome: ...


@attrs.frozen(kw_only=True)
class RunSettings:
    """Knobs of a run. Batch sizes are settings, not constants (see the roadmap's scale goals)."""

    batch_size: int = 500
    dispatch_batch: int = 500
    skip_idle: bool = True
    """leave idle cases alone (``core/idle.py``); ``False``: derive every case every day"""
    prepared_by: str = "engine"
    """who "prepares" the steps that need review (maker); the approver must differ"""
    four_eyes: bool = True


@attrs.define
class RunSummary:
    """What a run did (the ``--json`` summary of ``maatwerk run``)."""

    run_date: dt.date
    dry_run: bool
    cases_total: int = 0
    cases_evaluated: int = 0
    cases_already_decided: int = 0
    cases_idle: int = 0
    """of ``cases_evaluated``: idle cases, decided from their resting state (``core/idle.py``)"""
    outcomes: Counter[str] = attrs.Factory(Counter)
    actions_per_kind: Counter[str] = attrs.Factory(Counter)
    blocked_per_reason: Counter[str] = attrs.Factory(Counter)
    review_queued: int = 0
    dispatched: Counter[str] = attrs.Factory(Counter)
    duration_seconds: Decimal = Decimal(0)

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_date": self.run_date.isoformat(),
            "dry_run": self.dry_run,
            "cases_total": self.cases_total,
            "cases_evaluated": self.cases_evaluated,
            "cases_already_decided": self.cases_already_decided,
            "cases_idle": self.cases_idle,
            "outcomes": dict(sorted(self.outcomes.items())),
            "actions_per_kind": dict(sorted(self.actions_per_kind.items())),
            "blocked_per_reason": dict(sorted(self.blocked_per_reason.items())),
            "review_queued": self.review_queued,
            "dispatched": dict(sorted(self.dispatched.items())),
            "duration_seconds": str(self.duration_seconds),
        }


# ---------------------------------------------------------------------------------- the run
def run_day(
    store: Store,
    evaluate_case: CaseEvaluator,
    run_date: dt.date,
    *,
    dispatcher: Dispatcher | None = None,
    settings: RunSettings = RunSettings(),
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
    listener: EventListener | None = None,
) -> RunSummary:
    """Run ``run_date`` for the whole portfolio; see the module docstring.

    ``listener`` hears the events of each batch after the batch committed.
    """
    started = clock()
    summary = RunSummary(run_date=run_date, dry_run=dry_run)
    summary.cases_total = store.count_cases()
    run_id = None if dry_run else store.start_run(run_date, dry_run=dry_run)
    signature = evaluate_case.signature if isinstance(evaluate_case, SignedEvaluator) else ""
    idle_store = (
        store if signature and settings.skip_idle and isinstance(store, IdleStore) else None
    )
    done = 0
    after: CaseKey | None = None
    status = "failed"
    try:
        # the idle cases first, set-based; the loop then pages through the cases left
        rested_first = idle_store is not None and not dry_run
        if idle_store is not None and rested_first:
            day = idle_store.rest_idle(run_date, evaluator=signature)
            summary.cases_already_decided += day.already_decided
            for resting, blocked_by in day.rested:
                _count_idle(summary, resting, blocked_by)
            done += day.already_decided + len(day.rested)
            if progress is not None:
                progress(done, summary.cases_total)
        while keys := (
            idle_store.pending_keys(run_date, after=after, limit=settings.batch_size)
            if idle_store is not None and rested_first
            else store.case_keys(after=after, limit=settings.batch_size)
        ):
            after = keys[-1]
            decided = store.decided(run_date, keys)
            summary.cases_already_decided += len(decided)
            todo = [k for k in keys if k not in decided]
            idle: Sequence[IdleCase] = ()
            prints: Mapping[CaseKey, str] = {}
            if idle_store is not None and todo:
                idle, prints = idle_store.plan_batch(run_date, todo, evaluator=signature)
                todo = [k for k in todo if k in prints]
            outcomes = [
                _with_settings(evaluate_case(stored, run_date), settings)
                for stored in store.load_cases(todo)
            ]
            outcomes = _hold_for_review(
                outcomes, store.pending_steps(todo) if todo else frozenset()
            )
            if not dry_run:
                if idle_store is not None:
                    recorded = idle_store.record_batch(
                        run_date, outcomes, idle=idle, fingerprints=prints, evaluator=signature
                    )
                else:
                    recorded = store.record_outcomes(run_date, outcomes)
                announce_outcomes(listener, outcomes, recorded=recorded)
            for outcome in outcomes:
                _count(summary, outcome)
            for state in idle:
                _count_idle(summary, state.outcome, state.blocked_by)
            done += len(keys)
            if progress is not None:
                progress(done, summary.cases_total)
        if dispatcher is not None and not dry_run:
            summary.dispatched.update(dispatcher.dispatch(listener=listener))
        status = "done"
    finally:
        summary.duration_seconds = Decimal(str(round(clock() - started, 3)))
        if run_id is not None:
            store.finish_run(run_id, status=status, summary=summary.as_dict())
    return summary


def _with_settings(outcome: CaseOutcome, settings: RunSettings) -> CaseOutcome:
    if not any(e.review for e in outcome.outbox):
        return outcome
    entries = tuple(
        attrs.evolve(e, prepared_by=settings.prepared_by, four_eyes=settings.four_eyes)
        if e.review
        else e
        for e in outcome.outbox
    )
    return attrs.evolve(outcome, outbox=entries)


def _hold_for_review(
    outcomes: Sequence[CaseOutcome], pending: frozenset[tuple[CaseKey, str]]
) -> list[CaseOutcome]:
    """A step already waiting for review is not queued a second time."""
    result: list[CaseOutcome] = []
    for outcome in outcomes:
        decision = outcome.decision
        if decision.step is not None and (decision.case, decision.step) in pending:
            result.append(
                CaseOutcome(
                    decision=attrs.evolve(decision, outcome="awaiting-review"),
                    postings=outcome.postings,
                    applications=outcome.applications,
                )
            )
        else:
            result.append(outcome)
    return result


def _count_idle(summary: RunSummary, outcome: str, blocked_by: str | None) -> None:
    summary.cases_evaluated += 1
    summary.cases_idle += 1
    summary.outcomes[outcome] += 1
    if blocked_by:
        summary.blocked_per_reason[blocked_by] += 1


def _count(summary: RunSummary, outcome: CaseOutcome) -> None:
    decision = outcome.decision
    summary.cases_evaluated += 1
    summary.outcomes[decision.outcome] += 1
    if decision.blocked_by:
        summary.blocked_per_reason[decision.blocked_by] += 1
    for entry in outcome.outbox:
        if entry.review:
            summary.review_queued += 1
        else:
            summary.actions_per_kind[entry.action] += 1


# ---------------------------------------------------------------------------------- settings
@runtime_checkable
class SettingsChecked(Protocol):
    """A channel that can say, before a run, which of its settings are missing or wrong."""

    def settings_problems(self, settings: Mapping[str, str]) -> Sequence[str]:
        """One short sentence per problem, each naming the setting (empty: all is well)."""
        ...


def channel_setting_problems(
    names: Iterable[str], channel_for: Callable[[str], Channel], settings: Mapping[str, str]
) -> list[str]:
    """``"<channel>: <problem>"`` for every channel of ``names`` whose settings are incomplete.

    Run before evaluating anything, so that no step is decided for a channel that would refuse
    every action (e.g. letters without the creditor's name or phone number). Channels that
    cannot check themselves (no ``settings_problems``) and the run's own channels pass.
    """
    problems: list[str] = []
    for name in sorted(set(names) - INTERNAL_CHANNELS):
        channel = channel_for(name)
        if isinstance(channel, SettingsChecked):
            problems.extend(f"{name}: {p}" for p in channel.settings_problems(settings))
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


#: Payload key: days between sending a letter and its assumed receipt (the 14-day term runs
#: from receipt, BW 6:96 lid 6).
PAYLOAD_RECEIPT_DAYS: Final = "letter_receipt_days"
#: Payload key: the Awb 4:113 fee per public claim an aanmaning states
#: (``({"debt_id", "amount", "table"}, ...)``); posted when the channel delivers it.
PAYLOAD_AANMANING_FEES: Final = "aanmaning_fees"


def delivery_records(
    item: OutboxItem, delivered_on: dt.date
) -> tuple[tuple[tuple[str, Event], ...], tuple[Posting, ...]]:
    """What a delivered action leaves behind: keyed events and postings (recorded once).

    Only a *delivered* letter starts a legal term: a 14-day letter (BW 6:96 lid 6) becomes a
    :class:`FourteenDayLetterSent` dated ``delivered_on`` (received ``letter_receipt_days``
    later), an aanmaning (Awb 4:112) a :class:`FormalDemandSent` plus its Awb 4:113 fee. A
    refused or failed action records nothing. Keys are the action id plus an index, so a
    re-delivery after a crash records nothing twice.
    """
    entry = item.entry
    payload = entry.payload
    key = f"delivered:{entry.idempotency_key}"
    stated = payload.get(PAYLOAD_COLLECTION_COSTS)
    costs = Money(stated) if isinstance(stated, Decimal) else Money.zero()
    if entry.action == ActionKind.FOURTEEN_DAY_LETTER.value:
        days = payload.get(PAYLOAD_RECEIPT_DAYS)
        receipt = days if isinstance(days, int) and not isinstance(days, bool) else 2
        letter = FourteenDayLetterSent(
            occurred_on=delivered_on,
            debtor_id=entry.case.debtor_id,
            stated_costs=costs,
            sent_on=delivered_on,
            received_on=delivered_on + dt.timedelta(days=receipt),
            debt_ids=entry.debt_ids,
        )
        return ((f"{key}#0", letter),), ()
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
    return (), ()


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

    A delivered action's events (:func:`delivery_records`: the 14-day letter, the aanmaning and
    its fee) are recorded in the same transaction as its mark, dated the delivery day
    (``context.run_date``); delivery is at least once and channels are idempotent on the action
    id, so a crash between delivering and recording re-delivers the same action on the rerun
    and records it then, once.
    """

    store: Store
    channel_for: Callable[[str], Channel]
    context: DeliveryContext
    batch_size: int = 500
    aliases: Mapping[str, str] = attrs.field(factory=dict)

    def dispatch(self, *, listener: EventListener | None = None) -> Counter[str]:
        """Deliver every pending row; ``listener`` hears the recorded events after each commit."""
        counts: Counter[str] = Counter()
        after = 0
        delivered_on = self.context.run_date
        while items := self.store.claim_pending(after_id=after, limit=self.batch_size):
            after = items[-1].outbox_id
            by_channel: dict[str, list[OutboxItem]] = {}
            for item in items:
                by_channel.setdefault(item.entry.channel, []).append(item)
            marks: list[tuple[int, OutboxStatus, str, str]] = []
            events: list[tuple[str, Event]] = []
            postings: list[Posting] = []
            for name, group in by_channel.items():
                for item, status, reference, reason in self._deliver(name, group):
                    marks.append((item.outbox_id, status, reference, reason))
                    counts[status.value] += 1
                    if status is OutboxStatus.DONE:
                        keyed, posted = delivery_records(item, delivered_on)
                        events.extend(keyed)
                        postings.extend(posted)
            recorded = self._record(marks, events, postings)
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
        self, name: str, group: list[OutboxItem]
    ) -> list[tuple[OutboxItem, OutboxStatus, str, str]]:
        if name in INTERNAL_CHANNELS:
            return [(i, OutboxStatus.DONE, "recorded", "") for i in group]
        try:
            channel = self.channel_for(self.aliases.get(name, name))
        except (LookupError, ValueError, PluginError) as exc:
            reason = f"no channel {name!r}: {exc}"
            return [(i, OutboxStatus.FAILED, "", reason) for i in group]
        actions = [to_outbound(i, self.aliases.get(name, name)) for i in group]
        receipts = {r.action_id: r for r in channel.deliver(actions, self.context)}
        result: list[tuple[OutboxItem, OutboxStatus, str, str]] = []
        for item, action in zip(group, actions, strict=True):
            receipt = receipts.get(action.action_id)
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


# ---------------------------------------------------------------------------------- policy
def _blocked_by(decision: Decision) -> str | None:
    for note in decision.notes:
        if note.kind in (NoteKind.BLOCKED, NoteKind.POSTPONED) and note.reasons:
            return note.reasons[0].code
    return None


_OUTCOME: Final[Mapping[DecisionStatus, str]] = {
    DecisionStatus.ACT: "action",
    DecisionStatus.WAIT: "none",
    DecisionStatus.BLOCKED: "blocked",
    DecisionStatus.CLOSED: "closed",
    DecisionStatus.STOPPED: "stopped",
}


def outcome_from_decision(
    decision: Decision,
    stored: StoredCase,
    *,
    stated_costs: Money | None = None,
    letter_receipt_days: int = 2,
    demand_fees: Sequence[Posting] = (),
    subsistence: SubsistenceTables | None = None,
    calendars: Calendars | None = None,
) -> CaseOutcome:
    """Turn the policy's decision into the records the run writes for it.

    For a 14-day letter (BW 6:96 lid 6) ``stated_costs`` are the collection costs the letter
    states, for an aanmaning (Awb 4:112) ``demand_fees`` the Awb 4:113 fee per public claim;
    both go into the payload (the letter states them). Nothing that starts a legal term is
    recorded here: the :class:`Dispatcher` records the letter (:class:`FourteenDayLetterSent`,
    received by assumption ``letter_receipt_days`` after sending) or the aanmaning and its fee
    only when the channel delivered it (:func:`delivery_records`). ``subsistence``: the BVV
    tables (the payload then carries the household's protected income); ``calendars``: the
    run's calendars (a re-presented direct debit is dated on the ``sepa`` calendar).
    """
    key = stored.key
    action = decision.action
    outcome = _OUTCOME[decision.status]
    if action is not None and action.needs_review:
        outcome = "review"
    explanation = decision.explain("nl")
    detail: dict[str, Any] = {
        "status": decision.status.value,
        "explanation_nl": list(explanation),
        "explanation_en": list(decision.explain("en")),
        "notes": [
            {
                "step": n.step_id,
                "kind": n.kind.value,
                "debts": list(n.debt_ids),
                "reasons": [r.code for r in n.reasons],
                "until": n.until.isoformat() if n.until else None,
            }
            for n in decision.notes
        ],
        "arrears": decision.arrears.format(),
        "arrears_months": decision.arrears_months,
        "next_check_on": decision.next_check_on.isoformat() if decision.next_check_on else None,
    }
    record = DecisionRecord(
        run_date=decision.today,
        case=key,
        policy=decision.policy,
        outcome=outcome,
        step=action.step_id if action else None,
        action=action.action.value if action else None,
        blocked_by=_blocked_by(decision) if decision.status is DecisionStatus.BLOCKED else None,
        detail=detail,
    )
    if action is None:
        return CaseOutcome(decision=record)
    if action.action is ActionKind.FORMAL_DEMAND:
        stated_costs = sum((p.line.amount for p in demand_fees), Money.zero())
    payload = build_payload(
        decision,
        action,
        stored,
        explanation=explanation,
        stated_costs=stated_costs,
        subsistence=subsistence,
        calendars=calendars,
    )
    if action.action is ActionKind.FOURTEEN_DAY_LETTER:
        payload[PAYLOAD_RECEIPT_DAYS] = letter_receipt_days
    if action.action is ActionKind.FORMAL_DEMAND and demand_fees:
        payload[PAYLOAD_AANMANING_FEES] = tuple(
            {
                "debt_id": p.debt_id,
                "amount": p.line.amount.rounded().amount,
                "table": p.line.table,
            }
            for p in demand_fees
        )
    entry = OutboxEntry(
        case=key,
        run_date=decision.today,
        step=action.step_id,
        action=action.action.value,
        channel=action.channel,
        debt_ids=action.debt_ids,
        payload=payload,
        review=action.needs_review,
    )
    events: tuple[Event, ...] = ()
    if not action.needs_review:
        events = (
            StepTaken(
                occurred_on=decision.today,
                debtor_id=key.debtor_id,
                step_id=action.step_id,
                action=action.action,
                channel=action.channel,
                debt_ids=action.debt_ids,
                policy=decision.policy,
            ),
        )
    return CaseOutcome(decision=record, outbox=(entry,), events=events)


@attrs.frozen(kw_only=True)
class PolicyCaseEvaluator:
    """Evaluates a stored case with its policy: by creditor, else by segment, else the default.

    ``bik``: the BIK table; with it a 14-day letter states its collection costs (BW 6:96 lid 7:
    on the sum of the principals it covers) and is recorded as sent. ``letter_receipt_days``:
    assumed days between sending a letter and its receipt (ordinary post), a setting.
    """

    policies: Mapping[str, Policy]
    tables: PolicyTables
    default: str = "humane"
    by_creditor: Mapping[str, str] = attrs.field(factory=dict)
    by_segment: Mapping[str, str] = attrs.field(factory=dict)
    bik: DatedTable[BikParams] | None = None
    letter_receipt_days: int = 2
    interest: InterestTables | None = None
    """statutory interest tables; with them interest is posted monthly (``core/charges.py``)"""
    aanmaning: DatedTable[AanmaningParams] | None = None
    """Awb 4:113 fee table; with it a public claim's formal demand posts the fee"""
    allocation: AllocationOrder = AllocationOrder.STATUTORY
    subsistence: SubsistenceTables | None = None
    """the BVV tables (Rv 475da); with them every payload carries the household's protected
    income (``bvv``), which the ``source-deduction`` channel needs"""

    def __attrs_post_init__(self) -> None:
        for name in (self.default, *self.by_creditor.values(), *self.by_segment.values()):
            if name not in self.policies:
                raise KeyError(f"no policy {name!r} loaded; loaded: {sorted(self.policies)}")

    def policy_for(self, stored: StoredCase) -> Policy:
        name = self.by_creditor.get(
            stored.case.creditor_id, self.by_segment.get(stored.debtor.segment, self.default)
        )
        return self.policies[name]

    def decide(self, stored: StoredCase, today: dt.date) -> Decision:
        file = CaseFile(debtor=stored.debtor, case=stored.case, events=stored.events)
        return evaluate_policy(file, self.policy_for(stored), today, self.tables)

    def stated_costs(self, decision: Decision, stored: StoredCase) -> Money | None:
        """BIK for a 14-day letter on private claims; ``None`` for anything else."""
        action = decision.action
        if self.bik is None or action is None:
            return None
        if action.action is not ActionKind.FOURTEEN_DAY_LETTER:
            return None
        debts = [
            d
            for d in stored.case.debts
            if d.debt_id in action.debt_ids and d.kind is ClaimKind.PRIVATE
        ]
        if not debts:
            return None
        return collection_costs(
            [d.principal for d in debts], on=decision.today, table=self.bik
        ).total

    @property
    def signature(self) -> str:
        """A digest of everything that shapes a decision here (see :class:`SignedEvaluator`)."""
        parts = (
            _IDLE_RULES,
            self.default,
            sorted(self.by_creditor.items()),
            sorted(self.by_segment.items()),
            [repr(self.policies[name]) for name in sorted(self.policies)],
            self.tables.fourteen_day_term,
            self.tables.aanmaning_term,
            self.tables.calendars.names,
            repr(self.bik),
            repr(self.interest),
            repr(self.aanmaning),
            self.letter_receipt_days,
            self.allocation.value,
            repr(self.subsistence),
        )
        return hashlib.sha256(repr(parts).encode()).hexdigest()[:40]

    def charge_rules(self, policy: Policy) -> ChargeRules:
        """What ``policy`` lets the run post, with the tables this evaluator was given."""
        settings = policy.settings
        return ChargeRules(
            charge_interest=settings.charge_interest,
            charge_costs=settings.charge_costs,
            charges_during_plan=settings.charges_during_plan,
            interest=self.interest,
            bik=self.bik,
            aanmaning=self.aanmaning,
            atw=self.tables.calendars.get(self.tables.atw),
        )

    def charges(self, decision: Decision, stored: StoredCase, today: dt.date) -> Charges:
        """Interest and costs to post today (``core/charges.py``); none once the debtor died.

        The Awb 4:113 aanmaning fee is not among them: it is posted when the aanmaning is
        delivered (:meth:`demand_fees`, :func:`delivery_records`).
        """
        if decision.status is DecisionStatus.STOPPED:
            return Charges()
        rules = self.charge_rules(self.policy_for(stored))
        return case_charges(stored.case.debts, stored.events, today, rules)

    def demand_fees(self, decision: Decision, stored: StoredCase) -> tuple[Posting, ...]:
        """The Awb 4:113 fee per public claim an aanmaning proposed today covers (also one that
        waits for review); the letter states it and delivery posts it."""
        action = decision.action
        if action is None or action.action is not ActionKind.FORMAL_DEMAND:
            return ()
        if decision.status is DecisionStatus.STOPPED:
            return ()
        rules = self.charge_rules(self.policy_for(stored))
        covered = [d for d in stored.case.debts if d.debt_id in action.debt_ids]
        return aanmaning_postings(covered, decision.today, rules, stored.events)

    def __call__(self, stored: StoredCase, today: dt.date) -> CaseOutcome:
        stored, applications = apply_payments(stored, today, self.allocation)
        plans = monitor_arrangements(stored, today)
        if plans.events:
            stored = attrs.evolve(stored, events=(*stored.events, *plans.events))
        decision = self.decide(stored, today)
        outcome = outcome_from_decision(
            decision,
            stored,
            stated_costs=self.stated_costs(decision, stored),
            letter_receipt_days=self.letter_receipt_days,
            demand_fees=self.demand_fees(decision, stored),
            subsistence=self.subsistence,
            calendars=self.tables.calendars,
        )
        extra = self._plan_reminders(decision, stored, plans, today)
        charges = self.charges(decision, stored, today)
        events = (*outcome.events, *(event for _entry, event in extra))
        postings = (*outcome.postings, *charges.postings)
        also = (*plans.wake_on, *(() if charges.next_on is None else (charges.next_on,)))
        wake_on: dt.date | None = None
        rests_as: DecisionRecord | None = None
        if not events and not postings:
            wake_on = idle_until(decision, stored, also=also, settled=_SETTLED_BLOCKS)
        if wake_on is None and not extra and _worth_looking_ahead(decision):
            wake_on, rests_as = self._rest_from_tomorrow(decision, stored, events, postings)
        return attrs.evolve(
            outcome,
            outbox=(*outcome.outbox, *(entry for entry, _event in extra)),
            events=(*plans.events, *events),
            postings=postings,
            applications=applications,
            wake_on=wake_on,
            rests_as=rests_as,
        )

    def _rest_from_tomorrow(
        self,
        decision: Decision,
        stored: StoredCase,
        events: Sequence[Event],
        postings: Sequence[Posting],
    ) -> tuple[dt.date | None, DecisionRecord | None]:
        """Until when a case that cannot rest from today may rest from tomorrow, and as what.

        A case that writes ``events`` or ``postings`` today (a step taken, interest posted), or
        whose data holds a date tomorrow (a debt falls due), would be derived again tomorrow,
        mostly only to find that it waits. So it is evaluated for *tomorrow* now, on the data
        as it will read once today's writes are stored. When that evaluation writes nothing
        and may rest (:func:`~maatwerk.core.idle.idle_until`), it is the decision a full
        evaluation gives tomorrow on unchanged data: tomorrow's run records it without deriving
        the case again. The storage adapter stores the fingerprint of the data *after* the
        batch's writes (``run_state.py``), so any later change (a delivery's event, a payment,
        a recorded contact) still wakes the case.
        """
        tomorrow = decision.today + dt.timedelta(days=1)
        # the steps of __call__ for tomorrow, given up at the first thing it would write
        after, applications = apply_payments(
            _as_written(stored, events, postings), tomorrow, self.allocation
        )
        plans = monitor_arrangements(after, tomorrow)
        if applications or plans.events or plans.missed:
            return None, None
        ahead = self.decide(after, tomorrow)
        if ahead.action is not None:
            return None, None
        charges = self.charges(ahead, after, tomorrow)
        if charges.postings:
            return None, None
        also = (*plans.wake_on, *(() if charges.next_on is None else (charges.next_on,)))
        wake_on = idle_until(ahead, after, also=also, settled=_SETTLED_BLOCKS)
        if wake_on is None:
            return None, None
        return wake_on, DecisionRecord(
            run_date=tomorrow,
            case=after.key,
            policy=ahead.policy,
            outcome=_OUTCOME[ahead.status],
            blocked_by=_blocked_by(ahead) if ahead.status is DecisionStatus.BLOCKED else None,
        )

    def _plan_reminders(
        self, decision: Decision, stored: StoredCase, plans: PlanWatch, today: dt.date
    ) -> tuple[tuple[OutboxEntry, StepTaken], ...]:
        """A missed-instalment reminder for a policy without an ``instalment-missed`` step."""
        policy = self.policy_for(stored)
        if any(step.timing.anchor is Anchor.INSTALMENT_MISSED for step in policy.steps):
            return ()  # the policy's own step sends it
        if decision.status is DecisionStatus.STOPPED or decision.action is not None:
            return ()
        found: list[tuple[OutboxEntry, StepTaken]] = []
        for state, debt_ids in plans.missed:
            step_id = f"{PLAN_REMINDER_STEP}:{state.arrangement_id}"
            since = max(state.reminders_due)
            if any(
                isinstance(e, StepTaken) and e.step_id == step_id and e.occurred_on >= since
                for e in stored.events
            ):
                continue  # one reminder per missed instalment
            found.append(_plan_reminder(decision, stored, state, debt_ids, step_id, today))
        return tuple(found)


#: Step id (plus ``:<arrangement id>``) of the run's own missed-instalment reminder, sent for a
#: policy that has no ``instalment-missed`` step of its own.
PLAN_REMINDER_STEP: Final = "plan-reminder"


@attrs.frozen(kw_only=True)
class PlanWatch:
    """What :func:`monitor_arrangements` found for one case on one day."""

    events: tuple[Event, ...] = ()
    """``ArrangementBreached`` / ``ArrangementCompleted`` not recorded before"""
    missed: tuple[tuple[ArrangementState, tuple[str, ...]], ...] = ()
    """running plans in grace (an instalment missed), with the debts they cover"""
    wake_on: tuple[dt.date, ...] = ()
    """days after today on which a running plan's status may change without a new payment"""


def monitor_arrangements(stored: StoredCase, today: dt.date) -> PlanWatch:
    """Judge every accepted arrangement with a schedule from the payments booked on its debts.

    :func:`~maatwerk.core.arrangements.arrangement_status` on ``today``: a breached plan gets an
    :class:`ArrangementBreached` dated its breach day, a fully paid one an
    :class:`ArrangementCompleted` dated the day it was paid, each once (an arrangement that
    already has either event is not judged again). A plan without a schedule (older records)
    is left alone. Call it after the day's payments are applied (:func:`apply_payments`).
    """
    offered: dict[str, ArrangementOffered] = {}
    accepted: dict[str, ArrangementAccepted] = {}
    ended: set[str] = set()
    for event in stored.events:
        if event.occurred_on > today:
            continue
        match event:
            case ArrangementOffered():
                offered[event.arrangement_id] = event
            case ArrangementAccepted():
                accepted[event.arrangement_id] = event
            case ArrangementBreached() | ArrangementCompleted() | ArrangementRejected():
                ended.add(event.arrangement_id)
            case _:
                pass
    events: list[Event] = []
    missed: list[tuple[ArrangementState, tuple[str, ...]]] = []
    wake: list[dt.date] = []
    for ident, acceptance in accepted.items():
        if ident in ended:
            continue
        offer = offered.get(ident)
        plan = arrangement_from_events(offer, acceptance, creditor_id=stored.case.creditor_id)
        if plan is None:
            continue
        debt_ids = offer.debt_ids if offer is not None else ()
        payments = plan_payments(stored.case, debt_ids, acceptance.occurred_on, today)
        state = arrangement_status(plan, payments, today)
        debt_id = debt_ids[0] if len(debt_ids) == 1 else None
        if state.status is ArrangementStatus.BREACHED and state.breach_date is not None:
            events.append(
                ArrangementBreached(
                    occurred_on=state.breach_date,
                    debtor_id=stored.debtor.debtor_id,
                    debt_id=debt_id,
                    arrangement_id=ident,
                    missed=max(state.missed_count, 1),
                )
            )
        elif state.status is ArrangementStatus.COMPLETED and state.completed_on is not None:
            events.append(
                ArrangementCompleted(
                    occurred_on=state.completed_on,
                    debtor_id=stored.debtor.debtor_id,
                    debt_id=debt_id,
                    arrangement_id=ident,
                )
            )
        elif state.status.is_running:
            if state.status is ArrangementStatus.IN_GRACE and state.reminders_due:
                missed.append((state, debt_ids))
            wake.extend(
                s.overdue_from for s in state.instalments if s.status is not InstalmentStatus.PAID
            )
            if state.grace_until is not None:
                wake.append(state.grace_until + dt.timedelta(days=1))
            if plan.grace.grace_days is not None:
                wake.extend(
                    i.due_date + dt.timedelta(days=plan.grace.grace_days + 1)
                    for i in plan.instalments
                )
    return PlanWatch(
        events=tuple(events),
        missed=tuple(missed),
        wake_on=tuple(sorted({d for d in wake if d > today})),
    )


def _plan_reminder(  # noqa: PLR0917 - private helper, every argument needed
    decision: Decision,
    stored: StoredCase,
    state: ArrangementState,
    debt_ids: tuple[str, ...],
    step_id: str,
    today: dt.date,
) -> tuple[OutboxEntry, StepTaken]:
    since = max(state.reminders_due)
    until = state.grace_until
    debts = [d for d in stored.case.debts if not debt_ids or d.debt_id in debt_ids]
    debtor = stored.debtor
    explanation = (
        f"Een termijn van uw betalingsregeling is nog niet betaald (te laat sinds "
        f"{since.isoformat()}). U kunt dit nog inhalen"
        + (f" tot en met {until.isoformat()}." if until is not None else ".")
    )
    payload: dict[str, Any] = {
        PAYLOAD_DEBTOR_NAME: debtor.name,
        PAYLOAD_AMOUNT: state.arrears.rounded().amount,
        PAYLOAD_EXPLANATION: explanation,
        PAYLOAD_REFERENCE: next((d.reference for d in debts if d.reference), ""),
        "policy": decision.policy,
        "title": "Herinnering: een termijn van uw regeling is nog niet betaald",
        "household": debtor.household.value,
        "arrangement_id": state.arrangement_id,
    }
    if until is not None:
        payload[PAYLOAD_PAY_BEFORE] = until
    if debtor.phone:
        payload[PAYLOAD_PHONE] = debtor.phone
    ids = tuple(d.debt_id for d in debts)
    entry = OutboxEntry(
        case=stored.key,
        run_date=today,
        step=step_id,
        action=ActionKind.PAYMENT_REMINDER.value,
        channel="letters",
        debt_ids=ids,
        payload=payload,
    )
    taken = StepTaken(
        occurred_on=today,
        debtor_id=debtor.debtor_id,
        step_id=step_id,
        action=ActionKind.PAYMENT_REMINDER,
        channel="letters",
        debt_ids=ids,
        policy=decision.policy,
    )
    return entry, taken


def _worth_looking_ahead(decision: Decision) -> bool:
    """Whether :meth:`PolicyCaseEvaluator._rest_from_tomorrow` may find a rest for this case.

    Not for a step that waits for a person (it is looked at again tomorrow), nor for a case a
    guard blocks without a known end (tomorrow's evaluation is blocked the same way).
    """
    action = decision.action
    if action is not None and action.needs_review:
        return False
    return decision.status is not DecisionStatus.BLOCKED


def _as_written(
    stored: StoredCase, events: Sequence[Event], postings: Sequence[Posting]
) -> StoredCase:
    """``stored`` as the store loads it once the run wrote ``events`` and ``postings``.

    Events come after the case's own (in the order of the log); a posting adds its line to its
    debt after the debt's other lines. A posting whose key is already there is not written
    again by the store (``_post``); the charge rules never propose one (they read the lines).
    """
    costs: dict[str, list[CostLine]] = {}
    interest: dict[str, list[InterestLine]] = {}
    for posting in postings:
        if isinstance(posting.line, CostLine):
            costs.setdefault(posting.debt_id, []).append(posting.line)
        else:
            interest.setdefault(posting.debt_id, []).append(posting.line)
    debts = tuple(
        attrs.evolve(
            debt,
            costs=(*debt.costs, *costs.get(debt.debt_id, ())),
            interest=(*debt.interest, *interest.get(debt.debt_id, ())),
        )
        if debt.debt_id in costs or debt.debt_id in interest
        else debt
        for debt in stored.case.debts
    )
    return attrs.evolve(
        stored,
        case=attrs.evolve(stored.case, debts=debts),
        events=(*stored.events, *events),
    )


def apply_payments(
    stored: StoredCase, today: dt.date, order: AllocationOrder = AllocationOrder.STATUTORY
) -> tuple[StoredCase, tuple[PaymentApplication, ...]]:
    """Apply the case's unapplied payments received by ``today`` (BW 6:43/6:44, or ``order``).

    Returns the case with the payments in its ledger and the parts to record. What a payment
    leaves over (an overpayment) stays unapplied on the payment row.
    """
    case = stored.case
    applications: list[PaymentApplication] = []
    for payment in sorted(stored.payments, key=lambda p: (p.received_on, p.payment_id)):
        if payment.received_on > today or not case.open_debts:
            continue
        result = allocate_payment(case, payment, order=order)
        for debt in result.case.debts:
            before = case.debt(debt.debt_id)
            applications.extend(
                PaymentApplication(debt_id=debt.debt_id, applied=part)
                for part in debt.applied[len(before.applied) :]
            )
        case = result.case
    if not applications:
        return stored, ()
    used = {a.applied.payment_id for a in applications}
    rest = tuple(p for p in stored.payments if p.payment_id not in used)
    return attrs.evolve(stored, case=case, payments=rest), tuple(applications)


def step_taken_for(item: OutboxItem, on: dt.date, policy: str = "") -> StepTaken:
    """The event recorded when a reviewed step is approved (it then counts as taken)."""
    return StepTaken(
        occurred_on=on,
        debtor_id=item.entry.case.debtor_id,
        step_id=item.entry.step,
        action=ActionKind(item.entry.action),
        channel=item.entry.channel,
        debt_ids=item.entry.debt_ids,
        policy=policy or str(item.entry.payload.get("policy", "")),
    )
