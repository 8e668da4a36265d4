"""A streamed import (:class:`maatwerk.core.ports.ImportSession`): one file in parts, one transaction.

The reader hands over a few thousand rows at a time; each part is written at once (new rows
inserted, changed rows updated with an audit record, as :meth:`SqlImports.apply_import` does),
so memory stays flat whatever the size of the file. All or nothing holds because every part goes
into ONE transaction that is committed only by :meth:`SqlImportSession.finish`.

What needs the whole file is kept by the database, not in Python: a temporary staging table
(``maatwerk_import_seen``) holds each key of the file with its line and row hash, so a key listed
again with other values is found however far apart the lines are; a reference to a debtor or
debt is checked against the tables themselves after the part is written (a debtor earlier in
the file is already in them, uncommitted). New rows go in with ``executemany`` and, on
PostgreSQL, with ``COPY`` (:func:`copy_rows`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Final

import sqlalchemy as sa

from maatwerk.adapters.storage import schema as t
from maatwerk.adapters.storage.base import chunks
from maatwerk.core.records import ImportClash, ImportCounts, ImportKind, ImportRecord


if TYPE_CHECKING:
    from maatwerk.adapters.storage.imports import SqlImports


__all__ = ["SqlImportSession", "copy_rows", "insert_rows", "open_import"]

_STAGING: Final = sa.MetaData()
#: Keys seen in the file so far (a temporary table: private to the connection, gone after it).
_SEEN: Final = sa.Table(
    "maatwerk_import_seen",
    _STAGING,
    sa.Column("entity", sa.String(16), primary_key=True),
    sa.Column("ident", sa.String(200), primary_key=True),
    sa.Column("line", sa.Integer, nullable=False),
    sa.Column("row_hash", sa.String(64), nullable=False),
    prefixes=["TEMPORARY"],
)
_ORDER: Final = ("debtor", "debt", "payment", "mandate", "consent", "hold")
_KEYS: Final = {
    "debtor": "debtor_id",
    "debt": "debt_id",
    "payment": "payment_id",
    "mandate": "mandate_id",
    "consent": "consent_id",
    "hold": "hold_id",
}
_TARGET: Final = {"debtor": (t.debtors, "debtor_id"), "debt": (t.debts, "debt_id")}


def copy_rows(conn: sa.Connection, table: sa.Table, rows: Sequence[dict[str, Any]]) -> bool:
    """Insert ``rows`` with PostgreSQL's ``COPY … FROM STDIN`` (psycopg 3) on the connection's
    open transaction; ``False`` (nothing done) on another database, so the caller inserts them
    with ``executemany``."""
    if conn.dialect.name != "postgresql" or not rows:
        return False
    driver = conn.connection.driver_connection
    if driver is None or not hasattr(driver, "cursor"):  # pragma: no cover - another driver
        return False
    columns = list(rows[0])
    types = [table.c[name].type for name in columns]
    processors = [ty.bind_processor(conn.dialect) for ty in types]
    names = ", ".join(conn.dialect.identifier_preparer.quote(name) for name in columns)
    with driver.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
        for row in rows:
            values = [row[name] for name in columns]
            copy.write_row(
                [
                    v if p is None or v is None else p(v)
                    for v, p in zip(values, processors, strict=True)
                ]
            )
    return True


def insert_rows(conn: sa.Connection, table: sa.Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) in bulk: ``COPY`` on PostgreSQL, else one
    ``executemany`` of plain tuples through the driver (on SQLite about three times cheaper per
    row than SQLAlchemy's per-row parameter processing, which a large import would pay)."""
    if not rows or copy_rows(conn, table, rows):
        return
    if conn.dialect.paramstyle != "qmark":  # pragma: no cover - only SQLite uses qmark here
        conn.execute(table.insert(), list(rows))
        return
    columns = list(rows[0])
    processors = [table.c[name].type.bind_processor(conn.dialect) for name in columns]
    quote = conn.dialect.identifier_preparer.quote
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join('?' for _ in columns)})"
    )
    conn.exec_driver_sql(
        sql,
        [
            tuple(
                v if p is None or v is None else p(v)
                for v, p in zip([row[c] for c in columns], processors, strict=True)
            )
            for row in rows
        ],
    )


class SqlImportSession:
    """The open import of one file; see the module docstring."""

    def __init__(
        self, imports: SqlImports, conn: sa.Connection, kind: ImportKind, file_name: str, by: str
    ) -> None:
        self._imports = imports
        self._conn = conn
        self._kind = kind
        self._file_name = file_name
        self._by = by
        self._counts = ImportCounts()
        self.finished = False

    def stage(self, rows: Sequence[tuple[int, Sequence[ImportRecord]]]) -> Sequence[ImportClash]:
        from maatwerk.adapters.storage.imports import import_row  # noqa: PLC0415  (cycle)

        conn = self._conn
        items: list[tuple[int, str, str, dict[str, Any], ImportRecord]] = []
        for line, records in rows:
            for record in records:
                entity, row = import_row(record)
                items.append((line, entity, row[_KEYS[entity]], row, record))
        seen = self._seen({(entity, ident) for _line, entity, ident, _row, _rec in items})
        clashes: list[ImportClash] = []
        new_keys: list[dict[str, Any]] = []
        groups: dict[str, tuple[list[dict[str, Any]], list[ImportRecord], list[int]]] = {}
        for line, entity, ident, row, record in items:
            earlier = seen.get((entity, ident))
            if earlier is not None:
                if earlier[1] != row["row_hash"]:
                    clashes.append(
                        ImportClash(
                            line=line,
                            entity=entity,
                            field=_KEYS[entity],
                            ident=ident,
                            first_line=earlier[0],
                        )
                    )
                continue
            seen[(entity, ident)] = (line, row["row_hash"])
            new_keys.append(
                {"entity": entity, "ident": ident, "line": line, "row_hash": row["row_hash"]}
            )
            rows_of, records_of, lines_of = groups.setdefault(entity, ([], [], []))
            rows_of.append(row)
            records_of.append(record)
            lines_of.append(line)
        insert_rows(conn, _SEEN, new_keys)
        for entity in _ORDER:  # debtors first: a debt of this part may refer to one
            if entity not in groups:
                continue
            rows_of, records_of, lines_of = groups[entity]
            unknown = self._unknown(records_of, lines_of)
            clashes.extend(unknown)
            if unknown:  # the file is rejected: write the rest only to find their problems
                bad = {c.line for c in unknown}
                kept = [i for i, line in enumerate(lines_of) if line not in bad]
                rows_of = [rows_of[i] for i in kept]
                records_of = [records_of[i] for i in kept]
            if rows_of:
                self._counts += self._imports.upsert_rows(
                    conn, entity, rows_of, records_of, actor=self._by
                )
        return sorted(clashes, key=lambda c: (c.line, c.field))

    def _seen(self, keys: set[tuple[str, str]]) -> dict[tuple[str, str], tuple[int, str]]:
        found: dict[tuple[str, str], tuple[int, str]] = {}
        by_entity: dict[str, list[str]] = {}
        for entity, ident in keys:
            by_entity.setdefault(entity, []).append(ident)
        for entity, idents in by_entity.items():
            for part in chunks(sorted(idents)):
                query = sa.select(_SEEN.c.ident, _SEEN.c.line, _SEEN.c.row_hash).where(
                    _SEEN.c.entity == entity, _SEEN.c.ident.in_(part)
                )
                for ident, line, digest in self._conn.execute(query):
                    found[(entity, ident)] = (line, digest)
        return found

    def _unknown(self, records: Sequence[ImportRecord], lines: Sequence[int]) -> list[ImportClash]:
        """References of these rows to a debtor or debt that is not in the tables."""
        from maatwerk.services.importing import references  # noqa: PLC0415  (services > adapters)

        wanted: list[tuple[int, str, str, str]] = []
        for record, line in zip(records, lines, strict=True):
            for ref_entity, field, ident in references(record):
                wanted.append((line, ref_entity, field, ident))
        known: dict[str, set[str]] = {}
        for ref_entity in {w[1] for w in wanted}:
            table, column = _TARGET[ref_entity]
            ids = sorted({w[3] for w in wanted if w[1] == ref_entity})
            found: set[str] = set()
            for part in chunks(ids):
                found.update(
                    self._conn.execute(
                        sa.select(table.c[column]).where(table.c[column].in_(part))
                    ).scalars()
                )
            known[ref_entity] = found
        return [
            ImportClash(line=line, entity=ref_entity, field=field, ident=ident)
            for line, ref_entity, field, ident in wanted
            if ident not in known[ref_entity]
        ]

    def finish(self, *, file_sha256: str) -> ImportCounts:
        counts = self._counts
        total = counts.inserted + counts.updated + counts.unchanged
        self._conn.execute(
            t.import_audit.insert().values(
                kind=self._kind.value,
                file_name=self._file_name,
                file_sha256=file_sha256,
                rows=total,
                inserted=counts.inserted,
                updated=counts.updated,
                unchanged=counts.unchanged,
            )
        )
        _SEEN.drop(self._conn)
        self.finished = True
        return ImportCounts(
            rows=total,
            inserted=counts.inserted,
            updated=counts.updated,
            unchanged=counts.unchanged,
            events=counts.events,
        )


@contextmanager
def open_import(
    imports: SqlImports, kind: ImportKind, *, file_name: str, recorded_by: str
) -> Iterator[SqlImportSession]:
    """A session in one transaction: committed when finished, rolled back otherwise."""
    with imports.engine.connect() as conn:
        try:
            with conn.begin() as transaction:
                _SEEN.drop(conn, checkfirst=True)
                _SEEN.create(conn)
                session = SqlImportSession(imports, conn, kind, file_name, recorded_by)
                yield session
                if not session.finished:
                    transaction.rollback()
        finally:
            if conn.dialect.name == "sqlite":  # a temporary table outlives a rollback there
                _SEEN.drop(conn, checkfirst=True)
                conn.commit()
