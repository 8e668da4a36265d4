"""Two runs of one date at once, as real ``maatwerk run`` processes, on SQLite and PostgreSQL.

The first run holds the database's run lock. It is stopped (SIGSTOP) while it holds it, so the
overlap does not depend on timing: the second run exits 2 with one line naming the holder (host,
pid, worker id, since when) and no traceback; a third with ``--wait`` waits and, once the first
finished, runs the date again, which changes nothing. A lock left by a killed run is taken
over. Each time the database and the delivered files equal those of one run on its own.
"""

from __future__ import annotations

import re
import select
import socket
from pathlib import Path

import pytest
from run_processes import (
    START,
    assert_same,
    cli_run,
    contents,
    files,
    kill,
    lock_holder_pid,
    prepare,
    resume,
    second_database,
    spawn,
    stop,
    wait_for,
)


pytestmark = pytest.mark.slow  # real processes, each starting the CLI

DEBTORS = 300

_HELD = re.compile(
    r"^Error: the daily run of 2026-03-02 is in progress since "
    r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(host (?P<host>\S+), pid (?P<pid>\d+), "
    r"worker (?P<worker>w-[0-9a-f]{8})\); wait for it to finish or run again with --wait$"
)


def test_a_second_run_exits_2_naming_the_holder_and_a_waiting_one_changes_nothing(
    db_url: str, tmp_path: Path
) -> None:
    prepare(db_url, tmp_path / "in", DEBTORS)
    out = tmp_path / "out"
    first = spawn(db_url, "run", START, "--out", str(out))
    try:
        wait_for(lambda: lock_holder_pid(db_url) == first.pid, "the first run's lock")
        stop(first)  # holding the lock, somewhere in its run
        second = spawn(db_url, "run", START, "--out", str(out))
        _, err = second.communicate(timeout=120)
        assert second.returncode == 2, err
        assert "Traceback" not in err
        (line,) = err.strip().splitlines()
        held = _HELD.match(line)
        assert held is not None, line
        assert held["host"] == socket.gethostname()
        assert int(held["pid"]) == first.pid
        waiting = spawn(db_url, "run", START, "--out", str(out), "--wait")
        assert waiting.stderr is not None
        ready, _, _ = select.select([waiting.stderr], [], [], 120)
        assert ready, "the waiting run said nothing"
        told = waiting.stderr.readline()
        assert told.startswith("waiting: the daily run of 2026-03-02 is in progress since ")
        assert f"pid {first.pid}," in told
        assert waiting.poll() is None  # still waiting: the first run holds the lock
    finally:
        resume(first)
    _, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    summary, err = waiting.communicate(timeout=300)
    assert waiting.returncode == 0, err
    assert "0 case(s) evaluated" in summary  # the date was done: the rerun records nothing
    assert lock_holder_pid(db_url) is None  # released
    with second_database(db_url, tmp_path) as reference:
        prepare(reference, tmp_path / "ref-in", DEBTORS)
        cli_run(reference, START, tmp_path / "ref-out")
        assert_same(contents(db_url), contents(reference))
    assert files(out) == files(tmp_path / "ref-out")


def test_a_lock_left_by_a_killed_run_is_taken_over(db_url: str, tmp_path: Path) -> None:
    prepare(db_url, tmp_path / "in", DEBTORS)
    out = tmp_path / "out"
    first = spawn(db_url, "run", START, "--out", str(out))
    wait_for(lambda: lock_holder_pid(db_url) == first.pid, "the first run's lock")
    kill(first)
    first.communicate(timeout=60)
    assert lock_holder_pid(db_url) == first.pid  # the row still names the dead process
    # --wait: PostgreSQL ends the killed session (and its advisory lock) a moment later
    again = spawn(db_url, "run", START, "--out", str(out), "--wait")
    _, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    assert lock_holder_pid(db_url) is None
    with second_database(db_url, tmp_path) as reference:
        prepare(reference, tmp_path / "ref-in", DEBTORS)
        cli_run(reference, START, tmp_path / "ref-out")
        assert_same(contents(db_url), contents(reference))
    assert files(out) == files(tmp_path / "ref-out")
