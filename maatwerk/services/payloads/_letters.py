"""The facts a letter states: the case's one payment reference, the claims, a missed
instalment, the plan an offer states, deduction at source, the postal address, and the dates of a
letter with a legal term (computed by the core, dated again when the letter goes out)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING

import attrs

from maatwerk.core.affordability import deduction_amount
from maatwerk.core.arrangements import (
    PaymentMethod,
    ProposalOutcome,
    classic_arrangement,
    propose_arrangement,
)
from maatwerk.core.calendar import (
    BusinessCalendar,
    CalendarRangeError,
    PostalDelivery,
)
from maatwerk.core.errors import MaatwerkError
from maatwerk.core.events import (
    ActionKind,
    ArrangementAccepted,
    ArrangementOffered,
)
from maatwerk.core.letter_dates import LetterTerms, letter_dates
from maatwerk.core.money import Money, Rounding
from maatwerk.core.ports import (
    PAYLOAD_ADDRESS,
    PAYLOAD_LAST_DAY,
    PAYLOAD_MISSED_INSTALMENTS,
    PAYLOAD_POSTAL_ADDRESS,
    PAYLOAD_RECEIVED_ON,
    PAYLOAD_SENT_ON,
    PayloadValue,
)


if TYPE_CHECKING:
    from collections.abc import Sequence

    from maatwerk.core.arrangements import ArrangementState
    from maatwerk.core.debtors import Debtor
    from maatwerk.core.debts import Debt
    from maatwerk.core.policy import CaseState, ProposedAction
    from maatwerk.core.records import CaseKey, StoredCase
from maatwerk.services.payloads._common import (
    DATED_LETTERS,
    OFFER_ANSWER_DAYS,
    PAYLOAD_OFFER_ID,
    PAYLOAD_OFFER_SCHEDULE,
    PAYLOAD_POSTAL,
    _cents,
)


# ------------------------------------------------------------------------------ letters
def case_reference(stored: StoredCase) -> str:
    """The one payment reference (betalingskenmerk) of a case, the same in every letter.

    The reference of the case's oldest debt (issue date, due date, id), open or not, so that it
    does not change when a debt is paid or another is added; the debtor number when no debt has
    a reference (payments are matched by debtor).
    """
    with_reference = [d for d in stored.case.debts if d.reference]
    if not with_reference:
        return stored.debtor.debtor_id
    oldest = min(with_reference, key=lambda d: (d.issued_on or d.due_date, d.due_date, d.debt_id))
    return oldest.reference


def _claims_list(state: CaseState, debts: Sequence[Debt]) -> tuple[dict[str, object], ...]:
    """Each claim the letter is about: its reference, what it is for, due date, amount open."""
    return tuple(
        {
            "debt_id": d.debt_id,
            "reference": d.reference,
            "category": d.category,
            "due_date": d.due_date,
            "outstanding": _cents(state.outstanding.get(d.debt_id, d.outstanding.total)),
        }
        for d in sorted(debts, key=lambda d: (d.due_date, d.debt_id))
    )


def _plan_reminder_facts(state: CaseState, action: ProposedAction) -> dict[str, object]:
    """For a reminder while a plan covering the step's debts is in grace: the missed
    instalments (number, date, amount still open) and the day to catch up by (the plan's)."""
    if action.action is not ActionKind.PAYMENT_REMINDER:
        return {}
    plans = [
        p
        for p in state.arrangements
        if p.in_grace and p.status is not None and any(p.covers(d) for d in action.debt_ids)
    ]
    if not plans:
        return {}
    status = max(plans, key=lambda p: p.accepted_on).status
    return {} if status is None else missed_instalment_facts(status)


def missed_instalment_facts(status: ArrangementState) -> dict[str, object]:
    """What a plan reminder states: the missed instalments (number, date, amount still open),
    the plan's arrears, the day to catch up by (the plan's grace) and the next instalment."""
    missed = tuple(
        {
            "number": i.instalment.number,
            "due_date": i.instalment.due_date,
            "amount": _cents(i.outstanding),
        }
        for i in status.instalments
        if i.overdue and i.outstanding.is_positive
    )
    if not missed:
        return {}
    facts: dict[str, object] = {
        PAYLOAD_MISSED_INSTALMENTS: missed,
        "plan_arrears": _cents(status.arrears),
    }
    if status.grace_until is not None:
        facts["catch_up_by"] = status.grace_until
    coming = [i for i in status.instalments if not i.overdue and i.outstanding.is_positive]
    if coming:
        facts["next_instalment_on"] = coming[0].instalment.due_date
        facts["next_instalment_amount"] = _cents(coming[0].outstanding)
    return facts


def offer_plan(
    action: ProposedAction,
    stored: StoredCase,
    today: dt.date,
    *,
    bvv: Mapping[str, object] | None,
    direct_debit: bool,
    answer_by: object = None,
    sepa: BusinessCalendar | None = None,
) -> dict[str, object]:
    """The plan an ``arrangement-offer`` letter states, computed by the core.

    ``plan = "capacity"``: :func:`~maatwerk.core.arrangements.propose_arrangement` sized to the
    room above the protected income (``bvv``: net income - BVV); ``plan = "fixed"``: the classic
    rule (``months``, ``minimum_instalment``). The first instalment falls after the day to answer
    (``answer_by``, else :data:`OFFER_ANSWER_DAYS` days), just after payday; by direct debit
    (``direct_debit``: an active mandate) on SEPA business days. Empty when no plan fits (the
    letter then offers to talk, and names no amount).
    """
    debtor = stored.debtor
    room = bvv.get("attachable") if bvv is not None else None
    return _offer_terms(
        dict(action.params),
        total=action.amount.rounded(),
        debtor_id=debtor.debtor_id,
        creditor_id=stored.case.creditor_id,
        arrangement_id=f"{debtor.debtor_id}:{stored.case.creditor_id}:{today.isoformat()}",
        payday=debtor.payday,
        debit_day=_mandate_debit_day(stored, today) if direct_debit else None,
        direct_debit=direct_debit,
        room=room if isinstance(room, Decimal) else None,
        answer_by=_answer_day(answer_by, today),
        sepa=sepa,
    )


def replan_offer(
    payload: Mapping[str, PayloadValue],
    case: CaseKey,
    sent_on: dt.date,
    sepa: BusinessCalendar | None = None,
) -> dict[str, object]:
    """The plan of an ``arrangement-offer`` letter that goes out on ``sent_on``, later than it
    was decided (after a review, or a channel that failed): the same offer (its id, total,
    method, debit day and payday, the room its household had) with its dates moved after the
    day to answer that the letter now states (``payload`` as :func:`redate_letter` dated it).

    A letter keeps the plan it was decided with when it has none or no plan fits any more:
    empty then. So the debtor never gets a first instalment before the day to answer, and the
    offer recorded on delivery (:func:`offer_from_letter`) is the plan the letter states.
    """
    offer_id = payload.get(PAYLOAD_OFFER_ID)
    total = payload.get("plan_total")
    if not isinstance(offer_id, str) or not isinstance(total, Decimal):
        return {}
    bvv = payload.get("bvv")
    room = bvv.get("attachable") if isinstance(bvv, Mapping) else None

    def whole(key: str) -> int | None:
        value = payload.get(key)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    return _offer_terms(
        payload,
        total=Money(total),
        debtor_id=case.debtor_id,
        creditor_id=case.creditor_id,
        arrangement_id=offer_id,
        payday=whole("payday"),
        debit_day=whole("debit_day"),
        direct_debit=payload.get("payment_method") == PaymentMethod.DIRECT_DEBIT.value,
        room=room if isinstance(room, Decimal) else None,
        answer_by=_answer_day(payload.get(PAYLOAD_LAST_DAY), sent_on),
        sepa=sepa,
    )


def _answer_day(last_day: object, sent_on: dt.date) -> dt.date:
    """The day to answer an offer sent on ``sent_on``: the letter's last day when it states
    one, else :data:`OFFER_ANSWER_DAYS` after it went out."""
    if isinstance(last_day, dt.date):
        return last_day
    return sent_on + dt.timedelta(days=OFFER_ANSWER_DAYS)


def _offer_terms(
    params: Mapping[str, object],
    *,
    total: Money,
    debtor_id: str,
    creditor_id: str,
    arrangement_id: str,
    payday: int | None,
    debit_day: int | None,
    direct_debit: bool,
    room: Decimal | None,
    answer_by: dt.date,
    sepa: BusinessCalendar | None,
) -> dict[str, object]:
    """The terms of an offer (see :func:`offer_plan`), the first instalment after ``answer_by``."""
    rule = params.get("plan")
    if rule not in ("capacity", "fixed") or not total.is_positive:
        return {}
    method = PaymentMethod.DIRECT_DEBIT if direct_debit else PaymentMethod.TRANSFER
    calendar = sepa if direct_debit else None
    not_before = answer_by + dt.timedelta(days=1)
    plan_payday = None if debit_day is not None else payday
    try:
        if rule == "fixed":
            proposal = classic_arrangement(
                arrangement_id=arrangement_id,
                debtor_id=debtor_id,
                creditor_id=creditor_id,
                debt=total,
                today=not_before,
                payday=plan_payday,
                debit_day=debit_day,
                months=int(str(params.get("months", "6"))),
                minimum=Money(str(params.get("minimum_instalment", "50.00"))),
                calendar=calendar,
            )
        else:
            if room is None or room <= 0:
                return {}
            proposal = propose_arrangement(
                arrangement_id=arrangement_id,
                debtor_id=debtor_id,
                creditor_id=creditor_id,
                debt=total,
                capacity=Money(room).rounded(Rounding.DOWN),
                today=not_before,
                payday=plan_payday,
                debit_day=debit_day,
                method=method,
                calendar=calendar,
            )
    except (MaatwerkError, ValueError, CalendarRangeError):
        return {}
    plan = proposal.arrangement
    if proposal.outcome is not ProposalOutcome.PLAN or plan is None:
        return {}
    first, last = plan.instalments[0], plan.instalments[-1]
    facts: dict[str, object] = {
        "instalment_amount": _cents(first.amount),
        "instalment_count": len(plan.instalments),
        "first_instalment_on": first.due_date,
        "last_instalment_on": last.due_date,
        "last_instalment_amount": _cents(last.amount),
        "payment_method": method.value,
        "plan_total": _cents(total),
        # the terms the delivered letter records as its offer (offer_from_letter): the debtor
        # who accepts it gets exactly this plan
        PAYLOAD_OFFER_ID: arrangement_id,
        PAYLOAD_OFFER_SCHEDULE: tuple(
            {"due_date": i.due_date, "amount": _cents(i.amount)} for i in plan.instalments
        ),
        "payday": payday,
        "tolerated_missed": plan.grace.tolerated_missed,
        "settle_days": plan.grace.settle_days,
    }
    if debit_day is not None:
        facts["debit_day"] = debit_day
    if plan.grace.grace_days is not None:
        facts["grace_days"] = plan.grace.grace_days
    return facts


def _mandate_debit_day(stored: StoredCase, today: dt.date) -> int | None:
    """The collection day the debtor chose on its latest active mandate for the case's
    creditor (``None``: none chosen, the plan falls just after payday)."""
    creditor = stored.case.creditor_id
    active = [m for m in stored.mandates if m.creditor_id == creditor and m.active_on(today)]
    if not active:
        return None
    return max(active, key=lambda m: (m.signed_on, m.mandate_id)).collection_day


def offer_from_letter(
    payload: Mapping[str, object],
    *,
    debtor_id: str,
    debt_ids: tuple[str, ...],
    delivered_on: dt.date,
) -> ArrangementOffered | None:
    """The offer a delivered ``arrangement-offer`` letter made, exactly as its payload states it
    (:func:`offer_plan`); ``None`` for a letter that names no plan (it offers to talk).

    The debtor answers by the letter's last day (``last_day``, dated for the day it went out),
    else :data:`OFFER_ANSWER_DAYS` after it went out.
    """
    arrangement_id = payload.get(PAYLOAD_OFFER_ID)
    rows = payload.get(PAYLOAD_OFFER_SCHEDULE)
    if not isinstance(arrangement_id, str) or not isinstance(rows, (tuple, list)) or not rows:
        return None
    schedule: list[tuple[dt.date, Money]] = []
    for row in rows:
        if not isinstance(row, Mapping):
            return None
        due, amount = row.get("due_date"), row.get("amount")
        if not isinstance(due, dt.date) or not isinstance(amount, Decimal):
            return None
        schedule.append((due, Money(amount)))
    last_day = payload.get(PAYLOAD_LAST_DAY)
    respond_by = (
        last_day
        if isinstance(last_day, dt.date)
        else delivered_on + dt.timedelta(days=OFFER_ANSWER_DAYS)
    )

    def whole(key: str) -> int | None:
        value = payload.get(key)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    return ArrangementOffered(
        occurred_on=delivered_on,
        debtor_id=debtor_id,
        recorded_by="letters",
        arrangement_id=arrangement_id,
        debt_ids=debt_ids,
        instalment=schedule[0][1],
        instalments=len(schedule),
        respond_by=respond_by,
        schedule=tuple(schedule),
        method=str(payload.get("payment_method") or PaymentMethod.TRANSFER.value),
        debit_day=whole("debit_day"),
        payday=whole("payday"),
        tolerated_missed=whole("tolerated_missed"),
        grace_days=whole("grace_days"),
        settle_days=whole("settle_days"),
    )


def deduction_payer(stored: StoredCase, arrangement_id: str) -> dict[str, object]:
    """``payer_id``/``payer_name`` of a deduction plan, from its acceptance (the debtor's
    agreement) or else its offer; nothing for a plan without a recorded payer."""
    facts: dict[str, object] = {}
    for event in stored.events:
        if (
            isinstance(event, (ArrangementOffered, ArrangementAccepted))
            and event.arrangement_id == arrangement_id
        ):
            if event.payer_id:
                facts["payer_id"] = event.payer_id
            if event.payer_name:
                facts["payer_name"] = event.payer_name
    return facts


def deduction_terms(
    agreed: Money, due_on: dt.date, today: dt.date, bvv: Mapping[str, object] | None
) -> dict[str, object]:
    """The month an instruction is for (``period``, ``YYYY-MM``: the instalment's month, or
    today's when that is later), the ``agreed_instalment`` and the ``instalment_amount`` to
    deduct: the agreed one capped at net income minus BVV
    (:func:`maatwerk.core.affordability.deduction_amount`; the channel checks it again).
    Without the BVV, or with nothing above it, no ``instalment_amount``: the channel refuses."""
    month = max((due_on.year, due_on.month), (today.year, today.month))
    facts: dict[str, object] = {
        "period": f"{month[0]:04d}-{month[1]:02d}",
        "agreed_instalment": _cents(agreed),
        "first_instalment_on": due_on,
    }
    net = bvv.get("net_income") if bvv is not None else None
    protected = bvv.get("protected_income") if bvv is not None else None
    if isinstance(net, Decimal) and isinstance(protected, Decimal):
        capped = deduction_amount(agreed, Money(net), Money(protected))
        if capped.is_positive:
            facts["instalment_amount"] = _cents(capped)
        facts["capped_at_room"] = capped < agreed
    return facts


def deduction_facts(
    stored: StoredCase, today: dt.date, bvv: Mapping[str, object] | None
) -> dict[str, object]:
    """For the policy's step to the ``source-deduction`` channel on an accepted deduction plan
    (the agreement): the payer (:func:`deduction_payer`) and the first instalment's
    instruction (:func:`deduction_terms`); the run instructs each later month itself
    (:func:`maatwerk.services.run.arrangements.plan_deductions`). Nothing when the case has
    no accepted deduction plan."""
    offers = {e.arrangement_id: e for e in stored.events if isinstance(e, ArrangementOffered)}
    plans = []
    for accepted in stored.events:
        if not isinstance(accepted, ArrangementAccepted) or accepted.occurred_on > today:
            continue
        offer = offers.get(accepted.arrangement_id)
        method = accepted.method or (offer.method if offer is not None else None)
        if method is PaymentMethod.SOURCE_DEDUCTION:
            plans.append((accepted, offer))
    if not plans:
        return {}
    accepted, offer = max(plans, key=lambda p: (p[0].occurred_on, p[0].arrangement_id))
    facts = {"arrangement_id": accepted.arrangement_id, "instalment_number": 1}
    facts.update(deduction_payer(stored, accepted.arrangement_id))
    schedule = accepted.schedule or (offer.schedule if offer is not None else ())
    if schedule:
        due_on, agreed = schedule[0]
        facts.update(deduction_terms(agreed, due_on, today, bvv))
    return facts


def address_facts(debtor: Debtor) -> dict[str, object]:
    """``address`` (the lines of the address block) and ``postal_address`` (by field) for a
    debtor with a postal address; nothing for one without."""
    address = debtor.address
    if address is None:
        return {}
    return {
        PAYLOAD_ADDRESS: address.lines,
        PAYLOAD_POSTAL_ADDRESS: {
            "street": address.street,
            "house_number": address.house_number,
            "postcode": address.postcode,
            "city": address.city,
            "extra": address.extra,
            "country": address.country,
        },
    }


# ------------------------------------------------------------------------------ letter dates
def _answer_days(params: Mapping[str, PayloadValue]) -> int | None:
    raw = params.get("accept_within_days")
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().isdigit():
        return int(raw.strip())
    return None


def letter_facts(
    kind: ActionKind,
    params: Mapping[str, PayloadValue],
    sent_on: dt.date,
    terms: LetterTerms,
) -> dict[str, object]:
    """The dates a letter of ``kind`` sent on ``sent_on`` states (``maatwerk.core.letter_dates``).

    ``sent_on``, ``received_on`` (presumed receipt), ``last_day`` (when the letter has a legal
    term; an arrangement offer has one when ``params`` give ``accept_within_days``, Zvw 18a) and
    ``postal`` (how receipt was presumed). Empty when the calendars do not cover these days
    (a letter then states the rule in words, never a guessed date).
    """
    try:
        dates = letter_dates(kind, sent_on, terms, answer_days=_answer_days(params))
    except CalendarRangeError:
        return {}
    delivery = terms.delivery
    facts: dict[str, object] = {
        PAYLOAD_SENT_ON: dates.sent_on,
        PAYLOAD_RECEIVED_ON: dates.received_on,
        PAYLOAD_POSTAL: {
            "receipt_days": delivery.receipt_days,
            "saturday": delivery.saturday,
            "monday": delivery.monday,
        },
    }
    if dates.last_day is not None:
        facts[PAYLOAD_LAST_DAY] = dates.last_day
    return facts


def postal_of(payload: Mapping[str, PayloadValue]) -> PostalDelivery | None:
    """How a payload's letter presumed receipt (its ``postal`` entry), ``None`` when absent."""
    raw = payload.get(PAYLOAD_POSTAL)
    if not isinstance(raw, Mapping):
        return None
    days, saturday, monday = raw.get("receipt_days"), raw.get("saturday"), raw.get("monday")
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        return None
    return PostalDelivery(receipt_days=days, saturday=saturday is not False, monday=monday is True)


def redate_letter(
    kind: ActionKind,
    payload: Mapping[str, PayloadValue],
    sent_on: dt.date,
    terms: LetterTerms,
) -> dict[str, object] | None:
    """A letter's dates for the day it really goes out, or ``None`` when nothing changes.

    The run dates a letter as if sent on the day it was decided; a letter that waited (for a
    review, or a channel that failed) goes out later, and its receipt and last day move with
    it. The postal presumption stays the one the payload recorded.
    """
    if kind not in DATED_LETTERS or payload.get(PAYLOAD_SENT_ON) == sent_on:
        return None
    if PAYLOAD_SENT_ON not in payload:
        return None
    delivery = postal_of(payload)
    if delivery is not None:
        terms = attrs.evolve(terms, delivery=delivery)
    facts = letter_facts(kind, payload, sent_on, terms)
    if not facts:
        return None
    return facts
