"""Guards (blokkades): checks that veto or postpone a policy step for one debt.

A guard is any callable ``(GuardContext) -> Verdict | None``: ``None`` lets the step go ahead, a
:class:`Verdict` blocks it (``until is None``) or postpones it to ``until``. Each guard is
registered as a :class:`GuardSpec` with a stable ``code``, the action kinds it applies to by
default, and whether a policy may switch it off (``mandatory``). A :class:`GuardRegistry` is a
plain value: plugins add guards with :meth:`GuardRegistry.extended` (the pluggy hook of the
plugins layer returns ``GuardSpec`` records), and the registry travels to :func:`evaluate` in
:class:`~maatwerk.core.policy.casefile.PolicyTables`.

Every verdict carries a :class:`Reason`: the code and one plain sentence in Dutch (B1) and
English, with the dates and amounts that matter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Final, Protocol

import attrs

from maatwerk.core.calendar import legal_deadline
from maatwerk.core.debts import ClaimKind, Debt
from maatwerk.core.events import ActionKind, ConsentScope, DebtorFlag
from maatwerk.core.policy import text
from maatwerk.core.policy.casefile import CaseState, PolicyTables
from maatwerk.core.policy.model import PLAN_ANCHORS, Policy, Step


__all__ = [
    "BUILTIN_GUARDS",
    "HARD_ACTIONS",
    "Guard",
    "GuardContext",
    "GuardRegistry",
    "GuardSpec",
    "Reason",
    "Verdict",
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


@attrs.frozen(kw_only=True)
class Reason:
    """Why something happened or did not, as a code and one sentence per language."""

    code: str
    nl: str
    en: str

    def text(self, lang: str) -> str:
        return self.nl if lang == "nl" else self.en


@attrs.frozen(kw_only=True)
class Verdict:
    """A guard's veto: ``until`` None blocks the step; a date postpones it to that day."""

    reason: Reason
    until: dt.date | None = None

    @property
    def postponed(self) -> bool:
        return self.until is not None


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
    applies_to: frozenset[ActionKind] | None = None
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

    def as_mapping(self) -> Mapping[str, GuardSpec]:
        return {s.code: s for s in self.specs}


# ---------------------------------------------------------------------------------- checks
def _d(day: dt.date) -> tuple[str, str]:
    return text.date(day, "nl"), text.date(day, "en")


def deceased(ctx: GuardContext) -> Verdict | None:
    if not ctx.state.deceased:
        return None
    return Verdict(
        reason=Reason(
            code="deceased",
            nl="De klant is overleden. We nemen geen stappen meer.",
            en="The debtor has died; every step stops.",
        )
    )


def hold(ctx: GuardContext) -> Verdict | None:
    for active in ctx.state.holds:
        if active.scope.value == "debt" and active.debt_id != ctx.debt.debt_id:
            continue
        if active.end is None:
            return Verdict(
                reason=Reason(
                    code="hold",
                    nl=f"Het dossier staat op pauze sinds {text.date(active.start, 'nl')} "
                    f"(reden: {active.reason}).",
                    en=f"On hold since {active.start.isoformat()} (reason: {active.reason}).",
                )
            )
        nl, en = _d(active.end)
        return Verdict(
            reason=Reason(
                code="hold",
                nl=f"Het dossier staat op pauze tot en met {nl} (reden: {active.reason}).",
                en=f"On hold until {en} inclusive (reason: {active.reason}).",
            ),
            until=active.end + _DAY,
        )
    return None


def dispute(ctx: GuardContext) -> Verdict | None:
    for opened in ctx.state.open_disputes:
        if opened.debt_id in (None, ctx.debt.debt_id):
            nl, en = _d(opened.occurred_on)
            return Verdict(
                reason=Reason(
                    code="dispute",
                    nl=f"De klant is het niet eens met de vordering (sinds {nl}). "
                    "We wachten tot dat is opgelost.",
                    en=f"The debt is disputed since {en}; waiting until the dispute is resolved.",
                )
            )
    return None


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
                return Verdict(
                    reason=Reason(
                        code="arrangement-kept",
                        nl=f"Er is een termijn van de betalingsregeling niet betaald "
                        f"(te laat sinds {since_nl}). De klant kan dit nog inhalen.",
                        en=f"An instalment is late since {since_en}; the plan is in grace "
                        "and can still be caught up.",
                    )
                )
            nl, en = _d(until)
            return Verdict(
                reason=Reason(
                    code="arrangement-kept",
                    nl=f"Er is een termijn van de betalingsregeling niet betaald "
                    f"(te laat sinds {since_nl}). De klant kan dit inhalen tot en met {nl}.",
                    en=f"An instalment is late since {since_en}; the plan is in grace "
                    f"until {en} inclusive.",
                ),
                until=until + _DAY,
            )
        nl, en = _d(plan.accepted_on)
        return Verdict(
            reason=Reason(
                code="arrangement-kept",
                nl=f"Er loopt een betalingsregeling sinds {nl} en de klant houdt zich eraan.",
                en=f"An arrangement is active since {en} and is being kept.",
            )
        )
    return None


def debt_help(ctx: GuardContext) -> Verdict | None:
    if not ctx.state.debt_help:
        return None
    started = ctx.state.debt_help[0]
    nl, en = _d(started.occurred_on)
    return Verdict(
        reason=Reason(
            code="debt-help",
            nl=f"De klant krijgt schuldhulp of heeft een stabilisatieovereenkomst (sinds {nl}).",
            en=f"Debt help or a stabilisation agreement is in place since {en} "
            f"({started.help_kind.value}).",
        )
    )


def vulnerable(ctx: GuardContext) -> Verdict | None:
    if not ctx.state.vulnerable:
        return None
    return Verdict(
        reason=Reason(
            code="vulnerable",
            nl="De klant is kwetsbaar. Een medewerker kijkt eerst mee; deze stap gaat niet vanzelf.",
            en="The debtor is flagged vulnerable; a case manager decides, not the engine.",
        )
    )


def promise(ctx: GuardContext) -> Verdict | None:
    pending = [p for p in ctx.state.promises if p.promised_for >= ctx.today]
    if not pending:
        return None
    last = max(p.promised_for for p in pending)
    nl, en = _d(last)
    return Verdict(
        reason=Reason(
            code="promise",
            nl=f"De klant heeft beloofd uiterlijk {nl} te betalen. We wachten dat af.",
            en=f"The debtor promised to pay by {en}; waiting for it.",
        ),
        until=last + _DAY,
    )


_CONSENT_FOR: Final[Mapping[ActionKind, frozenset[ConsentScope]]] = {
    ActionKind.DEBT_HELP_REFERRAL: frozenset(
        {ConsentScope.DEBT_HELP_REFERRAL, ConsentScope.MUNICIPAL_REFERRAL}
    ),
    ActionKind.EARLY_SIGNAL: frozenset({ConsentScope.EARLY_SIGNAL}),
}


def consent(ctx: GuardContext) -> Verdict | None:
    needed = _CONSENT_FOR.get(ctx.step.action, frozenset({ConsentScope.MUNICIPAL_REFERRAL}))
    if ctx.state.consents & needed:
        return None
    return Verdict(
        reason=Reason(
            code="consent",
            nl="De klant heeft geen toestemming gegeven om gegevens te delen. "
            "Vraag dat eerst in een gesprek.",
            en="No consent recorded for sharing the debtor's data "
            f"({', '.join(sorted(s.value for s in needed))}).",
        )
    )


def personal_contact(ctx: GuardContext) -> Verdict | None:
    if any(c.channel.is_personal for c in ctx.state.contacts):
        return None
    return Verdict(
        reason=Reason(
            code="personal-contact",
            nl="Er is nog niet geprobeerd de klant persoonlijk te spreken (bellen of langsgaan). "
            "Dat moet eerst.",
            en="No personal contact attempt (call or visit) yet; one must come first.",
        )
    )


def _letter_term(ctx: GuardContext) -> Verdict | None:
    letters = [
        lt
        for lt in ctx.state.letters
        if not lt.debt_ids or ctx.debt.debt_id in lt.debt_ids or lt.debt_id == ctx.debt.debt_id
    ]
    if not letters:
        return Verdict(
            reason=Reason(
                code="fourteen-day-letter",
                nl="Er is nog geen veertiendagenbrief gestuurd. Zonder die brief mag dit niet.",
                en="No 14-day letter (BW 6:96 lid 6) has been sent yet.",
            )
        )
    letter = letters[-1]
    atw = ctx.tables.calendars.get(ctx.tables.atw)
    last_day = legal_deadline(letter.received_on, ctx.tables.fourteen_day_term, atw)
    if ctx.today <= last_day:
        nl, en = _d(last_day)
        return Verdict(
            reason=Reason(
                code="fourteen-day-letter",
                nl=f"De termijn van de veertiendagenbrief loopt nog tot en met {nl}.",
                en=f"The 14-day letter's term runs until {en} inclusive.",
            ),
            until=last_day + _DAY,
        )
    return None


def _aanmaning_term(ctx: GuardContext) -> Verdict | None:
    # only a delivered aanmaning counts (FormalDemandSent), never a step that was refused
    sent = [
        s
        for s in ctx.state.demands
        if ctx.debt.debt_id in (s.debt_ids or ((s.debt_id,) if s.debt_id else ()))
    ]
    if not sent:
        return Verdict(
            reason=Reason(
                code="fourteen-day-letter",
                nl="Er is nog geen aanmaning gestuurd (Awb 4:112). Zonder aanmaning mag dit niet.",
                en="No formal demand (aanmaning, Awb 4:112) has been sent yet.",
            )
        )
    atw = ctx.tables.calendars.get(ctx.tables.atw)
    last_day = legal_deadline(sent[-1].sent_on, ctx.tables.aanmaning_term, atw)
    if ctx.today <= last_day:
        nl, en = _d(last_day)
        return Verdict(
            reason=Reason(
                code="fourteen-day-letter",
                nl=f"De termijn van de aanmaning loopt nog tot en met {nl}.",
                en=f"The formal demand's term runs until {en} inclusive.",
            ),
            until=last_day + _DAY,
        )
    return None


def fourteen_day_letter(ctx: GuardContext) -> Verdict | None:
    """Costs or a bailiff only after the 14-day letter (private, consumer) or aanmaning (public)."""
    if ctx.debt.kind is ClaimKind.PUBLIC:
        if ctx.step.action is ActionKind.BAILIFF_HANDOVER:
            return _aanmaning_term(ctx)
        return None
    if not ctx.debt.consumer:
        return None
    return _letter_term(ctx)


def bailiff_threshold(ctx: GuardContext) -> Verdict | None:
    minimum = ctx.policy.settings.bailiff_min_amount
    owed = ctx.state.total_outstanding
    if owed >= minimum:
        return None
    return Verdict(
        reason=Reason(
            code="bailiff-threshold",
            nl=f"Het openstaande bedrag ({text.amount(owed, 'nl')}) is lager dan de grens "
            f"voor de deurwaarder ({text.amount(minimum, 'nl')}).",
            en=f"The amount owed ({text.amount(owed, 'en')}) is below the bailiff threshold "
            f"({text.amount(minimum, 'en')}).",
        )
    )


def amicable_track(ctx: GuardContext) -> Verdict | None:
    days = ctx.policy.settings.amicable_track_days
    last = ctx.state.last_step_for(ctx.debt.debt_id)
    if last is None:
        return Verdict(
            reason=Reason(
                code="amicable-track",
                nl="Er is nog geen minnelijk traject geweest. Eerst een brief of gesprek.",
                en="No amicable track has run yet.",
            )
        )
    ends = last.occurred_on + dt.timedelta(days=days)
    if ctx.today < ends:
        nl, en = _d(ends)
        return Verdict(
            reason=Reason(
                code="amicable-track",
                nl=f"De klant krijgt eerst {days} dagen om het samen op te lossen, tot {nl}.",
                en=f"The {days}-day amicable track runs until {en}.",
            ),
            until=ends,
        )
    return None


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
    return Verdict(
        reason=Reason(
            code="problematic-debt",
            nl="De klant heeft problematische schulden en kreeg nog geen doorverwijzing naar "
            "schuldhulp. Eerst doorverwijzen, geen deurwaarder.",
            en="Problematic debt and no referral to debt help offered yet: no bailiff.",
        )
    )


def review_rejected(ctx: GuardContext) -> Verdict | None:
    for rejected in ctx.state.rejections:
        if rejected.step_id == ctx.step.id and (
            not rejected.debt_ids or ctx.debt.debt_id in rejected.debt_ids
        ):
            nl, en = _d(rejected.occurred_on)
            return Verdict(
                reason=Reason(
                    code="review-rejected",
                    nl=f"Een medewerker heeft deze stap op {nl} afgewezen.",
                    en=f"A reviewer rejected this step on {en}.",
                )
            )
    return None


def brp_mismatch(ctx: GuardContext) -> Verdict | None:
    state = ctx.state
    if state.debtor.has_brp_address and DebtorFlag.BRP_MISMATCH not in state.flags:
        return None
    return Verdict(
        reason=Reason(
            code="brp-mismatch",
            nl="Het adres staat niet of anders in de BRP. Aanmelden bij het CAK mag dan niet "
            "(Zvw art. 18c).",
            en="The address is missing from or differs from the BRP: no report (Zvw 18c).",
        )
    )


BUILTIN_GUARDS: Final = GuardRegistry(
    (
        GuardSpec(
            code="deceased",
            check=deceased,
            mandatory=True,
            summary_nl="klant overleden: alles stopt",
            summary_en="debtor deceased: everything stops",
        ),
        GuardSpec(
            code="hold",
            check=hold,
            mandatory=True,
            summary_nl="pauze op schuld, dossier of hele run",
            summary_en="time-boxed hold on a debt, the case or the whole run",
        ),
        GuardSpec(
            code="dispute",
            check=dispute,
            applies_to=_ALL_BUT_CLOSE,
            mandatory=True,
            summary_nl="vordering betwist",
            summary_en="open dispute",
        ),
        GuardSpec(
            code="review-rejected",
            check=review_rejected,
            mandatory=True,
            summary_nl="stap afgewezen bij controle",
            summary_en="step rejected in review",
        ),
        GuardSpec(
            code="debt-help",
            check=debt_help,
            applies_to=_ALL_BUT_CLOSE,
            summary_nl="schuldhulp of stabilisatieovereenkomst",
            summary_en="debt help or stabilisation agreement",
        ),
        GuardSpec(
            code="arrangement-kept",
            check=arrangement_kept,
            applies_to=_ALL_BUT_CLOSE,
            summary_nl="betalingsregeling loopt en wordt nagekomen",
            summary_en="active arrangement being kept",
        ),
        GuardSpec(
            code="promise",
            check=promise,
            applies_to=_ALL_BUT_CLOSE,
            summary_nl="betalingsbelofte loopt",
            summary_en="promise to pay pending",
        ),
        GuardSpec(
            code="vulnerable",
            check=vulnerable,
            applies_to=HARD_ACTIONS,
            summary_nl="kwetsbare klant: geen harde stap zonder medewerker",
            summary_en="vulnerable debtor: no hard step without a case manager",
        ),
        GuardSpec(
            code="consent",
            check=consent,
            applies_to=frozenset({ActionKind.DEBT_HELP_REFERRAL, ActionKind.EARLY_SIGNAL}),
            summary_nl="geen toestemming voor doorverwijzing of vroegsignaal",
            summary_en="no consent for a referral or early signal",
        ),
        GuardSpec(
            code="fourteen-day-letter",
            check=fourteen_day_letter,
            applies_to=frozenset({ActionKind.BAILIFF_HANDOVER}),
            with_costs=True,
            mandatory=True,
            summary_nl="veertiendagenbrief of aanmaning nog niet verlopen",
            summary_en="14-day letter or aanmaning not yet expired",
        ),
        GuardSpec(
            code="personal-contact",
            check=personal_contact,
            applies_to=frozenset({ActionKind.BAILIFF_HANDOVER}),
            summary_nl="nog geen poging tot persoonlijk contact",
            summary_en="no personal contact attempt yet",
        ),
        GuardSpec(
            code="amicable-track",
            check=amicable_track,
            applies_to=frozenset({ActionKind.BAILIFF_HANDOVER}),
            summary_nl="verkort minnelijk traject nog niet doorlopen",
            summary_en="short amicable track not yet run",
        ),
        GuardSpec(
            code="bailiff-threshold",
            check=bailiff_threshold,
            applies_to=frozenset({ActionKind.BAILIFF_HANDOVER}),
            summary_nl="bedrag onder de grens voor de deurwaarder",
            summary_en="amount below the bailiff threshold",
        ),
        GuardSpec(
            code="problematic-debt",
            check=problematic_debt,
            applies_to=frozenset({ActionKind.BAILIFF_HANDOVER}),
            mandatory=True,
            summary_nl="problematische schulden zonder doorverwijzing",
            summary_en="problematic debt without a referral offer",
        ),
        GuardSpec(
            code="brp-mismatch",
            check=brp_mismatch,
            applies_to=frozenset({ActionKind.ZVW_REPORT}),
            mandatory=True,
            summary_nl="adres niet of anders in de BRP (Zvw 18c)",
            summary_en="address not in or different from the BRP (Zvw 18c)",
        ),
    )
)
"""The built-in guards, in the order they are checked."""
