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

from maatwerk.core.idle import FreshRule, FreshStore, IdleCase, IdleStore
from maatwerk.core.ports import EventListener, Store
from maatwerk.core.records import CaseKey, CaseOutcome, StoredCase
from maatwerk.services.announce import announce_outcomes
from maatwerk.services.run.dispatch import Dispatcher


__all__ = [
    "CaseEvaluator",
    "FreshEvaluator",
    "RunSettings",
    "RunSummary",
    "SignedEvaluator",
    "run_day",
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
        }


# ---------------------------------------------------------------------------------- the run
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
    signature = evaluate_case.signature if isinstance(evaluate_case, SignedEvaluator) else ""
    idle_store = (
        store if signature and settings.skip_idle and isinstance(store, IdleStore) else None
    )
    done = 0
    after: CaseKey | None = None
    status = "failed"
    try:
        # the idle cases first, set-based; the loop then pages through the cases left
        rested_first = idle_store is not None and not dry_run
        if idle_store is not None and rested_first:
            day = idle_store.rest_idle(run_date, evaluator=signature)
            summary.cases_already_decided += day.already_decided
            for resting, blocked_by in day.rested:
                _count_idle(summary, resting, blocked_by)
            done += day.already_decided + len(day.rested)
            if isinstance(evaluate_case, FreshEvaluator) and isinstance(idle_store, FreshStore):
                fresh = idle_store.rest_fresh(
                    run_date, evaluate_case.fresh_rule(run_date), evaluator=signature
                )
                for _ in range(fresh):
                    _count_idle(summary, "none", None)
                done += fresh
            if progress is not None:
                progress(done, summary.cases_total)
        while keys := (
            idle_store.pending_keys(run_date, after=after, limit=settings.batch_size)
            if idle_store is not None and rested_first
            else store.case_keys(after=after, limit=settings.batch_size)
        ):
            after = keys[-1]
            # pending keys leave out the cases decided today already; a plain page may hold some
            decided = frozenset() if rested_first else store.decided(run_date, keys)
            summary.cases_already_decided += len(decided)
            todo = [k for k in keys if k not in decided]
            idle: Sequence[IdleCase] = ()
            prints: Mapping[CaseKey, str] = {}
            if idle_store is not None and todo:
                idle, prints = idle_store.plan_batch(run_date, todo, evaluator=signature)
                todo = [k for k in todo if k in prints]
            outcomes = [
                _with_settings(evaluate_case(stored, run_date), settings)
                for stored in store.load_cases(todo)
            ]
            outcomes = _hold_for_review(
                outcomes, store.pending_steps(todo) if todo else frozenset()
            )
            if not dry_run:
                if idle_store is not None:
                    recorded = idle_store.record_batch(
                        run_date, outcomes, idle=idle, fingerprints=prints, evaluator=signature
                    )
                else:
                    recorded = store.record_outcomes(run_date, outcomes)
                announce_outcomes(listener, outcomes, recorded=recorded)
            for outcome in outcomes:
                _count(summary, outcome)
            for state in idle:
                _count_idle(summary, state.outcome, state.blocked_by)
            done += len(keys)
            if progress is not None:
                progress(done, summary.cases_total)
        if dispatcher is not None and not dry_run:
            summary.dispatched.update(dispatcher.dispatch(listener=listener))
        status = "done"
    finally:
        summary.duration_seconds = Decimal(str(round(clock() - started, 3)))
        if run_id is not None:
            store.finish_run(run_id, status=status, summary=summary.as_dict())
    return summary


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
