"""Apply the shipped Alembic migrations (``maatwerk db upgrade|downgrade|current``).

The migrations live in this package (``migrations/``), so an installed maatwerk can create and
upgrade its own database; production paths never call ``metadata.create_all``.
"""

from __future__ import annotations

import io
from typing import Final

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory


__all__ = ["HEAD", "current_revision", "downgrade", "head_revision", "upgrade"]

HEAD: Final = "head"
_SCRIPT_LOCATION: Final = "maatwerk.adapters.storage:migrations"


def _config(connection: sa.Connection | None = None) -> Config:
    config = Config(stdout=io.StringIO())
    config.set_main_option("script_location", _SCRIPT_LOCATION)
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships migrations
        raise RuntimeError("no migrations shipped")
    return head


def upgrade(engine: sa.Engine, revision: str = HEAD) -> str | None:
    """Upgrade to ``revision`` (default: the newest); returns the revision now current."""
    with engine.begin() as conn:
        command.upgrade(_config(conn), revision)
    return current_revision(engine)


def downgrade(engine: sa.Engine, revision: str = "-1") -> str | None:
    """Downgrade (default: one step); returns the revision now current (``None`` when empty)."""
    with engine.begin() as conn:
        command.downgrade(_config(conn), revision)
    return current_revision(engine)


def current_revision(engine: sa.Engine) -> str | None:
    """The revision the database is at; ``None`` for an empty database."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
