"""People at work while a large run proceeds on PostgreSQL: a service desk logs contact outcomes
and arrangement acceptances (through the recording services) during the run. None is lost, none
is recorded twice, and every case is decided on a consistent state: the one before the desk's
work on it, after it, or (an offer accepted in two steps) in between, never a mixture.

The states to compare with come from three runs of the same day on SQLite: without the desk's
work, with all of it recorded before the run, and with the offers but not yet the acceptances.
Normal suite: 100 contacts and 20 acceptances; ``make reliability``: 1,000 and 200.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from cli_helpers import SETTING_FLAGS
from reliability_helpers import DAYS, FULL, prepare, run_here

from maatwerk.adapters.storage import SqlStore, schema
from maatwerk.adapters.storage.engine import make_engine
from maatwerk.core.events import ContactChannel, ContactOutcome
from maatwerk.core.money import eur
from maatwerk.core.records import CaseKey
from maatwerk.services import recording


pytestmark = [pytest.mark.slow, pytest.mark.postgres]

CONTACTS = 1000 if FULL else 100
PLANS = 200 if FULL else 20
DEBTORS = CONTACTS + PLANS + (100 if FULL else 40)
DESK = "desk"
DAY = DAYS[3]
NEXT = DAYS[4]
_OUTCOMES = (ContactOutcome.REACHED, ContactOutcome.CANT_PAY, ContactOutcome.NO_ANSWER)


def _debtors(url: str) -> tuple[list[str], list[str]]:
    """(debtors who owe and receive no payment: an offer stays possible whatever the run
    applies today, the other debtors), each in order."""
    d, b, p = schema.debtors, schema.debts, schema.payments
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            every = list(conn.execute(sa.select(d.c.debtor_id).order_by(d.c.debtor_id)).scalars())
            owing = set(
                conn.execute(
                    sa.select(b.c.debtor_id).where(b.c.status == "open", b.c.due_date < DAY)
                ).scalars()
            )
            paying = set(conn.execute(sa.select(p.c.debtor_id)).scalars())
    finally:
        engine.dispose()
    plans = [str(x) for x in every if x in owing and x not in paying]
    return plans, [str(x) for x in every if x not in plans[:PLANS]]


class Desk:
    """The desk's work: one contact per debtor of ``contacts``, an offer and its acceptance per
    debtor of ``plans``; each item records when it was committed (``time.monotonic``)."""

    def __init__(self, contacts: list[str], plans: list[str], creditor: dict[str, str]) -> None:
        self.contacts, self.plans, self.creditor = contacts, plans, creditor
        self.done: list[float] = []
        self.errors: list[BaseException] = []

    def offers(self, store: SqlStore) -> None:
        for debtor in self.plans:
            recording.propose_arrangement_for(
                store, debtor, creditor_id=self.creditor[debtor], capacity=eur("400.00"),
                on=DAY, by=DESK,
            )  # fmt: skip

    def accepts(self, store: SqlStore) -> None:
        for debtor in self.plans:
            recording.accept_arrangement(
                store, debtor, f"{debtor}:{self.creditor[debtor]}:{DAY.isoformat()}", on=DAY,
                by=DESK,
            )  # fmt: skip
            self.done.append(time.monotonic())

    def calls(self, store: SqlStore) -> None:
        for i, debtor in enumerate(self.contacts):
            recording.log_contact(
                store, debtor, channel=ContactChannel.PHONE, outcome=_OUTCOMES[i % 3],
                note=f"desk call {i}", on=DAY, by=DESK,
            )  # fmt: skip
            self.done.append(time.monotonic())

    def work(self, store: SqlStore) -> None:
        """Interleaved as a desk works: some calls, an offer accepted, more calls ..."""
        try:
            self.offers(store)
            self.calls(store)
            self.accepts(store)
        except BaseException as exc:
            self.errors.append(exc)


def _creditors(url: str) -> dict[str, str]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            d = schema.debts
            return {
                str(r[0]): str(r[1])
                for r in conn.execute(sa.select(d.c.debtor_id, d.c.creditor_id))
            }
    finally:
        engine.dispose()


def _decisions(url: str) -> dict[CaseKey, tuple[str, ...]]:
    d = schema.decisions
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.select(
                    d.c.debtor_id,
                    d.c.creditor_id,
                    d.c.outcome,
                    d.c.step,
                    d.c.action,
                    d.c.blocked_by,
                ).where(d.c.run_date == DAY)
            )
            return {CaseKey(r[0], r[1]): tuple(str(v) for v in r[2:]) for r in rows}
    finally:
        engine.dispose()


def _statuses(url: str, day: dt.date) -> dict[CaseKey, str]:
    d = schema.decisions
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.select(d.c.debtor_id, d.c.creditor_id, d.c.detail).where(d.c.run_date == day)
            )
            return {CaseKey(r[0], r[1]): str((r[2] or {}).get("status", "")) for r in rows}
    finally:
        engine.dispose()


def _desk_events(url: str) -> Counter[tuple[str, str]]:
    e = schema.events
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return Counter(
                (str(r[0]), str(r[1]))
                for r in conn.execute(sa.select(e.c.kind, e.c.debtor_id).where(e.c.actor == DESK))
            )
    finally:
        engine.dispose()


def _reference(
    tmp_path: Path, name: str, desk: Desk | None, *, accepts: bool = True
) -> dict[CaseKey, tuple[str, ...]]:
    url = f"sqlite:///{tmp_path / f'{name}.db'}"
    prepare(url, DEBTORS)
    for day in DAYS[:3]:
        run_here(url, day, tmp_path / f"{name}-out")
    if desk is not None:
        store = SqlStore.from_url(url)
        desk.offers(store)
        desk.calls(store)
        if accepts:
            desk.accepts(store)
        store.close()
    run_here(url, DAY, tmp_path / f"{name}-out")
    return _decisions(url)


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_desk_work_during_a_run_is_neither_lost_nor_doubled(
    db_url: str, tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    prepare(db_url, DEBTORS)
    for day in DAYS[:3]:
        run_here(db_url, day, tmp_path / "out")
    can_plan, others = _debtors(db_url)
    creditor = _creditors(db_url)
    plans, contacts = can_plan[:PLANS], others[:CONTACTS]
    assert len(plans) == PLANS
    assert len(contacts) == CONTACTS
    args = [
        "run", "--date", DAY.isoformat(), "--db", db_url, "--out", str(tmp_path / "out"),
        "--policy", "classic", "--batch-size", "5", *SETTING_FLAGS,
    ]  # fmt: skip
    env = {**os.environ, "MAATWERK_LOG_LEVEL": "ERROR", "MAATWERK_DISABLE_PLUGINS": "1"}
    run = subprocess.Popen(
        [sys.executable, "-c", "from maatwerk.cli import main; main()", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    engine = make_engine(db_url)
    d = schema.decisions
    with engine.connect() as conn:  # the desk starts once the run has saved its first batch
        while (
            run.poll() is None
            and not conn.execute(
                sa.select(sa.func.count()).select_from(d).where(d.c.run_date == DAY)
            ).scalar_one()
        ):
            time.sleep(0.01)
            conn.rollback()
    engine.dispose()
    desk = Desk(contacts, plans, creditor)
    store = SqlStore.from_url(db_url)
    worker = threading.Thread(target=desk.work, args=(store,))
    worker.start()
    _out, err = run.communicate(timeout=900)
    finished = time.monotonic()
    worker.join(timeout=900)
    store.close()
    assert run.returncode == 0, err
    assert not desk.errors, desk.errors
    during = sum(1 for t in desk.done if t < finished)
    assert during > 0, "the run ended before the desk recorded anything: make the run larger"

    # none lost, none twice
    events = _desk_events(db_url)
    assert sum(events.values()) == CONTACTS + 2 * PLANS
    assert all(n == 1 for n in events.values()), [k for k, n in events.items() if n > 1]
    assert {debtor for _kind, debtor in events} == set(plans) | set(contacts)

    # each case decided on the state before, after, or between the offer and its acceptance
    mine = _decisions(db_url)
    before = _reference(tmp_path, "before", None)
    after = _reference(tmp_path, "after", Desk(contacts, plans, creditor))
    between = _reference(tmp_path, "between", Desk(contacts, plans, creditor), accepts=False)
    assert set(mine) == set(before)
    mixed = [
        key
        for key, decision in mine.items()
        if decision not in (before[key], after[key], between[key])
    ]
    assert not mixed, f"{len(mixed)} case(s) decided on a mixed state, e.g. {mixed[:3]}"
    changed = sum(1 for key in mine if before[key] != after[key])
    # a case decided before the desk's work does not rest on it: the next day looks again
    stale = {key for key in mine if mine[key] == before[key] != after[key]}
    run_here(db_url, NEXT, tmp_path / "out")
    rested = {key for key, status in _statuses(db_url, NEXT).items() if status == "idle"}
    assert not stale & rested, (
        f"resting on a state without the desk's work: {sorted(stale & rested)[:3]}"
    )
    record_property("desk", f"{len(desk.done)} items, {during} while the run went on")
    record_property("changed", changed)
