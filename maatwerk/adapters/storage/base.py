"""What every part of the SQL store shares: the engine, key lists in parts, JSON read back.

Each concern of :class:`~maatwerk.adapters.storage.store.SqlStore` (cases, the event log, runs
and decisions, the outbox, reviews, imports, reporting) is a class over :class:`SqlBase` in its
own module; ``SqlStore`` is composed from them (the idle-case statements are functions in
``run_state``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Final, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from maatwerk.core.records import CaseKey


__all__ = [
    "CHUNK",
    "KEY_LIST",
    "SqlBase",
    "chunks",
    "copy_rows",
    "json_object",
    "key_in",
    "key_list",
    "keys_after",
    "keys_upto",
]

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


#: Keys per statement of :func:`key_in` (one bound parameter however many).
KEY_LIST: Final = 10_000
#: One type object for every key list: a new one per statement would make each statement new to
#: SQLAlchemy's statement cache, which then keeps hundreds of them (memory grew with the file).
_KEY_ARRAY: Final = ARRAY(sa.String)


def key_in(conn: sa.Connection, column: sa.ColumnElement[Any]) -> sa.ColumnElement[bool]:
    """``column IN :keys`` with the whole list as ONE bound parameter named ``keys``, given
    at execution as :func:`key_list` makes it: ``= ANY(array)`` on PostgreSQL,
    ``IN (SELECT value FROM json_each(?))`` on SQLite. SQLAlchemy's ``in_`` binds one parameter
    per key and expands the statement each time it runs, which costs an import of millions of
    keys more than the look-ups themselves. The list is not part of the statement: a statement
    is garbage with reference cycles, which the collector (tuned for the daily run) frees late,
    and each would keep its list alive until then."""
    if conn.dialect.name == "postgresql":
        return column == sa.any_(sa.bindparam("keys", type_=_KEY_ARRAY))
    listed = sa.func.json_each(sa.bindparam("keys", type_=sa.String)).table_valued("value")
    return column.in_(sa.select(listed.c.value))


def copy_rows(
    conn: sa.Connection, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> None:
    """``COPY table (columns) FROM STDIN`` of ``rows`` on the connection's transaction
    (PostgreSQL through psycopg 3): the rows are the driver's values already (a JSON column
    takes its text). Several times cheaper per row than an ``executemany``, which psycopg
    sends as one prepared ``INSERT`` per row."""
    quote = conn.dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    driver: Any = conn.connection.driver_connection
    with (
        driver.cursor() as cursor,
        cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def keys_after(
    debtor: sa.ColumnElement[Any], creditor: sa.ColumnElement[Any], after: CaseKey
) -> sa.ColumnElement[bool]:
    """The case keys ``(debtor, creditor)`` after ``after`` in key order, as ONE row-value
    comparison: SQLite (3.15 and newer) and PostgreSQL both answer it with a range of the
    ``(debtor_id, creditor_id)`` index. (The spelled-out ``debtor > d OR (debtor = d AND
    creditor > c)`` is a range only on PostgreSQL.)"""
    return sa.tuple_(debtor, creditor) > _key_row(after)


def keys_upto(
    debtor: sa.ColumnElement[Any], creditor: sa.ColumnElement[Any], last: CaseKey
) -> sa.ColumnElement[bool]:
    """The case keys up to and including ``last`` (see :func:`keys_after`)."""
    return sa.tuple_(debtor, creditor) <= _key_row(last)


def _key_row(key: CaseKey) -> sa.Tuple:
    return sa.tuple_(sa.literal(key.debtor_id), sa.literal(key.creditor_id))


def key_list(conn: sa.Connection, keys: Sequence[str]) -> dict[str, Any]:
    """The parameters of :func:`key_in` for ``keys`` (at most :data:`KEY_LIST` of them)."""
    if conn.dialect.name == "postgresql":
        return {"keys": list(keys)}
    return {"keys": json.dumps(list(keys))}


def json_object(value: Any) -> dict[str, Any]:
    """A JSON column's object as a dict: SQLite may return it as text, PostgreSQL parsed."""
    if isinstance(value, str):
        loaded = json.loads(value)
        return dict(loaded)
    return dict(value)
