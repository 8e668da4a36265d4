"""The hash chain's judge (maatwerk.core.audit_chain.verify_chains), on chains built in memory:
intact, a changed event, a removed one, a copy at a taken position, a row in no chain, the end
cut off; the hash covers every field and the position."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from maatwerk.core.audit_chain import GENESIS, ChainedEvent, ChainHead, event_hash, verify_chains


def _chain(chain: str, n: int, start_sequence: int = 1) -> list[ChainedEvent]:
    rows: list[ChainedEvent] = []
    prev = GENESIS
    for i in range(n):
        fields = {
            "kind": "step-taken",
            "debtor_id": f"D{i}",
            "debt_id": None,
            "occurred_on": dt.date(2026, 1, 1) + dt.timedelta(days=i),
            "actor": "engine",
            "idempotency_key": f"k{i}",
            "payload": {"step": i, "amount": "1.50", "ids": ["B1"]},
        }
        digest = event_hash(chain=chain, position=i + 1, prev_hash=prev, **fields)
        rows.append(
            ChainedEvent(
                sequence=start_sequence + i,
                chain=chain,
                position=i + 1,
                prev_hash=prev,
                hash=digest,
                **fields,  # type: ignore[arg-type]
            )
        )
        prev = digest
    return rows


def _head(rows: list[ChainedEvent]) -> ChainHead:
    return ChainHead(rows[0].chain or "", len(rows), rows[-1].hash or "")


def test_an_intact_chain_has_no_problems_and_each_field_is_covered() -> None:
    rows = _chain("zorg", 5)
    assert verify_chains(rows, [_head(rows)]) == []
    changes: tuple[tuple[str, Any], ...] = (
        ("payload", {"step": 2, "amount": "1.51", "ids": ["B1"]}),
        ("actor", "someone"),
        ("occurred_on", dt.date(2020, 1, 1)),
        ("debt_id", "B9"),
        ("idempotency_key", None),
    )
    for field, value in changes:
        changed = [*rows[:2], attrs.evolve(rows[2], **{field: value}), *rows[3:]]
        (problem,) = verify_chains(changed, [_head(rows)])
        assert (problem.what, problem.sequence, problem.position) == ("changed", 3, 3), field


def test_removed_inserted_and_cut_off_events_are_named() -> None:
    rows = _chain("zorg", 5)
    head = _head(rows)
    (removed,) = verify_chains([*rows[:1], *rows[2:]], [head])
    assert (removed.what, removed.sequence, removed.detail) == (
        "removed",
        3,
        "1 event(s) before it are missing",
    )
    copy = attrs.evolve(rows[1], sequence=99)
    problems = verify_chains([*rows[:2], copy, *rows[2:]], [head])
    assert [(p.what, p.sequence) for p in problems] == [("inserted", 99)]
    (cut,) = verify_chains(rows[:3], [head])
    assert (cut.what, cut.position) == ("removed", 4)
    (stray,) = verify_chains(rows, [head], unchained=[42])
    assert (
        stray.line() == "the chain of events about the person: event 42 inserted: it is in no chain"
    )


def test_chains_are_judged_apart() -> None:
    zorg, energie = _chain("zorg", 3), _chain("energie", 2, start_sequence=10)
    heads = [_head(zorg), _head(energie)]
    ordered = sorted([*zorg, *energie], key=lambda r: (r.chain or "", r.position or 0))
    assert verify_chains(ordered, heads) == []
    broken = [attrs.evolve(r, actor="x") if r.sequence == 11 else r for r in ordered]
    (problem,) = verify_chains(broken, heads)
    assert problem.line() == (
        "chain 'energie': event 11 (position 2) changed: its content does not match its hash"
    )
