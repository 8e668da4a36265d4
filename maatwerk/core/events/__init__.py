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

from maatwerk.core.events import _kinds, _records, _vocabulary
from maatwerk.core.events._kinds import *
from maatwerk.core.events._records import *
from maatwerk.core.events._vocabulary import *


__all__ = _kinds.__all__ + _records.__all__ + _vocabulary.__all__
