"""The facts of a bailiff dossier and a municipal signal: claims with their legal basis,
contacts, steps, arrangements, disputes, the debt-help record, the letters' terms, consents."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from maatwerk.core.calendar import (
    CalendarRangeError,
    legal_deadline,
)
from maatwerk.core.events import (
    ActionKind,
    ArrangementAccepted,
    ArrangementBreached,
    ArrangementCompleted,
    ArrangementOffered,
    ArrangementRejected,
    ConsentGiven,
    ConsentRevoked,
    ContactAttempt,
    DebtHelpEnded,
    DebtHelpStarted,
    DisputeOpened,
    DisputeResolved,
    ReferralAnswered,
)
from maatwerk.core.letter_dates import LetterTerms


if TYPE_CHECKING:
    from collections.abc import Sequence

    from maatwerk.core.debts import Debt
    from maatwerk.core.policy import CaseState, Decision
from maatwerk.services.payloads._common import (
    _INTEREST_BASIS,
    _LEGAL_BASIS,
    _WRITTEN_REMINDERS,
    _cents,
)


# ------------------------------------------------------------------------------ bailiff
def _claim(debt: Debt, state: CaseState) -> dict[str, object]:
    outstanding = debt.outstanding
    return {
        "debt_id": debt.debt_id,
        "reference": debt.reference,
        "claim_kind": debt.kind.value,
        "category": debt.category,
        "consumer": debt.consumer,
        "issued_on": debt.issued_on,
        "due_date": debt.due_date,
        "default_date": debt.default_date,
        "principal": _cents(debt.principal),
        "outstanding_principal": _cents(outstanding.principal),
        "outstanding_interest": _cents(outstanding.interest),
        "outstanding_costs": _cents(outstanding.costs),
        "outstanding_total": _cents(state.outstanding.get(debt.debt_id, outstanding.total)),
        "legal_basis": _LEGAL_BASIS[debt.kind],
        "interest_basis": _INTEREST_BASIS[debt.interest_kind],
        "cost_lines": [
            {"posted_on": c.posted_on, "kind": c.kind, "amount": _cents(c.amount), "table": c.table}
            for c in debt.costs
        ],
        "interest_lines": [
            {
                "period_from": i.period_from,
                "period_to": i.period_to,
                "amount": _cents(i.amount),
                "table": i.table,
            }
            for i in debt.interest
        ],
        "payments": [
            {
                "payment_id": a.payment_id,
                "applied_on": a.applied_on,
                "principal": _cents(a.parts.principal),
                "interest": _cents(a.parts.interest),
                "costs": _cents(a.parts.costs),
            }
            for a in debt.applied
        ],
    }


def _contacts(state: CaseState) -> list[dict[str, object]]:
    return [
        {
            "on": c.occurred_on,
            "channel": c.channel.value,
            "outcome": c.outcome.value,
            "personal": c.channel.is_personal,
        }
        for c in state.events
        if isinstance(c, ContactAttempt)
    ]


def _steps(state: CaseState) -> list[dict[str, object]]:
    return [
        {
            "on": s.occurred_on,
            "step": s.step_id,
            "action": s.action.value,
            "channel": s.channel,
            "debt_ids": s.debt_ids,
        }
        for s in state.steps_taken
    ]


def _arrangement_history(state: CaseState) -> list[dict[str, object]]:
    names = {
        ArrangementOffered: "offered",
        ArrangementAccepted: "accepted",
        ArrangementRejected: "rejected",
        ArrangementBreached: "breached",
        ArrangementCompleted: "completed",
    }
    history: list[dict[str, object]] = []
    for event in state.events:
        kind = names.get(type(event))
        if kind is None:
            continue
        line: dict[str, object] = {
            "on": event.occurred_on,
            "event": kind,
            "arrangement_id": getattr(event, "arrangement_id", ""),
        }
        if isinstance(event, ArrangementOffered):
            if event.instalment is not None:
                line["instalment"] = _cents(event.instalment)
            if event.instalments is not None:
                line["instalments"] = event.instalments
        history.append(line)
    return history


def _disputes(state: CaseState) -> list[dict[str, object]]:
    disputes: dict[str, dict[str, object]] = {}
    for event in state.events:
        if isinstance(event, DisputeOpened):
            disputes[event.dispute_id] = {
                "dispute_id": event.dispute_id,
                "opened_on": event.occurred_on,
                "reason": event.reason,
                "resolved_on": None,
                "outcome": "",
            }
        elif isinstance(event, DisputeResolved) and event.dispute_id in disputes:
            disputes[event.dispute_id]["resolved_on"] = event.occurred_on
            disputes[event.dispute_id]["outcome"] = event.outcome
    return list(disputes.values())


def debt_help_status(state: CaseState, decision: Decision) -> dict[str, object]:
    """The debt-help record of the case: the status in plain words (``decision.debt_help``),
    every referral taken, the municipality's answers, debt help started and ended."""
    reason = decision.debt_help
    return {
        "status": "none" if reason is None else reason.code,
        "explanation": "" if reason is None else reason.nl,
        "referrals": tuple(
            s.occurred_on for s in state.steps_taken if s.action is ActionKind.DEBT_HELP_REFERRAL
        ),
        "answers": tuple(
            {"on": e.occurred_on, "outcome": e.outcome.value}
            for e in state.events
            if isinstance(e, ReferralAnswered)
        ),
        "started": tuple(
            {"on": e.occurred_on, "kind": e.help_kind.value}
            for e in state.events
            if isinstance(e, DebtHelpStarted)
        ),
        "ended": tuple(
            {"on": e.occurred_on, "kind": e.help_kind.value}
            for e in state.events
            if isinstance(e, DebtHelpEnded)
        ),
    }


def _last_day(start: dt.date, days: int, terms: LetterTerms) -> dt.date | None:
    try:
        return legal_deadline(start, days, terms.atw)
    except CalendarRangeError:
        return None


def _bailiff_facts(
    state: CaseState, debts: Sequence[Debt], terms: LetterTerms
) -> dict[str, object]:
    """The hand-over facts; each 14-day letter and aanmaning with the last day of its term
    (BW 6:96 lid 6 from receipt, Awb 4:112 from sending; Atw), which the channel checks."""
    debtor = state.debtor
    facts: dict[str, object] = {
        "claims": [_claim(d, state) for d in debts],
        "fourteen_day_letters": [
            {
                "sent_on": letter.sent_on,
                "received_on": letter.received_on,
                "last_day": _last_day(letter.received_on, terms.fourteen_day_term, terms),
                "stated_costs": _cents(letter.stated_costs),
                "debt_ids": letter.debt_ids,
            }
            for letter in state.letters
        ],
        "formal_demands": [
            {
                "sent_on": s.sent_on,
                "last_day": _last_day(s.sent_on, terms.aanmaning_term, terms),
                "debt_ids": s.debt_ids,
            }
            for s in state.demands
        ],
        "contact_attempts": _contacts(state),
        "arrangements": _arrangement_history(state),
        # the plans that cover a claim handed over (a plan for another claim of the case, e.g.
        # the one an offer letter named, does not stop the hand-over the policy decided)
        "active_arrangements": tuple(
            a.arrangement_id for a in state.arrangements if any(a.covers(d.debt_id) for d in debts)
        ),
        "disputes": _disputes(state),
        "open_disputes": tuple(d.dispute_id for d in state.open_disputes),
        "debt_help": tuple(sorted(h.help_kind.value for h in state.debt_help)),
        "steps_taken": _steps(state),
        "bvv_hint": {
            "household": debtor.household.value,
            "net_monthly_income": (
                None if debtor.net_monthly_income is None else _cents(debtor.net_monthly_income)
            ),
            "on_bijstand": debtor.on_bijstand,
            "has_brp_address": debtor.has_brp_address,
            "vulnerable": state.vulnerable,
            # Rv 475da lid 7: own home / rental without huurtoeslag, and the increase a person set
            "housing": None if debtor.housing is None else debtor.housing.value,
            "owner_increase": (
                None if debtor.owner_increase is None else _cents(debtor.owner_increase)
            ),
        },
    }
    if debtor.bsn:
        facts["bsn"] = debtor.bsn
    return facts


# ------------------------------------------------------------------------------ municipal
def _consents(state: CaseState) -> list[dict[str, object]]:
    records: list[dict[str, object]] = []
    for event in state.events:
        if isinstance(event, ConsentGiven):
            records.append({"scope": event.scope.value, "given_on": event.occurred_on})
        elif isinstance(event, ConsentRevoked):
            for record in reversed(records):
                if record["scope"] == event.scope.value and "revoked_on" not in record:
                    record["revoked_on"] = event.occurred_on
                    break
    for record in records:
        record.setdefault("revoked_on", None)
    return records


def _municipal_facts(state: CaseState, debts: Sequence[Debt]) -> dict[str, object]:
    written = [s.occurred_on for s in state.steps_taken if s.action in _WRITTEN_REMINDERS]
    return {
        "consents": _consents(state),
        "contact_attempts": _contacts(state),
        "written_reminders": tuple(written),
        "arrears_since": min((d.default_date for d in debts), default=state.today),
        "debt_categories": tuple(sorted({d.category for d in debts})),
    }
