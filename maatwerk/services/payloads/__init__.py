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
  ``plan = "capacity"`` or ``"fixed"`` the plan it offers (:func:`offer_plan`, with its
  ``offer_arrangement_id`` and full ``offer_schedule``: on delivery the letter's offer is
  recorded from them, :func:`offer_from_letter`; an offer that goes out later than it was
  decided gets the same plan with its dates after the day to answer it then states,
  :func:`replan_offer`);
  ``reference`` is the one payment reference of the case (:func:`case_reference`);
* a step for the ``source-deduction`` channel and an ``arrangement-offer``: ``bvv`` when
  :func:`build_payload` is given the subsistence tables and the debtor's income is known
  (:func:`bvv_facts`; the ``source-deduction`` channel refuses without it).

Dates are ``datetime.date``, amounts ``Decimal`` rounded to cents, lists tuples of mappings.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from maatwerk.core.calendar import (
    ATW,
    Calendars,
)
from maatwerk.core.events import (
    ActionKind,
)
from maatwerk.core.letter_dates import LetterTerms
from maatwerk.core.money import Money
from maatwerk.core.ports import (
    PAYLOAD_AMOUNT,
    PAYLOAD_ARREARS_MONTHS,
    PAYLOAD_CLAIMS_LIST,
    PAYLOAD_COLLECTION_COSTS,
    PAYLOAD_DEBTOR_NAME,
    PAYLOAD_DIRECT_DEBIT,
    PAYLOAD_EXPLANATION,
    PAYLOAD_LAST_DAY,
    PAYLOAD_PAY_BEFORE,
    PAYLOAD_PHONE,
    PAYLOAD_REFERENCE,
)
from maatwerk.core.subsistence import (
    SubsistenceTables,
)


if TYPE_CHECKING:
    from collections.abc import Sequence

    from maatwerk.core.policy import Decision, ProposedAction
    from maatwerk.core.records import StoredCase
from maatwerk.services.payloads._common import (
    _NEEDS_BVV,
    DATED_LETTERS,
    LETTERS,
    OFFER_ANSWER_DAYS,
    PAYLOAD_OFFER_ID,
    PAYLOAD_OFFER_SCHEDULE,
    PAYLOAD_POSTAL,
    SOURCE_DEDUCTION,
    _mandate_facts,
    _sepa,
    _state,
    collection_date,
)
from maatwerk.services.payloads._dossier import (
    _bailiff_facts,
    _municipal_facts,
    debt_help_status,
)
from maatwerk.services.payloads._household import bvv_facts, household_bvv, household_capacity
from maatwerk.services.payloads._letters import (
    _claims_list,
    _plan_reminder_facts,
    address_facts,
    case_reference,
    deduction_facts,
    deduction_payer,
    deduction_terms,
    letter_facts,
    missed_instalment_facts,
    offer_from_letter,
    offer_plan,
    postal_of,
    redate_letter,
    replan_offer,
)


__all__ = [
    "DATED_LETTERS",
    "LETTERS",
    "OFFER_ANSWER_DAYS",
    "PAYLOAD_OFFER_ID",
    "PAYLOAD_OFFER_SCHEDULE",
    "PAYLOAD_POSTAL",
    "SOURCE_DEDUCTION",
    "address_facts",
    "build_payload",
    "bvv_facts",
    "case_reference",
    "collection_date",
    "debt_help_status",
    "deduction_facts",
    "deduction_payer",
    "deduction_terms",
    "household_bvv",
    "household_capacity",
    "letter_facts",
    "missed_instalment_facts",
    "offer_from_letter",
    "offer_plan",
    "postal_of",
    "redate_letter",
    "replan_offer",
]


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
