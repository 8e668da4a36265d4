"""Case state: each case's last real evaluation, so that idle cases are not re-derived daily.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

ID = sa.String(64)


def upgrade() -> None:
    op.create_table(
        "case_state",
        sa.Column("debtor_id", ID, nullable=False),
        sa.Column("creditor_id", ID, nullable=False),
        sa.Column("evaluated_on", sa.Date, nullable=False),
        sa.Column("wake_on", sa.Date),
        sa.Column("policy", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("blocked_by", sa.String(64)),
        sa.Column("fingerprint", sa.String(200), nullable=False),
        sa.Column("evaluator", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("debtor_id", "creditor_id", name="pk_case_state"),
    )


def downgrade() -> None:
    op.drop_table("case_state")
