"""Imports (:class:`maatwerk.core.ports.ImportStore`) and the keyed events of a bank-returns file.

An import file is written all at once: new rows inserted, changed rows (another ``row_hash``)
updated with an audit record naming the changed fields, unchanged rows left alone; a consent or
hold stands for domain events with idempotent keys. Every file leaves an ``import_audit`` row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, Final

import sqlalchemy as sa

from maatwerk.adapters.storage import schema as t
from maatwerk.adapters.storage.base import KEY_LIST, SqlBase, chunks, key_in, key_list
from maatwerk.adapters.storage.event_log import (
    append_keyed,
    event_known,
    event_row,
    insert_events,
)
from maatwerk.adapters.storage.mapping import (
    consent_row,
    debt_row,
    debtor_row,
    hold_row,
    mandate_row,
    payment_row,
)
from maatwerk.adapters.storage.staged_import import (
    PreparedRows,
    SqlImportSession,
    insert_values,
    open_import,
    prepare_rows,
)
from maatwerk.core.debtors import Debtor
from maatwerk.core.debts import Debt, Payment
from maatwerk.core.events import (
    ConsentGiven,
    ConsentRevoked,
    Event,
    HoldEnded,
    HoldPlaced,
    HoldScope,
    event_from_record,
)
from maatwerk.core.records import (
    ConsentRecord,
    HoldRecord,
    ImportBatch,
    ImportCounts,
    ImportKind,
    Mandate,
)


__all__ = ["AUDIT_RECORD_UPDATED", "SqlImports", "import_row"]

#: Kind of the audit record written when an import changes a stored row.
AUDIT_RECORD_UPDATED: Final = "audit.record-updated"


class SqlImports(SqlBase):
    """:class:`maatwerk.core.ports.ImportStore`, and the keyed append of
    :class:`maatwerk.core.ports.ReturnsLedger`."""

    def existing_ids(self, entity: str, ids: Iterable[str]) -> frozenset[str]:
        table, column = _ENTITY[entity]
        col = table.c[column]
        wanted = sorted(set(ids))
        found: set[str] = set()
        with self.engine.connect() as conn:
            for part in chunks(wanted, KEY_LIST):
                query = sa.select(col).where(key_in(conn, col))
                found.update(conn.execute(query, key_list(conn, part)).scalars())
        return frozenset(found)

    def open_import(
        self, kind: ImportKind, *, file_name: str, recorded_by: str
    ) -> AbstractContextManager[SqlImportSession]:
        """:meth:`maatwerk.core.ports.StreamingImportStore.open_import`: one file in parts, in
        one transaction (:mod:`maatwerk.adapters.storage.staged_import`)."""
        return open_import(self, kind, file_name=file_name, recorded_by=recorded_by)

    def row_preparer(self) -> Callable[[Sequence[tuple[int, Sequence[Any]]]], PreparedRows]:
        """:meth:`maatwerk.core.ports.StreamingImportStore.row_preparer`."""
        return prepare_rows

    def apply_import(self, batch: ImportBatch) -> ImportCounts:
        prepared = prepare_rows([(0, batch.records)]).entities
        counts = ImportCounts()
        with self.engine.begin() as conn:
            for entity in ("debtor", "debt", "payment", "mandate", "consent", "hold"):
                part = prepared.get(entity)
                if part is not None:
                    counts += self.upsert_values(
                        conn,
                        entity,
                        part.columns,
                        part.values,
                        part.records,
                        actor=batch.recorded_by,
                        recorded_on=batch.recorded_on,
                    )
            conn.execute(
                t.import_audit.insert().values(
                    kind=batch.kind.value,
                    file_name=batch.file_name,
                    file_sha256=batch.file_sha256,
                    rows=counts.inserted + counts.updated + counts.unchanged,
                    inserted=counts.inserted,
                    updated=counts.updated,
                    unchanged=counts.unchanged,
                )
            )
        return ImportCounts(
            rows=counts.inserted + counts.updated + counts.unchanged,
            inserted=counts.inserted,
            updated=counts.updated,
            unchanged=counts.unchanged,
            events=counts.events,
        )

    def upsert_values(
        self,
        conn: sa.Connection,
        entity: str,
        columns: tuple[str, ...],
        values: Sequence[tuple[Any, ...]],
        records: Sequence[Any] | None,
        *,
        actor: str,
        recorded_on: dt.date | None = None,
    ) -> ImportCounts:
        """Insert the new rows of one entity, update the changed ones (audit records), in
        ``conn``'s transaction; rows of one key: the last wins. ``values`` are in ``columns``
        order; ``records`` (the same order) are needed only for a consent or hold, whose
        events are built from them (:func:`~.staged_import.prepare_rows` keeps them for those)."""
        table, key = _ENTITY[entity]
        at_key, at_hash = columns.index(key), columns.index("row_hash")
        # One file may list a key twice (a portfolio repeats its debtor per debt): last wins.
        latest: dict[str, int] = {}
        for index, values_of in enumerate(values):
            latest[values_of[at_key]] = index
        keys = list(latest)
        stored_hashes: dict[str, str] = {}
        for part in chunks(keys, KEY_LIST):
            query = sa.select(table.c[key], table.c.row_hash).where(key_in(conn, table.c[key]))
            rows = conn.execute(query, key_list(conn, part)).all()
            stored_hashes.update(dict(rows))  # the rows, not the result: that has keys()
        inserts: list[tuple[Any, ...]] = []
        changed: list[int] = []
        domain: list[dict[str, Any]] = []
        sources = records if entity in ("consent", "hold") else None  # they stand for events
        for ident, index in latest.items():
            old_hash = stored_hashes.get(ident)
            if old_hash is None:
                inserts.append(values[index])
                if sources is not None:
                    domain.extend(_import_events(entity, sources[index], None))
            elif old_hash != values[index][at_hash]:
                changed.append(index)
        updates: list[dict[str, Any]] = []
        audit: list[dict[str, Any]] = []
        if changed:
            stored: dict[str, Mapping[Any, Any]] = {}
            wanted = [values[i][at_key] for i in changed]
            for part in chunks(wanted, KEY_LIST):
                query = sa.select(table).where(key_in(conn, table.c[key]))
                for found in conn.execute(query, key_list(conn, part)).mappings():
                    stored[found[key]] = found
            for index in changed:
                row = dict(zip(columns, values[index], strict=True))
                ident = row[key]
                old = stored[ident]
                fields = sorted(
                    name for name in row if name != "row_hash" and _differs(old[name], row[name])
                )
                updates.append(row)
                if sources is not None:
                    domain.extend(_import_events(entity, sources[index], old))
                audit.append(
                    {
                        "kind": AUDIT_RECORD_UPDATED,
                        "debtor_id": row.get("debtor_id", ident),
                        "debt_id": row.get("debt_id") if entity != "debtor" else None,
                        "occurred_on": _audit_day(row, recorded_on),
                        "actor": actor,
                        "idempotency_key": None,
                        "payload": {"entity": entity, "key": ident, "fields": fields},
                    }
                )
        insert_values(conn, table, columns, inserts)
        if updates:
            by_key: sa.BindParameter[Any] = sa.bindparam("_key")
            bound: dict[str, sa.BindParameter[Any]] = {
                name: sa.bindparam(name) for name in columns if name != key
            }
            conn.execute(
                table.update().where(table.c[key] == by_key).values(bound),
                [{**u, "_key": u[key]} for u in updates],
            )
        new_domain = [r for r in domain if not event_known(conn, r)]
        rows_to_insert = audit + new_domain
        if rows_to_insert:
            insert_events(conn, rows_to_insert)
        return ImportCounts(
            rows=0,
            inserted=len(inserts),
            updated=len(updates),
            unchanged=len(latest) - len(inserts) - len(updates),
            events=tuple(event_from_record(r["payload"]) for r in new_domain),
        )

    def record_keyed_events(
        self,
        events: Sequence[tuple[str, Event]],
        *,
        kind: str,
        file_name: str,
        file_sha256: str,
    ) -> tuple[tuple[str, Event], ...] | None:
        audit = t.import_audit
        with self.engine.begin() as conn:
            seen = conn.execute(
                sa.select(audit.c.id)
                .where(audit.c.kind == kind)
                .where(audit.c.file_sha256 == file_sha256)
            ).first()
            if seen is not None:
                return None
            new = append_keyed(conn, events)
            conn.execute(
                audit.insert().values(
                    kind=kind,
                    file_name=file_name[-500:],
                    file_sha256=file_sha256,
                    rows=len(events),
                    inserted=len(new),
                    updated=0,
                    unchanged=len(events) - len(new),
                )
            )
        return tuple(new)


_ENTITY: Final[dict[str, tuple[sa.Table, str]]] = {
    "debtor": (t.debtors, "debtor_id"),
    "debt": (t.debts, "debt_id"),
    "payment": (t.payments, "payment_id"),
    "mandate": (t.mandates, "mandate_id"),
    "consent": (t.consents, "consent_id"),
    "hold": (t.holds, "hold_id"),
}


def _differs(old: Any, new: Any) -> bool:
    if isinstance(old, bool) or isinstance(new, bool):
        return bool(old) != bool(new)
    return bool(old != new)


def _audit_day(row: Mapping[str, Any], recorded_on: dt.date | None = None) -> dt.date:
    for name in ("due_date", "received_on", "signed_on", "given_on", "starts_on"):
        value = row.get(name)
        if isinstance(value, dt.date):
            return value
    return recorded_on or dt.date(1970, 1, 1)


def import_row(record: Any) -> tuple[str, dict[str, Any]]:
    if isinstance(record, Debtor):
        return "debtor", debtor_row(record)
    if isinstance(record, Debt):
        return "debt", debt_row(record)
    if isinstance(record, Payment):
        return "payment", payment_row(record)
    if isinstance(record, Mandate):
        return "mandate", mandate_row(record)
    if isinstance(record, ConsentRecord):
        return "consent", consent_row(record)
    if isinstance(record, HoldRecord):
        return "hold", hold_row(record)
    raise TypeError(f"cannot import a {type(record).__name__}")


def _import_events(entity: str, record: Any, old: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """Domain events an imported consent or hold stands for (idempotent keys)."""
    rows: list[dict[str, Any]] = []
    if isinstance(record, ConsentRecord):
        key = f"import:consent:{record.consent_id}"
        changes = (
            (ConsentGiven, record.given_on, "given"),
            (ConsentRevoked, record.revoked_on, "revoked"),
        )
        for change, day, suffix in changes:
            if day is not None:
                event = change(
                    occurred_on=day,
                    debtor_id=record.debtor_id,
                    scope=record.scope,
                    recorded_by="import",
                )
                rows.append(event_row(event, f"{key}:{suffix}"))
    elif isinstance(record, HoldRecord):
        key = f"import:hold:{record.hold_id}"
        placed = old is None
        rows.append(
            event_row(
                HoldPlaced(
                    occurred_on=record.starts_on,
                    debtor_id=record.debtor_id,
                    debt_id=record.debt_id,
                    hold_id=record.hold_id,
                    scope=HoldScope.DEBT if record.debt_id else HoldScope.CASE,
                    reason=record.reason,
                    start=record.starts_on,
                    end=record.ends_on,
                    recorded_by="import",
                ),
                f"{key}:placed",
            )
        )
        if not placed and record.ends_on is not None and old is not None:
            previous = old["ends_on"]
            if previous is None or record.ends_on < previous:
                rows.append(
                    event_row(
                        HoldEnded(
                            occurred_on=record.ends_on + dt.timedelta(days=1),
                            debtor_id=record.debtor_id,
                            debt_id=record.debt_id,
                            hold_id=record.hold_id,
                            recorded_by="import",
                        ),
                        f"{key}:ended:{record.ends_on.isoformat()}",
                    )
                )
    del entity
    return rows
