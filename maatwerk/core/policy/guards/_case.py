"""The built-in guards about the case as a whole: deceased, time-barred, holds, disputes,
rejected reviews, debt help, a running plan, a promise to pay, vulnerability, consent, what
must come before an early signal, and a step whose action was refused at delivery."""

from __future__ import annotations

import datetime as dt

from maatwerk.core.events import (
    ActionKind,
    ConsentScope,
)
from maatwerk.core.policy import text
from maatwerk.core.policy.guards._api import (
    _ALL_BUT_CLOSE,
    _DAY,
    CONSENT_FOR,
    DECEASED_REASON,
    HARD_ACTIONS,
    TIME_BARRED_ACTIONS,
    WRITTEN_REMINDERS,
    GuardContext,
    _builtin,
    _d,
    _verdict,
    time_barred_reason,
)
from maatwerk.core.policy.household import (
    HelpStatus,
    debt_help_state,
    has_resume_step,
    personal_contact_since,
)
from maatwerk.core.policy.model import PLAN_ANCHORS, Anchor
from maatwerk.core.policy.reasons import Verdict


@_builtin(
    "deceased",
    mandatory=True,
    nl="klant overleden: alles stopt",
    en="debtor deceased: everything stops",
)
def deceased(ctx: GuardContext) -> Verdict | None:
    if not ctx.state.deceased:
        return None
    return Verdict(reason=DECEASED_REASON)


@_builtin(
    "time-barred",
    applies_to=TIME_BARRED_ACTIONS,
    mandatory=True,
    nl="vordering verjaard: geen stap, rente of kosten",
    en="claim time-barred: no step, interest or costs",
)
def time_barred(ctx: GuardContext) -> Verdict | None:
    """A time-barred debt gets no step but a write-off or closing (BW 3:307-3:311).

    The ladder already leaves such debts out (:attr:`CaseState.collectable_debts`); this guard
    makes sure no step a plugin or a policy adds for the debt can demand it either.
    """
    result = ctx.state.time_barred.get(ctx.debt.debt_id)
    if result is None:
        return None
    return Verdict(reason=time_barred_reason(ctx.debt.debt_id, result))


@_builtin(
    "hold",
    mandatory=True,
    nl="pauze op schuld, dossier of hele run",
    en="time-boxed hold on a debt, the case or the whole run",
)
def hold(ctx: GuardContext) -> Verdict | None:
    for active in ctx.state.holds:
        if active.scope.value == "debt" and active.debt_id != ctx.debt.debt_id:
            continue
        if active.end is None:
            return _verdict(
                "hold",
                f"Het dossier staat op pauze sinds {text.date(active.start, 'nl')} "
                f"(reden: {active.reason}).",
                f"On hold since {active.start.isoformat()} (reason: {active.reason}).",
            )
        nl, en = _d(active.end)
        return _verdict(
            "hold",
            f"Het dossier staat op pauze tot en met {nl} (reden: {active.reason}).",
            f"On hold until {en} inclusive (reason: {active.reason}).",
            until=active.end + _DAY,
        )
    return None


@_builtin(
    "dispute", applies_to=_ALL_BUT_CLOSE, mandatory=True, nl="vordering betwist", en="open dispute"
)
def dispute(ctx: GuardContext) -> Verdict | None:
    for opened in ctx.state.open_disputes:
        if opened.debt_id in (None, ctx.debt.debt_id):
            nl, en = _d(opened.occurred_on)
            return _verdict(
                "dispute",
                f"De klant is het niet eens met de vordering (sinds {nl}). "
                "We wachten tot dat is opgelost.",
                f"The debt is disputed since {en}; waiting until the dispute is resolved.",
            )
    return None


@_builtin(
    "review-rejected",
    mandatory=True,
    nl="stap afgewezen bij controle",
    en="step rejected in review",
)
def review_rejected(ctx: GuardContext) -> Verdict | None:
    for rejected in ctx.state.rejections:
        if rejected.step_id == ctx.step.id and (
            not rejected.debt_ids or ctx.debt.debt_id in rejected.debt_ids
        ):
            nl, en = _d(rejected.occurred_on)
            return _verdict(
                "review-rejected",
                f"Een medewerker heeft deze stap op {nl} afgewezen.",
                f"A reviewer rejected this step on {en}.",
            )
    return None


@_builtin(
    "debt-help",
    applies_to=_ALL_BUT_CLOSE,
    mandatory=True,
    nl="schuldhulp, stabilisatieovereenkomst of doorverwijzing loopt",
    en="debt help, a stabilisation agreement or a referral in progress",
)
def debt_help(ctx: GuardContext) -> Verdict | None:
    """Debt help stops escalation; a referral pauses it while the municipality answers.

    Debt help running (a ``DebtHelpStarted`` not ended): blocked. A referral taken (with
    consent): postponed to the day after the policy's ``debt_help_response_days``, unless the
    municipality answered before. Once the case resumes (a negative answer, debt help ended, or
    no answer in time) and the policy has a step anchored on ``debt-help-resumed``, that step
    (a personal contact attempt) comes first: every other step waits for a call or visit.
    """
    state = ctx.state
    found = debt_help_state(state, ctx.policy.settings.debt_help_response_days)
    if found.status is HelpStatus.NONE or found.since is None:
        return None
    if found.status is HelpStatus.ACTIVE:
        started = min(state.debt_help, key=lambda h: h.occurred_on)
        nl, en = _d(started.occurred_on)
        return _verdict(
            "debt-help",
            f"De klant krijgt schuldhulp of heeft een stabilisatieovereenkomst (sinds {nl}). "
            "Zolang dat loopt, doen we niets.",
            f"Debt help or a stabilisation agreement is in place since {en} "
            f"({started.help_kind.value}).",
        )
    if found.status is HelpStatus.REFERRED:
        assert found.until is not None  # noqa: S101 - set for a referral
        since_nl, since_en = _d(found.since)
        nl, en = _d(found.until)
        return _verdict(
            "debt-help",
            f"De klant is op {since_nl} doorverwezen naar schuldhulp van de gemeente. "
            f"We wachten op hun antwoord, tot en met {nl}.",
            f"Referred to municipal debt help on {since_en}; waiting for the answer until "
            f"{en} inclusive.",
            until=found.until + _DAY,
        )
    step = ctx.step
    if (
        step.timing.anchor is Anchor.DEBT_HELP_RESUMED
        or step.action is ActionKind.PHONE_CALL
        or not has_resume_step(ctx.policy)
        or personal_contact_since(state, found.since)
    ):
        return None
    nl, en = _d(found.since)
    return _verdict(
        "debt-help",
        f"Sinds {nl} gaan we weer verder na de schuldhulp. Eerst proberen we de klant "
        "persoonlijk te spreken.",
        f"Collection resumed on {en} after debt help; a personal contact attempt comes first.",
    )


@_builtin(
    "arrangement-kept",
    applies_to=_ALL_BUT_CLOSE,
    nl="betalingsregeling loopt en wordt nagekomen",
    en="active arrangement being kept",
)
def arrangement_kept(ctx: GuardContext) -> Verdict | None:
    """A running plan blocks escalation; a plan in grace postpones it to the end of the grace.

    "Kept" is judged from the schedule and the payments (``arrangement_status``) when the plan's
    schedule is known; a plan past its grace is breached and no longer blocks (the case returns
    to the ladder, anchored at the breach date). A step anchored at ``instalment-missed`` (the
    missed-instalment reminder) or ``arrangement-accepted`` (the deduction-at-source instruction)
    carries out the plan, so this guard lets it through.
    """
    if ctx.step.timing.anchor in PLAN_ANCHORS:
        return None
    for plan in ctx.state.arrangements:
        if not plan.covers(ctx.debt.debt_id):
            continue
        if plan.in_grace and plan.missed_since is not None and plan.status is not None:
            since_nl, since_en = _d(plan.missed_since)
            until = plan.status.grace_until
            if until is None:
                return _verdict(
                    "arrangement-kept",
                    f"Er is een termijn van de betalingsregeling niet betaald "
                    f"(te laat sinds {since_nl}). De klant kan dit nog inhalen.",
                    f"An instalment is late since {since_en}; the plan is in grace "
                    "and can still be caught up.",
                )
            nl, en = _d(until)
            return _verdict(
                "arrangement-kept",
                f"Er is een termijn van de betalingsregeling niet betaald "
                f"(te laat sinds {since_nl}). De klant kan dit inhalen tot en met {nl}.",
                f"An instalment is late since {since_en}; the plan is in grace "
                f"until {en} inclusive.",
                until=until + _DAY,
            )
        nl, en = _d(plan.accepted_on)
        return _verdict(
            "arrangement-kept",
            f"Er loopt een betalingsregeling sinds {nl} en de klant houdt zich eraan.",
            f"An arrangement is active since {en} and is being kept.",
        )
    return None


@_builtin(
    "promise", applies_to=_ALL_BUT_CLOSE, nl="betalingsbelofte loopt", en="promise to pay pending"
)
def promise(ctx: GuardContext) -> Verdict | None:
    """Escalation waits for a promise to pay until its day plus the policy's grace.

    Judged from the payments (``CaseState.judged_promises``): a kept promise no longer holds
    anything; a broken one (not, or only partly, paid by its last day) returns the case to the
    ladder, where a step may react to it (anchor ``promise-broken``).
    """
    grace = ctx.policy.settings.promise_grace_days
    pending = ctx.state.open_promise(grace, ctx.debt.debt_id)
    if pending is None:
        return None
    made = pending.promise
    last_day = pending.state.last_day or made.promised_for
    nl, en = _d(made.promised_for)
    amount_nl, amount_en = text.amount(made.amount, "nl"), text.amount(made.amount, "en")
    if last_day == made.promised_for:
        wait_nl, wait_en = "We wachten dat af.", "waiting for it."
    else:
        last_nl, last_en = _d(last_day)
        wait_nl = f"We wachten tot en met {last_nl}."
        wait_en = f"waiting until {last_en} inclusive ({grace} days' grace)."
    return _verdict(
        "promise",
        f"De klant heeft beloofd uiterlijk {nl} {amount_nl} te betalen. {wait_nl}",
        f"The debtor promised to pay {amount_en} by {en}; {wait_en}",
        until=last_day + _DAY,
    )


@_builtin(
    "vulnerable",
    applies_to=HARD_ACTIONS,
    nl="kwetsbare klant: geen harde stap zonder medewerker",
    en="vulnerable debtor: no hard step without a case manager",
)
def vulnerable(ctx: GuardContext) -> Verdict | None:
    if not ctx.state.vulnerable:
        return None
    return _verdict(
        "vulnerable",
        "De klant is kwetsbaar. Een medewerker kijkt eerst mee; deze stap gaat niet vanzelf.",
        "The debtor is flagged vulnerable; a case manager decides, not the engine.",
    )


@_builtin(
    "consent",
    applies_to=frozenset({ActionKind.DEBT_HELP_REFERRAL, ActionKind.EARLY_SIGNAL}),
    mandatory=True,
    nl="geen toestemming voor doorverwijzing of vroegsignaal",
    en="no consent for a referral or early signal",
)
def consent(ctx: GuardContext) -> Verdict | None:
    needed = CONSENT_FOR.get(ctx.step.action, frozenset({ConsentScope.MUNICIPAL_REFERRAL}))
    if ctx.state.consents & needed:
        return None
    return _verdict(
        "consent",
        "De klant heeft geen toestemming gegeven om gegevens te delen. "
        "Vraag dat eerst in een gesprek.",
        "No consent recorded for sharing the debtor's data "
        f"({', '.join(sorted(s.value for s in needed))}).",
    )


@_builtin(
    "early-signal-steps",
    applies_to=frozenset({ActionKind.EARLY_SIGNAL}),
    mandatory=True,
    nl="vroegsignaal zonder eerst persoonlijk contact en een schriftelijke herinnering",
    en="early signal without a personal contact attempt and a written reminder first",
)
def early_signal_steps(ctx: GuardContext) -> Verdict | None:
    """No early signal to the municipality before a personal contact attempt (a call or a
    visit) and a written reminder (a step of :data:`WRITTEN_REMINDERS` taken, that is not
    refused) (Besluit gemeentelijke schuldhulpverlening art. 2). The run checks the same at
    delivery (:func:`maatwerk.core.preconditions.municipal_refusal`); this guard keeps the step
    from being decided at all until both hold, so it is not refused on every run."""
    contacted = any(c.channel.is_personal for c in ctx.state.contacts)
    reminded = any(s.action in WRITTEN_REMINDERS for s in ctx.state.steps_taken)
    if contacted and reminded:
        return None
    if not contacted and not reminded:
        nl = "Er is nog niet geprobeerd de klant persoonlijk te spreken en er ging nog geen brief."
        en = "No personal contact attempt (call or visit) and no written reminder yet."
    elif not contacted:
        nl = "Er is nog niet geprobeerd de klant persoonlijk te spreken (bellen of langsgaan)."
        en = "No personal contact attempt (call or visit) yet."
    else:
        nl = "De klant kreeg nog geen schriftelijke herinnering."
        en = "No written reminder yet."
    return _verdict(
        "early-signal-steps",
        f"{nl} Dat moet eerst, voor een vroegsignaal naar de gemeente.",
        f"{en} Both must come before an early signal (Besluit gemeentelijke "
        "schuldhulpverlening art. 2).",
    )


@_builtin(
    "refused-retry",
    nl="stap geweigerd bij het versturen: we wachten even",
    en="step refused at delivery: waiting before it is decided again",
)
def refused_retry(ctx: GuardContext) -> Verdict | None:
    """A step whose action was refused on its delivery day (``StepRefused``: the law no longer
    allowed it then, or its channel refused it) did not happen, so the policy may decide it
    again; it waits the policy's ``refused_retry_days`` from the refusal first, so a refusal no
    guard foresees is not decided and refused again on every run."""
    days = ctx.policy.settings.refused_retry_days
    if days <= 0:
        return None
    debt_id = ctx.debt.debt_id
    refusals = [
        r
        for r in ctx.state.refusals
        if r.step_id == ctx.step.id and (not r.debt_ids or debt_id in r.debt_ids)
    ]
    if not refusals:
        return None
    refused = refusals[-1]
    again = refused.occurred_on + dt.timedelta(days=days)
    if ctx.today >= again:
        return None
    on_nl, on_en = _d(refused.occurred_on)
    again_nl, again_en = _d(again)
    return _verdict(
        "refused-retry",
        f"Deze stap is op {on_nl} niet verstuurd: hij werd geweigerd. "
        f"We proberen het opnieuw vanaf {again_nl}.",
        f"Refused on {on_en}: {refused.reason or 'no reason given'}; tried again from {again_en}.",
        until=again,
    )
