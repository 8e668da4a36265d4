"""A run with several workers: the cases of a day split into shards that workers claim.

PostgreSQL coordinates; there is no queue of our own. The process that holds the day's run lock
(the *coordinator*, ``maatwerk run --workers N``) does the day's shared phases once: it starts
the run, records the idle cases set-based (:func:`~.day.rest_idle`), then splits the cases left
into ranges of case keys (:meth:`ShardBoard.plan`: a debtor's cases never straddle two shards).
Workers (the coordinator itself, the ``N - 1`` processes it starts, and ``maatwerk worker`` on
other hosts) claim one shard at a time (``SELECT ... FOR UPDATE SKIP LOCKED``: the claim is a
row lock held by the worker's open transaction), run it in batches exactly as a one-worker run
does (:func:`~.day.run_cases`), and mark it done with its counts. A worker that dies loses its
session, PostgreSQL drops its row lock, and the shard is pending again for the next worker that
asks; the batches it committed are decided already and are not done twice. When no shard is
left the coordinator adds up the shards' counts, delivers the outbox once (the dispatcher) and
finishes the run.

Every worker must decide as the coordinator does: a shard carries the coordinator's evaluator
signature (its policies, settings and tables) and a worker with another signature refuses it
(:class:`WorkerMismatchError`) instead of deciding cases differently.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from decimal import Decimal
from typing import Final, Protocol

import attrs

from maatwerk.core.errors import MaatwerkError
from maatwerk.core.ports import EventListener, Store
from maatwerk.core.records import CaseKey
from maatwerk.services.run.day import (
    CaseEvaluator,
    DayPlan,
    RunSettings,
    RunSummary,
    dispatch,
    plan_day,
    rest_idle,
    run_cases,
)
from maatwerk.services.run.dispatch import Dispatcher


__all__ = [
    "ClaimedShard",
    "Shard",
    "ShardBoard",
    "WorkerMismatchError",
    "WorkerReport",
    "run_day_sharded",
    "work_shards",
]


_DEFAULTS: Final = RunSettings()


@attrs.frozen(kw_only=True)
class Shard:
    """One range of case keys of a run date: after ``after`` (``None``: from the first case) up
    to and including ``last`` (``None``: to the last case)."""

    run_date: dt.date
    number: int
    after: CaseKey | None
    last: CaseKey | None
    evaluator: str
    """the coordinator's evaluator signature"""


class ClaimedShard(Protocol):
    """A shard this worker holds; the claim ends with the worker's transaction or session."""

    @property
    def shard(self) -> Shard: ...

    def complete(self, summary: dict[str, object]) -> None:
        """Mark the shard done with its counts (``RunSummary.as_dict``) and end the claim."""
        ...


class ShardBoard(Protocol):
    """The shards of a run (the SQL adapter: ``run_shards`` on PostgreSQL)."""

    def plan(self, run_date: dt.date, *, shards: int, evaluator: str, least: int = 1) -> int:
        """Split the cases of ``run_date`` that have no decision yet into at most ``shards``
        ranges of at least ``least`` debtors each (but one), none splitting a debtor's cases,
        replacing an earlier plan of the date; returns how many shards were planned."""
        ...

    def planned(self, run_date: dt.date) -> int:
        """How many shards ``run_date`` has (0: no run with workers handed any out)."""
        ...

    def remaining(self, run_date: dt.date) -> int:
        """How many shards of ``run_date`` are not done (claimed ones included)."""
        ...

    def claim(
        self, run_date: dt.date, *, worker: str
    ) -> AbstractContextManager[ClaimedShard | None]:
        """Claim a pending shard no other worker holds (``None``: none is free now). The claim
        lasts while the context is open; leaving it without :meth:`ClaimedShard.complete`
        (an error) hands the shard back."""
        ...

    def shard_keys(self, shard: Shard, *, after: CaseKey | None, limit: int) -> Sequence[CaseKey]:
        """Up to ``limit`` keys of ``shard`` after ``after`` without a decision on its date."""
        ...

    def summaries(self, run_date: dt.date) -> Sequence[dict[str, object]]:
        """The counts each done shard of ``run_date`` recorded."""
        ...


class WorkerMismatchError(MaatwerkError):
    """A worker's policies or settings differ from the coordinator's."""


@attrs.define
class WorkerReport:
    """What one worker did: the shards it completed and the cases they held."""

    worker: str
    shards: int = 0
    summary: RunSummary | None = None


def work_shards(
    plan: DayPlan,
    board: ShardBoard,
    *,
    worker: str,
    listener: EventListener | None = None,
) -> WorkerReport:
    """Claim and run shards of ``plan``'s date until none is free; returns what was done."""
    report = WorkerReport(worker=worker)
    total = RunSummary(run_date=plan.run_date, dry_run=False)
    while True:
        with board.claim(plan.run_date, worker=worker) as claimed:
            if claimed is None:
                break
            shard = claimed.shard
            if shard.evaluator != _signature(plan):
                raise WorkerMismatchError(
                    f"worker {worker}: its policies, settings or tables differ from those of "
                    f"the run of {plan.run_date.isoformat()} (signature "
                    f"{_signature(plan)[:12]} against {shard.evaluator[:12]}); start it with "
                    "the same --policy, --policy-for, --settings and --skip-idle as the run"
                )
            part = RunSummary(run_date=plan.run_date, dry_run=False)

            def pages(after: CaseKey | None, limit: int, shard: Shard = shard) -> Sequence[CaseKey]:
                return board.shard_keys(shard, after=after, limit=limit)

            run_cases(plan, part, pages=pages, pending_only=True, listener=listener)
            claimed.complete(part.as_dict())
            total.add(part.as_dict())
            report.shards += 1
    report.summary = total
    return report


def run_day_sharded(
    store: Store,
    board: ShardBoard,
    evaluate_case: CaseEvaluator,
    run_date: dt.date,
    *,
    shards: int,
    worker: str,
    start_workers: Callable[[], Callable[[], None]] | None = None,
    dispatcher: Dispatcher | None = None,
    settings: RunSettings = _DEFAULTS,
    listener: EventListener | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    poll_seconds: float = 0.2,
) -> RunSummary:
    """Run ``run_date`` with workers; the caller holds the day's run lock (the coordinator).

    ``start_workers`` starts the other local workers once the shards are planned and returns a
    function that waits for them. The coordinator works shards itself; when none is free it
    waits for the claimed ones, and takes over any a dead worker handed back.
    """
    started = clock()
    summary = RunSummary(run_date=run_date, dry_run=False)
    summary.cases_total = store.count_cases()
    run_id = store.start_run(run_date, dry_run=False)
    plan = plan_day(store, evaluate_case, run_date, settings=settings)
    status = "failed"
    join: Callable[[], None] | None = None
    try:
        rest_idle(plan, summary)
        if not plan.rested_first:  # the cases decided before (a rerun), as run_day counts them
            summary.cases_already_decided += _decided_before(plan)
        # a shard holds at least a batch of debtors: a quiet day is one shard, and no worker
        # process is started for it
        planned = board.plan(
            run_date, shards=shards, evaluator=_signature(plan), least=settings.batch_size
        )
        if start_workers is not None and planned > 1:
            join = start_workers()
        while True:
            work_shards(plan, board, worker=worker, listener=listener)
            if board.remaining(run_date) == 0:
                break
            sleep(poll_seconds)  # shards claimed by others: wait, or take back a dead one's
        for part in board.summaries(run_date):
            summary.add(part)
        if dispatcher is not None:
            dispatch(dispatcher, summary, listener=listener)
        status = "done"
    finally:
        if join is not None:
            join()
        summary.duration_seconds = Decimal(str(round(clock() - started, 3)))
        store.finish_run(run_id, status=status, summary=summary.as_dict())
    return summary


def _signature(plan: DayPlan) -> str:
    """What a worker must share with the coordinator: the evaluator's signature, and whether
    idle cases are left alone (``--skip-idle``: resting states are written then)."""
    return plan.signature + ("" if plan.idle_store is not None else "/evaluate-all")


def _decided_before(plan: DayPlan) -> int:
    """Cases with a decision on the day before the shards were planned (a plain page counts
    them in :func:`~.day.run_cases`; the shards hold only the others)."""
    count = 0
    after: CaseKey | None = None
    page = plan.pages()
    while keys := page(after, 5000):
        after = keys[-1]
        count += len(plan.store.decided(plan.run_date, keys))
    return count
