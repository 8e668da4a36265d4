"""Debtor housing for Rv 475da lid 7: ``housing`` and the person-set ``owner_increase_cents``.

``housing`` is ``rent`` (huurtoeslag-eligible), ``own`` (owner-occupier) or
``rent-no-huurtoeslag`` (Wht art. 11); NULL (not known) counts as rent, today's behaviour.
``owner_increase_cents``: the monthly lid-7 increase a person set per the Besluit beslagvrije
voet (the engine cannot compute it). Both nullable: existing rows need no value.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("debtors") as batch:
        batch.add_column(sa.Column("housing", sa.String(32), nullable=True))
        batch.add_column(sa.Column("owner_increase_cents", sa.BigInteger, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("debtors") as batch:
        batch.drop_column("owner_increase_cents")
        batch.drop_column("housing")
