"""The daily run (dagelijkse run): every case, its next right step, recorded exactly once.

``run_day(store, evaluate_case, run_date, ...)`` (:mod:`.day`):

1. streams the portfolio in batches of case keys (keyset paging: memory stays flat);
2. skips cases that already have a decision for ``run_date`` (a rerun or a restart after a
   crash continues where the last committed batch ended);
3. evaluates each remaining case with ``evaluate_case`` (a pure function of the stored case and
   the date; :class:`PolicyCaseEvaluator` (:mod:`.evaluation`) wires the escalation policy
   engine, applies the day's payments (:mod:`.payments`) and watches arrangements
   (:mod:`.arrangements`));
4. records the batch's decisions, outbox rows, events and postings in ONE transaction;
5. hands the pending outbox rows to their channels (:class:`Dispatcher`, :mod:`.dispatch`) and
   marks each one.

Exactly once: decisions are unique per case and date, outbox rows per case, step and date, and a
batch is committed whole or not at all, so killing the process at any point and running the
date again produces the same set of actions. The events of a batch (a step taken, a plan
completed or breached, a promise to pay kept or broken) are keyed by run date, case and
position, and a plan or promise that already has its outcome is not judged again, so each is
recorded once. Delivery is at least
once per outbox row and channels are idempotent on the action id (the outbox key), so a
re-delivery after a crash between "delivered" and "marked" adds no second copy.

A step the policy marks ``review`` waits in the review queue (maker-checker); while it waits,
the policy's repeated proposal of the same step is recorded as ``awaiting-review``.

Modules: :mod:`.day` (the day's orchestration and its summary), :mod:`.evaluation` (one case:
decision, records, look-ahead, signature), :mod:`.dispatch` (outbox to channels, and what a
delivery records), :mod:`.arrangements` (watching payment plans, plan reminders),
:mod:`.payments` (applying received payments), :mod:`.shards` (a run shared by several workers
on PostgreSQL: the cases in shards of whole debtors, the shared phases once).
"""

from __future__ import annotations

from maatwerk.services.run.arrangements import (
    PLAN_REMINDER_STEP,
    PlanWatch,
    PromiseWatch,
    monitor_arrangements,
    monitor_promises,
)
from maatwerk.services.run.day import (
    CaseEvaluator,
    RunSettings,
    RunSummary,
    SignedEvaluator,
    run_day,
)
from maatwerk.services.run.dispatch import (
    INTERNAL_CHANNELS,
    Dispatcher,
    channel_setting_problems,
    delivery_records,
    to_outbound,
)
from maatwerk.services.run.evaluation import (
    PolicyCaseEvaluator,
    outcome_from_decision,
    step_taken_for,
)
from maatwerk.services.run.payments import apply_payments


__all__ = [
    "INTERNAL_CHANNELS",
    "PLAN_REMINDER_STEP",
    "CaseEvaluator",
    "Dispatcher",
    "PlanWatch",
    "PolicyCaseEvaluator",
    "PromiseWatch",
    "RunSettings",
    "RunSummary",
    "SignedEvaluator",
    "apply_payments",
    "channel_setting_problems",
    "delivery_records",
    "monitor_arrangements",
    "monitor_promises",
    "outcome_from_decision",
    "run_day",
    "step_taken_for",
    "to_outbound",
]
