"""Guards (blokkades): checks that veto or postpone a policy step for one debt.

A guard is any callable ``(GuardContext) -> Verdict | None``: ``None`` lets the step go ahead, a
:class:`Verdict` blocks it (``until is None``) or postpones it to ``until``. Each guard is
registered as a :class:`GuardSpec` with a stable ``code``, the action kinds it applies to by
default, and whether a policy may switch it off (``mandatory``). A :class:`GuardRegistry` is a
plain value: plugins add guards with :meth:`GuardRegistry.extended` (the pluggy hook of the
plugins layer returns ``GuardSpec`` records), and the registry travels to :func:`evaluate` in
:class:`PolicyTables`.

The package is split by concern: ``_api`` (the guard API and :class:`PolicyTables`, which refer
to each other), then the built-in checks, each declared once by ``_builtin`` right above it:
``_case`` (the case as a whole), ``_escalation`` (before a hard step) and ``_zvw`` (health
insurance). They are imported here in that order, which is the order the guards are checked.

Every verdict carries a :class:`~maatwerk.core.policy.reasons.Reason`: the code and one plain
sentence in Dutch (B1) and English, with the dates and amounts that matter.
"""

from __future__ import annotations

from typing import Final

from maatwerk.core.policy.guards import _case, _escalation, _zvw  # noqa: F401 - register the checks, in order
from maatwerk.core.policy.guards._api import (
    CONSENT_FOR,
    DECEASED_REASON,
    HARD_ACTIONS,
    TIME_BARRED_ACTIONS,
    WRITTEN_REMINDERS,
    Guard,
    GuardContext,
    GuardRegistry,
    GuardSpec,
    PolicyTables,
    _builtin_guards,
    time_barred_reason,
)


__all__ = [
    "BUILTIN_GUARDS",
    "CONSENT_FOR",
    "DECEASED_REASON",
    "HARD_ACTIONS",
    "TIME_BARRED_ACTIONS",
    "WRITTEN_REMINDERS",
    "Guard",
    "GuardContext",
    "GuardRegistry",
    "GuardSpec",
    "PolicyTables",
    "time_barred_reason",
]

BUILTIN_GUARDS: Final = _builtin_guards()
"""The built-in guards, in the order they are checked (the order of the check modules above, and
of the checks in each)."""
