"""The idle shortcut changes nothing: a demo that derives every case every day
(``--evaluate-all``) records the same decisions, actions, events and ledger as one that leaves
idle cases alone (``core/idle.py``; cases never decided rest without an evaluation:
``FreshRule``), under a policy without charges and one with interest and
collection costs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from cli_helpers import demo_database, run_demo


pytestmark = pytest.mark.slow  # two demos of demo size


def _demo(out: Path, policy: str, *flags: str) -> dict[str, Any]:
    return run_demo(
        out, "--debtors", "160", "--days", "75", "--seed", "5", "--policy", policy, *flags
    )


_TABLES = {
    # what a decision says, not how it was reached (an idle case's detail says "idle")
    "decisions": "select run_date, debtor_id, creditor_id, policy, outcome, step, action, "
    "blocked_by from decisions",
    "outbox": "select run_date, debtor_id, creditor_id, step, action, channel, status, error, "
    "idempotency_key, payload from outbox",
    "events": "select kind, debtor_id, debt_id, occurred_on, actor, payload from events",
    "cost_lines": "select debt_id, posting_key, posted_on, amount_cents, kind from cost_lines",
    "interest_lines": "select debt_id, posting_key, posted_on, amount_cents, period_from, "
    "period_to from interest_lines",
    "applied_payments": "select payment_id, debt_id, applied_on, costs_cents, interest_cents, "
    "principal_cents from applied_payments",
}


def _contents(out: Path) -> dict[str, list[tuple[Any, ...]]]:
    with demo_database(out) as conn:
        return {
            name: sorted(
                (tuple(str(v) for v in row) for row in conn.execute(sa.text(query))),
            )
            for name, query in _TABLES.items()
        }


@pytest.mark.parametrize("policy", ["humane", "classic"])
def test_idle_shortcut_records_what_a_full_evaluation_records(policy: str, tmp_path: Path) -> None:
    resting = _demo(tmp_path / "idle", policy)
    full = _demo(tmp_path / "full", policy, "--evaluate-all")
    for key in ("actions", "payments", "returns", "arrangements", "bailiff", "share_recovered"):
        assert resting[key] == full[key], key
    idle, every = _contents(tmp_path / "idle"), _contents(tmp_path / "full")
    for table in _TABLES:
        missing = sorted(set(every[table]) - set(idle[table]))[:5]
        extra = sorted(set(idle[table]) - set(every[table]))[:5]
        assert idle[table] == every[table], f"{table}: missing {missing}, extra {extra}"
    with demo_database(tmp_path / "idle") as conn:
        rested = conn.execute(
            sa.text("select count(*) from decisions where detail like '%\"idle\"%'")
        ).scalar_one()
    assert rested > 160 * 75 // 2, "most cases should rest on most days"
    with demo_database(tmp_path / "idle") as conn:
        fresh = conn.execute(
            sa.text("select count(*) from decisions where detail like '%\"fresh\"%'")
        ).scalar_one()
    assert fresh > 160 // 2, "most cases should rest unevaluated on their first day"
