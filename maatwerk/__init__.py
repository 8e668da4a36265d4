"""maatwerk: humane debt collection for Dutch organisations.

The pure core (``maatwerk.core``) can be used as a library: money, calendars, debts and their
ledger, allocation, statutory interest, collection costs, limitation, protected income,
affordability, arrangements and the escalation policy. ``maatwerk.rules.shipped()`` loads the
shipped tables, calendars and policies for it (``docs/embedding.md``). Everything else is adapters
around it.
"""

from __future__ import annotations


__all__ = ["PROJECT_NAME", "__version__"]

PROJECT_NAME = "maatwerk"
#: The one place the version is written: pyproject.toml reads it from here (``[tool.hatch.version]``).
__version__ = "0.1.0"
