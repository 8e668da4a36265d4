"""Migrations and the SQL store on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import attrs
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from maatwerk.adapters.storage import SqlStore, migrate
from maatwerk.adapters.storage.engine import make_engine, normalise_url
from maatwerk.adapters.storage.mapping import debtor_row
from maatwerk.adapters.storage.schema import metadata
from maatwerk.core.debtors import Address, Debtor, HouseholdType, Housing
from maatwerk.core.debts import Debt
from maatwerk.core.errors import InputError
from maatwerk.core.events import ContactAttempt, ContactChannel, ContactOutcome
from maatwerk.core.money import eur
from maatwerk.core.records import (
    CaseKey,
    CaseOutcome,
    DecisionRecord,
    ImportBatch,
    ImportKind,
    ImportRecord,
)


def _schema_differences(conn: sa.Connection, target: sa.MetaData) -> list[object]:
    """Every way the database's schema differs from ``target``.

    Alembic's comparison (tables, columns, types with their lengths, nullability, server
    defaults, indexes, unique constraints, foreign keys), plus the primary keys, which it does
    not compare.
    """
    context = MigrationContext.configure(
        conn, opts={"compare_type": True, "compare_server_default": True}
    )
    found: list[object] = list(compare_metadata(context, target))
    inspector = sa.inspect(conn)
    for table in target.sorted_tables:
        if inspector.has_table(table.name):
            reflected = inspector.get_pk_constraint(table.name)["constrained_columns"]
            declared = [column.name for column in table.primary_key.columns]
            if list(reflected) != declared:
                found.append(("primary key", table.name, reflected, declared))
    return found


def _changed(change: Callable[[sa.MetaData], object]) -> sa.MetaData:
    copy = sa.MetaData(naming_convention=metadata.naming_convention)
    for table in metadata.sorted_tables:
        table.to_metadata(copy)
    change(copy)
    return copy


def _set_server_default(column: sa.Column[object], value: str | None) -> None:
    column.server_default = None
    if value is not None:
        sa.DefaultClause(value)._set_parent(column)  # sets ``column.server_default``


def _narrow_primary_key(table: sa.Table) -> None:
    """The key of ``table`` without its last column."""
    *kept, dropped = table.primary_key.columns
    dropped.primary_key = False
    table.append_constraint(sa.PrimaryKeyConstraint(*kept))


#: One change per kind of difference the comparison must see (see ``_schema_differences``).
_CHANGES: dict[str, Callable[[sa.MetaData], object]] = {
    "table": lambda m: sa.Table("extra", m, sa.Column("id", sa.Integer, primary_key=True)),
    "column": lambda m: m.tables["runs"].append_column(sa.Column("note", sa.String(10))),
    "type": lambda m: setattr(m.tables["debts"].c.reference, "type", sa.String(141)),
    "type family": lambda m: setattr(m.tables["debts"].c.due_date, "type", sa.DateTime()),
    "nullable": lambda m: setattr(m.tables["debtors"].c.iban, "nullable", False),
    "not null": lambda m: setattr(m.tables["debtors"].c.name, "nullable", True),
    "server default": lambda m: _set_server_default(m.tables["outbox"].c.attempts, "1"),
    "no server default": lambda m: _set_server_default(m.tables["events"].c.recorded_at, None),
    "index": lambda m: sa.Index("ix_debts_status", m.tables["debts"].c.status),
    "unique": lambda m: m.tables["debts"].append_constraint(
        sa.UniqueConstraint("reference", name="uq_debts_reference")
    ),
    "foreign key": lambda m: m.tables["case_state"].append_constraint(
        sa.ForeignKeyConstraint(["debtor_id"], ["debtors.debtor_id"])
    ),
    "primary key": lambda m: _narrow_primary_key(m.tables["case_state"]),
}


class TestMigrations:
    """The shipped migrations build exactly the schema the adapter queries, both ways."""

    def test_upgrade_from_empty_downgrade_one_step_and_upgrade_again(self, db_url: str) -> None:
        engine = make_engine(db_url)
        try:
            assert migrate.current_revision(engine) is None
            head = migrate.head_revision()
            assert migrate.upgrade(engine) == head
            tables = set(sa.inspect(engine).get_table_names())
            assert {"debtors", "debts", "events", "outbox", "reviews"} <= tables
            tables = set(sa.inspect(engine).get_table_names())
            assert {"run_locks", "run_shards"} <= tables
            assert migrate.downgrade(engine, "0005") == "0005"
            assert not {"run_locks", "run_shards"} & set(sa.inspect(engine).get_table_names())
            previous = migrate.downgrade(engine)
            assert previous == "0004"
            assert previous != head
            columns = {c["name"] for c in sa.inspect(engine).get_columns("debtors")}
            assert not set(_ADDRESS) & columns
            assert {"housing", "owner_increase_cents"} <= columns
            assert migrate.downgrade(engine) == "0003"
            columns = {c["name"] for c in sa.inspect(engine).get_columns("debtors")}
            assert not {"housing", "owner_increase_cents"} & columns
            assert migrate.downgrade(engine) == "0002"
            assert "case_state" not in set(sa.inspect(engine).get_table_names())
            assert "outbox" in set(sa.inspect(engine).get_table_names())
            assert migrate.downgrade(engine) == "0001"
            assert "outbox" not in set(sa.inspect(engine).get_table_names())
            assert "debtors" in set(sa.inspect(engine).get_table_names())
            assert migrate.upgrade(engine) == head
        finally:
            engine.dispose()

    def test_migrated_schema_matches_the_table_definitions(self, migrated_db_url: str) -> None:
        engine = make_engine(migrated_db_url)
        try:
            with engine.connect() as conn:
                assert _schema_differences(conn, metadata) == []
        finally:
            engine.dispose()

    def test_the_comparison_sees_every_kind_of_difference(self, migrated_db_url: str) -> None:
        """What keeps ``schema.py`` and the migrations one: a change to either alone fails."""
        engine = make_engine(migrated_db_url)
        try:
            with engine.connect() as conn:
                assert _schema_differences(conn, _changed(lambda _m: None)) == []
                unseen = [
                    name
                    for name, change in _CHANGES.items()
                    if not _schema_differences(conn, _changed(change))
                ]
        finally:
            engine.dispose()
        assert unseen == []

    def test_upgrade_twice_is_a_no_op(self, migrated_db_url: str) -> None:
        engine = make_engine(migrated_db_url)
        try:
            assert migrate.upgrade(engine) == migrate.head_revision()
        finally:
            engine.dispose()


class TestDebtorHousingMigration:
    """0004 adds the Rv 475da lid 7 housing columns to a database that already holds debtors."""

    def test_a_debtor_stored_before_0004_keeps_its_data_and_its_row_hash(self, db_url: str) -> None:
        engine = make_engine(db_url)
        try:
            assert migrate.upgrade(engine, "0003") == "0003"
        finally:
            engine.dispose()
        before = SqlStore.from_url(db_url)
        try:
            # what a 0003 store wrote: the columns it knew (no housing columns)
            row = {k: v for k, v in debtor_row(_debtor(1)).items() if k not in (*_LID7, *_ADDRESS)}
            with before.engine.begin() as conn:
                conn.execute(sa.table("debtors", *(sa.column(k) for k in row)).insert(), [row])
        finally:
            before.close()
        engine = make_engine(db_url)
        try:
            assert migrate.upgrade(engine) == migrate.head_revision()
        finally:
            engine.dispose()
        store = SqlStore.from_url(db_url)
        try:
            # the same debtor imported again is unchanged (its hash did not move)
            counts = store.apply_import(
                ImportBatch(
                    kind=ImportKind.DEBTORS, file_name="x", file_sha256="0", records=(_debtor(1),)
                )
            )
            assert (counts.unchanged, counts.updated) == (1, 0)
            # and an owner-occupier with a person-set increase round-trips
            owner = attrs.evolve(_debtor(1), housing=Housing.OWN, owner_increase=eur("150.00"))
            store.apply_import(
                ImportBatch(
                    kind=ImportKind.PORTFOLIO,
                    file_name="y",
                    file_sha256="1",
                    records=(owner, _debt(1, 1)),
                    recorded_by="anna",
                )
            )
            (case,) = store.load_cases(store.cases_of_debtor("D001"))
            assert case.debtor.housing is Housing.OWN
            assert case.debtor.owner_increase == eur("150.00")
            audit = [h for h in store.history("D001") if h.kind == "audit.record-updated"]
            assert audit[-1].payload["fields"] == ["housing", "owner_increase_cents"]
        finally:
            store.close()


class TestDebtorAddressMigration:
    """0005 adds the postal address columns to a database that already holds debtors."""

    def test_a_debtor_stored_before_0005_keeps_its_row_hash_and_gets_an_address(
        self, db_url: str
    ) -> None:
        engine = make_engine(db_url)
        try:
            assert migrate.upgrade(engine, "0004") == "0004"
        finally:
            engine.dispose()
        before = SqlStore.from_url(db_url)
        try:
            # what a 0004 store wrote: no address columns
            row = {k: v for k, v in debtor_row(_debtor(1)).items() if k not in _ADDRESS}
            with before.engine.begin() as conn:
                conn.execute(sa.table("debtors", *(sa.column(k) for k in row)).insert(), [row])
        finally:
            before.close()
        engine = make_engine(db_url)
        try:
            assert migrate.upgrade(engine) == migrate.head_revision()
        finally:
            engine.dispose()
        store = SqlStore.from_url(db_url)
        try:
            counts = store.apply_import(
                ImportBatch(
                    kind=ImportKind.DEBTORS, file_name="x", file_sha256="0", records=(_debtor(1),)
                )
            )
            assert (counts.unchanged, counts.updated) == (1, 0)
            home = Address(
                street="Kerkstraat",
                house_number="12-2",
                postcode="1234ab",
                city="Utrecht",
                extra="t.a.v. bewindvoerder",
            )
            store.apply_import(
                ImportBatch(
                    kind=ImportKind.PORTFOLIO,
                    file_name="y",
                    file_sha256="1",
                    records=(attrs.evolve(_debtor(1), address=home), _debt(1, 1)),
                    recorded_by="anna",
                )
            )
            (case,) = store.load_cases(store.cases_of_debtor("D001"))
            assert case.debtor.address == home
            assert case.debtor.address is not None
            assert case.debtor.address.postcode == "1234 AB"
            audit = [h for h in store.history("D001") if h.kind == "audit.record-updated"]
            assert audit[-1].payload["fields"] == sorted(_ADDRESS)
        finally:
            store.close()
        engine = make_engine(db_url)
        try:
            assert migrate.downgrade(engine, "0004") == "0004"
            columns = {c["name"] for c in sa.inspect(engine).get_columns("debtors")}
            assert not set(_ADDRESS) & columns
            assert migrate.upgrade(engine) == migrate.head_revision()
        finally:
            engine.dispose()


class TestEngine:
    """URLs are checked and SQLite runs with foreign keys and WAL."""

    def test_postgres_urls_use_psycopg3(self) -> None:
        assert normalise_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
        assert normalise_url("postgres://u@h/db").drivername == "postgresql+psycopg"

    def test_unknown_backend_is_an_input_error(self) -> None:
        with pytest.raises(InputError, match="unsupported database"):
            normalise_url("mysql://u@h/db")

    def test_sqlite_enforces_foreign_keys_and_uses_wal(self, tmp_path: object) -> None:
        engine = make_engine(f"sqlite:///{tmp_path}/x.db")
        try:
            with engine.connect() as conn:
                assert conn.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
                assert conn.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        finally:
            engine.dispose()


_LID7 = ("housing", "owner_increase_cents")
_ADDRESS = (
    "address_street",
    "address_house_number",
    "address_postcode",
    "address_city",
    "address_extra",
    "address_country",
)


def _debtor(n: int) -> Debtor:
    return Debtor(debtor_id=f"D{n:03}", name=f"Person {n}", household=HouseholdType.SINGLE)


def _debt(n: int, debtor: int, creditor: str = "C1") -> Debt:
    return Debt(
        debt_id=f"X{n:03}",
        debtor_id=f"D{debtor:03}",
        creditor_id=creditor,
        principal=eur("123.45"),
        due_date=dt.date(2026, 1, n % 28 + 1),
    )


def _portfolio(store: SqlStore, *, debtors: int, debts: int, at_c2_from: int) -> None:
    """``debtors`` debtors and ``debts`` debts (debt ``i`` of debtor ``i % debtors``, owed to
    C1 below ``at_c2_from`` and to C2 from there), as one portfolio import."""
    records: tuple[ImportRecord, ...] = (
        *(_debtor(i) for i in range(debtors)),
        *(_debt(i, i % debtors, "C1" if i < at_c2_from else "C2") for i in range(debts)),
    )
    store.apply_import(
        ImportBatch(kind=ImportKind.PORTFOLIO, file_name="x", file_sha256="0", records=records)
    )


class TestSqlStore:
    """Cases stream in key order with exact amounts; events are append-only with idempotency."""

    def test_cases_round_trip_in_batches(self, migrated_db_url: str) -> None:
        store = SqlStore.from_url(migrated_db_url)
        try:
            _portfolio(store, debtors=5, debts=10, at_c2_from=7)
            keys: list[CaseKey] = []
            after = None
            while batch := store.case_keys(after=after, limit=3):
                keys.extend(batch)
                after = batch[-1]
            assert keys == sorted(keys)
            assert len(keys) == len(set(keys)) == 8
            cases = store.load_cases(keys)
            assert [c.key for c in cases] == keys
            assert sum(len(c.case.debts) for c in cases) == 10
            assert all(d.principal == eur("123.45") for c in cases for d in c.case.debts)
        finally:
            store.close()

    def test_pending_keys_page_past_the_cases_decided_today(self, migrated_db_url: str) -> None:
        """The run's pages of undecided cases: key order, nothing skipped or repeated, the
        day's decisions left out (a debtor's two creditors on either side of a page break)."""
        store = SqlStore.from_url(migrated_db_url)
        try:
            _portfolio(store, debtors=6, debts=12, at_c2_from=6)
            day = dt.date(2026, 3, 2)
            every = list(store.case_keys(after=None, limit=100))
            decided = [every[1], every[4], every[5], every[10]]
            before = day - dt.timedelta(days=1)
            for on, keys in ((day, decided), (before, every[:1])):  # the day before: not today's
                store.record_outcomes(
                    on,
                    [
                        CaseOutcome(
                            decision=DecisionRecord(
                                run_date=on, case=key, policy="humane", outcome="none"
                            )
                        )
                        for key in keys
                    ],
                )
            pages: list[list[CaseKey]] = []
            after = None
            while page := list(store.pending_keys(day, after=after, limit=3)):
                pages.append(page)
                after = page[-1]
            assert [k for p in pages for k in p] == [k for k in every if k not in decided]
            assert [len(p) for p in pages] == [3, 3, 2]
            assert store.pending_keys(day, after=every[-1], limit=3) == []
        finally:
            store.close()

    def test_append_with_the_same_idempotency_key_appends_once(self, migrated_db_url: str) -> None:
        store = SqlStore.from_url(migrated_db_url)
        try:
            store.apply_import(
                ImportBatch(
                    kind=ImportKind.DEBTORS, file_name="x", file_sha256="0", records=(_debtor(1),)
                )
            )
            event = ContactAttempt(
                occurred_on=dt.date(2026, 2, 1),
                debtor_id="D001",
                channel=ContactChannel.PHONE,
                outcome=ContactOutcome.CANT_PAY,
                recorded_by="anna",
            )
            assert store.append([event], idempotency_key="k1") == 1
            assert store.append([event], idempotency_key="k1") == 0
            history = store.history("D001")
            assert [h.event for h in history] == [event]
        finally:
            store.close()
