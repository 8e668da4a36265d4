"""The escalation policy engine (incassobeleid): model, guards, evaluation, explanations.

Public API::

    from maatwerk.core.policy import CaseFile, PolicyTables, evaluate
    decision = evaluate(case_file, policy, today, tables)
    decision.action          # ProposedAction | None
    decision.explain("nl")   # the chain of reasons in Dutch (B1) or "en"

Policies are read from TOML by ``maatwerk.adapters.policy_loader``.
"""

from __future__ import annotations

from maatwerk.core.policy.casefile import (
    CaseFile,
    CaseState,
    OtherArrear,
    PolicyTables,
    derive_state,
    outstanding_on,
)
from maatwerk.core.policy.evaluate import (
    Decision,
    DecisionStatus,
    HistoryLine,
    NoteKind,
    ProposedAction,
    StepNote,
    evaluate,
)
from maatwerk.core.policy.guards import (
    BUILTIN_GUARDS,
    Guard,
    GuardContext,
    GuardRegistry,
    GuardSpec,
    Reason,
    Verdict,
)
from maatwerk.core.policy.model import (
    ACTION_LABELS,
    SCHEMA_VERSION,
    ActionKind,
    Anchor,
    Conditions,
    MinDaysAfter,
    Policy,
    PolicySettings,
    Step,
    Timing,
)


__all__ = [
    "ACTION_LABELS",
    "BUILTIN_GUARDS",
    "SCHEMA_VERSION",
    "ActionKind",
    "Anchor",
    "CaseFile",
    "CaseState",
    "Conditions",
    "Decision",
    "DecisionStatus",
    "Guard",
    "GuardContext",
    "GuardRegistry",
    "GuardSpec",
    "HistoryLine",
    "MinDaysAfter",
    "NoteKind",
    "OtherArrear",
    "Policy",
    "PolicySettings",
    "PolicyTables",
    "ProposedAction",
    "Reason",
    "Step",
    "StepNote",
    "Timing",
    "Verdict",
    "derive_state",
    "evaluate",
    "outstanding_on",
]
