"""Returned direct debits (storneringen en weigeringen) and how the policy reacts to them.

A bank reports a collection that did not come in: before settlement as a *reject* (pain.002),
after settlement as a *return*, *refund* or *reversal* (camt.053/054, MT940). The adapters in
``maatwerk.adapters.returns`` read those files into :class:`ReturnedCollection` values; this module
is pure: it classifies reason codes with a :class:`ReasonTable` (loaded from
``maatwerk/rules/return_reasons.toml``), matches returns to the collections we sent
(:func:`match_returns`) and states the reaction per group (:func:`reaction_for`).

Reaction per group (docs/rules/return-reasons.md; seeds 003/004: tell *can't pay* from *won't pay*):

* ``could_not_pay`` (AM04, MS03): contact the debtor and offer an arrangement. At most the policy's
  **one** re-presentation, aligned to the payday the debtor gave; never an automatic retry beyond it.
* ``refused_or_disputed`` (MD06, MS02, MD01, SL01, AC06): the debtor stopped the collection. Treat
  it as a dispute / revoked mandate: never re-collect automatically, ask why, switch to an invoice.
* ``deceased`` (MD07): stop all collection; estate process; condolence-style contact.
* ``data_error`` (AC04, AG01, MD02, ...): fix our data, ask for a new IBAN; no fees for the debtor.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from typing import Final

import attrs

from maatwerk.core._convert import to_member
from maatwerk.core.events import PaymentReturned, ReturnReasonGroup
from maatwerk.core.events._vocabulary import to_return_reason_group
from maatwerk.core.money import Money


__all__ = [
    "MAX_RE_PRESENTATIONS",
    "MatchStatus",
    "Reaction",
    "ReasonTable",
    "ReturnMatch",
    "ReturnReaction",
    "ReturnReasonGroup",
    "ReturnStage",
    "ReturnedCollection",
    "SentCollection",
    "match_returns",
    "reaction_for",
    "returned_event",
]

#: Hard cap on re-presenting a collection that came back "could not pay" (one, ever), whatever a
#: policy file says: a second automatic attempt only adds bank fees and stress.
MAX_RE_PRESENTATIONS: Final = 1


class ReturnStage(enum.Enum):
    """When the bank stopped the collection."""

    REJECTED = "rejected"
    """before settlement (pain.002 ``RJCT``): no money moved"""
    RETURNED = "returned"
    """after settlement (camt.053/054, MT940): return, refund or reversal"""


def _frozen_codes(value: Mapping[str, ReturnReasonGroup]) -> Mapping[str, ReturnReasonGroup]:
    return dict(value)


# ---------------------------------------------------------------------- enum converters
# A value string becomes the member, anything else a ValueError (see maatwerk.core._convert).
def to_return_stage(value: ReturnStage | str) -> ReturnStage:
    return value if type(value) is ReturnStage else to_member(ReturnStage, value)


@attrs.frozen(kw_only=True)
class ReasonTable:
    """Reason code -> policy group, with a group for codes the table does not list."""

    groups: Mapping[str, ReturnReasonGroup] = attrs.field(converter=_frozen_codes, hash=False)
    unknown: ReturnReasonGroup = attrs.field(
        default=ReturnReasonGroup.REFUSED_OR_DISPUTED, converter=to_return_reason_group
    )
    descriptions: Mapping[str, str] = attrs.field(factory=dict, hash=False)

    def knows(self, code: str | None) -> bool:
        return code is not None and code.strip().upper() in self.groups

    def classify(self, code: str | None) -> ReturnReasonGroup:
        """The group of ``code``; :attr:`unknown` for a missing or unlisted code."""
        if code is None:
            return self.unknown
        return self.groups.get(code.strip().upper(), self.unknown)

    def describe(self, code: str | None) -> str:
        if code is None:
            return "no reason code given"
        return self.descriptions.get(code.strip().upper(), "unknown reason code")


@attrs.frozen(kw_only=True)
class ReturnedCollection:
    """One collection the bank rejected or returned, as read from a bank file.

    ``end_to_end_id`` and ``mandate_id`` are those of the original collection. ``amount`` is the
    returned amount (positive). ``booking_date`` is the booking date on the statement; ``None`` for
    a pre-settlement reject (pain.002), where nothing was booked. ``bank_text`` is the bank's free
    text (may contain personal data: never log it).
    """

    end_to_end_id: str | None
    mandate_id: str | None
    amount: Money
    reason: str | None
    group: ReturnReasonGroup = attrs.field(converter=to_return_reason_group)
    booking_date: dt.date | None
    stage: ReturnStage = attrs.field(default=ReturnStage.RETURNED, converter=to_return_stage)
    known_reason: bool = True
    creditor_id: str | None = None
    bank_text: str | None = None


@attrs.frozen(kw_only=True)
class SentCollection:
    """A collection we sent (in a pain.008), as the store knows it."""

    collection_id: str
    debtor_id: str
    end_to_end_id: str
    mandate_id: str
    amount: Money
    collection_date: dt.date
    debt_id: str | None = None


class MatchStatus(enum.Enum):
    """How a returned collection relates to what we sent."""

    MATCHED = "matched"
    """EndToEndId (and mandate id, when the bank gave one) and amount agree"""
    AMOUNT_MISMATCH = "amount-mismatch"
    """the ids agree but the amount does not: needs a person (SEPA returns the full amount)"""
    MANDATE_MISMATCH = "mandate-mismatch"
    """the EndToEndId is ours but the mandate id differs: needs a person"""
    UNKNOWN = "unknown"
    """no collection with this EndToEndId"""
    NO_REFERENCE = "no-reference"
    """the bank gave no EndToEndId; we do not guess"""
    DUPLICATE = "duplicate"
    """the same collection already appeared earlier in the input"""


@attrs.frozen(kw_only=True)
class ReturnMatch:
    """A returned collection and the collection it belongs to (``None`` when not matched)."""

    returned: ReturnedCollection
    status: MatchStatus
    collection: SentCollection | None = None

    @property
    def matched(self) -> bool:
        return self.status is MatchStatus.MATCHED


def match_returns(
    returns: Iterable[ReturnedCollection], collections: Iterable[SentCollection]
) -> tuple[ReturnMatch, ...]:
    """Match returns to sent collections on EndToEndId + mandate id, then check the amount.

    One result per return, in input order. Only :attr:`MatchStatus.MATCHED` results should lead to
    an event; every other status names why a person has to look. The mandate id is compared when
    the bank reported one; the EndToEndId is required (no fuzzy matching on amounts or names).
    A collection that comes back twice in the same input is matched once, then ``DUPLICATE``.
    """
    by_e2e: dict[str, SentCollection] = {}
    for collection in collections:
        by_e2e.setdefault(collection.end_to_end_id.strip(), collection)
    seen: set[str] = set()
    results: list[ReturnMatch] = []
    for item in returns:
        e2e = (item.end_to_end_id or "").strip()
        if not e2e or e2e.upper() == "NOTPROVIDED":
            results.append(ReturnMatch(returned=item, status=MatchStatus.NO_REFERENCE))
            continue
        sent = by_e2e.get(e2e)
        if sent is None:
            results.append(ReturnMatch(returned=item, status=MatchStatus.UNKNOWN))
            continue
        if item.mandate_id and item.mandate_id.strip() != sent.mandate_id.strip():
            status = MatchStatus.MANDATE_MISMATCH
        elif item.amount != sent.amount:
            status = MatchStatus.AMOUNT_MISMATCH
        elif sent.collection_id in seen:
            status = MatchStatus.DUPLICATE
        else:
            status = MatchStatus.MATCHED
            seen.add(sent.collection_id)
        results.append(ReturnMatch(returned=item, status=status, collection=sent))
    return tuple(results)


class ReturnReaction(enum.Enum):
    """What the policy does after a return, per group."""

    CONTACT_AND_OFFER_ARRANGEMENT = "contact-and-offer-arrangement"
    DISPUTE = "dispute"
    STOP = "stop"
    FIX_DATA = "fix-data"


@attrs.frozen(kw_only=True)
class Reaction:
    """The reaction to one return, with whether one re-presentation is still allowed and why."""

    reaction: ReturnReaction
    may_re_present: bool
    explanation: str


def reaction_for(
    group: ReturnReasonGroup,
    *,
    re_presentations_done: int,
    re_presentation_limit: int = MAX_RE_PRESENTATIONS,
) -> Reaction:
    """The policy reaction to a return of ``group``.

    Only ``could_not_pay`` may be re-presented, at most ``min(re_presentation_limit, 1)`` times in
    total; every other group is never re-collected automatically.
    """
    if re_presentations_done < 0 or re_presentation_limit < 0:
        raise ValueError("re-presentation counts must not be negative")
    if group is ReturnReasonGroup.COULD_NOT_PAY:
        limit = min(re_presentation_limit, MAX_RE_PRESENTATIONS)
        may = re_presentations_done < limit
        if may:
            why = (
                "could not pay: contact the debtor and offer an arrangement; "
                "one re-presentation allowed, aligned to payday"
            )
        else:
            why = (
                "could not pay: contact the debtor and offer an arrangement; "
                f"no automatic retry ({re_presentations_done} of {limit} re-presentation(s) used)"
            )
        return Reaction(
            reaction=ReturnReaction.CONTACT_AND_OFFER_ARRANGEMENT,
            may_re_present=may,
            explanation=why,
        )
    if group is ReturnReasonGroup.REFUSED_OR_DISPUTED:
        return Reaction(
            reaction=ReturnReaction.DISPUTE,
            may_re_present=False,
            explanation="refused or disputed: treat as a dispute, ask why, no new collection",
        )
    if group is ReturnReasonGroup.DECEASED:
        return Reaction(
            reaction=ReturnReaction.STOP,
            may_re_present=False,
            explanation="debtor deceased: stop all collection, estate process",
        )
    return Reaction(
        reaction=ReturnReaction.FIX_DATA,
        may_re_present=False,
        explanation="data error: fix the data or ask for a new IBAN; no fees for the debtor",
    )


def returned_event(match: ReturnMatch, *, occurred_on: dt.date) -> PaymentReturned:
    """The :class:`PaymentReturned` event for a matched return (``ValueError`` when not matched)."""
    if not match.matched or match.collection is None:
        raise ValueError(f"only a matched return becomes an event, not {match.status.value}")
    sent = match.collection
    return PaymentReturned(
        occurred_on=occurred_on,
        debtor_id=sent.debtor_id,
        debt_id=sent.debt_id,
        reason_code=match.returned.reason or "",
        group=match.returned.group,
        amount=match.returned.amount,
        collection_date=sent.collection_date,
    )
