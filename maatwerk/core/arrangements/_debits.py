"""When and how each instalment of a direct-debit plan is collected (SEPA Core, pain.008).

A plan paid by direct debit (:attr:`PaymentMethod.DIRECT_DEBIT`) is collected instalment by
instalment under the debtor's mandate for the creditor. :func:`debit_schedule` gives, per
instalment, the collection date (the instalment's due date, moved to the next SEPA business day
when it is not one), the sequence type and the first day the collection may be handed to the
bank. Rules (EPC SDD Core rulebook; ``docs/formats/sepa-collections.md``):

* the collection date is a TARGET business day; the file reaches the bank at least one TARGET
  business day before it (D-1, every sequence type since November 2016) and at most
  :data:`MAX_ADVANCE_DAYS` calendar days before it; the run hands it over
  :data:`SUBMIT_DAYS_BEFORE` calendar days before the date;
* the sequence type is ``FRST`` for the first collection under a mandate and ``RCUR`` after it
  (since the 2016 rulebook ``RCUR`` is also allowed for a first one; we still mark it);
* the debtor is told each amount and date in advance (pre-notification): at least
  :data:`PRE_NOTIFICATION_DAYS` calendar days before the first collection, unless the contract
  agrees a shorter period (EPC SDD Core rulebook).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from typing import Final

import attrs

from maatwerk.core.arrangements._model import BusinessDays, Instalment
from maatwerk.core.money import Money


__all__ = [
    "MAX_ADVANCE_DAYS",
    "PRE_NOTIFICATION_DAYS",
    "SUBMIT_DAYS_BEFORE",
    "DebitSequence",
    "PlannedDebit",
    "debit_schedule",
]

#: Calendar days before the collection date by which the debtor is told amount and date
#: (pre-notification), unless the contract agrees a shorter period (EPC SDD Core rulebook).
PRE_NOTIFICATION_DAYS: Final = 14
#: At most this many calendar days before the collection date may the file reach the bank.
MAX_ADVANCE_DAYS: Final = 14
#: The run hands a collection to the bank this many calendar days before its date (well within
#: the 14 days a bank accepts, and early enough for D-1 after a weekend and a holiday).
SUBMIT_DAYS_BEFORE: Final = 5


class DebitSequence(enum.Enum):
    """The SEPA sequence type of a plan's collection."""

    FIRST = "FRST"
    RECURRING = "RCUR"


@attrs.frozen(kw_only=True)
class PlannedDebit:
    """One instalment's collection: its date, amount, sequence type and first submission day."""

    number: int
    collection_date: dt.date
    amount: Money
    sequence: DebitSequence
    submit_from: dt.date
    """the first day the run hands the collection to the bank"""


def debit_schedule(
    instalments: Sequence[Instalment],
    *,
    calendar: BusinessDays,
    collected_before: bool = False,
) -> tuple[PlannedDebit, ...]:
    """The collection of each instalment, in order.

    ``collected_before``: a collection was already made under the mandate (then every collection
    here is ``RCUR``); otherwise the first is ``FRST`` and the rest ``RCUR``.
    """
    planned: list[PlannedDebit] = []
    for index, instalment in enumerate(instalments):
        day = calendar.next_business_day(instalment.due_date)
        first = index == 0 and not collected_before
        planned.append(
            PlannedDebit(
                number=instalment.number,
                collection_date=day,
                amount=instalment.amount,
                sequence=DebitSequence.FIRST if first else DebitSequence.RECURRING,
                submit_from=day - dt.timedelta(days=SUBMIT_DAYS_BEFORE),
            )
        )
    return tuple(planned)
