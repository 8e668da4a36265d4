"""The daily run at scale on SQLite: a first day and quiet days, up to a million households.

``make bench`` runs it at a small size (10,000 households). For the targets of issue 19 set
``MAATWERK_BENCH_HOUSEHOLDS=1000000`` (and ``=100000`` for the growth from 100k to 1M)::

    MAATWERK_BENCH_HOUSEHOLDS=1000000 MAATWERK_BENCH_COPIES=10 \\
    MAATWERK_BENCH_DATA=/data/bench/1m .venv/bin/pytest benchmarks/test_bench_daily_run_scale.py \\
        -q --benchmark-only

The portfolio is the demo's synthetic one (seed 1, from 2026-01-01, four months of bills;
debtors, debts and mandates, no payments). ``MAATWERK_BENCH_DATA``: a directory where the
imported database is kept (``db.sqlite``) and reused by later runs; without it the portfolio is
built in a temporary directory. ``MAATWERK_BENCH_COPIES=k``: generate and import
``households / k`` and copy those households ``k`` times under new ids in SQL (the same mix;
importing a million households takes most of an hour on a shared 2-core machine).

Each measurement runs on a copy of the database in its own process (``ru_maxrss`` is then the
run's own peak): the first day (no case decided before), then ``MAATWERK_BENCH_QUIET_DAYS``
(default 3) following days, each through the real wiring (policies, tables, plugin channels,
dispatcher). Wall and CPU seconds are recorded with the machine's load (``os.getloadavg``):
on a shared machine the CPU seconds are the steadier figure. No timing is asserted.
Writes ``benchmarks/results/daily-run-<size>-sqlite.json`` and ``.md`` (text after the line
``<!-- notes -->`` in an existing ``.md`` is kept).
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import platform
import resource
import shutil
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest


RESULTS = Path(__file__).parent / "results"
START = dt.date(2026, 1, 1)
HOUSEHOLDS = int(os.environ.get("MAATWERK_BENCH_HOUSEHOLDS", "10000"))
COPIES = int(os.environ.get("MAATWERK_BENCH_COPIES", "1"))
QUIET_DAYS = int(os.environ.get("MAATWERK_BENCH_QUIET_DAYS", "3"))
DATA = os.environ.get("MAATWERK_BENCH_DATA")
NOTES = "<!-- notes -->"


def _label(n: int) -> str:
    if n % 1_000_000 == 0:
        return f"{n // 1_000_000}m"
    if n % 1000 == 0:
        return f"{n // 1000}k"
    return str(n)


def _build(db: Path) -> None:
    """Generate, import and (``COPIES``) copy the synthetic portfolio into ``db``."""
    from maatwerk.adapters.csv_import import read_import_file
    from maatwerk.adapters.storage import SqlStore, migrate
    from maatwerk.adapters.storage.engine import make_engine
    from maatwerk.core.records import ImportKind
    from maatwerk.demo.behaviour import load_behaviour
    from maatwerk.demo.synthetic import generate_portfolio
    from maatwerk.demo.synthetic_csv import write_portfolio
    from maatwerk.services.importing import import_file

    portfolio = generate_portfolio(
        load_behaviour(START), debtors=HOUSEHOLDS // COPIES, seed=1, start=START, months=4
    )
    files = write_portfolio(portfolio, db.parent / "portfolio")
    engine = make_engine(f"sqlite:///{db}")
    migrate.upgrade(engine)
    store = SqlStore(engine)
    for kind in (ImportKind.DEBTORS, ImportKind.DEBTS, ImportKind.MANDATES):
        import_file(read_import_file(files[kind.value], kind), store, recorded_by="bench")
    engine.dispose()
    shutil.rmtree(db.parent / "portfolio")
    _copy_households(db, COPIES)


def _copy_households(db: Path, copies: int) -> None:
    """Each household ``copies - 1`` more times, its ids suffixed ``-1``, ``-2``, ...; then
    ``ANALYZE`` (at every size, so that the query plans are comparable)."""
    conn = sqlite3.connect(db)
    try:
        changed = {
            "debtors": {"debtor_id"},
            "debts": {"debtor_id", "debt_id", "reference"},
            "mandates": {"debtor_id", "mandate_id"},
        }
        for copy in range(1, copies):
            for table, ids in changed.items():
                cols = [r[1] for r in conn.execute(f"pragma table_info({table})")]
                select = ", ".join(f"{c} || '-{copy}'" if c in ids else c for c in cols)
                conn.execute(
                    f"insert into {table} ({', '.join(cols)}) select {select} from {table} "
                    "where debtor_id not like '%-%'"
                )
            conn.commit()
        conn.execute("analyze")
        conn.commit()
    finally:
        conn.close()


def _run_days(db: str, out: str, days: int) -> dict[str, Any]:
    """In a process of its own: run ``days`` days from START on ``db``; figures per day."""
    from maatwerk.adapters.storage import SqlStore
    from maatwerk.adapters.storage.engine import make_engine
    from maatwerk.cli._wiring import build_dispatcher, build_evaluator, plugin_manager
    from maatwerk.services.run import RunSettings, run_day

    store = SqlStore(make_engine(f"sqlite:///{db}"))
    plugins = plugin_manager()
    evaluator = build_evaluator(plugins, default="humane", by_creditor={}, by_segment={})
    figures: list[dict[str, Any]] = []
    for offset in range(days):
        day = START + dt.timedelta(days=offset)
        dispatcher = build_dispatcher(store, plugins, out=Path(out), run_date=day, batch_size=500)
        load = os.getloadavg()[0]
        wall, cpu = time.perf_counter(), time.process_time()
        summary = run_day(store, evaluator, day, dispatcher=dispatcher, settings=RunSettings())
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        figures.append(
            {
                "date": day.isoformat(),
                "seconds": round(wall, 2),
                "cpu_seconds": round(cpu, 2),
                "cases": summary.cases_evaluated,
                "idle": summary.cases_idle,
                "evaluated_in_full": summary.cases_evaluated - summary.cases_idle,
                "cases_per_second": round(summary.cases_evaluated / wall),
                "cases_per_cpu_second": round(summary.cases_evaluated / max(cpu, 1e-9)),
                "actions": sum(summary.actions_per_kind.values()),
                "load_before": round(load, 2),
                "load_after": round(os.getloadavg()[0], 2),
            }
        )
    return {
        "days": figures,
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def _measure(tmp: Path) -> dict[str, Any]:
    kept = Path(DATA) if DATA else tmp / "data"
    kept.mkdir(parents=True, exist_ok=True)
    source = kept / "db.sqlite"
    if not source.exists():
        _build(source)
    work = tmp / "run"
    work.mkdir()
    shutil.copy(source, work / "db.sqlite")
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        run = pool.apply(_run_days, (str(work / "db.sqlite"), str(work / "out"), 1 + QUIET_DAYS))
    first, quiet = run["days"][0], run["days"][1:]
    return {
        "households": HOUSEHOLDS,
        "copies": COPIES,
        "cases": first["cases"],
        "first_day": first,
        "quiet_days": quiet,
        "quiet_day_max_seconds": max((d["seconds"] for d in quiet), default=None),
        "quiet_day_max_cpu_seconds": max((d["cpu_seconds"] for d in quiet), default=None),
        "peak_rss_mib": run["peak_rss_mib"],
        "measured_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "sqlite": sqlite3.sqlite_version,
        },
    }


def _write(name: str, figures: dict[str, Any]) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    first = figures["first_day"]
    copies = f", {figures['copies']} copies of the synthetic portfolio" * (figures["copies"] > 1)
    lines = [
        f"# Daily run on SQLite, {figures['households']:,} households ({figures['cases']:,} cases)",
        "",
        (
            f"Measured {figures['measured_at']} by `benchmarks/test_bench_daily_run_scale.py` "
            f"({figures['machine']['cpus']} CPUs shared with other work, Python "
            f"{figures['machine']['python']}, SQLite {figures['machine']['sqlite']}{copies})."
        ),
        "",
        (
            f"- First day: {first['seconds']} s wall, {first['cpu_seconds']} s CPU "
            f"({first['cases_per_second']:,} cases/s; {first['cases_per_cpu_second']:,} per CPU "
            f"second); {first['evaluated_in_full']:,} cases evaluated in full."
        ),
        (
            f"- Quiet days: at most {figures['quiet_day_max_seconds']} s wall, "
            f"{figures['quiet_day_max_cpu_seconds']} s CPU."
        ),
        f"- Peak RSS of the run's process: {figures['peak_rss_mib']} MiB.",
        "",
        "| date | s | CPU s | cases/s | idle | in full | actions | load before/after |",
        "|---|---|---|---|---|---|---|---|",
        *(
            f"| {d['date']} | {d['seconds']} | {d['cpu_seconds']} | {d['cases_per_second']:,} "
            f"| {d['idle']:,} | {d['evaluated_in_full']:,} | {d['actions']} "
            f"| {d['load_before']} / {d['load_after']} |"
            for d in (first, *figures["quiet_days"])
        ),
        "",
    ]
    path = RESULTS / f"{name}.md"
    if path.exists() and NOTES in (old := path.read_text(encoding="utf-8")):
        lines.extend([NOTES, old.split(NOTES, 1)[1].lstrip("\n")])
    path.write_text("\n".join(lines), encoding="utf-8")


@pytest.mark.skipif(HOUSEHOLDS % COPIES != 0, reason="MAATWERK_BENCH_COPIES must divide the size")
def test_daily_run_at_scale_sqlite(benchmark: Any, tmp_path: Path) -> None:
    figures = benchmark.pedantic(_measure, args=(tmp_path,), rounds=1, iterations=1)
    _write(f"daily-run-{_label(HOUSEHOLDS)}-sqlite", figures)
