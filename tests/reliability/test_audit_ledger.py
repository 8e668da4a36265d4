"""``maatwerk audit verify``: a clean ledger exits 0; a changed row is named, with the case
and the difference, and exits 1."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from reliability_helpers import DAYS, prepare, run_here

from maatwerk.adapters.storage import schema
from maatwerk.adapters.storage.engine import make_engine
from maatwerk.cli import cli


pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database after ten days of the run (a file, copied by each test)."""
    folder = tmp_path_factory.mktemp("audit")
    url = f"sqlite:///{folder / 'ran.db'}"
    prepare(url, 24)
    for day in DAYS[:10]:
        run_here(url, day, folder / "out")
    return folder / "ran.db"


def _copy(ran: Path, tmp_path: Path) -> str:
    target = tmp_path / "copy.db"
    target.write_bytes(ran.read_bytes())
    return f"sqlite:///{target}"


def _change(url: str, change: Callable[[sa.Connection], object]) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            change(conn)
    finally:
        engine.dispose()


def _verify(url: str, *more: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["audit", "verify", "--db", url, *more])
    return result.exit_code, result.output


def test_clean_ledger_exits_0(ran: Path, tmp_path: Path) -> None:
    code, output = _verify(_copy(ran, tmp_path), "--json")
    assert code == 0, output
    data = json.loads(output)
    assert data["problems"] == []
    assert data["cases"] == 24
    assert data["payments"] > 0


def test_a_paid_debt_still_owing_names_its_case(ran: Path, tmp_path: Path) -> None:
    url = _copy(ran, tmp_path)
    a = schema.applied_payments
    engine = make_engine(url)
    with engine.connect() as conn:
        row = conn.execute(sa.select(a.c.payment_id, a.c.debt_id, a.c.principal_cents)).first()
    engine.dispose()
    assert row is not None
    payment_id, debt_id, cents = row
    # one cent less applied than the payment brought: the cent is nowhere
    _change(
        url,
        lambda conn: conn.execute(
            a.update()
            .where(a.c.payment_id == payment_id, a.c.debt_id == debt_id)
            .values(principal_cents=cents - 1)
        ),
    )
    d = schema.debts
    _change(
        url,
        lambda conn: conn.execute(d.update().where(d.c.debt_id == debt_id).values(status="paid")),
    )
    code, output = _verify(url)
    assert code == 1
    assert "Error: the ledger does not add up" in output
    engine = make_engine(url)
    with engine.connect() as conn:
        debtor = conn.execute(sa.select(d.c.debtor_id).where(d.c.debt_id == debt_id)).scalar_one()
    engine.dispose()
    named = [line for line in output.splitlines() if line.startswith(f"case {debtor}/")]
    assert named, output
    assert named[0].endswith("(difference EUR 0.01)"), named


def test_more_allocated_than_charged_is_a_negative_balance(ran: Path, tmp_path: Path) -> None:
    url = _copy(ran, tmp_path)
    a = schema.applied_payments
    engine = make_engine(url)
    with engine.connect() as conn:
        row = conn.execute(sa.select(a.c.payment_id, a.c.debt_id)).first()
    engine.dispose()
    assert row is not None
    _change(
        url,
        lambda conn: conn.execute(
            a.update()
            .where(a.c.payment_id == row[0], a.c.debt_id == row[1])
            .values(costs_cents=a.c.costs_cents + 500)
        ),
    )
    code, output = _verify(url)
    assert code == 1
    assert f"debt {row[1]}: more costs allocated than charged, and no refund is recorded" in output
    assert f"payment {row[0]}" in output  # and more allocated than the payment brought


def test_a_payment_never_allocated_is_named(ran: Path, tmp_path: Path) -> None:
    url = _copy(ran, tmp_path)
    a = schema.applied_payments
    engine = make_engine(url)
    with engine.connect() as conn:
        payment_id = conn.execute(sa.select(a.c.payment_id)).scalars().first() or ""
    engine.dispose()
    _change(url, lambda conn: conn.execute(a.delete().where(a.c.payment_id == payment_id)))
    code, output = _verify(url)
    assert code == 1
    assert f"payment {payment_id} of debtor" in output
    assert "not allocated and not held as an overpayment" in output


def test_demo_300_households_90_days_every_cent_accounted(tmp_path: Path) -> None:
    """The issue's demo (300 households, 90 days): the ledger adds up and no payment leaves an
    overpayment (a plan's last instalment is paid as scheduled)."""
    out = tmp_path / "demo"
    result = CliRunner().invoke(
        cli, ["demo", "--debtors", "300", "--days", "90", "--out", str(out), "--json"]
    )
    assert result.exit_code == 0, result.output
    code, output = _verify(f"sqlite:///{out / 'maatwerk.db'}", "--json")
    assert code == 0, output
    data = json.loads(output)
    assert data["payments"] > 500
    assert data["overpayments"] == 0, output
