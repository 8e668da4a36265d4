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

from pathlib import Path
from typing import Any, Final

from maatwerk.adapters.toml_reader import LineIndex, load_toml
from maatwerk.core.errors import InputError, Location


__all__ = ["load_channel_settings"]

_TABLE: Final = "channels"


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
    doc = load_toml(raw, file, error_type=InputError)
    lines = LineIndex(raw)
    for name in doc:
        if name != _TABLE:
            raise InputError(
                f"unknown table or key {name!r}; channel settings go in a [{_TABLE}] table",
                Location(file=file, line=lines.line((name,)), field=name),
            )
    table = doc.get(_TABLE, {})
    if not isinstance(table, dict):
        raise InputError(
            f'{_TABLE} must be a table: [{_TABLE}] with key = "value" lines',
            Location(file=file, line=lines.line((_TABLE,)), field=_TABLE),
        )
    settings: dict[str, str] = {}
    for key, value in table.items():
        where = Location(file=file, line=lines.line((_TABLE,), key), field=f"{_TABLE}.{key}")
        if not isinstance(value, str):
            raise InputError(
                f'must be a string in quotes, e.g. {key} = "...", not {_toml_kind(value)}',
                where,
            )
        if not value.strip():
            raise InputError("must not be empty", where)
        settings[key.strip()] = value.strip()
    return settings
