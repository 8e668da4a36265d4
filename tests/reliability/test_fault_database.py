"""The PostgreSQL connection dropped mid-batch (``pg_terminate_backend`` from a second
connection at a named point): the run stops with one line and exit 1, nothing half-done is
kept, and running the day again gives what an uninterrupted run gives."""

from __future__ import annotations

import datetime as dt
import random
import signal
import uuid
from collections import Counter
from pathlib import Path

import pytest
from reliability_helpers import (
    DAYS,
    FULL,
    assert_ledger_clean,
    assert_same,
    counting,
    prepare,
    run_child,
    run_here,
)


pytestmark = [pytest.mark.slow, pytest.mark.postgres]

#: inside a transaction: the batch's postings, the delivery's events and fees
_MID = ("batch-postings-written", "delivery-postings-written")
DROPS = 12 if FULL else 4


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_connection_dropped_mid_batch_then_rerun_equals_uninterrupted_run(
    db_url: str, tmp_path: Path
) -> None:
    rng = random.Random(11)
    url = f"{db_url}&application_name=mw_fault_{uuid.uuid4().hex[:10]}"
    reference_url = f"sqlite:///{tmp_path / 'reference.db'}"
    reference_out, out = tmp_path / "reference-out", tmp_path / "out"
    prepare(reference_url, 24)
    prepare(url, 24)
    passes: dict[dt.date, Counter[str]] = {}
    for day in DAYS:
        with counting() as seen:
            run_here(reference_url, day, reference_out)
        passes[day] = Counter(seen)
    planned: dict[dt.date, str] = {}
    for i in range(DROPS):
        point = _MID[i % len(_MID)]
        day = rng.choice([d for d in DAYS if passes[d][point] and d not in planned])
        planned[day] = f"{point}:{rng.randint(1, passes[day][point])}:pg-terminate"
    # and one SIGKILL inside the batch's transaction, on PostgreSQL too
    day = rng.choice([d for d in DAYS if passes[d][_MID[0]] and d not in planned])
    planned[day] = f"{_MID[0]}:1"
    dropped = 0
    for day in DAYS:
        fault = planned.get(day)
        if fault is not None:
            done = run_child(url, day, out, fault)
            if fault.endswith("pg-terminate"):
                lines = done.stderr.strip().splitlines()
                assert done.returncode == 1, (fault, day, done.stderr[-800:])
                assert len(lines) == 1, done.stderr
                assert lines[0].startswith("Error: the database connection was lost")
                dropped += 1
            else:
                assert done.returncode == -signal.SIGKILL, (fault, day, done.stderr[-800:])
        run_here(url, day, out)
    assert dropped == DROPS
    assert_same(url, out, reference_url, reference_out)
    assert_ledger_clean(url)
