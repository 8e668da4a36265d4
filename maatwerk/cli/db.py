"""``maatwerk db upgrade|downgrade|current``: apply the shipped Alembic migrations."""

from __future__ import annotations

import click

from maatwerk.adapters.storage import migrate
from maatwerk.adapters.storage.engine import make_engine
from maatwerk.cli._common import db_option, emit_json, json_option


@click.group()
def db() -> None:
    """Create and upgrade the database schema (SQLite file or PostgreSQL)."""


@db.command()
@db_option
@json_option
def upgrade(db_url: str, as_json: bool) -> None:
    """Apply every migration not applied yet (creates the schema in an empty database)."""
    engine = make_engine(db_url)
    try:
        before = migrate.current_revision(engine)
        after = migrate.upgrade(engine)
    finally:
        engine.dispose()
    _report(before, after, as_json)


@db.command()
@db_option
@json_option
def downgrade(db_url: str, as_json: bool) -> None:
    """Undo the newest applied migration (one step)."""
    engine = make_engine(db_url)
    try:
        before = migrate.current_revision(engine)
        if before is None:
            raise click.UsageError("the database has no migrations applied; nothing to undo")
        after = migrate.downgrade(engine)
    finally:
        engine.dispose()
    _report(before, after, as_json)


@db.command()
@db_option
@json_option
def current(db_url: str, as_json: bool) -> None:
    """Show the revision the database is at and the newest shipped one."""
    engine = make_engine(db_url)
    try:
        revision = migrate.current_revision(engine)
    finally:
        engine.dispose()
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
