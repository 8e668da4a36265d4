"""Named fault points: where a test may stop the process to prove a rerun repairs everything.

The run, the dispatcher, the channels and the storage call :func:`fault_point` with a name at
the places where a crash is most interesting (a batch saved or not yet saved, files written but
not yet marked delivered, postings written but not yet committed). Normally nothing is
installed and the call does nothing. A test installs a hook (:func:`install`); the CLI installs
the one :mod:`maatwerk.adapters.faults` builds from the ``MAATWERK_FAULT`` environment variable,
which SIGKILLs the process, raises an error or drops the database connection at the n-th time a
named point is reached. The core never calls this: it has no side effects to interrupt.

One process-wide hook instead of a parameter threaded through every call: a fault point is a
one-line call that any layer from here outwards can make without changing a signature.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final


__all__ = ["FAULT_POINTS", "FaultHook", "fault_point", "install"]

FaultHook = Callable[[str], None]

#: Every named point, with where it is (docs/reliability.md lists them too).
FAULT_POINTS: Final = {
    "run-started": "the run is recorded as started, nothing decided yet",
    "idle-rested": "the idle cases got today's decision (committed), no batch saved yet",
    "before-batch-saved": "a batch is evaluated, its transaction not yet begun",
    "batch-postings-written": "inside a batch's transaction: postings and payments written, "
    "not committed",
    "after-batch-saved": "a batch is committed, the next not yet loaded (between batches)",
    "before-dispatch": "every batch is saved, no action delivered yet",
    "file-written": "a channel wrote one file of the delivery; the outbox does not know yet",
    "before-delivery-marked": "a page of actions is delivered to its channels, not yet marked",
    "delivery-postings-written": "inside the mark's transaction: delivery events and fees "
    "written, not committed",
    "after-delivery-marked": "a page of actions is delivered and marked (committed)",
}

_hook: FaultHook | None = None


def install(hook: FaultHook | None) -> FaultHook | None:
    """Install ``hook`` (``None``: none) for every later :func:`fault_point`; returns the old one."""
    global _hook
    old, _hook = _hook, hook
    return old


def fault_point(name: str) -> None:
    """The process reached the fault point ``name``: the installed hook may stop it here."""
    if _hook is not None:
        _hook(name)
