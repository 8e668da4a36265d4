"""The day's orchestration: page through the portfolio, evaluate, record, dispatch, count.

:func:`run_day` runs one date for the whole portfolio (see :mod:`maatwerk.services.run` for the
steps and the exactly-once guarantee); :class:`RunSummary` is what it did (the ``--json``
summary of ``maatwerk run``), :class:`RunSettings` its knobs.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Protocol, runtime_checkable

import attrs
import structlog

from maatwerk.core.idle import FreshRule, FreshStore, IdleCase, IdleStore
from maatwerk.core.ports import EventListener, Store
from maatwerk.core.records import CaseKey, CaseOutcome, StoredCase
from maatwerk.services.announce import announce_outcomes
from maatwerk.services.faults import fault_point
from maatwerk.services.run.dispatch import Dispatcher


#: Debug logs name cases by their ids only (never a name, an address or an IBAN).
_log = structlog.get_logger("maatwerk.run")


__all__ = [
    "CaseEvaluator",
    "DayPlan",
    "FreshEvaluator",
    "Pages",
    "RunSettings",
    "RunSummary",
    "SignedEvaluator",
    "dispatch",
    "plan_day",
    "rest_idle",
    "run_cases",
    "run_day",
    "whole_debtors",
]


class CaseEvaluator(Protocol):
    """Decides one stored case for one date (pure: no I/O, same input -> same outcome)."""

    def __call__(self, stored: StoredCase, today: dt.date) -> CaseOutcome: ...


@runtime_checkable
class SignedEvaluator(Protocol):
    """An evaluator that sets ``CaseOutcome.wake_on`` and names its configuration.

    ``signature`` changes whenever a stored resting state could be wrong for it (another
    policy, version or setting): idle cases are only skipped under the same signature.
    """

    @property
    def signature(self) -> str: ...

    def __call__(self, stored: StoredCase, today: dt.date) -> CaseOutcome: ...


@runtime_checkable
class FreshEvaluator(Protocol):
    """A :class:`SignedEvaluator` that can say how a case it never decided may rest unevaluated
    (``core/idle.py``, :class:`~maatwerk.core.idle.FreshRule`)."""

    def fresh_rule(self, today: dt.date) -> FreshRule: ...


@attrs.frozen(kw_only=True)
class RunSettings:
    """Knobs of a run. Batch sizes are settings, not constants (see the roadmap's scale goals)."""

    batch_size: int = 500
    dispatch_batch: int = 500
    skip_idle: bool = True
    """leave idle cases alone (``core/idle.py``); ``False``: derive every case every day"""
    prepared_by: str = "engine"
    """who "prepares" the steps that need review (maker); the approver must differ"""
    four_eyes: bool = True


@attrs.define
class RunSummary:
    """What a run did (the ``--json`` summary of ``maatwerk run``)."""

    run_date: dt.date
    dry_run: bool
    cases_total: int = 0
    cases_evaluated: int = 0
    cases_already_decided: int = 0
    cases_idle: int = 0
    """of ``cases_evaluated``: idle cases, decided from their resting state (``core/idle.py``)"""
    outcomes: Counter[str] = attrs.Factory(Counter)
    actions_per_kind: Counter[str] = attrs.Factory(Counter)
    blocked_per_reason: Counter[str] = attrs.Factory(Counter)
    review_queued: int = 0
    dispatched: Counter[str] = attrs.Factory(Counter)
    duration_seconds: Decimal = Decimal(0)
    channel_failures: Counter[tuple[str, str]] = attrs.Factory(Counter)
    """actions whose channel raised, per (channel, plugin): kept in the outbox for the next run"""

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_date": self.run_date.isoformat(),
            "dry_run": self.dry_run,
            "cases_total": self.cases_total,
            "cases_evaluated": self.cases_evaluated,
            "cases_already_decided": self.cases_already_decided,
            "cases_idle": self.cases_idle,
            "outcomes": dict(sorted(self.outcomes.items())),
            "actions_per_kind": dict(sorted(self.actions_per_kind.items())),
            "blocked_per_reason": dict(sorted(self.blocked_per_reason.items())),
            "review_queued": self.review_queued,
            "dispatched": dict(sorted(self.dispatched.items())),
            "duration_seconds": str(self.duration_seconds),
            "channel_failures": [
                {"channel": channel, "plugin": plugin, "actions": count}
                for (channel, plugin), count in sorted(self.channel_failures.items())
            ],
        }

    def add(self, part: Mapping[str, Any]) -> None:
        """Add the case counts of ``part`` (another summary's :meth:`as_dict`, e.g. one shard's
        of a run with several workers, :mod:`.shards`)."""
        self.cases_evaluated += int(part.get("cases_evaluated", 0))
        self.cases_already_decided += int(part.get("cases_already_decided", 0))
        self.cases_idle += int(part.get("cases_idle", 0))
        self.review_queued += int(part.get("review_queued", 0))
        for name in ("outcomes", "actions_per_kind", "blocked_per_reason"):
            counter: Counter[str] = getattr(self, name)
            counter.update({str(k): int(v) for k, v in dict(part.get(name) or {}).items()})


# ---------------------------------------------------------------------------------- the run
#: A page of case keys after a key (``None``: from the start), at most ``limit`` of them, in key
#: order: the store's own paging, or one shard's range (:mod:`.shards`).
Pages = Callable[[CaseKey | None, int], Sequence[CaseKey]]


@attrs.frozen(kw_only=True)
class DayPlan:
    """How one run date pages through its cases and records them (shared by :func:`run_day`
    and the workers of :mod:`.shards`)."""

    store: Store
    evaluate_case: CaseEvaluator
    run_date: dt.date
    settings: RunSettings
    dry_run: bool
    signature: str
    """the evaluator's signature (``""``: not a :class:`SignedEvaluator`)"""
    idle_store: IdleStore | None

    @property
    def rested_first(self) -> bool:
        """Idle cases are recorded set-based before the loop (:func:`rest_idle`)."""
        return self.idle_store is not None and not self.dry_run

    def pages(self) -> Pages:
        """The store's paging: the keys still pending after :func:`rest_idle`, else every key."""
        idle_store = self.idle_store
        if idle_store is not None and self.rested_first:
            run_date = self.run_date
            return lambda after, limit: idle_store.pending_keys(run_date, after=after, limit=limit)
        store = self.store
        return lambda after, limit: store.case_keys(after=after, limit=limit)


def plan_day(
    store: Store,
    evaluate_case: CaseEvaluator,
    run_date: dt.date,
    *,
    settings: RunSettings = RunSettings(),
    dry_run: bool = False,
) -> DayPlan:
    """The :class:`DayPlan` of ``run_date`` for ``store`` and ``evaluate_case``."""
    signature = evaluate_case.signature if isinstance(evaluate_case, SignedEvaluator) else ""
    idle_store = (
        store if signature and settings.skip_idle and isinstance(store, IdleStore) else None
    )
    return DayPlan(
        store=store,
        evaluate_case=evaluate_case,
        run_date=run_date,
        settings=settings,
        dry_run=dry_run,
        signature=signature,
        idle_store=idle_store,
    )


def rest_idle(plan: DayPlan, summary: RunSummary) -> int:
    """Record the decisions of the cases idle on the day, set-based (when the plan rests them
    first); returns how many cases that settled (already decided and rested now)."""
    if plan.idle_store is None or not plan.rested_first:
        return 0
    idle_store, run_date = plan.idle_store, plan.run_date
    day = idle_store.rest_idle(run_date, evaluator=plan.signature)
    summary.cases_already_decided += day.already_decided
    for resting, blocked_by in day.rested:
        _count_idle(summary, resting, blocked_by)
    settled = day.already_decided + len(day.rested)
    # cases never decided whose first step is not due yet rest without an evaluation
    evaluate_case = plan.evaluate_case
    if isinstance(evaluate_case, FreshEvaluator) and isinstance(idle_store, FreshStore):
        fresh = idle_store.rest_fresh(
            run_date, evaluate_case.fresh_rule(run_date), evaluator=plan.signature
        )
        for _ in range(fresh):
            _count_idle(summary, "none", None)
        settled += fresh
    fault_point("idle-rested")
    return settled


def whole_debtors(keys: Sequence[CaseKey], limit: int) -> Sequence[CaseKey]:
    """``keys`` (a page in key order) without its last debtor's cases when the page is full and
    holds more than one debtor: that debtor's other cases may be on the next page.

    So a batch never splits a debtor's cases (a debtor's cases share its events and payments),
    and a run records the same whatever its batches or shards (:mod:`.shards`).
    """
    if len(keys) < limit or keys[0].debtor_id == keys[-1].debtor_id:
        return keys
    last = keys[-1].debtor_id
    return [k for k in keys if k.debtor_id != last]


def run_cases(
    plan: DayPlan,
    summary: RunSummary,
    *,
    pages: Pages | None = None,
    pending_only: bool | None = None,
    progress: Callable[[int, int], None] | None = None,
    done: int = 0,
    listener: EventListener | None = None,
) -> int:
    """Evaluate and record the cases ``pages`` gives (default: :meth:`DayPlan.pages`), a batch
    at a time; ``pending_only``: the pages hold only cases without a decision on the day
    (default: when the plan rests idle cases first). Returns ``done`` plus the cases paged."""
    store, settings, run_date = plan.store, plan.settings, plan.run_date
    idle_store = plan.idle_store
    if pending_only is None:
        pending_only = plan.rested_first
    page = pages if pages is not None else plan.pages()
    after: CaseKey | None = None
    batch_number = 0
    while keys := whole_debtors(page(after, settings.batch_size), settings.batch_size):
        after = keys[-1]
        batch_number += 1
        batch_started = time.monotonic()
        # pending keys leave out the cases decided today already; a plain page may hold some
        decided = frozenset() if pending_only else store.decided(run_date, keys)
        summary.cases_already_decided += len(decided)
        todo = [k for k in keys if k not in decided]
        idle: Sequence[IdleCase] = ()
        prints: Mapping[CaseKey, str] = {}
        if idle_store is not None and todo:
            idle, prints = idle_store.plan_batch(run_date, todo, evaluator=plan.signature)
            todo = [k for k in todo if k in prints]
        outcomes = [
            _with_settings(plan.evaluate_case(stored, run_date), settings)
            for stored in store.load_cases(todo)
        ]
        outcomes = _hold_for_review(outcomes, store.pending_steps(todo) if todo else frozenset())
        if not plan.dry_run:
            fault_point("before-batch-saved")
            if idle_store is not None:
                recorded = idle_store.record_batch(
                    run_date, outcomes, idle=idle, fingerprints=prints, evaluator=plan.signature
                )
            else:
                recorded = store.record_outcomes(run_date, outcomes)
            announce_outcomes(listener, outcomes, recorded=recorded)
            fault_point("after-batch-saved")
        for outcome in outcomes:
            _count(summary, outcome)
            decision = outcome.decision
            _log.debug(
                "case_decided",
                debtor_id=decision.case.debtor_id,
                creditor_id=decision.case.creditor_id,
                outcome=decision.outcome,
                step=decision.step,
                blocked_by=decision.blocked_by,
                actions=len(outcome.outbox),
                events=len(outcome.events),
            )
        _log.debug(
            "run_batch",
            batch=batch_number,
            cases=len(keys),
            already_decided=len(decided),
            evaluated=len(outcomes),
            resting=len(idle),
            ms=round((time.monotonic() - batch_started) * 1000, 1),
        )
        for state in idle:
            _count_idle(summary, state.outcome, state.blocked_by)
        done += len(keys)
        if progress is not None:
            progress(done, summary.cases_total)
    return done


def run_day(
    store: Store,
    evaluate_case: CaseEvaluator,
    run_date: dt.date,
    *,
    dispatcher: Dispatcher | None = None,
    settings: RunSettings = RunSettings(),
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
    listener: EventListener | None = None,
) -> RunSummary:
    """Run ``run_date`` for the whole portfolio; see :mod:`maatwerk.services.run`.

    ``listener`` hears the events of each batch after the batch committed.
    """
    started = clock()
    summary = RunSummary(run_date=run_date, dry_run=dry_run)
    summary.cases_total = store.count_cases()
    run_id = None if dry_run else store.start_run(run_date, dry_run=dry_run)
    plan = plan_day(store, evaluate_case, run_date, settings=settings, dry_run=dry_run)
    status = "failed"
    fault_point("run-started")
    _log.info(
        "run_started", run_date=run_date.isoformat(), cases=summary.cases_total, dry_run=dry_run
    )
    try:
        # the idle cases first, set-based; the loop then pages through the cases left
        done = rest_idle(plan, summary)
        if done and progress is not None:
            progress(done, summary.cases_total)
        run_cases(plan, summary, progress=progress, done=done, listener=listener)
        if dispatcher is not None and not dry_run:
            dispatch(dispatcher, summary, listener=listener)
        status = "done"
    finally:
        summary.duration_seconds = Decimal(str(round(clock() - started, 3)))
        _log.info(
            "run_finished",
            run_date=run_date.isoformat(),
            status=status,
            evaluated=summary.cases_evaluated,
            already_decided=summary.cases_already_decided,
            seconds=float(summary.duration_seconds),
        )
        if run_id is not None:
            store.finish_run(run_id, status=status, summary=summary.as_dict())
    return summary


def dispatch(
    dispatcher: Dispatcher, summary: RunSummary, *, listener: EventListener | None = None
) -> None:
    """Deliver the outbox (once per run date, after every case is recorded) and add what the
    channels did, and which channels raised, to ``summary``."""
    fault_point("before-dispatch")
    started = time.monotonic()
    summary.dispatched.update(dispatcher.dispatch(listener=listener))
    summary.channel_failures.update(dispatcher.crashes)
    _log.debug(
        "run_dispatched",
        **{f"outbox_{k}": v for k, v in sorted(summary.dispatched.items())},
        ms=round((time.monotonic() - started) * 1000, 1),
    )


def _with_settings(outcome: CaseOutcome, settings: RunSettings) -> CaseOutcome:
    if not any(e.review for e in outcome.outbox):
        return outcome
    entries = tuple(
        attrs.evolve(e, prepared_by=settings.prepared_by, four_eyes=settings.four_eyes)
        if e.review
        else e
        for e in outcome.outbox
    )
    return attrs.evolve(outcome, outbox=entries)


def _hold_for_review(
    outcomes: Sequence[CaseOutcome], pending: frozenset[tuple[CaseKey, str]]
) -> list[CaseOutcome]:
    """A step already waiting for review is not queued a second time."""
    result: list[CaseOutcome] = []
    for outcome in outcomes:
        decision = outcome.decision
        if decision.step is not None and (decision.case, decision.step) in pending:
            result.append(
                CaseOutcome(
                    decision=attrs.evolve(decision, outcome="awaiting-review"),
                    postings=outcome.postings,
                    applications=outcome.applications,
                    closures=outcome.closures,
                )
            )
        else:
            result.append(outcome)
    return result


def _count_idle(summary: RunSummary, outcome: str, blocked_by: str | None) -> None:
    summary.cases_evaluated += 1
    summary.cases_idle += 1
    summary.outcomes[outcome] += 1
    if blocked_by:
        summary.blocked_per_reason[blocked_by] += 1


def _count(summary: RunSummary, outcome: CaseOutcome) -> None:
    decision = outcome.decision
    summary.cases_evaluated += 1
    summary.outcomes[decision.outcome] += 1
    if decision.blocked_by:
        summary.blocked_per_reason[decision.blocked_by] += 1
    for entry in outcome.outbox:
        if entry.review:
            summary.review_queued += 1
        else:
            summary.actions_per_kind[entry.action] += 1
