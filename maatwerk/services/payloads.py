"""The payload of an outbox row: what a channel needs to carry out one step (uitvoering).

The daily run (:mod:`maatwerk.services.daily_run`) records one outbox row per step taken; its
``payload`` is built here from the policy's decision and the stored case, so that the facts a
channel needs (amounts, dates, contact details, the legal preconditions a channel checks
itself) are gathered in one place. Keys are the ``PAYLOAD_*`` constants of
:mod:`maatwerk.core.ports` plus channel-specific keys documented per builder.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from maatwerk.core.ports import (
    PAYLOAD_AMOUNT,
    PAYLOAD_ARREARS_MONTHS,
    PAYLOAD_COLLECTION_COSTS,
    PAYLOAD_DEBTOR_NAME,
    PAYLOAD_EXPLANATION,
    PAYLOAD_PAY_BEFORE,
    PAYLOAD_PHONE,
    PAYLOAD_REFERENCE,
)


if TYPE_CHECKING:
    from collections.abc import Sequence

    from maatwerk.core.money import Money
    from maatwerk.core.policy import Decision, ProposedAction
    from maatwerk.core.records import StoredCase


__all__ = ["build_payload"]


def build_payload(
    decision: Decision,
    action: ProposedAction,
    stored: StoredCase,
    *,
    explanation: Sequence[str],
    stated_costs: Money | None = None,
) -> dict[str, object]:
    """The outbox payload for ``action`` (the step ``decision`` takes) on ``stored``.

    ``explanation``: the decision's Dutch reason chain; ``stated_costs``: the collection costs
    a 14-day letter states (BW 6:96 lid 6), ``None`` for other steps.
    """
    debts = [d for d in stored.case.debts if d.debt_id in action.debt_ids]
    payload: dict[str, object] = {
        PAYLOAD_DEBTOR_NAME: stored.debtor.name,
        PAYLOAD_AMOUNT: action.amount.rounded().amount,
        PAYLOAD_EXPLANATION: "\n".join(explanation),
        PAYLOAD_REFERENCE: next((d.reference for d in debts if d.reference), ""),
        PAYLOAD_ARREARS_MONTHS: int(Decimal(decision.arrears_months)),
        "policy": decision.policy,
        "title": action.title("nl"),
        **dict(action.params),
    }
    if action.due_by is not None:
        payload[PAYLOAD_PAY_BEFORE] = action.due_by
    if stored.debtor.phone:
        payload[PAYLOAD_PHONE] = stored.debtor.phone
    if stated_costs is not None:
        payload[PAYLOAD_COLLECTION_COSTS] = stated_costs.rounded().amount
    return payload
