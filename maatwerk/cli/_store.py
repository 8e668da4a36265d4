"""Open the SQL store for a command (shared by the storage-backed command modules)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from maatwerk.adapters.faults import install_from_environ
from maatwerk.adapters.storage import SqlStore, migrate
from maatwerk.adapters.storage.engine import make_engine
from maatwerk.cli._common import OneLineError


__all__ = ["open_store"]


@contextmanager
def open_store(db_url: str) -> Iterator[SqlStore]:
    """The store on ``db_url``; exit 1 with a hint when the schema is not at the newest migration."""
    install_from_environ(db_url=db_url)  # MAATWERK_FAULT: the reliability tests only
    # psycopg warns on stderr about a connection it finds lost; the one line below says it
    logging.getLogger("psycopg").setLevel(logging.ERROR)
    engine = make_engine(db_url)
    try:
        current = migrate.current_revision(engine)
        head = migrate.head_revision()
        if current != head:
            state = "is empty" if current is None else f"is at migration {current}, not {head}"
            raise OneLineError(
                f"the database {state}; run 'maatwerk db upgrade --db URL' first", exit_code=1
            )
        yield SqlStore(engine)
    except sa.exc.OperationalError as exc:  # the server went away mid-command
        first = str(exc.orig or exc).strip().splitlines()[0] if str(exc).strip() else "lost"
        raise OneLineError(
            f"the database connection was lost ({first}); nothing half-done was kept: run the "
            "command again",
            exit_code=1,
        ) from None
    finally:
        engine.dispose()
