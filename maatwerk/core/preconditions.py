"""What the law asks before an action may go out, checked on its payload (voorwaarden).

The policy's guards decide, on the case file, whether a step may be *taken*; these checks decide,
on the facts the step's payload carries, whether its action may be *delivered* on the delivery
day. The dispatcher (:mod:`maatwerk.services.run.dispatch`) runs them before it calls any
channel, so a channel a deployment installs in place of a stock one (an HTTP bailiff portal, a
municipality's own intake) cannot drop them; the stock channels check them again with these same
functions. A refusal is recorded on the outbox row as ``refused`` with the reason; nothing is
delivered and no legal term starts. Reasons name no personal data.

* ``bailiff-handover`` (:func:`bailiff_refusal`): claims to hand over; a personal contact attempt
  (a call or a visit; seed 002: "voor de dagvaarding moet een poging tot persoonlijk contact
  plaatsvinden"); no active payment arrangement; no open dispute; for each private consumer claim
  a 14-day letter whose term ended before the delivery day (BW 6:96 lid 6), for each public claim
  an aanmaning whose term ended (Awb 4:112). The letters' last days are the core's
  (:mod:`maatwerk.core.letter_dates`, Atw-extended), carried in the payload.
* ``debt-help-referral`` and ``early-signal`` (:func:`municipal_refusal`): a recorded, unrevoked
  consent of a scope that allows the action (:data:`CONSENT_SCOPES`, the table of the mandatory
  ``consent`` guard; AVG art. 6) given on or before the delivery day; an early signal also only
  after a personal contact attempt and a written reminder (Besluit gemeentelijke
  schuldhulpverlening art. 2).
* an action for the ``source-deduction`` channel (:func:`deduction_refusal`): the household's
  protected income (BVV, Rv 475da) calculated with its lines, something left above it, and a
  monthly amount not above net income minus the BVV (BW 7:633: only as far as wages could be
  attached).

The payload is built on the decision day. A row delivered on a later day (after a review, or a
retry after a failed delivery) is also checked against the case as it stands on the delivery day
(:func:`state_refusal`, on a :class:`~maatwerk.core.policy.casefile.CaseState` the dispatcher
derives from the store): the debtor has not died, no hold and no open dispute covers the row's
debts, no debt help runs, a referral or early signal still has an unrevoked consent, and the
debts are still owed. These are the mandatory guards' facts; a fact that changed after the
decision stops the row as it would have stopped the step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Final

from maatwerk.core.events import ActionKind, HoldScope
from maatwerk.core.policy.casefile import CaseState
from maatwerk.core.policy.guards import CONSENT_FOR
from maatwerk.core.ports import PAYLOAD_AMOUNT, PayloadValue


__all__ = [
    "CONSENT_SCOPES",
    "SOURCE_DEDUCTION",
    "bailiff_refusal",
    "consent_record",
    "deduction_refusal",
    "deduction_room",
    "delivery_refusal",
    "municipal_refusal",
    "state_refusal",
]

#: The channel that deducts at source (its actions are ``arrangement-offer`` instructions).
SOURCE_DEDUCTION: Final = "source-deduction"
#: Which consent scopes allow which municipal action (the same table as the mandatory
#: ``consent`` guard, :data:`maatwerk.core.policy.guards.CONSENT_FOR`, as strings).
CONSENT_SCOPES: Final[Mapping[str, frozenset[str]]] = {
    action.value: frozenset(scope.value for scope in scopes)
    for action, scopes in CONSENT_FOR.items()
}
_BAILIFF: Final = "bailiff-handover"
_CENT: Final = Decimal("0.01")


class _RefusedError(ValueError):
    """Internal: the payload refuses the action; the message says why."""


def _records(payload: Mapping[str, PayloadValue], key: str) -> list[Mapping[str, PayloadValue]]:
    value = payload.get(key, ())
    if not isinstance(value, tuple) or not all(isinstance(v, Mapping) for v in value):
        raise _RefusedError(f"payload field {key!r} must be a list of records")
    return [v for v in value if isinstance(v, Mapping)]


def _texts(payload: Mapping[str, PayloadValue], key: str) -> tuple[str, ...]:
    value = payload.get(key, ())
    if not isinstance(value, tuple) or not all(isinstance(v, str) for v in value):
        raise _RefusedError(f"payload field {key!r} must be a list of texts")
    return tuple(str(v) for v in value)


def _covers(record: Mapping[str, PayloadValue], debt_id: str) -> bool:
    debts = record.get("debt_ids", ())
    return not debts or (isinstance(debts, tuple) and debt_id in debts)


def _term_expired(
    notices: Sequence[Mapping[str, PayloadValue]], debt_id: str, day: dt.date
) -> bool:
    """Whether a notice covering ``debt_id`` has a ``last_day`` before ``day`` (a notice
    without one never counts as expired)."""
    return any(
        isinstance(last := notice.get("last_day"), dt.date) and day > last
        for notice in notices
        if _covers(notice, debt_id)
    )


def _personal_contact(payload: Mapping[str, PayloadValue]) -> bool:
    return any(c.get("personal") is True for c in _records(payload, "contact_attempts"))


def _check_bailiff(payload: Mapping[str, PayloadValue], day: dt.date) -> None:
    claims = _records(payload, "claims")
    if not claims:
        raise _RefusedError("payload field 'claims' is missing: nothing to hand over")
    if not _personal_contact(payload):
        raise _RefusedError("no personal contact attempt (call or visit) is recorded")
    if _texts(payload, "active_arrangements"):
        raise _RefusedError("a payment arrangement is active: no hand-over while it is kept")
    if _texts(payload, "open_disputes"):
        raise _RefusedError("a dispute is open: no hand-over until it is resolved")
    letters = _records(payload, "fourteen_day_letters")
    demands = _records(payload, "formal_demands")
    for claim in claims:
        debt_id = str(claim.get("debt_id", ""))
        if claim.get("claim_kind") == "public":
            if not _term_expired(demands, debt_id, day):
                raise _RefusedError(
                    f"claim {debt_id}: no aanmaning whose 2-week term has expired (Awb 4:112)"
                )
        elif claim.get("consumer") is not False and not _term_expired(letters, debt_id, day):
            raise _RefusedError(
                f"claim {debt_id}: no 14-day letter whose term has expired (BW 6:96 lid 6)"
            )


def bailiff_refusal(payload: Mapping[str, PayloadValue], day: dt.date) -> str:
    """Why a hand-over with ``payload`` may not go out on ``day`` (empty: it may)."""
    try:
        _check_bailiff(payload, day)
    except _RefusedError as exc:
        return str(exc)
    return ""


def consent_record(
    payload: Mapping[str, PayloadValue], kind: str, day: dt.date
) -> Mapping[str, PayloadValue] | None:
    """The latest recorded consent in ``payload`` that allows ``kind`` on ``day``: of a scope
    of :data:`CONSENT_SCOPES`, given on or before ``day`` and not revoked (``None``: none)."""
    scopes = CONSENT_SCOPES.get(kind, frozenset())
    for record in reversed(_records(payload, "consents")):
        given = record.get("given_on")
        if (
            record.get("scope") in scopes
            and isinstance(given, dt.date)
            and given <= day
            and record.get("revoked_on") is None
        ):
            return record
    return None


def _check_municipal(kind: str, payload: Mapping[str, PayloadValue], day: dt.date) -> None:
    if consent_record(payload, kind, day) is None:
        scopes = ", ".join(sorted(CONSENT_SCOPES[kind]))
        raise _RefusedError(f"no recorded, unrevoked consent for {kind} (needs one of: {scopes})")
    reminders = payload.get("written_reminders", ())
    if not isinstance(reminders, tuple):
        raise _RefusedError("payload field 'written_reminders' must be a list of dates")
    if kind == "early-signal":
        if not _personal_contact(payload):
            raise _RefusedError("early signal without a personal contact attempt first")
        if not reminders:
            raise _RefusedError("early signal without a written reminder first")


def municipal_refusal(kind: str, payload: Mapping[str, PayloadValue], day: dt.date) -> str:
    """Why a referral or early signal with ``payload`` may not go out on ``day`` (empty: it
    may; another ``kind`` is not checked)."""
    if kind not in CONSENT_SCOPES:
        return ""
    try:
        _check_municipal(kind, payload, day)
    except _RefusedError as exc:
        return str(exc)
    return ""


def _amount(value: PayloadValue, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise _RefusedError(f"{what} must be an amount (Decimal)")
    return Decimal(value)


def deduction_room(payload: Mapping[str, PayloadValue]) -> tuple[Decimal, Decimal, Decimal]:
    """Net income, protected income and the room between them (cents) of the payload's ``bvv``;
    ``ValueError`` naming the field when the calculation is missing or malformed."""
    bvv = payload.get("bvv")
    if not isinstance(bvv, Mapping):
        raise _RefusedError(
            "payload field 'bvv' is missing: no deduction without the protected-income calculation"
        )
    net = _amount(bvv.get("net_income"), "bvv.net_income")
    protected = _amount(bvv.get("protected_income"), "bvv.protected_income")
    lines = bvv.get("lines", ())
    if not isinstance(lines, tuple) or not lines:
        raise _RefusedError("payload field 'bvv' has no calculation lines")
    return net, protected, (net - protected).quantize(_CENT)


def _check_deduction(payload: Mapping[str, PayloadValue]) -> None:
    owed = _amount(payload.get(PAYLOAD_AMOUNT), f"payload field {PAYLOAD_AMOUNT!r}")
    if owed <= 0:
        raise _RefusedError(f"payload field {PAYLOAD_AMOUNT!r} must be above zero")
    _, _, room = deduction_room(payload)
    if room <= 0:
        raise _RefusedError("nothing is left above the protected income (BVV): no deduction")
    asked = payload.get("instalment_amount")
    if asked is not None:
        monthly = _amount(asked, "payload field 'instalment_amount'").quantize(_CENT)
        if monthly > room:
            raise _RefusedError(
                "the instalment is above net income minus the protected income (BVV)"
            )
        if monthly <= 0:
            raise _RefusedError("the monthly deduction must be above zero")


def deduction_refusal(payload: Mapping[str, PayloadValue]) -> str:
    """Why a deduction-at-source instruction with ``payload`` may not go out (empty: it may)."""
    try:
        _check_deduction(payload)
    except _RefusedError as exc:
        return str(exc)
    return ""


def delivery_refusal(
    kind: str, channel: str, payload: Mapping[str, PayloadValue], day: dt.date
) -> str:
    """Why an action of ``kind`` for the policy's ``channel`` may not be delivered on ``day``
    (empty: it may). ``channel`` is the name the policy's step routes to (the outbox row's),
    whatever channel is installed under it."""
    if kind == _BAILIFF:
        return bailiff_refusal(payload, day)
    if kind in CONSENT_SCOPES:
        return municipal_refusal(kind, payload, day)
    if channel == SOURCE_DEDUCTION:
        return deduction_refusal(payload)
    return ""


#: What still goes out for a debt that is no longer owed, or during a dispute or debt help:
#: nothing but closing the case (and writing it off, for a debt no longer owed). Internal
#: (``ledger``) rows are recorded, not delivered, and never come here.
_BUT_CLOSE: Final = frozenset(a.value for a in ActionKind) - {ActionKind.CLOSE.value}
_OWED_ONLY: Final = _BUT_CLOSE - {ActionKind.WRITE_OFF.value}


def _covers_row(debt_id: str | None, debt_ids: Sequence[str]) -> bool:
    """A fact about ``debt_id`` (``None``: the whole case) concerns a row for ``debt_ids``."""
    return debt_id is None or not debt_ids or debt_id in debt_ids


def state_refusal(kind: str, debt_ids: Sequence[str], state: CaseState | None) -> str:
    """Why an action of ``kind`` for ``debt_ids``, decided on an earlier day, may not be
    delivered on ``state.today`` given the case as it stands then (empty: it may).

    ``state`` is ``None`` when the case has no debts any more (removed or erased). A fact about
    one debt stops a row for several debts as a whole: the row is one communication, and the
    next run decides again for the debts it still concerns.
    """
    if state is None:
        return "the case has no debts any more: nothing goes out"
    day = state.today.isoformat()
    if state.deceased:
        return f"the debtor's death is recorded (as of {day}): nothing goes out"
    for hold in state.holds:
        if hold.scope is HoldScope.DEBT and not _covers_row(hold.debt_id, debt_ids):
            continue
        return f"hold {hold.hold_id} is active since {hold.start.isoformat()}: nothing goes out"
    if kind in _BUT_CLOSE:
        for dispute in state.open_disputes:
            if _covers_row(dispute.debt_id, debt_ids):
                opened = dispute.occurred_on.isoformat()
                return f"a dispute is open since {opened}: nothing goes out until it is resolved"
        if state.debt_help:
            since = min(h.occurred_on for h in state.debt_help).isoformat()
            return f"debt help runs since {since}: nothing goes out while it runs"
    scopes = CONSENT_SCOPES.get(kind)
    if scopes is not None and not {s.value for s in state.consents} & scopes:
        needs = ", ".join(sorted(scopes))
        return f"no unrevoked consent for {kind} on {day} (needs one of: {needs})"
    if kind in _OWED_ONLY:
        named = list(debt_ids) or [d.debt_id for d in state.file.case.debts]
        paid = sorted(d for d in named if d not in state.outstanding)
        if paid:
            return f"no longer owed on {day}: {', '.join(paid)} (paid or closed since the decision)"
    return ""
