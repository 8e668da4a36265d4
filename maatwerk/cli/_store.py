"""Open the SQL store for a command (shared by the storage-backed command modules)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from maatwerk.adapters.storage import SqlStore, migrate
from maatwerk.adapters.storage.engine import make_engine
from maatwerk.cli._common import OneLineError


__all__ = ["open_store"]


@contextmanager
def open_store(db_url: str) -> Iterator[SqlStore]:
    """The store on ``db_url``; exit 1 with a hint when the schema is not at the newest migration."""
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
    finally:
        engine.dispose()
