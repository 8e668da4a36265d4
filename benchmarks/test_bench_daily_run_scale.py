"""The daily run at scale in one process, on SQLite and PostgreSQL: a first day and quiet days,
up to a million households.

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

Each measurement runs on a copy of the database in its own process, and its peak memory is
``VmHWM`` from ``/proc/self/status`` (the run's own peak: ``ru_maxrss`` of a spawned process
keeps the peak of the process it was forked from, which here had just built the database): the first day (no case decided before), then ``MAATWERK_BENCH_QUIET_DAYS``
(default 3) following days, each through the real wiring (policies, tables, plugin channels,
dispatcher). Wall and CPU seconds are recorded with the machine's load (``os.getloadavg``):
on a shared machine the CPU seconds are the steadier figure. No timing is asserted.
PostgreSQL (``MAATWERK_BENCH_POSTGRES_URL``, a schema of its own, dropped afterwards) gets the
portfolio of the SQLite database by ``COPY``; ``MAATWERK_BENCH_DATABASES`` (default
``sqlite,postgresql``) chooses. Writes ``benchmarks/results/daily-run-<size>-<database>.json``
and ``.md`` (text after the line ``<!-- notes -->`` in an existing ``.md`` is kept).
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
PG_URL = os.environ.get(
    "MAATWERK_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
#: the tables the portfolio fills (the rest stay empty): copied from SQLite to PostgreSQL
_PORTFOLIO = ("debtors", "debts", "mandates", "import_audit")
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


def _to_postgres(source: Path, schema: str) -> None:
    """A new schema ``schema`` with the migrations and the portfolio of ``source`` (``COPY``)."""
    import sqlalchemy as sa

    from maatwerk.adapters.storage.engine import make_engine

    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    engine = make_engine(PG_URL, schema=schema)
    try:
        copy_portfolio(source, engine)
    finally:
        engine.dispose()


def copy_portfolio(source: Path, engine: Any) -> None:
    """The shipped migrations on ``engine`` (PostgreSQL), then the portfolio tables of the
    SQLite database ``source`` by ``COPY``, then ``VACUUM ANALYZE``: the state autovacuum
    brings a bulk-loaded table to before long (its visibility map lets the run's index-only
    look-ups skip the table; without it a quiet day at 1M read 3.5 million debt rows again)."""
    import sqlalchemy as sa

    from maatwerk.adapters.storage import migrate

    migrate.upgrade(engine)
    lite = sqlite3.connect(source)
    try:
        with engine.begin() as conn:
            cursor = conn.connection.driver_connection.cursor()
            for table in _PORTFOLIO:
                cols = [r[1] for r in lite.execute(f"pragma table_info({table})")]
                with cursor.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                    for row in lite.execute(f"select {', '.join(cols)} from {table}"):
                        copy.write_row(row)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in _PORTFOLIO:
                conn.execute(sa.text(f"VACUUM ANALYZE {table}"))
    finally:
        lite.close()


def _drop_postgres(schema: str) -> None:
    import sqlalchemy as sa

    from maatwerk.adapters.storage.engine import make_engine

    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _peak_rss_mib() -> int:
    """This process's peak resident set (``VmHWM``; ``ru_maxrss`` where there is no /proc)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def _run_days(db: str, out: str, days: int, schema: str | None = None) -> dict[str, Any]:
    """In a process of its own: run ``days`` days from START on ``db``; figures per day."""
    from maatwerk.adapters.storage import SqlStore
    from maatwerk.adapters.storage.engine import make_engine
    from maatwerk.cli._wiring import build_dispatcher, build_evaluator, plugin_manager
    from maatwerk.services.run import RunSettings, run_day

    store = SqlStore(make_engine(db, schema=schema))
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
        "peak_rss_mib": _peak_rss_mib(),
    }


def _measure(tmp: Path, database: str) -> dict[str, Any]:
    kept = Path(DATA) if DATA else tmp / "data"
    kept.mkdir(parents=True, exist_ok=True)
    source = kept / "db.sqlite"
    if not source.exists():
        _build(source)
    else:  # kept from an earlier run: bring it to the shipped schema first
        from maatwerk.adapters.storage import migrate
        from maatwerk.adapters.storage.engine import make_engine

        engine = make_engine(f"sqlite:///{source}")
        try:
            migrate.upgrade(engine)
        finally:
            engine.dispose()
    work = tmp / "run"
    work.mkdir()
    schema: str | None = None
    if database == "postgresql":
        schema = f"bench_scale_{os.getpid()}"
        _to_postgres(source, schema)
        url = PG_URL
    else:
        shutil.copy(source, work / "db.sqlite")
        os.sync()  # the run's first checkpoint must not pay for writing out the copy
        url = f"sqlite:///{work / 'db.sqlite'}"
    try:
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            run = pool.apply(_run_days, (url, str(work / "out"), 1 + QUIET_DAYS, schema))
    finally:
        if schema is not None:
            _drop_postgres(schema)
    first, quiet = run["days"][0], run["days"][1:]
    return {
        "households": HOUSEHOLDS,
        "copies": COPIES,
        "database": database,
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
        (
            f"# Daily run on {_NAMES[figures['database']]}, one process, {figures['households']:,} "
            f"households ({figures['cases']:,} cases)"
        ),
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
        *(
            ["- CPU seconds are the run process's own; the PostgreSQL server's are not in them."]
            if figures["database"] == "postgresql"
            else []
        ),
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


_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def _postgres_reachable() -> bool:
    import sqlalchemy as sa

    from maatwerk.adapters.storage.engine import make_engine

    engine = make_engine(PG_URL)
    try:
        with engine.connect():
            return True
    except sa.exc.OperationalError:
        return False
    finally:
        engine.dispose()


@pytest.mark.skipif(HOUSEHOLDS % COPIES != 0, reason="MAATWERK_BENCH_COPIES must divide the size")
@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_daily_run_at_scale(benchmark: Any, tmp_path: Path, database: str) -> None:
    if database not in os.environ.get("MAATWERK_BENCH_DATABASES", "sqlite,postgresql"):
        pytest.skip("not in MAATWERK_BENCH_DATABASES")
    if database == "postgresql" and not _postgres_reachable():
        pytest.skip(f"PostgreSQL unreachable at {PG_URL}")
    figures = benchmark.pedantic(_measure, args=(tmp_path, database), rounds=1, iterations=1)
    _write(f"daily-run-{_label(HOUSEHOLDS)}-{database}", figures)
