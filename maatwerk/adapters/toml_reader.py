"""Reading hand-written TOML with every error located at its line (policies, channel settings).

``tomllib`` does not report line numbers for valid TOML, so a bad value is located by scanning the
raw text for the table and key that hold it (:class:`LineIndex`). :func:`load_toml` parses and
locates a syntax error; :class:`Reader` reads typed values (texts, whole numbers, flags, amounts,
lists, enum members) and raises a located :class:`~maatwerk.core.errors.InputError` (by default a
:class:`~maatwerk.core.errors.PolicyError`) for the first bad one.
"""

from __future__ import annotations

import difflib
import enum
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any, Final, TypeVar

import attrs

from maatwerk.core.errors import InputError, Location, MoneyError, PolicyError
from maatwerk.core.money import LARGEST_INPUT_AMOUNT, Money, input_amount, to_decimal


__all__ = ["LineIndex", "Reader", "did_you_mean", "field_name", "load_toml"]

_HEADER_RE: Final = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\"' -]+?)\s*\]\]?\s*(#.*)?$")
_KEY_RE: Final = re.compile(r"^\s*([A-Za-z0-9_.-]+|\"[^\"]*\"|'[^']*')\s*=")
_TOML_LINE_RE: Final = re.compile(r"line (\d+)")

EnumT = TypeVar("EnumT", bound=enum.Enum)


def load_toml(
    raw: str,
    file: str,
    *,
    error_type: type[InputError],
    parse_float: Callable[[str], Any] = float,
) -> dict[str, Any]:
    """The TOML document ``raw``; ``error_type`` with the line when it is not valid TOML."""
    try:
        return tomllib.loads(raw, parse_float=parse_float)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_LINE_RE.search(str(exc))
        line = int(found.group(1)) if found else None
        raise error_type(f"not valid TOML: {exc}", Location(file=file, line=line)) from None
    except RecursionError:
        raise error_type("the TOML nests too deeply", Location(file=file)) from None
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        raise error_type(f"not valid TOML: {exc}", Location(file=file)) from None


class LineIndex:
    """Where each table and key of a TOML document is, found in its raw text.

    Paths: ``()`` top level, ``("settings",)``, ``("step", i)`` for the i-th ``[[step]]``,
    ``("step", i, "when")`` for a ``[step.when]`` below it. Good enough for hand-written files:
    it follows ``[table]`` and ``[[array]]`` headers, dotted keys and skips multi-line strings.
    """

    def __init__(self, raw: str) -> None:
        self.keys: dict[tuple[tuple[Any, ...], str], int] = {}
        self.tables: dict[tuple[Any, ...], int] = {}
        path: tuple[Any, ...] = ()
        entries: dict[str, int] = {}  # [[array]] name -> index of its latest entry
        in_string = False
        for number, line in enumerate(raw.splitlines(), start=1):
            quotes = line.count('"""') + line.count("'''")
            if in_string:
                in_string = quotes % 2 == 0
                continue
            header = _HEADER_RE.match(line)
            if header is not None and not _KEY_RE.match(line):
                parts = [p.strip().strip("\"'") for p in header.group(2).split(".")]
                if header.group(1) == "[[" and len(parts) == 1:
                    entries[parts[0]] = entries.get(parts[0], -1) + 1
                    path = (parts[0], entries[parts[0]])
                elif len(parts) > 1 and parts[0] in entries:
                    path = (parts[0], entries[parts[0]], *parts[1:])
                else:
                    path = tuple(parts)
                self.tables.setdefault(path, number)
                continue
            key = _KEY_RE.match(line)
            if key is not None:
                dotted = [p.strip("\"'") for p in key.group(1).split(".")]
                where = (*path, *dotted[:-1])
                self.keys.setdefault((where, dotted[-1]), number)
                if len(dotted) > 1:
                    self.tables.setdefault(where, number)
            if quotes % 2 == 1:
                in_string = True

    def line(self, path: tuple[Any, ...], key: str | None = None) -> int | None:
        """The line of ``key`` in the table at ``path``, else of the nearest enclosing table."""
        if key is not None and (path, key) in self.keys:
            return self.keys[(path, key)]
        probe = path
        while probe:
            if probe in self.tables:
                return self.tables[probe]
            if (probe[:-1], str(probe[-1])) in self.keys:
                return self.keys[(probe[:-1], str(probe[-1]))]
            probe = probe[:-1]
        return None


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """``" (did you mean 'x'?)"`` for the known word closest to a misspelled ``word``, else ``""``."""
    close = difflib.get_close_matches(word, sorted(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def field_name(path: tuple[Any, ...], key: str | None) -> str:
    """``step[2].when.min_arrears`` for the path ``("step", 2, "when")`` and key ``min_arrears``."""
    parts: list[str] = []
    for part in path:
        if isinstance(part, int):
            parts[-1] = f"{parts[-1]}[{part}]"
        else:
            parts.append(str(part))
    if key is not None:
        parts.append(key)
    return ".".join(parts)


@attrs.frozen
class Reader:
    """Typed values out of a parsed TOML document; each error names the file, line and field."""

    file: str
    lines: LineIndex
    error_type: type[InputError] = PolicyError

    def error(self, message: str, path: tuple[Any, ...], key: str | None = None) -> InputError:
        """The error ``message`` about ``key`` in the table at ``path``, located."""
        return self.error_type(
            message,
            Location(file=self.file, line=self.lines.line(path, key), field=field_name(path, key)),
        )

    def check_keys(
        self, data: Mapping[str, Any], allowed: frozenset[str], path: tuple[Any, ...]
    ) -> None:
        unknown = [k for k in data if k not in allowed]
        if unknown:
            bad = min(unknown, key=lambda k: self.lines.line(path, k) or 0)
            raise self.error(
                f"unknown key {bad!r}{did_you_mean(bad, allowed)}; expected one of "
                f"{', '.join(sorted(allowed))}",
                path,
                bad,
            )

    def text(
        self,
        data: Mapping[str, Any],
        key: str,
        path: tuple[Any, ...],
        *,
        default: str | None = None,
    ) -> str:
        if key not in data:
            if default is None:
                raise self.error(f"missing {key!r}", path, key)
            return default
        value = data[key]
        if not isinstance(value, str) or not value.strip():
            raise self.error(f"{key} must be a non-empty string, got {value!r}", path, key)
        return value

    def integer(
        self, data: Mapping[str, Any], key: str, path: tuple[Any, ...], default: int | None
    ) -> int | None:
        if key not in data:
            return default
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(f"{key} must be a whole number, got {value!r}", path, key)
        return value

    def flag(
        self, data: Mapping[str, Any], key: str, path: tuple[Any, ...], *, default: bool
    ) -> bool:
        if key not in data:
            return default
        value = data[key]
        if not isinstance(value, bool):
            raise self.error(f"{key} must be true or false, got {value!r}", path, key)
        return value

    def money(self, data: Mapping[str, Any], key: str, path: tuple[Any, ...]) -> Money | None:
        if key not in data:
            return None
        value = data[key]
        if isinstance(value, Decimal):  # a TOML float (parse_float=Decimal): 100.5 is not cents
            raise self.error(
                f'{key} must be an amount written as a string such as "25.00", got {value}',
                path,
                key,
            )
        try:
            amount = input_amount(value, what=key)
        except MoneyError:
            raise self.error(
                f'{key} must be an amount such as "25.00" (at most {LARGEST_INPUT_AMOUNT}), '
                f"got {str(value)[:40]!r}",
                path,
                key,
            ) from None
        if amount < 0 or Money(amount).rounded().amount != amount:
            raise self.error(
                f"{key} must be a non-negative amount in cents, got {value!r}", path, key
            )
        return Money(amount)

    def number(self, data: Mapping[str, Any], key: str, path: tuple[Any, ...]) -> Decimal | None:
        if key not in data:
            return None
        value = data[key]
        try:
            amount = to_decimal(value, what=key)
        except MoneyError:
            raise self.error(f"{key} must be a number, got {value!r}", path, key) from None
        if amount < 0:
            raise self.error(f"{key} must not be negative", path, key)
        return amount

    def strings(self, data: Mapping[str, Any], key: str, path: tuple[Any, ...]) -> tuple[str, ...]:
        if key not in data:
            return ()
        value = data[key]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(f"{key} must be a list of strings, got {value!r}", path, key)
        return tuple(value)

    def choice(
        self, enum_type: type[EnumT], value: object, path: tuple[Any, ...], key: str, what: str
    ) -> EnumT:
        for member in enum_type:
            if member.value == value:
                return member
        known = ", ".join(str(m.value) for m in enum_type)
        raise self.error(f"unknown {what} {value!r}; expected one of {known}", path, key)

    def choices(
        self, enum_type: type[EnumT], data: Mapping[str, Any], key: str, path: tuple[Any, ...]
    ) -> tuple[EnumT, ...]:
        return tuple(
            self.choice(enum_type, v, path, key, key.rstrip("s").replace("_", " "))
            for v in self.strings(data, key, path)
        )
