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

import datetime as dt
from typing import Final

import attrs

from maatwerk.core.calendar import legal_deadline
from maatwerk.core.debts import Debt
from maatwerk.core.events import ActionKind
from maatwerk.core.letter_dates import zvw_notice_last_day
from maatwerk.core.money import Money
from maatwerk.core.policy import text
from maatwerk.core.policy.casefile import CaseFile, CaseState, derive_state
from maatwerk.core.policy.conditions import condition_failures
from maatwerk.core.policy.decision import (
    Decision,
    DecisionStatus,
    HistoryLine,
    NoteKind,
    ProposedAction,
    StepNote,
)
from maatwerk.core.policy.guards import (
    DECEASED_REASON,
    GuardContext,
    GuardSpec,
    PolicyTables,
    time_barred_reason,
)
from maatwerk.core.policy.household import (
    circumstances,
    costs_waived,
    debt_help_reason,
    flag_due,
    household_reason,
)
from maatwerk.core.policy.ladder import Ladder, due_step, missing_prerequisite
from maatwerk.core.policy.model import ACTION_LABELS, Policy, Step
from maatwerk.core.policy.reasons import Reason, Verdict


__all__ = ["evaluate"]

_DAY: Final = dt.timedelta(days=1)

ONE_STEP_A_DAY: Final = Reason(
    code="one-step-a-day",
    nl="Vandaag is al een stap gezet. Morgen kijken we opnieuw.",
    en="A step was already taken today; next check tomorrow.",
)


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
    for notice in state.zvw_notices:
        last = max(
            zvw_notice_last_day(notice.received_on, tables.calendars.get(tables.atw)),
            notice.last_day,
        )
        what_nl = "naar de SKGZ of de rechter" if notice.second else "bezwaar maken"
        what_en = "go to the SKGZ or the court" if notice.second else "dispute"
        kind = "Tweede brief" if notice.second else "Brief"
        lines.append(
            HistoryLine(
                on=notice.occurred_on,
                code="zvw-notice",
                nl=f"{kind} over aanmelding bij het CAK ontvangen op "
                f"{text.date(notice.received_on, 'nl')}; de klant kan tot en met "
                f"{text.date(last, 'nl')} {what_nl}.",
                en=f"Zvw 18b {'second ' if notice.second else ''}notice received "
                f"{notice.received_on.isoformat()}; may {what_en} until {last.isoformat()}.",
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
    lines.extend(_promise_lines(state, policy))
    return tuple(sorted(lines, key=lambda h: h.on))


def _promise_lines(state: CaseState, policy: Policy) -> list[HistoryLine]:
    """Each promise to pay, and whether it was kept, broken (with what was paid) or still runs."""
    lines: list[HistoryLine] = []
    for judged in state.judged_promises(policy.settings.promise_grace_days):
        made = judged.promise
        on_nl, on_en = text.date(made.occurred_on, "nl"), made.occurred_on.isoformat()
        by_nl, by_en = text.date(made.promised_for, "nl"), made.promised_for.isoformat()
        amount_nl, amount_en = text.amount(made.amount, "nl"), text.amount(made.amount, "en")
        lines.append(
            HistoryLine(
                on=made.occurred_on,
                code="promise",
                nl=f"Op {on_nl} beloofde de klant uiterlijk {by_nl} {amount_nl} te betalen.",
                en=f"Promise to pay {amount_en} by {by_en}, made {on_en}.",
            )
        )
        promised = judged.state
        if promised.kept_on is not None:
            lines.append(
                HistoryLine(
                    on=promised.kept_on,
                    code="promise-kept",
                    nl=f"De klant heeft de belofte nagekomen: betaald op "
                    f"{text.date(promised.kept_on, 'nl')}.",
                    en=f"Promise kept: paid in full on {promised.kept_on.isoformat()}.",
                )
            )
        elif promised.broken_on is not None:
            last = promised.last_day or made.promised_for
            paid_nl, paid_en = text.amount(promised.paid, "nl"), text.amount(promised.paid, "en")
            lines.append(
                HistoryLine(
                    on=promised.broken_on,
                    code="promise-broken",
                    nl=f"De klant heeft de belofte niet nagekomen: tot en met "
                    f"{text.date(last, 'nl')} is {paid_nl} van {amount_nl} betaald.",
                    en=f"Promise broken: {paid_en} of {amount_en} paid by {last.isoformat()}.",
                )
            )
    return lines


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
    amount = sum((state.outstanding[d] for d in candidate.allowed), Money.zero())
    return _step_action(step, tuple(candidate.allowed), due_on, due_by, amount)


def _step_action(
    step: Step,
    debt_ids: tuple[str, ...],
    due_on: dt.date,
    due_by: dt.date | None,
    amount: Money,
) -> ProposedAction:
    """The action ``step`` proposes for ``debt_ids``."""
    return ProposedAction(
        step_id=step.id,
        action=step.action,
        channel=step.channel,
        debt_ids=debt_ids,
        due_on=due_on,
        due_by=due_by,
        needs_review=step.review,
        amount=amount,
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
        household=base.household,
        debt_help=base.debt_help,
        costs_waived=base.costs_waived,
        flag_problematic=base.flag_problematic,
        room=base.room,
        circumstances=base.circumstances,
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
    action = _step_action(close, debt_ids, due, None, Money.zero())
    return _decided(base, DecisionStatus.ACT, action=action)


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


def _time_barred_notes(state: CaseState) -> list[StepNote]:
    """One blocked note per time-barred debt: it left the ladder, and this says why."""
    return [
        StepNote(
            step_id="*",
            action=ActionKind.CLOSE,
            kind=NoteKind.BLOCKED,
            debt_ids=(debt_id,),
            reasons=(time_barred_reason(debt_id, result),),
        )
        for debt_id, result in sorted(state.time_barred.items())
    ]


def _next_step(
    upcoming: list[tuple[int, Step, dt.date, tuple[str, ...]]],
    state: CaseState,
    policy: Policy,
    ladder: Ladder,
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
        if condition_failures(step, state):
            continue
        if not step.is_side and missing_prerequisite(rank, ladder) is not None:
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


def _call_first(chosen: _Candidate | None, candidates: list[_Candidate]) -> dt.date | None:
    """The day a call that outranks ``chosen`` moves to when only the ``call-day`` guard holds
    it (a weekend day or public holiday, or the debtor was reached today): the case then waits
    for that call, so the call still comes first (not a letter today and the call later)."""
    if chosen is None:
        return None
    for candidate in candidates:
        if candidate.rank <= chosen.rank or candidate.step.action is not ActionKind.PHONE_CALL:
            continue
        verdicts = [v for found in candidate.verdicts.values() for v in found]
        if verdicts and all(v.reason.code == "call-day" and v.until for v in verdicts):
            return min(v.until for v in verdicts if v.until is not None)
    return None


def _waits_for_call(chosen: _Candidate, until: dt.date) -> StepNote:
    nl, en = text.date(until, "nl"), until.isoformat()
    return StepNote(
        step_id=chosen.step.id,
        action=chosen.step.action,
        title_nl=chosen.step.title("nl"),
        kind=NoteKind.POSTPONED,
        debt_ids=tuple(chosen.allowed),
        reasons=(
            Reason(
                code="call-first",
                nl=f"We bellen de klant eerst, op {nl}. Deze stap wacht daarop.",
                en=f"The debtor is called first, on {en}; this step waits for that.",
            ),
        ),
        until=until,
    )


def evaluate(case_file: CaseFile, policy: Policy, today: dt.date, tables: PolicyTables) -> Decision:
    """The decision for ``case_file`` under ``policy`` on ``today`` (pure, deterministic)."""
    state = derive_state(case_file, today)
    debt_help = debt_help_reason(state, policy)
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
        household=household_reason(state),
        debt_help=debt_help,
        costs_waived=costs_waived(state, policy),
        flag_problematic=flag_due(state) and not state.deceased,
        room=None if state.file.household is None else state.file.household.room,
        circumstances=circumstances(state, debt_help=debt_help is not None),
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

    ladder = Ladder.of(policy, state)
    candidates: list[_Candidate] = []
    notes: list[StepNote] = []
    upcoming: list[tuple[int, Step, dt.date, tuple[str, ...]]] = []
    for rank, step in enumerate(policy.steps):
        if step.action is ActionKind.CLOSE:
            continue
        found = due_step(step, rank, state, ladder, tables)
        if found is None:
            continue
        first, own_due, covered = found
        if first > today:
            upcoming.append((rank, step, first, tuple(own_due)))
            continue
        candidate = _Candidate(step=step, rank=rank)
        candidate.due_on.update({d: own_due.get(d, first) for d in covered})
        failures = condition_failures(step, state)
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
        missing = None if step.is_side else missing_prerequisite(rank, ladder)
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
    waits_for_call = _call_first(chosen, candidates)
    if chosen is not None and waits_for_call is not None:
        notes.append(_waits_for_call(chosen, waits_for_call))
        chosen = None
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
    notes.extend(_time_barred_notes(state))
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
