"""The escalation policy engine (incassobeleid): model, guards, evaluation, explanations.

Modules, each importing only those before it in this list: ``text`` (wording), ``model`` (the
policy as data), ``casefile`` (the input and the state derived from it), ``reasons`` (why, in
plain words), ``household`` (can't pay or won't pay, debt help), ``guards`` (the guards and the :class:`PolicyTables` that carry them),
``decision`` (the outcome and its explanation), ``conditions`` and ``ladder`` (when a step
applies and is due), ``evaluate`` (the engine). The ``.importlinter`` contract "The policy
engine's modules import one way" keeps it that way.

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
    HouseholdCapacity,
    OtherArrear,
    derive_state,
    outstanding_on,
)
from maatwerk.core.policy.decision import (
    Decision,
    DecisionStatus,
    HistoryLine,
    NoteKind,
    ProposedAction,
    StepNote,
)
from maatwerk.core.policy.evaluate import evaluate
from maatwerk.core.policy.guards import (
    BUILTIN_GUARDS,
    Guard,
    GuardContext,
    GuardRegistry,
    GuardSpec,
    PolicyTables,
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
from maatwerk.core.policy.reasons import Reason, Verdict


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
    "HouseholdCapacity",
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
