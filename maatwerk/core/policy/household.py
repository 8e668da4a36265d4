"""Can't pay or won't pay, and debt help: what the policy reads about the household.

The services put the household's figures on the case file (:class:`~maatwerk.core.policy.
casefile.HouseholdCapacity`: net income, protected income, room); this module turns them and the
events into the answers the guards, conditions and explanations need:

* :func:`pay_status`: the household **cannot pay** when its net income is at or below its
  protected income (room nil, Rv 475da: a garnishment below it yields only costs), whatever it
  said; it **can pay** when the figures show room; when the figures are unknown and the debtor
  said "I cannot pay", that is **unconfirmed** (a person checks the figures; no bailiff); a
  standing problematic-debt flag (no plan fits within what the household can spare: capacity
  nil) also bars the bailiff (:func:`cannot_pay_reason`) until a person clears it;
* :func:`no_room_reason`: no plan sized to the room is offered when there is no room;
* :func:`bvv_needs_person_reason`: the protected income could not be computed (an
  owner-occupier or a tenant without huurtoeslag asked for the Rv 475da lid 7 increase, which
  the engine cannot compute): a person sets it before any step that rests on it;
* :func:`needs_help`: the ``cannot_pay = true`` condition of a step (a referral offer): cannot
  pay by the figures, said so, or recorded as problematic debt;
* :func:`debt_help_state`: debt help running, a referral waiting for the municipality's answer
  (the policy's ``debt_help_response_days``), or resumed after a negative answer, the end of debt
  help or a term without an answer (then a personal contact attempt comes first);
* :func:`costs_waived` and :func:`flag_due`: no collection costs for a household that cannot
  pay when the policy says so, and the problematic-debt flag the run records once.

Every answer that a person reads comes with a :class:`~maatwerk.core.policy.reasons.Reason`
(plain Dutch, B1, and English) naming the amounts and dates.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, Final

import attrs

from maatwerk.core.debtors import Housing
from maatwerk.core.events import ActionKind, DebtorFlag, DebtorFlagged, FlagCleared
from maatwerk.core.policy import text
from maatwerk.core.policy.model import Anchor, Policy
from maatwerk.core.policy.reasons import Reason


if TYPE_CHECKING:
    from maatwerk.core.policy.casefile import CaseState


__all__ = [
    "CIRCUMSTANCES",
    "COST_ACTIONS",
    "DebtHelpState",
    "HelpStatus",
    "PayStatus",
    "bvv_needs_person_reason",
    "cannot_pay_reason",
    "circumstances",
    "costs_waived",
    "debt_help_reason",
    "debt_help_state",
    "flag_due",
    "has_resume_step",
    "household_reason",
    "needs_help",
    "no_room_reason",
    "pay_status",
    "personal_contact_since",
]

_DAY: Final = dt.timedelta(days=1)

#: Steps that charge collection costs when they go out (the 14-day letter states BIK, BW 6:96
#: lid 6; the aanmaning the Awb 4:113 fee).
COST_ACTIONS: Final = frozenset({ActionKind.FOURTEEN_DAY_LETTER, ActionKind.FORMAL_DEMAND})


class PayStatus(enum.Enum):
    """Whether the household can pay, judged from its figures and what it said."""

    CAN_PAY = "can-pay"
    """the figures show room (net income above the protected income)"""
    CANNOT_PAY = "cannot-pay"
    """the figures show no room: net income at or below the protected income"""
    UNCONFIRMED = "unconfirmed"
    """the debtor said "I cannot pay" and the figures are not known"""
    UNKNOWN = "unknown"
    """no figures, and the debtor did not say they cannot pay"""


def pay_status(state: CaseState) -> PayStatus:
    """See :class:`PayStatus`; the figures decide when they are known."""
    household = state.household
    if household is not None and household.known:
        return PayStatus.CANNOT_PAY if household.no_room else PayStatus.CAN_PAY
    return PayStatus.UNCONFIRMED if state.said_cant_pay else PayStatus.UNKNOWN


def cannot_pay_reason(state: CaseState) -> Reason | None:
    """Why the household cannot pay (or why that is not yet confirmed); ``None`` otherwise."""
    status = pay_status(state)
    household = state.household
    if status is PayStatus.CANNOT_PAY and household is not None:
        net, bvv = household.net_income, household.protected_income
        if net is None or bvv is None:  # pragma: no cover - known figures (pay_status)
            return None
        said_nl = " De klant zei ook zelf dat betalen niet lukt." if state.said_cant_pay else ""
        said_en = " The debtor also said so." if state.said_cant_pay else ""
        provisional_nl = " (voorlopig bedrag)" if household.provisional else ""
        provisional_en = " (provisional)" if household.provisional else ""
        return Reason(
            code="cannot-pay",
            nl=f"De klant kan niet betalen. Het netto inkomen is {text.amount(net, 'nl')} per "
            f"maand. Dat is niet meer dan de beslagvrije voet van {text.amount(bvv, 'nl')}"
            f"{provisional_nl}. Beslag levert dan alleen kosten op.{said_nl}",
            en=f"The household cannot pay: net income {text.amount(net, 'en')} a month is at or "
            f"below the protected income {text.amount(bvv, 'en')}{provisional_en} (Rv 475da); "
            f"a garnishment would yield only costs.{said_en}",
        )
    if status is PayStatus.UNCONFIRMED:
        return Reason(
            code="cannot-pay",
            nl="De klant zegt dat betalen niet lukt. We weten het inkomen niet. "
            "Een medewerker zoekt dit eerst uit. Er gaat niets naar de deurwaarder.",
            en="The debtor says they cannot pay and the income is not known: a case manager "
            "checks the figures first; no automatic bailiff hand-over.",
        )
    if DebtorFlag.PROBLEMATIC_DEBT in state.flags:
        return Reason(
            code="cannot-pay",
            nl="De klant heeft problematische schulden: er past geen regeling binnen wat de "
            "klant kan missen. Beslag levert dan vooral kosten op. Schuldhulp gaat voor. Vindt "
            "een medewerker dat het anders is? Dan kan die de markering weghalen.",
            en="Problematic debt is recorded: no plan fits within what the household can "
            "spare (capacity nil), so a garnishment would yield mostly costs; debt help comes "
            "first. A case manager who judges otherwise clears the flag.",
        )
    return None


def bvv_needs_person_reason(state: CaseState) -> Reason | None:
    """Why the household's protected income waits for a person (``None``: it does not).

    Set when the services could not compute the BVV (``HouseholdCapacity.needs_person``): an
    owner-occupier, or a tenant without huurtoeslag, asked for the Rv 475da lid 7 increase below
    its income limit, and no person has set it (the Besluit beslagvrije voet's rule is not in
    the tables). The BVV without it (``too_low``) is too low to attach, deduct or size a plan by.
    """
    household = state.household
    if household is None or not household.needs_person:
        return None
    if state.debtor.housing is Housing.RENT_NO_HUURTOESLAG:
        why_nl, why_en = "huurt zonder huurtoeslag", "rents without huurtoeslag (Wht art. 11)"
    else:
        why_nl, why_en = "een eigen huis heeft", "owns their home"
    low = household.too_low
    low_nl = (
        ""
        if low is None
        else f" Zonder die verhoging is de beslagvrije voet {text.amount(low, 'nl')} per maand. "
        "Dat is te laag."
    )
    low_en = (
        "" if low is None else f" Without it the BVV would be {text.amount(low, 'en')}, too low."
    )
    return Reason(
        code="bvv-needs-person",
        nl=f"De beslagvrije voet kan hoger zijn, omdat de klant {why_nl}. Dat kunnen we niet "
        f"zelf uitrekenen. Een medewerker rekent het na.{low_nl}",
        en=f"The protected income may be higher: the debtor {why_en} and the Rv 475da lid 7 "
        "increase (Besluit beslagvrije voet) cannot be computed by the engine "
        f"({household.needs_person}).{low_en} A case manager sets the increase "
        "(maatwerk debtor housing --owner-increase).",
    )


#: What a checker must see about a household before approving a step (``review list``), in this
#: order: net income at or below the protected income (Rv 475da), on bijstand, in (or referred
#: to) debt help, problematic debt recorded, vulnerable.
CIRCUMSTANCES: Final = (
    "below-protected-income",
    "bijstand",
    "debt-help",
    "problematic-debt",
    "vulnerable",
)


def circumstances(state: CaseState, *, debt_help: bool) -> tuple[str, ...]:
    """The :data:`CIRCUMSTANCES` that hold for the case today; ``debt_help``: the decision
    names a debt-help status (referred, running, resumed)."""
    household = state.household
    held = {
        "below-protected-income": household is not None and household.no_room,
        "bijstand": state.debtor.on_bijstand,
        "debt-help": debt_help,
        "problematic-debt": DebtorFlag.PROBLEMATIC_DEBT in state.flags,
        "vulnerable": state.vulnerable,
    }
    return tuple(c for c in CIRCUMSTANCES if held[c])


def household_reason(state: CaseState) -> Reason | None:
    """The household line of a decision: why it cannot pay (:func:`cannot_pay_reason`), else why
    its protected income waits for a person (:func:`bvv_needs_person_reason`)."""
    return cannot_pay_reason(state) or bvv_needs_person_reason(state)


def no_room_reason(state: CaseState) -> Reason | None:
    """Why a plan sized to the household's room cannot be offered: the figures show no room
    (net income at or below the protected income); ``None`` when there is room or the figures
    are unknown (then the offer computes the room itself)."""
    household = state.household
    if household is None or not household.no_room:
        return None
    return Reason(
        code="no-room",
        nl="De klant heeft niets over boven de beslagvrije voet. Een regeling zonder bedrag "
        "heeft geen zin. We bieden hulp van de gemeente aan.",
        en="No room above the protected income: a plan sized to it would have no terms; "
        "debt help is offered instead.",
    )


def needs_help(state: CaseState) -> bool:
    """The ``cannot_pay = true`` condition: cannot pay by the figures, said so, or problematic
    debt recorded (no plan fits within income - BVV). A debtor who says they cannot pay is
    offered help even when the figures show room; the bailiff guard is stricter
    (:func:`pay_status`)."""
    return (
        pay_status(state) in (PayStatus.CANNOT_PAY, PayStatus.UNCONFIRMED)
        or state.said_cant_pay
        or DebtorFlag.PROBLEMATIC_DEBT in state.flags
    )


def costs_waived(state: CaseState, policy: Policy) -> Reason | None:
    """No collection costs for a household that cannot pay (by its figures, or problematic
    debt recorded: capacity nil), when the policy says so (``costs_when_cannot_pay = false``,
    the humane policy)."""
    if policy.settings.costs_when_cannot_pay:
        return None
    if pay_status(state) is not PayStatus.CANNOT_PAY:
        if DebtorFlag.PROBLEMATIC_DEBT not in state.flags:
            return None
        return Reason(
            code="no-costs",
            nl="We rekenen geen incassokosten: er past geen regeling binnen wat de klant kan "
            "missen (problematische schulden).",
            en="No collection costs: problematic debt is recorded, no plan fits within what "
            "the household can spare (policy setting costs_when_cannot_pay = false).",
        )
    return Reason(
        code="no-costs",
        nl="We rekenen geen incassokosten: de klant kan niet betalen.",
        en="No collection costs: the household cannot pay (policy setting "
        "costs_when_cannot_pay = false).",
    )


def flag_due(state: CaseState) -> bool:
    """Whether the run should record the problematic-debt flag today: the household cannot pay
    and the flag was never recorded nor cleared for this debtor (so it is recorded once; a
    person who cleared it is not overruled)."""
    if pay_status(state) is not PayStatus.CANNOT_PAY:
        return False
    return not any(
        isinstance(e, (DebtorFlagged, FlagCleared)) and e.flag is DebtorFlag.PROBLEMATIC_DEBT
        for e in state.events
    )


# ---------------------------------------------------------------------------------- debt help
class HelpStatus(enum.Enum):
    NONE = "none"
    REFERRED = "referred"
    """a referral went out (with consent); waiting for the municipality's answer"""
    ACTIVE = "active"
    """debt help, a stabilisation agreement, a settlement or WSNP runs"""
    RESUMED = "resumed"
    """the pause ended: a negative answer, debt help ended, or no answer within the term"""


@attrs.frozen(kw_only=True)
class DebtHelpState:
    status: HelpStatus
    since: dt.date | None = None
    """referred on / started on / resumed on"""
    until: dt.date | None = None
    """REFERRED: the last day of the municipality's response term"""
    why: str = ""
    """RESUMED: the answer (``no-contact``, ``refused``), ``ended`` or ``no-answer``"""


def debt_help_state(state: CaseState, response_days: int) -> DebtHelpState:
    """Debt help as it stands on ``state.today`` (see :class:`HelpStatus`).

    A referral pauses the case from the day it was taken up to and including ``response_days``
    later, unless the municipality answered before: accepted, in debt help or stabilisation
    (recorded with a ``DebtHelpStarted``) hold it; no-contact or refused end the pause that day.
    """
    if state.debt_help:
        return DebtHelpState(
            status=HelpStatus.ACTIVE, since=min(h.occurred_on for h in state.debt_help)
        )
    referred = state.referred_on
    if referred is None and not state.answers and not state.debt_help_ended:
        return DebtHelpState(status=HelpStatus.NONE)
    ends = [(a.occurred_on, a.outcome.value) for a in state.answers if not a.outcome.holds]
    ends.extend((e.occurred_on, "ended") for e in state.debt_help_ended)
    last_end = max(ends, default=None)
    if referred is not None and (last_end is None or last_end[0] < referred):
        term_end = referred + dt.timedelta(days=response_days)
        if state.today <= term_end:
            return DebtHelpState(status=HelpStatus.REFERRED, since=referred, until=term_end)
        return DebtHelpState(status=HelpStatus.RESUMED, since=term_end + _DAY, why="no-answer")
    if last_end is not None:
        return DebtHelpState(status=HelpStatus.RESUMED, since=last_end[0], why=last_end[1])
    return DebtHelpState(status=HelpStatus.NONE)


_WHY: Final = {
    "no-contact": (
        "de gemeente kreeg geen contact met de klant",
        "the municipality got no contact",
    ),
    "refused": ("de klant of de gemeente zag af van schuldhulp", "debt help was declined"),
    "ended": ("de schuldhulp is gestopt", "debt help ended"),
    "no-answer": ("de gemeente gaf geen antwoord op tijd", "no answer within the response term"),
}


def debt_help_reason(state: CaseState, policy: Policy) -> Reason | None:
    """The debt-help status in plain words (explanations, dossiers); ``None``: none."""
    found = debt_help_state(state, policy.settings.debt_help_response_days)
    if found.since is None:
        return None
    nl_since, en_since = text.date(found.since, "nl"), text.date(found.since, "en")
    if found.status is HelpStatus.ACTIVE:
        kinds = ", ".join(sorted(h.help_kind.value for h in state.debt_help))
        return Reason(
            code="debt-help",
            nl=f"De klant krijgt schuldhulp sinds {nl_since}. We doen niets tot die stopt.",
            en=f"Debt help ({kinds}) since {en_since}; collection is paused while it runs.",
        )
    if found.status is HelpStatus.REFERRED:
        assert found.until is not None  # noqa: S101 - set for a referral
        return Reason(
            code="debt-help-referred",
            nl=f"De klant is op {nl_since} doorverwezen naar schuldhulp van de gemeente. "
            f"We wachten op hun antwoord, tot en met {text.date(found.until, 'nl')}.",
            en=f"Referred to municipal debt help on {en_since}; waiting for the answer until "
            f"{text.date(found.until, 'en')} inclusive.",
        )
    why_nl, why_en = _WHY.get(found.why, (found.why, found.why))
    return Reason(
        code="debt-help-resumed",
        nl=f"Sinds {nl_since} gaan we weer verder: {why_nl}. Eerst bellen we de klant.",
        en=f"Collection resumed on {en_since} ({why_en}); a personal contact attempt comes first.",
    )


def personal_contact_since(state: CaseState, day: dt.date) -> bool:
    """A personal contact attempt (a call or visit recorded, or a phone-call step) on or after
    ``day``."""
    if any(c.channel.is_personal and c.occurred_on >= day for c in state.contacts):
        return True
    return any(
        s.action is ActionKind.PHONE_CALL and s.occurred_on >= day for s in state.steps_taken
    )


def has_resume_step(policy: Policy) -> bool:
    """Whether the policy has a step anchored on ``debt-help-resumed`` (then it comes first)."""
    return any(s.timing.anchor is Anchor.DEBT_HELP_RESUMED for s in policy.steps)
