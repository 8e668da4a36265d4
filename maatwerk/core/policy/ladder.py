"""Timing on the ladder: when a policy step is due for a case, and for which debts.

The case is **one ladder** (one case, one plan). :class:`Ladder` reads the current episode once
(the steps taken since the last ``close``); :func:`due_step` finds when a step is due from its
anchor (a debt's own date, the previous step, an event), its calendar, its ``min_days_after``
gap and the debtor's payday, and which debts it covers today; :func:`missing_prerequisite` names
the lowest prerequisite rung still to catch up on. See :mod:`maatwerk.core.policy.evaluate` for
the whole algorithm.
"""

from __future__ import annotations

import calendar as _cal
import datetime as dt
import functools
from typing import Final

import attrs

from maatwerk.core.debts import Debt
from maatwerk.core.events import ActionKind, StepTaken
from maatwerk.core.policy.casefile import CaseState
from maatwerk.core.policy.conditions import applies_to_debt, condition_failures
from maatwerk.core.policy.guards import PolicyTables
from maatwerk.core.policy.household import HelpStatus, debt_help_state
from maatwerk.core.policy.model import PLAN_ANCHORS, SIDE_ACTIONS, Anchor, Policy, Step


__all__ = ["Ladder", "due_step", "missing_prerequisite"]


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
class Ladder:
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
    def of(cls, policy: Policy, state: CaseState) -> Ladder:
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
    step: Step, debts: list[Debt], state: CaseState, ladder: Ladder
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
                before = ladder.policy.step(timing.after)
                day = ladder.done_on(before)
                if day is not None and _reacts_again(before, day, debts, state, ladder):
                    return []  # the step it follows comes again first (e.g. the call)
            else:
                day = ladder.last_step_on()
            return [] if day is None else [(d, day) for d in debts]
        case Anchor.PLAN_BREACH:
            if not state.breaches and not state.broken_plans:
                return []
            found = [(d, state.last_breach(d.debt_id)) for d in debts]
        case Anchor.PROMISE_BROKEN:
            if not state.promises:
                return []
            grace = ladder.policy.settings.promise_grace_days
            found = [(d, state.promise_broken(grace, d.debt_id)) for d in debts]
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
        case Anchor.DISPUTE_RESOLVED:
            if not state.resolutions:
                return []
            found = [(d, state.dispute_resolved_on(d.debt_id)) for d in debts]
        case Anchor.DEBT_HELP_RESUMED:
            help_state = debt_help_state(state, ladder.policy.settings.debt_help_response_days)
            if help_state.status is not HelpStatus.RESUMED or help_state.since is None:
                return []
            return [(d, help_state.since) for d in debts]
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


def _reacts_again(
    before: Step, done: dt.date, debts: list[Debt], state: CaseState, ladder: Ladder
) -> bool:
    """Whether a side step doing what ``before`` does (``before`` itself, or the reaction that
    stood in for it) reacts again to an event after ``done`` (the day ``before`` was last done)
    and after it last reacted itself.

    A step that follows ``before`` then waits for that new one: after a second failed debit the
    offer follows the call about that return, not the call about the one before (which may be
    weeks ago, so the offer would go out at once, ahead of the new call). Only a reaction that
    can still come counts: anchored on an event (not on another step), under its ``max_times``,
    and, for a reaction to returns, one of its return groups.
    """
    for side in ladder.policy.steps:
        if not side.is_side or side.action is not before.action:
            continue
        if side.timing.anchor is Anchor.PREVIOUS_STEP:
            continue
        if ladder.times.get(side.id, 0) >= side.max_times:
            continue
        groups = side.conditions.return_groups
        if groups:
            last = state.last_return()
            if last is None or last.group not in groups:
                continue
        since = max(done, ladder.last_taken.get(side.id, done))
        if any(anchor > since for _, anchor in _anchors(side, debts, state, ladder)):
            return True
    return False


def _gap_floor(step: Step, ladder: Ladder, tables: PolicyTables) -> dt.date | None:
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


def due_step(
    step: Step, rank: int, state: CaseState, ladder: Ladder, tables: PolicyTables
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
        applicable = [d for d in state.collectable_debts if applies_to_debt(step, d)]
        if not applicable:
            return None
    else:
        applicable = list(state.collectable_debts)
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


def missing_prerequisite(rank: int, ladder: Ladder) -> Step | None:
    """The lowest prerequisite rung below ``rank`` not done in this episode, if any.

    Only a prerequisite that applies to a debt in default and whose conditions hold counts
    (a 14-day letter is no prerequisite of a case with public claims only).
    """
    lowest = ladder.lowest_missing_prerequisite
    return lowest[1] if lowest is not None and lowest[0] < rank else None


def _lowest_missing_prerequisite(
    policy: Policy, state: CaseState, ladder: Ladder
) -> tuple[int, Step] | None:
    """The lowest prerequisite rung (with its rank) that :func:`missing_prerequisite` counts.

    Whether a rung counts does not depend on the rank asked about, so the lowest one below a
    rank is this one when it is below that rank, else there is none.
    """
    for rank, step in enumerate(policy.steps):
        if not step.is_prerequisite or ladder.done_on(step) is not None:
            continue
        if not any(applies_to_debt(step, d) for d in state.debts_in_default):
            continue
        if condition_failures(step, state):
            continue
        return rank, step
    return None
