"""The append-only ``events`` table (:class:`maatwerk.core.ports.EventLog`).

Every write that a person, an import or the run causes appends a row; an idempotency key makes
an append a no-op the second time. The row helpers here are shared by every part of the store
that appends (runs, the outbox, reviews, imports).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from maatwerk.adapters.storage import schema as t
from maatwerk.adapters.storage.audit_chain import insert_events
from maatwerk.adapters.storage.base import SqlBase, chunks, json_object
from maatwerk.core.events import EVENT_TYPES, Event, event_from_record, event_to_record
from maatwerk.core.ports import RecordedEvent


__all__ = ["SqlEventLog", "append_keyed", "event_row", "insert_events", "recorded_event"]


def event_row(event: Event, idempotency_key: str | None = None) -> dict[str, Any]:
    """The ``events`` row of a domain event."""
    return {
        "kind": event.kind,
        "debtor_id": event.debtor_id,
        "debt_id": event.debt_id,
        "occurred_on": event.occurred_on,
        "actor": event.recorded_by,
        "idempotency_key": idempotency_key,
        "payload": event_to_record(event),
    }


def recorded_event(row: Any) -> RecordedEvent:
    """An ``events`` row as read back (a domain event only for a domain event's kind)."""
    payload = json_object(row.payload)
    event = event_from_record(payload) if row.kind in EVENT_TYPES else None
    return RecordedEvent(
        sequence=int(row.sequence),
        event=event,
        kind=row.kind,
        debtor_id=row.debtor_id,
        debt_id=row.debt_id,
        occurred_on=row.occurred_on,
        payload=payload,
        recorded_by=str(getattr(row, "actor", None) or ""),  # the report reads no actor
    )


def append_keyed(
    conn: sa.Connection, events: Sequence[tuple[str, Event]]
) -> list[tuple[str, Event]]:
    """Append each ``(key, event)`` whose key is not in the log yet (each key once, the first
    wins); returns the pairs appended."""
    known: set[str] = set()
    for part in chunks(sorted({key for key, _event in events})):
        known.update(
            str(k)
            for k in conn.execute(
                sa.select(t.events.c.idempotency_key).where(t.events.c.idempotency_key.in_(part))
            ).scalars()
        )
    new: list[tuple[str, Event]] = []
    for key, event in events:
        if key not in known:
            known.add(key)
            new.append((key, event))
    if new:
        insert_events(conn, [event_row(e, key) for key, e in new])
    return new


def event_known(conn: sa.Connection, row: Mapping[str, Any]) -> bool:
    """The log has a row with the idempotency key of ``row`` (never, without a key)."""
    key = row.get("idempotency_key")
    if key is None:
        return False
    found = conn.execute(
        sa.select(t.events.c.sequence).where(t.events.c.idempotency_key == key)
    ).first()
    return found is not None


class SqlEventLog(SqlBase):
    """:class:`maatwerk.core.ports.EventLog`."""

    def append(self, events: Sequence[Event], *, idempotency_key: str | None = None) -> int:
        if not events:
            return 0
        with self.engine.begin() as conn:
            if idempotency_key is not None:
                seen = conn.execute(
                    sa.select(sa.func.count())
                    .select_from(t.events)
                    .where(t.events.c.idempotency_key.like(f"{idempotency_key}#%"))
                ).scalar_one()
                if seen:
                    return 0
            rows = [
                event_row(e, None if idempotency_key is None else f"{idempotency_key}#{i}")
                for i, e in enumerate(events)
            ]
            insert_events(conn, rows)
        return len(rows)

    def history(self, debtor_id: str) -> Sequence[RecordedEvent]:
        query = (
            sa.select(t.events)
            .where(t.events.c.debtor_id == debtor_id)
            .order_by(t.events.c.sequence)
        )
        with self.engine.connect() as conn:
            return [recorded_event(row) for row in conn.execute(query)]
