"""maatwerk: humane debt collection for Dutch organisations.

The pure core (``maatwerk.core``) can be used as a library: money, calendars, debts and their
ledger, allocation, statutory interest, collection costs, limitation, protected income,
affordability, arrangements and the escalation policy. ``maatwerk.rules.shipped()`` loads the
shipped tables, calendars and policies for it (``docs/embedding.md``). Everything else is adapters
around it.
"""

from __future__ import annotations

from typing import Any


__all__ = ["PROJECT_NAME", "__version__"]

PROJECT_NAME = "maatwerk"


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import version  # noqa: PLC0415 (lazy on purpose)

        return version("maatwerk")
    raise AttributeError(f"module 'maatwerk' has no attribute {name!r}")
