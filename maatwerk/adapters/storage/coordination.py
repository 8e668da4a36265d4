"""Coordinating runs in the database: the run lock (one daily run per database at a time) and
the shards a run with several workers hands out (:mod:`maatwerk.services.run.shards`).

**The run lock.** One row in ``run_locks`` says who holds the daily run (host, pid, worker id,
run date, since when); what makes it a lock differs per database, chosen so that a lock held by
a process that died frees itself:

- PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``, keyed by the schema) on a
  connection kept open for the whole run. It dies with the session: a killed process, a lost
  host or a dropped connection frees it at once, without a staleness rule. It holds no
  transaction open, so VACUUM is not held back. The row only tells others who holds it; a
  stale row is overwritten by the next holder.
- SQLite: the row itself, inserted by one statement (``INSERT ... ON CONFLICT DO NOTHING``,
  atomic on SQLite's single writer). A holder on this host whose process is gone (no such pid,
  or a pid reused by another process: its start time, from ``/proc``, differs) is stale and is
  replaced by a compare-and-set on its token. ``BEGIN IMMEDIATE`` for the whole run was not
  chosen: the run writes each batch in its own transaction, and the lock's write transaction
  would block them and every ``maatwerk contact log`` meant to go on during the run. A holder
  on another host cannot be checked and is taken as live (SQLite across hosts, on a network
  file system, is not supported anyway).

The lock is one per database, not per date: two dates at once would deliver the same outbox
twice over and decide cases of the later date on data the earlier one is still writing.

**Shards** (PostgreSQL only): ``run_shards`` holds a run date's ranges of case keys. A worker
claims one with ``SELECT ... FOR UPDATE SKIP LOCKED`` in a transaction it keeps open while it
runs the shard (on its own connection; the batches commit on others) and marks it done in that
transaction. When the worker dies, PostgreSQL ends the session and drops the row lock: the shard
is pending again. This is hand-written because it is a few statements on tables the run already
owns; a job-queue library would add a second coordinator next to the database.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import secrets
import socket
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final, Self

import attrs
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from maatwerk.adapters.storage import run_state
from maatwerk.adapters.storage import schema as t
from maatwerk.adapters.storage.base import json_object
from maatwerk.core.errors import MaatwerkError
from maatwerk.core.records import CaseKey
from maatwerk.services.run.shards import Shard


__all__ = [
    "RunHolder",
    "RunInProgressError",
    "SqlRunLock",
    "SqlShardBoard",
    "new_worker_id",
    "process_started",
]

#: The name of the daily run's lock row (one per database).
DAILY_RUN: Final = "daily-run"
#: First key of the PostgreSQL advisory lock (``'mw'``); the second is the schema's hash.
_ADVISORY_CLASS: Final = 0x6D77

_PENDING: Final = "pending"
_DONE: Final = "done"


def new_worker_id() -> str:
    """A short id for this process in locks and shards (``w-`` and 8 hex digits)."""
    return f"w-{secrets.token_hex(4)}"


def process_started(pid: int) -> str:
    """When process ``pid`` started, as ``/proc/<pid>/stat`` says (clock ticks since boot);
    ``""`` where there is no ``/proc`` or no such process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return ""
    fields = stat.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 else ""  # field 22 of stat(5); fields[0] is field 3


def _alive(pid: int, started: str) -> bool:
    """Whether the process ``pid`` that started at ``started`` still runs on this host."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process: it exists
    return not started or process_started(pid) in ("", started)


@attrs.frozen(kw_only=True)
class RunHolder:
    """Who holds the daily run of a database."""

    run_date: dt.date
    host: str
    pid: int
    worker: str
    since: dt.datetime
    token: str = ""
    pid_started: str = ""

    def describe(self) -> str:
        since = self.since
        if since.tzinfo is not None:
            since = since.astimezone(dt.UTC)
        return (
            f"the daily run of {self.run_date.isoformat()} is in progress since "
            f"{since:%Y-%m-%d %H:%M:%S} UTC (host {self.host}, pid {self.pid}, "
            f"worker {self.worker})"
        )


class RunInProgressError(MaatwerkError):
    """Another process holds the daily run of this database."""

    def __init__(self, holder: RunHolder | None) -> None:
        self.holder = holder
        text = (
            holder.describe()
            if holder is not None
            else "another daily run is in progress (its holder did not say who it is)"
        )
        super().__init__(f"{text}; wait for it to finish or run again with --wait")


class SqlRunLock:
    """The run lock of one database (see the module docstring); use as a context manager or
    call :meth:`acquire` and :meth:`release`."""

    def __init__(
        self,
        engine: sa.Engine,
        run_date: dt.date,
        *,
        worker: str,
        wait: bool = False,
        on_wait: Callable[[RunHolder | None], None] | None = None,
        poll_seconds: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.engine = engine
        self.run_date = run_date
        self.worker = worker
        self.wait = wait
        self.on_wait = on_wait
        self.poll_seconds = poll_seconds
        self.sleep = sleep
        self.token = secrets.token_hex(16)
        self.host = socket.gethostname()
        self.pid = os.getpid()
        self._session: sa.Connection | None = None
        self._held = False

    @property
    def postgresql(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def __enter__(self) -> Self:
        self.acquire()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()

    # -- acquiring ---------------------------------------------------------------------------
    def acquire(self) -> None:
        """Take the lock; raises :class:`RunInProgressError` when another live process holds it
        (with ``wait``: waits until it is free, telling ``on_wait`` once who holds it)."""
        told = False
        while True:
            holder = self._try()
            if self._held:
                return
            if not self.wait:
                raise RunInProgressError(holder)
            if not told and self.on_wait is not None:
                self.on_wait(holder)
                told = True
            self.sleep(self.poll_seconds)

    def _try(self) -> RunHolder | None:
        """Take the lock if free (``self._held``); else who holds it."""
        if self.postgresql:
            return self._try_postgresql()
        return self._try_sqlite()

    def _row(self) -> dict[str, Any]:
        return {
            "name": DAILY_RUN,
            "token": self.token,
            "run_date": self.run_date,
            "host": self.host[:255],
            "pid": self.pid,
            "pid_started": process_started(self.pid),
            "worker": self.worker,
            "since": dt.datetime.now(dt.UTC),
        }

    def _try_postgresql(self) -> RunHolder | None:
        session = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            got = session.execute(
                sa.text("select pg_try_advisory_lock(:cls, hashtext(current_schema()))"),
                {"cls": _ADVISORY_CLASS},
            ).scalar_one()
        except BaseException:
            session.close()
            raise
        if not got:
            session.close()
            return self._holder_of_live_lock()
        row = self._row()
        upsert = postgresql.insert(t.run_locks).values(row)
        session.execute(
            upsert.on_conflict_do_update(
                index_elements=[t.run_locks.c.name],
                set_={k: upsert.excluded[k] for k in row if k != "name"},
            )
        )
        self._session = session
        self._held = True
        return None

    def _holder_of_live_lock(self) -> RunHolder | None:
        """The row of the live holder; it writes it just after taking the advisory lock, so
        a missing (or older) row is read again for a moment."""
        for _ in range(10):
            holder = self.holder()
            if holder is not None and holder.token:
                return holder
            self.sleep(0.05)
        return self.holder()

    def _try_sqlite(self) -> RunHolder | None:
        # read first: a reader never waits for SQLite's writer (WAL), so a live holder is
        # named at once even while its run is writing a batch
        for _ in range(3):
            holder = self.holder()
            if holder is not None and (
                holder.host != self.host or _alive(holder.pid, holder.pid_started)
            ):
                return holder
            with self.engine.begin() as conn:
                if holder is None:
                    changed = conn.execute(
                        sqlite.insert(t.run_locks).values(self._row()).on_conflict_do_nothing()
                    )
                else:  # its process is gone: take the lock over, unless another did first
                    row = {k: v for k, v in self._row().items() if k != "name"}
                    changed = conn.execute(
                        t.run_locks.update()
                        .where(t.run_locks.c.name == DAILY_RUN, t.run_locks.c.token == holder.token)
                        .values(row)
                    )
            if changed.rowcount == 1:
                self._held = True
                return None
        return self.holder()

    # -- reading and releasing ---------------------------------------------------------------
    def holder(self) -> RunHolder | None:
        """Who the lock row names (it may be stale: see :meth:`acquire`)."""
        r = t.run_locks
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(r).where(r.c.name == DAILY_RUN)).first()
        if row is None:
            return None
        return RunHolder(
            run_date=row.run_date,
            host=row.host,
            pid=row.pid,
            worker=row.worker,
            since=row.since,
            token=row.token,
            pid_started=row.pid_started,
        )

    def release(self) -> None:
        if not self._held:
            return
        self._held = False
        r = t.run_locks
        delete = r.delete().where(r.c.name == DAILY_RUN, r.c.token == self.token)
        session, self._session = self._session, None
        if session is None:
            with self.engine.begin() as conn:
                conn.execute(delete)
            return
        try:
            session.execute(delete)
            session.execute(
                sa.text("select pg_advisory_unlock(:cls, hashtext(current_schema()))"),
                {"cls": _ADVISORY_CLASS},
            )
        finally:
            session.close()


# -------------------------------------------------------------------------------------- shards
def _key(debtor: str | None, creditor: str | None) -> CaseKey | None:
    return None if debtor is None or creditor is None else CaseKey(debtor, creditor)


class _Claim:
    """A shard held by an open transaction on its own connection."""

    def __init__(self, conn: sa.Connection, shard: Shard, worker: str) -> None:
        self._conn = conn
        self._shard = shard
        self._worker = worker
        self.completed = False

    @property
    def shard(self) -> Shard:
        return self._shard

    def complete(self, summary: dict[str, object]) -> None:
        s = t.run_shards
        self._conn.execute(
            s.update()
            .where(s.c.run_date == self._shard.run_date, s.c.shard == self._shard.number)
            .values(status=_DONE, worker=self._worker, finished_at=sa.func.now(), summary=summary)
        )
        self._conn.commit()
        self.completed = True


class SqlShardBoard:
    """:class:`maatwerk.services.run.shards.ShardBoard` on PostgreSQL (``run_shards``)."""

    def __init__(self, engine: sa.Engine) -> None:
        if engine.dialect.name != "postgresql":
            raise MaatwerkError(
                "several workers need PostgreSQL: SQLite has one writer, so more processes "
                "would only wait for each other"
            )
        self.engine = engine

    def plan(self, run_date: dt.date, *, shards: int, evaluator: str, least: int = 1) -> int:
        s = t.run_shards
        with self.engine.begin() as conn:
            # waits for a shard still claimed by a worker of an earlier, crashed coordinator
            conn.execute(s.delete().where(s.c.run_date == run_date))
            bounds = self._bounds(conn, run_date, max(1, shards), max(1, least))
            edges: list[CaseKey | None] = [None, *bounds, None]
            rows = [
                {
                    "run_date": run_date,
                    "shard": number,
                    "after_debtor": None if after is None else after.debtor_id,
                    "after_creditor": None if after is None else after.creditor_id,
                    "last_debtor": None if last is None else last.debtor_id,
                    "last_creditor": None if last is None else last.creditor_id,
                    "evaluator": evaluator,
                    "status": _PENDING,
                }
                for number, (after, last) in enumerate(itertools.pairwise(edges))
            ]
            conn.execute(s.insert(), rows)
        return len(rows)

    @staticmethod
    def _bounds(conn: sa.Connection, run_date: dt.date, shards: int, least: int) -> list[CaseKey]:
        """The last case key of every ``k``-th debtor with a case still to decide, ``k`` the
        pending debtors over ``shards`` but at least ``least``: the ends of all shards but the
        last."""
        d = t.debts
        pending = run_state.pending_cases(run_date).subquery("pending")
        debtors = sa.select(pending.c.debtor_id).group_by(pending.c.debtor_id).subquery("debtors")
        total = sa.func.count().over()
        counted = sa.select(
            debtors.c.debtor_id,
            sa.func.row_number().over(order_by=debtors.c.debtor_id).label("n"),
            total.label("total"),
        ).subquery("counted")
        # every ``step``-th pending debtor, ``step`` = ceil(total / shards) but at least ``least``
        ceil = (counted.c.total + (shards - 1)) // shards
        step = sa.case((ceil < least, least), else_=ceil)
        ends = [
            debtor
            for (debtor,) in conn.execute(
                sa.select(counted.c.debtor_id)
                .where(counted.c.n % step == 0, counted.c.n < counted.c.total)
                .order_by(counted.c.debtor_id)
            )
        ]
        if not ends:
            return []
        # a plain list (at most ``shards`` ids): PostgreSQL ran the same as an IN subquery
        # once per debt row (minutes at 20,000 debtors)
        query = (
            sa.select(d.c.debtor_id, sa.func.max(d.c.creditor_id))
            .where(d.c.debtor_id.in_(ends))
            .group_by(d.c.debtor_id)
            .order_by(d.c.debtor_id)
        )
        return [CaseKey(debtor, creditor) for debtor, creditor in conn.execute(query)]

    def withdraw(self, run_date: dt.date) -> None:
        """Drop the shards of ``run_date`` (a run in one process took the date over): waits
        for any a worker still holds, so that no worker of an earlier run decides a case
        while the new run does."""
        s = t.run_shards
        with self.engine.begin() as conn:
            conn.execute(s.delete().where(s.c.run_date == run_date))

    def planned(self, run_date: dt.date) -> int:
        s = t.run_shards
        with self.engine.connect() as conn:
            query = sa.select(sa.func.count()).where(s.c.run_date == run_date)
            return int(conn.execute(query).scalar_one())

    def remaining(self, run_date: dt.date) -> int:
        s = t.run_shards
        with self.engine.connect() as conn:
            query = sa.select(sa.func.count()).where(s.c.run_date == run_date, s.c.status != _DONE)
            return int(conn.execute(query).scalar_one())

    @contextmanager
    def claim(self, run_date: dt.date, *, worker: str) -> Iterator[_Claim | None]:
        s = t.run_shards
        conn = self.engine.connect()
        try:
            row = conn.execute(
                sa.select(s)
                .where(s.c.run_date == run_date, s.c.status == _PENDING)
                .order_by(s.c.shard)
                .limit(1)
                .with_for_update(skip_locked=True)
            ).first()
            if row is None:
                conn.rollback()
                yield None
                return
            shard = Shard(
                run_date=run_date,
                number=row.shard,
                after=_key(row.after_debtor, row.after_creditor),
                last=_key(row.last_debtor, row.last_creditor),
                evaluator=row.evaluator,
            )
            claimed = _Claim(conn, shard, worker)
            yield claimed
            if not claimed.completed:
                conn.rollback()
        finally:
            conn.close()  # an open transaction (an error) rolls back: the shard is free again

    def shard_keys(self, shard: Shard, *, after: CaseKey | None, limit: int) -> Sequence[CaseKey]:
        start = after if after is not None else shard.after
        with self.engine.connect() as conn:
            return run_state.pending_keys(
                conn, shard.run_date, after=start, limit=limit, last=shard.last
            )

    def summaries(self, run_date: dt.date) -> Sequence[dict[str, object]]:
        s = t.run_shards
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(s.c.summary)
                .where(s.c.run_date == run_date, s.c.status == _DONE)
                .order_by(s.c.shard)
            )
            return [json_object(summary) for (summary,) in rows if summary is not None]
