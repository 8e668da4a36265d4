"""The relational schema (SQLAlchemy Core tables), the single description the adapter queries.

Amounts are integer minor units (cents) in ``*_cents`` columns with a ``currency`` column where a
row carries money: exact, fast, and identical on SQLite and PostgreSQL (never a float). The
adapter converts with :meth:`Money.to_minor_units` / :meth:`Money.from_minor_units`.

Natural keys (``debtor_id``, ``debt_id``, ``payment_id`` ...) are the primary keys of the imported
data, so that re-importing a file is a no-op. Unique constraints make a rerun of the daily run a
no-op too: one decision per case per run date, one outbox row per case + step + run date, one
cost or interest posting per debt + posting key.

The schema is created and changed **only** by the Alembic migrations in
``maatwerk/adapters/storage/migrations/`` (``maatwerk db upgrade``), which spell each table out
again on purpose: a migration is a record of what a database was given and must not change when
this module does. What keeps the two one is ``tests/integration/test_storage_migrations.py``: on
SQLite and PostgreSQL it migrates an empty database and requires no difference from these tables
(tables, columns, types with their lengths, nullability, server defaults, indexes, unique
constraints, foreign keys, primary keys), and proves that it sees each of those kinds of
difference. A change here without a migration, or the other way round, fails it.
"""

from __future__ import annotations

from typing import Final

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


__all__ = [
    "JSON_TYPE",
    "applied_payments",
    "case_state",
    "consents",
    "cost_lines",
    "debtors",
    "debts",
    "decisions",
    "event_chains",
    "events",
    "holds",
    "import_audit",
    "interest_lines",
    "mandates",
    "metadata",
    "outbox",
    "payments",
    "reviews",
    "run_locks",
    "run_shards",
    "runs",
]

NAMING: Final = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING)

#: JSON everywhere; JSONB on PostgreSQL (indexable, compact).
JSON_TYPE: Final = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

ID = sa.String(64)
CENTS = sa.BigInteger
CURRENCY = sa.String(3)
TIMESTAMP = sa.DateTime(timezone=True)
#: A generated key: BIGINT on PostgreSQL, INTEGER on SQLite (only an INTEGER PRIMARY KEY is
#: its rowid there, and numbered automatically).
SERIAL = sa.BigInteger().with_variant(sa.Integer, "sqlite")

# -- imported data ------------------------------------------------------------------------------

debtors = sa.Table(
    "debtors",
    metadata,
    sa.Column("debtor_id", ID, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("household", sa.String(32), nullable=False),
    sa.Column("net_monthly_income_cents", CENTS),
    sa.Column("gross_annual_income_cents", CENTS),
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
    # Rv 475da lid 7 (migration 0004): rent / own / rent-no-huurtoeslag (NULL: not known, rent)
    # and the monthly increase a person set per the Besluit beslagvrije voet
    sa.Column("housing", sa.String(32)),
    sa.Column("owner_increase_cents", CENTS),
    # postal address (migration 0005): all NULL when the creditor has none
    sa.Column("address_street", sa.String(120)),
    sa.Column("address_house_number", sa.String(120)),
    sa.Column("address_postcode", sa.String(120)),
    sa.Column("address_city", sa.String(120)),
    sa.Column("address_extra", sa.String(120)),
    sa.Column("address_country", sa.String(2)),
)

debts = sa.Table(
    "debts",
    metadata,
    sa.Column("debt_id", ID, primary_key=True),
    sa.Column("debtor_id", ID, sa.ForeignKey("debtors.debtor_id"), nullable=False),
    sa.Column("creditor_id", ID, nullable=False),
    sa.Column("principal_cents", CENTS, nullable=False),
    sa.Column("currency", CURRENCY, nullable=False),
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
    sa.Index("ix_debts_case", "debtor_id", "creditor_id"),
)


def _ledger(name: str, *columns: sa.Column[object]) -> sa.Table:
    """A debt's posted lines (cost or interest): each ``(debt, posting key)`` once."""
    return sa.Table(
        name,
        metadata,
        sa.Column("id", SERIAL, primary_key=True),
        sa.Column("debt_id", ID, sa.ForeignKey("debts.debt_id"), nullable=False),
        sa.Column("posting_key", sa.String(120), nullable=False),
        sa.Column("posted_on", sa.Date, nullable=False),
        sa.Column("amount_cents", CENTS, nullable=False),
        sa.Column("currency", CURRENCY, nullable=False),
        *columns,
        sa.Column("table_version", sa.String(80), nullable=False),
        sa.UniqueConstraint("debt_id", "posting_key"),
    )


cost_lines = _ledger("cost_lines", sa.Column("kind", sa.String(32), nullable=False))

interest_lines = _ledger(
    "interest_lines",
    sa.Column("period_from", sa.Date, nullable=False),
    sa.Column("period_to", sa.Date, nullable=False),
)

payments = sa.Table(
    "payments",
    metadata,
    sa.Column("payment_id", ID, primary_key=True),
    sa.Column("debtor_id", ID, sa.ForeignKey("debtors.debtor_id"), nullable=False),
    sa.Column("received_on", sa.Date, nullable=False),
    sa.Column("amount_cents", CENTS, nullable=False),
    sa.Column("currency", CURRENCY, nullable=False),
    sa.Column("designated_debt_id", ID, sa.ForeignKey("debts.debt_id")),
    sa.Column("reference", sa.String(140), nullable=False),
    sa.Column("row_hash", sa.String(64), nullable=False),
    sa.Index("ix_payments_debtor", "debtor_id"),
)

applied_payments = sa.Table(
    "applied_payments",
    metadata,
    sa.Column("payment_id", ID, sa.ForeignKey("payments.payment_id"), primary_key=True),
    sa.Column("debt_id", ID, sa.ForeignKey("debts.debt_id"), primary_key=True),
    sa.Column("applied_on", sa.Date, nullable=False),
    sa.Column("costs_cents", CENTS, nullable=False),
    sa.Column("interest_cents", CENTS, nullable=False),
    sa.Column("principal_cents", CENTS, nullable=False),
    sa.Column("currency", CURRENCY, nullable=False),
    sa.Index("ix_applied_payments_debt", "debt_id"),
)

mandates = sa.Table(
    "mandates",
    metadata,
    sa.Column("mandate_id", sa.String(35), primary_key=True),
    sa.Column("debtor_id", ID, sa.ForeignKey("debtors.debtor_id"), nullable=False),
    sa.Column("creditor_id", ID, nullable=False),
    sa.Column("iban", sa.String(34), nullable=False),
    sa.Column("signed_on", sa.Date, nullable=False),
    sa.Column("collection_day", sa.SmallInteger),
    sa.Column("revoked_on", sa.Date),
    sa.Column("row_hash", sa.String(64), nullable=False),
    sa.Index("ix_mandates_debtor", "debtor_id"),
)

consents = sa.Table(
    "consents",
    metadata,
    sa.Column("consent_id", ID, primary_key=True),
    sa.Column("debtor_id", ID, sa.ForeignKey("debtors.debtor_id"), nullable=False),
    sa.Column("scope", sa.String(64), nullable=False),
    sa.Column("given_on", sa.Date, nullable=False),
    sa.Column("revoked_on", sa.Date),
    sa.Column("source", sa.String(140), nullable=False),
    sa.Column("row_hash", sa.String(64), nullable=False),
    sa.Index("ix_consents_debtor", "debtor_id"),
)

holds = sa.Table(
    "holds",
    metadata,
    sa.Column("hold_id", ID, primary_key=True),
    sa.Column("debtor_id", ID, sa.ForeignKey("debtors.debtor_id"), nullable=False),
    sa.Column("debt_id", ID, sa.ForeignKey("debts.debt_id")),
    sa.Column("reason", sa.String(64), nullable=False),
    sa.Column("starts_on", sa.Date, nullable=False),
    sa.Column("ends_on", sa.Date),
    sa.Column("note", sa.String(500), nullable=False),
    sa.Column("row_hash", sa.String(64), nullable=False),
    sa.Index("ix_holds_debtor", "debtor_id"),
)

import_audit = sa.Table(
    "import_audit",
    metadata,
    sa.Column("id", SERIAL, primary_key=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("file_name", sa.String(500), nullable=False),
    sa.Column("file_sha256", sa.String(64), nullable=False),
    sa.Column("rows", sa.Integer, nullable=False),
    sa.Column("inserted", sa.Integer, nullable=False),
    sa.Column("updated", sa.Integer, nullable=False),
    sa.Column("unchanged", sa.Integer, nullable=False),
    sa.Column("imported_at", TIMESTAMP, nullable=False, server_default=sa.func.now()),
)

# -- what happened and what the engine decided ---------------------------------------------------

events = sa.Table(
    "events",
    metadata,
    sa.Column("sequence", SERIAL, primary_key=True),
    sa.Column("kind", sa.String(64), nullable=False),
    sa.Column("debtor_id", ID, nullable=False),
    sa.Column("debt_id", ID),
    sa.Column("occurred_on", sa.Date, nullable=False),
    sa.Column("recorded_at", TIMESTAMP, nullable=False, server_default=sa.func.now()),
    sa.Column("actor", sa.String(120), nullable=False),
    sa.Column("idempotency_key", sa.String(200)),
    sa.Column("payload", JSON_TYPE, nullable=False),
    # the hash chain (migration 0006, maatwerk.core.audit_chain): one chain per creditor
    sa.Column("chain", ID),
    sa.Column("chain_position", sa.BigInteger),
    sa.Column("prev_hash", sa.String(64)),
    sa.Column("hash", sa.String(64)),
    sa.UniqueConstraint("idempotency_key"),
    sa.Index("ix_events_debtor", "debtor_id", "sequence"),
    sa.Index("ix_events_chain", "chain", "chain_position"),
)

#: The recorded end of each chain of ``events``: how long it is and the hash of its last event.
event_chains = sa.Table(
    "event_chains",
    metadata,
    sa.Column("chain", ID, primary_key=True),
    sa.Column("length", sa.BigInteger, nullable=False),
    sa.Column("last_hash", sa.String(64), nullable=False),
)

runs = sa.Table(
    "runs",
    metadata,
    sa.Column("id", SERIAL, primary_key=True),
    sa.Column("run_date", sa.Date, nullable=False),
    sa.Column("dry_run", sa.Boolean, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("started_at", TIMESTAMP, nullable=False, server_default=sa.func.now()),
    sa.Column("finished_at", TIMESTAMP),
    sa.Column("summary", JSON_TYPE),
    sa.Index("ix_runs_run_date", "run_date"),
)

decisions = sa.Table(
    "decisions",
    metadata,
    sa.Column("id", SERIAL, primary_key=True),
    sa.Column("run_date", sa.Date, nullable=False),
    # no foreign key to debtors: one trigger call per resting case and day (migration 0008)
    sa.Column("debtor_id", ID, nullable=False),
    sa.Column("creditor_id", ID, nullable=False),
    sa.Column("policy", sa.String(64), nullable=False),
    sa.Column("outcome", sa.String(32), nullable=False),
    sa.Column("step", sa.String(64)),
    sa.Column("action", sa.String(64)),
    sa.Column("blocked_by", sa.String(64)),
    sa.Column("detail", JSON_TYPE, nullable=False),
    sa.UniqueConstraint("run_date", "debtor_id", "creditor_id"),
)

outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("id", SERIAL, primary_key=True),
    sa.Column("run_date", sa.Date, nullable=False),
    sa.Column("debtor_id", ID, sa.ForeignKey("debtors.debtor_id"), nullable=False),
    sa.Column("creditor_id", ID, nullable=False),
    sa.Column("step", sa.String(64), nullable=False),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("channel", sa.String(64), nullable=False),
    sa.Column("idempotency_key", sa.String(200), nullable=False),
    sa.Column("payload", JSON_TYPE, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("claimed_at", TIMESTAMP),
    sa.Column("done_at", TIMESTAMP),
    sa.Column("receipt", JSON_TYPE),
    sa.Column("error", sa.String(500)),
    sa.UniqueConstraint("debtor_id", "creditor_id", "step", "run_date"),
    sa.UniqueConstraint("idempotency_key"),
    sa.Index("ix_outbox_status", "status", "id"),
)

reviews = sa.Table(
    "reviews",
    metadata,
    sa.Column("id", SERIAL, primary_key=True),
    sa.Column("outbox_id", sa.BigInteger, sa.ForeignKey("outbox.id"), nullable=False),
    sa.Column("prepared_by", sa.String(120), nullable=False),
    sa.Column("four_eyes", sa.Boolean, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("decided_by", sa.String(120)),
    sa.Column("decided_at", TIMESTAMP),
    sa.Column("reason", sa.String(500)),
    sa.UniqueConstraint("outbox_id"),
    sa.Index("ix_reviews_status", "status"),
)

# -- the run's own bookkeeping -------------------------------------------------------------------

case_state = sa.Table(
    "case_state",
    metadata,
    sa.Column("debtor_id", ID, primary_key=True),
    sa.Column("creditor_id", ID, primary_key=True),
    sa.Column("evaluated_on", sa.Date, nullable=False),
    sa.Column("wake_on", sa.Date),
    sa.Column("policy", sa.String(64), nullable=False),
    sa.Column("outcome", sa.String(32), nullable=False),
    sa.Column("blocked_by", sa.String(64)),
    sa.Column("fingerprint", sa.String(200), nullable=False),
    sa.Column("evaluator", sa.String(64), nullable=False),
)
"""The last real evaluation of each case and until when it may rest (see ``core/idle.py``)."""

run_locks = sa.Table(
    "run_locks",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("token", sa.String(64), nullable=False),
    sa.Column("run_date", sa.Date, nullable=False),
    sa.Column("host", sa.String(255), nullable=False),
    sa.Column("pid", sa.Integer, nullable=False),
    sa.Column("pid_started", sa.String(64), nullable=False),
    sa.Column("worker", sa.String(64), nullable=False),
    sa.Column("since", TIMESTAMP, nullable=False),
)
"""Who holds the daily run of this database, and since when (``storage/coordination.py``)."""

run_shards = sa.Table(
    "run_shards",
    metadata,
    sa.Column("run_date", sa.Date, primary_key=True),
    sa.Column("shard", sa.Integer, primary_key=True),
    sa.Column("after_debtor", ID),
    sa.Column("after_creditor", ID),
    sa.Column("last_debtor", ID),
    sa.Column("last_creditor", ID),
    sa.Column("evaluator", sa.String(64), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("worker", sa.String(64)),
    sa.Column("finished_at", TIMESTAMP),
    sa.Column("summary", JSON_TYPE),
)
"""The shards of a run with several workers: case-key ranges claimed with ``FOR UPDATE SKIP
LOCKED`` (``storage/coordination.py``)."""
