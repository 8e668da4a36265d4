"""Read channel settings (``maatwerk run --settings FILE``) from a TOML file.

File format::

    [channels]
    creditor_name = "Zorg NL"
    creditor_phone = "0800-1234"
    creditor_iban = "NL91ABNA0417164300"
    creditor_id = "NL32ZZZ999999991234"

Several creditors in one deployment (a municipality and an insurer, a shared service centre)
each get a ``[creditors.<creditor_id>]`` table over the ``[channels]`` defaults::

    [creditors.gemeente-utrecht]
    creditor_name = "Gemeente Utrecht"
    creditor_phone = "14 030"
    creditor_iban = "NL39RABO0300065264"
    creditor_id = "NL12ZZZ300000000000"
    public = true
    policy = "classic"

``<creditor_id>`` is the creditor id of the imported debts. A creditor table takes only the
creditor's own keys (:data:`CREDITOR_KEYS`), ``public`` (true/false: a public-law creditor,
default false) and ``policy`` (the policy for its cases, unless ``--policy-for`` says otherwise).

Every other value is a string (an IBAN or phone number written as a TOML number would lose its
leading zeros). Any other top-level table or key is an error, so a typo such as ``[channel]`` is
not silently ignored. Errors are :class:`~maatwerk.core.errors.InputError` with a
``Location(file, line, field)``. The settings are never logged.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import attrs

from maatwerk.adapters.toml_reader import LineIndex, load_toml
from maatwerk.core.errors import InputError, Location
from maatwerk.core.ports import CreditorProfile


__all__ = ["CREDITOR_KEYS", "SettingsFile", "load_channel_settings", "load_settings"]

_TABLE: Final = "channels"
_CREDITORS: Final = "creditors"
#: The channel settings a ``[creditors.<id>]`` table may give for its creditor.
CREDITOR_KEYS: Final = frozenset(
    {
        "creditor_name",
        "creditor_phone",
        "creditor_iban",
        "creditor_bic",
        "creditor_id",
        "creditor_kvk",
        "municipal_partner_type",
    }
)


def _toml_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    return "a date or time"


@attrs.frozen
class SettingsFile:
    """The settings file: the ``[channels]`` defaults and the creditor profiles."""

    channels: Mapping[str, str] = attrs.field(factory=dict)
    creditors: Mapping[str, CreditorProfile] = attrs.field(factory=dict)


def load_channel_settings(path: Path) -> dict[str, str]:
    """The ``[channels]`` table of the settings file at ``path`` as ``{key: value}``."""
    return dict(load_settings(path).channels)


def _top_line(lines: LineIndex, name: str) -> int | None:
    """The first line of the top-level ``name``, also when only ``[name.sub]`` headers give it."""
    found = lines.line((name,))
    if found is not None:
        return found
    nested = [n for path, n in lines.tables.items() if path and path[0] == name]
    return min(nested, default=None)


def _string(value: Any, key: str, where: Location) -> str:
    if not isinstance(value, str):
        raise InputError(
            f'must be a string in quotes, e.g. {key} = "...", not {_toml_kind(value)}', where
        )
    if not value.strip():
        raise InputError("must not be empty", where)
    return value.strip()


def _creditor(creditor_id: str, table: Any, file: str, lines: LineIndex) -> CreditorProfile:
    path = (_CREDITORS, creditor_id)
    name = f"{_CREDITORS}.{creditor_id}"
    if not isinstance(table, dict):
        raise InputError(
            f"{name} must be a table: [{name}] with key = value lines",
            Location(file=file, line=lines.line(path), field=name),
        )
    settings: dict[str, str] = {}
    public = False
    policy: str | None = None
    for key, value in table.items():
        where = Location(file=file, line=lines.line(path, key), field=f"{name}.{key}")
        if key == "public":
            if not isinstance(value, bool):
                raise InputError(f"must be true or false, not {_toml_kind(value)}", where)
            public = value
        elif key == "policy":
            policy = _string(value, key, where)
        elif key in CREDITOR_KEYS:
            settings[key] = _string(value, key, where)
        else:
            known = ", ".join(sorted({*CREDITOR_KEYS, "public", "policy"}))
            raise InputError(f"unknown key {key!r} for a creditor; known: {known}", where)
    return CreditorProfile(settings=settings, public=public, policy=policy)


def load_settings(path: Path) -> SettingsFile:
    """The settings file at ``path``: ``[channels]`` and every ``[creditors.<id>]`` table."""
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
        if name not in {_TABLE, _CREDITORS}:
            raise InputError(
                f"unknown table or key {name!r}; channel settings go in a [{_TABLE}] table, "
                f"a creditor's in a [{_CREDITORS}.<creditor_id>] table",
                Location(file=file, line=_top_line(lines, name), field=name),
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
        settings[key.strip()] = _string(value, key, where)
    creditors_table = doc.get(_CREDITORS, {})
    if not isinstance(creditors_table, dict):
        raise InputError(
            f"{_CREDITORS} must be tables: [{_CREDITORS}.<creditor_id>]",
            Location(file=file, line=lines.line((_CREDITORS,)), field=_CREDITORS),
        )
    creditors = {
        creditor_id.strip(): _creditor(creditor_id, table, file, lines)
        for creditor_id, table in creditors_table.items()
    }
    return SettingsFile(channels=settings, creditors=creditors)
