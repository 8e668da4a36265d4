"""Enum fields given as strings: the member, or its value string, else a clear ``ValueError``.

An embedding team may write ``Debtor(household="single", ...)`` or ``Step(action="bailiff-handover",
...)``: each enum field of a class callers build has an attrs converter that turns the value
string into the member at construction, and refuses anything else there, naming the enum and
the values allowed (``household_type: 'singel' is not one of single, single-parent, couple,
couple-children``), instead of an ``AttributeError`` deep inside an evaluation.

The converters are small named functions beside each enum (``to_household_type`` next to
:class:`~maatwerk.core.debtors.HouseholdType`), because mypy's attrs plugin types a converter
only when it is a named function; each passes a member through after one ``type()`` check (value
types on hot paths are built millions of times) and hands anything else to :func:`to_member`.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from typing import TypeVar


__all__ = ["to_member", "to_members"]

E = TypeVar("E", bound=enum.Enum)


def to_member(enum_type: type[E], value: object) -> E:
    """``value`` as a member of ``enum_type``: the member itself or its value; else ``ValueError``."""
    if isinstance(value, enum_type):
        return value
    if isinstance(value, str):
        try:
            return enum_type(value)
        except ValueError:
            pass
    name = re.sub(r"(?<!^)(?=[A-Z])", "_", enum_type.__name__).lower()
    allowed = ", ".join(str(member.value) for member in enum_type)
    raise ValueError(f"{name}: {value!r} is not one of {allowed}")


def to_members(enum_type: type[E], values: Iterable[object]) -> tuple[E, ...]:
    """Each of ``values`` as a member of ``enum_type`` (see :func:`to_member`), in order."""
    if isinstance(values, str):  # one value, not a collection of its letters
        return (to_member(enum_type, values),)
    return tuple(to_member(enum_type, v) for v in values)
