"""``decisions`` without its foreign key to ``debtors``.

Every day the run records a decision for every case, most of them copied in one statement from
the case's resting state. The foreign key made PostgreSQL call a trigger for each of those rows:
5.4 of the 19 seconds that statement took on a quiet day of a million households. The run writes
decisions only for the cases of stored debts, and debtors are never deleted (an erasure blanks
their personal data, the row stays), so the key guarded nothing the run can break; ``case_state``
never had one. ``outbox`` keeps its key (a few rows a day).

On SQLite, where a constraint cannot be dropped, the table is copied without it (a batch
operation): a one-time cost on an existing database.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op


revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_KEY = "fk_decisions_debtor_id_debtors"


def upgrade() -> None:
    with op.batch_alter_table("decisions") as batch:
        batch.drop_constraint(_KEY, type_="foreignkey")


def downgrade() -> None:
    with op.batch_alter_table("decisions") as batch:
        batch.create_foreign_key(_KEY, "debtors", ["debtor_id"], ["debtor_id"])

