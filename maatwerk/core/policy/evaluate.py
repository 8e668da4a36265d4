"""Evaluation (besluit): for one case on one day, the next right step and why.

:func:`evaluate` is pure and deterministic: the same case file, policy, date and tables always
give the same :class:`Decision`. It reads only events and ledger lines dated up to ``today``.

Algorithm: the case is **one ladder** (one case, one plan; BW 6:96 lid 7: several claims in one
14-day letter, costs on the sum). The current *episode* runs from the first step after the last
``close``; the case's *rung* is the highest ladder step taken in it. Per step (policy order,
mildest first):

1. skip a step that applies to no open debt (claim kind, category, consumer); a rung below the
   case's rung is passed (never go back down), unless it is a *prerequisite* not yet done;
   a step taken ``max_times`` in the episode (a re-presentation: for that debt), or whose anchor
   has not moved since it was last done, is done;
2. the step is *due* when ``today`` has reached anchor + days on its calendar for one of the
   debts in default (a ``previous-step`` anchor is the day the named step was done for the
   case), and no sooner than its ``min_days_after`` gap after the named step was done (itself
   or a stand-in; e.g. the 14-day letter 14 days after the arrangement offer, also when a
   late case catches up on its rungs); it then covers **every** open debt in default it applies to (a new debt joins the
   case's current rung). A courtesy reminder, a re-presentation and a step that carries out a
   running plan cover only the debts whose own date came;
3. case-level conditions (arrears, months, open debts, return group, segment, contact outcome,
   arrangement method) must hold;
4. each guard that applies may block or postpone it per debt; a rung also waits while a lower
   *prerequisite* rung (personal call, arrangement offer, 14-day letter, aanmaning; the step
   attribute ``prerequisite``) has not been done in the episode: after a hold, or for a case
   first seen late, the lowest one is caught up on first.

A rung counts as done when a side step with the same action came after the rung below it (a
call after a returned debit is the personal contact attempt); a side step is not repeated when
a step with the same action and channel came on or after its anchor. The most severe step that
is due and allowed for at least one debt is proposed, as **one** consolidated action; steps
blocked, postponed or superseded are recorded with their reasons, and the next step is
announced only when its conditions hold and no guard blocks it (a postponing guard moves its
date). A debt that is paid or settled drops out at once; when no debt is open any more and
steps were taken, the policy's ``close`` step is proposed. At most one step per case per day:
when a step was already taken today, nothing new is proposed (so re-running a day changes
nothing).
"""

from __future__ import annotations

import calendar as _cal
import datetime as dt
import enum
import functools
from typing import Final

import attrs

from maatwerk.core.debts import Debt
from maatwerk.core.events import ActionKind, ContactOutcome, DebtorFlag, StepTaken
from maatwerk.core.money import Money
from maatwerk.core.policy import text
from maatwerk.core.policy.casefile import CaseFile, CaseState, PolicyTables, derive_state
from maatwerk.core.policy.guards import GuardContext, GuardSpec, Reason, Verdict
from maatwerk.core.policy.model import (
    ACTION_LABELS,
    PLAN_ANCHORS,
    SIDE_ACTIONS,
    Anchor,
    Policy,
    Step,
)


__all__ = [
    "Decision",
    "DecisionStatus",
    "HistoryLine",
    "NoteKind",
    "ProposedAction",
    "StepNote",
    "evaluate",
]

_DAY: Final = dt.timedelta(days=1)

DECEASED_REASON: Final = Reason(
    code="deceased",
    nl="De klant is overleden. We nemen geen stappen meer.",
    en="The debtor has died; every step stops.",
)
ONE_STEP_A_DAY: Final = Reason(
    code="one-step-a-day",
    nl="Vandaag is al een stap gezet. Morgen kijken we opnieuw.",
    en="A step was already taken today; next check tomorrow.",
)


class DecisionStatus(enum.Enum):
    ACT = "act"
    """a step is proposed today"""
    WAIT = "wait"
    """nothing is due yet (see ``next_check_on``)"""
    BLOCKED = "blocked"
    """steps are due but every one is blocked or postponed by a guard"""
    CLOSED = "closed"
    """no open debt and nothing left to do"""
    STOPPED = "stopped"
    """the debtor has died: every step stops"""


class NoteKind(enum.Enum):
    BLOCKED = "blocked"
    POSTPONED = "postponed"
    CONDITION = "condition"
    """due by time, but a condition does not hold"""
    SUPERSEDED = "superseded"
    """due and allowed, but a more severe step is proposed today"""
    NEXT = "next"
    """the next step that will become due, and when"""


@attrs.frozen(kw_only=True)
class ProposedAction:
    """The step to carry out today: one communication covering ``debt_ids``."""

    step_id: str
    action: ActionKind
    channel: str
    debt_ids: tuple[str, ...]
    due_on: dt.date
    """the earliest day it became due for one of the debts"""
    due_by: dt.date | None
    """the last day to carry it out (``within``), if the policy sets one"""
    needs_review: bool
    amount: Money
    """outstanding total of the debts covered"""
    params: tuple[tuple[str, str], ...] = ()
    title_nl: str = ""
    title_en: str = ""

    def title(self, lang: str) -> str:
        return self.title_nl if lang == "nl" else self.title_en


@attrs.frozen(kw_only=True)
class StepNote:
    """Why a step did not go ahead today (or when it will)."""

    step_id: str
    action: ActionKind
    kind: NoteKind
    debt_ids: tuple[str, ...]
    reasons: tuple[Reason, ...]
    until: dt.date | None = None
    title_nl: str = ""
    """the step's Dutch title, for explanations (empty: the action's label)"""

    def title(self, lang: str) -> str:
        nl, en = ACTION_LABELS[self.action]
        if lang == "nl":
            return self.title_nl or nl
        return self.step_id or en


@attrs.frozen(kw_only=True)
class HistoryLine:
    """A fact from the past that the decision rests on."""

    on: dt.date
    code: str
    nl: str
    en: str


@attrs.frozen(kw_only=True)
class Decision:
    """What the policy decided for one case on one day, with the chain of reasons."""

    debtor_id: str
    creditor_id: str
    policy: str
    today: dt.date
    status: DecisionStatus
    action: ProposedAction | None
    notes: tuple[StepNote, ...] = ()
    history: tuple[HistoryLine, ...] = ()
    next_check_on: dt.date | None = None
    arrears: Money = Money.zero()
    arrears_months: str = "0"

    @property
    def action_id(self) -> str | None:
        """Stable id of today's action: same case, step and day give the same id."""
        if self.action is None:
            return None
        return f"{self.creditor_id}/{self.debtor_id}/{self.action.step_id}/{self.today.isoformat()}"

    def explain(self, lang: str = "nl") -> tuple[str, ...]:
        from maatwerk.core.policy.explain import explain_lines  # noqa: PLC0415 - cycle

        return explain_lines(self, lang)


# ---------------------------------------------------------------------------------- timing
def _payday_on_or_after(day: dt.date, payday: int) -> dt.date:
    for month_offset in range(3):
        year = day.year + (day.month - 1 + month_offset) // 12
        month = (day.month - 1 + month_offset) % 12 + 1
        last = _cal.monthrange(year, month)[1]
        candidate = dt.date(year, month, min(payday, last))
        if candidate >= day:
            return candidate
    raise AssertionError("unreachable: a payday falls within three months")  # pragma: no cover


@attrs.frozen(kw_only=True)
class _Ladder:
    """The case as one ladder (one case, one plan): the rungs taken in the current episode.

    An episode runs from the first step after the last ``close`` (or the first step ever). A rung
    is *done* in the episode when it was taken, or when a side step with the same action stood in
    for it after the rung below was reached (a call after a returned debit is the personal
    contact attempt; the offer that followed it is the arrangement offer).

    :meth:`of` reads the episode once into the lookups below, so that the questions the engine
    asks per step (how often taken, done when, passed or not) cost no scan of the episode. The
    episode is in date order (:func:`~maatwerk.core.policy.casefile.derive_state` sorts the
    events), so the last entry found for a step or action is also its latest day.
    """

    policy: Policy
    state: CaseState
    episode: tuple[StepTaken, ...]
    rung: int
    """the highest rank of a rung taken in the episode (-1: none)"""
    times: dict[str, int]
    """how often each step id was taken in the episode"""
    last_taken: dict[str, dt.date]
    """the last day each step id was taken in the episode"""
    rung_days: tuple[tuple[int, dt.date], ...]
    """(rank, day) of each rung taken in the episode"""
    side_days: dict[ActionKind, dt.date]
    """the last day a step that is no rung was taken in the episode, per action"""
    _done: dict[str, dt.date | None] = attrs.field(factory=dict, init=False, eq=False, repr=False)

    @classmethod
    def of(cls, policy: Policy, state: CaseState) -> _Ladder:
        ranks = policy.ranks
        episode = state.episode
        times: dict[str, int] = {}
        last_taken: dict[str, dt.date] = {}
        rung_days: list[tuple[int, dt.date]] = []
        side_days: dict[ActionKind, dt.date] = {}
        for taken in episode:
            times[taken.step_id] = times.get(taken.step_id, 0) + 1
            last_taken[taken.step_id] = taken.occurred_on
            rank = ranks.get(taken.step_id)
            if rank is None:
                is_rung = taken.action not in SIDE_ACTIONS and taken.action is not ActionKind.CLOSE
            else:
                step = policy.steps[rank]
                is_rung = not step.is_side and step.action is not ActionKind.CLOSE
            if is_rung:
                rung_days.append((-1 if rank is None else rank, taken.occurred_on))
            else:
                side_days[taken.action] = taken.occurred_on
        return cls(
            policy=policy,
            state=state,
            episode=episode,
            rung=max((rank for rank, _ in rung_days), default=-1),
            times=times,
            last_taken=last_taken,
            rung_days=tuple(rung_days),
            side_days=side_days,
        )

    def stand_in_on(self, step: Step) -> dt.date | None:
        """The day of the last side step with the same action since the rung below ``step``."""
        found = self.side_days.get(step.action)
        if found is None:
            return None
        rank = self.policy.ranks[step.id]
        since = max((day for below, day in self.rung_days if below < rank), default=None)
        return found if since is None or found >= since else None

    def done_on(self, step: Step) -> dt.date | None:
        """The day the rung ``step`` was last done in the episode (itself or a stand-in)."""
        if step.id not in self._done:
            self._done[step.id] = self._done_on(step)
        return self._done[step.id]

    def _done_on(self, step: Step) -> dt.date | None:
        own = self.last_taken.get(step.id)
        if own is not None:
            return own
        if step.is_side:
            return None
        return self.stand_in_on(step)

    def same_kind_on(self, step: Step) -> dt.date | None:
        """The last day a step with the same action and channel was taken in the episode.

        A side step reacts to its anchor only when no such step came on or after it (the
        ladder's own offer right after a return is the offer the reaction would have made).
        """
        days = [
            t.occurred_on
            for t in self.episode
            if t.action is step.action and t.channel == step.channel and t.step_id != step.id
        ]
        return max(days, default=None)

    def last_step_on(self) -> dt.date | None:
        return self.episode[-1].occurred_on if self.episode else None

    @functools.cached_property
    def lowest_missing_prerequisite(self) -> tuple[int, Step] | None:
        """See :func:`_lowest_missing_prerequisite` (asked per step: found once per ladder)."""
        return _lowest_missing_prerequisite(self.policy, self.state, self)


def _anchors(
    step: Step, debts: list[Debt], state: CaseState, ladder: _Ladder
) -> list[tuple[Debt, dt.date]]:
    """Each of ``debts`` with the date ``step`` counts from for it (a debt without one is left out).

    An anchor that is the case's, not the debt's (the previous step, the threshold), is found
    once for all debts; an event anchor is looked for only when the case has such events.
    """
    timing = step.timing
    match timing.anchor:  # the most common anchors first
        case Anchor.DEFAULT_DATE:
            return [(d, d.default_date) for d in debts]
        case Anchor.DUE_DATE:
            return [(d, d.due_date) for d in debts]
        case Anchor.PREVIOUS_STEP:
            if timing.after is not None:
                day = ladder.done_on(ladder.policy.step(timing.after))
            else:
                day = ladder.last_step_on()
            return [] if day is None else [(d, day) for d in debts]
        case Anchor.PLAN_BREACH:
            if not state.breaches and not state.broken_plans:
                return []
            found = [(d, state.last_breach(d.debt_id)) for d in debts]
        case Anchor.PAYMENT_RETURNED:
            if not state.returns:
                return []
            returned = [(d, state.last_return(d.debt_id)) for d in debts]
            found = [(d, r.occurred_on if r is not None else None) for d, r in returned]
        case Anchor.INSTALMENT_MISSED:
            if not state.arrangements:
                return []
            found = [(d, state.missed_instalment(d.debt_id)) for d in debts]
        case Anchor.ARRANGEMENT_ACCEPTED:
            if not state.arrangements:
                return []
            found = [(d, state.accepted_plan(d.debt_id)) for d in debts]
        case _:  # Anchor.THRESHOLD: only a debt in default counts from it
            in_default = [d for d in debts if state.in_default(d)]
            if not in_default:
                return []
            conditions = step.conditions
            reached = state.threshold_reached_on(
                conditions.min_arrears, conditions.min_arrears_months
            )
            return [] if reached is None else [(d, reached) for d in in_default]
    return [(d, day) for d, day in found if day is not None]


def _gap_floor(step: Step, ladder: _Ladder, tables: PolicyTables) -> dt.date | None:
    """The first day ``step`` may be due by its ``min_days_after`` gap (``None``: no gap now).

    The gap counts on the step's calendar from the day the named step was last done in the
    episode (itself or a side step standing in for it); not done yet: no gap.
    """
    gap = step.timing.min_days_after
    if gap is None:
        return None
    done = ladder.done_on(ladder.policy.step(gap.step))
    if done is None:
        return None
    return tables.calendars.add_days(done, gap.days, step.timing.calendar)


def _due_on(
    step: Step,
    anchor: dt.date,
    state: CaseState,
    tables: PolicyTables,
    floor: dt.date | None = None,
) -> dt.date:
    """anchor + days on the step's calendar, not before ``floor`` (its gap), then the payday."""
    calendars = tables.calendars
    due = calendars.add_days(anchor, step.timing.days, step.timing.calendar)
    if floor is not None and floor > due:
        due = floor
    if step.align_to_payday:
        due = _payday_on_or_after(due, state.debtor.payday)
        due = calendars.add_days(due, 0, step.timing.calendar)
    return due


#: Steps about one collection or one invoice, not the case: they cover only the debts whose own
#: date has come (a re-presentation re-collects that debt; a courtesy reminder precedes its due
#: date) and a re-presentation is counted per debt.
_PER_DEBT: Final = frozenset({ActionKind.DIRECT_DEBIT_REPRESENTATION, ActionKind.COURTESY_REMINDER})


def _done_for_debt(step: Step, debt: Debt, state: CaseState, anchor: dt.date) -> bool:
    """A re-presentation: taken ``max_times`` for the debt, or taken since its anchor moved."""
    taken = state.taken(step.id, debt.debt_id)
    if not taken:
        return False
    return len(taken) >= step.max_times or anchor <= taken[-1].occurred_on


def _applies_to_debt(step: Step, debt: Debt) -> bool:
    cond = step.conditions
    if cond.claim_kinds and debt.kind not in cond.claim_kinds:
        return False
    if cond.categories and debt.category not in cond.categories:
        return False
    return not (cond.consumer_only and not debt.consumer)


def _condition_failures(step: Step, state: CaseState) -> tuple[Reason, ...]:
    cond = step.conditions
    if not cond.case_level:
        return ()
    failures: list[Reason] = []
    arrears = state.arrears
    if cond.min_arrears is not None and arrears < cond.min_arrears:
        failures.append(
            Reason(
                code="min-arrears",
                nl=f"De achterstand ({text.amount(arrears, 'nl')}) is lager dan "
                f"{text.amount(cond.min_arrears, 'nl')}.",
                en=f"Arrears {text.amount(arrears, 'en')} below "
                f"{text.amount(cond.min_arrears, 'en')}.",
            )
        )
    if cond.max_arrears is not None and arrears > cond.max_arrears:
        failures.append(
            Reason(
                code="max-arrears",
                nl=f"De achterstand ({text.amount(arrears, 'nl')}) is hoger dan "
                f"{text.amount(cond.max_arrears, 'nl')}.",
                en=f"Arrears {text.amount(arrears, 'en')} above "
                f"{text.amount(cond.max_arrears, 'en')}.",
            )
        )
    months = state.arrears_months
    if cond.min_arrears_months is not None and months < cond.min_arrears_months:
        shown = f"{months:.1f}"
        failures.append(
            Reason(
                code="min-arrears-months",
                nl=f"De achterstand is {shown} maand premie, minder dan {cond.min_arrears_months}.",
                en=f"Arrears of {shown} months' premium, fewer than {cond.min_arrears_months}.",
            )
        )
    if cond.max_arrears_months is not None and months > cond.max_arrears_months:
        shown = f"{months:.1f}"
        failures.append(
            Reason(
                code="max-arrears-months",
                nl=f"De achterstand is {shown} maand premie, meer dan {cond.max_arrears_months}.",
                en=f"Arrears of {shown} months' premium, more than {cond.max_arrears_months}.",
            )
        )
    count = len(state.open_debts)
    if cond.min_open_debts is not None and count < cond.min_open_debts:
        failures.append(
            Reason(
                code="min-open-debts",
                nl=f"Er staan {count} rekeningen open, minder dan {cond.min_open_debts}.",
                en=f"{count} open debts, fewer than {cond.min_open_debts}.",
            )
        )
    if cond.max_open_debts is not None and count > cond.max_open_debts:
        failures.append(
            Reason(
                code="max-open-debts",
                nl=f"Er staan {count} rekeningen open, meer dan {cond.max_open_debts}.",
                en=f"{count} open debts, more than {cond.max_open_debts}.",
            )
        )
    others = len(state.file.other_arrears)
    if cond.min_other_creditors is not None and others < cond.min_other_creditors:
        failures.append(
            Reason(
                code="min-other-creditors",
                nl=f"De klant heeft bij {others} andere partijen een achterstand, "
                f"minder dan {cond.min_other_creditors}.",
                en=f"{others} other creditors in arrears, fewer than {cond.min_other_creditors}.",
            )
        )
    if cond.return_groups:
        last = state.last_return()
        if last is None or last.group not in cond.return_groups:
            got = last.group.value if last is not None else "none"
            failures.append(
                Reason(
                    code="return-group",
                    nl="De laatste storneringsreden past niet bij deze stap.",
                    en=f"Latest return reason group is {got}, not one of "
                    f"{', '.join(g.value for g in cond.return_groups)}.",
                )
            )
    if cond.segments and state.debtor.segment not in cond.segments:
        failures.append(
            Reason(
                code="segment",
                nl="Deze stap geldt niet voor deze groep klanten.",
                en=f"Segment {state.debtor.segment!r} not in {', '.join(cond.segments)}.",
            )
        )
    if cond.contact_outcomes:
        contact = state.last_contact
        # problematic debt recorded (no plan fits within income - BVV): the household cannot pay
        cannot_pay = (
            ContactOutcome.CANT_PAY in cond.contact_outcomes
            and DebtorFlag.PROBLEMATIC_DEBT in state.flags
        )
        if not cannot_pay and (contact is None or contact.outcome not in cond.contact_outcomes):
            got = contact.outcome.value if contact is not None else "none"
            failures.append(
                Reason(
                    code="contact-outcome",
                    nl="Het laatste contact met de klant past niet bij deze stap.",
                    en=f"Latest contact outcome is {got}, not one of "
                    f"{', '.join(o.value for o in cond.contact_outcomes)}.",
                )
            )
    if cond.arrangement_methods:
        methods = {p.method for p in state.arrangements}
        if not methods & set(cond.arrangement_methods):
            failures.append(
                Reason(
                    code="arrangement-method",
                    nl="Er loopt geen betalingsregeling die op deze manier wordt betaald.",
                    en="No running arrangement paid by "
                    f"{', '.join(m.value for m in cond.arrangement_methods)}.",
                )
            )
    return tuple(failures)


# ---------------------------------------------------------------------------------- evaluate
@attrs.frozen(kw_only=True)
class _Candidate:
    step: Step
    rank: int
    due_on: dict[str, dt.date] = attrs.field(factory=dict)
    allowed: list[str] = attrs.field(factory=list)
    verdicts: dict[str, list[Verdict]] = attrs.field(factory=dict)


def _check_guards(
    state: CaseState,
    policy: Policy,
    step: Step,
    debt: Debt,
    tables: PolicyTables,
    *,
    specs: tuple[GuardSpec, ...],
) -> list[Verdict]:
    """The verdicts of the guards ``specs`` (those of ``step``: ``GuardRegistry.for_step``)."""
    ctx = GuardContext(state=state, policy=policy, step=step, debt=debt, tables=tables)
    verdicts: list[Verdict] = []
    for spec in specs:
        verdict = spec.check(ctx)
        if verdict is not None:
            verdicts.append(verdict)
    return verdicts


def _history(state: CaseState, policy: Policy, tables: PolicyTables) -> tuple[HistoryLine, ...]:
    lines: list[HistoryLine] = []
    for taken in state.steps_taken:
        try:
            step = policy.step(taken.step_id)
            nl_title, en_title = step.title("nl"), step.title("en")
        except KeyError:  # a step of another policy (version): its action's own label
            nl_title, en_title = ACTION_LABELS[taken.action]
        lines.append(
            HistoryLine(
                on=taken.occurred_on,
                code=f"step:{taken.step_id}",
                nl=f"{text.date(taken.occurred_on, 'nl')}: {nl_title}.",
                en=f"{taken.step_id} on {taken.occurred_on.isoformat()} ({en_title}).",
            )
        )
    if state.letters:
        from maatwerk.core.calendar import legal_deadline  # noqa: PLC0415

        letter = state.letters[-1]
        last = legal_deadline(
            letter.received_on, tables.fourteen_day_term, tables.calendars.get(tables.atw)
        )
        verb_nl, verb_en = ("verliep", "expired") if last < state.today else ("loopt af", "expires")
        lines.append(
            HistoryLine(
                on=letter.occurred_on,
                code="fourteen-day-letter",
                nl=f"Veertiendagenbrief ontvangen op {text.date(letter.received_on, 'nl')}; "
                f"de termijn {verb_nl} op {text.date(last, 'nl')}.",
                en=f"14-day letter received {letter.received_on.isoformat()}; "
                f"{verb_en} {last.isoformat()}.",
            )
        )
    lines.extend(
        HistoryLine(
            on=contact.occurred_on,
            code="contact",
            nl=f"Contactpoging ({text.contact_channel(contact.channel.value, 'nl')}) op "
            f"{text.date(contact.occurred_on, 'nl')}: "
            f"{text.contact_outcome(contact.outcome.value, 'nl')}.",
            en=f"Contact attempt ({contact.channel.value}) {contact.occurred_on.isoformat()}: "
            f"{contact.outcome.value}.",
        )
        for contact in state.contacts
    )
    return tuple(sorted(lines, key=lambda h: h.on))


def _close_step(policy: Policy) -> Step | None:
    for step in policy.steps:
        if step.action is ActionKind.CLOSE:
            return step
    return None


def _verdict_notes(step: Step, verdicts: dict[str, list[Verdict]]) -> list[StepNote]:
    """Group the per-debt verdicts into one note per (kind, reasons)."""
    grouped: dict[tuple[NoteKind, tuple[Reason, ...], dt.date | None], list[str]] = {}
    for debt_id, found in verdicts.items():
        blocking = [v for v in found if not v.postponed]
        if blocking:
            key: tuple[NoteKind, tuple[Reason, ...], dt.date | None] = (
                NoteKind.BLOCKED,
                tuple(v.reason for v in found),
                None,
            )
        else:
            until = max(v.until for v in found if v.until is not None)
            key = (NoteKind.POSTPONED, tuple(v.reason for v in found), until)
        grouped.setdefault(key, []).append(debt_id)
    return [
        StepNote(
            step_id=step.id,
            action=step.action,
            title_nl=step.title("nl"),
            kind=kind,
            debt_ids=tuple(ids),
            reasons=reasons,
            until=until,
        )
        for (kind, reasons, until), ids in grouped.items()
    ]


def _proposal(candidate: _Candidate, state: CaseState, tables: PolicyTables) -> ProposedAction:
    step = candidate.step
    due_on = min(candidate.due_on[d] for d in candidate.allowed)
    due_by = None
    if step.timing.within is not None:
        due_by = tables.calendars.add_days(due_on, step.timing.within, step.timing.calendar)
    return ProposedAction(
        step_id=step.id,
        action=step.action,
        channel=step.channel,
        debt_ids=tuple(candidate.allowed),
        due_on=due_on,
        due_by=due_by,
        needs_review=step.review,
        amount=sum((state.outstanding[d] for d in candidate.allowed), Money.zero()),
        params=step.params,
        title_nl=step.title("nl"),
        title_en=step.title("en"),
    )


def _decided(
    base: Decision,
    status: DecisionStatus,
    *,
    action: ProposedAction | None = None,
    notes: tuple[StepNote, ...] = (),
    next_check_on: dt.date | None = None,
) -> Decision:
    """``base`` (waiting, without notes) with its outcome.

    ``attrs.evolve`` spelled out (it costs several times a plain construction, and every
    evaluation ends here): keep it in step with the fields of :class:`Decision`.
    """
    return Decision(
        debtor_id=base.debtor_id,
        creditor_id=base.creditor_id,
        policy=base.policy,
        today=base.today,
        status=status,
        action=action,
        notes=notes,
        history=base.history,
        next_check_on=next_check_on,
        arrears=base.arrears,
        arrears_months=base.arrears_months,
    )


def _closing(state: CaseState, policy: Policy, tables: PolicyTables, base: Decision) -> Decision:
    """No open debt left: propose ``close`` once after the last step, else nothing to do."""
    close = _close_step(policy)
    last_step = state.steps_taken[-1] if state.steps_taken else None
    if close is None or last_step is None or last_step.step_id == close.id:
        return _decided(base, DecisionStatus.CLOSED)
    closed_days = [d.closed_on for d in state.file.case.debts if d.closed_on is not None]
    anchor = max([last_step.occurred_on, *[d for d in closed_days if d <= state.today]])
    due = tables.calendars.add_days(anchor, close.timing.days, close.timing.calendar)
    if due > state.today:
        return _decided(base, DecisionStatus.WAIT, next_check_on=due)
    if state.took_step_today:
        return _decided(base, DecisionStatus.WAIT, next_check_on=state.today + _DAY)
    debt_ids = tuple(sorted({d for s in state.steps_taken for d in s.debt_ids}))
    action = ProposedAction(
        step_id=close.id,
        action=close.action,
        channel=close.channel,
        debt_ids=debt_ids,
        due_on=due,
        due_by=None,
        needs_review=close.review,
        amount=Money.zero(),
        params=close.params,
        title_nl=close.title("nl"),
        title_en=close.title("en"),
    )
    return _decided(base, DecisionStatus.ACT, action=action)


def _due_step(
    step: Step, rank: int, state: CaseState, ladder: _Ladder, tables: PolicyTables
) -> tuple[dt.date, dict[str, dt.date], list[str]] | None:
    """When ``step`` is due for the case, each debt's own due day, and the debts it covers today.

    ``None``: the step does not apply, is passed (the case is further up the ladder and it is
    no prerequisite still to catch up on), or is done in this episode. A case-level step is timed
    by the debts in default (a ``due-date`` step also by a debt whose due date came) and covers
    every open debt in default it applies to (one case, one plan); a per-debt step (:data:`_PER_DEBT`) or one that carries out a running plan
    (:data:`~maatwerk.core.policy.model.PLAN_ANCHORS`) only the debts whose own date came.
    """
    if (
        not step.is_side
        and rank < ladder.rung
        and not (step.is_prerequisite and ladder.done_on(step) is None)
    ):
        return None
    if step.conditions.filters_debts:
        applicable = [d for d in state.open_debts if _applies_to_debt(step, d)]
        if not applicable:
            return None
    else:
        applicable = list(state.open_debts)
    # without an anchor for any debt the step is not due: found before the rest, so that a
    # step reacting to an event the case never had costs next to nothing
    anchored = _anchors(step, applicable, state, ladder)
    if not anchored:
        return None
    per_debt = step.action in _PER_DEBT
    own_only = per_debt or step.timing.anchor in PLAN_ANCHORS
    # a debt not yet in default times a case-level step only from the day it defaults; the
    # others are eligible from their own date (``None``: every debt is)
    eligible = None if own_only or step.timing.anchor is Anchor.DUE_DATE else state.default_ids
    since: dt.date | None = None
    if not per_debt:
        if ladder.times.get(step.id, 0) >= step.max_times:
            return None
        since = ladder.done_on(step)
        if step.is_side:
            same_kind = ladder.same_kind_on(step)
            if same_kind is not None and (since is None or same_kind > since):
                since = same_kind
    floor = _gap_floor(step, ladder, tables)
    own_due: dict[str, dt.date] = {}
    for debt, anchor in anchored:
        if per_debt:
            if _done_for_debt(step, debt, state, anchor):
                continue
            if step.action is ActionKind.COURTESY_REMINDER and state.in_default(debt):
                continue
        elif since is not None and anchor <= since:
            continue
        due = _due_on(step, anchor, state, tables, floor)
        if eligible is not None and debt.debt_id not in eligible:
            due = max(due, debt.default_date)
        own_due[debt.debt_id] = due
    if not own_due:
        return None
    today = state.today
    due_now = {
        d: due for d, due in own_due.items() if due <= today and (eligible is None or d in eligible)
    }
    if not due_now:
        return min(own_due.values()), own_due, []
    covered = [
        d.debt_id
        for d in applicable
        if d.debt_id in due_now or (not own_only and state.in_default(d))
    ]
    return min(due_now.values()), own_due, covered


def _missing_prerequisite(rank: int, ladder: _Ladder) -> Step | None:
    """The lowest prerequisite rung below ``rank`` not done in this episode, if any.

    Only a prerequisite that applies to a debt in default and whose conditions hold counts
    (a 14-day letter is no prerequisite of a case with public claims only).
    """
    lowest = ladder.lowest_missing_prerequisite
    return lowest[1] if lowest is not None and lowest[0] < rank else None


def _lowest_missing_prerequisite(
    policy: Policy, state: CaseState, ladder: _Ladder
) -> tuple[int, Step] | None:
    """The lowest prerequisite rung (with its rank) that :func:`_missing_prerequisite` counts.

    Whether a rung counts does not depend on the rank asked about, so the lowest one below a
    rank is this one when it is below that rank, else there is none.
    """
    for rank, step in enumerate(policy.steps):
        if not step.is_prerequisite or ladder.done_on(step) is not None:
            continue
        if not any(_applies_to_debt(step, d) for d in state.debts_in_default):
            continue
        if _condition_failures(step, state):
            continue
        return rank, step
    return None


def _prerequisite_verdict(
    missing: Step,
    candidates: list[_Candidate],
    upcoming: list[tuple[int, Step, dt.date, tuple[str, ...]]],
) -> Verdict:
    until = next((when for _, s, when, _ in upcoming if s.id == missing.id), None)
    if any(c.step.id == missing.id for c in candidates):
        until = None
    return Verdict(
        reason=Reason(
            code="prerequisite",
            nl=f"Eerst moet een eerdere stap nog gebeuren: {missing.title('nl')}.",
            en=f"Prerequisite step {missing.id} ({missing.title('en')}) has not been taken yet.",
        ),
        until=until,
    )


def _next_step(
    upcoming: list[tuple[int, Step, dt.date, tuple[str, ...]]],
    state: CaseState,
    policy: Policy,
    ladder: _Ladder,
    tables: PolicyTables,
) -> StepNote | None:
    """The next step that can really go ahead, and when, as far as is known today.

    A step whose conditions fail today, that waits for a prerequisite, or that a guard blocks
    without an end date is not announced; a guard that postpones moves the date (a hold until
    31 March announces the call for 1 April).
    """
    best: tuple[dt.date, int, Step, tuple[str, ...]] | None = None
    # earliest first: a guard only ever moves a date later, so once a step is announced on a
    # day, no step that becomes due after that day can come first (keeps this cheap)
    for rank, step, when, ids in sorted(upcoming, key=lambda u: (u[2], u[0])):
        if best is not None and (when, rank) >= (best[0], best[1]):
            break
        if _condition_failures(step, state):
            continue
        if not step.is_side and _missing_prerequisite(rank, ladder) is not None:
            continue
        days: dict[str, dt.date] = {}
        specs = tables.guards.for_step(policy, step)
        for debt_id in ids:
            debt = state.file.case.debt(debt_id)
            verdicts = _check_guards(state, policy, step, debt, tables, specs=specs)
            if not verdicts:
                days[debt_id] = when
                continue
            untils = [v.until for v in verdicts]
            if None in untils:
                continue
            days[debt_id] = max([when, *(u for u in untils if u is not None)])
        if not days:
            continue
        day = min(days.values())
        allowed = [d for d, on in days.items() if on == day]
        if best is None or (day, rank) < (best[0], best[1]):
            best = (day, rank, step, tuple(allowed))
    if best is None:
        return None
    day, _, step, ids = best
    return StepNote(
        step_id=step.id,
        action=step.action,
        title_nl=step.title("nl"),
        kind=NoteKind.NEXT,
        debt_ids=ids,
        reasons=(
            Reason(
                code="next",
                nl=f"Volgende stap: {step.title('nl')} op {text.date(day, 'nl')}.",
                en=f"Next step: {step.id} on {day.isoformat()}.",
            ),
        ),
        until=day,
    )


def evaluate(case_file: CaseFile, policy: Policy, today: dt.date, tables: PolicyTables) -> Decision:
    """The decision for ``case_file`` under ``policy`` on ``today`` (pure, deterministic)."""
    state = derive_state(case_file, today)
    base = Decision(
        debtor_id=case_file.debtor.debtor_id,
        creditor_id=case_file.case.creditor_id,
        policy=policy.label,
        today=today,
        status=DecisionStatus.WAIT,
        action=None,
        history=_history(state, policy, tables),
        arrears=state.arrears,
        arrears_months=f"{state.arrears_months:.2f}",
    )
    if state.deceased:
        note = StepNote(
            step_id="*",
            action=ActionKind.CLOSE,
            kind=NoteKind.BLOCKED,
            debt_ids=tuple(d.debt_id for d in state.open_debts),
            reasons=(DECEASED_REASON,),
        )
        return _decided(base, DecisionStatus.STOPPED, notes=(note,))
    if not state.open_debts:
        return _closing(state, policy, tables, base)
    if state.took_step_today:
        note = StepNote(
            step_id="*",
            action=ActionKind.CLOSE,
            kind=NoteKind.POSTPONED,
            debt_ids=(),
            reasons=(ONE_STEP_A_DAY,),
            until=today + _DAY,
        )
        return _decided(base, DecisionStatus.WAIT, notes=(note,), next_check_on=today + _DAY)

    ladder = _Ladder.of(policy, state)
    candidates: list[_Candidate] = []
    notes: list[StepNote] = []
    upcoming: list[tuple[int, Step, dt.date, tuple[str, ...]]] = []
    for rank, step in enumerate(policy.steps):
        if step.action is ActionKind.CLOSE:
            continue
        found = _due_step(step, rank, state, ladder, tables)
        if found is None:
            continue
        first, own_due, covered = found
        if first > today:
            upcoming.append((rank, step, first, tuple(own_due)))
            continue
        candidate = _Candidate(step=step, rank=rank)
        candidate.due_on.update({d: own_due.get(d, first) for d in covered})
        failures = _condition_failures(step, state)
        if failures:
            notes.append(
                StepNote(
                    step_id=step.id,
                    action=step.action,
                    title_nl=step.title("nl"),
                    kind=NoteKind.CONDITION,
                    debt_ids=tuple(covered),
                    reasons=failures,
                )
            )
            continue
        missing = None if step.is_side else _missing_prerequisite(rank, ladder)
        specs = tables.guards.for_step(policy, step)
        for debt_id in covered:
            debt = case_file.case.debt(debt_id)
            verdicts = _check_guards(state, policy, step, debt, tables, specs=specs)
            if missing is not None:
                verdicts.append(_prerequisite_verdict(missing, candidates, upcoming))
            if verdicts:
                candidate.verdicts[debt_id] = verdicts
            else:
                candidate.allowed.append(debt_id)
        candidates.append(candidate)

    chosen = next((c for c in reversed(candidates) if c.allowed), None)
    for candidate in candidates:
        notes.extend(_verdict_notes(candidate.step, candidate.verdicts))
        if chosen is not None and candidate is not chosen and candidate.allowed:
            notes.append(
                StepNote(
                    step_id=candidate.step.id,
                    action=candidate.step.action,
                    title_nl=candidate.step.title("nl"),
                    kind=NoteKind.SUPERSEDED,
                    debt_ids=tuple(candidate.allowed),
                    reasons=(
                        Reason(
                            code="superseded",
                            nl=f"Vandaag gaat een zwaardere stap voor: {chosen.step.title('nl')}.",
                            en=f"Superseded today by {chosen.step.id}.",
                        ),
                    ),
                )
            )
    next_dates = [n.until for n in notes if n.until is not None]
    next_dates.extend(when for _, _, when, _ in upcoming)
    announced = _next_step(upcoming, state, policy, ladder, tables)
    if announced is not None:
        notes.append(announced)
    next_check = min(next_dates, default=None)
    if chosen is None:
        blocked = any(n.kind in (NoteKind.BLOCKED, NoteKind.POSTPONED) for n in notes)
        return _decided(
            base,
            DecisionStatus.BLOCKED if blocked else DecisionStatus.WAIT,
            notes=tuple(notes),
            next_check_on=next_check,
        )
    return _decided(
        base,
        DecisionStatus.ACT,
        action=_proposal(chosen, state, tables),
        notes=tuple(notes),
        next_check_on=next_check,
    )
