"""What maatwerk asks of each PostgreSQL connection (docs/scaling.md, "PostgreSQL sizing")."""

from __future__ import annotations

import sqlalchemy as sa

from maatwerk.adapters.storage.engine import make_engine


def _settings(url: str, schema: str | None = None) -> tuple[str, str]:
    engine = make_engine(url, schema=schema)
    try:
        with engine.connect() as conn:
            jit = conn.exec_driver_sql("SHOW jit").scalar_one()
            work_mem = conn.exec_driver_sql("SHOW work_mem").scalar_one()
    finally:
        engine.dispose()
    return str(jit), str(work_mem)


def test_a_connection_asks_for_work_mem_and_no_jit(pg_base_url: str) -> None:
    """64MB to group a million households without spilling; no JIT for the run's short paged
    queries (compiling took seven times as long as running one)."""
    assert _settings(pg_base_url) == ("off", "64MB")
    assert _settings(pg_base_url, schema="public") == ("off", "64MB")


def test_the_urls_own_options_replace_them(pg_base_url: str) -> None:
    sep = "&" if "?" in pg_base_url else "?"
    jit, work_mem = _settings(f"{pg_base_url}{sep}options=-cwork_mem%3D8MB")
    assert work_mem == "8MB"
    plain = sa.create_engine(pg_base_url)
    try:
        with plain.connect() as conn:
            assert jit == conn.exec_driver_sql("SHOW jit").scalar_one()  # the server's own
    finally:
        plain.dispose()
