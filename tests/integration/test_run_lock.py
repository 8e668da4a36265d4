"""The run lock on SQLite and PostgreSQL, in one process: a second holder is refused with who
holds it, gets it once it is released, and a stale SQLite row of a dead process is taken over.
(Two real processes: ``tests/reliability/test_concurrent_runs.py``.)"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from maatwerk.adapters.storage import SqlStore
from maatwerk.adapters.storage import schema as t
from maatwerk.adapters.storage.coordination import RunInProgressError, SqlRunLock


DAY = dt.date(2026, 3, 2)


def test_a_second_holder_is_refused_naming_the_first_until_it_releases(store: SqlStore) -> None:
    first = SqlRunLock(store.engine, DAY, worker="w-00000001")
    first.acquire()
    second = SqlRunLock(store.engine, dt.date(2026, 3, 3), worker="w-00000002")
    with pytest.raises(RunInProgressError) as refused:
        second.acquire()
    holder = refused.value.holder
    assert holder is not None
    assert (holder.run_date, holder.worker, holder.pid) == (DAY, "w-00000001", first.pid)
    assert str(refused.value).startswith("the daily run of 2026-03-02 is in progress since ")
    first.release()
    with second:
        assert second.holder() is not None
    assert second.holder() is None


def test_waiting_tells_who_holds_the_lock_once_and_takes_it_when_free(store: SqlStore) -> None:
    first = SqlRunLock(store.engine, DAY, worker="w-00000001")
    first.acquire()
    told: list[object] = []
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 3:
            first.release()

    second = SqlRunLock(
        store.engine, DAY, worker="w-2", wait=True, on_wait=told.append, sleep=sleep
    )
    second.acquire()
    assert len(told) == 1
    second.release()


def test_a_sqlite_lock_of_a_dead_process_is_taken_over(sqlite_url: str) -> None:
    from maatwerk.adapters.storage import migrate
    from maatwerk.adapters.storage.engine import make_engine

    engine = make_engine(sqlite_url)
    migrate.upgrade(engine)
    try:
        dead = SqlRunLock(engine, DAY, worker="w-dead")
        dead.acquire()
        with engine.begin() as conn:  # as if its process had ended: a pid no process has
            conn.execute(sa.update(t.run_locks).values(pid=2**22 + 7, pid_started="1"))
        with SqlRunLock(engine, DAY, worker="w-new") as taken:
            assert taken.holder() is not None
            assert taken.holder().worker == "w-new"  # type: ignore[union-attr]
    finally:
        engine.dispose()
