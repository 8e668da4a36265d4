"""Recording payment arrangements: an offer sized to what the household can spare (or the
problematic-debt flag when none fits), and its acceptance."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Final

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
from maatwerk.core.debts import Balance
from maatwerk.core.errors import InputError, Location, MaatwerkError
from maatwerk.core.events import (
    ArrangementAccepted,
    ArrangementOffered,
    ArrangementRejected,
    DebtorFlag,
    DebtorFlagged,
    Event,
)
from maatwerk.core.limitation import time_barred
from maatwerk.core.money import Money
from maatwerk.core.ports import EventListener, Store
from maatwerk.core.records import StoredCase
from maatwerk.core.subsistence import IncreaseNotComputableError, SubsistenceTables
from maatwerk.services.payloads import household_bvv
from maatwerk.services.recording._common import (
    _debtor,
    _history,
    _record,
)


#: Days the debtor has to answer an arrangement offer.
RESPOND_DAYS = 14


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


def _offer_creditor(offer: ArrangementOffered, cases: Sequence[StoredCase]) -> str:
    """The creditor of the case an offer is about: the case holding its debts, else the one
    its id names (``DEBTOR:CREDITOR:DATE``); empty when neither says."""
    debts = set(offer.debt_ids)
    for stored in cases:
        if debts & {d.debt_id for d in stored.case.debts}:
            return stored.case.creditor_id
    for stored in cases:
        if offer.arrangement_id.startswith(f"{offer.debtor_id}:{stored.case.creditor_id}:"):
            return stored.case.creditor_id
    return ""


def _why_closed(
    offer: ArrangementOffered,
    history: Sequence[Event],
    creditor_of: dict[str, str],
    on: dt.date,
) -> str:
    """Why ``offer`` can no longer be accepted on ``on`` (empty: it is open)."""
    ident = offer.arrangement_id
    for event in history:
        if isinstance(event, ArrangementAccepted) and event.arrangement_id == ident:
            return f"it was already accepted on {event.occurred_on}"
        if isinstance(event, ArrangementRejected) and event.arrangement_id == ident:
            return f"it was declined on {event.occurred_on}"
    after = next(i for i, e in enumerate(history) if e is offer) + 1
    later = [
        e
        for e in history[after:]
        if isinstance(e, ArrangementOffered)
        and e.arrangement_id != ident
        and e.occurred_on <= on
        and creditor_of.get(e.arrangement_id) == creditor_of[ident]
    ]
    if later:
        return f"a later offer replaced it: {later[-1].arrangement_id} of {later[-1].occurred_on}"
    if offer.respond_by is not None and on > offer.respond_by:
        return f"the time to answer ended on {offer.respond_by}"
    if offer.schedule and offer.schedule[0][0] < on:
        # e.g. a letter that went out late: accepted now, the plan would start in arrears
        return f"its first instalment date {offer.schedule[0][0]} has passed; offer a new plan"
    return ""


def _offers(
    store: Store, debtor_id: str, on: dt.date
) -> tuple[list[Event], list[ArrangementOffered], dict[str, str]]:
    """The debtor's history, its offers made by ``on`` and each offer's creditor."""
    history = _history(store, debtor_id)
    offers = [e for e in history if isinstance(e, ArrangementOffered) and e.occurred_on <= on]
    cases = [c for k in store.cases_of_debtor(debtor_id) for c in store.load_cases([k])]
    return history, offers, {o.arrangement_id: _offer_creditor(o, cases) for o in offers}


def open_offer(
    store: Store, debtor_id: str, *, creditor_id: str, on: dt.date
) -> ArrangementOffered | None:
    """The latest offer to the debtor at ``creditor_id`` that can still be accepted on ``on``
    (not answered, not replaced, time to answer not passed); ``None`` when there is none."""
    history, offers, creditor_of = _offers(store, debtor_id, on)
    for offer in reversed(offers):
        if creditor_of[offer.arrangement_id] == creditor_id:
            return None if _why_closed(offer, history, creditor_of, on) else offer
    return None


def accept_arrangement(
    store: Store,
    debtor_id: str,
    arrangement_id: str | None = None,
    *,
    on: dt.date,
    by: str,
    creditor_id: str | None = None,
    listener: EventListener | None = None,
) -> ArrangementAccepted:
    """Record that the debtor accepted an offer, exactly as it was offered.

    ``arrangement_id``: the offer (from ``arrangement propose`` or a delivered offer letter);
    without it the debtor's latest open offer (of ``creditor_id``'s case when given). The
    acceptance carries the offer's terms (schedule, method, debit day, payday, grace, payer): the
    plan accepted is the plan the debtor was offered, never one computed again. An offer that
    was accepted or declined, replaced by a later offer for the same case, whose time to
    answer (``respond_by``) or first instalment date has passed is refused (:class:`InputError`
    naming why).
    """
    _debtor(store, debtor_id)
    history, offers, creditor_of = _offers(store, debtor_id, on)
    if arrangement_id is None:
        mine = [
            o for o in offers if creditor_id is None or creditor_of[o.arrangement_id] == creditor_id
        ]
        open_offers = [o for o in mine if not _why_closed(o, history, creditor_of, on)]
        if not open_offers:
            reason = (
                f"its latest offer {mine[-1].arrangement_id} cannot be accepted: "
                f"{_why_closed(mine[-1], history, creditor_of, on)}"
                if mine
                else "there is no offer to accept"
            )
            raise InputError(
                f"debtor {debtor_id!r} has no open arrangement offer"
                f"{f' at {creditor_id!r}' if creditor_id else ''}; {reason}",
                Location(field="ARRANGEMENT"),
            )
        creditors = {creditor_of[o.arrangement_id] for o in open_offers}
        if len(creditors) > 1:
            raise InputError(
                f"debtor {debtor_id!r} has open offers at {', '.join(sorted(creditors))}; "
                "name the offer or give --creditor",
                Location(field="ARRANGEMENT"),
            )
        offer = open_offers[-1]
    else:
        named = [o for o in offers if o.arrangement_id == arrangement_id]
        if not named:
            raise InputError(
                f"debtor {debtor_id!r} has no arrangement offer {arrangement_id!r}",
                Location(field="ARRANGEMENT"),
            )
        offer = named[-1]
        why = _why_closed(offer, history, creditor_of, on)
        if why:
            raise InputError(
                f"offer {arrangement_id!r} cannot be accepted: {why}", Location(field="ARRANGEMENT")
            )
    return _record(
        store,
        listener,
        ArrangementAccepted(
            occurred_on=on,
            debtor_id=debtor_id,
            recorded_by=by,
            arrangement_id=offer.arrangement_id,
            # exactly the offered terms: the plan accepted is the plan offered
            schedule=offer.schedule,
            method=offer.method,
            debit_day=offer.debit_day,
            payday=offer.payday,
            tolerated_missed=offer.tolerated_missed,
            grace_days=offer.grace_days,
            settle_days=offer.settle_days,
            # accepting a deduction offer is the debtor's agreement with that payer
            payer_id=offer.payer_id,
            payer_name=offer.payer_name,
        ),
    )
