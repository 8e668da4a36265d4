"""Run coordination: ``run_locks`` (who holds the daily run of this database) and
``run_shards`` (the case-key ranges the workers of one run claim).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql


revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

ID = sa.String(64)
TIMESTAMP = sa.DateTime(timezone=True)
JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "run_locks",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("run_date", sa.Date, nullable=False),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("pid", sa.Integer, nullable=False),
        sa.Column("pid_started", sa.String(64), nullable=False),
        sa.Column("worker", sa.String(64), nullable=False),
        sa.Column("since", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_run_locks"),
    )
    op.create_table(
        "run_shards",
        sa.Column("run_date", sa.Date, nullable=False),
        sa.Column("shard", sa.Integer, nullable=False),
        sa.Column("after_debtor", ID),
        sa.Column("after_creditor", ID),
        sa.Column("last_debtor", ID),
        sa.Column("last_creditor", ID),
        sa.Column("evaluator", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("worker", sa.String(64)),
        sa.Column("finished_at", TIMESTAMP),
        sa.Column("summary", JSON_TYPE),
        sa.PrimaryKeyConstraint("run_date", "shard", name="pk_run_shards"),
    )


def downgrade() -> None:
    op.drop_table("run_shards")
    op.drop_table("run_locks")
