"""Answer municipal debt help through the Schuldenknooppunt: balances, settlement proposals.

Three steps (``maatwerk knooppunt process | decide | settle``):

* :func:`process_inbox` takes every message the hub holds (all or nothing). A **balance request**
  is answered at once from the ledger as it stood at the end of the request's date (principal,
  interest and costs per claim that was due; payments not yet booked on a claim lower the total)
  and recorded as a ``BalanceReported`` event. A **settlement proposal** is recorded as a
  ``SettlementProposed`` event with our claim on its date and the amount the percentage gives;
  it waits for a person.
* :func:`decide_proposal`: a person accepts or rejects (with a reason) and the reply goes to the
  hub. On acceptance a ``SettlementAccepted`` and a ``DebtHelpStarted`` of kind ``settlement``
  are recorded: the mandatory ``debt-help`` guard then holds every step of the debtor's cases
  while the settlement runs.
* :func:`complete_settlements`: once the payments **booked** on the settled claims since the
  acceptance (the daily run books received payments) reach the settlement amount, the case
  closes per its terms: a ``SettlementCompleted`` (paid, written off) and a ``DebtHelpEnded``
  (``settlement``) are recorded and the rest of each settled claim is written off (the debt's
  status becomes ``written-off`` on that day, through the one path that changes a stored debt,
  with an audit record). A settlement still unpaid after ``pay_by`` is left to a person: it is
  listed, not ended (assumed: debt help is asked before a settlement is called off). One whose
  debt help ended otherwise (``import municipal-feedback`` with ``refused`` or ``no-contact``
  ends every kind) is called off: it never completes and its claims stand.

Every event has a key made of the debtor, the message id and what it records, so processing the
same inbox again, or a reply sent twice, records nothing new.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import Final, Protocol

import attrs

from maatwerk.core.debt_settlement import (
    BalanceReply,
    BalanceRequest,
    HubMessage,
    InboxRejectedError,
    ProposalDecision,
    ProposalReply,
    SettlementProposal,
    balance_reply,
    settlement_amount,
)
from maatwerk.core.debts import Debt, DebtStatus
from maatwerk.core.errors import InputError, Location, MaatwerkError
from maatwerk.core.events import (
    BalanceReported,
    DebtHelpEnded,
    DebtHelpKind,
    DebtHelpStarted,
    Event,
    SettlementAccepted,
    SettlementCompleted,
    SettlementProposed,
    SettlementRejected,
)
from maatwerk.core.money import Money
from maatwerk.core.ports import DebtSettlementHub, EventListener, Store
from maatwerk.core.records import ImportBatch, ImportKind, StoredCase
from maatwerk.services.announce import announce


__all__ = [
    "INBOX_KIND",
    "KnooppuntStore",
    "OpenSettlement",
    "ProcessResult",
    "SettleResult",
    "SettlementStateError",
    "complete_settlements",
    "decide_proposal",
    "process_inbox",
]

#: ``kind`` under which a processed inbox is noted (``import_audit``).
INBOX_KIND: Final = "knooppunt-inbox"
#: Who runs the debt help a settlement starts when the proposal names no organisation.
DEBT_HELP: Final = "schuldhulpverlening"
_BATCH: Final = 500


class KnooppuntStore(Store, Protocol):
    """The store, with the keyed append of the returns ledger."""

    def record_keyed_events(
        self,
        events: Sequence[tuple[str, Event]],
        *,
        kind: str,
        file_name: str,
        file_sha256: str,
    ) -> tuple[tuple[str, Event], ...] | None: ...


@attrs.frozen(kw_only=True)
class ProcessResult:
    requests: int = 0
    proposals: int = 0
    replies: tuple[str, ...] = ()
    """the references of the replies sent (balance replies)"""
    events: tuple[Event, ...] = ()
    """events recorded now (none for messages processed before)"""


def _cases(store: Store, debtor_id: str, creditor_id: str) -> list[StoredCase]:
    keys = (
        [k for k in store.cases_of_debtor(debtor_id) if k.creditor_id == creditor_id]
        if (creditor_id)
        else list(store.cases_of_debtor(debtor_id))
    )
    return list(store.load_cases(keys)) if keys else []


def _balance(store: Store, request: BalanceRequest) -> BalanceReply:
    cases = _cases(store, request.debtor_id, request.creditor_id)
    return balance_reply(request, [c.case for c in cases], [p for c in cases for p in c.payments])


def _check(store: Store, messages: Sequence[HubMessage], today: dt.date) -> None:
    errors: list[InputError] = []
    debtors = {m.debtor_id for m in messages}
    known = store.existing_ids("debtor", debtors) if debtors else frozenset()
    for message in messages:
        where = f"message {message.message_id}"
        if message.debtor_id not in known:
            errors.append(
                InputError("names no debtor we know", Location(file=where, field="debtor_id"))
            )
        elif message.creditor_id and not any(
            k.creditor_id == message.creditor_id for k in store.cases_of_debtor(message.debtor_id)
        ):
            errors.append(
                InputError(
                    "the debtor has no case with this creditor",
                    Location(file=where, field="creditor_id"),
                )
            )
        day, field = (
            (message.as_of, "as_of")
            if isinstance(message, BalanceRequest)
            else (message.proposed_on, "proposed_on")
        )
        if day > today:
            errors.append(
                InputError(
                    f"{day.isoformat()} is after today ({today.isoformat()})",
                    Location(file=where, field=field),
                )
            )
    if errors:
        raise InboxRejectedError(errors)


def _proposed(store: Store, proposal: SettlementProposal, by: str) -> SettlementProposed:
    reply = _balance(
        store,
        BalanceRequest(
            message_id=proposal.message_id,
            debtor_id=proposal.debtor_id,
            as_of=proposal.proposed_on,
            creditor_id=proposal.creditor_id,
        ),
    )
    return SettlementProposed(
        occurred_on=proposal.proposed_on,
        debtor_id=proposal.debtor_id,
        recorded_by=by,
        proposal_id=proposal.message_id,
        percentage=proposal.percentage,
        claim_total=reply.total,
        amount=settlement_amount(reply.total, proposal.percentage),
        pay_by=proposal.pay_by,
        debt_ids=tuple(c.debt_id for c in reply.claims),
        term_months=proposal.term_months,
        counsellor=proposal.counsellor,
    )


def process_inbox(
    store: KnooppuntStore,
    hub: DebtSettlementHub,
    *,
    today: dt.date,
    recorded_by: str = "knooppunt",
    listener: EventListener | None = None,
) -> ProcessResult:
    """Take the hub's messages, answer balance requests, record proposals (module docstring).

    :raises InboxRejectedError: a message is bad or names a debtor we do not know; nothing is
        recorded or sent.
    """
    messages = hub.receive()
    _check(store, messages, today)
    keyed: list[tuple[str, Event]] = []
    replies: list[BalanceReply] = []
    for message in messages:
        key = f"knooppunt:{message.debtor_id}:{message.message_id}"
        if isinstance(message, BalanceRequest):
            reply = _balance(store, message)
            replies.append(reply)
            keyed.append(
                (
                    f"{key}:balance",
                    BalanceReported(
                        occurred_on=message.as_of,
                        debtor_id=message.debtor_id,
                        recorded_by=recorded_by,
                        request_id=message.message_id,
                        as_of=message.as_of,
                        total=reply.total,
                        debt_ids=tuple(c.debt_id for c in reply.claims),
                        counsellor=message.counsellor,
                    ),
                )
            )
        else:
            keyed.append((f"{key}:proposed", _proposed(store, message, recorded_by)))
    digest = hashlib.sha256("\n".join(sorted(f"{k}|{e!r}" for k, e in keyed)).encode()).hexdigest()
    written = store.record_keyed_events(
        keyed, kind=INBOX_KIND, file_name="knooppunt inbox", file_sha256=digest
    )
    events = tuple(e for _, e in written or ())
    references = hub.send(replies) if replies else ()
    announce(listener, events)
    return ProcessResult(
        requests=sum(isinstance(m, BalanceRequest) for m in messages),
        proposals=sum(isinstance(m, SettlementProposal) for m in messages),
        replies=tuple(references),
        events=events,
    )


class SettlementStateError(MaatwerkError):
    """The proposal is unknown or was decided before."""


def _events(store: Store, debtor_id: str) -> list[Event]:
    return [r.event for r in store.history(debtor_id) if r.event is not None]


def _running_settlement(history: Sequence[Event]) -> bool:
    running = False
    for event in sorted(history, key=lambda e: e.occurred_on):
        if isinstance(event, (DebtHelpStarted, DebtHelpEnded)) and (
            event.help_kind is DebtHelpKind.SETTLEMENT
        ):
            running = isinstance(event, DebtHelpStarted)
    return running


def decide_proposal(
    store: Store,
    hub: DebtSettlementHub,
    *,
    debtor_id: str,
    proposal_id: str,
    accept: bool,
    by: str,
    on: dt.date,
    reason: str = "",
    listener: EventListener | None = None,
) -> ProposalReply:
    """Accept or reject proposal ``proposal_id`` of ``debtor_id``, record it, send the reply."""
    if not by.strip():
        raise InputError("say who decides", Location(field="--by"))
    if not accept and not reason.strip():
        raise InputError("a rejection needs a reason for debt help", Location(field="--reason"))
    history = _events(store, debtor_id)
    proposed = next(
        (e for e in history if isinstance(e, SettlementProposed) and e.proposal_id == proposal_id),
        None,
    )
    if proposed is None:
        raise SettlementStateError(
            f"no settlement proposal {proposal_id!r} for debtor {debtor_id!r}; "
            "run 'maatwerk knooppunt process' first"
        )
    earlier = next(
        (
            e
            for e in history
            if isinstance(e, (SettlementAccepted, SettlementRejected))
            and e.proposal_id == proposal_id
        ),
        None,
    )
    if earlier is not None:
        if isinstance(earlier, SettlementAccepted) != accept:
            raise SettlementStateError(f"proposal {proposal_id!r} was decided before")
        # the same decision again: send the reply again (it may not have gone out), record nothing
        reply = _reply(proposed, earlier)
        hub.send([reply])
        return reply
    if on < proposed.occurred_on:
        raise InputError("the decision is dated before the proposal", Location(field="--date"))
    events: list[Event]
    if accept:
        events = [
            SettlementAccepted(
                occurred_on=on,
                debtor_id=debtor_id,
                recorded_by=by,
                proposal_id=proposal_id,
                amount=proposed.amount,
                pay_by=proposed.pay_by,
                debt_ids=proposed.debt_ids,
            )
        ]
        if not _running_settlement(history):
            events.append(
                DebtHelpStarted(
                    occurred_on=on,
                    debtor_id=debtor_id,
                    recorded_by=by,
                    help_kind=DebtHelpKind.SETTLEMENT,
                    organisation=proposed.counsellor or DEBT_HELP,
                )
            )
    else:
        events = [
            SettlementRejected(
                occurred_on=on,
                debtor_id=debtor_id,
                recorded_by=by,
                proposal_id=proposal_id,
                reason=reason.strip(),
            )
        ]
    reply = _reply(proposed, events[0])
    store.append(events, idempotency_key=f"knooppunt:{debtor_id}:{proposal_id}:decision")
    hub.send([reply])
    announce(listener, events)
    return reply


def _reply(proposed: SettlementProposed, decided: Event) -> ProposalReply:
    accepted = isinstance(decided, SettlementAccepted)
    return ProposalReply(
        message_id=f"{proposed.proposal_id}-antwoord",
        in_reply_to=proposed.proposal_id,
        debtor_id=proposed.debtor_id,
        decision=ProposalDecision.ACCEPTED if accepted else ProposalDecision.REJECTED,
        decided_on=decided.occurred_on,
        claim_total=proposed.claim_total,
        amount=proposed.amount if accepted else Money.zero(),
        pay_by=proposed.pay_by,
        reason=decided.reason if isinstance(decided, SettlementRejected) else "",
    )


@attrs.frozen(kw_only=True)
class OpenSettlement:
    """An accepted settlement not yet paid: what is booked so far and whether it is overdue."""

    debtor_id: str
    proposal_id: str
    amount: Money
    paid: Money
    pay_by: dt.date
    overdue: bool


@attrs.frozen(kw_only=True)
class SettleResult:
    completed: tuple[SettlementCompleted, ...] = ()
    open: tuple[OpenSettlement, ...] = ()
    events: tuple[Event, ...] = ()


def _settle_case(
    store: Store, cases: Sequence[StoredCase], today: dt.date, by: str
) -> tuple[list[Event], list[SettlementCompleted], list[OpenSettlement]]:
    history = [e for e in cases[0].events if e.occurred_on <= today]
    done = {e.proposal_id for e in history if isinstance(e, SettlementCompleted)}
    ended = [
        e.occurred_on
        for e in history
        if isinstance(e, DebtHelpEnded) and e.help_kind is DebtHelpKind.SETTLEMENT
    ]
    # called off: debt help ended otherwise than by completion (e.g. the municipality's answer
    # "refused"); the claims stand again and the case resumes
    accepted = [
        e
        for e in history
        if isinstance(e, SettlementAccepted)
        and e.proposal_id not in done
        and not any(day >= e.occurred_on for day in ended)
    ]
    events: list[Event] = []
    completed: list[SettlementCompleted] = []
    still: list[OpenSettlement] = []
    debts = {d.debt_id: d for c in cases for d in c.case.debts}
    for settlement in accepted:
        covered = [debts[i] for i in settlement.debt_ids if i in debts]
        paid = sum(
            (
                a.parts.total
                for d in covered
                for a in d.applied
                if settlement.occurred_on <= a.applied_on <= today
            ),
            Money.zero(),
        )
        if paid < settlement.amount:
            still.append(
                OpenSettlement(
                    debtor_id=settlement.debtor_id,
                    proposal_id=settlement.proposal_id,
                    amount=settlement.amount,
                    paid=paid,
                    pay_by=settlement.pay_by,
                    overdue=today > settlement.pay_by,
                )
            )
            continue
        rest = [d.as_of(today) for d in covered]
        written_off = sum((d.outstanding.total for d in rest if d.is_open), Money.zero())
        done_event = SettlementCompleted(
            occurred_on=today,
            debtor_id=settlement.debtor_id,
            recorded_by=by,
            proposal_id=settlement.proposal_id,
            paid=paid,
            written_off=written_off,
            debt_ids=settlement.debt_ids,
        )
        completed.append(done_event)
        events.append(done_event)
        events.append(
            DebtHelpEnded(
                occurred_on=today,
                debtor_id=settlement.debtor_id,
                recorded_by=by,
                help_kind=DebtHelpKind.SETTLEMENT,
            )
        )
        store.append(
            events[-2:],
            idempotency_key=f"knooppunt:{settlement.debtor_id}:{settlement.proposal_id}:completed",
        )
        _write_off(store, done_event, covered, by)
    # a completion recorded before, whose write-off did not get written (a crash in between)
    for earlier in (e for e in history if isinstance(e, SettlementCompleted)):
        _write_off(store, earlier, [debts[i] for i in earlier.debt_ids if i in debts], by)
    return events, completed, still


def _write_off(
    store: Store, completed: SettlementCompleted, covered: Sequence[Debt], by: str
) -> None:
    """Close the settled claims still open as written off on the completion day."""
    day = completed.occurred_on
    closing = tuple(
        attrs.evolve(d, status=DebtStatus.WRITTEN_OFF, closed_on=day)
        for d in covered
        if d.status is DebtStatus.OPEN
    )
    if not closing:
        return
    store.apply_import(
        ImportBatch(
            kind=ImportKind.DEBTS,
            file_name=f"knooppunt settlement {completed.proposal_id}",
            file_sha256=hashlib.sha256(
                f"{completed.debtor_id}|{completed.proposal_id}|{day}".encode()
            ).hexdigest(),
            records=closing,
            recorded_by=by,
            recorded_on=day,
        )
    )


def complete_settlements(
    store: Store,
    *,
    today: dt.date,
    recorded_by: str = "knooppunt",
    listener: EventListener | None = None,
) -> SettleResult:
    """Close every accepted settlement whose amount is booked (module docstring); list the rest.

    Scans the cases in batches (the store has no index by event kind).
    """
    events: list[Event] = []
    completed: list[SettlementCompleted] = []
    still: list[OpenSettlement] = []
    after = None
    by_debtor: dict[str, list[StoredCase]] = {}
    while keys := store.case_keys(after=after, limit=_BATCH):
        after = keys[-1]
        for stored in store.load_cases(keys):
            if any(isinstance(e, SettlementAccepted) for e in stored.events):
                by_debtor.setdefault(stored.key.debtor_id, []).append(stored)
    for cases in by_debtor.values():
        found, done, waiting = _settle_case(store, cases, today, recorded_by)
        events.extend(found)
        completed.extend(done)
        still.extend(waiting)
    announce(listener, events)
    return SettleResult(completed=tuple(completed), open=tuple(still), events=tuple(events))
