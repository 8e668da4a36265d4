"""A streamed import (:class:`maatwerk.core.ports.ImportSession`): one file in parts, one transaction.

The reader hands over a few thousand rows at a time; each part is written at once (new rows
inserted, changed rows updated with an audit record, as :meth:`SqlImports.apply_import` does),
so memory stays flat whatever the size of the file. All or nothing holds because every part goes
into ONE transaction that is committed only by :meth:`SqlImportSession.finish`.

What needs the whole file is kept by the database, not in Python: a temporary staging table
(``maatwerk_import_seen``) holds each key of the file with its line and row hash, so a key listed
again with other values is found however far apart the lines are; a reference to a debtor or
debt is checked against the tables themselves after the part is written (a debtor earlier in
the file is already in them, uncommitted). New rows go in with ``executemany`` of plain tuples
and, on PostgreSQL, with ``COPY`` (:func:`insert_values`).

A part arrives as records (:meth:`SqlImportSession.stage`) or already turned into table rows by
:func:`prepare_rows` (:meth:`SqlImportSession.stage_prepared`): that function is what a reader's
worker processes run beside the writing one (``maatwerk import --workers``), so the rows and
their hashes are made on another core and only plain tuples cross between the processes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Final

import attrs
import sqlalchemy as sa

from maatwerk.adapters.storage import schema as t
from maatwerk.adapters.storage.base import KEY_LIST, chunks, copy_rows, key_in, key_list
from maatwerk.core.records import (
    IMPORT_REFERENCES,
    ImportClash,
    ImportCounts,
    ImportKind,
    ImportRecord,
)


if TYPE_CHECKING:
    from maatwerk.adapters.storage.imports import SqlImports


__all__ = [
    "PreparedRows",
    "SqlImportSession",
    "insert_values",
    "open_import",
    "prepare_rows",
]

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
    sqlite_with_rowid=False,  # one B-tree (the key) instead of two on SQLite
)
_SEEN_COLUMNS: Final = ("entity", "ident", "line", "row_hash")
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
#: Entities whose rows stand for domain events (built from the record): their records travel
#: with their rows.
_WITH_RECORDS: Final = frozenset({"consent", "hold"})


@attrs.frozen
class EntityRows:
    """The rows of one entity in a part: column names, and per row its line, its values in that
    order and (for a consent or hold) its record."""

    columns: tuple[str, ...]
    lines: list[int] = attrs.Factory(list)
    values: list[tuple[Any, ...]] = attrs.Factory(list)
    records: list[ImportRecord] | None = None


@attrs.frozen
class PreparedRows:
    """One part of an import file in the form the tables take (:func:`prepare_rows`), by entity."""

    entities: dict[str, EntityRows]


def prepare_rows(rows: Sequence[tuple[int, Sequence[ImportRecord]]]) -> PreparedRows:
    """The (line, records) rows of a part as table rows with their hashes (a module-level
    function: a worker process runs it)."""
    from maatwerk.adapters.storage.imports import import_row  # noqa: PLC0415  (cycle)

    entities: dict[str, EntityRows] = {}
    for line, records in rows:
        for record in records:
            entity, row = import_row(record)
            found = entities.get(entity)
            if found is None:
                found = entities[entity] = EntityRows(
                    columns=tuple(row), records=[] if entity in _WITH_RECORDS else None
                )
            found.lines.append(line)
            found.values.append(tuple(row.values()))  # the builders list their keys in one order
            if found.records is not None:
                found.records.append(record)
    return PreparedRows(entities)


def _processed(
    conn: sa.Connection, table: sa.Table, columns: Sequence[str], values: list[tuple[Any, ...]]
) -> list[tuple[Any, ...]]:
    """``values`` with each column's bind processor applied (only the columns that have one)."""
    processors = [
        (index, processor)
        for index, name in enumerate(columns)
        if (processor := table.c[name].type.bind_processor(conn.dialect)) is not None
    ]
    if not processors:
        return values
    out: list[tuple[Any, ...]] = []
    for row in values:
        items = list(row)
        for index, processor in processors:
            value = items[index]
            if value is not None:
                items[index] = processor(value)
        out.append(tuple(items))
    return out


def insert_values(
    conn: sa.Connection, table: sa.Table, columns: Sequence[str], values: list[tuple[Any, ...]]
) -> None:
    """Insert rows given as tuples in ``columns`` order, in bulk on the connection's transaction:
    ``COPY … FROM STDIN`` on PostgreSQL (psycopg 3), else one ``executemany`` through the driver
    (on SQLite about three times cheaper per row than SQLAlchemy's per-row parameter handling,
    which a large import would pay)."""
    if not values:
        return
    rows = _processed(conn, table, columns, values)
    if conn.dialect.name == "postgresql":
        copy_rows(conn, table.name, columns, rows)
        return
    quote = conn.dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    if conn.dialect.paramstyle != "qmark":  # pragma: no cover - only SQLite uses qmark here
        conn.execute(table.insert(), [dict(zip(columns, row, strict=True)) for row in values])
        return
    sql = f"INSERT INTO {quote(table.name)} ({names}) VALUES ({', '.join('?' for _ in columns)})"
    conn.exec_driver_sql(sql, rows)


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
        return self.stage_prepared(prepare_rows(rows))

    def stage_prepared(self, prepared: PreparedRows) -> Sequence[ImportClash]:
        """Write one part made by :func:`prepare_rows`; the clashes found, by line."""
        conn = self._conn
        clashes: list[ImportClash] = []
        new_keys: list[tuple[Any, ...]] = []
        kept: dict[str, EntityRows] = {}
        for entity, part in prepared.entities.items():
            key = _KEYS[entity]
            at_key, at_hash = part.columns.index(key), part.columns.index("row_hash")
            seen = self._seen(entity, [row[at_key] for row in part.values])
            keep: list[int] = []
            for index, row in enumerate(part.values):
                ident, digest, line = row[at_key], row[at_hash], part.lines[index]
                earlier = seen.get(ident)
                if earlier is not None:
                    if earlier[1] != digest:
                        clashes.append(
                            ImportClash(
                                line=line,
                                entity=entity,
                                field=key,
                                ident=ident,
                                first_line=earlier[0],
                            )
                        )
                    continue
                seen[ident] = (line, digest)
                new_keys.append((entity, ident, line, digest))
                keep.append(index)
            kept[entity] = part if len(keep) == len(part.values) else _subset(part, keep)
        insert_values(conn, _SEEN, _SEEN_COLUMNS, new_keys)
        for entity in _ORDER:  # debtors first: a debt of this part may refer to one
            rows = kept.get(entity)
            if rows is None or not rows.values:
                continue
            unknown = self._unknown(entity, rows)
            clashes.extend(unknown)
            if unknown:  # the file is rejected: write the rest only to find their problems
                bad = {c.line for c in unknown}
                rows = _subset(rows, [i for i, line in enumerate(rows.lines) if line not in bad])
            if rows.values:
                self._counts += self._imports.upsert_values(
                    conn, entity, rows.columns, rows.values, rows.records, actor=self._by
                )
        return sorted(clashes, key=lambda c: (c.line, c.field))

    def _seen(self, entity: str, idents: list[str]) -> dict[str, tuple[int, str]]:
        """The keys of ``entity`` among ``idents`` seen earlier in the file: line and hash."""
        found: dict[str, tuple[int, str]] = {}
        for part in chunks(idents, KEY_LIST):
            query = sa.select(_SEEN.c.ident, _SEEN.c.line, _SEEN.c.row_hash).where(
                _SEEN.c.entity == entity, key_in(self._conn, _SEEN.c.ident)
            )
            for ident, line, digest in self._conn.execute(query, key_list(self._conn, part)):
                found[ident] = (line, digest)
        return found

    def _unknown(self, entity: str, part: EntityRows) -> list[ImportClash]:
        """References of these rows to a debtor or debt that is not in the tables."""
        clashes: list[ImportClash] = []
        for ref_entity, field in IMPORT_REFERENCES[entity]:
            at = part.columns.index(field)
            wanted = sorted({row[at] for row in part.values if row[at]})
            if not wanted:
                continue
            table, column = _TARGET[ref_entity]
            found: set[str] = set()
            for keys in chunks(wanted, KEY_LIST):
                query = sa.select(table.c[column]).where(key_in(self._conn, table.c[column]))
                found.update(self._conn.execute(query, key_list(self._conn, keys)).scalars())
            if len(found) < len(wanted):
                clashes.extend(
                    ImportClash(line=line, entity=ref_entity, field=field, ident=row[at])
                    for line, row in zip(part.lines, part.values, strict=True)
                    if row[at] and row[at] not in found
                )
        return clashes

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


def _subset(part: EntityRows, keep: Sequence[int]) -> EntityRows:
    return EntityRows(
        columns=part.columns,
        lines=[part.lines[i] for i in keep],
        values=[part.values[i] for i in keep],
        records=None if part.records is None else [part.records[i] for i in keep],
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
