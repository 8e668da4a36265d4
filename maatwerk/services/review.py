"""Human review (maker-checker, vier-ogenprincipe) of steps the policy marks ``review``.

By default the bailiff hand-over, the write-off and the early signal wait in the queue. An
approval makes the step count as taken (a ``StepTaken`` event, dated the approval day) and
releases its outbox row to the dispatcher; a rejection records ``ReviewRejected`` and the policy
does not propose the step again for those debts. With four-eyes on, the approver must be
someone other than whoever prepared the step. The recorded events are announced to the
optional ``listener`` after the decision committed.
"""

from __future__ import annotations

import datetime as dt

from maatwerk.core.errors import InputError, Location, MaatwerkError
from maatwerk.core.events import ReviewApproved, ReviewRejected
from maatwerk.core.ports import EventListener, ReviewQueue
from maatwerk.core.records import ReviewItem, ReviewStatus, StateConflictError
from maatwerk.services.announce import announce
from maatwerk.services.run import step_taken_for


__all__ = ["FourEyesError", "approve", "reject"]


class FourEyesError(MaatwerkError):
    """The approver is the person who prepared the step (four-eyes principle)."""


def _pending(queue: ReviewQueue, review_id: int) -> ReviewItem:
    try:
        item = queue.get_review(review_id)
    except KeyError:
        raise InputError(f"there is no review {review_id}", Location(field="ID")) from None
    if item.status is not ReviewStatus.PENDING:
        raise StateConflictError(
            f"review {review_id} was already {item.status.value} by {item.decided_by}"
        )
    return item


def _name(by: str) -> str:
    name = by.strip()
    if not name:
        raise InputError("say who decides (--by NAME)", Location(field="--by"))
    return name


def approve(
    queue: ReviewQueue,
    review_id: int,
    *,
    by: str,
    on: dt.date,
    listener: EventListener | None = None,
) -> ReviewItem:
    """Approve a pending review; the step then counts as taken on ``on``."""
    name = _name(by)
    item = _pending(queue, review_id)
    if item.four_eyes and name == item.prepared_by:
        raise FourEyesError(
            f"review {review_id} was prepared by {name}; someone else must approve it (four eyes)"
        )
    entry = item.item.entry
    approved = ReviewApproved(
        occurred_on=on,
        debtor_id=entry.case.debtor_id,
        step_id=entry.step,
        debt_ids=entry.debt_ids,
        recorded_by=name,
    )
    taken = step_taken_for(item.item, on)
    decided = queue.decide_review(
        review_id, approved=True, by=name, reason="", events=(approved, taken)
    )
    announce(listener, (approved, taken))
    return decided


def reject(
    queue: ReviewQueue,
    review_id: int,
    *,
    by: str,
    reason: str,
    on: dt.date,
    listener: EventListener | None = None,
) -> ReviewItem:
    """Reject a pending review with a reason; the step is not proposed again for its debts."""
    name = _name(by)
    if not reason.strip():
        raise InputError("say why the step is rejected (--reason)", Location(field="--reason"))
    item = _pending(queue, review_id)
    entry = item.item.entry
    rejected = ReviewRejected(
        occurred_on=on,
        debtor_id=entry.case.debtor_id,
        step_id=entry.step,
        debt_ids=entry.debt_ids,
        recorded_by=name,
        note=reason.strip(),
    )
    decided = queue.decide_review(
        review_id, approved=False, by=name, reason=reason.strip(), events=(rejected,)
    )
    announce(listener, (rejected,))
    return decided
