"""SIGKILL the daily run at a random point, run the date again: same actions, each exactly once."""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from run_helpers import import_portfolio

from maatwerk.adapters.storage import SqlStore, migrate, schema
from maatwerk.adapters.storage.engine import make_engine
from maatwerk.core.debtors import Debtor, HouseholdType
from maatwerk.core.debts import Debt
from maatwerk.core.money import eur
from maatwerk.core.records import ImportRecord


pytestmark = pytest.mark.slow

START = dt.date(2026, 3, 1)
DAYS = (START + dt.timedelta(days=8), START + dt.timedelta(days=15), START + dt.timedelta(days=36))
SEED = int(os.environ.get("MAATWERK_CRASH_SEED", str(random.SystemRandom().randrange(10**6))))


def portfolio(n: int) -> tuple[ImportRecord, ...]:
    records: list[ImportRecord] = []
    for i in range(n):
        debtor_id = f"D{i:04}"
        records.append(
            Debtor(debtor_id=debtor_id, name=f"P {i}", household=HouseholdType.SINGLE, phone="06")
        )
        records.extend(
            Debt(
                debt_id=f"B{i:04}-{j}",
                debtor_id=debtor_id,
                creditor_id=("zorg", "gemeente")[j],
                principal=eur("150.00") + eur(i),
                due_date=START - dt.timedelta(days=i % 40),
            )
            for j in range(1 + i % 2)
        )
    return tuple(records)


def _cli(db_url: str, day: dt.date, out: Path) -> list[str]:
    return [
        sys.executable,
        "-c",
        "from maatwerk.cli import main; main()",
        "run",
        "--date",
        day.isoformat(),
        "--db",
        db_url,
        "--out",
        str(out),
        "--batch-size",
        "2",
        "--setting",
        "creditor_name=Zorgverzekeraar",
        "--setting",
        "creditor_phone=0800-0000",
        "--setting",
        "creditor_iban=NL91ABNA0417164300",
        "--setting",
        "creditor_id=NL32ZZZ999999991234",
        "--json",
    ]


def _env() -> dict[str, str]:
    return {**os.environ, "MAATWERK_LOG_LEVEL": "ERROR", "MAATWERK_DISABLE_PLUGINS": "1"}


def _prepare(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate.upgrade(engine)
    import_portfolio(SqlStore(engine), portfolio(40))
    engine.dispose()


def _state(db_url: str) -> dict[str, list[tuple[str, ...]]]:
    """Everything a run leaves behind, without ids, timestamps and attempt counters."""
    engine = make_engine(db_url)
    tables = {
        schema.decisions: ("run_date", "debtor_id", "creditor_id", "outcome", "step", "action"),
        schema.outbox: (
            "run_date",
            "debtor_id",
            "creditor_id",
            "step",
            "action",
            "channel",
            "idempotency_key",
            "status",
        ),
        schema.events: ("kind", "debtor_id", "occurred_on", "idempotency_key"),
        schema.cost_lines: ("debt_id", "posting_key", "amount_cents"),
    }
    with engine.connect() as conn:
        state = {
            t.name: [
                tuple(str(v) for v in row)
                for row in conn.execute(sa.select(*(t.c[c] for c in cols)))
            ]
            for t, cols in tables.items()
        }
    engine.dispose()
    return state


def _files(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def _count(engine: sa.Engine, table: sa.Table, day: dt.date, status: str | None = None) -> int:
    query = sa.select(sa.func.count()).select_from(table).where(table.c.run_date == day)
    if status is not None:
        query = query.where(table.c.status == status)
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def _kill_when(proc: subprocess.Popen[bytes], reached: object) -> bool:
    """SIGKILL ``proc`` as soon as ``reached()`` is true; ``False`` if it finished first."""
    assert callable(reached)
    while proc.poll() is None:
        if reached():
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            return True
        time.sleep(0.005)
    return False


class TestCrashAndRerun:
    """Killed anywhere (evaluating, dispatching, at a random time), a rerun equals an
    uninterrupted run (the seed is in every failure message; MAATWERK_CRASH_SEED replays it)."""

    def test_sigkill_then_rerun_equals_uninterrupted_run(self, db_url: str, tmp_path: Path) -> None:
        rng = random.Random(SEED)
        reference_url = f"sqlite:///{tmp_path / 'reference.db'}"
        ref_out, out = tmp_path / "ref-out", tmp_path / "out"
        _prepare(reference_url)
        _prepare(db_url)
        killed = 0
        ref_engine, engine = make_engine(reference_url), make_engine(db_url)
        for index, day in enumerate(DAYS):
            started = time.monotonic()
            done = subprocess.run(
                _cli(reference_url, day, ref_out), env=_env(), capture_output=True, check=False
            )
            took = time.monotonic() - started
            assert done.returncode == 0, done.stderr.decode()
            total = _count(ref_engine, schema.decisions, day)
            to_send = _count(ref_engine, schema.outbox, day)
            proc = subprocess.Popen(
                _cli(db_url, day, out),
                env=_env(),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            if index == 0:
                target = rng.randrange(1, total)
                hit = _kill_when(
                    proc, lambda d=day, t=target: _count(engine, schema.decisions, d) >= t
                )
            elif index == 1 and to_send > 1:
                target = rng.randrange(1, to_send)
                hit = _kill_when(
                    proc, lambda d=day, t=target: _count(engine, schema.outbox, d, "done") >= t
                )
            else:
                deadline = time.monotonic() + rng.uniform(0, took)
                hit = _kill_when(proc, lambda t=deadline: time.monotonic() >= t)
            if not hit:
                proc.wait()
            killed += hit
            rerun = subprocess.run(
                _cli(db_url, day, out), env=_env(), capture_output=True, check=False
            )
            assert rerun.returncode == 0, rerun.stderr.decode()
            mine, reference = _state(db_url), _state(reference_url)
            for table, rows in reference.items():
                assert len(mine[table]) == len(set(mine[table])), f"duplicates in {table}"
                assert sorted(mine[table]) == sorted(rows), (
                    f"{table} differs on {day} (seed {SEED})"
                )
            assert _files(out) == _files(ref_out)
        ref_engine.dispose()
        engine.dispose()
        assert killed >= 2, f"the run was killed mid-way only {killed} time(s) (seed {SEED})"
