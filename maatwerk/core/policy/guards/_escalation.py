"""The built-in guards before a hard step: the 14-day letter's or aanmaning's term, a personal
contact attempt, the day a call may be made, the amicable track, the bailiff threshold, a
household that cannot pay or whose protected income needs a person, and problematic debt."""

from __future__ import annotations

import datetime as dt
from typing import Final

from maatwerk.core.calendar import (
    legal_deadline,
)
from maatwerk.core.debts import ClaimKind
from maatwerk.core.events import (
    ActionKind,
    ContactOutcome,
    DebtorFlag,
)
from maatwerk.core.policy import text
from maatwerk.core.policy.guards._api import (
    _BAILIFF,
    _DAY,
    GuardContext,
    _builtin,
    _d,
    _verdict,
)
from maatwerk.core.policy.household import (
    COST_ACTIONS,
    bvv_needs_person_reason,
    cannot_pay_reason,
)
from maatwerk.core.policy.reasons import Reason, Verdict


def _letter_term(ctx: GuardContext) -> Verdict | None:
    letters = [
        lt
        for lt in ctx.state.letters
        if not lt.debt_ids or ctx.debt.debt_id in lt.debt_ids or lt.debt_id == ctx.debt.debt_id
    ]
    if not letters:
        return _verdict(
            "fourteen-day-letter",
            "Er is nog geen veertiendagenbrief gestuurd. Zonder die brief mag dit niet.",
            "No 14-day letter (BW 6:96 lid 6) has been sent yet.",
        )
    received = letters[-1].received_on
    term = ctx.tables.fourteen_day_term
    return _term_running(ctx, received, term, "de veertiendagenbrief", "14-day letter's")


def _aanmaning_term(ctx: GuardContext) -> Verdict | None:
    # only a delivered aanmaning counts (FormalDemandSent), never a step that was refused
    sent = [
        s
        for s in ctx.state.demands
        if ctx.debt.debt_id in (s.debt_ids or ((s.debt_id,) if s.debt_id else ()))
    ]
    if not sent:
        return _verdict(
            "fourteen-day-letter",
            "Er is nog geen aanmaning gestuurd (Awb 4:112). Zonder aanmaning mag dit niet.",
            "No formal demand (aanmaning, Awb 4:112) has been sent yet.",
        )
    term = ctx.tables.aanmaning_term
    return _term_running(ctx, sent[-1].sent_on, term, "de aanmaning", "formal demand's")


def _term_running(
    ctx: GuardContext, start: dt.date, term: int, nl_letter: str, en_letter: str
) -> Verdict | None:
    """Postponed while the statutory ``term`` from ``start`` runs (extended on the Atw calendar)."""
    last_day = legal_deadline(start, term, ctx.tables.calendars.get(ctx.tables.atw))
    if ctx.today > last_day:
        return None
    nl, en = _d(last_day)
    return _verdict(
        "fourteen-day-letter",
        f"De termijn van {nl_letter} loopt nog tot en met {nl}.",
        f"The {en_letter} term runs until {en} inclusive.",
        until=last_day + _DAY,
    )


@_builtin(
    "fourteen-day-letter",
    applies_to=_BAILIFF,
    with_costs=True,
    mandatory=True,
    nl="veertiendagenbrief of aanmaning nog niet verlopen",
    en="14-day letter or aanmaning not yet expired",
)
def fourteen_day_letter(ctx: GuardContext) -> Verdict | None:
    """Costs or a bailiff only after the 14-day letter (private, consumer) or aanmaning (public)."""
    if ctx.debt.kind is ClaimKind.PUBLIC:
        if ctx.step.action is ActionKind.BAILIFF_HANDOVER:
            return _aanmaning_term(ctx)
        return None
    if not ctx.debt.consumer:
        return None
    return _letter_term(ctx)


@_builtin(
    "personal-contact",
    applies_to=_BAILIFF,
    nl="nog geen poging tot persoonlijk contact",
    en="no personal contact attempt yet",
)
def personal_contact(ctx: GuardContext) -> Verdict | None:
    if any(c.channel.is_personal for c in ctx.state.contacts):
        return None
    return _verdict(
        "personal-contact",
        "Er is nog niet geprobeerd de klant persoonlijk te spreken (bellen of langsgaan). "
        "Dat moet eerst.",
        "No personal contact attempt (call or visit) yet; one must come first.",
    )


_CALL: Final = frozenset({ActionKind.PHONE_CALL})


@_builtin(
    "call-day",
    applies_to=_CALL,
    mandatory=True,
    nl="geen werkdag, of klant vandaag al gesproken",
    en="not a working day, or the debtor was reached today",
)
def call_day(ctx: GuardContext) -> Verdict | None:
    """No call on a weekend day or public holiday (the ``atw`` calendar: Algemene termijnenwet
    art. 3, with the decreed bridge days), and none to someone already spoken to today (a call
    or visit recorded today that reached them: any outcome but ``no-answer``). The call moves
    to the next working day. Mandatory: a plugin's phone channel cannot drop it.
    """
    today = ctx.today
    days = ctx.tables.calendars.get(ctx.tables.atw)
    if days.covers(today):
        working = days.next_business_day(today)
    else:  # beyond the holiday table: weekends at least
        working = today + dt.timedelta(
            days=max(0, 7 - today.weekday()) if today.weekday() >= 5 else 0
        )
    if working != today:
        nl, en = _d(working)
        return _verdict(
            "call-day",
            f"Vandaag is geen werkdag (weekend of feestdag). We bellen niet. "
            f"We bellen op de eerste werkdag: {nl}.",
            f"Today is not a working day (weekend or public holiday): no call. "
            f"The call moves to the next working day, {en}.",
            until=working,
        )
    reached = any(
        c.channel.is_personal
        and c.outcome is not ContactOutcome.NO_ANSWER
        and c.occurred_on == today
        for c in ctx.state.contacts
    )
    if not reached:
        return None
    nxt = days.next_business_day(today + _DAY) if days.covers(today + _DAY) else today + _DAY
    nl, en = _d(nxt)
    return _verdict(
        "call-day",
        f"We hebben de klant vandaag al gesproken. We bellen niet nog een keer op dezelfde dag. "
        f"We kijken op {nl} opnieuw.",
        f"The debtor was already reached today: no second call the same day. "
        f"Looked at again on {en}.",
        until=nxt,
    )


@_builtin(
    "amicable-track",
    applies_to=_BAILIFF,
    nl="verkort minnelijk traject nog niet doorlopen",
    en="short amicable track not yet run",
)
def amicable_track(ctx: GuardContext) -> Verdict | None:
    days = ctx.policy.settings.amicable_track_days
    last = ctx.state.last_step_for(ctx.debt.debt_id)
    if last is None:
        return _verdict(
            "amicable-track",
            "Er is nog geen minnelijk traject geweest. Eerst een brief of gesprek.",
            "No amicable track has run yet.",
        )
    ends = last.occurred_on + dt.timedelta(days=days)
    if ctx.today < ends:
        nl, en = _d(ends)
        return _verdict(
            "amicable-track",
            f"De klant krijgt eerst {days} dagen om het samen op te lossen, tot {nl}.",
            f"The {days}-day amicable track runs until {en}.",
            until=ends,
        )
    return None


@_builtin(
    "bailiff-threshold",
    applies_to=_BAILIFF,
    nl="bedrag onder de grens voor de deurwaarder",
    en="amount below the bailiff threshold",
)
def bailiff_threshold(ctx: GuardContext) -> Verdict | None:
    minimum = ctx.policy.settings.bailiff_min_amount
    owed = ctx.state.total_outstanding
    if owed >= minimum:
        return None
    return _verdict(
        "bailiff-threshold",
        f"Het openstaande bedrag ({text.amount(owed, 'nl')}) is lager dan de grens "
        f"voor de deurwaarder ({text.amount(minimum, 'nl')}).",
        f"The amount owed ({text.amount(owed, 'en')}) is below the bailiff threshold "
        f"({text.amount(minimum, 'en')}).",
    )


@_builtin(
    "cannot-pay",
    applies_to=_BAILIFF,
    mandatory=True,
    nl="klant kan niet betalen: geen deurwaarder",
    en="household cannot pay: no bailiff",
)
def cannot_pay(ctx: GuardContext) -> Verdict | None:
    """Never a bailiff for a household that cannot pay: its net income is at or below its
    protected income (a garnishment below the BVV, Rv 475da, yields only costs), it said so
    and its figures are unknown (a person checks them first), or problematic debt is recorded
    (no plan fits within what it can spare: capacity nil) and no person cleared that flag."""
    reason = cannot_pay_reason(ctx.state)
    if reason is None:
        return None
    if "deurwaarder" in reason.nl:
        return Verdict(reason=reason)
    return Verdict(
        reason=Reason(
            code=reason.code,
            nl=f"{reason.nl} Daarom gaat er niets naar de deurwaarder.",
            en=f"{reason.en} No bailiff hand-over.",
        )
    )


#: Steps that rest on the household's protected income: the hand-over (a garnishment keeps the
#: BVV), offers sized to capacity or by deduction at source, and, when the policy waives costs
#: for a household that cannot pay, the steps that charge costs.
_BVV_ACTIONS: Final = frozenset(
    {ActionKind.BAILIFF_HANDOVER, ActionKind.ARRANGEMENT_OFFER} | COST_ACTIONS
)


def _rests_on_bvv(ctx: GuardContext) -> bool:
    step = ctx.step
    if step.action is ActionKind.BAILIFF_HANDOVER or "bvv-needs-person" in step.guards:
        return True
    if step.action is ActionKind.ARRANGEMENT_OFFER and not step.charges_costs:
        return step.channel == "source-deduction" or dict(step.params).get("plan") == "capacity"
    # a cost step: the costs depend on the BVV only when the policy waives them for a
    # household that cannot pay (costs_when_cannot_pay = false)
    return not ctx.policy.settings.costs_when_cannot_pay


@_builtin(
    "bvv-needs-person",
    applies_to=_BVV_ACTIONS,
    with_costs=True,
    mandatory=True,
    nl="beslagvrije voet nog niet vastgesteld (eigen woning of huur zonder huurtoeslag)",
    en="protected income not yet set (Rv 475da lid 7 increase for a person to set)",
)
def bvv_needs_person(ctx: GuardContext) -> Verdict | None:
    """No step that rests on the protected income while it cannot be computed: an
    owner-occupier, or a tenant without huurtoeslag, asked for the Rv 475da lid 7 increase and
    no person set it (``HouseholdCapacity.needs_person``). A too-low BVV would let the bailiff,
    a deduction or a plan take what the debtor must keep. Lifted once a person sets the
    increase (the debtor's ``owner_increase``): the BVV then includes it."""
    reason = bvv_needs_person_reason(ctx.state)
    if reason is None or not _rests_on_bvv(ctx):
        return None
    return Verdict(
        reason=Reason(
            code=reason.code,
            nl=f"{reason.nl} Deze stap wacht daarop.",
            en=f"{reason.en} This step waits for it.",
        )
    )


@_builtin(
    "problematic-debt",
    applies_to=_BAILIFF,
    mandatory=True,
    nl="problematische schulden zonder doorverwijzing",
    en="problematic debt without a referral offer",
)
def problematic_debt(ctx: GuardContext) -> Verdict | None:
    state = ctx.state
    problematic = DebtorFlag.PROBLEMATIC_DEBT in state.flags or (
        len(state.file.other_arrears) >= ctx.policy.settings.problematic_other_creditors
    )
    if not problematic:
        return None
    offered = any(
        s.action in (ActionKind.DEBT_HELP_REFERRAL, ActionKind.EARLY_SIGNAL)
        for s in state.steps_taken
    )
    if offered:
        return None
    return _verdict(
        "problematic-debt",
        "De klant heeft problematische schulden en kreeg nog geen doorverwijzing naar "
        "schuldhulp. Eerst doorverwijzen, geen deurwaarder.",
        "Problematic debt and no referral to debt help offered yet: no bailiff.",
    )
