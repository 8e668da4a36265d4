"""Engines for the two supported databases: an SQLite file (default) and PostgreSQL (psycopg 3).

SQLite gets foreign keys on, WAL journaling and a busy timeout on every connection, so the
embedded default behaves like a real database. A PostgreSQL URL written as ``postgresql://`` is
driven by psycopg 3. ``schema`` (PostgreSQL only) sets the ``search_path`` of every connection:
tests use it to give each test its own schema.
"""

from __future__ import annotations

import json
import os
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import make_url

from maatwerk.adapters.storage.mapping import json_default
from maatwerk.core.errors import InputError, Location


__all__ = ["DEFAULT_URL", "make_engine", "normalise_url"]

DEFAULT_URL: Final = "sqlite:///maatwerk.db"
_SQLITE_BUSY_MS: Final = 30_000


def normalise_url(url: str) -> sa.URL:
    """Parse a database URL; ``postgresql://`` and ``postgres://`` mean psycopg 3."""
    try:
        parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    except sa.exc.ArgumentError:
        raise InputError(f"{url!r} is not a database URL", Location(field="--db")) from None
    if parsed.drivername in ("postgresql", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise InputError(
            f"unsupported database {parsed.get_backend_name()!r}; use sqlite:/// or postgresql://",
            Location(field="--db"),
        )
    return parsed


def _sqlite_pragmas(dbapi_connection: Any, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def _json_serializer(value: object) -> str:
    """JSON columns take dates, amounts and enums as they are (``mapping.json_default``)."""
    return json.dumps(value, default=json_default)


def _create_private(database: str | None) -> None:
    """Create a new SQLite database file readable by its owner only (0600): it holds names,
    IBANs and BSNs. An existing file keeps its mode; a missing directory is left to SQLite's
    own error."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    try:
        fd = os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    except OSError:
        return  # SQLite reports it when it connects (no such directory, no permission)
    os.close(fd)


def make_engine(url: str, *, schema: str | None = None, echo: bool = False) -> sa.Engine:
    """Create (but do not connect) an engine for ``url``."""
    parsed = normalise_url(url)
    connect_args: dict[str, Any] = {}
    if parsed.get_backend_name() == "postgresql":
        # The daily run groups and sorts whole tables (the cases of a million households): at
        # PostgreSQL's default work_mem of 4MB a hash aggregate over 3.5 million debts spilled
        # for more than ten minutes, with 64MB it took 2 s (docs/scaling.md). A role or
        # database setting, or the URL's own ``options``, can say otherwise.
        options = []
        if "options" not in parsed.query:
            options.append(f"-cwork_mem={os.environ.get('MAATWERK_PG_WORK_MEM', '64MB')}")
        if schema is not None:
            options.append(f"-csearch_path={schema}")
        if options:
            connect_args["options"] = " ".join(options)
        engine = sa.create_engine(
            parsed, connect_args=connect_args, echo=echo, json_serializer=_json_serializer
        )
    else:
        if schema is not None:
            raise InputError("a schema is only supported on PostgreSQL", Location(field="schema"))
        _create_private(parsed.database)
        engine = sa.create_engine(parsed, echo=echo, json_serializer=_json_serializer)
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine
