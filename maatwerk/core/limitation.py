"""Limitation of claims (verjaring van rechtsvorderingen): when a claim can no longer be enforced.

Periods (docs/rules/limitation.md):

==================  ==========  =================================================================
kind                 period      statute
==================  ==========  =================================================================
``contract``         5 years     BW 3:307 lid 1: claim to perform a contractual obligation
``periodic``         5 years     BW 3:308: anything payable yearly or more often (rent, premiums,
                                 interest); **each instalment separately**: call once per due date
``consumer-sale``    2 years     BW 7:28: the purchase price in a consumer sale
``public``           5 years     Awb 4:104: a public-law money claim (bestuursrechtelijke
                                 geldschuld); deferral, bankruptcy and WSNP extensions (4:104 lid 2,
                                 4:106) are not modelled here
==================  ==========  =================================================================

Convention (precise): the period starts on the day *after* the due date (3:307 lid 1, 3:308;
Awb 4:104: "na de dag waarop ... verstreken"). A period of Y years that starts on day S ends at the
end of the day before the Y-th anniversary of S. So ``last_day = (due + 1 day + Y years) - 1
day``: the last day on which the claim can still be enforced (or the period interrupted). That is
``due + Y years`` in every case except around 29 February: a period starting on 29 February ends
on 28 February (the anniversary is taken as 1 March), and a period starting on 1 March of the year
before a leap year ends on 29 February. The Algemene termijnenwet does not extend the end (art. 4
sub a: not for terms in years), so a last day on a Saturday stays.

Interruption (stuiting, BW 3:316-3:319; Awb 4:105): a written reminder (aanmaning) or a written
reservation of rights (3:317), an acknowledgement by the debtor (3:318; a payment or an
arrangement usually counts), or a legal action. A new period starts the day after the interruption
(3:319 lid 1), of the same length as the original but **at most 5 years**, and it never ends before
the period it replaces would have ended (3:319 lid 1, last sentence). Interruptions are taken in
date order; one dated **before** the period started (on or before the due date) has no effect,
as there is nothing to interrupt yet; one dated **after** the claim already expired has no effect: limitation is complete
and cannot be revived by a later letter (a later acknowledgement may be a waiver of the defence,
3:322 lid 2, but that is a separate question the engine does not infer). The court does not apply
limitation on its own motion (3:322 lid 1): ``last_day`` says when the debtor *can* invoke it.

In the daily run (:func:`debt_limitation`, :func:`time_barred`): a debt's rule follows from the
debt (public: Awb 4:104; ``periodic``: 3:308; category ``consumer-sale``: 7:28; else 3:307), its
period starts the day after its ``due_date``, and these recorded events interrupt it
(:func:`interruptions`):

* a delivered **14-day letter** (:class:`~maatwerk.core.events.FourteenDayLetterSent`), on the day
  it is presumed received (3:317 lid 1, a written demand; a declaration takes effect when it
  reaches the debtor, 3:37 lid 3). Its text asks for payment and says so in so many words
  (the reservation of rights the stock letter prints);
* a delivered **aanmaning** (:class:`~maatwerk.core.events.FormalDemandSent`), on the day it was
  sent (Awb 4:105 lid 1 for public claims; for a private claim the earlier date is the one in the
  debtor's favour);
* an **acknowledgement** by the debtor (:class:`~maatwerk.core.events.DebtAcknowledged`, BW 3:318;
  recorded by a person with ``maatwerk debt acknowledge``);
* an **accepted arrangement** covering the debt (:class:`~maatwerk.core.events.ArrangementAccepted`):
  agreeing to pay a debt in instalments acknowledges it (3:318).

Payment reminders, calls and SMS do not count (they are not recorded on delivery, and a friendly
reminder need not reserve the right unequivocally); nor does a payment on its own: the ledger
does not say whether the debtor designated it, so a person who judges that a payment acknowledged
the debt records that. Both choices are in the debtor's favour. A time-barred claim is a natural
obligation (BW 6:3): the debtor may still pay it, but the run makes no demand, posts no interest
or costs and takes no step for it (the mandatory guard ``time-barred``).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from typing import Final

import attrs

from maatwerk.core._convert import to_member
from maatwerk.core.debts import ClaimKind, Debt
from maatwerk.core.events import (
    ArrangementAccepted,
    ArrangementOffered,
    DebtAcknowledged,
    Event,
    FormalDemandSent,
    FourteenDayLetterSent,
)


__all__ = [
    "INTERRUPTION_CAP_YEARS",
    "Interruption",
    "LimitationKind",
    "LimitationResult",
    "LimitationRule",
    "add_years",
    "debt_limitation",
    "interruptions",
    "limitation_date",
    "limitation_for",
    "limitation_kind",
    "rule_for",
    "time_barred",
]

INTERRUPTION_CAP_YEARS: Final = 5
"""BW 3:319 lid 1: the new period after interruption is at most five years."""

_ONE_DAY: Final = dt.timedelta(days=1)


class LimitationKind(enum.Enum):
    """Which limitation rule governs a claim."""

    CONTRACT = "contract"
    """BW 3:307: performance of a contractual obligation, 5 years."""
    PERIODIC = "periodic"
    """BW 3:308: amounts payable yearly or more often, 5 years per instalment."""
    CONSUMER_SALE = "consumer-sale"
    """BW 7:28: purchase price in a consumer sale, 2 years."""
    PUBLIC = "public"
    """Awb 4:104: public-law money claim, 5 years."""


# ---------------------------------------------------------------------- enum converters
# A value string becomes the member, anything else a ValueError (see maatwerk.core._convert).
def to_limitation_kind(value: LimitationKind | str) -> LimitationKind:
    return value if type(value) is LimitationKind else to_member(LimitationKind, value)


@attrs.frozen(kw_only=True)
class LimitationRule:
    """A limitation period in whole years and the statute it comes from."""

    kind: LimitationKind = attrs.field(converter=to_limitation_kind)
    years: int
    statute: str

    def __attrs_post_init__(self) -> None:
        if self.years < 1:
            raise ValueError("a limitation period is at least one year")


_RULES: Final[dict[LimitationKind, LimitationRule]] = {
    LimitationKind.CONTRACT: LimitationRule(
        kind=LimitationKind.CONTRACT, years=5, statute="BW 3:307 lid 1"
    ),
    LimitationKind.PERIODIC: LimitationRule(
        kind=LimitationKind.PERIODIC, years=5, statute="BW 3:308"
    ),
    LimitationKind.CONSUMER_SALE: LimitationRule(
        kind=LimitationKind.CONSUMER_SALE, years=2, statute="BW 7:28"
    ),
    LimitationKind.PUBLIC: LimitationRule(
        kind=LimitationKind.PUBLIC, years=5, statute="Awb 4:104 lid 1"
    ),
}


def rule_for(kind: LimitationKind) -> LimitationRule:
    """The statutory rule for ``kind``."""
    return _RULES[kind]


def add_years(day: dt.date, years: int) -> dt.date:
    """``day`` plus whole years; 29 February becomes 1 March in a year without it."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year
        return dt.date(day.year + years, 3, 1)


def _period_end(start: dt.date, years: int) -> dt.date:
    """Last day of a period of ``years`` years whose first day is ``start``."""
    return add_years(start, years) - _ONE_DAY


@attrs.frozen(kw_only=True)
class LimitationResult:
    """When a claim expires, and why (verjaringsdatum met uitleg).

    ``last_day`` is the last day on which the claim can still be enforced; from the next day the
    debtor can invoke limitation. ``original_last_day`` ignores interruptions.
    """

    due: dt.date
    kind: LimitationKind
    years: int
    start: dt.date
    original_last_day: dt.date
    last_day: dt.date
    interruptions_applied: tuple[dt.date, ...]
    interruptions_ignored: tuple[dt.date, ...]
    lines: tuple[str, ...]

    def expired_on(self, day: dt.date) -> bool:
        """True when the claim is time-barred on ``day`` (``day`` after ``last_day``)."""
        return day > self.last_day


def limitation_for(
    due: dt.date, rule: LimitationRule, interruptions: Iterable[dt.date] = ()
) -> LimitationResult:
    """Limitation of a claim due on ``due`` under ``rule``, after the given interruptions."""
    start = due + _ONE_DAY
    original = _period_end(start, rule.years)
    first = (
        f"{rule.statute}: {rule.years} years from the day after the due date {due.isoformat()}, "
        f"so from {start.isoformat()} up to and including {original.isoformat()}."
    )
    lines = [first]
    new_years = min(rule.years, INTERRUPTION_CAP_YEARS)
    last = original
    applied: list[dt.date] = []
    ignored: list[dt.date] = []
    for moment in sorted(set(interruptions)):
        if moment < start:
            ignored.append(moment)
            lines.append(
                f"Interruption on {moment.isoformat()} came before the period started on "
                f"{start.isoformat()}: no effect, there was nothing to interrupt yet."
            )
            continue
        if moment > last:
            ignored.append(moment)
            lines.append(
                f"Interruption on {moment.isoformat()} came after the claim expired at the end of "
                f"{last.isoformat()}: no effect, an expired claim is not revived."
            )
            continue
        candidate = _period_end(moment + _ONE_DAY, new_years)
        if candidate > last:
            applied.append(moment)
            lines.append(
                f"Interrupted on {moment.isoformat()} (BW 3:316-3:319): a new period of "
                f"{new_years} years runs up to and including {candidate.isoformat()}."
            )
            last = candidate
        else:
            applied.append(moment)
            lines.append(
                f"Interrupted on {moment.isoformat()}: the new period would end on "
                f"{candidate.isoformat()}, not before {last.isoformat()} (3:319): "
                f"end stays {last.isoformat()}."
            )
    lines.append(f"Last day the claim can be enforced: {last.isoformat()}.")
    return LimitationResult(
        due=due,
        kind=rule.kind,
        years=rule.years,
        start=start,
        original_last_day=original,
        last_day=last,
        interruptions_applied=tuple(applied),
        interruptions_ignored=tuple(ignored),
        lines=tuple(lines),
    )


def limitation_date(
    due: dt.date,
    kind: LimitationKind = LimitationKind.CONTRACT,
    interruptions: Iterable[dt.date] = (),
) -> LimitationResult:
    """Limitation of a claim of ``kind`` due on ``due``; see the module docstring for the rules.

    ``interruptions`` are the dates of written reminders, reservations of rights,
    acknowledgements (payments, arrangements) and legal actions, in any order.
    """
    return limitation_for(due, rule_for(kind), interruptions)


# ------------------------------------------------------------------------------ in the run
CONSUMER_SALE_CATEGORY: Final = "consumer-sale"
"""The debt category that takes the 2-year period of BW 7:28 (the price in a consumer sale)."""


def limitation_kind(debt: Debt) -> LimitationKind:
    """The limitation rule of ``debt`` (see the module docstring)."""
    if debt.kind is ClaimKind.PUBLIC:
        return LimitationKind.PUBLIC
    if debt.periodic:
        return LimitationKind.PERIODIC
    if debt.category == CONSUMER_SALE_CATEGORY:
        return LimitationKind.CONSUMER_SALE
    return LimitationKind.CONTRACT


@attrs.frozen(kw_only=True)
class Interruption:
    """A recorded act that interrupts limitation: the day it takes effect and what it was."""

    on: dt.date
    what: str
    """``fourteen-day-letter``, ``formal-demand``, ``acknowledgement`` or ``arrangement``"""


def _covers(debt: Debt, debt_ids: tuple[str, ...], debt_id: str | None) -> bool:
    if debt_ids:
        return debt.debt_id in debt_ids
    return debt_id in (None, debt.debt_id)


def interruptions(debt: Debt, events: Iterable[Event]) -> tuple[Interruption, ...]:
    """The recorded acts that interrupt the limitation of ``debt``, in date order.

    ``events`` may hold other debtors' events and any dates; the caller passes the events dated
    up to the day it asks about (an act later than that day has not happened yet).
    """
    found: list[Interruption] = []
    offers: dict[str, tuple[str, ...]] = {}
    for event in sorted(events, key=lambda e: e.occurred_on):
        if event.debtor_id != debt.debtor_id:
            continue
        match event:
            case FourteenDayLetterSent() if _covers(debt, event.debt_ids, event.debt_id):
                found.append(Interruption(on=event.received_on, what="fourteen-day-letter"))
            case FormalDemandSent() if _covers(debt, event.debt_ids, event.debt_id):
                found.append(Interruption(on=event.sent_on, what="formal-demand"))
            case DebtAcknowledged() if event.debt_id in (None, debt.debt_id):
                found.append(Interruption(on=event.occurred_on, what="acknowledgement"))
            case ArrangementOffered():
                offers[event.arrangement_id] = event.debt_ids
            case ArrangementAccepted() if _covers(debt, offers.get(event.arrangement_id, ()), None):
                found.append(Interruption(on=event.occurred_on, what="arrangement"))
            case _:
                pass
    return tuple(sorted(found, key=lambda i: i.on))


def debt_limitation(debt: Debt, events: Iterable[Event] = ()) -> LimitationResult:
    """Limitation of ``debt`` after the interruptions recorded in ``events``."""
    return limitation_for(
        debt.due_date,
        rule_for(limitation_kind(debt)),
        (i.on for i in interruptions(debt, events)),
    )


def time_barred(debt: Debt, events: Iterable[Event], day: dt.date) -> LimitationResult | None:
    """The limitation of ``debt`` when it is time-barred on ``day``, else ``None``.

    Only the events dated up to ``day`` count. Time-barred from ``last_day + 1`` on.
    """
    rule = rule_for(limitation_kind(debt))
    if day <= _period_end(debt.due_date + _ONE_DAY, rule.years):
        return None  # not even the original period has run out (interruptions only extend it)
    result = debt_limitation(debt, (e for e in events if e.occurred_on <= day))
    return result if result.expired_on(day) else None
