"""The tamper-evident event log (SQLite, PostgreSQL): every event the store writes carries the
hash of the one before in its creditor's chain; ``maatwerk audit verify`` passes on an untouched
log and names the first event changed, removed or inserted by SQL behind the store's back (exit 1,
one line per problem, no personal data); the migration chains the events a database already had.
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from run_helpers import bill, import_portfolio, shipped_evaluator, single, stock_dispatcher

from maatwerk.adapters.storage import SqlStore, migrate
from maatwerk.adapters.storage import schema as t
from maatwerk.cli import cli
from maatwerk.core.audit_chain import GENESIS, event_hash
from maatwerk.core.money import eur
from maatwerk.services.audit_chain import verify_chain
from maatwerk.services.run import run_day
from maatwerk.testing import SAMPLE_SETTINGS


DUE = dt.date(2026, 3, 2)
NAMES = ("Anna de Vries", "Bart Jansen")


def _fill(store: SqlStore, out: Path) -> None:
    """Two debtors, debts at two creditors, 20 days of runs: events in three chains."""
    import_portfolio(
        store,
        [
            single("D1", NAMES[0]),
            single("D2", NAMES[1], phone="0699999999"),
            bill("B1", "D1", "zorg", eur("300.00"), DUE, reference="P-0001"),
            bill("B2", "D2", "energie", eur("400.00"), DUE, reference="P-0002"),
        ],
    )
    evaluator = shipped_evaluator("humane")
    for offset in range(0, 40, 2):
        day = DUE + dt.timedelta(days=offset)
        run_day(
            store, evaluator, day, dispatcher=stock_dispatcher(store, day, out, SAMPLE_SETTINGS)
        )


def _verify(runner: CliRunner, url: str) -> tuple[int, list[str]]:
    result = runner.invoke(cli, ["audit", "verify", "--db", url])
    # one stderr line per problem, then the Error line that sums them up
    lines = [line for line in result.stderr.splitlines() if line]
    if result.exit_code == 1:
        assert lines[-1].startswith("Error: the event log was changed: "), lines
        lines = lines[:-1]
    return result.exit_code, lines


def _chain_rows(store: SqlStore, chain: str) -> list[sa.Row[tuple[object, ...]]]:
    e = t.events
    with store.engine.connect() as conn:
        return list(
            conn.execute(sa.select(e).where(e.c.chain == chain).order_by(e.c.chain_position)).all()
        )


@pytest.fixture
def filled(store: SqlStore, tmp_path: Path) -> SqlStore:
    _fill(store, tmp_path / "out")
    return store


def test_every_event_is_chained_per_creditor_and_an_untouched_log_verifies(
    filled: SqlStore, migrated_db_url: str, runner: CliRunner
) -> None:
    assert verify_chain(filled) == []
    heads = {h.chain: h for h in filled.chain_heads()}
    assert {"zorg", "energie"} <= set(heads), sorted(heads)
    for chain, head in heads.items():
        rows = _chain_rows(filled, chain)
        assert [r.chain_position for r in rows] == list(range(1, head.length + 1))
        assert rows[0].prev_hash == GENESIS
        assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(rows))
        assert rows[-1].hash == head.last_hash
    code, lines = _verify(runner, migrated_db_url)
    assert (code, lines) == (0, [])


def test_an_edited_row_is_named(filled: SqlStore, migrated_db_url: str, runner: CliRunner) -> None:
    victim = _chain_rows(filled, "zorg")[2]
    with filled.engine.begin() as conn:
        conn.execute(
            t.events.update()
            .where(t.events.c.sequence == victim.sequence)
            .values(occurred_on=victim.occurred_on + dt.timedelta(days=1))
        )
    code, lines = _verify(runner, migrated_db_url)
    assert code == 1
    assert lines == [
        (
            f"chain 'zorg': event {victim.sequence} (position 3) changed: "
            "its content does not match its hash"
        )
    ]


def test_a_deleted_row_is_named_also_the_last_one(
    filled: SqlStore, migrated_db_url: str, runner: CliRunner
) -> None:
    rows = _chain_rows(filled, "energie")
    with filled.engine.begin() as conn:
        conn.execute(t.events.delete().where(t.events.c.sequence == rows[1].sequence))
    code, lines = _verify(runner, migrated_db_url)
    assert code == 1
    assert lines == [
        (
            f"chain 'energie': event {rows[2].sequence} (position 3) removed: "
            "1 event(s) before it are missing"
        )
    ]
    with filled.engine.begin() as conn:
        conn.execute(t.events.delete().where(t.events.c.sequence == rows[-1].sequence))
    code, lines = _verify(runner, migrated_db_url)
    assert code == 1
    assert lines[-1] == (
        f"chain 'energie': the chain (position {len(rows)}) removed: "
        "the last 1 event(s) of the chain are missing"
    )


def test_an_inserted_row_is_named_with_or_without_chain_fields(
    filled: SqlStore, migrated_db_url: str, runner: CliRunner
) -> None:
    rows = _chain_rows(filled, "zorg")
    copy = {
        k: v
        for k, v in rows[0]._mapping.items()
        if k not in ("sequence", "idempotency_key", "recorded_at")
    }
    with filled.engine.begin() as conn:
        bare = {k: v for k, v in copy.items() if k not in ("chain", "chain_position", "prev_hash")}
        bare["hash"] = None
        plain = conn.execute(t.events.insert().values(bare).returning(t.events.c.sequence))
        plain_seq = plain.scalar_one()
    code, lines = _verify(runner, migrated_db_url)
    assert (code, lines) == (
        1,
        [(f"the chain of events about the person: event {plain_seq} inserted: it is in no chain")],
    )
    with filled.engine.begin() as conn:
        conn.execute(t.events.delete().where(t.events.c.sequence == plain_seq))
        # a well-formed event added after the end: linked and hashed, the recorded end not moved
        last = rows[-1]
        fields = {k: copy[k] for k in ("kind", "debtor_id", "debt_id", "occurred_on", "actor")}
        digest = event_hash(
            chain="zorg",
            position=len(rows) + 1,
            prev_hash=last.hash,
            idempotency_key=None,
            payload=copy["payload"],
            **fields,
        )
        forged = conn.execute(
            t.events.insert()
            .values(
                {
                    **copy,
                    "chain_position": len(rows) + 1,
                    "prev_hash": last.hash,
                    "hash": digest,
                }
            )
            .returning(t.events.c.sequence)
        ).scalar_one()
    code, lines = _verify(runner, migrated_db_url)
    assert (code, lines) == (
        1,
        [
            (
                f"chain 'zorg': event {forged} (position {len(rows) + 1}) inserted: "
                f"after the recorded end of the chain ({len(rows)} events)"
            )
        ],
    )
    assert all(n not in "\n".join(lines) for n in NAMES)


def test_the_migration_chains_the_events_already_stored(
    filled: SqlStore, migrated_db_url: str
) -> None:
    e = t.events
    with filled.engine.connect() as conn:
        before = conn.execute(sa.select(e.c.sequence, e.c.hash).order_by(e.c.sequence)).all()
    assert before
    migrate.downgrade(filled.engine, "0005")  # a database from before the chain
    migrate.upgrade(filled.engine)
    with filled.engine.connect() as conn:
        after = conn.execute(sa.select(e.c.sequence, e.c.hash).order_by(e.c.sequence)).all()
    assert after == before  # the same chain the store computes when it writes
    assert verify_chain(filled) == []


def test_concurrent_writers_never_fork_a_chain(filled: SqlStore) -> None:
    """Eight writers append to the same creditor's chain at once (each its own transaction and
    connection); the chain's end is locked, so every event gets its own position."""
    import threading

    from maatwerk.adapters.storage.audit_chain import insert_events

    errors: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            for batch in range(5):
                with filled.engine.begin() as conn:
                    insert_events(
                        conn,
                        [
                            {
                                "kind": "test.note",
                                "debtor_id": "D1",
                                "debt_id": "B1",
                                "occurred_on": DUE,
                                "actor": f"worker-{worker}",
                                "idempotency_key": f"w{worker}:{batch}:{i}",
                                "payload": {"i": i},
                            }
                            for i in range(3)
                        ],
                    )
        except BaseException as exc:
            errors.append(exc)

    before = {h.chain: h.length for h in filled.chain_heads()}["zorg"]
    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert {h.chain: h.length for h in filled.chain_heads()}["zorg"] == before + 8 * 5 * 3
    assert verify_chain(filled) == []
