"""``maatwerk db upgrade|downgrade|current``: apply the shipped Alembic migrations."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from maatwerk.adapters.storage import migrate
from maatwerk.adapters.storage.engine import make_engine
from maatwerk.cli._common import db_option, emit_json, json_option


if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


@contextmanager
def _engine(db_url: str) -> Iterator[Engine]:
    """An engine on ``db_url``, disposed of afterwards."""
    engine = make_engine(db_url)
    try:
        yield engine
    finally:
        engine.dispose()


@click.group()
def db() -> None:
    """Create and upgrade the database schema (SQLite file or PostgreSQL)."""


@db.command()
@db_option
@json_option
def upgrade(db_url: str, as_json: bool) -> None:
    """Apply every migration not applied yet (creates the schema in an empty database)."""
    with _engine(db_url) as engine:
        before = migrate.current_revision(engine)
        after = migrate.upgrade(engine)
    _report(before, after, as_json)


@db.command()
@db_option
@json_option
def downgrade(db_url: str, as_json: bool) -> None:
    """Undo the newest applied migration (one step)."""
    with _engine(db_url) as engine:
        before = migrate.current_revision(engine)
        if before is None:
            raise click.UsageError("the database has no migrations applied; nothing to undo")
        after = migrate.downgrade(engine)
    _report(before, after, as_json)


@db.command()
@db_option
@json_option
def current(db_url: str, as_json: bool) -> None:
    """Show the revision the database is at and the newest shipped one."""
    with _engine(db_url) as engine:
        revision = migrate.current_revision(engine)
    head = migrate.head_revision()
    if as_json:
        emit_json({"current": revision, "head": head, "up_to_date": revision == head})
        return
    state = "up to date" if revision == head else f"run 'maatwerk db upgrade' to reach {head}"
    click.echo(f"current: {revision or '(empty)'}; newest: {head}; {state}")


def _report(before: str | None, after: str | None, as_json: bool) -> None:
    if as_json:
        emit_json({"from": before, "to": after})
        return
    if before == after:
        click.echo(f"database already at {after or '(empty)'}")
    else:
        click.echo(f"database migrated from {before or '(empty)'} to {after or '(empty)'}")
