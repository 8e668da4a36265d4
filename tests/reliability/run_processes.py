"""Shared pieces of the concurrent-run tests: a portfolio, real ``maatwerk`` processes, and what
a run leaves behind (the rows and files compared with a run on its own)."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from cli_helpers import SETTING_FLAGS, migrate_and_import
from click.testing import CliRunner

from maatwerk.cli import cli


START = dt.date(2026, 3, 2)

#: What a run records, without ids and timestamps (compared between two databases).
TABLES = {
    "decisions": "select run_date, debtor_id, creditor_id, policy, outcome, step, action, "
    "blocked_by, detail from decisions",
    "outbox": "select run_date, debtor_id, creditor_id, step, action, channel, status, error, "
    "idempotency_key, payload, attempts from outbox",
    "events": "select kind, debtor_id, debt_id, occurred_on, actor, idempotency_key, payload "
    "from events",
    "cost_lines": "select debt_id, posting_key, posted_on, amount_cents, kind from cost_lines",
    "interest_lines": "select debt_id, posting_key, posted_on, amount_cents, period_from, "
    "period_to from interest_lines",
    "applied_payments": "select payment_id, debt_id, applied_on, costs_cents, interest_cents, "
    "principal_cents from applied_payments",
    # not the fingerprint: it holds the debtor's newest event sequence number, which depends on
    # the order the workers' batches committed in (it is only compared within one database)
    "case_state": "select debtor_id, creditor_id, evaluated_on, wake_on, policy, outcome, "
    "blocked_by, evaluator from case_state",
}


def portfolio(n: int) -> str:
    """``n`` debtors, most with one case, every third with a second creditor (two cases that
    must stay in one batch and one shard), due dates spread over three weeks."""
    header = (
        "debtor_id,name,household,net_monthly_income,payday,phone,debt_id,creditor_id,"
        "principal,due_date,category,periodic,street,house_number,postcode,city"
    )
    lines = [header]
    for i in range(n):
        due = START - dt.timedelta(days=40 + i % 21)
        creditors = ("zorg", "energie") if i % 3 == 0 else ("zorg",)
        lines.extend(
            f"D{i:05},Person {i},single,{1200 + 10 * (i % 90)}.00,25,06{i:08},"
            f"B{i:05}-{c}{j},{creditor},{100 + i % 400}.{j}0,"
            f"{due + dt.timedelta(days=30 * j)},premium,yes,"
            f"Voorbeeldstraat,{i + 1},1234 AB,Utrecht"
            for c, creditor in enumerate(creditors)
            for j in range(1 + i % 2)
        )
    return "\n".join(lines) + "\n"


def prepare(db_url: str, tmp: Path, n: int) -> None:
    """``db upgrade`` and ``import portfolio`` of :func:`portfolio` (``n`` debtors)."""
    tmp.mkdir(parents=True, exist_ok=True)
    migrate_and_import(CliRunner(), db_url, tmp / "portfolio.csv", portfolio(n))


def cli_run(db_url: str, day: dt.date, out: Path, *extra: str) -> str:
    """``maatwerk run`` in this process (the reference: a run on its own), which must
    succeed; its output."""
    args = ["run", "--date", day.isoformat(), "--db", db_url, "--out", str(out)]
    result = CliRunner().invoke(cli, [*args, *SETTING_FLAGS, *extra])
    assert result.exit_code == 0, result.output
    return result.stdout


def spawn(db_url: str, command: str, day: dt.date, *extra: str) -> subprocess.Popen[str]:
    """``maatwerk <command> --date day --db db_url ...`` as a real process."""
    args = [sys.executable, "-m", "maatwerk", command, "--date", day.isoformat(), "--db", db_url]
    if command == "run":
        args += SETTING_FLAGS
    return subprocess.Popen(
        [*args, *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "MAATWERK_LOG_LEVEL": "warning"},
    )


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def query(db_url: str, sql: str) -> list[tuple[Any, ...]]:
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(sa.text(sql))]
    finally:
        engine.dispose()


def lock_holder_pid(db_url: str) -> int | None:
    try:
        rows = query(db_url, "select pid from run_locks")
    except sa.exc.DBAPIError:  # SQLite busy for a moment while the run writes
        return None
    return int(rows[0][0]) if rows else None


def contents(db_url: str) -> dict[str, list[tuple[str, ...]]]:
    """What a run recorded, each table sorted (row order and ids do not matter)."""
    return {
        name: sorted(tuple(str(v) for v in row) for row in query(db_url, sql))
        for name, sql in TABLES.items()
    }


def files(out: Path) -> dict[str, bytes]:
    """Every delivered file under ``out`` by its relative path (there must be some)."""
    found = {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    assert found, f"no file delivered under {out}"
    return found


def assert_same(actual: dict[str, Any], expected: dict[str, Any]) -> None:
    assert actual.keys() == expected.keys()
    assert expected["outbox"], "the reference run took no step: nothing is compared"
    for name, rows in expected.items():
        missing = sorted(set(rows) - set(actual[name]))[:3]
        extra = sorted(set(actual[name]) - set(rows))[:3]
        assert actual[name] == rows, f"{name}: missing {missing}, extra {extra}"


@contextmanager
def second_database(db_url: str, tmp: Path) -> Iterator[str]:
    """Another empty database of the same kind as ``db_url`` (a file, or a schema dropped
    afterwards)."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp / 'reference.db'}"
        return
    base = db_url.split("?", maxsplit=1)[0]
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{base}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def stop(process: subprocess.Popen[str]) -> None:
    os.kill(process.pid, signal.SIGSTOP)


def resume(process: subprocess.Popen[str]) -> None:
    os.kill(process.pid, signal.SIGCONT)


def kill(process: subprocess.Popen[str]) -> None:
    os.kill(process.pid, signal.SIGKILL)
