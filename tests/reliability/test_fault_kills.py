"""Killed at every named fault point of a 30-day run, then run again: the same decisions,
actions, postings and delivered files as an uninterrupted run, and a ledger that adds up.

``MAATWERK_FAULT=POINT:N`` (maatwerk.adapters.faults) SIGKILLs the child process the N-th time
it reaches POINT. The uninterrupted run counts how often each day passes each point, so every
planned kill lands (the run is deterministic): the test requires exactly that many kills and
every named point among them. ``make reliability`` (MAATWERK_RELIABILITY=full): 50 kills and a
larger portfolio; the normal suite: 12 (every point at least once).
"""

from __future__ import annotations

import datetime as dt
import os
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

from maatwerk.services.faults import FAULT_POINTS


pytestmark = pytest.mark.slow

KILLS = 50 if FULL else 12
DEBTORS = 60 if FULL else 24
SEED = int(os.environ.get("MAATWERK_FAULT_SEED", "20"))
#: reached on every run of a day, also a rerun: a second kill on the same day always lands
_EVERY_RUN = ("run-started", "idle-rested", "before-dispatch")


def plan_kills(
    passes: dict[dt.date, Counter[str]], kills: int, rng: random.Random
) -> dict[dt.date, list[str]]:
    """``kills`` faults ``POINT:N`` by day: every point once, on a day it is passed, then more."""
    plan: dict[dt.date, list[str]] = {}
    days = list(passes)
    for point in FAULT_POINTS:
        options = [d for d in days if passes[d][point] and d not in plan] or [
            d for d in days if passes[d][point]
        ]
        assert options, f"no day of the run passes the fault point {point!r}"
        day = rng.choice(options)
        if day in plan:  # a rerun on this day: only a point every run passes
            plan[day].append(f"{rng.choice(_EVERY_RUN)}:1")
        else:
            plan[day] = [f"{point}:{rng.randint(1, passes[day][point])}"]
    while sum(len(v) for v in plan.values()) < kills:
        free = [d for d in days if d not in plan]
        if free:
            day = rng.choice(free)
            point = rng.choice(sorted(p for p, n in passes[day].items() if n))
            plan[day] = [f"{point}:{rng.randint(1, passes[day][point])}"]
        else:
            plan[rng.choice(days)].append(f"{rng.choice(_EVERY_RUN)}:1")
    return plan


def test_sigkill_at_named_points_then_rerun_equals_uninterrupted_run(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    reference_url = f"sqlite:///{tmp_path / 'reference.db'}"
    url = f"sqlite:///{tmp_path / f'faults-{uuid.uuid4().hex[:6]}.db'}"
    reference_out, out = tmp_path / "reference-out", tmp_path / "out"
    prepare(reference_url, DEBTORS)
    prepare(url, DEBTORS)
    passes: dict[dt.date, Counter[str]] = {}
    for day in DAYS:
        with counting() as seen:
            run_here(reference_url, day, reference_out)
        passes[day] = Counter(seen)
    plan = plan_kills(passes, KILLS, rng)
    killed: Counter[str] = Counter()
    for day in DAYS:
        for fault in plan.get(day, []):
            done = run_child(url, day, out, fault)
            assert done.returncode == -signal.SIGKILL, (
                f"{fault} on {day} was not reached (exit {done.returncode}, seed {SEED}): "
                f"{done.stderr[-500:]}"
            )
            killed[fault.partition(":")[0]] += 1
        run_here(url, day, out)  # the rerun finishes the day
    assert sum(killed.values()) == KILLS
    assert set(killed) == set(FAULT_POINTS)
    assert_same(url, out, reference_url, reference_out)
    assert_ledger_clean(url)
    assert_ledger_clean(reference_url)
