"""Read channel settings (``maatwerk run --settings FILE``) from a TOML file.

File format::

    [channels]
    creditor_name = "Zorg NL"
    creditor_phone = "0800-1234"
    creditor_iban = "NL91ABNA0417164300"
    creditor_id = "NL32ZZZ999999991234"

Every value is a string (an IBAN or phone number written as a TOML number would lose its
leading zeros). Any other top-level table or key is an error, so a typo such as ``[channel]`` is
not silently ignored. Errors are :class:`~maatwerk.core.errors.InputError` with a
``Location(file, line, field)``. The settings are never logged.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, Final

from maatwerk.core.errors import InputError, Location


__all__ = ["load_channel_settings"]

_TABLE: Final = "channels"
_HEADER_RE: Final = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]")
_KEY_RE: Final = re.compile(r"^\s*([A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')\s*=")
_TOML_LINE_RE: Final = re.compile(r"line (\d+)")


def _key_lines(raw: str) -> dict[tuple[str, str], int]:
    """``(table, key) -> line`` for plain ``key = value`` lines (``""`` is the top level).

    ``tomllib`` reports no line numbers for valid TOML; this scan is good enough for the flat,
    hand-written files this module reads.
    """
    lines: dict[tuple[str, str], int] = {}
    table = ""
    for number, line in enumerate(raw.splitlines(), start=1):
        key = _KEY_RE.match(line)
        if key is not None:
            lines.setdefault((table, key.group(1).strip("\"'")), number)
            continue
        header = _HEADER_RE.match(line)
        if header is not None:
            table = header.group(1).strip("\"'")
            lines.setdefault(("", table), number)
    return lines


def _toml_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return "a date or time"


def load_channel_settings(path: Path) -> dict[str, str]:
    """The ``[channels]`` table of the settings file at ``path`` as ``{key: value}``."""
    file = str(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("settings file not found", Location(file=file)) from None
    except IsADirectoryError:
        raise InputError("settings file is a directory", Location(file=file)) from None
    except UnicodeDecodeError:
        raise InputError("settings file is not UTF-8 text", Location(file=file)) from None
    try:
        doc = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_LINE_RE.search(str(exc))
        line = int(found.group(1)) if found else None
        raise InputError(f"not valid TOML: {exc}", Location(file=file, line=line)) from None
    lines = _key_lines(raw)
    for name in doc:
        if name != _TABLE:
            raise InputError(
                f"unknown table or key {name!r}; channel settings go in a [{_TABLE}] table",
                Location(file=file, line=lines.get(("", name)), field=name),
            )
    table = doc.get(_TABLE, {})
    if not isinstance(table, dict):
        raise InputError(
            f'{_TABLE} must be a table: [{_TABLE}] with key = "value" lines',
            Location(file=file, line=lines.get(("", _TABLE)), field=_TABLE),
        )
    settings: dict[str, str] = {}
    for key, value in table.items():
        where = Location(file=file, line=lines.get((_TABLE, key)), field=f"{_TABLE}.{key}")
        if not isinstance(value, str):
            raise InputError(
                f'must be a string in quotes, e.g. {key} = "...", not {_toml_kind(value)}',
                where,
            )
        if not value.strip():
            raise InputError("must not be empty", where)
        settings[key.strip()] = value.strip()
    return settings
