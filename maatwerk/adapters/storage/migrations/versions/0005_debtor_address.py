"""Debtor postal address: ``address_street``, ``address_house_number``, ``address_postcode``,
``address_city``, ``address_extra`` and ``address_country``.

All nullable: a debtor stored before has no address (no letter goes to them; the run puts the
step on the phone work list). The row hash leaves the columns out while empty, so a re-import
of an old file changes nothing.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("address_street", 120),
    ("address_house_number", 120),
    ("address_postcode", 120),
    ("address_city", 120),
    ("address_extra", 120),
    ("address_country", 2),
)


def upgrade() -> None:
    for name, length in _COLUMNS:
        op.add_column("debtors", sa.Column(name, sa.String(length), nullable=True))


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+ and PostgreSQL): a batch copy of ``debtors`` would
    # drop the table that ``debts`` and the records refer to, which SQLite's foreign keys refuse.
    for name, _ in reversed(_COLUMNS):
        op.drop_column("debtors", name)
