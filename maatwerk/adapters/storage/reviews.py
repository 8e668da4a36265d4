"""The review queue (:class:`maatwerk.core.ports.ReviewQueue`): steps that wait for a person.

A step to review is an outbox row in status ``review`` with a ``reviews`` row (written by
:func:`~maatwerk.adapters.storage.outbox.enqueue`); approving it makes the outbox row pending,
rejecting it makes it rejected, and the decision's events are appended in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from maatwerk.adapters.storage import schema as t
from maatwerk.adapters.storage.base import SqlBase, chunks
from maatwerk.adapters.storage.event_log import event_row, insert_events
from maatwerk.adapters.storage.outbox import outbox_item
from maatwerk.core.events import Event
from maatwerk.core.records import (
    CaseKey,
    OutboxStatus,
    ReviewItem,
    ReviewStatus,
    StateConflictError,
)


__all__ = ["SqlReviews"]


class SqlReviews(SqlBase):
    """:class:`maatwerk.core.ports.ReviewQueue`."""

    def _review_query(self) -> sa.Select[Any]:
        r, o = t.reviews, t.outbox
        return sa.select(
            r.c.id.label("review_id"),
            r.c.prepared_by,
            r.c.four_eyes,
            r.c.status.label("review_status"),
            r.c.decided_by,
            r.c.reason,
            *o.c,
        ).join(o, o.c.id == r.c.outbox_id)

    def reviews(self, status: ReviewStatus | None = ReviewStatus.PENDING) -> Sequence[ReviewItem]:
        query = self._review_query().order_by(t.reviews.c.id)
        if status is not None:
            query = query.where(t.reviews.c.status == status.value)
        with self.engine.connect() as conn:
            return [_review_item(r) for r in conn.execute(query).mappings()]

    def get_review(self, review_id: int) -> ReviewItem:
        with self.engine.connect() as conn:
            row = (
                conn.execute(self._review_query().where(t.reviews.c.id == review_id))
                .mappings()
                .first()
            )
        if row is None:
            raise KeyError(review_id)
        return _review_item(row)

    def pending_steps(self, keys: Sequence[CaseKey]) -> frozenset[tuple[CaseKey, str]]:
        r, o = t.reviews, t.outbox
        wanted = set(keys)
        found: set[tuple[CaseKey, str]] = set()
        with self.engine.connect() as conn:
            for part in chunks(sorted({k.debtor_id for k in keys})):
                for row in conn.execute(
                    sa.select(o.c.debtor_id, o.c.creditor_id, o.c.step)
                    .join(r, r.c.outbox_id == o.c.id)
                    .where(r.c.status == ReviewStatus.PENDING.value)
                    .where(o.c.debtor_id.in_(part))
                ):
                    key = CaseKey(row.debtor_id, row.creditor_id)
                    if key in wanted:
                        found.add((key, row.step))
        return frozenset(found)

    def decide_review(
        self, review_id: int, *, approved: bool, by: str, reason: str, events: Sequence[Event]
    ) -> ReviewItem:
        r, o = t.reviews, t.outbox
        status = ReviewStatus.APPROVED if approved else ReviewStatus.REJECTED
        with self.engine.begin() as conn:
            changed = conn.execute(
                r.update()
                .where(r.c.id == review_id)
                .where(r.c.status == ReviewStatus.PENDING.value)
                .values(
                    status=status.value,
                    decided_by=by,
                    decided_at=sa.func.now(),
                    reason=reason or None,
                )
            ).rowcount
            if changed != 1:
                raise StateConflictError(f"review {review_id} is not pending")
            outbox_id = conn.execute(
                sa.select(r.c.outbox_id).where(r.c.id == review_id)
            ).scalar_one()
            new_status = OutboxStatus.PENDING if approved else OutboxStatus.REJECTED
            conn.execute(
                o.update()
                .where(o.c.id == outbox_id)
                .where(o.c.status == OutboxStatus.REVIEW.value)
                .values(status=new_status.value)
            )
            if events:
                insert_events(
                    conn, [event_row(e, f"review:{review_id}:{i}") for i, e in enumerate(events)]
                )
        return self.get_review(review_id)


def _review_item(row: Mapping[Any, Any]) -> ReviewItem:
    return ReviewItem(
        review_id=int(row["review_id"]),
        item=outbox_item(row),
        prepared_by=row["prepared_by"],
        four_eyes=bool(row["four_eyes"]),
        status=ReviewStatus(row["review_status"]),
        decided_by=row["decided_by"],
        reason=row["reason"],
    )
