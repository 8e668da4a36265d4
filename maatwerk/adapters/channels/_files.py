"""Small helpers the file-writing channels share: safe names, atomic writes, Dutch formatting."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pathlib
import re
import tempfile
from collections.abc import Mapping
from decimal import Decimal
from typing import Final

from maatwerk.core.money import Money
from maatwerk.core.policy import text as policy_text
from maatwerk.services.faults import fault_point


__all__ = ["atomic_write", "dutch_amount", "dutch_date", "missing_settings", "safe_file_stem"]

_UNSAFE: Final = re.compile(r"[^A-Za-z0-9._-]")


def missing_settings(settings: Mapping[str, str], keys: tuple[str, ...]) -> list[str]:
    """``"setting 'key' is missing"`` for each of ``keys`` not set (a channel's startup check)."""
    return [f"setting {key!r} is missing" for key in keys if not settings.get(key, "").strip()]


def safe_file_stem(identifier: str) -> str:
    """A file name stem for *identifier*: unchanged when safe, else cleaned plus a short hash.

    Two different identifiers never map to the same stem.
    """
    cleaned = _UNSAFE.sub("_", identifier).strip(".") or "_"
    if cleaned == identifier and len(identifier) <= 120:
        return identifier
    digest = hashlib.sha256(identifier.encode()).hexdigest()[:12]
    return f"{cleaned[:100]}-{digest}"


#: Directories this process has already cleaned of killed writers' temporary files.
_CLEANED: set[pathlib.Path] = set()


def _clean_once(directory: pathlib.Path) -> None:
    """Create ``directory`` and, once per process, remove temporary files a killed writer left.

    One scan per directory instead of one per file written (a day's letters are thousands of
    files in one directory: scanning it for every file made delivery quadratic).
    """
    directory.mkdir(parents=True, exist_ok=True)
    if directory in _CLEANED:
        return
    with os.scandir(directory) as entries:
        for entry in entries:
            if entry.name.startswith(".") and entry.name.endswith(".tmp") and entry.is_file():
                pathlib.Path(entry.path).unlink(missing_ok=True)
    _CLEANED.add(directory)


def atomic_write(path: pathlib.Path, text: str) -> None:
    """Write *text* (UTF-8) to *path* so that readers see the old or the new file, never half.

    Temporary files left by a process killed while writing are removed the first time this
    process writes into the directory, so a rerun after a crash leaves exactly the files an
    uninterrupted run leaves.
    """
    _clean_once(path.parent)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        pathlib.Path(temporary).replace(path)
    except BaseException:
        pathlib.Path(temporary).unlink(missing_ok=True)
        raise
    fault_point("file-written")


def dutch_amount(amount: Decimal) -> str:
    """``Decimal('1234.5')`` -> ``'€ 1.234,50'`` (rounded half-up to cents)."""
    value = Money(amount).rounded().amount
    sign = "-" if value < 0 else ""
    whole, cents = f"{abs(value):.2f}".split(".")
    groups = f"{int(whole):,}".replace(",", ".")
    return f"{sign}€ {groups},{cents}"


def dutch_date(day: dt.date) -> str:
    """``date(2026, 3, 2)`` -> ``'2 maart 2026'`` (the policy texts' Dutch date)."""
    return policy_text.date(day, "nl")
