"""What every payload builder shares: the payload constants, the case state as of a day,
cents, and the SEPA collection date."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Final

from maatwerk.core.calendar import (
    SEPA,
    BusinessCalendar,
    CalendarRangeError,
    Calendars,
)
from maatwerk.core.debts import ClaimKind, InterestKind
from maatwerk.core.events import (
    ActionKind,
)
from maatwerk.core.money import Money
from maatwerk.core.policy import CaseFile, derive_state
from maatwerk.core.policy.guards import WRITTEN_REMINDERS


if TYPE_CHECKING:
    from maatwerk.core.policy import CaseState
    from maatwerk.core.records import StoredCase


#: Payload key: how receipt was presumed (``{"receipt_days", "saturday", "monday"}``), so that
#: the dispatcher can date the letter again for the day it goes out.
PAYLOAD_POSTAL: Final = "postal"
#: The stock letters channel: its steps carry the claims, the mandate and the plan they state.
LETTERS: Final = "letters"
#: Days an offer without its own answer term gives (the same as ``arrangement propose``).
OFFER_ANSWER_DAYS: Final = 14
#: Payload keys of an ``arrangement-offer`` letter's plan: the offer's arrangement id and its
#: full schedule (``({"due_date", "amount"}, ...)``), recorded as the offer when it is delivered.
PAYLOAD_OFFER_ID: Final = "offer_arrangement_id"
PAYLOAD_OFFER_SCHEDULE: Final = "offer_schedule"
#: Letters whose payload carries their dates (:func:`letter_facts`).
DATED_LETTERS: Final = frozenset(
    {
        ActionKind.FOURTEEN_DAY_LETTER,
        ActionKind.FORMAL_DEMAND,
        ActionKind.ZVW_NOTICE,
        ActionKind.ARRANGEMENT_OFFER,
    }
)

#: Written steps that count as a reminder before an early signal (Besluit Wgs art. 2): the
#: core's table, which the ``early-signal-steps`` guard reads too.
_WRITTEN_REMINDERS: Final = WRITTEN_REMINDERS
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
