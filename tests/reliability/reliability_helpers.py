"""Shared pieces of the reliability tests: a small portfolio from the demo's generator, the
daily run in this process or in a child process (with a fault setting), and everything a run
leaves behind, to compare with an uninterrupted run."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Final

import sqlalchemy as sa
from cli_helpers import SETTING_FLAGS
from click.testing import CliRunner
from run_helpers import import_payments, import_portfolio

from maatwerk.adapters.storage import SqlStore, migrate, schema
from maatwerk.adapters.storage.engine import make_engine
from maatwerk.cli import cli
from maatwerk.core.debts import Payment
from maatwerk.core.money import Money
from maatwerk.core.records import ImportRecord
from maatwerk.demo.behaviour import load_behaviour
from maatwerk.demo.synthetic import generate_portfolio
from maatwerk.services import faults


#: ``full`` (``make reliability``): the larger counts; anything else: the quick ones.
FULL: Final = os.environ.get("MAATWERK_RELIABILITY", "") == "full"

START: Final = dt.date(2026, 3, 2)
DAYS: Final = tuple(START + dt.timedelta(days=i) for i in range(30))


def portfolio(debtors: int, *, seed: int = 7) -> tuple[tuple[ImportRecord, ...], list[Payment]]:
    """``debtors`` households of the demo's generator with bills from two months before
    :data:`START` (so the run has arrears to act on), and part payments during the 30 days."""
    generated = generate_portfolio(
        load_behaviour(START),
        debtors=debtors,
        seed=seed,
        start=START - dt.timedelta(days=60),
        months=3,
    )
    records: list[ImportRecord] = [h.debtor for h in generated.households]
    records.extend(generated.debts)
    payments: list[Payment] = []
    for i, debt in enumerate(generated.debts):
        if i % 3 or debt.due_date >= START:
            continue
        share = Decimal("0.61") if i % 2 else Decimal(1)
        amount = Money(debt.principal.amount * share).rounded()
        payments.append(
            Payment(
                payment_id=f"PAY-{debt.debt_id}",
                debtor_id=debt.debtor_id,
                received_on=DAYS[(i * 7) % len(DAYS)],
                amount=amount,
            )
        )
    return tuple(records), payments


def prepare(db_url: str, debtors: int) -> None:
    """Migrate ``db_url`` and import the portfolio and its payments."""
    records, payments = portfolio(debtors)
    engine = make_engine(db_url)
    try:
        migrate.upgrade(engine)
        store = SqlStore(engine)
        import_portfolio(store, records)
        import_payments(store, payments)
    finally:
        engine.dispose()


def run_args(
    db_url: str, day: dt.date, out: Path, batch_size: int = 4, *, evaluate_all: bool = False
) -> list[str]:
    return [
        "run",
        "--date",
        day.isoformat(),
        "--db",
        db_url,
        "--out",
        str(out),
        "--policy",
        "classic",
        "--batch-size",
        str(batch_size),
        *SETTING_FLAGS,
        "--json",
        *(("--evaluate-all",) if evaluate_all else ()),
    ]


def run_here(db_url: str, day: dt.date, out: Path, *, evaluate_all: bool = False) -> None:
    """The day's run in this process; it must succeed."""
    result = CliRunner().invoke(cli, run_args(db_url, day, out, evaluate_all=evaluate_all))
    assert result.exit_code == 0, (day, result.output)


@contextmanager
def counting() -> Iterator[Counter[str]]:
    """Count the fault points this process passes (no fault is injected)."""
    seen: Counter[str] = Counter()
    old = faults.install(lambda name: seen.update([name]))
    try:
        yield seen
    finally:
        faults.install(old)


def run_child(db_url: str, day: dt.date, out: Path, fault: str) -> subprocess.CompletedProcess[str]:
    """The day's run in a child process with ``MAATWERK_FAULT=fault``."""
    env = {
        **os.environ,
        "MAATWERK_FAULT": fault,
        "MAATWERK_LOG_LEVEL": "ERROR",
        "MAATWERK_DISABLE_PLUGINS": "1",
    }
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from maatwerk.cli import main; main()",
            *run_args(db_url, day, out),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


_TABLES: Final = {
    "decisions": ("run_date", "debtor_id", "creditor_id", "outcome", "step", "action"),
    "outbox": (
        "run_date",
        "debtor_id",
        "creditor_id",
        "step",
        "action",
        "channel",
        "idempotency_key",
        "status",
    ),
    "events": ("kind", "debtor_id", "occurred_on", "idempotency_key"),
    "cost_lines": ("debt_id", "posting_key", "posted_on", "amount_cents"),
    "interest_lines": ("debt_id", "posting_key", "period_from", "period_to", "amount_cents"),
    "applied_payments": (
        "payment_id",
        "debt_id",
        "applied_on",
        "costs_cents",
        "interest_cents",
        "principal_cents",
    ),
    "debts": ("debt_id", "status", "closed_on"),
    "reviews": ("status",),
}


def state(db_url: str) -> dict[str, list[tuple[str, ...]]]:
    """Everything the runs leave in the database, without ids, timestamps and attempt counts."""
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            return {
                name: sorted(
                    tuple(str(v) for v in row)
                    for row in conn.execute(
                        sa.select(*(schema.metadata.tables[name].c[c] for c in cols))
                    )
                )
                for name, cols in _TABLES.items()
            }
    finally:
        engine.dispose()


def files(out: Path) -> dict[str, bytes]:
    """Every file under ``out`` (hidden temporary files too) with its content."""
    if not out.exists():
        return {}
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def assert_same(db_url: str, out: Path, reference_url: str, reference_out: Path) -> None:
    """The database and the delivered files equal the uninterrupted run's, with no duplicate."""
    mine, theirs = state(db_url), state(reference_url)
    for table, rows in theirs.items():
        assert len(set(mine[table])) == len(mine[table]), f"duplicate rows in {table}"
        assert mine[table] == rows, f"{table} differs from the uninterrupted run"
    mine_files, their_files = files(out), files(reference_out)
    assert sorted(mine_files) == sorted(their_files)
    for name, content in their_files.items():
        assert mine_files[name] == content, f"{name} differs from the uninterrupted run"


def assert_ledger_clean(db_url: str) -> None:
    """``maatwerk audit verify`` exits 0."""
    result = CliRunner().invoke(cli, ["audit", "verify", "--db", db_url])
    assert result.exit_code == 0, result.output
