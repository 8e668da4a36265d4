"""Domain events (gebeurtenissen): the append-only facts the escalation policy reacts to.

Every event is a frozen attrs value with a common base :class:`Event`: the event ``kind`` (a
stable string, the class variable ``KIND``), the day it happened (``occurred_on``), the debtor,
optionally the one debt it is about (``debt_id``; ``None`` means the whole case of the debtor)
and who recorded it (``recorded_by``: a user name, a channel or ``"engine"``).

Events are never changed or deleted: a hold that ends early gets a :class:`HoldEnded`, a consent
that is withdrawn gets a :class:`ConsentRevoked`, a flag set in error gets a :class:`FlagCleared`.
The policy (:mod:`maatwerk.core.policy`) derives the current state (is there an open dispute? is
the debtor deceased? was step ``reminder-2`` already taken?) from the ordered events up to the
controlling date; events dated after that date are ignored, so a re-run for an earlier date
gives the same decision as on that day.

Field types are plain values only: ``str``, ``int``, ``bool``, ``datetime.date``, ``Money``,
``Decimal``, enums with string values, ``tuple[X, ...]`` and fixed tuples such as
``tuple[dt.date, Money]`` of these, and ``X | None`` of these. That lets
the storage serialise every event generically with :func:`event_to_record` /
:func:`event_from_record` (JSON-able dicts) and the :data:`EVENT_TYPES` registry. No personal
data belongs in an event (no names, IBAN, BSN, addresses); free-text ``note`` fields are for
case managers and must not be logged.
"""

from __future__ import annotations

from maatwerk.core.events._kinds import (
    EVENT_TYPES,
    ArrangementAccepted,
    ArrangementBreached,
    ArrangementCompleted,
    ArrangementEvent,
    ArrangementOffered,
    ArrangementRejected,
    ConsentEvent,
    ConsentGiven,
    ConsentRevoked,
    ContactAttempt,
    DebtHelpEnded,
    DebtHelpEvent,
    DebtHelpStarted,
    DebtorFlagged,
    DisputeEvent,
    DisputeOpened,
    DisputeResolved,
    Event,
    FlagCleared,
    FlagEvent,
    FormalDemandSent,
    FourteenDayLetterSent,
    HoldEnded,
    HoldEvent,
    HoldPlaced,
    PaymentReturned,
    PromiseToPay,
    ReviewApproved,
    ReviewEvent,
    ReviewRejected,
    StepTaken,
)
from maatwerk.core.events._records import (
    event_class,
    event_from_record,
    event_to_record,
    sort_events,
)
from maatwerk.core.events._vocabulary import (
    ActionKind,
    ConsentScope,
    ContactChannel,
    ContactOutcome,
    DebtHelpKind,
    DebtorFlag,
    HoldScope,
    ReturnReasonGroup,
)


__all__ = [
    "EVENT_TYPES",
    "ActionKind",
    "ArrangementAccepted",
    "ArrangementBreached",
    "ArrangementCompleted",
    "ArrangementEvent",
    "ArrangementOffered",
    "ArrangementRejected",
    "ConsentEvent",
    "ConsentGiven",
    "ConsentRevoked",
    "ConsentScope",
    "ContactAttempt",
    "ContactChannel",
    "ContactOutcome",
    "DebtHelpEnded",
    "DebtHelpEvent",
    "DebtHelpKind",
    "DebtHelpStarted",
    "DebtorFlag",
    "DebtorFlagged",
    "DisputeEvent",
    "DisputeOpened",
    "DisputeResolved",
    "Event",
    "FlagCleared",
    "FlagEvent",
    "FormalDemandSent",
    "FourteenDayLetterSent",
    "HoldEnded",
    "HoldEvent",
    "HoldPlaced",
    "HoldScope",
    "PaymentReturned",
    "PromiseToPay",
    "ReturnReasonGroup",
    "ReviewApproved",
    "ReviewEvent",
    "ReviewRejected",
    "StepTaken",
    "event_class",
    "event_from_record",
    "event_to_record",
    "sort_events",
]
