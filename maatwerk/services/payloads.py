"""The payload of an outbox row: what a channel needs to carry out one step (uitvoering).

The daily run (:mod:`maatwerk.services.run`) records one outbox row per step taken; its
``payload`` is built here from the policy's decision and the stored case, so that the facts a
channel needs (amounts, dates, contact details, and the legal preconditions a channel checks
itself) are gathered in one place. Keys are the ``PAYLOAD_*`` constants of
:mod:`maatwerk.core.ports` plus these, per action kind:

* every step: ``debtor_email``, ``household``, ``net_monthly_income`` (when known), and when
  the debtor has a postal address ``address`` (the address block's lines) and
  ``postal_address`` (by field: street, house_number, postcode, city, extra, country);
* ``direct-debit-representation``: ``debtor_iban``, ``mandate_id``, ``mandate_date``,
  ``collection_date`` (the SEPA channel refuses the action without an active mandate);
* ``bailiff-handover`` (docs/formats/bailiff-dossier.md): ``claims`` (per debt: principal, interest and costs
  outstanding with their legal basis, cost lines, payments), ``fourteen_day_letters``,
  ``formal_demands``, ``contact_attempts``, ``arrangements`` (history), ``active_arrangements``,
  ``disputes``, ``open_disputes``, ``debt_help`` (running kinds), ``debt_help_status``
  (:func:`debt_help_status`: referrals, answers, status), ``steps_taken``, ``bvv_hint`` and ``bsn``
  (only when the deployment stored one; the bailiff channel adds it only when its settings
  opt in);
* ``debt-help-referral`` / ``early-signal`` (docs/formats/municipal-signal.md): ``consents`` (every consent
  record with given and revoked dates), ``contact_attempts``, ``written_reminders``,
  ``arrears_since``, ``debt_categories``, ``crisis`` (the step's ``crisis`` param: ``eviction``,
  ``disconnection`` or ``health-insurance-termination``);
* a letter with a legal term (``fourteen-day-letter``, ``formal-demand``, ``zvw-notice``, an
  ``arrangement-offer`` whose params give ``accept_within_days``) and every other written step
  of :data:`DATED_LETTERS`: ``sent_on``, ``received_on`` (presumed receipt), ``last_day`` (the
  last day of its legal term, when it has one) and ``postal`` (how receipt was presumed), from
  :func:`letter_facts` (the core's :func:`~maatwerk.core.letter_dates.letter_dates`); the
  dispatcher dates them again for the day the letter really goes out (:func:`redate_letter`);
* every step for the ``letters`` channel: ``claims_list`` (the claims it is about),
  ``direct_debit`` and ``debtor_iban`` with an active mandate, and for a reminder during a plan
  ``missed_instalments`` (:func:`missed_instalment_facts`); an ``arrangement-offer`` with
  ``plan = "capacity"`` or ``"fixed"`` the plan it offers (:func:`offer_plan`);
  ``reference`` is the one payment reference of the case (:func:`case_reference`);
* a step for the ``source-deduction`` channel and an ``arrangement-offer``: ``bvv`` when
  :func:`build_payload` is given the subsistence tables and the debtor's income is known
  (:func:`bvv_facts`; the ``source-deduction`` channel refuses without it).

Dates are ``datetime.date``, amounts ``Decimal`` rounded to cents, lists tuples of mappings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Final

import attrs

from maatwerk.core.affordability import deduction_amount
from maatwerk.core.arrangements import (
    PaymentMethod,
    ProposalOutcome,
    classic_arrangement,
    propose_arrangement,
)
from maatwerk.core.calendar import (
    ATW,
    SEPA,
    BusinessCalendar,
    CalendarRangeError,
    Calendars,
    PostalDelivery,
    legal_deadline,
)
from maatwerk.core.debts import ClaimKind, InterestKind
from maatwerk.core.errors import MaatwerkError
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
from maatwerk.core.letter_dates import LetterTerms, letter_dates
from maatwerk.core.money import Money, Rounding
from maatwerk.core.policy import CaseFile, HouseholdCapacity, derive_state
from maatwerk.core.ports import (
    PAYLOAD_ADDRESS,
    PAYLOAD_AMOUNT,
    PAYLOAD_ARREARS_MONTHS,
    PAYLOAD_CLAIMS_LIST,
    PAYLOAD_COLLECTION_COSTS,
    PAYLOAD_DEBTOR_NAME,
    PAYLOAD_DIRECT_DEBIT,
    PAYLOAD_EXPLANATION,
    PAYLOAD_LAST_DAY,
    PAYLOAD_MISSED_INSTALMENTS,
    PAYLOAD_PAY_BEFORE,
    PAYLOAD_PHONE,
    PAYLOAD_POSTAL_ADDRESS,
    PAYLOAD_RECEIVED_ON,
    PAYLOAD_REFERENCE,
    PAYLOAD_SENT_ON,
    PayloadValue,
)
from maatwerk.core.subsistence import (
    IncreaseNotComputableError,
    SubsistenceInput,
    SubsistenceResult,
    SubsistenceTables,
    protected_income,
)


if TYPE_CHECKING:
    from collections.abc import Sequence

    from maatwerk.core.arrangements import ArrangementState
    from maatwerk.core.debtors import Debtor
    from maatwerk.core.debts import Debt
    from maatwerk.core.policy import CaseState, Decision, ProposedAction
    from maatwerk.core.records import StoredCase


__all__ = [
    "DATED_LETTERS",
    "LETTERS",
    "OFFER_ANSWER_DAYS",
    "PAYLOAD_POSTAL",
    "address_facts",
    "build_payload",
    "bvv_facts",
    "case_reference",
    "collection_date",
    "household_bvv",
    "household_capacity",
    "letter_facts",
    "missed_instalment_facts",
    "offer_plan",
    "redate_letter",
]

#: Payload key: how receipt was presumed (``{"receipt_days", "saturday", "monday"}``), so that
#: the dispatcher can date the letter again for the day it goes out.
PAYLOAD_POSTAL: Final = "postal"
#: The stock letters channel: its steps carry the claims, the mandate and the plan they state.
LETTERS: Final = "letters"
#: Days an offer without its own answer term gives (the same as ``arrangement propose``).
OFFER_ANSWER_DAYS: Final = 14
#: Letters whose payload carries their dates (:func:`letter_facts`).
DATED_LETTERS: Final = frozenset(
    {
        ActionKind.FOURTEEN_DAY_LETTER,
        ActionKind.FORMAL_DEMAND,
        ActionKind.ZVW_NOTICE,
        ActionKind.ARRANGEMENT_OFFER,
    }
)

#: Written steps that count as a reminder before an early signal (Besluit Wgs art. 2).
_WRITTEN_REMINDERS: Final = frozenset(
    {
        ActionKind.PAYMENT_REMINDER,
        ActionKind.ARRANGEMENT_OFFER,
        ActionKind.FOURTEEN_DAY_LETTER,
        ActionKind.FORMAL_DEMAND,
        ActionKind.ZVW_NOTICE,
    }
)
#: The channel that deducts at source: it refuses without the BVV calculation (``bvv``).
SOURCE_DEDUCTION: Final = "source-deduction"
#: Steps whose payload carries the BVV as well: a plan sized to what the household can spare.
_NEEDS_BVV: Final = frozenset({ActionKind.ARRANGEMENT_OFFER})
_LEGAL_BASIS: Final = {
    ClaimKind.PRIVATE: "BW 6:74 e.v. (nakoming); kosten BW 6:96 lid 2 sub c en lid 6",
    ClaimKind.PUBLIC: "Awb titel 4.4 (bestuursrechtelijke geldschuld); aanmaning Awb 4:112-4:113",
}
_INTEREST_BASIS: Final = {
    InterestKind.CONSUMER: "BW 6:119 (wettelijke rente)",
    InterestKind.COMMERCIAL: "BW 6:119a (wettelijke handelsrente)",
    InterestKind.NONE: "geen rente in rekening gebracht",
}


def build_payload(
    decision: Decision,
    action: ProposedAction,
    stored: StoredCase,
    *,
    explanation: Sequence[str],
    stated_costs: Money | None = None,
    subsistence: SubsistenceTables | None = None,
    calendars: Calendars | None = None,
    letter_terms: LetterTerms | None = None,
) -> dict[str, object]:
    """The outbox payload for ``action`` (the step ``decision`` takes) on ``stored``.

    ``explanation``: the decision's Dutch reason chain; ``stated_costs``: the collection costs
    a 14-day letter states (BW 6:96 lid 6) or the fee an aanmaning states (Awb 4:113), ``None``
    for other steps; ``subsistence``: the BVV tables, with which the payload carries the
    household's protected income (``bvv``); ``calendars``: with a ``sepa`` calendar, a
    re-presented direct debit gets the first collection date the SEPA rules allow;
    ``letter_terms``: with them a letter of :data:`DATED_LETTERS` carries its dates
    (:func:`letter_facts`, as if sent today).
    """
    debtor = stored.debtor
    debts = [d for d in stored.case.debts if d.debt_id in action.debt_ids]
    payload: dict[str, object] = {
        PAYLOAD_DEBTOR_NAME: debtor.name,
        PAYLOAD_AMOUNT: action.amount.rounded().amount,
        PAYLOAD_EXPLANATION: "\n".join(explanation),
        PAYLOAD_REFERENCE: case_reference(stored),
        PAYLOAD_ARREARS_MONTHS: int(Decimal(decision.arrears_months)),
        "policy": decision.policy,
        "title": action.title("nl"),
        "household": debtor.household.value,
        **dict(action.params),
    }
    if action.due_by is not None:
        payload[PAYLOAD_PAY_BEFORE] = action.due_by
    if debtor.phone:
        payload[PAYLOAD_PHONE] = debtor.phone
    if debtor.email:
        payload["debtor_email"] = debtor.email
    payload.update(address_facts(debtor))
    if debtor.net_monthly_income is not None:
        payload["net_monthly_income"] = debtor.net_monthly_income.rounded().amount
    if stated_costs is not None:
        payload[PAYLOAD_COLLECTION_COSTS] = stated_costs.rounded().amount
    today = decision.today
    if letter_terms is not None and action.action in DATED_LETTERS:
        payload.update(letter_facts(action.action, dict(action.params), today, letter_terms))
    if action.action is ActionKind.DIRECT_DEBIT_REPRESENTATION:
        payload.update(_mandate_facts(stored, today, _sepa(calendars)))
    if action.action is ActionKind.BAILIFF_HANDOVER:
        terms = letter_terms
        if terms is None:  # the statutory terms on the atw calendar when it is given
            atw = calendars.get(ATW) if calendars is not None and ATW in calendars else None
            terms = LetterTerms() if atw is None else LetterTerms(atw=atw)
        state = _state(stored, today)
        payload.update(_bailiff_facts(state, debts, terms))
        payload["debt_help_status"] = debt_help_status(state, decision)
    if action.action is ActionKind.ZVW_REPORT:
        payload["open_disputes"] = tuple(d.dispute_id for d in _state(stored, today).open_disputes)
    if action.action in (ActionKind.DEBT_HELP_REFERRAL, ActionKind.EARLY_SIGNAL):
        payload.update(_municipal_facts(_state(stored, today), debts))
    bvv: dict[str, object] | None = None
    if subsistence is not None and (
        action.channel == SOURCE_DEDUCTION or action.action in _NEEDS_BVV
    ):
        bvv = bvv_facts(stored, today, subsistence)
        if bvv is not None:
            payload["bvv"] = bvv
    if action.channel == SOURCE_DEDUCTION:
        payload.update(deduction_facts(stored, today, bvv))
    if action.channel == LETTERS:
        state = _state(stored, today)
        payload[PAYLOAD_CLAIMS_LIST] = _claims_list(state, debts)
        payload.update(_plan_reminder_facts(state, action))
        mandate = _mandate_facts(stored, today, None)
        if mandate:
            payload[PAYLOAD_DIRECT_DEBIT] = True
            payload["debtor_iban"] = mandate["debtor_iban"]
        if action.action is ActionKind.ARRANGEMENT_OFFER:
            payload.update(
                offer_plan(
                    action,
                    stored,
                    today,
                    bvv=bvv,
                    direct_debit=bool(mandate),
                    answer_by=payload.get(PAYLOAD_LAST_DAY),
                    sepa=_sepa(calendars),
                )
            )
    return payload


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
    params = dict(action.params)
    rule = params.get("plan")
    total = action.amount.rounded()
    if rule not in ("capacity", "fixed") or not total.is_positive:
        return {}
    debtor = stored.debtor
    payday = debtor.payday
    if isinstance(answer_by, dt.date):
        start = answer_by
    else:
        start = today + dt.timedelta(days=OFFER_ANSWER_DAYS)
    method = PaymentMethod.DIRECT_DEBIT if direct_debit else PaymentMethod.TRANSFER
    arrangement_id = f"{debtor.debtor_id}:{stored.case.creditor_id}:{today.isoformat()}"
    calendar = sepa if direct_debit else None
    not_before = start + dt.timedelta(days=1)
    try:
        if rule == "fixed":
            proposal = classic_arrangement(
                arrangement_id=arrangement_id,
                debtor_id=debtor.debtor_id,
                creditor_id=stored.case.creditor_id,
                debt=total,
                today=not_before,
                payday=payday,
                months=int(params.get("months", "6")),
                minimum=Money(params.get("minimum_instalment", "50.00")),
                calendar=calendar,
            )
        else:
            room = bvv.get("attachable") if bvv is not None else None
            if not isinstance(room, Decimal) or room <= 0:
                return {}
            proposal = propose_arrangement(
                arrangement_id=arrangement_id,
                debtor_id=debtor.debtor_id,
                creditor_id=stored.case.creditor_id,
                debt=total,
                capacity=Money(room).rounded(Rounding.DOWN),
                today=not_before,
                payday=payday,
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
    }
    return facts


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


def _state(stored: StoredCase, today: dt.date) -> CaseState:
    file = CaseFile(debtor=stored.debtor, case=stored.case, events=stored.events)
    return derive_state(file, today)


def _cents(money: Money) -> Decimal:
    return money.rounded().amount


# ------------------------------------------------------------------------------ SEPA
def _sepa(calendars: Calendars | None) -> BusinessCalendar | None:
    if calendars is None or SEPA not in calendars:
        return None
    return calendars.get(SEPA)


def collection_date(today: dt.date, sepa: BusinessCalendar) -> dt.date | None:
    """The first collection date a file created on ``today`` may carry (EPC SDD Core, D-1).

    The SEPA channel checks that the date is a TARGET business day and that the file is
    created at least one TARGET business day before it: the first business day ``d`` with a
    business day on or after ``today`` and before ``d``. ``None`` when the calendar does not
    cover these days (the channel then refuses the collection rather than guess).
    """
    try:
        first_open = sepa.next_business_day(today)
        return sepa.next_business_day(first_open + dt.timedelta(days=1))
    except CalendarRangeError:
        return None


def _mandate_facts(
    stored: StoredCase, today: dt.date, sepa: BusinessCalendar | None
) -> dict[str, object]:
    creditor = stored.case.creditor_id
    active = [m for m in stored.mandates if m.creditor_id == creditor and m.active_on(today)]
    if not active:
        return {}
    mandate = max(active, key=lambda m: (m.signed_on, m.mandate_id))
    facts: dict[str, object] = {
        "debtor_iban": mandate.iban,
        "mandate_id": mandate.mandate_id,
        "mandate_date": mandate.signed_on,
    }
    day = collection_date(today, sepa) if sepa is not None else None
    if day is not None:
        facts["collection_date"] = day
    return facts


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
        "active_arrangements": tuple(a.arrangement_id for a in state.arrangements),
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


# ------------------------------------------------------------------------------ BVV
def household_bvv(
    debtor: Debtor, net_income: Money, on: dt.date, tables: SubsistenceTables
) -> SubsistenceResult:
    """The protected income (BVV, Rv 475b-475i) of the stored household of ``debtor`` on ``on``
    for a net monthly income of ``net_income`` (raises ``InputError`` when the stored household
    does not determine it).

    An owner-occupier or a tenant without huurtoeslag (``debtor.housing``) asks for the Rv 475da
    lid 7 increase, with the increase a person set (``debtor.owner_increase``); when it matters
    and no person set it, :class:`~maatwerk.core.subsistence.IncreaseNotComputableError` is
    raised (never a silent, too-low BVV).
    """
    return protected_income(
        SubsistenceInput(
            household=debtor.household,
            on=on,
            net_income=net_income,
            gross_annual_income=debtor.gross_annual_income,
            bijstand=debtor.on_bijstand,
            no_address=not debtor.has_brp_address,
            owner_occupier=debtor.asks_lid7,
            owner_increase=debtor.owner_increase if debtor.asks_lid7 else None,
        ),
        tables,
    )


def household_capacity(
    debtor: Debtor, on: dt.date, tables: SubsistenceTables | None
) -> HouseholdCapacity:
    """The household's figures on ``on`` for the policy (``CaseFile.household``).

    Net income as stored; the protected income from :func:`household_bvv` when the tables are
    given and can give it (else unknown: the policy then treats "I cannot pay" as unconfirmed
    and sends it to a person, never to a bailiff). When the Rv 475da lid 7 increase was asked
    for (owner-occupier, tenant without huurtoeslag) and cannot be computed, the protected
    income stays unknown and ``needs_person`` says why, with the too-low BVV without it: the
    mandatory ``bvv-needs-person`` guard then holds every step that rests on the BVV.
    """
    net = debtor.net_monthly_income
    if net is None or tables is None:
        return HouseholdCapacity(on=on, net_income=net)
    try:
        result = household_bvv(debtor, net, on, tables)
    except IncreaseNotComputableError as exc:
        return HouseholdCapacity(
            on=on, net_income=net, needs_person=exc.reason, too_low=exc.without
        )
    except MaatwerkError:
        return HouseholdCapacity(on=on, net_income=net)
    return HouseholdCapacity(
        on=on,
        net_income=net,
        protected_income=result.bvv,
        provisional=result.provisional,
        table=result.table,
    )


def bvv_facts(
    stored: StoredCase, on: dt.date, tables: SubsistenceTables
) -> dict[str, object] | None:
    """The household's protected income (BVV, Rv 475da) with its calculation lines.

    ``None`` when the debtor's net monthly income is unknown, or the tables cannot give a
    BVV for that date (then nothing may be deducted: the deduction channel refuses).
    """
    debtor = stored.debtor
    if debtor.net_monthly_income is None:
        return None
    try:
        result = household_bvv(debtor, debtor.net_monthly_income, on, tables)
    except MaatwerkError:
        return None
    return {
        "on": on,
        "net_income": _cents(debtor.net_monthly_income),
        "protected_income": _cents(result.bvv),
        "attachable": _cents(result.attachable),
        "basis": result.basis.value,
        "tables": result.table,
        "provisional": result.provisional,
        "provisional_notes": list(result.provisional_notes("nl")),
        "lines": [
            {
                "term": line.term,
                "value": _cents(line.value),
                "rule": line.rule,
                "note": line.note,
            }
            for line in result.lines
        ],
    }
