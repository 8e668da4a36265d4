"""The project's error hierarchy (re-exported publicly by :mod:`maatwerk.exceptions`).

Every error maatwerk raises on purpose is a :class:`MaatwerkError`. Errors about input carry a
location (file, line, field) so the person who fixes the input knows where to look.
"""

from __future__ import annotations

from typing import Any

import attrs


__all__ = [
    "CurrencyMismatchError",
    "InputError",
    "Location",
    "MaatwerkError",
    "MoneyError",
    "NoRuleForDateError",
    "PluginError",
    "PolicyError",
    "RuleTableError",
]


class MaatwerkError(Exception):
    """Base class of every error maatwerk raises on purpose."""


class MoneyError(MaatwerkError, ValueError):
    """An amount that is not valid money (a float, not a number, too precise for minor units)."""


class CurrencyMismatchError(MoneyError):
    """Two amounts in different currencies were combined."""


class NoRuleForDateError(MaatwerkError, LookupError):
    """A dated rule table has no entry in force on the date asked for."""


@attrs.frozen
class Location:
    """Where in the input an error was found. Every part is optional."""

    file: str | None = None
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        parts: list[str] = []
        if self.file is not None:
            parts.append(self.file)
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.field is not None:
            parts.append(f"field {self.field!r}")
        return ", ".join(parts)


class InputError(MaatwerkError, ValueError):
    """Bad input, with the place it was found.

    ``str(error)`` reads ``"<file>, line <n>, field '<name>': <message>"``.
    """

    def __init__(self, message: str, location: Location | None = None) -> None:
        self.message = message
        self.location = location or Location()
        where = str(self.location)
        super().__init__(f"{where}: {message}" if where else message)

    def __reduce__(self) -> tuple[Any, ...]:
        # pickled with its place (a reader's worker process sends its rows' problems back)
        return (type(self), (self.message, self.location))


class RuleTableError(InputError):
    """A dated rule table (``maatwerk/rules/*.toml``) is malformed."""


class PolicyError(InputError):
    """A policy file is malformed or refers to something that does not exist."""


class PluginError(MaatwerkError):
    """A plugin is broken, clashes with another, or a name in the config matches no plugin.

    ``plugin`` and ``hook`` name the culprit where known, so the message says whom to ask.
    """

    def __init__(self, message: str, *, plugin: str | None = None, hook: str | None = None) -> None:
        self.plugin = plugin
        self.hook = hook
        super().__init__(message)
