"""What every part of the SQL store shares: the engine, key lists in parts, JSON read back.

Each concern of :class:`~maatwerk.adapters.storage.store.SqlStore` (cases, the event log, runs
and decisions, the outbox, reviews, imports, reporting) is a class over :class:`SqlBase` in its
own module; ``SqlStore`` is composed from them (the idle-case statements are functions in
``run_state``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any, Final, TypeVar

import sqlalchemy as sa


__all__ = ["CHUNK", "SqlBase", "chunks", "json_object"]

T = TypeVar("T")

#: Rows per ``IN (...)`` list: well within SQLite's and PostgreSQL's parameter limits.
CHUNK: Final = 900


class SqlBase:
    """Storage on one SQLAlchemy engine (SQLite file or PostgreSQL)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """``items`` in consecutive parts of at most ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def json_object(value: Any) -> dict[str, Any]:
    """A JSON column's object as a dict: SQLite may return it as text, PostgreSQL parsed."""
    if isinstance(value, str):
        loaded = json.loads(value)
        return dict(loaded)
    return dict(value)
