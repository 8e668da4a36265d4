"""Guards (blokkades): checks that veto or postpone a policy step for one debt.

A guard is any callable ``(GuardContext) -> Verdict | None``: ``None`` lets the step go ahead, a
:class:`Verdict` blocks it (``until is None``) or postpones it to ``until``. Each guard is
registered as a :class:`GuardSpec` with a stable ``code``, the action kinds it applies to by
default, and whether a policy may switch it off (``mandatory``). A :class:`GuardRegistry` is a
plain value: plugins add guards with :meth:`GuardRegistry.extended` (the pluggy hook of the
plugins layer returns ``GuardSpec`` records), and the registry travels to :func:`evaluate` in
:class:`PolicyTables`.

:class:`PolicyTables` lives here, with the guards, because the two refer to each other: a guard
sees the tables in its :class:`GuardContext`, and the tables carry the registry (by default
:data:`BUILTIN_GUARDS`). That is why this module runs a little over 600 lines: the guard API,
the tables and the built-in checks are one cycle of references, and one module keeps the imports
one way (``casefile`` and ``reasons`` below, ``evaluate`` above). Each built-in check is declared
once, by :func:`_builtin` right above it, in the order the guards are checked.

Every verdict carries a :class:`~maatwerk.core.policy.reasons.Reason`: the code and one plain
sentence in Dutch (B1) and English, with the dates and amounts that matter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Final, Protocol, TypeVar

import attrs

from maatwerk.core._convert import to_members
from maatwerk.core.calendar import (
    CALENDAR,
    Calendars,
    PostalDelivery,
    legal_deadline,
    plain_calendar,
)
from maatwerk.core.collection_costs import FOURTEEN_DAYS
from maatwerk.core.debts import ClaimKind, Debt
from maatwerk.core.events import (
    ActionKind,
    ConsentScope,
    ContactOutcome,
    DebtHelpKind,
    DebtorFlag,
)
from maatwerk.core.letter_dates import AANMANING_DAYS, LetterTerms, zvw_notice_last_day
from maatwerk.core.limitation import LimitationResult
from maatwerk.core.policy import text
from maatwerk.core.policy.casefile import CaseState
from maatwerk.core.policy.household import (
    COST_ACTIONS,
    HelpStatus,
    bvv_needs_person_reason,
    cannot_pay_reason,
    debt_help_state,
    has_resume_step,
    personal_contact_since,
)
from maatwerk.core.policy.model import PLAN_ANCHORS, Anchor, Policy, Step
from maatwerk.core.policy.reasons import Reason, Verdict


__all__ = [
    "BUILTIN_GUARDS",
    "CONSENT_FOR",
    "DECEASED_REASON",
    "HARD_ACTIONS",
    "TIME_BARRED_ACTIONS",
    "Guard",
    "GuardContext",
    "GuardRegistry",
    "GuardSpec",
    "PolicyTables",
    "time_barred_reason",
]

_DAY: Final = dt.timedelta(days=1)

#: Steps with legal or financial consequences for the debtor.
HARD_ACTIONS: Final = frozenset(
    {
        ActionKind.DIRECT_DEBIT_REPRESENTATION,
        ActionKind.FOURTEEN_DAY_LETTER,
        ActionKind.FORMAL_DEMAND,
        ActionKind.BAILIFF_HANDOVER,
    }
)
_ALL_BUT_CLOSE: Final = frozenset(ActionKind) - {ActionKind.CLOSE}
#: What a time-barred debt gets none of: every step but closing the case or writing it off.
TIME_BARRED_ACTIONS: Final = frozenset(ActionKind) - {ActionKind.CLOSE, ActionKind.WRITE_OFF}


def _verdict(code: str, nl: str, en: str, *, until: dt.date | None = None) -> Verdict:
    """A guard's verdict with its reason (blocking, or postponing to ``until``)."""
    return Verdict(reason=Reason(code=code, nl=nl, en=en), until=until)


DECEASED_REASON: Final = Reason(
    code="deceased",
    nl="De klant is overleden. We nemen geen stappen meer.",
    en="The debtor has died; every step stops.",
)


def time_barred_reason(debt_id: str, result: LimitationResult) -> Reason:
    """Why a time-barred debt gets no step, interest or costs (with the day it became barred)."""
    since = result.last_day + _DAY
    nl, en = _d(since)
    return Reason(
        code="time-barred",
        nl=f"Rekening {debt_id} is verjaard sinds {nl}. Daarom vragen we er niet meer om. "
        "We rekenen er geen rente en geen kosten over en sturen geen deurwaarder. "
        "De klant mag wel uit zichzelf betalen.",
        en=f"Debt {debt_id} is time-barred since {en} (limitation, {result.years} years, "
        f"last day to enforce {result.last_day.isoformat()}; BW 3:307-3:311, 3:316-3:319): "
        "no demand, no interest, no costs, no escalation or hand-over; "
        "the debtor may still pay voluntarily (a natural obligation, BW 6:3).",
    )


def _builtin_guards() -> GuardRegistry:
    """The default of :attr:`PolicyTables.guards` (:data:`BUILTIN_GUARDS`, defined below)."""
    return BUILTIN_GUARDS


def _action_kind_set(values: Iterable[ActionKind | str] | None) -> frozenset[ActionKind] | None:
    return None if values is None else frozenset(to_members(ActionKind, values))


@attrs.frozen(kw_only=True)
class PolicyTables:
    """What an evaluation needs besides the case and the policy (the ``tables`` argument).

    ``calendars``: the named calendars (``calendar``, ``sepa``, ``atw``; built by
    ``maatwerk.adapters.calendars`` from the holidays package and the bridge-day table).
    ``aanmaning_term``: Awb 4:112, days after sending the aanmaning (default
    :data:`~maatwerk.core.letter_dates.AANMANING_DAYS`). ``guards``: the guard registry
    (built-ins plus any plugin guards).
    """

    calendars: Calendars = attrs.field(factory=lambda: Calendars((plain_calendar(),)))
    aanmaning_term: int = AANMANING_DAYS
    guards: GuardRegistry = attrs.field(factory=_builtin_guards)

    @property
    def fourteen_day_term(self) -> int:
        """BW 6:96 lid 6, days after receipt of the 14-day letter: the statute's 14
        (:data:`~maatwerk.core.collection_costs.FOURTEEN_DAYS`, the one definition the costs
        and the letter dates use too; not a setting)."""
        return FOURTEEN_DAYS

    @property
    def atw(self) -> str:
        """The calendar statutory terms are extended on (``atw`` when present)."""
        return "atw" if "atw" in self.calendars else CALENDAR

    def letter_terms(self, delivery: PostalDelivery | None = None) -> LetterTerms:
        """The terms a letter's dates are computed with (:func:`~maatwerk.core.letter_dates.
        letter_dates`): these tables' calendars and terms, and how the post delivers."""
        return LetterTerms(
            atw=self.calendars.get(self.atw),
            delivery=delivery if delivery is not None else PostalDelivery(),
            fourteen_day_term=self.fourteen_day_term,
            aanmaning_term=self.aanmaning_term,
        )


@attrs.frozen(kw_only=True)
class GuardContext:
    """What a guard sees: the case state on ``today``, the policy, the step and one debt."""

    state: CaseState
    policy: Policy
    step: Step
    debt: Debt
    tables: PolicyTables

    @property
    def today(self) -> dt.date:
        return self.state.today


class Guard(Protocol):
    """The typed signature of a guard check."""

    def __call__(self, ctx: GuardContext, /) -> Verdict | None: ...


@attrs.frozen(kw_only=True)
class GuardSpec:
    """A registered guard.

    ``applies_to``: the action kinds it checks by default (``None``: every action); a step can
    add it elsewhere with ``guards = [...]``. ``with_costs``: it also checks any step with
    ``charges_costs = true``. ``mandatory``: a policy cannot switch it off.
    """

    code: str
    check: Guard
    applies_to: frozenset[ActionKind] | None = attrs.field(default=None, converter=_action_kind_set)
    with_costs: bool = False
    mandatory: bool = False
    summary_nl: str = ""
    summary_en: str = ""

    def applies(self, step: Step) -> bool:
        if self.code in step.guards:
            return True
        if self.with_costs and step.charges_costs:
            return True
        return self.applies_to is None or step.action in self.applies_to


@attrs.frozen
class GuardRegistry:
    """Guards by code, in evaluation order."""

    specs: tuple[GuardSpec, ...]
    _for_step: dict[
        tuple[ActionKind, tuple[str, ...], bool, tuple[str, ...]], tuple[GuardSpec, ...]
    ] = attrs.field(factory=dict, init=False, eq=False, hash=False, repr=False)
    """results of :meth:`for_step` (asked per step and debt in every evaluation)"""

    def __attrs_post_init__(self) -> None:
        codes = [s.code for s in self.specs]
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        if duplicates:
            raise ValueError(f"guard {duplicates[0]!r} is registered twice")

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(s.code for s in self.specs)

    def __contains__(self, code: object) -> bool:
        return code in self.codes

    def get(self, code: str) -> GuardSpec:
        for spec in self.specs:
            if spec.code == code:
                return spec
        raise KeyError(f"unknown guard {code!r}; known: {', '.join(self.codes)}")

    def extended(self, *specs: GuardSpec) -> GuardRegistry:
        """A new registry with ``specs`` added after the existing ones."""
        return GuardRegistry((*self.specs, *specs))

    def for_step(self, policy: Policy, step: Step) -> tuple[GuardSpec, ...]:
        """The guards that check ``step`` under ``policy`` (mandatory ones always)."""
        # the answer depends on nothing but these (see GuardSpec.applies), all plain values
        key = (step.action, step.guards, step.charges_costs, policy.settings.disabled_guards)
        found = self._for_step.get(key)
        if found is None:
            disabled = set(policy.settings.disabled_guards)
            found = tuple(
                s for s in self.specs if s.applies(step) and (s.mandatory or s.code not in disabled)
            )
            self._for_step[key] = found
        return found


# ---------------------------------------------------------------------------------- checks
_BAILIFF: Final = frozenset({ActionKind.BAILIFF_HANDOVER})
_BUILTIN: list[GuardSpec] = []
"""the built-in guards, in the order they are defined (and checked)"""
_G = TypeVar("_G", bound=Guard)


def _builtin(
    code: str,
    *,
    applies_to: frozenset[ActionKind] | None = None,
    with_costs: bool = False,
    mandatory: bool = False,
    nl: str,
    en: str,
) -> Callable[[_G], _G]:
    """Declare the check below as the built-in guard ``code`` (see :class:`GuardSpec`)."""

    def declare(check: _G) -> _G:
        _BUILTIN.append(
            GuardSpec(
                code=code,
                check=check,
                applies_to=applies_to,
                with_costs=with_costs,
                mandatory=mandatory,
                summary_nl=nl,
                summary_en=en,
            )
        )
        return check

    return declare


def _d(day: dt.date) -> tuple[str, str]:
    return text.date(day, "nl"), text.date(day, "en")


CONSENT_FOR: Final[Mapping[ActionKind, frozenset[ConsentScope]]] = {
    ActionKind.DEBT_HELP_REFERRAL: frozenset(
        {ConsentScope.DEBT_HELP_REFERRAL, ConsentScope.MUNICIPAL_REFERRAL}
    ),
    ActionKind.EARLY_SIGNAL: frozenset({ConsentScope.EARLY_SIGNAL}),
}
"""Which recorded consents allow which step (the ``consent`` guard, mandatory: sharing the
debtor's data with the municipality needs consent, AVG art. 6; the municipal channel reads this
same table)."""


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


@_builtin(
    "brp-mismatch",
    applies_to=frozenset({ActionKind.ZVW_REPORT}),
    mandatory=True,
    nl="adres niet of anders in de BRP (Zvw 18c)",
    en="address not in or different from the BRP (Zvw 18c)",
)
def brp_mismatch(ctx: GuardContext) -> Verdict | None:
    state = ctx.state
    if state.debtor.has_brp_address and DebtorFlag.BRP_MISMATCH not in state.flags:
        return None
    return _verdict(
        "brp-mismatch",
        "Het adres staat niet of anders in de BRP. Aanmelden bij het CAK mag dan niet "
        "(Zvw art. 18c).",
        "The address is missing from or differs from the BRP: no report (Zvw 18c).",
    )


#: Debt help that bars a report to the CAK: a written stabilisation agreement (Zvw 18c lid 2),
#: and an amicable settlement or WSNP, which end the CAK premium at once (18d).
_REPORT_BARRING_HELP: Final = frozenset(
    {DebtHelpKind.STABILISATION, DebtHelpKind.SETTLEMENT, DebtHelpKind.WSNP}
)
_FOUR_MONTHS: Final = Decimal(4)


def _covers_debt(debt_ids: tuple[str, ...], debt_id: str | None, debt: Debt) -> bool:
    return (not debt_ids and debt_id is None) or debt.debt_id in debt_ids or debt_id == debt.debt_id


@_builtin(
    "zvw-report-bars",
    applies_to=frozenset({ActionKind.ZVW_REPORT}),
    mandatory=True,
    nl="Zvw 18b/18c: mededeling, termijn, tweede mededeling, stabilisatie, regeling",
    en="Zvw 18b/18c: notice, its term, second notice, stabilisation, arrangement",
)
def zvw_report_bars(ctx: GuardContext) -> Verdict | None:
    """The statutory bars to a report to the CAK (Zvw 18b and 18c), which no policy can drop.

    No report: without a delivered 18b notice; with a written stabilisation agreement, an
    amicable settlement or WSNP; after a dispute the insurer maintains (``upheld``) until a
    second notice went out (18b lid 2); until the 4 weeks of the latest notice have run (from
    the day after receipt, Atw); while an arrangement started after the 4-month point is kept
    and the new premiums are paid. An open dispute (also one before the SKGZ or the court) is
    the mandatory ``dispute`` guard's; an address not (or differently) in the BRP the mandatory
    ``brp-mismatch`` guard's.
    """
    state, debt = ctx.state, ctx.debt
    notices = [n for n in state.zvw_notices if _covers_debt(n.debt_ids, n.debt_id, debt)]
    if not notices:
        return _verdict(
            "zvw-report-bars",
            "Er is nog geen brief gestuurd dat we de klant willen aanmelden bij het CAK. "
            "Zonder die brief mag aanmelden niet (Zvw art. 18b).",
            "No Zvw 18b notice has been delivered yet: no report to the CAK.",
        )
    help_now = [h for h in state.debt_help if h.help_kind in _REPORT_BARRING_HELP]
    if help_now:
        nl, en = _d(help_now[0].occurred_on)
        return _verdict(
            "zvw-report-bars",
            f"De klant heeft sinds {nl} een stabilisatieovereenkomst, schuldregeling of "
            "WSNP. Aanmelden bij het CAK mag dan niet (Zvw art. 18c en 18d).",
            f"{help_now[0].help_kind.value} since {en}: no report to the CAK (Zvw 18c/18d).",
        )
    last = notices[-1]
    upheld = [
        r
        for r in state.resolutions
        if r.outcome == "upheld"
        and r.debt_id in (None, debt.debt_id)
        and (r.occurred_on > last.sent_on or (r.occurred_on == last.sent_on and not last.second))
    ]
    if upheld:
        nl, en = _d(upheld[-1].occurred_on)
        return _verdict(
            "zvw-report-bars",
            f"De klant was het niet eens met de vordering. Op {nl} hebben wij besloten dat de "
            "vordering blijft staan. Eerst krijgt de klant daarover een tweede brief. Daarna "
            "heeft de klant 4 weken om naar de SKGZ of de rechter te gaan (Zvw art. 18b lid 2).",
            f"Dispute maintained on {en}: a second notice must come first, then 4 weeks to go "
            "to the SKGZ or the court (Zvw 18b lid 2).",
        )
    last_day = max(
        zvw_notice_last_day(last.received_on, ctx.tables.calendars.get(ctx.tables.atw)),
        last.last_day,
    )
    if ctx.today <= last_day:
        nl, en = _d(last_day)
        if last.second:
            text_nl = (
                f"De klant kan tot en met {nl} naar de SKGZ of de rechter (Zvw art. 18b lid 2)."
            )
            text_en = (
                f"The debtor may go to the SKGZ or the court until {en} inclusive (18b lid 2)."
            )
        else:
            text_nl = (
                f"De klant kan tot en met {nl} bezwaar maken tegen de vordering (Zvw art. 18b)."
            )
            text_en = f"The debtor may dispute the debt until {en} inclusive (Zvw 18b)."
        return _verdict("zvw-report-bars", text_nl, text_en, until=last_day + _DAY)
    return _kept_late_arrangement(ctx, notices[0].sent_on)


def _kept_late_arrangement(ctx: GuardContext, first_notice: dt.date) -> Verdict | None:
    """Zvw 18b lid 3: an arrangement started after the 4-month point, kept while the new premiums
    are paid, bars the report. The 4-month point is the day the arrears first reached 4 months'
    premium, or the first notice's day when that is earlier or not known."""
    state, debt = ctx.state, ctx.debt
    reached = state.threshold_reached_on(None, _FOUR_MONTHS)
    point = first_notice if reached is None else min(reached, first_notice)
    for plan in state.arrangements:
        if not plan.covers(debt.debt_id) or plan.accepted_on < point:
            continue
        new_unpaid = [
            d for d in state.debts_in_default if d.periodic and d.due_date > plan.accepted_on
        ]
        if new_unpaid:
            continue
        nl, en = _d(plan.accepted_on)
        return _verdict(
            "zvw-report-bars",
            f"Sinds {nl} loopt een betalingsregeling en de klant betaalt de nieuwe premies. "
            "Aanmelden bij het CAK mag dan niet (Zvw art. 18b).",
            f"An arrangement started on {en}, after the 4-month point, and new premiums are "
            "paid: no report to the CAK (Zvw 18b).",
        )
    return None


@_builtin(
    "zvw-second-notice",
    applies_to=frozenset({ActionKind.ZVW_NOTICE}),
    mandatory=True,
    nl="tweede mededeling (Zvw 18b lid 2) alleen na eerste mededeling en gehandhaafd bezwaar",
    en="second notice (Zvw 18b lid 2) only after a first notice and a maintained dispute",
)
def zvw_second_notice(ctx: GuardContext) -> Verdict | None:
    """A step with ``notice = "second"`` goes out only after a maintained (``upheld``) dispute
    that came after a delivered first notice; other notice steps pass."""
    if dict(ctx.step.params).get("notice") != "second":
        return None
    state, debt = ctx.state, ctx.debt
    upheld = [
        r for r in state.resolutions if r.outcome == "upheld" and r.debt_id in (None, debt.debt_id)
    ]
    first = [
        n for n in state.zvw_notices if not n.second and _covers_debt(n.debt_ids, n.debt_id, debt)
    ]
    if upheld and first and first[0].sent_on <= upheld[-1].occurred_on:
        return None
    return _verdict(
        "zvw-second-notice",
        "Een tweede brief over aanmelden bij het CAK kan pas na de eerste brief en nadat wij "
        "een bezwaar hebben bekeken en de vordering laten staan (Zvw art. 18b lid 2).",
        "A second notice needs a delivered first notice and a dispute maintained after it "
        "(Zvw 18b lid 2).",
    )


BUILTIN_GUARDS: Final = GuardRegistry(tuple(_BUILTIN))
"""The built-in guards, in the order they are checked (the order they are defined above)."""
