"""``maatwerk run`` with one worker against two, on PostgreSQL (``--workers 2``).

The synthetic demo portfolio (``MAATWERK_BENCH_WORKERS_DEBTORS`` debtors, default 20,000, seed
1) is imported into two fresh schemas; or, with ``MAATWERK_BENCH_WORKERS_SOURCE`` (the SQLite
database ``test_bench_daily_run_scale.py`` keeps, e.g. its million households), that
portfolio is copied into them (``COPY``). ``MAATWERK_BENCH_WORKERS_QUIET_DAYS``: quiet days
after the first (default 3). In each, the first day (every case evaluated) and three
quiet days are run through the real command line as separate processes, timed from start to
exit (CLI start-up, plugins and the local worker's own start-up included): once as a plain run,
once with ``--workers 2``. The load average of the machine is recorded before and after each
day: the machine is shared, so the figures say what happened, not what the code can do.

Writes ``benchmarks/results/daily-run-workers-postgresql.json`` and ``.md``. PostgreSQL is
``MAATWERK_BENCH_POSTGRES_URL`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432/test``);
skipped when unreachable. No timing is asserted.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from maatwerk.adapters.csv_import import read_import_file
from maatwerk.adapters.storage import SqlStore, migrate
from maatwerk.adapters.storage.engine import make_engine
from maatwerk.core.records import ImportKind
from maatwerk.demo.behaviour import load_behaviour
from maatwerk.demo.synthetic import generate_portfolio
from maatwerk.demo.synthetic_csv import write_portfolio
from maatwerk.services.importing import import_file


RESULTS = Path(__file__).parent / "results"
START = dt.date(2026, 1, 1)
DEBTORS = int(os.environ.get("MAATWERK_BENCH_WORKERS_DEBTORS", "20000"))
QUIET_DAYS = int(os.environ.get("MAATWERK_BENCH_WORKERS_QUIET_DAYS", "3"))
SOURCE = os.environ.get("MAATWERK_BENCH_WORKERS_SOURCE")
PG_URL = os.environ.get(
    "MAATWERK_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SETTINGS = (
    "creditor_name=Zorg NL",
    "creditor_phone=0800-1234",
    "creditor_iban=NL91ABNA0417164300",
    "creditor_id=NL32ZZZ999999991234",
)


@contextmanager
def _schema() -> Iterator[str]:
    """A fresh migrated schema; its URL (search_path in the connection options)."""
    schema = f"bench_workers_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL)
    try:
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        pytest.skip(f"PostgreSQL unreachable: {exc}")
    sep = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    try:
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _prepare(url: str, files: dict[str, Path] | None) -> None:
    engine = make_engine(url)
    if files is None:  # the kept portfolio of the scale benchmark
        from test_bench_daily_run_scale import copy_portfolio

        try:
            copy_portfolio(Path(str(SOURCE)), engine)
        finally:
            engine.dispose()
        return
    try:
        migrate.upgrade(engine)
        store = SqlStore(engine)
        for kind in (ImportKind.DEBTORS, ImportKind.DEBTS, ImportKind.MANDATES):
            import_file(read_import_file(files[kind.value], kind), store, recorded_by="bench")
    finally:
        engine.dispose()


def _run(url: str, day: dt.date, out: Path, workers: int | None) -> dict[str, Any]:
    args = [sys.executable, "-m", "maatwerk", "run", "--date", day.isoformat(), "--db", url]
    args += ["--out", str(out), "--json"]
    for setting in SETTINGS:
        args += ["--setting", setting]
    if workers is not None:
        args += ["--workers", str(workers)]
    load_before = os.getloadavg()[0]
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, check=False)  # noqa: S603
    seconds = time.perf_counter() - started
    # the run and the worker processes it started and waited for
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_seconds = after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    return {
        "date": day.isoformat(),
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu_seconds, 2),
        "cases_evaluated": summary["cases_evaluated"],
        "idle": summary["cases_idle"],
        "actions": sum(summary["actions_per_kind"].values()),
        "load_1min_before": round(load_before, 2),
        "load_1min_after": round(os.getloadavg()[0], 2),
    }


def _measure(tmp: Path) -> dict[str, Any]:
    files: dict[str, Path] | None = None
    if SOURCE is None:
        portfolio = generate_portfolio(
            load_behaviour(START), debtors=DEBTORS, seed=1, start=START, months=4
        )
        files = write_portfolio(portfolio, tmp / "portfolio")
    modes: dict[str, Any] = {}
    for name, workers in (("one process", None), ("--workers 2", 2)):
        with _schema() as url:
            _prepare(url, files)
            out = tmp / f"out-{workers}"
            days = [
                _run(url, START + dt.timedelta(days=d), out, workers) for d in range(QUIET_DAYS + 1)
            ]
            engine = make_engine(url)
            with engine.connect() as conn:
                cases = conn.execute(
                    sa.text(
                        "select count(*) from (select distinct debtor_id, creditor_id from debts) c"
                    )
                ).scalar_one()
            engine.dispose()
        modes[name] = {"cases": int(cases), "first_day": days[0], "quiet_days": days[1:]}
    return {
        "debtors": DEBTORS if SOURCE is None else _debtors(SOURCE),
        "modes": modes,
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        },
    }


def _debtors(source: str) -> int:
    import contextlib
    import sqlite3

    with contextlib.closing(sqlite3.connect(source)) as conn:  # ``with`` alone only commits
        return int(conn.execute("select count(*) from debtors").fetchone()[0])


def _write(figures: dict[str, Any]) -> None:
    RESULTS.mkdir(exist_ok=True)
    name = "daily-run-workers-postgresql"
    if figures["debtors"] >= 1_000_000:
        name += f"-{figures['debtors'] // 1_000_000}m"
    (RESULTS / f"{name}.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    machine = figures["machine"]
    lines = [
        f"# Daily run on PostgreSQL, one process against two workers: {figures['debtors']} debtors",
        "",
        (
            f"Measured {machine['date']}, Python {machine['python']}, {machine['cpus']} CPUs, "
            "PostgreSQL on the same machine; the machine is shared with other jobs (load "
            "average per day below). Wall seconds of the whole command, start-up included."
        ),
        "",
        "| mode | day | s | CPU s | cases evaluated | idle | actions | load before | load after |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for mode, data in figures["modes"].items():
        for kind, day in [("first", data["first_day"])] + [
            ("quiet", d) for d in data["quiet_days"]
        ]:
            lines.append(
                f"| {mode} | {kind} {day['date']} | {day['seconds']} | {day['cpu_seconds']} "
                f"| {day['cases_evaluated']} "
                f"| {day['idle']} | {day['actions']} | {day['load_1min_before']} "
                f"| {day['load_1min_after']} |"
            )
    lines.append("")
    (RESULTS / f"{name}.md").write_text("\n".join(lines), encoding="utf-8")


def test_daily_run_workers_postgresql(benchmark: Any, tmp_path: Path) -> None:
    figures = benchmark.pedantic(_measure, args=(tmp_path,), rounds=1, iterations=1)
    _write(figures)
