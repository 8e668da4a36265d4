"""Idle cases (rustende dossiers): when a case may be left alone until a later day.

Most cases need nothing on most days: the next step is weeks away and nothing happened. The daily
run still decides every case every day, but for an *idle* case it records the decision it made
last time without deriving the case state again. That is sound only when the decision cannot
change before a known day, so :func:`idle_until` is conservative:

* only a decision without a step today (``wait``, ``closed``, ``stopped``), one postponed by
  guards to a known day, or one blocked by a guard that only the stored data can lift
  (:data:`DATA_BLOCKS`: debt help, consent, vulnerable, dispute, deceased, time-barred; the run adds
  ``arrangement-kept`` with the plan's instalment dates) can rest; a step taken, a review
  waiting or another guard blocking without an end date means: look again tomorrow;
* the case rests until the earliest of: the policy's own ``next_check_on``; **every** date in
  the stored case that lies after today (a due or default date, a ledger line, a payment, a
  mandate, any date field of any event) and the day after it (a hold that ends, a promise that
  lapses); and the extra dates the caller passes (e.g. the next interest posting).

Everything else that can change a decision is a change of the stored data (an event, a new debt,
payment or mandate, a changed row with its audit event, another policy): the storage adapter
compares a fingerprint of that data (:attr:`IdleCase.fingerprint`) and re-evaluates on any change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Final, Protocol, runtime_checkable

import attrs

from maatwerk.core.calendar import Calendars
from maatwerk.core.debtors import HouseholdType
from maatwerk.core.events import ActionKind, Event
from maatwerk.core.policy.decision import Decision, DecisionStatus, NoteKind
from maatwerk.core.policy.model import Anchor, Policy
from maatwerk.core.records import CaseKey, CaseOutcome, StoredCase


__all__ = [
    "DATA_BLOCKS",
    "FreshPolicy",
    "FreshRule",
    "FreshStore",
    "IdleCase",
    "IdleStore",
    "RestedDay",
    "future_dates",
    "idle_until",
]

_DAY = dt.timedelta(days=1)
_RESTING = frozenset({DecisionStatus.WAIT, DecisionStatus.CLOSED, DecisionStatus.STOPPED})

#: Stock guards whose block (without an end date) depends on the stored data only, never on the
#: date: debt help running, no consent, a vulnerable debtor, an open dispute, a deceased debtor,
#: a time-barred debt (once barred it stays barred: a later act does not revive it).
#: A case they block may rest: any change of that data (an event, an imported row) changes the
#: case's fingerprint and wakes it, and every future date in the case wakes it too.
DATA_BLOCKS: Final = frozenset(
    {"debt-help", "consent", "vulnerable", "dispute", "deceased", "time-barred"}
)


@attrs.frozen(kw_only=True)
class IdleCase:
    """What the run stored about a case's last real evaluation (its resting state).

    ``wake_on``: the first day the case must be evaluated again (``None``: the next run).
    ``fingerprint``: a digest of the stored data the evaluation read; ``evaluator``: the
    evaluator's signature (policies and settings). A case is idle on ``day`` when
    ``evaluated_on <= day < wake_on`` and both are unchanged.
    """

    key: CaseKey
    evaluated_on: dt.date
    wake_on: dt.date | None
    policy: str
    outcome: str
    blocked_by: str | None = None
    fingerprint: str = ""
    evaluator: str = ""

    def idle_on(self, day: dt.date, *, fingerprint: str, evaluator: str) -> bool:
        return (
            self.wake_on is not None
            and self.evaluated_on <= day < self.wake_on
            and self.fingerprint == fingerprint
            and self.evaluator == evaluator
        )


@attrs.frozen(kw_only=True)
class RestedDay:
    """What :meth:`IdleStore.rest_idle` recorded at the start of a run date."""

    already_decided: int
    """cases that had a decision for the date before (a rerun, or a run after a crash)"""
    rested: tuple[tuple[str, str | None], ...]
    """``(outcome, blocked_by)`` of each idle case whose decision was recorded now"""


@runtime_checkable
class IdleStore(Protocol):
    """The storage side of idle cases (the SQL store implements it next to ``Store``).

    Separate from :class:`~maatwerk.core.ports.Store` so that a store without it still runs:
    every case is then evaluated every day.
    """

    def rest_idle(self, run_date: dt.date, *, evaluator: str) -> RestedDay:
        """Record ``run_date``'s decision of every case idle that day that has none yet, at
        once (set-based, one transaction), before the run pages through the other cases."""
        ...

    def pending_keys(
        self, run_date: dt.date, *, after: CaseKey | None, limit: int
    ) -> Sequence[CaseKey]:
        """Up to ``limit`` case keys after ``after`` (key order) without a decision for
        ``run_date``: what is left to evaluate after :meth:`rest_idle`."""
        ...

    def plan_batch(
        self, run_date: dt.date, keys: Sequence[CaseKey], *, evaluator: str
    ) -> tuple[Sequence[IdleCase], Mapping[CaseKey, str]]:
        """The cases of ``keys`` idle on ``run_date``, and the fingerprints of the others."""
        ...

    def record_batch(
        self,
        run_date: dt.date,
        outcomes: Sequence[CaseOutcome],
        *,
        idle: Sequence[IdleCase],
        fingerprints: Mapping[CaseKey, str],
        evaluator: str,
    ) -> int:
        """Record evaluated outcomes, the idle cases' decisions and the new resting states.

        One transaction, like ``record_outcomes``; cases already decided for ``run_date``
        are left alone.
        """
        ...


def _event_dates(event: Event) -> Iterator[dt.date]:
    """The day an event counts from, and every other date it carries plus the day after it.

    An event counts from ``occurred_on``; a date inside it (a hold's end, a promised day) may
    be an inclusive last day, so the state can change the day after it too.
    """
    yield event.occurred_on
    for field in attrs.fields(type(event)):
        if field.name == "occurred_on":
            continue
        value = getattr(event, field.name)
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            yield value
            yield value + _DAY


def future_dates(stored: StoredCase, today: dt.date) -> Iterator[dt.date]:
    """Every date in the stored case after ``today`` from which the case's state may differ.

    Debt, ledger, payment and mandate dates count from the day itself (``day <= today``);
    see :func:`_event_dates` for events.
    """
    found: list[dt.date] = []
    for debt in stored.case.debts:
        found.extend((debt.due_date, debt.default_date))
        if debt.closed_on is not None:
            found.append(debt.closed_on)
        found.extend(line.posted_on for line in debt.costs)
        found.extend(line.posted_on for line in debt.interest)
        found.extend(a.applied_on for a in debt.applied)
    found.extend(p.received_on for p in stored.payments)
    for mandate in stored.mandates:
        found.append(mandate.signed_on)
        if mandate.revoked_on is not None:
            found.append(mandate.revoked_on)
    for event in stored.events:
        found.extend(_event_dates(event))
    for day in found:
        if day > today:
            yield day


def idle_until(
    decision: Decision,
    stored: StoredCase,
    *,
    also: Iterable[dt.date] = (),
    settled: frozenset[str] = DATA_BLOCKS,
) -> dt.date | None:
    """The first day after ``decision.today`` the case must be evaluated again, or ``None``.

    ``None`` means "tomorrow" (the case is not idle). ``also``: further days on which the
    caller's own work for the case changes (e.g. an interest or cost posting falling due).
    ``settled``: reason codes of guards whose block without an end date changes only with the
    stored data, or on a day the caller put in ``also`` (default :data:`DATA_BLOCKS`).
    """
    today = decision.today
    if decision.action is not None:
        return None
    if decision.status not in _RESTING:
        if decision.status is not DecisionStatus.BLOCKED:
            return None
        for note in decision.notes:
            if note.kind is NoteKind.BLOCKED and (
                not note.reasons or any(r.code not in settled for r in note.reasons)
            ):
                return None
            if note.kind is NoteKind.POSTPONED and note.until is None:
                return None
    candidates = [d for d in (decision.next_check_on, *also) if d is not None]
    candidates.extend(future_dates(stored, today))
    wake = min(candidates, default=dt.date.max)
    return wake if wake > today + _DAY else None


# ------------------------------------------------------------------------ cases never decided
#: Anchors a case without events, payments or steps has a date for: a debt's own dates, and the
#: day its arrears reached a threshold (always one of its debts' default dates). Every other
#: anchor (a previous step, a plan, a promise, a return, a dispute, debt help) needs an event.
_OWN_DATE_ANCHORS: Final = frozenset({Anchor.DUE_DATE})
_DEFAULT_ANCHORS: Final = frozenset({Anchor.DEFAULT_DATE, Anchor.THRESHOLD})
#: A non-bijstand household's protected income is at most 95 % of its net income (Rv 475dc lid 1,
#: rounded half-up to cents), so above 10 cents of income it always has room: 1 euro to be safe.
_CAP_DECIDES_CENTS: Final = 100
#: The shortest limitation period is 2 years (BW 7:28): a debt due within the last year is not
#: time-barred.
_BARRED_MARGIN: Final = dt.timedelta(days=365)


@attrs.frozen(kw_only=True)
class FreshPolicy:
    """What :class:`FreshRule` needs of one policy: its label, the ``(days, calendar)`` of each
    step timed from a debt's due date and from its default date (or threshold), and whether it
    may post interest (from the default date on)."""

    label: str
    from_due: tuple[tuple[int, str], ...]
    from_default: tuple[tuple[int, str], ...]
    charges: bool

    @classmethod
    def of(cls, policy: Policy) -> FreshPolicy:
        steps = [s for s in policy.steps if s.action is not ActionKind.CLOSE]
        settings = policy.settings
        return cls(
            label=policy.label,
            from_due=tuple(
                (s.timing.days, s.timing.calendar)
                for s in steps
                if s.timing.anchor in _OWN_DATE_ANCHORS
            ),
            from_default=tuple(
                (s.timing.days, s.timing.calendar)
                for s in steps
                if s.timing.anchor in _DEFAULT_ANCHORS
            ),
            charges=settings.charge_interest or settings.charge_costs,
        )


@attrs.frozen(kw_only=True)
class FreshRule:
    """How the run lets a case it never decided rest without evaluating it (set-based).

    A *fresh* case has no events, payments, ledger lines, outbox rows or resting state, all its
    debts are open, and its debtor is not deceased (the storage adapter selects them in SQL).
    Such a case has no step taken, no plan, promise, hold, return, dispute or debt help: no step
    can be due before the first day a step timed from a debt's due or default date comes
    (:meth:`wake_on`; a business-day count is monotone in its start, so the earliest debt's
    date gives the earliest day). Before that day a full evaluation decides ``wait``
    (outcome ``none``) and writes nothing: no step, no interest (none before the default date),
    no problematic-debt flag (the household has room: see :meth:`wake_on`). So the run records
    ``none`` and a resting state until that day; on it (or on any change of the case's data,
    through the fingerprint) the case is evaluated in full. ``until``: the latest wake day
    (the next change of the BVV tables). ``bijstand_floor_cents``: the highest protected income
    of a single person and of a couple on bijstand in the tables (95 % of the highest norm of
    any period, Rv 475dc lid 2; ``None``: unknown, such a household is evaluated).
    """

    policies: Mapping[str, FreshPolicy]
    default: str
    by_creditor: Mapping[str, str]
    by_segment: Mapping[str, str]
    calendars: Calendars
    until: dt.date
    bijstand_floor_cents: tuple[int, int] | None = None
    """the highest protected income on bijstand (single, couple) in cents, see above"""
    _memo: dict[tuple[str, dt.date, dt.date | None], dt.date] = attrs.field(
        factory=dict, init=False, eq=False, repr=False
    )
    """wake days by (policy, first due date, first default date): cases share their dates"""

    def policy_for(self, creditor_id: str, segment: str) -> FreshPolicy:
        """The policy of a case, chosen as the evaluator chooses it."""
        name = self.by_creditor.get(creditor_id, self.by_segment.get(segment, self.default))
        return self.policies[name]

    def wake_on(
        self,
        today: dt.date,
        *,
        creditor_id: str,
        segment: str,
        household: str,
        on_bijstand: bool,
        net_income_cents: int | None,
        first_due: dt.date,
        first_default: dt.date | None,
    ) -> tuple[str, dt.date] | None:
        """The policy label and the first day a fresh case must be evaluated, or ``None`` when
        it must be evaluated today (a step may be due, or the household may have no room).

        ``first_due``: the earliest due date of the case's debts; ``first_default``: the
        earliest default date stored (``None``: none stored; a debt's default date is otherwise
        the day after its due date).
        """
        if net_income_cents is not None:
            if on_bijstand:
                floors = self.bijstand_floor_cents
                if floors is None:
                    return None
                couple = HouseholdType.parse(household).has_partner
                if net_income_cents <= floors[1 if couple else 0]:
                    return None
            elif net_income_cents <= _CAP_DECIDES_CENTS:
                return None
        if first_due <= today - _BARRED_MARGIN:
            return None
        policy = self.policy_for(creditor_id, segment)
        key = (policy.label, first_due, first_default)
        wake = self._memo.get(key)
        if wake is None:
            wake = self._memo[key] = self._wake(policy, first_due, first_default)
        return (policy.label, wake) if wake > today else None

    def _wake(
        self, policy: FreshPolicy, first_due: dt.date, first_default: dt.date | None
    ) -> dt.date:
        """The first day a step of ``policy`` can be due (or interest posted), or ``until``;
        a policy without steps timed from a debt's date: ``date.min`` (never rests)."""
        if not policy.from_due and not policy.from_default:
            return dt.date.min
        default = first_due + _DAY
        if first_default is not None and first_default < default:
            default = first_default
        add = self.calendars.add_days
        days = [self.until]
        days.extend(add(first_due, n, calendar) for n, calendar in policy.from_due)
        days.extend(add(default, n, calendar) for n, calendar in policy.from_default)
        if policy.charges:
            days.append(default)
        return min(days)


@runtime_checkable
class FreshStore(Protocol):
    """The storage side of :class:`FreshRule` (the SQL store implements it)."""

    def rest_fresh(self, run_date: dt.date, rule: FreshRule, *, evaluator: str) -> int:
        """Record ``run_date``'s decision (``none``) and the resting state of every fresh case
        that :meth:`FreshRule.wake_on` lets rest; returns how many. Set-based, in pages of
        debtors, each page one transaction (a crash leaves whole pages)."""
        ...
