"""The shards of a run with workers on PostgreSQL, in one process: a claimed shard is skipped by
other workers, handed back when its worker ends without completing it, and refused by a worker
whose policies or settings differ. (Real processes: ``tests/reliability/test_workers.py``.)"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from run_helpers import bill, import_portfolio, single

from maatwerk.adapters.storage import SqlStore, migrate
from maatwerk.adapters.storage.coordination import SqlShardBoard
from maatwerk.adapters.storage.engine import make_engine
from maatwerk.core.money import eur
from maatwerk.core.records import CaseKey, CaseOutcome, DecisionRecord, ImportRecord, StoredCase
from maatwerk.services.run.day import plan_day
from maatwerk.services.run.shards import WorkerMismatchError, work_shards


DAY = dt.date(2026, 3, 2)


@pytest.fixture
def pg_store(pg_base_url: str) -> Iterator[SqlStore]:
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(pg_base_url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(pg_base_url, schema=schema)
    try:
        migrate.upgrade(engine)
        yield SqlStore(engine)
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


class _Signed:
    """An evaluator that names its configuration and is never asked to decide here."""

    signature = "mine"

    def __call__(self, stored: StoredCase, today: dt.date) -> CaseOutcome:
        raise AssertionError("no case to decide")


def test_a_claimed_shard_is_skipped_and_handed_back_when_not_completed(
    pg_store: SqlStore,
) -> None:
    board = SqlShardBoard(pg_store.engine)
    assert board.plan(DAY, shards=4, evaluator="mine") == 1  # no case: one shard
    with board.claim(DAY, worker="w-1") as first:
        assert first is not None
        with board.claim(DAY, worker="w-2") as second:
            assert second is None  # SKIP LOCKED: held by w-1
    assert board.remaining(DAY) == 1  # w-1 ended without completing it
    with board.claim(DAY, worker="w-2") as again:
        assert again is not None
        again.complete({"cases_evaluated": 0})
    assert board.remaining(DAY) == 0
    assert board.summaries(DAY) == [{"cases_evaluated": 0}]


def test_a_worker_with_other_settings_refuses_the_shards(pg_store: SqlStore) -> None:
    board = SqlShardBoard(pg_store.engine)
    board.plan(DAY, shards=4, evaluator="the coordinator's")
    with pytest.raises(WorkerMismatchError, match="differ from those of the run of 2026-03-02"):
        work_shards(plan_day(pg_store, _Signed(), DAY), board, worker="w-1")
    assert board.remaining(DAY) == 1  # handed back, not done
    board.plan(DAY, shards=4, evaluator="mine")  # planned by a coordinator deciding alike
    report = work_shards(plan_day(pg_store, _Signed(), DAY), board, worker="w-2")
    assert report.shards == 1
    assert board.remaining(DAY) == 0


def test_shards_split_the_debtors_left_evenly_and_cover_each_case_once(
    pg_store: SqlStore,
) -> None:
    """Ten debtors, some at two creditors; three debtors decided already (one only at one of
    its creditors). Three shards of the seven debtors left: 3 + 3 + 1 (every third debtor
    ends a shard), each case left in exactly one, in key order; ``least`` caps the count."""
    records: list[ImportRecord] = []
    for n in range(10):
        debtor = f"D{n:02}"
        records.append(single(debtor, f"Person {n}"))
        creditors = ("c1", "c2") if n % 2 else ("c1",)
        records.extend(
            bill(f"B{n:02}{c}", debtor, c, eur("100.00"), DAY - dt.timedelta(days=40))
            for c in creditors
        )
    import_portfolio(pg_store, records)
    every = list(pg_store.case_keys(after=None, limit=100))
    decided = [k for k in every if k.debtor_id in ("D00", "D04", "D07")]
    decided.append(CaseKey("D03", "c1"))  # D03 still has c2 to decide
    pg_store.record_outcomes(
        DAY,
        [
            CaseOutcome(
                decision=DecisionRecord(run_date=DAY, case=k, policy="mine", outcome="none")
            )
            for k in decided
        ],
    )
    left = [k for k in every if k not in decided]
    board = SqlShardBoard(pg_store.engine)
    assert board.plan(DAY, shards=3, evaluator="mine") == 3
    per_shard: list[list[CaseKey]] = []
    for n in range(4):
        with board.claim(DAY, worker=f"w-{n}") as claimed:
            if claimed is None:
                break
            keys: list[CaseKey] = []
            after = None
            while page := list(board.shard_keys(claimed.shard, after=after, limit=2)):
                keys.extend(page)
                after = page[-1]
            per_shard.append(keys)
            claimed.complete({"cases_evaluated": len(keys)})
    assert [k for shard in per_shard for k in shard] == left
    assert [sorted({k.debtor_id for k in shard}) for shard in per_shard] == [
        ["D01", "D02", "D03"],
        ["D05", "D06", "D08"],
        ["D09"],
    ]
    later = DAY + dt.timedelta(days=1)
    assert board.plan(later, shards=3, evaluator="mine", least=6) == 2  # 10 debtors, >= 6 each
