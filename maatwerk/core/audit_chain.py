"""The hash chain over the event log: one chain per creditor, each event the hash of the one before.

Every row of the event log belongs to one chain (the creditor of its debt; ``""`` for events about
the person that no single creditor owns, such as a new address). Within a chain the events are
numbered 1, 2, 3, ... and each carries ``prev_hash`` (the hash of the event before it; 64 zeros
for the first) and ``hash``: SHA-256 over a canonical serialisation of the event's content, its
chain, its position and ``prev_hash``. The store keeps the length and last hash of every chain
(the *head*), so removing the last events is seen too.

:func:`verify_chains` walks the chains and names, for every break, the first event that was
changed, removed or inserted. It names events by their sequence number and chain position only,
never by what they hold (no personal data in its output).

The hashing is hand-written on :mod:`hashlib` and :mod:`json` (stdlib): the core imports no
third-party library but attrs, and a canonical JSON of a flat record needs no more than
``sort_keys`` and a fixed number format.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
from collections.abc import Iterable, Mapping
from typing import Any, Final

import attrs


__all__ = [
    "GENESIS",
    "ChainHead",
    "ChainProblem",
    "ChainedEvent",
    "canonical",
    "event_hash",
    "normalise_json",
    "verify_chains",
]

#: ``prev_hash`` of the first event of a chain.
GENESIS: Final = "0" * 64


def normalise_json(value: Any) -> Any:
    """``value`` as it reads back from a JSON column: integral floats become ints (PostgreSQL's
    JSONB gives ``1e20`` back as an integer), tuples become lists, keys become strings."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {str(k): normalise_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [normalise_json(v) for v in value]
    return value


def canonical(
    *,
    chain: str,
    position: int,
    prev_hash: str,
    kind: str,
    debtor_id: str,
    debt_id: str | None,
    occurred_on: dt.date,
    actor: str,
    idempotency_key: str | None,
    payload: Mapping[str, Any],
) -> bytes:
    """The canonical serialisation of one event (UTF-8 JSON, sorted keys, no spaces)."""
    record = {
        "actor": actor,
        "chain": chain,
        "debt_id": debt_id,
        "debtor_id": debtor_id,
        "idempotency_key": idempotency_key,
        "kind": kind,
        "occurred_on": occurred_on.isoformat(),
        "payload": normalise_json(payload),
        "position": position,
        "prev_hash": prev_hash,
    }
    text = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def event_hash(**fields: Any) -> str:
    """SHA-256 (hex) of :func:`canonical` of ``fields``."""
    return hashlib.sha256(canonical(**fields)).hexdigest()


@attrs.frozen
class ChainedEvent:
    """One row of the event log as stored, with its chain fields (``None`` when it has none)."""

    sequence: int
    chain: str | None
    position: int | None
    prev_hash: str | None
    hash: str | None
    kind: str
    debtor_id: str
    debt_id: str | None
    occurred_on: dt.date
    actor: str
    idempotency_key: str | None
    payload: Mapping[str, Any]

    def computed_hash(self) -> str:
        return event_hash(
            chain=self.chain or "",
            position=self.position or 0,
            prev_hash=self.prev_hash or "",
            kind=self.kind,
            debtor_id=self.debtor_id,
            debt_id=self.debt_id,
            occurred_on=self.occurred_on,
            actor=self.actor,
            idempotency_key=self.idempotency_key,
            payload=self.payload,
        )


@attrs.frozen
class ChainHead:
    """What the store recorded as the end of a chain."""

    chain: str
    length: int
    last_hash: str


@attrs.frozen
class ChainProblem:
    """One break in a chain: ``what`` is ``changed``, ``removed`` or ``inserted``."""

    chain: str
    what: str
    sequence: int | None
    position: int | None
    detail: str

    def line(self) -> str:
        """One line naming the event by sequence and position only (no personal data)."""
        where = f"chain {self.chain!r}" if self.chain else "the chain of events about the person"
        event = f"event {self.sequence}" if self.sequence is not None else "the chain"
        at = f" (position {self.position})" if self.position is not None else ""
        return f"{where}: {event}{at} {self.what}: {self.detail}"


def _walk(chain: str, rows: Iterable[ChainedEvent], head: ChainHead | None) -> list[ChainProblem]:
    problems: list[ChainProblem] = []
    expected_prev = GENESIS
    expected = 1
    recorded_length = head.length if head is not None else 0
    last_sequence: int | None = None
    for row in rows:
        last_sequence = row.sequence
        position = row.position if row.position is not None else 0
        if position < expected:
            problems.append(
                ChainProblem(
                    chain,
                    "inserted",
                    row.sequence,
                    position,
                    "a second event at a position already taken",
                )
            )
            continue
        if position > recorded_length:
            problems.append(
                ChainProblem(
                    chain,
                    "inserted",
                    row.sequence,
                    position,
                    f"after the recorded end of the chain ({recorded_length} events)",
                )
            )
            break
        if position > expected:
            missing = position - expected
            problems.append(
                ChainProblem(
                    chain,
                    "removed",
                    row.sequence,
                    position,
                    f"{missing} event(s) before it are missing",
                )
            )
        elif row.prev_hash != expected_prev:
            problems.append(
                ChainProblem(
                    chain,
                    "inserted",
                    row.sequence,
                    position,
                    "it does not follow the event before it",
                )
            )
        if row.computed_hash() != row.hash:
            problems.append(
                ChainProblem(
                    chain, "changed", row.sequence, position, "its content does not match its hash"
                )
            )
        expected_prev = row.hash or ""
        expected = position + 1
    walked = expected - 1
    if head is not None and walked < head.length:
        problems.append(
            ChainProblem(
                chain,
                "removed",
                None,
                walked + 1,
                f"the last {head.length - walked} event(s) of the chain are missing",
            )
        )
    elif head is not None and walked == head.length and expected_prev != head.last_hash:
        problems.append(
            ChainProblem(
                chain,
                "changed",
                last_sequence,
                walked,
                "the last event does not match the recorded end of the chain",
            )
        )
    return problems


def verify_chains(
    events: Iterable[ChainedEvent],
    heads: Iterable[ChainHead],
    *,
    unchained: Iterable[int] = (),
) -> list[ChainProblem]:
    """Every break in the chains, per chain in chain order; ``[]`` when all are intact.

    ``events`` must come ordered by chain, position and sequence (the store reads them so, one
    chain at a time in memory). ``unchained``: sequence numbers of events without chain fields,
    written around the store; each is reported as inserted.
    """
    problems = [
        ChainProblem("", "inserted", sequence, None, "it is in no chain") for sequence in unchained
    ]
    head_of = {head.chain: head for head in heads}
    seen: set[str] = set()
    for chain, rows in itertools.groupby(events, key=lambda r: r.chain or ""):
        seen.add(chain)
        problems.extend(_walk(chain, rows, head_of.get(chain)))
    for chain in sorted(set(head_of) - seen):
        problems.extend(_walk(chain, (), head_of[chain]))
    return problems
