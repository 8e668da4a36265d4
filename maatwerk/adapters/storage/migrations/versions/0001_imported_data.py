"""Imported data: debtors, debts with cost/interest lines, payments, mandates, consents, holds.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

ID = sa.String(64)
SERIAL = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "debtors",
        sa.Column("debtor_id", ID, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("household", sa.String(32), nullable=False),
        sa.Column("net_monthly_income_cents", sa.BigInteger),
        sa.Column("gross_annual_income_cents", sa.BigInteger),
        sa.Column("payday", sa.SmallInteger, nullable=False),
        sa.Column("iban", sa.String(34)),
        sa.Column("email", sa.String(254)),
        sa.Column("phone", sa.String(32)),
        sa.Column("segment", sa.String(64), nullable=False),
        sa.Column("on_bijstand", sa.Boolean, nullable=False),
        sa.Column("has_brp_address", sa.Boolean, nullable=False),
        sa.Column("vulnerable", sa.Boolean, nullable=False),
        sa.Column("deceased", sa.Boolean, nullable=False),
        sa.Column("bsn", sa.String(9)),
        sa.Column("row_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("debtor_id", name="pk_debtors"),
    )
    op.create_table(
        "debts",
        sa.Column("debt_id", ID, nullable=False),
        sa.Column("debtor_id", ID, nullable=False),
        sa.Column("creditor_id", ID, nullable=False),
        sa.Column("principal_cents", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("due_date", sa.Date, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("category", sa.String(64), nullable=False),
        sa.Column("issued_on", sa.Date),
        sa.Column("default_date", sa.Date),
        sa.Column("consumer", sa.Boolean, nullable=False),
        sa.Column("periodic", sa.Boolean, nullable=False),
        sa.Column("interest_kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("closed_on", sa.Date),
        sa.Column("reference", sa.String(140), nullable=False),
        sa.Column("row_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("debt_id", name="pk_debts"),
        sa.ForeignKeyConstraint(
            ["debtor_id"], ["debtors.debtor_id"], name="fk_debts_debtor_id_debtors"
        ),
    )
    op.create_index("ix_debts_case", "debts", ["debtor_id", "creditor_id"])
    for name in ("cost_lines", "interest_lines"):
        extra: list[sa.Column[object]] = (
            [sa.Column("kind", sa.String(32), nullable=False)]
            if name == "cost_lines"
            else [
                sa.Column("period_from", sa.Date, nullable=False),
                sa.Column("period_to", sa.Date, nullable=False),
            ]
        )
        op.create_table(
            name,
            sa.Column("id", SERIAL, nullable=False),
            sa.Column("debt_id", ID, nullable=False),
            sa.Column("posting_key", sa.String(120), nullable=False),
            sa.Column("posted_on", sa.Date, nullable=False),
            sa.Column("amount_cents", sa.BigInteger, nullable=False),
            sa.Column("currency", sa.String(3), nullable=False),
            *extra,
            sa.Column("table_version", sa.String(80), nullable=False),
            sa.PrimaryKeyConstraint("id", name=f"pk_{name}"),
            sa.ForeignKeyConstraint(["debt_id"], ["debts.debt_id"], name=f"fk_{name}_debt_id_debts"),
            sa.UniqueConstraint("debt_id", "posting_key", name=f"uq_{name}_debt_id_posting_key"),
        )
    op.create_table(
        "payments",
        sa.Column("payment_id", ID, nullable=False),
        sa.Column("debtor_id", ID, nullable=False),
        sa.Column("received_on", sa.Date, nullable=False),
        sa.Column("amount_cents", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("designated_debt_id", ID),
        sa.Column("reference", sa.String(140), nullable=False),
        sa.Column("row_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("payment_id", name="pk_payments"),
        sa.ForeignKeyConstraint(
            ["debtor_id"], ["debtors.debtor_id"], name="fk_payments_debtor_id_debtors"
        ),
        sa.ForeignKeyConstraint(
            ["designated_debt_id"], ["debts.debt_id"], name="fk_payments_designated_debt_id_debts"
        ),
    )
    op.create_index("ix_payments_debtor", "payments", ["debtor_id"])
    op.create_table(
        "applied_payments",
        sa.Column("payment_id", ID, nullable=False),
        sa.Column("debt_id", ID, nullable=False),
        sa.Column("applied_on", sa.Date, nullable=False),
        sa.Column("costs_cents", sa.BigInteger, nullable=False),
        sa.Column("interest_cents", sa.BigInteger, nullable=False),
        sa.Column("principal_cents", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.PrimaryKeyConstraint("payment_id", "debt_id", name="pk_applied_payments"),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.payment_id"], name="fk_applied_payments_payment_id_payments"
        ),
        sa.ForeignKeyConstraint(
            ["debt_id"], ["debts.debt_id"], name="fk_applied_payments_debt_id_debts"
        ),
    )
    op.create_index("ix_applied_payments_debt", "applied_payments", ["debt_id"])
    op.create_table(
        "mandates",
        sa.Column("mandate_id", sa.String(35), nullable=False),
        sa.Column("debtor_id", ID, nullable=False),
        sa.Column("creditor_id", ID, nullable=False),
        sa.Column("iban", sa.String(34), nullable=False),
        sa.Column("signed_on", sa.Date, nullable=False),
        sa.Column("collection_day", sa.SmallInteger),
        sa.Column("revoked_on", sa.Date),
        sa.Column("row_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("mandate_id", name="pk_mandates"),
        sa.ForeignKeyConstraint(
            ["debtor_id"], ["debtors.debtor_id"], name="fk_mandates_debtor_id_debtors"
        ),
    )
    op.create_index("ix_mandates_debtor", "mandates", ["debtor_id"])
    op.create_table(
        "consents",
        sa.Column("consent_id", ID, nullable=False),
        sa.Column("debtor_id", ID, nullable=False),
        sa.Column("scope", sa.String(64), nullable=False),
        sa.Column("given_on", sa.Date, nullable=False),
        sa.Column("revoked_on", sa.Date),
        sa.Column("source", sa.String(140), nullable=False),
        sa.Column("row_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("consent_id", name="pk_consents"),
        sa.ForeignKeyConstraint(
            ["debtor_id"], ["debtors.debtor_id"], name="fk_consents_debtor_id_debtors"
        ),
    )
    op.create_index("ix_consents_debtor", "consents", ["debtor_id"])
    op.create_table(
        "holds",
        sa.Column("hold_id", ID, nullable=False),
        sa.Column("debtor_id", ID, nullable=False),
        sa.Column("debt_id", ID),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date),
        sa.Column("note", sa.String(500), nullable=False),
        sa.Column("row_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("hold_id", name="pk_holds"),
        sa.ForeignKeyConstraint(["debtor_id"], ["debtors.debtor_id"], name="fk_holds_debtor_id_debtors"),
        sa.ForeignKeyConstraint(["debt_id"], ["debts.debt_id"], name="fk_holds_debt_id_debts"),
    )
    op.create_index("ix_holds_debtor", "holds", ["debtor_id"])
    op.create_table(
        "import_audit",
        sa.Column("id", SERIAL, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("file_name", sa.String(500), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("inserted", sa.Integer, nullable=False),
        sa.Column("updated", sa.Integer, nullable=False),
        sa.Column("unchanged", sa.Integer, nullable=False),
        sa.Column(
            "imported_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.PrimaryKeyConstraint("id", name="pk_import_audit"),
    )


def downgrade() -> None:
    op.drop_table("import_audit")
    op.drop_index("ix_holds_debtor", table_name="holds")
    op.drop_table("holds")
    op.drop_index("ix_consents_debtor", table_name="consents")
    op.drop_table("consents")
    op.drop_index("ix_mandates_debtor", table_name="mandates")
    op.drop_table("mandates")
    op.drop_index("ix_applied_payments_debt", table_name="applied_payments")
    op.drop_table("applied_payments")
    op.drop_index("ix_payments_debtor", table_name="payments")
    op.drop_table("payments")
    op.drop_table("interest_lines")
    op.drop_table("cost_lines")
    op.drop_index("ix_debts_case", table_name="debts")
    op.drop_table("debts")
    op.drop_table("debtors")
