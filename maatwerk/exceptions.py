"""Public error classes. Catch :class:`MaatwerkError` to catch everything maatwerk raises on purpose."""

from __future__ import annotations

from maatwerk.core.errors import (
    CurrencyMismatchError,
    InputError,
    Location,
    MaatwerkError,
    MoneyError,
    NoRuleForDateError,
    PluginError,
    PolicyError,
    RuleTableError,
)


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
