"""Tamper-evident event log: ``events.chain``, ``chain_position``, ``prev_hash``, ``hash`` and the
table ``event_chains`` (the recorded end of each chain).

One chain per creditor (:mod:`maatwerk.core.audit_chain`). The columns are nullable so that a
row written around the store (not through it) is still stored and ``maatwerk audit verify``
reports it as inserted. The upgrade computes the chain for the events already stored, in
sequence order, exactly as the store computes it for new ones.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

from maatwerk.core.audit_chain import GENESIS, event_hash


revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_events = sa.table(
    "events",
    sa.column("sequence", sa.BigInteger),
    sa.column("kind", sa.String),
    sa.column("debtor_id", sa.String),
    sa.column("debt_id", sa.String),
    sa.column("occurred_on", sa.Date),
    sa.column("actor", sa.String),
    sa.column("idempotency_key", sa.String),
    sa.column("payload", sa.JSON),
    sa.column("chain", sa.String),
    sa.column("chain_position", sa.BigInteger),
    sa.column("prev_hash", sa.String),
    sa.column("hash", sa.String),
)
_debts = sa.table("debts", sa.column("debt_id", sa.String), sa.column("creditor_id", sa.String))
_chains = sa.table(
    "event_chains",
    sa.column("chain", sa.String),
    sa.column("length", sa.BigInteger),
    sa.column("last_hash", sa.String),
)


def _payload(value: Any) -> dict[str, Any]:
    loaded = json.loads(value) if isinstance(value, str) else value
    return dict(loaded or {})


def _backfill(conn: sa.Connection) -> None:
    creditors = {str(d): str(c) for d, c in conn.execute(sa.select(_debts))}
    heads: dict[str, tuple[int, str]] = {}
    last = 0
    while True:
        batch = conn.execute(
            sa.select(_events).where(_events.c.sequence > last).order_by(_events.c.sequence)
            # a part at a time: the payloads of a large log do not fit in memory at once
            .limit(5000)
        ).all()
        if not batch:
            break
        updates = []
        for row in batch:
            payload = _payload(row.payload)
            ids = payload.get("debt_ids")
            first = ids[0] if isinstance(ids, list) and ids and isinstance(ids[0], str) else None
            debt_id = row.debt_id or first
            if debt_id and debt_id in creditors:
                chain = creditors[debt_id]
            else:
                creditor = payload.get("creditor_id")
                chain = creditor if isinstance(creditor, str) else ""
            length, prev = heads.get(chain, (0, GENESIS))
            digest = event_hash(
                chain=chain,
                position=length + 1,
                prev_hash=prev,
                kind=row.kind,
                debtor_id=row.debtor_id,
                debt_id=row.debt_id,
                occurred_on=row.occurred_on,
                actor=row.actor,
                idempotency_key=row.idempotency_key,
                payload=payload,
            )
            heads[chain] = (length + 1, digest)
            updates.append(
                {
                    "_sequence": row.sequence,
                    "chain": chain,
                    "chain_position": length + 1,
                    "prev_hash": prev,
                    "hash": digest,
                }
            )
        conn.execute(
            _events.update()
            .where(_events.c.sequence == sa.bindparam("_sequence"))
            .values(
                chain=sa.bindparam("chain"),
                chain_position=sa.bindparam("chain_position"),
                prev_hash=sa.bindparam("prev_hash"),
                hash=sa.bindparam("hash"),
            ),
            updates,
        )
        last = batch[-1].sequence
    if heads:
        conn.execute(
            _chains.insert(),
            [{"chain": c, "length": n, "last_hash": h} for c, (n, h) in sorted(heads.items())],
        )


def upgrade() -> None:
    op.add_column("events", sa.Column("chain", sa.String(64), nullable=True))
    op.add_column("events", sa.Column("chain_position", sa.BigInteger, nullable=True))
    op.add_column("events", sa.Column("prev_hash", sa.String(64), nullable=True))
    op.add_column("events", sa.Column("hash", sa.String(64), nullable=True))
    op.create_index("ix_events_chain", "events", ["chain", "chain_position"])
    op.create_table(
        "event_chains",
        sa.Column("chain", sa.String(64), nullable=False),
        sa.Column("length", sa.BigInteger, nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("chain", name="pk_event_chains"),
    )
    _backfill(op.get_bind())


def downgrade() -> None:
    op.drop_table("event_chains")
    op.drop_index("ix_events_chain", table_name="events")
    # a plain DROP COLUMN (SQLite 3.35+ and PostgreSQL), as in 0005
    for name in ("hash", "prev_hash", "chain_position", "chain"):
        op.drop_column("events", name)
