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

A refused row is marked ``refused`` with the reason (the row's ``error``; the run's summary
counts it), nothing is delivered and nothing is recorded as sent: no legal term starts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import TypeAlias

from maatwerk.core.ports import PayloadValue, freeze_payload
from maatwerk.core.preconditions import delivery_refusal
from maatwerk.core.records import OutboxItem


__all__ = ["PayloadCheck", "refusal_before_delivery"]

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
