"""Import of a synthetic portfolio through the CLI (``maatwerk import debtors|debts|mandates``).

Each import runs as its own process. Its CPU seconds (``wait4``) include its worker processes
(``--workers``, forked and reaped by it). Memory is read two ways: ``peak_rss_mib`` is
``ru_maxrss`` (the largest single process: the writing one or a worker), ``peak_tree_pss_mib``
the largest sum over the process and its workers of their proportional set size (PSS, from
``/proc/PID/smaps_rollup`` every 0.1 s: pages a forked worker shares with its parent counted
once), which is what the import takes from the machine. Size: ``MAATWERK_BENCH_IMPORT_DEBTORS`` households (default 5,000), generated with the demo
generator (``maatwerk demo generate``, 3 months of bills) into ``MAATWERK_BENCH_IMPORT_DIR`` when
that is set (kept, and reused when its ``portfolio.json`` says the same size), else into a
temporary directory. Database: ``MAATWERK_BENCH_IMPORT_DB`` (a SQLAlchemy URL; default a fresh
SQLite file). Writes ``benchmarks/results/import-<debtors>.json``. No timing is asserted.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import pytest


RESULTS = Path(__file__).parent / "results"
DEBTORS = int(os.environ.get("MAATWERK_BENCH_IMPORT_DEBTORS", "5000"))
MAATWERK = Path(sys.executable).with_name("maatwerk")


WORKERS = os.environ.get("MAATWERK_BENCH_IMPORT_WORKERS")  # unset: the CLI's default


def _pss_kib(pid: int) -> int:
    """PSS of ``pid`` and its children (KiB); 0 for a process that is gone."""
    total = 0
    proc = Path("/proc") / str(pid)
    try:
        for line in (proc / "smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                total += int(line.split()[1])
                break
        children: list[str] = []
        for task in (proc / "task").iterdir():
            children += (task / "children").read_text().split()
    except OSError:
        return total
    return total + sum(_pss_kib(int(child)) for child in children)


def _watch(pid: int, peak: list[int], done: threading.Event) -> None:
    while not done.wait(0.1):
        peak[0] = max(peak[0], _pss_kib(pid))


def _run(*args: str) -> dict[str, Any]:
    """Run ``maatwerk ARGS``; its wall and CPU seconds, peak RSS and peak PSS of the tree."""
    start = time.perf_counter()
    peak = [0]
    done = threading.Event()
    with (
        tempfile.TemporaryFile() as out_file,
        tempfile.TemporaryFile() as err_file,
        subprocess.Popen([str(MAATWERK), *args], stdout=out_file, stderr=err_file) as process,  # noqa: S603  (our own CLI)
    ):
        watcher = threading.Thread(target=_watch, args=(process.pid, peak, done), daemon=True)
        watcher.start()
        _pid, status, usage = os.wait4(process.pid, 0)
        done.set()
        watcher.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - start
        out_file.seek(0)
        err_file.seek(0)
        out, err = out_file.read().decode(), err_file.read().decode()
    assert os.waitstatus_to_exitcode(status) == 0, err
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
        "peak_tree_pss_mib": round(peak[0] / 1024, 1),
        "output": out.strip(),
    }


def _portfolio(directory: Path) -> Path:
    meta = directory / "portfolio.json"
    if meta.exists() and json.loads(meta.read_text()).get("debtors") == DEBTORS:
        return directory
    _run(
        "demo", "generate", "--debtors", str(DEBTORS), "--months", "3", "--out", str(directory)
    )  # fmt: skip
    return directory


@pytest.mark.benchmark(group="import")
def test_import_portfolio(tmp_path: Path) -> None:
    data = _portfolio(Path(os.environ.get("MAATWERK_BENCH_IMPORT_DIR", tmp_path / "portfolio")))
    db = os.environ.get("MAATWERK_BENCH_IMPORT_DB", f"sqlite:///{tmp_path / 'import.db'}")
    _run("db", "upgrade", "--db", db)
    load = os.getloadavg()
    steps = {
        kind: _run(
            "import",
            kind,
            str(data / f"{kind}.csv"),
            "--db",
            db,
            *(("--workers", WORKERS) if WORKERS is not None else ()),
        )
        for kind in ("debtors", "debts", "mandates")
    }
    rows = {}
    for kind in steps:
        with (data / f"{kind}.csv").open("rb") as handle:
            rows[kind] = sum(1 for _ in handle) - 1
    result = {
        "debtors": DEBTORS,
        "rows": rows,
        "database": db.split(":", 1)[0].split("+")[0],
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "load_before": [round(x, 2) for x in load],
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "steps": steps,
        "total_wall_s": round(sum(s["wall_s"] for s in steps.values()), 2),
        "total_cpu_s": round(sum(s["cpu_s"] for s in steps.values()), 2),
        "peak_rss_mib": max(s["peak_rss_mib"] for s in steps.values()),
        "peak_tree_pss_mib": max(s["peak_tree_pss_mib"] for s in steps.values()),
        "workers": "CLI default" if WORKERS is None else int(WORKERS),
    }
    RESULTS.mkdir(exist_ok=True)
    name = f"import-{DEBTORS}{'' if result['database'] == 'sqlite' else '-' + result['database']}"
    if WORKERS is not None:
        name += f"-workers-{WORKERS}"
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
