"""Writing and reading the hash chain of the ``events`` table (:mod:`maatwerk.core.audit_chain`).

Every part of the store appends events through :func:`insert_events`: it puts each row in the
chain of its creditor (the creditor of its debt, or of the first debt of a case event; else a
``creditor_id`` in its payload; else the chain ``""`` of events about the person), numbers it, links it to the hash of the event before
and moves the chain's recorded end (``event_chains``), all in the caller's transaction.

Two writers never fork a chain: the row of each chain in ``event_chains`` is locked (``SELECT
... FOR UPDATE`` on PostgreSQL; SQLite has one writer at a time, taken by the first ``INSERT``)
before its end is read, in chain order, so concurrent batches wait for each other per creditor.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from maatwerk.adapters.storage import schema as t
from maatwerk.adapters.storage.base import SqlBase, chunks, json_object
from maatwerk.adapters.storage.mapping import json_default
from maatwerk.core.audit_chain import GENESIS, ChainedEvent, ChainHead, event_hash


__all__ = ["SqlAuditChain", "chain_rows", "insert_events"]


def _creditors(conn: sa.Connection, debt_ids: Sequence[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for part in chunks(sorted(set(debt_ids))):
        found.update(
            (str(d), str(c))
            for d, c in conn.execute(
                sa.select(t.debts.c.debt_id, t.debts.c.creditor_id).where(
                    t.debts.c.debt_id.in_(part)
                )
            )
        )
    return found


def _debt_of(row: Mapping[str, Any]) -> str | None:
    """The debt that places ``row`` in a chain: its own, else the first of a case event's."""
    if row.get("debt_id"):
        return str(row["debt_id"])
    payload = row.get("payload")
    ids = payload.get("debt_ids") if isinstance(payload, Mapping) else None
    if isinstance(ids, (list, tuple)) and ids and isinstance(ids[0], str):
        return ids[0]
    return None


def _chain_of(row: Mapping[str, Any], creditors: Mapping[str, str]) -> str:
    debt_id = _debt_of(row)
    if debt_id is not None and debt_id in creditors:
        return creditors[debt_id]
    payload = row.get("payload") or {}
    creditor = payload.get("creditor_id") if isinstance(payload, Mapping) else None
    return creditor if isinstance(creditor, str) else ""


def _stored_payload(payload: Any) -> dict[str, Any]:
    """The payload as the JSON column gives it back (dates, amounts and enums as text)."""
    loaded = json.loads(json.dumps(payload, default=json_default))
    return dict(loaded)


def _lock_heads(conn: sa.Connection, chains: Sequence[str]) -> dict[str, tuple[int, str]]:
    """The recorded end of each chain, its row locked until the transaction ends."""
    heads = t.event_chains
    insert: Any = (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(heads)
    for chain in chains:
        conn.execute(
            insert.values(chain=chain, length=0, last_hash=GENESIS).on_conflict_do_nothing(
                index_elements=["chain"]
            )
        )
    found: dict[str, tuple[int, str]] = {}
    for part in chunks(list(chains)):
        query = (
            sa.select(heads.c.chain, heads.c.length, heads.c.last_hash)
            .where(heads.c.chain.in_(part))
            .order_by(heads.c.chain)
        )
        if conn.dialect.name == "postgresql":
            query = query.with_for_update()
        found.update((str(c), (int(n), str(h))) for c, n, h in conn.execute(query))
    return found


def chain_rows(conn: sa.Connection, rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """``rows`` with their chain fields, the chains' ends moved past them (same transaction)."""
    creditors = _creditors(conn, [d for d in map(_debt_of, rows) if d is not None])
    chain_of = [_chain_of(r, creditors) for r in rows]
    heads = _lock_heads(conn, sorted(set(chain_of)))
    out: list[dict[str, Any]] = []
    for row, chain in zip(rows, chain_of, strict=True):
        length, last = heads[chain]
        position = length + 1
        digest = event_hash(
            chain=chain,
            position=position,
            prev_hash=last,
            kind=row["kind"],
            debtor_id=row["debtor_id"],
            debt_id=row.get("debt_id"),
            occurred_on=row["occurred_on"],
            actor=row["actor"],
            idempotency_key=row.get("idempotency_key"),
            payload=_stored_payload(row["payload"]),
        )
        out.append(
            {**row, "chain": chain, "chain_position": position, "prev_hash": last, "hash": digest}
        )
        heads[chain] = (position, digest)
    by_key: sa.BindParameter[Any] = sa.bindparam("_chain")
    conn.execute(
        t.event_chains.update()
        .where(t.event_chains.c.chain == by_key)
        .values(length=sa.bindparam("length"), last_hash=sa.bindparam("last_hash")),
        [{"_chain": c, "length": n, "last_hash": h} for c, (n, h) in sorted(heads.items())],
    )
    return out


def insert_events(conn: sa.Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Append ``rows`` (``events`` rows without chain fields) to their chains, in this order."""
    if rows:
        conn.execute(t.events.insert(), chain_rows(conn, rows))


class SqlAuditChain(SqlBase):
    """What ``maatwerk audit verify`` reads (:class:`maatwerk.services.audit_chain.ChainSource`)."""

    def chain_heads(self) -> Sequence[ChainHead]:
        h = t.event_chains
        with self.engine.connect() as conn:
            return [
                ChainHead(str(c), int(n), str(x))
                for c, n, x in conn.execute(sa.select(h.c.chain, h.c.length, h.c.last_hash))
            ]

    def unchained_events(self) -> Sequence[int]:
        e = t.events
        with self.engine.connect() as conn:
            return [
                int(s)
                for s in conn.execute(
                    sa.select(e.c.sequence).where(e.c.chain.is_(None)).order_by(e.c.sequence)
                ).scalars()
            ]

    def chained_events(self) -> Iterator[ChainedEvent]:
        e = t.events
        query = (
            sa.select(e)
            .where(e.c.chain.is_not(None))
            .order_by(e.c.chain, e.c.chain_position, e.c.sequence)
            .execution_options(yield_per=2000)
        )
        with self.engine.connect() as conn:
            for r in conn.execute(query):
                yield ChainedEvent(
                    sequence=int(r.sequence),
                    chain=r.chain,
                    position=None if r.chain_position is None else int(r.chain_position),
                    prev_hash=r.prev_hash,
                    hash=r.hash,
                    kind=r.kind,
                    debtor_id=r.debtor_id,
                    debt_id=r.debt_id,
                    occurred_on=r.occurred_on,
                    actor=r.actor,
                    idempotency_key=r.idempotency_key,
                    payload=json_object(r.payload),
                )
