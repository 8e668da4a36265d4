"""An output directory that is full or cannot be written: the run fails loudly (one line,
exit 1), what was decided stays decided, the actions stay in the outbox, and the next run of
the day delivers them: the same files as a run that never failed."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import sqlalchemy as sa
from click.testing import CliRunner
from reliability_helpers import DAYS, assert_ledger_clean, assert_same, prepare, run_args, run_here

from maatwerk.adapters.storage import schema
from maatwerk.adapters.storage.engine import make_engine
from maatwerk.cli import cli
from maatwerk.services import faults


def _waiting(db_url: str) -> int:
    """Outbox rows not delivered (pending or failed)."""
    o = schema.outbox
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            query = sa.select(sa.func.count()).where(o.c.status.in_(("pending", "failed")))
            return int(conn.execute(query).scalar_one())
    finally:
        engine.dispose()


def _one_error_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1, output
    return lines[0]


def _until_letters(db_url: str, out: Path, reference_url: str, reference_out: Path) -> int:
    """Run both databases day by day until a day whose run writes letters; its index."""
    for index, day in enumerate(DAYS):
        before = len(list(reference_out.rglob("*.txt"))) if reference_out.exists() else 0
        run_here(reference_url, day, reference_out)
        if len(list(reference_out.rglob("*.txt"))) > before:
            return index
        run_here(db_url, day, out)
    raise AssertionError("no day of the run writes a letter")


def test_output_directory_not_writable(tmp_path: Path) -> None:
    url, reference_url = f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'r.db'}"
    out, reference_out = tmp_path / "out", tmp_path / "reference-out"
    prepare(url, 24)
    prepare(reference_url, 24)
    index = _until_letters(url, out, reference_url, reference_out)
    day = DAYS[index]
    # the letters' folder is a file: nothing can be written under it (as root, a missing
    # write permission would not stop the test; this stops everyone)
    out.mkdir(exist_ok=True)
    blocked = out / "letters"
    assert not blocked.exists()
    blocked.write_text("not a directory", encoding="utf-8")
    result = CliRunner().invoke(cli, run_args(url, day, out))
    assert result.exit_code == 1, result.output
    line = _one_error_line(result.output)
    assert "could not be delivered" in line or "stopped while delivering" in line
    assert _waiting(url) > 0
    blocked.unlink()
    run_here(url, day, out)  # the next run of the day delivers them
    assert _waiting(url) == _waiting(reference_url)
    for later in DAYS[index + 1 : index + 3]:
        run_here(url, later, out)
        run_here(reference_url, later, reference_out)
    assert_same(url, out, reference_url, reference_out)
    assert_ledger_clean(url)


def test_disk_full_while_writing_letters(tmp_path: Path) -> None:
    url, reference_url = f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'r.db'}"
    out, reference_out = tmp_path / "out", tmp_path / "reference-out"
    prepare(url, 24)
    prepare(reference_url, 24)
    index = _until_letters(url, out, reference_url, reference_out)
    day = DAYS[index]

    def full(name: str) -> None:
        if name == "file-written":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    old = faults.install(full)
    try:
        result = CliRunner().invoke(cli, run_args(url, day, out))
    finally:
        faults.install(old)
    assert result.exit_code == 1, result.output
    _one_error_line(result.output)
    assert _waiting(url) > 0
    run_here(url, day, out)
    assert _waiting(url) == _waiting(reference_url)
    assert_same(url, out, reference_url, reference_out)
    assert_ledger_clean(url)
