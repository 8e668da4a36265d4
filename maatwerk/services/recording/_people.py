"""Recording what people do and say: contacts and promises to pay, holds, consents, the
household's housing, an acknowledgement of a debt, disputes."""

from __future__ import annotations

import datetime as dt
import hashlib

import attrs

from maatwerk.core.debtors import Debtor, Housing
from maatwerk.core.errors import InputError, Location, MaatwerkError
from maatwerk.core.events import (
    ConsentGiven,
    ConsentRevoked,
    ConsentScope,
    ContactAttempt,
    ContactChannel,
    ContactOutcome,
    DebtAcknowledged,
    DisputeOpened,
    DisputeResolved,
    Event,
    HoldEnded,
    HoldPlaced,
    HoldScope,
    PromiseToPay,
)
from maatwerk.core.money import Money
from maatwerk.core.ports import EventListener, Store
from maatwerk.core.records import ImportBatch, ImportKind
from maatwerk.services.announce import announce
from maatwerk.services.recording._common import (
    _debt,
    _debtor,
    _history,
    _record,
    _still_open,
)


def log_contact(
    store: Store,
    debtor_id: str,
    *,
    channel: ContactChannel,
    outcome: ContactOutcome,
    note: str,
    on: dt.date,
    by: str,
    debt_id: str | None = None,
    listener: EventListener | None = None,
) -> ContactAttempt:
    """A contact attempt and its outcome (can't pay vs won't pay, seed 004).

    A promise to pay has a day and an amount: record it with :func:`log_promise`.
    """
    if outcome is ContactOutcome.PROMISE:
        raise InputError(
            "a promise to pay needs the day and the amount (--promised-on, --amount)",
            Location(field="--outcome"),
        )
    _debtor(store, debtor_id)
    _debt(store, debtor_id, debt_id)
    return _record(
        store,
        listener,
        ContactAttempt(
            occurred_on=on,
            debtor_id=debtor_id,
            debt_id=debt_id,
            recorded_by=by,
            channel=channel,
            outcome=outcome,
            note=note,
        ),
    )


def log_promise(
    store: Store,
    debtor_id: str,
    *,
    channel: ContactChannel,
    promised_on: dt.date,
    amount: Money,
    note: str,
    on: dt.date,
    by: str,
    debt_id: str | None = None,
    listener: EventListener | None = None,
) -> PromiseToPay:
    """The debtor promised in a contact to pay ``amount`` by ``promised_on`` (betalingsbelofte).

    Records the :class:`ContactAttempt` (outcome ``promise``) and the :class:`PromiseToPay`
    together. The promise is about one case: the one holding ``debt_id``, else the debtor's one
    case with something open (a debtor with open cases at several creditors names the debt).
    ``amount`` is required (the debtor names it; a part of the total is a promise too) and
    may not exceed the case's open total; ``promised_on`` not before ``on``. Escalation waits
    until ``promised_on`` plus the policy's ``promise_grace_days``; the run then records whether
    the promise was kept (paid in full by then) or broken (not, or only partly, paid).
    """
    _debtor(store, debtor_id)
    _debt(store, debtor_id, debt_id)
    if promised_on < on:
        raise InputError(
            f"the promised day {promised_on} is before the contact ({on})",
            Location(field="--promised-on"),
        )
    if not amount.is_positive:
        raise InputError("a promise to pay needs a positive amount", Location(field="--amount"))
    stored = [c for k in store.cases_of_debtor(debtor_id) for c in store.load_cases([k])]
    if debt_id is not None:
        cases = [c for c in stored if any(d.debt_id == debt_id for d in c.case.debts)]
    else:
        cases = [c for c in stored if c.case.outstanding.total.is_positive]
    if not cases:
        raise MaatwerkError(f"debtor {debtor_id!r} owes nothing: there is nothing to promise")
    if len(cases) > 1:
        creditors = ", ".join(sorted(c.case.creditor_id for c in cases))
        raise InputError(
            f"debtor {debtor_id!r} has open cases at {creditors}: name the debt the promise is "
            "about (--debt)",
            Location(field="--debt"),
        )
    case = cases[0].case
    owed = case.outstanding.total
    if amount > owed:
        raise InputError(
            f"the promised {amount} is more than the {owed} still open at {case.creditor_id}",
            Location(field="--amount"),
        )
    ident = f"{debtor_id}:{case.creditor_id}:{on.isoformat()}:{promised_on.isoformat()}"
    known = {e.key for e in _history(store, debtor_id) if isinstance(e, PromiseToPay)}
    if ident in known:
        ident = f"{ident}:{sum(1 for k in known if k.startswith(ident)) + 1}"
    contact = ContactAttempt(
        occurred_on=on,
        debtor_id=debtor_id,
        debt_id=debt_id,
        recorded_by=by,
        channel=channel,
        outcome=ContactOutcome.PROMISE,
        note=note,
    )
    promise = PromiseToPay(
        occurred_on=on,
        debtor_id=debtor_id,
        debt_id=debt_id,
        recorded_by=by,
        amount=amount,
        promised_for=promised_on,
        promise_id=ident,
        creditor_id=case.creditor_id,
    )
    store.append([contact, promise])
    announce(listener, [contact, promise])
    return promise


def add_hold(
    store: Store,
    debtor_id: str,
    *,
    reason: str,
    end: dt.date | None,
    on: dt.date,
    by: str,
    start: dt.date | None = None,
    debt_id: str | None = None,
    hold_id: str | None = None,
    listener: EventListener | None = None,
) -> HoldPlaced:
    """Pause a debt or the whole case from ``start`` (default ``on``) up to and including
    ``end`` (``None``: until it is ended)."""
    start = start or on
    _debtor(store, debtor_id)
    _debt(store, debtor_id, debt_id)
    if end is not None and end < start:
        raise InputError("the hold ends before it starts", Location(field="--until"))
    if not reason.strip():
        raise InputError("say why (--reason)", Location(field="--reason"))
    ident = hold_id or f"{debtor_id}:{start.isoformat()}:{reason.strip()}:{debt_id or 'case'}"
    if any(isinstance(e, HoldPlaced) and e.hold_id == ident for e in _history(store, debtor_id)):
        raise InputError(f"hold {ident!r} already exists", Location(field="--id"))
    return _record(
        store,
        listener,
        HoldPlaced(
            occurred_on=on,
            debtor_id=debtor_id,
            debt_id=debt_id,
            recorded_by=by,
            hold_id=ident,
            scope=HoldScope.DEBT if debt_id else HoldScope.CASE,
            reason=reason.strip(),
            start=start,
            end=end,
        ),
    )


def end_hold(
    store: Store,
    debtor_id: str,
    hold_id: str,
    *,
    on: dt.date,
    by: str,
    listener: EventListener | None = None,
) -> HoldEnded:
    """End a hold early; it no longer applies from ``on``."""
    placed = _still_open(
        store, debtor_id, hold_id, HoldPlaced, HoldEnded, noun="hold", closed="has already ended"
    )
    return _record(
        store,
        listener,
        HoldEnded(
            occurred_on=on,
            debtor_id=debtor_id,
            debt_id=placed.debt_id,
            recorded_by=by,
            hold_id=hold_id,
        ),
    )


def add_consent(
    store: Store,
    debtor_id: str,
    *,
    scope: ConsentScope,
    on: dt.date,
    by: str,
    listener: EventListener | None = None,
) -> Event:
    """The debtor consents to ``scope`` (e.g. a referral to debt help) from ``on``."""
    return _consent(store, ConsentGiven, debtor_id, scope, on, by, listener)


def revoke_consent(
    store: Store,
    debtor_id: str,
    *,
    scope: ConsentScope,
    on: dt.date,
    by: str,
    listener: EventListener | None = None,
) -> Event:
    """The debtor withdraws a consent to ``scope`` from ``on``."""
    return _consent(store, ConsentRevoked, debtor_id, scope, on, by, listener)


def _consent(  # noqa: PLR0917 - private helper of the two public functions above
    store: Store,
    kind: type[ConsentGiven | ConsentRevoked],
    debtor_id: str,
    scope: ConsentScope,
    on: dt.date,
    by: str,
    listener: EventListener | None,
) -> Event:
    _debtor(store, debtor_id)
    return _record(
        store, listener, kind(occurred_on=on, debtor_id=debtor_id, recorded_by=by, scope=scope)
    )


#: How a debtor can acknowledge a debt (BW 3:318 sets no form; the record says which it was).
def set_housing(
    store: Store,
    debtor_id: str,
    *,
    housing: Housing,
    owner_increase: Money | None,
    on: dt.date,
    by: str,
) -> Debtor:
    """A person records how DEBTOR lives and, for an owner-occupier or a tenant without
    huurtoeslag, the Rv 475da lid 7 increase they determined per the Besluit beslagvrije voet
    (the engine cannot compute it).

    Written like an import of the one corrected debtor row (:meth:`ImportStore.apply_import`,
    the one path that changes a debtor): the row is updated and the event log gets an
    ``audit.record-updated`` record naming the changed fields, dated ``on`` and written by
    ``by``, so the next run re-evaluates the case (its fingerprint moved) and the history
    shows who set it. Without an increase, an own home sends the case to a person (guard
    ``bvv-needs-person``) whenever the increase would matter.
    """
    _debtor(store, debtor_id)
    keys = store.cases_of_debtor(debtor_id)
    if not keys:
        raise InputError(f"debtor {debtor_id!r} has no debts", Location(field="DEBTOR"))
    if owner_increase is not None and not housing.asks_lid7:
        raise InputError(
            "an owner increase (Rv 475da lid 7) is only for housing 'own' or 'rent-no-huurtoeslag'",
            Location(field="--owner-increase"),
        )
    if owner_increase is not None and owner_increase.is_negative:
        raise InputError(
            "the owner increase must be at least 0", Location(field="--owner-increase")
        )
    stored = store.load_cases(keys[:1])[0].debtor
    debtor = attrs.evolve(stored, housing=housing, owner_increase=owner_increase)
    fingerprint = f"{debtor_id}|{housing.value}|{owner_increase}|{on.isoformat()}|{by}"
    store.apply_import(
        ImportBatch(
            kind=ImportKind.DEBTORS,
            file_name="maatwerk debtor housing",
            file_sha256=hashlib.sha256(fingerprint.encode()).hexdigest(),
            records=(debtor,),
            recorded_by=by,
            recorded_on=on,
        )
    )
    return debtor


ACKNOWLEDGEMENT_FORMS = ("letter", "email", "phone", "visit", "payment", "arrangement")


def acknowledge_debt(
    store: Store,
    debtor_id: str,
    *,
    how: str,
    note: str,
    on: dt.date,
    by: str,
    debt_id: str | None = None,
    listener: EventListener | None = None,
) -> DebtAcknowledged:
    """The debtor acknowledged one debt (or every debt of the case): limitation is interrupted
    (BW 3:318) and a new period starts the next day. One given after the claim was already
    time-barred is recorded but revives nothing (docs/rules/limitation.md)."""
    _debtor(store, debtor_id)
    _debt(store, debtor_id, debt_id)
    if how not in ACKNOWLEDGEMENT_FORMS:
        raise InputError(
            f"unknown form {how!r}; one of {', '.join(ACKNOWLEDGEMENT_FORMS)}",
            Location(field="--how"),
        )
    return _record(
        store,
        listener,
        DebtAcknowledged(
            occurred_on=on, debtor_id=debtor_id, debt_id=debt_id, recorded_by=by, how=how, note=note
        ),
    )


def open_dispute(
    store: Store,
    debtor_id: str,
    *,
    reason: str,
    on: dt.date,
    by: str,
    debt_id: str | None = None,
    dispute_id: str | None = None,
    listener: EventListener | None = None,
) -> DisputeOpened:
    """The debtor disputes one debt or the whole case; escalation stops until it is resolved."""
    _debtor(store, debtor_id)
    _debt(store, debtor_id, debt_id)
    ident = dispute_id or f"{debtor_id}:{on.isoformat()}:{debt_id or 'case'}"
    return _record(
        store,
        listener,
        DisputeOpened(
            occurred_on=on,
            debtor_id=debtor_id,
            debt_id=debt_id,
            recorded_by=by,
            dispute_id=ident,
            reason=reason,
        ),
    )


def resolve_dispute(
    store: Store,
    debtor_id: str,
    dispute_id: str,
    *,
    outcome: str,
    on: dt.date,
    by: str,
    listener: EventListener | None = None,
) -> DisputeResolved:
    """Close an open dispute with its ``outcome``; escalation may resume."""
    opened = _still_open(
        store,
        debtor_id,
        dispute_id,
        DisputeOpened,
        DisputeResolved,
        noun="dispute",
        closed="is already resolved",
    )
    return _record(
        store,
        listener,
        DisputeResolved(
            occurred_on=on,
            debtor_id=debtor_id,
            debt_id=opened.debt_id,
            recorded_by=by,
            dispute_id=dispute_id,
            outcome=outcome,
        ),
    )
