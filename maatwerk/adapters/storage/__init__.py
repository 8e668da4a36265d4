"""Storage adapter: SQLAlchemy 2 Core on an SQLite file (default) or PostgreSQL (psycopg 3).

``make_engine(url)`` builds the engine, ``migrate.upgrade(engine)`` applies the shipped Alembic
migrations, and :class:`SqlStore` implements the storage ports of :mod:`maatwerk.core.ports`
(composed in :mod:`~maatwerk.adapters.storage.store` from one module per thing stored).
"""

from __future__ import annotations

from maatwerk.adapters.storage.store import SqlStore


__all__ = ["SqlStore"]
