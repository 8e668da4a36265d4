"""What the dispatcher checks on an outbox row before it calls any channel.

Two checks, in this order, on the row as it goes out (:func:`refusal_before_delivery`):

1. the payload matches the versioned schema of its action kind (``check_payload``, a port: the
   adapters' :func:`maatwerk.adapters.payload_schemas.payload_problems`). The run builds every
   payload, so a mismatch is a bug in maatwerk or a plugin: the row is refused with the schema
   and the field it breaks, and no channel sees it;
2. the law's preconditions on the payload for the delivery day
   (:func:`maatwerk.core.preconditions.delivery_refusal`: a bailiff hand-over, a referral or an
   early signal to the municipality, a deduction at source). They are checked here, whatever
   channel is installed under the step's name, so a channel that replaces a stock one cannot
   drop them.

3. for a row decided on an earlier day than it goes out (after a review, or a retry after a
   failed delivery), or one that waited for a review: the case *as it stands on the delivery
   day* (:func:`current_refusals`): the facts the payload carried may have changed since (a
   consent revoked, a dispute opened, a hold placed, the debt paid, debt help started, the
   debtor's death recorded). The cases of a page of rows are read from the store at once (the
   :class:`~maatwerk.core.ports.CaseRepository` port's ``load_cases``: a fixed number of
   set-based queries per page, never one per row) and folded as the policy folds them
   (:func:`~maatwerk.core.policy.casefile.derive_state`); the law's verdict is
   :func:`maatwerk.core.preconditions.state_refusal`.

A refused row is marked ``refused`` with the reason (the row's ``error``; the run's summary
counts it), nothing is delivered and nothing is recorded as sent: no legal term starts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import TypeAlias

from maatwerk.core.policy.casefile import CaseFile, derive_state
from maatwerk.core.ports import CaseRepository, PayloadValue, freeze_payload
from maatwerk.core.preconditions import delivery_refusal, state_refusal
from maatwerk.core.records import CaseKey, OutboxItem


__all__ = ["PayloadCheck", "current_refusals", "needs_current_check", "refusal_before_delivery"]

#: The schema check of a payload: ``(action kind, payload) -> problems`` (each names the field,
#: e.g. ``"bailiff-handover.v1: $.claims[0].debt_id: missing"``; empty: it matches).
PayloadCheck: TypeAlias = Callable[[str, Mapping[str, PayloadValue]], Sequence[str]]

#: How many schema problems a refusal names (the rest are counted).
_SHOWN = 3


def refusal_before_delivery(
    item: OutboxItem, day: dt.date, check_payload: PayloadCheck | None = None
) -> str:
    """Why ``item`` must not reach its channel on ``day`` (empty: it may go)."""
    entry = item.entry
    payload = freeze_payload(entry.payload)
    if check_payload is not None:
        problems = list(check_payload(entry.action, payload))
        if problems:
            more = len(problems) - _SHOWN
            shown = "; ".join(problems[:_SHOWN]) + (f" (and {more} more)" if more > 0 else "")
            return f"payload does not match its schema (a bug, not the debtor's data): {shown}"
    return delivery_refusal(entry.action, entry.channel, payload, day)


def needs_current_check(item: OutboxItem, day: dt.date) -> bool:
    """Whether ``item`` is checked against the case as it stands on ``day``: it was decided on
    an earlier day, or it waited for a review (a row decided and delivered the same day was
    decided on the same facts)."""
    return item.entry.run_date < day or item.entry.review


def current_refusals(
    cases: CaseRepository, items: Sequence[OutboxItem], day: dt.date
) -> dict[int, str]:
    """Why each of ``items`` that :func:`needs_current_check` may no longer go out on ``day``,
    by outbox id (a row that may go is left out). One ``load_cases`` for all of them."""
    stale = [i for i in items if needs_current_check(i, day)]
    if not stale:
        return {}
    keys = sorted({i.entry.case for i in stale}, key=lambda k: (k.debtor_id, k.creditor_id))
    states = {
        CaseKey(s.case.debtor_id, s.case.creditor_id): derive_state(
            CaseFile(debtor=s.debtor, case=s.case, events=s.events), day
        )
        for s in cases.load_cases(keys)
    }
    found: dict[int, str] = {}
    for item in stale:
        entry = item.entry
        reason = state_refusal(entry.action, entry.debt_ids, states.get(entry.case))
        if reason:
            found[item.outbox_id] = f"the law no longer allows it on {day.isoformat()}: {reason}"
    return found
