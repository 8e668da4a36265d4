"""Start-up time of the command line: ``maatwerk --version`` and ``maatwerk run --help``.

Each command runs ``ROUNDS`` times as a fresh process (the installed console script); the median
wall and CPU (user + system, from ``RUSAGE_CHILDREN``) seconds are recorded with the machine's
load, and the heaviest imports of one run under ``python -X importtime``. The goal (issue 19) is
0.25 s; no timing is asserted. Writes ``benchmarks/results/cli-startup.json`` and ``.md`` (text
after the line ``<!-- notes -->`` in an existing ``.md`` is kept).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any


RESULTS = Path(__file__).parent / "results"
ROUNDS = 7
COMMANDS = (("--version",), ("run", "--help"))
NOTES = "<!-- notes -->"
_SCRIPT = "import sys; from maatwerk.cli import main; sys.argv[0] = 'maatwerk'; sys.exit(main())"


def _once(args: tuple[str, ...]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter()
    subprocess.run([sys.executable, "-c", _SCRIPT, *args], capture_output=True, check=True)  # noqa: S603
    wall = time.perf_counter() - wall
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _heaviest(args: tuple[str, ...], top: int = 8) -> list[tuple[str, float]]:
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-X", "importtime", "-c", _SCRIPT, *args],
        capture_output=True,
        text=True,
        check=True,
    )
    found: list[tuple[str, float]] = []
    for line in done.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            found.append((parts[2].strip(), int(parts[1]) / 1e6))
    return sorted(found, key=lambda f: -f[1])[:top]


def _measure() -> dict[str, Any]:
    figures: dict[str, Any] = {
        "measured_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
        "commands": {},
    }
    for args in COMMANDS:
        runs = [_once(args) for _ in range(ROUNDS)]
        figures["commands"][" ".join(args)] = {
            "wall_median": round(statistics.median(r[0] for r in runs), 3),
            "wall_min": round(min(r[0] for r in runs), 3),
            "cpu_median": round(statistics.median(r[1] for r in runs), 3),
            "heaviest_imports": [(name, round(s, 3)) for name, s in _heaviest(args)],
        }
    figures["load_after"] = round(os.getloadavg()[0], 2)
    return figures


def _write(figures: dict[str, Any]) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "cli-startup.json").write_text(json.dumps(figures, indent=2) + "\n", "utf-8")
    lines = [
        "# CLI start-up",
        "",
        (
            f"Measured {figures['measured_at']} by `benchmarks/test_bench_cli_startup.py`, "
            f"{figures['cpus']} CPUs shared with other work, load {figures['load']} before and "
            f"{figures['load_after']} after; {ROUNDS} fresh processes per command. Goal: 0.25 s."
        ),
        "",
        "| command | wall median s | wall min s | CPU median s |",
        "|---|---|---|---|",
        *(
            f"| `maatwerk {name}` | {c['wall_median']} | {c['wall_min']} | {c['cpu_median']} |"
            for name, c in figures["commands"].items()
        ),
        "",
    ]
    for name, c in figures["commands"].items():
        lines.append(f"Heaviest imports (cumulative s, one run) of `maatwerk {name}`:")
        lines.extend(f"- `{module}` {s}" for module, s in c["heaviest_imports"])
        lines.append("")
    path = RESULTS / "cli-startup.md"
    if path.exists() and NOTES in (old := path.read_text(encoding="utf-8")):
        lines.extend([NOTES, old.split(NOTES, 1)[1].lstrip("\n")])
    path.write_text("\n".join(lines), encoding="utf-8")


def test_cli_startup(benchmark: Any) -> None:
    figures = benchmark.pedantic(_measure, rounds=1, iterations=1)
    _write(figures)
