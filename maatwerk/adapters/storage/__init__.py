"""Storage adapter: SQLAlchemy 2 Core on an SQLite file (default) or PostgreSQL (psycopg 3).

``make_engine(url)`` builds the engine, ``migrate.upgrade(engine)`` applies the shipped Alembic
migrations, and :class:`~maatwerk.adapters.storage.store.SqlStore` implements the storage ports of
:mod:`maatwerk.core.ports`.
"""

from __future__ import annotations
