"""``explain``: everything about one debtor on one date, and why the engine decides what it does.

For each case: the debts with their balance split into principal, interest and costs, the
decision the policy makes on the date (the same pure evaluation the daily run does) with its
full reason chain, and the decision the run recorded for that date, if it ran. Plus the
debtor's history: every event and audit record in the order they were written.

Everything is as it stood on the date (:meth:`~maatwerk.core.records.StoredCase.as_of`): ledger
lines, payments and events dated after it are left out, and the payments received by then are
applied as the run does that day, so the balance, the history and the decision agree with each
other and with what the run saw.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import attrs

from maatwerk.core.allocation import AllocationOrder
from maatwerk.core.debts import Balance
from maatwerk.core.errors import InputError, Location
from maatwerk.core.policy import Decision
from maatwerk.core.ports import RecordedEvent, Store
from maatwerk.core.records import DecisionRecord, StoredCase
from maatwerk.services.run.payments import apply_payments


__all__ = ["CaseExplanation", "DebtorExplanation", "explain_debtor"]


@attrs.frozen(kw_only=True)
class CaseExplanation:
    stored: StoredCase
    balance: Balance
    decision: Decision
    recorded: DecisionRecord | None


@attrs.frozen(kw_only=True)
class DebtorExplanation:
    debtor_id: str
    on: dt.date
    cases: tuple[CaseExplanation, ...]
    history: tuple[RecordedEvent, ...]


def explain_debtor(
    store: Store,
    decide: Callable[[StoredCase, dt.date], Decision],
    debtor_id: str,
    on: dt.date,
    *,
    allocation: AllocationOrder = AllocationOrder.STATUTORY,
) -> DebtorExplanation:
    """Explain ``debtor_id`` as it stood on ``on``; ``decide`` is the policy evaluation the run
    uses, ``allocation`` the order it applies payments in."""
    keys = store.cases_of_debtor(debtor_id)
    if not keys:
        known = debtor_id in store.existing_ids("debtor", [debtor_id])
        problem = "has no debts" if known else "is not known"
        raise InputError(f"debtor {debtor_id!r} {problem}", Location(field="DEBTOR"))
    then = [apply_payments(s.as_of(on), on, allocation)[0] for s in store.load_cases(keys)]
    cases = tuple(
        CaseExplanation(
            stored=stored,
            balance=stored.case.outstanding,
            decision=decide(stored, on),
            recorded=store.decision(stored.key, on),
        )
        for stored in then
    )
    history = tuple(r for r in store.history(debtor_id) if r.occurred_on <= on)
    return DebtorExplanation(debtor_id=debtor_id, on=on, cases=cases, history=history)
