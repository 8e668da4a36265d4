"""Timing of the store-backed daily run (``maatwerk run``) for 5,000 debtors, SQLite and PostgreSQL.

The synthetic demo portfolio (5,000 debtors, seed 1) is imported, the first day is run (every
case is evaluated: nothing is idle yet), then 14 consecutive days are timed one by one through
the real wiring: policies, tables, plugin channels, dispatcher. Only debtors, debts and mandates
are imported (no payments arrive), so the ladder keeps acting: a demanding mix of days.

Writes ``benchmarks/results/daily-run-5000-<db>.json`` and ``.md``: seconds per day (wall and
CPU), cases per second, idle share, peak memory (``ru_maxrss`` of the process and the
``tracemalloc`` peak of one traced day). PostgreSQL uses its own schema in
``MAATWERK_BENCH_POSTGRES_URL`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432/test``)
and is skipped when the server is unreachable. No timing is asserted anywhere.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import resource
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from maatwerk.adapters.csv_import import read_import_file
from maatwerk.adapters.storage import SqlStore, migrate
from maatwerk.adapters.storage.engine import make_engine
from maatwerk.cli._wiring import build_dispatcher, build_evaluator, plugin_manager
from maatwerk.core.records import ImportKind
from maatwerk.demo.behaviour import load_behaviour
from maatwerk.demo.synthetic import generate_portfolio
from maatwerk.demo.synthetic_csv import write_portfolio
from maatwerk.services.importing import import_file
from maatwerk.services.run import RunSettings, RunSummary, run_day


RESULTS = Path(__file__).parent / "results"
START = dt.date(2026, 1, 1)
DEBTORS = 5000
TIMED_DAYS = 14
PG_URL = os.environ.get(
    "MAATWERK_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _prepare(store: SqlStore, tmp: Path) -> None:
    portfolio = generate_portfolio(
        load_behaviour(START), debtors=DEBTORS, seed=1, start=START, months=4
    )
    files = write_portfolio(portfolio, tmp / "portfolio")
    for kind in (ImportKind.DEBTORS, ImportKind.DEBTS, ImportKind.MANDATES):
        import_file(read_import_file(files[kind.value], kind), store, recorded_by="bench")


def _day(store: SqlStore, day: dt.date, out: Path) -> tuple[RunSummary, float, float]:
    plugins, evaluator = _WIRED
    dispatcher = build_dispatcher(store, plugins, out=out, run_date=day, batch_size=500)
    wall, cpu = time.perf_counter(), time.process_time()
    summary = run_day(store, evaluator, day, dispatcher=dispatcher, settings=RunSettings())
    return summary, time.perf_counter() - wall, time.process_time() - cpu


_PLUGINS = plugin_manager()
#: built once, as a long-running process (the demo) does; ``maatwerk run`` builds it per call
_WIRED = (
    _PLUGINS,
    build_evaluator(_PLUGINS, default="humane", by_creditor={}, by_segment={}),
)


def _measure(store: SqlStore, tmp: Path) -> dict[str, Any]:
    _prepare(store, tmp)
    out = tmp / "out"
    first, first_wall, first_cpu = _day(store, START, out)
    days: list[dict[str, Any]] = []
    for offset in range(1, TIMED_DAYS + 1):
        day = START + dt.timedelta(days=offset)
        summary, wall, cpu = _day(store, day, out)
        days.append(
            {
                "date": day.isoformat(),
                "seconds": round(wall, 3),
                "cpu_seconds": round(cpu, 3),
                "cases": summary.cases_evaluated,
                "idle": summary.cases_idle,
                "cases_per_second": round(summary.cases_evaluated / wall),
                "actions": sum(summary.actions_per_kind.values()),
            }
        )
    tracemalloc.start()
    _day(store, START + dt.timedelta(days=TIMED_DAYS + 1), out)
    _current, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    seconds = [d["seconds"] for d in days]
    return {
        "debtors": DEBTORS,
        "cases": first.cases_total,
        "first_day": {
            "seconds": round(first_wall, 3),
            "cpu_seconds": round(first_cpu, 3),
            "cases_per_second": round(first.cases_evaluated / first_wall),
        },
        "days": days,
        "mean_seconds_per_day": round(sum(seconds) / len(seconds), 3),
        "max_seconds_per_day": max(seconds),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "traced_peak_mib_one_day": round(traced_peak / 2**20, 1),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
    }


def _write(name: str, figures: dict[str, Any]) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    lines = [
        f"# Daily run, {figures['debtors']} debtors ({figures['cases']} cases): {name}",
        "",
        (
            f"First day (every case evaluated): {figures['first_day']['seconds']} s "
            f"({figures['first_day']['cases_per_second']} cases/s)."
        ),
        (
            f"Next {len(figures['days'])} days: mean {figures['mean_seconds_per_day']} s per day, "
            f"max {figures['max_seconds_per_day']} s."
        ),
        (
            f"Peak RSS {figures['peak_rss_mib']} MiB; tracemalloc peak of one day "
            f"{figures['traced_peak_mib_one_day']} MiB."
        ),
        "",
        "| date | s | CPU s | cases/s | idle | actions |",
        "|---|---|---|---|---|---|",
        *(
            f"| {d['date']} | {d['seconds']} | {d['cpu_seconds']} | {d['cases_per_second']} "
            f"| {d['idle']} | {d['actions']} |"
            for d in figures["days"]
        ),
        "",
    ]
    (RESULTS / f"{name}.md").write_text("\n".join(lines), encoding="utf-8")


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[SqlStore]:
    engine = make_engine(f"sqlite:///{tmp_path / 'bench.db'}")
    migrate.upgrade(engine)
    yield SqlStore(engine)
    engine.dispose()


@pytest.fixture
def postgres_store() -> Iterator[SqlStore]:
    schema = f"bench_daily_run_{os.getpid()}"
    admin = make_engine(PG_URL)
    try:
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        pytest.skip(f"PostgreSQL unreachable: {exc}")
    engine = make_engine(PG_URL, schema=schema)
    try:
        migrate.upgrade(engine)
        yield SqlStore(engine)
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_daily_run_5000_sqlite(benchmark: Any, sqlite_store: SqlStore, tmp_path: Path) -> None:
    figures = benchmark.pedantic(_measure, args=(sqlite_store, tmp_path), rounds=1, iterations=1)
    _write("daily-run-5000-sqlite", figures)


def test_daily_run_5000_postgresql(
    benchmark: Any, postgres_store: SqlStore, tmp_path: Path
) -> None:
    figures = benchmark.pedantic(_measure, args=(postgres_store, tmp_path), rounds=1, iterations=1)
    _write("daily-run-5000-postgresql", figures)
