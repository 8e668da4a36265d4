"""Timing of ``maatwerk demo`` at full size: 5,000 households x 120 real daily runs.

Run with ``make bench`` (pytest-benchmark). Besides pytest-benchmark's JSON, the run writes
``benchmarks/results/demo-5000x120.json`` (seconds in total and per day, what the demo did). The
goal is under two minutes on the 2-core reference machine; no timing is asserted anywhere: the
numbers are for people to read.
"""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from maatwerk.cli import cli


RESULTS = Path(__file__).parent / "results"


def _demo(out: Path) -> dict[str, Any]:
    result = CliRunner().invoke(
        cli,
        ["demo", "--debtors", "5000", "--days", "120", "--out", str(out), "--json"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    summary: dict[str, Any] = json.loads(result.stdout)
    return summary


def test_demo_5000_x_120(benchmark: Any, tmp_path: Path) -> None:
    started = time.monotonic()
    summary = benchmark.pedantic(_demo, args=(tmp_path / "demo",), rounds=1, iterations=1)
    seconds = time.monotonic() - started
    assert summary["debtors"] == 5000
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "demo-5000x120.json").write_text(
        json.dumps(
            {
                "debtors": 5000,
                "days": 120,
                "seconds": round(seconds, 1),
                "seconds_per_day": round(seconds / 120, 3),
                "machine": {"python": platform.python_version(), "cpus": _cpus()},
                "summary": {k: v for k, v in summary.items() if k not in ("database", "report")},
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )


def _cpus() -> int:
    return len(os.sched_getaffinity(0))
