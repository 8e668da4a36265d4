"""Recording what people do: contacts, holds, consents, disputes and arrangements.

Each function checks its input against what is stored, builds one domain event and appends it
to the event log; nothing is changed in place. The policy reads these events on the next run
(a ``cant-pay`` contact opens the referral path, an open dispute blocks escalation, a hold
pauses the case, a consent allows a referral or an early signal ...). Each function takes an
optional ``listener`` (the CLI passes the plugins' ``listener()``) that hears the event after it
was committed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from typing import Final, TypeVar

import attrs

from maatwerk.core.affordability import Affordability, OtherDebt, affordability
from maatwerk.core.arrangements import (
    PRE_NOTIFICATION_DAYS,
    BusinessDays,
    PaymentMethod,
    ProposalOutcome,
    classic_arrangement,
    propose_arrangement,
)
from maatwerk.core.debtors import Debtor, Housing
from maatwerk.core.debts import Balance
from maatwerk.core.errors import InputError, Location, MaatwerkError
from maatwerk.core.events import (
    ArrangementAccepted,
    ArrangementOffered,
    ConsentGiven,
    ConsentRevoked,
    ConsentScope,
    ContactAttempt,
    ContactChannel,
    ContactOutcome,
    DebtAcknowledged,
    DebtorFlag,
    DebtorFlagged,
    DisputeOpened,
    DisputeResolved,
    Event,
    HoldEnded,
    HoldPlaced,
    HoldScope,
    PromiseToPay,
)
from maatwerk.core.limitation import time_barred
from maatwerk.core.money import Money
from maatwerk.core.ports import EventListener, Store
from maatwerk.core.records import ImportBatch, ImportKind, StoredCase
from maatwerk.core.subsistence import IncreaseNotComputableError, SubsistenceTables
from maatwerk.services.announce import announce
from maatwerk.services.payloads import household_bvv


__all__ = [
    "ACKNOWLEDGEMENT_FORMS",
    "ProblematicDebtError",
    "accept_arrangement",
    "acknowledge_debt",
    "add_consent",
    "add_hold",
    "end_hold",
    "log_contact",
    "log_promise",
    "open_dispute",
    "propose_arrangement_for",
    "resolve_dispute",
    "revoke_consent",
    "set_housing",
]

#: Days the debtor has to answer an arrangement offer.
RESPOND_DAYS = 14


def _debtor(store: Store, debtor_id: str) -> None:
    if debtor_id not in store.existing_ids("debtor", [debtor_id]):
        raise InputError(f"unknown debtor {debtor_id!r}", Location(field="DEBTOR"))


def _debt(store: Store, debtor_id: str, debt_id: str | None) -> None:
    if debt_id is None:
        return
    for key in store.cases_of_debtor(debtor_id):
        for case in store.load_cases([key]):
            if any(d.debt_id == debt_id for d in case.case.debts):
                return
    raise InputError(f"debtor {debtor_id!r} has no debt {debt_id!r}", Location(field="--debt"))


_E = TypeVar("_E", bound=Event)


def _record(store: Store, listener: EventListener | None, event: _E) -> _E:
    """Append ``event``, then announce it: only a committed event is heard."""
    store.append([event])
    announce(listener, [event])
    return event


def _history(store: Store, debtor_id: str) -> list[Event]:
    return [r.event for r in store.history(debtor_id) if r.event is not None]


_Opened = TypeVar("_Opened", HoldPlaced, DisputeOpened)


def _still_open(
    store: Store,
    debtor_id: str,
    ident: str,
    opened: type[_Opened],
    closing: type[HoldEnded | DisputeResolved],
    *,
    noun: str,
    closed: str,
) -> _Opened:
    """The ``opened`` event (a hold, a dispute) named ``ident`` that no ``closing`` event ended."""
    _debtor(store, debtor_id)
    history = _history(store, debtor_id)
    attr = f"{noun}_id"
    found = [e for e in history if isinstance(e, opened) and getattr(e, attr) == ident]
    if not found:
        raise InputError(
            f"debtor {debtor_id!r} has no {noun} {ident!r}", Location(field=noun.upper())
        )
    if any(isinstance(e, closing) and getattr(e, attr) == ident for e in history):
        raise MaatwerkError(f"{noun} {ident!r} {closed}")
    return found[0]


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


class ProblematicDebtError(MaatwerkError):
    """No plan fits: the problematic-debt outcome was recorded (``flagged``) instead of an offer.

    The policy reads the :class:`DebtorFlagged` ``problematic-debt`` event: the problematic-debt
    guard blocks a bailiff hand-over until a referral to debt help was offered, and the referral
    step (``when.contact_outcomes = ["cant-pay"]``) counts the flag as "cannot pay".
    """

    def __init__(self, message: str, *, flagged: DebtorFlagged) -> None:
        super().__init__(message)
        self.flagged = flagged


def _household_room(
    stored: StoredCase, others: Sequence[StoredCase], subsistence: SubsistenceTables, on: dt.date
) -> Affordability:
    """Income - BVV (Rv 475b-475i) of the stored household, shared with its other cases."""
    debtor = stored.debtor
    if debtor.net_monthly_income is None:
        raise InputError(
            f"debtor {debtor.debtor_id!r} has no stored net income, so the protected income "
            "(BVV) cannot be computed; store the income first",
            Location(field="--capacity"),
        )
    try:
        bvv = household_bvv(debtor, debtor.net_monthly_income, on, subsistence)
    except IncreaseNotComputableError as exc:
        raise InputError(
            f"the protected income (BVV) of debtor {debtor.debtor_id!r} cannot be computed: "
            f"{exc.reason} (Rv 475da lid 7; without it {exc.without.format()}, too low). "
            "A person sets the increase first: maatwerk debtor housing "
            f"{debtor.debtor_id} --owner-increase AMOUNT",
            Location(field="--capacity"),
        ) from None
    except InputError as exc:
        raise InputError(
            f"the protected income (BVV) of debtor {debtor.debtor_id!r} cannot be computed "
            f"from the stored household: {exc.message}",
            Location(field="--capacity"),
        ) from None
    return affordability(
        net_income=debtor.net_monthly_income,
        protected=bvv.bvv,
        debt=stored.case.outstanding.total,
        other_debts=[
            OtherDebt(label=other.case.creditor_id, outstanding=other.case.outstanding.total)
            for other in others
            if other.case.outstanding.total.is_positive
        ],
    )


def _payment_method(value: PaymentMethod | str | None) -> PaymentMethod | None:
    if value is None or isinstance(value, PaymentMethod):
        return value
    name = "source-deduction" if value == "deduction" else value
    try:
        return PaymentMethod(name)
    except ValueError:
        raise InputError(
            f"{value!r} is not transfer, direct-debit or deduction", Location(field="--method")
        ) from None


#: A payer's id, loosely: a loonheffingennummer (``123456789L01``), a KvK number (8 digits), an
#: OIN, or an agency's short code (``UWV``, ``SVB``, ``gemeente-utrecht``).
_PAYER_ID: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{1,39}")


def _payer(
    method: PaymentMethod, payer_id: str | None, payer_name: str | None
) -> tuple[str | None, str | None]:
    """The payer of a deduction at source, checked; refused for another method."""
    pid = (payer_id or "").strip() or None
    name = " ".join((payer_name or "").split()) or None
    if method is not PaymentMethod.SOURCE_DEDUCTION:
        if pid is not None or name is not None:
            raise InputError("a payer is only for --method deduction", Location(field="--payer-id"))
        return None, None
    if pid is None:
        raise InputError(
            "deduction at source needs the payer: the employer's or benefit agency's id "
            "(e.g. a loonheffingennummer or KvK number)",
            Location(field="--payer-id"),
        )
    if not _PAYER_ID.fullmatch(pid):
        raise InputError(
            f"{pid!r} is not a payer id (letters, digits, '.', '-', '_'; 2 to 40 characters)",
            Location(field="--payer-id"),
        )
    if name is None:
        raise InputError(
            "deduction at source needs the payer's name (employer, UWV, SVB, gemeente...)",
            Location(field="--payer-name"),
        )
    if len(name) > 100:
        raise InputError(
            "the payer's name is longer than 100 characters", Location(field="--payer-name")
        )
    return pid, name


def propose_arrangement_for(
    store: Store,
    debtor_id: str,
    *,
    creditor_id: str,
    on: dt.date,
    by: str,
    capacity: Money | None = None,
    subsistence: SubsistenceTables | None = None,
    fixed: tuple[int, Money] | None = None,
    method: PaymentMethod | str | None = None,
    debit_day: int | None = None,
    payer_id: str | None = None,
    payer_name: str | None = None,
    calendar: BusinessDays | None = None,
    listener: EventListener | None = None,
) -> ArrangementOffered:
    """Offer a plan for the case's outstanding total, sized to what the household can spare.

    ``method``: how the debtor pays (``transfer``, ``direct-debit``, ``deduction``/
    ``source-deduction``); default direct debit when the debtor has a valid mandate for the
    creditor on ``on``, else transfer. Direct debit without such a mandate is refused
    (:class:`InputError` on ``--method``). ``debit_day``: the day of the month the instalments
    fall on (default the mandate's chosen collection day, else just after payday); with a
    ``calendar`` (the SEPA one for direct debit) each date moves to the next business day.
    ``payer_id``/``payer_name``: the employer or benefit agency that deducts; required for a
    deduction at source, refused for another method. The debtor's acceptance of the offer
    (:func:`accept_arrangement`) is the voluntary agreement to the deduction.

    With ``subsistence`` (the BVV tables) the room is computed from the stored household:
    net income - protected income (Rv 475b-475i, :func:`~maatwerk.core.subsistence.protected_income`),
    shared pro rata with the debtor's other open cases (:func:`~maatwerk.core.affordability.
    affordability`). ``capacity`` (what the household says it can spare) is then checked: more
    than income - BVV is refused (:class:`InputError` on ``--capacity``); without it the computed
    capacity is used. Without ``subsistence`` a ``capacity`` is taken as given (simulations).
    ``fixed`` = (months, minimum instalment) offers the classic fixed plan instead, whatever the
    household can spare (a policy step's ``plan = "fixed"``; the simulation's baseline).

    When no plan fits within the maximum term, that is problematic debt: a
    :class:`DebtorFlagged` ``problematic-debt`` event is recorded (the policy then offers a
    referral to debt help, with consent, before anything else) and
    :class:`ProblematicDebtError` is raised.
    """
    _debtor(store, debtor_id)
    cases = [c for k in store.cases_of_debtor(debtor_id) for c in store.load_cases([k])]
    case = next((c for c in cases if c.case.creditor_id == creditor_id), None)
    if case is None:
        raise InputError(
            f"debtor {debtor_id!r} has no case at creditor {creditor_id!r}",
            Location(field="--creditor"),
        )
    # a time-barred debt is not asked for, not even in instalments (docs/rules/limitation.md)
    history = _history(store, debtor_id)
    open_debts = tuple(d for d in case.case.open_debts if time_barred(d, history, on) is None)
    if not open_debts:
        raise MaatwerkError(f"debtor {debtor_id!r} owes nothing at {creditor_id!r} to collect")
    owed = Balance.sum(d.outstanding for d in open_debts).total
    if subsistence is not None:
        room = _household_room(case, [c for c in cases if c is not case], subsistence, on)
        if capacity is None:
            capacity = room.capacity
        elif capacity > room.room:
            raise InputError(
                f"{capacity} per month is more than the household can spare: "
                f"net income - protected income (BVV) = {room.room} (Rv 475da-475dc)",
                Location(field="--capacity"),
            )
    elif capacity is None:
        raise InputError(
            "give the capacity, or the BVV tables to compute it", Location(field="--capacity")
        )
    chosen = _payment_method(method)
    mandates = [m for m in case.mandates if m.creditor_id == creditor_id and m.active_on(on)]
    if chosen is None:
        chosen = PaymentMethod.DIRECT_DEBIT if mandates else PaymentMethod.TRANSFER
    elif chosen is PaymentMethod.DIRECT_DEBIT and not mandates:
        raise InputError(
            f"debtor {debtor_id!r} has no valid direct-debit mandate for {creditor_id!r}; "
            "use --method transfer or import the mandate first",
            Location(field="--method"),
        )
    payer = _payer(chosen, payer_id, payer_name)
    if debit_day is not None and not 1 <= debit_day <= 28:
        raise InputError("must be a day of the month from 1 to 28", Location(field="--debit-day"))
    if debit_day is None and chosen is PaymentMethod.DIRECT_DEBIT:
        latest = max(mandates, key=lambda m: (m.signed_on, m.mandate_id))
        debit_day = latest.collection_day
    arrangement_id = f"{debtor_id}:{creditor_id}:{on.isoformat()}"
    if fixed is not None:
        proposal = classic_arrangement(
            arrangement_id=arrangement_id, debtor_id=debtor_id, creditor_id=creditor_id,
            debt=owed, today=on, capacity=capacity,
            payday=None if debit_day else case.debtor.payday, months=fixed[0], minimum=fixed[1],
            debit_day=debit_day, calendar=calendar,
        )  # fmt: skip
        if proposal.arrangement is not None:
            proposal = attrs.evolve(
                proposal, arrangement=attrs.evolve(proposal.arrangement, method=chosen)
            )
    else:
        proposal = propose_arrangement(
            arrangement_id=arrangement_id,
            debtor_id=debtor_id,
            creditor_id=creditor_id,
            debt=owed,
            capacity=capacity,
            today=on,
            payday=None if debit_day else case.debtor.payday,
            debit_day=debit_day,
            method=chosen,
            calendar=calendar,
            # the debtor is told each debit 14 days ahead (pre-notification, EPC SDD Core rulebook)
            lead_days=PRE_NOTIFICATION_DAYS if chosen is PaymentMethod.DIRECT_DEBIT else 0,
        )
    if proposal.outcome is not ProposalOutcome.PLAN or proposal.arrangement is None:
        flagged = DebtorFlagged(
            occurred_on=on,
            debtor_id=debtor_id,
            recorded_by=by,
            flag=DebtorFlag.PROBLEMATIC_DEBT,
            note=f"no plan fits at {capacity} per month for {owed} at {creditor_id}",
        )
        _record(store, listener, flagged)
        raise ProblematicDebtError(
            f"no plan fits ({proposal.outcome.value}): recorded as problematic debt; the policy "
            "offers a referral to debt help (with consent) and no bailiff before it",
            flagged=flagged,
        )
    plan = proposal.arrangement
    return _record(
        store,
        listener,
        ArrangementOffered(
            occurred_on=on,
            debtor_id=debtor_id,
            recorded_by=by,
            arrangement_id=arrangement_id,
            debt_ids=tuple(d.debt_id for d in open_debts),
            instalment=plan.instalments[0].amount,
            instalments=len(plan.instalments),
            respond_by=on + dt.timedelta(days=RESPOND_DAYS),
            schedule=tuple((i.due_date, i.amount) for i in plan.instalments),
            method=plan.method,
            debit_day=debit_day,
            payday=case.debtor.payday,
            tolerated_missed=plan.grace.tolerated_missed,
            grace_days=plan.grace.grace_days,
            settle_days=plan.grace.settle_days,
            payer_id=payer[0],
            payer_name=payer[1],
        ),
    )


def accept_arrangement(
    store: Store,
    debtor_id: str,
    arrangement_id: str,
    *,
    on: dt.date,
    by: str,
    listener: EventListener | None = None,
) -> ArrangementAccepted:
    _debtor(store, debtor_id)
    offered = [
        e
        for e in _history(store, debtor_id)
        if isinstance(e, ArrangementOffered) and e.arrangement_id == arrangement_id
    ]
    if not offered:
        raise InputError(
            f"debtor {debtor_id!r} has no arrangement offer {arrangement_id!r}",
            Location(field="ARRANGEMENT"),
        )
    return _record(
        store,
        listener,
        ArrangementAccepted(
            occurred_on=on,
            debtor_id=debtor_id,
            recorded_by=by,
            arrangement_id=arrangement_id,
            # accepting a deduction offer is the debtor's agreement with that payer
            payer_id=offered[-1].payer_id,
            payer_name=offered[-1].payer_name,
        ),
    )
