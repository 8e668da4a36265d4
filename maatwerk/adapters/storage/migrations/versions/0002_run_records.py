"""Run records: append-only events, runs, decisions, the outbox and the review queue.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql


revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ID = sa.String(64)
SERIAL = sa.BigInteger().with_variant(sa.Integer, "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("sequence", SERIAL, nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("debtor_id", ID, nullable=False),
        sa.Column("debt_id", ID),
        sa.Column("occurred_on", sa.Date, nullable=False),
        sa.Column("recorded_at", TS, nullable=False, server_default=sa.func.now()),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("idempotency_key", sa.String(200)),
        sa.Column("payload", JSON, nullable=False),
        sa.PrimaryKeyConstraint("sequence", name="pk_events"),
        sa.UniqueConstraint("idempotency_key", name="uq_events_idempotency_key"),
    )
    op.create_index("ix_events_debtor", "events", ["debtor_id", "sequence"])
    op.create_table(
        "runs",
        sa.Column("id", SERIAL, nullable=False),
        sa.Column("run_date", sa.Date, nullable=False),
        sa.Column("dry_run", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("started_at", TS, nullable=False, server_default=sa.func.now()),
        sa.Column("finished_at", TS),
        sa.Column("summary", JSON),
        sa.PrimaryKeyConstraint("id", name="pk_runs"),
    )
    op.create_index("ix_runs_run_date", "runs", ["run_date"])
    op.create_table(
        "decisions",
        sa.Column("id", SERIAL, nullable=False),
        sa.Column("run_date", sa.Date, nullable=False),
        sa.Column("debtor_id", ID, nullable=False),
        sa.Column("creditor_id", ID, nullable=False),
        sa.Column("policy", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("step", sa.String(64)),
        sa.Column("action", sa.String(64)),
        sa.Column("blocked_by", sa.String(64)),
        sa.Column("detail", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_decisions"),
        sa.ForeignKeyConstraint(
            ["debtor_id"], ["debtors.debtor_id"], name="fk_decisions_debtor_id_debtors"
        ),
        sa.UniqueConstraint(
            "run_date", "debtor_id", "creditor_id", name="uq_decisions_run_date_debtor_id_creditor_id"
        ),
    )
    op.create_table(
        "outbox",
        sa.Column("id", SERIAL, nullable=False),
        sa.Column("run_date", sa.Date, nullable=False),
        sa.Column("debtor_id", ID, nullable=False),
        sa.Column("creditor_id", ID, nullable=False),
        sa.Column("step", sa.String(64), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("claimed_at", TS),
        sa.Column("done_at", TS),
        sa.Column("receipt", JSON),
        sa.Column("error", sa.String(500)),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.ForeignKeyConstraint(
            ["debtor_id"], ["debtors.debtor_id"], name="fk_outbox_debtor_id_debtors"
        ),
        sa.UniqueConstraint(
            "debtor_id",
            "creditor_id",
            "step",
            "run_date",
            name="uq_outbox_debtor_id_creditor_id_step_run_date",
        ),
        sa.UniqueConstraint("idempotency_key", name="uq_outbox_idempotency_key"),
    )
    op.create_index("ix_outbox_status", "outbox", ["status", "id"])
    op.create_table(
        "reviews",
        sa.Column("id", SERIAL, nullable=False),
        sa.Column("outbox_id", sa.BigInteger, nullable=False),
        sa.Column("prepared_by", sa.String(120), nullable=False),
        sa.Column("four_eyes", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("decided_by", sa.String(120)),
        sa.Column("decided_at", TS),
        sa.Column("reason", sa.String(500)),
        sa.PrimaryKeyConstraint("id", name="pk_reviews"),
        sa.ForeignKeyConstraint(["outbox_id"], ["outbox.id"], name="fk_reviews_outbox_id_outbox"),
        sa.UniqueConstraint("outbox_id", name="uq_reviews_outbox_id"),
    )
    op.create_index("ix_reviews_status", "reviews", ["status"])


def downgrade() -> None:
    op.drop_index("ix_reviews_status", table_name="reviews")
    op.drop_table("reviews")
    op.drop_index("ix_outbox_status", table_name="outbox")
    op.drop_table("outbox")
    op.drop_table("decisions")
    op.drop_index("ix_runs_run_date", table_name="runs")
    op.drop_table("runs")
    op.drop_index("ix_events_debtor", table_name="events")
    op.drop_table("events")
