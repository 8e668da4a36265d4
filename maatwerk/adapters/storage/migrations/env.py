"""Alembic environment for maatwerk's own migrations (shipped inside the package).

Called through :func:`maatwerk.adapters.storage.migrate.upgrade` and friends, which pass an open
connection in ``config.attributes["connection"]`` (so a caller's ``search_path`` or SQLite
pragmas hold); the ``sqlalchemy.url`` option is the fallback for the ``alembic`` command line.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from maatwerk.adapters.storage.schema import metadata


config = context.config


def _run(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        compare_server_default=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database URL: pass a connection or set sqlalchemy.url")
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("maatwerk migrations run online only (maatwerk db upgrade)")
run_migrations_online()
