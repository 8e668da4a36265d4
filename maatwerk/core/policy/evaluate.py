"""Evaluation (besluit): for one case on one day, the next right step and why.

:func:`evaluate` is pure and deterministic: the same case file, policy, date and tables always
give the same :class:`Decision`. It reads only events and ledger lines dated up to ``today``.

Algorithm, per open debt and per step of the ladder (policy order, mildest first):

1. skip the step for a debt it does not apply to (claim kind, category, consumer), that already
   had it ``max_times`` (or whose anchor has not moved since), or that already had a *later*
   step (no going back down the ladder);
2. the step is *due* for the debt when ``today`` has reached anchor + days on its calendar;
3. case-level conditions (arrears, months, open debts, return group, segment, contact outcome)
   must hold;
4. each guard that applies may block or postpone it for that debt.

The most severe step (latest on the ladder) that is due and allowed for at least one debt is
proposed, as **one** consolidated action for every debt it is allowed for (one letter, one call);
steps blocked, postponed or superseded are recorded with their reasons. A debt that is paid or
settled drops out at once; when no debt is open any more and steps were taken, the policy's
``close`` step is proposed. At most one step per case per day: when a step was already taken
today, nothing new is proposed (so re-running a day changes nothing).
"""

from __future__ import annotations

import calendar as _cal
import datetime as dt
import enum
from typing import Final

import attrs

from maatwerk.core.debts import Debt
from maatwerk.core.events import ActionKind
from maatwerk.core.money import Money
from maatwerk.core.policy import text
from maatwerk.core.policy.casefile import CaseFile, CaseState, PolicyTables, derive_state
from maatwerk.core.policy.guards import GuardContext, Reason, Verdict
from maatwerk.core.policy.model import SIDE_ACTIONS, Anchor, Policy, Step


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


def _anchor(step: Step, debt: Debt, state: CaseState) -> dt.date | None:
    timing = step.timing
    match timing.anchor:
        case Anchor.DUE_DATE:
            return debt.due_date
        case Anchor.DEFAULT_DATE:
            return debt.default_date
        case Anchor.PREVIOUS_STEP:
            if timing.after is not None:
                taken = state.taken(timing.after, debt.debt_id)
                return taken[-1].occurred_on if taken else None
            last = state.last_step_for(debt.debt_id)
            return last.occurred_on if last is not None else None
        case Anchor.PLAN_BREACH:
            return state.last_breach(debt.debt_id)
        case Anchor.PAYMENT_RETURNED:
            returned = state.last_return(debt.debt_id)
            return returned.occurred_on if returned is not None else None
        case Anchor.INSTALMENT_MISSED:
            return state.missed_instalment(debt.debt_id)
    # Anchor.THRESHOLD
    if not state.in_default(debt):
        return None
    return state.threshold_reached_on(
        step.conditions.min_arrears, step.conditions.min_arrears_months
    )


def _due_on(step: Step, anchor: dt.date, state: CaseState, tables: PolicyTables) -> dt.date:
    calendars = tables.calendars
    due = calendars.add_days(anchor, step.timing.days, step.timing.calendar)
    if step.align_to_payday:
        due = _payday_on_or_after(due, state.debtor.payday)
        due = calendars.add_days(due, 0, step.timing.calendar)
    return due


def _done(step: Step, debt: Debt, state: CaseState, anchor: dt.date | None) -> bool:
    """Taken ``max_times`` for the debt, or taken since its anchor last moved.

    A ``threshold`` step is about the case, not one debt (Zvw 18a: one offer when the arrears
    reach 2 months): once taken after the threshold date, it is done for every debt.
    """
    if step.timing.anchor is Anchor.THRESHOLD:
        taken = tuple(s for s in state.steps_taken if s.step_id == step.id)
    else:
        taken = state.taken(step.id, debt.debt_id)
    if not taken:
        return False
    if len(taken) >= step.max_times:
        return True
    return anchor is None or anchor <= taken[-1].occurred_on


def _applies_to_debt(step: Step, debt: Debt) -> bool:
    cond = step.conditions
    if cond.claim_kinds and debt.kind not in cond.claim_kinds:
        return False
    if cond.categories and debt.category not in cond.categories:
        return False
    return not (cond.consumer_only and not debt.consumer)


def _condition_failures(step: Step, state: CaseState) -> tuple[Reason, ...]:
    cond = step.conditions
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
    shown = f"{months:.1f}"
    if cond.min_arrears_months is not None and months < cond.min_arrears_months:
        failures.append(
            Reason(
                code="min-arrears-months",
                nl=f"De achterstand is {shown} maand premie, minder dan {cond.min_arrears_months}.",
                en=f"Arrears of {shown} months' premium, fewer than {cond.min_arrears_months}.",
            )
        )
    if cond.max_arrears_months is not None and months > cond.max_arrears_months:
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
        if contact is None or contact.outcome not in cond.contact_outcomes:
            got = contact.outcome.value if contact is not None else "none"
            failures.append(
                Reason(
                    code="contact-outcome",
                    nl="Het laatste contact met de klant past niet bij deze stap.",
                    en=f"Latest contact outcome is {got}, not one of "
                    f"{', '.join(o.value for o in cond.contact_outcomes)}.",
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
    state: CaseState, policy: Policy, step: Step, debt: Debt, tables: PolicyTables
) -> list[Verdict]:
    ctx = GuardContext(state=state, policy=policy, step=step, debt=debt, tables=tables)
    verdicts: list[Verdict] = []
    for spec in tables.guards.for_step(policy, step):
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
        except KeyError:
            nl_title = en_title = taken.step_id
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
            nl=f"Contactpoging ({contact.channel.value}) op "
            f"{text.date(contact.occurred_on, 'nl')}: {contact.outcome.value}.",
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


def _passed_ranks(policy: Policy, state: CaseState) -> dict[str, int]:
    """Per debt, the highest ladder rank taken for it: a step below it is passed (never go back).

    Side steps (:data:`SIDE_ACTIONS`: referral, early signal, direct-debit re-presentation) are
    reactions, not rungs: they are never passed and never pass another step; ``close`` passes
    nothing either.
    """
    ranks: dict[str, int] = {}
    for index, step in enumerate(policy.steps):
        ranks.setdefault(step.id, index)
    highest: dict[str, int] = {}
    for taken in state.steps_taken:
        if taken.action in SIDE_ACTIONS:
            continue
        rank = ranks.get(taken.step_id)
        if (
            rank is None
            or policy.steps[rank].is_side
            or policy.steps[rank].action is ActionKind.CLOSE
        ):
            continue
        for debt_id in taken.debt_ids or ((taken.debt_id,) if taken.debt_id else ()):
            highest[debt_id] = max(highest.get(debt_id, -1), rank)
    return highest


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


def _closing(state: CaseState, policy: Policy, tables: PolicyTables, base: Decision) -> Decision:
    """No open debt left: propose ``close`` once after the last step, else nothing to do."""
    close = _close_step(policy)
    last_step = state.steps_taken[-1] if state.steps_taken else None
    if close is None or last_step is None or last_step.step_id == close.id:
        return attrs.evolve(base, status=DecisionStatus.CLOSED)
    closed_days = [d.closed_on for d in state.file.case.debts if d.closed_on is not None]
    anchor = max([last_step.occurred_on, *[d for d in closed_days if d <= state.today]])
    due = tables.calendars.add_days(anchor, close.timing.days, close.timing.calendar)
    if due > state.today:
        return attrs.evolve(base, status=DecisionStatus.WAIT, next_check_on=due)
    if state.took_step_today:
        return attrs.evolve(base, status=DecisionStatus.WAIT, next_check_on=state.today + _DAY)
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
    return attrs.evolve(base, status=DecisionStatus.ACT, action=action)


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
        return attrs.evolve(base, status=DecisionStatus.STOPPED, notes=(note,))
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
        return attrs.evolve(base, notes=(note,), next_check_on=today + _DAY)

    candidates: list[_Candidate] = []
    notes: list[StepNote] = []
    upcoming: dict[str, tuple[dt.date, list[str]]] = {}
    highest = _passed_ranks(policy, state)
    for rank, step in enumerate(policy.steps):
        if step.action is ActionKind.CLOSE:
            continue
        candidate = _Candidate(step=step, rank=rank)
        side = step.is_side
        for debt in state.open_debts:
            if not _applies_to_debt(step, debt) or (
                not side and highest.get(debt.debt_id, -1) > rank
            ):
                continue
            anchor = _anchor(step, debt, state)
            if anchor is None or _done(step, debt, state, anchor):
                continue
            due = _due_on(step, anchor, state, tables)
            if due > today:
                when, ids = upcoming.get(step.id, (due, []))
                upcoming[step.id] = (min(when, due), [*ids, debt.debt_id])
                continue
            candidate.due_on[debt.debt_id] = due
        if not candidate.due_on:
            continue
        failures = _condition_failures(step, state)
        if failures:
            notes.append(
                StepNote(
                    step_id=step.id,
                    action=step.action,
                    kind=NoteKind.CONDITION,
                    debt_ids=tuple(candidate.due_on),
                    reasons=failures,
                )
            )
            continue
        for debt_id in candidate.due_on:
            verdicts = _check_guards(state, policy, step, case_file.case.debt(debt_id), tables)
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
    if upcoming:
        step_id, (when, ids) = min(upcoming.items(), key=lambda item: (item[1][0], item[0]))
        step = policy.step(step_id)
        next_dates.append(when)
        notes.append(
            StepNote(
                step_id=step_id,
                action=step.action,
                kind=NoteKind.NEXT,
                debt_ids=tuple(ids),
                reasons=(
                    Reason(
                        code="next",
                        nl=f"Volgende stap: {step.title('nl')} op {text.date(when, 'nl')}.",
                        en=f"Next step: {step_id} on {when.isoformat()}.",
                    ),
                ),
                until=when,
            )
        )
    next_check = min(next_dates, default=None)
    if chosen is None:
        blocked = any(n.kind in (NoteKind.BLOCKED, NoteKind.POSTPONED) for n in notes)
        return attrs.evolve(
            base,
            status=DecisionStatus.BLOCKED if blocked else DecisionStatus.WAIT,
            notes=tuple(notes),
            next_check_on=next_check,
        )
    return attrs.evolve(
        base,
        status=DecisionStatus.ACT,
        action=_proposal(chosen, state, tables),
        notes=tuple(notes),
        next_check_on=next_check,
    )
