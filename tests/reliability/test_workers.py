"""A run with several workers records, delivers and counts what a run in one process does.

On PostgreSQL: ``maatwerk run --workers 2`` (the coordinator and a worker process it starts)
over three days equals three plain runs, action for action: decisions, outbox rows, events,
postings, resting states and delivered files, and the same counts in the summary. A worker that
is killed while it holds a shard leaves it to another worker. On SQLite ``--workers`` above 1
and ``maatwerk worker`` are refused with one line: SQLite has one writer.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from run_processes import (
    START,
    assert_same,
    cli_run,
    contents,
    files,
    kill,
    prepare,
    query,
    resume,
    second_database,
    spawn,
    stop,
    wait_for,
)

from maatwerk.cli import cli


pytestmark = pytest.mark.slow  # real processes, each starting the CLI

DEBTORS = 300
SHARDS = 6
BATCH = 20
DAYS = [START + dt.timedelta(days=d) for d in (0, 1, 14)]
_COUNTS = ("cases_total", "cases_evaluated", "cases_idle", "outcomes", "actions_per_kind")


def _summary(out: str) -> dict[str, object]:
    summary: dict[str, object] = json.loads(out)
    return {k: summary[k] for k in (*_COUNTS, "cases_already_decided", "dispatched")}


@pytest.fixture
def pg_url(pg_base_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty PostgreSQL schema of its own (several workers run on PostgreSQL only)."""
    with second_database(pg_base_url, tmp_path) as url:
        yield url


def test_two_workers_record_and_deliver_what_one_does(pg_url: str, tmp_path: Path) -> None:
    db_url = pg_url
    prepare(db_url, tmp_path / "in", DEBTORS)
    out = tmp_path / "out"
    with second_database(db_url, tmp_path) as reference:
        prepare(reference, tmp_path / "ref-in", DEBTORS)
        for day in DAYS:
            run = spawn(
                db_url,
                "run",
                day,
                "--out",
                str(out),
                "--workers",
                "2",
                "--shards",
                str(SHARDS),
                "--batch-size",
                str(BATCH),
                "--json",
            )
            sharded, err = run.communicate(timeout=600)
            assert run.returncode == 0, err
            alone = cli_run(reference, day, tmp_path / "ref-out", "--json")
            assert _summary(sharded) == _summary(alone), day
            shards = query(
                db_url,
                "select after_debtor, after_creditor, last_debtor, last_creditor, status "
                f"from run_shards where run_date = '{day}' order by shard",
            )
            # the debtors left after resting, split in 6 but at least a batch (20) per shard;
            # every shard done, and together they cover all case keys once: each starts after
            # the previous one's last key
            ((left,),) = query(
                db_url,
                "select count(distinct debtor_id) from decisions "
                f"where run_date = '{day}' and detail ->> 'status' <> 'idle'",
            )
            step = max(BATCH, math.ceil(left / SHARDS))
            assert len(shards) == max(1, math.ceil(left / step)), (day, left)
            assert {row[4] for row in shards} == {"done"}
            edges = [(None, None), *((row[2], row[3]) for row in shards)]
            assert [(row[0], row[1]) for row in shards] == edges[:-1]
            assert edges[-1] == (None, None)
        assert_same(contents(db_url), contents(reference))
    assert files(out) == files(tmp_path / "ref-out")


def test_a_killed_workers_shard_is_run_by_another(pg_url: str, tmp_path: Path) -> None:
    db_url = pg_url
    prepare(db_url, tmp_path / "in", DEBTORS)
    out = tmp_path / "out"
    helper = spawn(db_url, "worker", START, "--batch-size", "5")  # waits for the run's shards
    coordinator = spawn(
        db_url,
        "run",
        START,
        "--out",
        str(out),
        "--workers",
        "1",
        "--shards",
        "60",
        "--batch-size",
        "5",
    )
    planned = "select count(*) from run_shards"
    try:
        wait_for(lambda: query(db_url, planned)[0][0] == 60, "the shards")
        stop(coordinator)  # holding at most the shard it claimed: the helper takes the rest
        by_helper = "select count(*) from run_shards where status = 'done' and worker <> ''"
        wait_for(lambda: query(db_url, by_helper)[0][0] >= 3, "the helper's first shards")
        kill(helper)  # in the middle of a shard: its claim ends with its session
        helper.communicate(timeout=60)
        assert helper.returncode == -9  # killed while it still had shards to run
    finally:
        resume(coordinator)
    summary, err = coordinator.communicate(timeout=600)
    assert coordinator.returncode == 0, err
    done = query(db_url, "select status, worker from run_shards")
    assert {status for status, _ in done} == {"done"}
    assert len({worker for _, worker in done}) == 2  # both took part
    with second_database(db_url, tmp_path) as reference:
        prepare(reference, tmp_path / "ref-in", DEBTORS)
        cli_run(reference, START, tmp_path / "ref-out")
        assert_same(contents(db_url), contents(reference))
    assert files(out) == files(tmp_path / "ref-out")
    assert "case(s) evaluated" in summary


def test_sqlite_refuses_several_workers(sqlite_url: str, tmp_path: Path) -> None:
    prepare(sqlite_url, tmp_path / "in", 3)
    runner = CliRunner()
    base = ["--date", START.isoformat(), "--db", sqlite_url]
    result = runner.invoke(cli, ["run", *base, "--workers", "2", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert result.output.strip() == (
        "Error: --workers needs PostgreSQL: SQLite has one writer, so more processes would "
        "only wait for each other; run without --workers"
    )
    result = runner.invoke(cli, ["worker", *base])
    assert result.exit_code == 2
    assert result.output.strip().startswith("Error: maatwerk worker needs PostgreSQL")
    assert query(sqlite_url, "select count(*) from decisions") == [(0,)]
