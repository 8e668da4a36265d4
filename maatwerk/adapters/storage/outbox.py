"""The transactional outbox (:class:`maatwerk.core.ports.Outbox`) and what was delivered from it.

The run writes an action's outbox row in the transaction that records its decision
(:func:`enqueue`); the dispatcher claims pending rows, hands them to their channel and marks
them. A delivered row's receipt carries the channel's reference, which the bank-returns import
reads back (:meth:`SqlOutbox.delivered_items`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from maatwerk.adapters.storage import schema as t
from maatwerk.adapters.storage.base import SqlBase, json_object
from maatwerk.adapters.storage.event_log import append_keyed
from maatwerk.adapters.storage.mapping import decode_payload, encode_payload
from maatwerk.adapters.storage.postings import post_lines
from maatwerk.core.events import Event
from maatwerk.core.records import (
    CaseKey,
    DeliveredItem,
    OutboxEntry,
    OutboxItem,
    OutboxStatus,
    Posting,
    ReviewStatus,
)
from maatwerk.services.faults import fault_point


__all__ = ["Mark", "SqlOutbox", "enqueue", "outbox_item"]

#: ``(outbox id, status, reference, reason)``: how a channel's attempt ended.
Mark = tuple[int, OutboxStatus, str, str]


class SqlOutbox(SqlBase):
    """:class:`maatwerk.core.ports.Outbox`, and the delivered rows of
    :class:`maatwerk.core.ports.ReturnsLedger`."""

    def claim_pending(
        self, *, after_id: int, limit: int, max_attempts: int = 5
    ) -> Sequence[OutboxItem]:
        o = t.outbox
        with self.engine.begin() as conn:
            query = (
                sa.select(o)
                .where(
                    sa.or_(
                        o.c.status == OutboxStatus.PENDING.value,
                        sa.and_(
                            o.c.status == OutboxStatus.FAILED.value,
                            o.c.attempts < max_attempts,
                        ),
                    )
                )
                .where(o.c.id > after_id)
                .order_by(o.c.id)
                .limit(limit)
            )
            if conn.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = conn.execute(query).mappings().all()
            if rows:
                conn.execute(
                    o.update()
                    .where(o.c.id.in_([r["id"] for r in rows]))
                    .values(claimed_at=sa.func.now())
                )
        # an attempt counts when it ends (``mark``): a run killed before it marks its rows has
        # not used up one of their ``max_attempts``
        return [outbox_item(r, attempts_delta=1) for r in rows]

    def mark(
        self, outbox_id: int, status: OutboxStatus, *, reference: str = "", reason: str = ""
    ) -> None:
        o = t.outbox
        values: dict[str, Any] = {
            "status": status.value,
            "receipt": {"reference": reference, "reason": reason},
            "error": reason[:500] or None,
            "attempts": o.c.attempts + 1,
        }
        if status is OutboxStatus.DONE:
            values["done_at"] = sa.func.now()
        with self.engine.begin() as conn:
            conn.execute(o.update().where(o.c.id == outbox_id).values(**values))

    def mark_many(self, marks: Sequence[Mark]) -> None:
        """:meth:`mark` for many rows in one transaction (one executemany per status kind)."""
        with self.engine.begin() as conn:
            _mark_many(conn, marks)

    def record_delivery(
        self,
        marks: Sequence[Mark],
        events: Sequence[tuple[str, Event]],
        postings: Sequence[Posting],
    ) -> Sequence[Event]:
        """Marks, the delivered actions' keyed events (each key once) and their postings (each
        ``(debt, posting key)`` once), in ONE transaction; returns the events appended."""
        with self.engine.begin() as conn:
            new = append_keyed(conn, events)
            post_lines(conn, postings)
            fault_point("delivery-postings-written")
            _mark_many(conn, marks)
        return [event for _key, event in new]

    def outbox_items(self, run_date: dt.date | None = None) -> Sequence[OutboxItem]:
        o = t.outbox
        query = sa.select(o).order_by(o.c.id)
        if run_date is not None:
            query = query.where(o.c.run_date == run_date)
        with self.engine.connect() as conn:
            return [outbox_item(r) for r in conn.execute(query).mappings()]

    def delivered_items(self, *, actions: Iterable[str]) -> Sequence[DeliveredItem]:
        o = t.outbox
        query = (
            sa.select(o)
            .where(o.c.status == OutboxStatus.DONE.value)
            .where(o.c.action.in_(sorted(set(actions))))
            .order_by(o.c.id)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        result: list[DeliveredItem] = []
        for row in rows:
            receipt = json_object(row["receipt"]) if row["receipt"] is not None else {}
            result.append(
                DeliveredItem(item=outbox_item(row), reference=str(receipt.get("reference", "")))
            )
        return result


def enqueue(conn: sa.Connection, entries: Sequence[OutboxEntry]) -> None:
    """Insert the outbox rows of ``entries``, and a pending review for each one to review."""
    if not entries:
        return
    conn.execute(t.outbox.insert(), [_outbox_row(e) for e in entries])
    reviewed = [e for e in entries if e.review]
    if reviewed:
        ids = {
            str(row[0]): int(row[1])
            for row in conn.execute(
                sa.select(t.outbox.c.idempotency_key, t.outbox.c.id).where(
                    t.outbox.c.idempotency_key.in_([e.idempotency_key for e in reviewed])
                )
            )
        }
        conn.execute(
            t.reviews.insert(),
            [
                {
                    "outbox_id": ids[e.idempotency_key],
                    "prepared_by": e.prepared_by,
                    "four_eyes": e.four_eyes,
                    "status": ReviewStatus.PENDING.value,
                }
                for e in reviewed
            ],
        )


def _mark_many(conn: sa.Connection, marks: Sequence[Mark]) -> None:
    o = t.outbox
    done: list[dict[str, Any]] = []
    other: list[dict[str, Any]] = []
    for outbox_id, status, reference, reason in marks:
        row = {
            "_id": outbox_id,
            "_status": status.value,
            "_receipt": {"reference": reference, "reason": reason},
            "_error": reason[:500] or None,
        }
        (done if status is OutboxStatus.DONE else other).append(row)
    values: dict[str, Any] = {
        "status": sa.bindparam("_status"),
        "receipt": sa.bindparam("_receipt", type_=o.c.receipt.type),
        "error": sa.bindparam("_error"),
        "attempts": o.c.attempts + 1,
    }
    update = o.update().where(o.c.id == sa.bindparam("_id"))
    if done:
        conn.execute(update.values(**values, done_at=sa.func.now()), done)
    if other:
        conn.execute(update.values(**values), other)


def _outbox_row(entry: OutboxEntry) -> dict[str, Any]:
    return {
        "run_date": entry.run_date,
        "debtor_id": entry.case.debtor_id,
        "creditor_id": entry.case.creditor_id,
        "step": entry.step,
        "action": entry.action,
        "channel": entry.channel,
        "idempotency_key": entry.idempotency_key,
        "payload": {
            "debt_ids": list(entry.debt_ids),
            "data": encode_payload(dict(entry.payload)),
            "review": entry.review,
            "four_eyes": entry.four_eyes,
            "prepared_by": entry.prepared_by,
        },
        "status": (OutboxStatus.REVIEW if entry.review else OutboxStatus.PENDING).value,
        "attempts": 0,
    }


def outbox_item(row: Mapping[Any, Any], attempts_delta: int = 0) -> OutboxItem:
    """An outbox row as the dispatcher and the review queue see it."""
    stored = json_object(row["payload"])
    data = decode_payload(stored.get("data", {}))
    entry = OutboxEntry(
        case=CaseKey(row["debtor_id"], row["creditor_id"]),
        run_date=row["run_date"],
        step=row["step"],
        action=row["action"],
        channel=row["channel"],
        debt_ids=tuple(stored.get("debt_ids", ())),
        payload=data,
        review=bool(stored.get("review", False)),
        four_eyes=bool(stored.get("four_eyes", True)),
        prepared_by=str(stored.get("prepared_by", "engine")),
    )
    return OutboxItem(
        outbox_id=int(row["id"]),
        entry=entry,
        status=OutboxStatus(row["status"]),
        attempts=int(row["attempts"]) + attempts_delta,
    )
