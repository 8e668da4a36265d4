"""The mutation corpus and the checks the fuzz tests share.

A *seed* is a good input file. :func:`mutations` turns it into a deterministic list of bad ones:
truncations, byte flips, a byte-order mark, UTF-16 and Latin-1 text, a lone invalid byte, NUL
bytes, no input at all, every token (a run of characters between separators) replaced in turn by a
huge field (over csv's 128 KiB), ``1e309``, ``1e30``, ``NaN``, an impossible date and a few more,
and deep nesting in the file's own syntax (JSON, TOML, XML). :func:`hypothesis_mutants` adds
derandomised splices from hypothesis.

The size is set by ``MAATWERK_FUZZ_SCALE`` (default 1: a few hundred inputs per importer; ``make
fuzz`` and ``make reliability`` use more). :func:`check_refusal` is the promise: exit 0 (the input
was still good) or exit 2 with an ``Error:`` line naming the file, never a traceback, and when
refused the database is as it was (row counts and a content hash of every table).
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import sqlite3
from collections.abc import Callable, Iterator
from typing import Final

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maatwerk.adapters.storage import migrate
from maatwerk.cli import cli


SCALE: Final = max(1, int(os.environ.get("MAATWERK_FUZZ_SCALE", "1")))
KIB: Final = 1024
HUGE: Final = "x" * (128 * KIB + 7)
HUGE_NUMBER: Final = "9" * (128 * KIB + 7)

#: What replaces a token: each one a known way to break a reader.
VALUES: Final = (
    HUGE,
    HUGE_NUMBER,
    "1e309",
    "1e30",
    "-1e30",
    "NaN",
    "Infinity",
    "-1",
    "2026-02-30",
    "9999-12-31",
    "",
    '"',
    "\u202e\u00e9",
)

_TOKEN = re.compile(rb"[^\s,;:<>\"'=\[\]{}/]+")


def _deep(suffix: str) -> bytes:
    depth = 100_000
    if suffix == ".json":
        return b'{"deep": ' + b"[" * depth + b"]" * depth + b"}"
    if suffix == ".toml":
        return b"deep = " + b"[" * depth + b"]" * depth + b"\n"
    if suffix == ".xml":
        return b"<a>" * depth + b"</a>" * depth
    return b'"' * depth


def mutations(seed: bytes, suffix: str, *, salt: int = 0) -> Iterator[tuple[str, bytes]]:
    """Deterministic ``(what, bytes)`` mutants of ``seed`` (about 150 at scale 1)."""
    rng = random.Random(hashlib.sha256(seed).digest() + salt.to_bytes(4, "big"))
    n = len(seed)
    yield "empty", b""
    yield "nul", b"\x00" * 64
    yield "bom", b"\xef\xbb\xbf" + seed
    yield "double-bom", b"\xef\xbb\xbf\xef\xbb\xbf" + seed
    yield "utf-16", seed.decode("utf-8", "replace").encode("utf-16")
    yield "latin-1", seed.decode("utf-8", "replace").encode("latin-1", "replace") + b"\xe9\n"
    yield "crlf", seed.replace(b"\n", b"\r\n")
    yield "cr", seed.replace(b"\n", b"\r")
    yield "deep", _deep(suffix)
    yield "deep-appended", seed + b"\n" + _deep(suffix)
    for _ in range(10 * SCALE):
        cut = rng.randrange(n) if n else 0
        yield f"truncated@{cut}", seed[:cut]
    for _ in range(3 * SCALE):
        at = rng.randrange(n + 1)
        yield f"invalid-byte@{at}", seed[:at] + b"\xff\xfe" + seed[at:]
    for i in range(30 * SCALE):
        data = bytearray(seed)
        for _ in range(rng.randint(1, 4)):
            if data:
                data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        yield f"flip#{i}", bytes(data)
    tokens = list(_TOKEN.finditer(seed))
    picked = rng.sample(tokens, min(len(tokens), 8 * SCALE)) if tokens else []
    for match in picked:
        for value in VALUES:
            mutant = seed[: match.start()] + value.encode() + seed[match.end() :]
            yield f"token@{match.start()}={value[:12]!r}", mutant


def hypothesis_mutants(seed: bytes, check: Callable[[str, bytes], None]) -> int:
    """Run ``check`` on derandomised hypothesis splices of ``seed``; returns how many it tried."""
    tried = 0
    n = len(seed)

    @settings(
        max_examples=30 * SCALE,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        st.lists(
            st.tuples(st.integers(0, n), st.integers(0, 8), st.binary(max_size=12)), max_size=4
        )
    )
    def run(splices: list[tuple[int, int, bytes]]) -> None:
        nonlocal tried
        data = seed
        for where, drop, insert in splices:
            at = min(where, len(data))
            data = data[:at] + insert + data[at + drop :]
        tried += 1
        check("hypothesis", data)

    run()
    return tried


def fingerprint(url: str) -> dict[str, tuple[int, str]]:
    """Row count and a SHA-256 of the sorted rows of every table of the SQLite database at
    ``url`` (read with :mod:`sqlite3`: reflecting the schema each time would cost more than the
    command under test)."""
    path = url.removeprefix("sqlite:///")
    conn = sqlite3.connect(path)
    try:
        names = [
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1")
        ]
        out: dict[str, tuple[int, str]] = {}
        for name in names:
            rows = sorted(repr(r) for r in conn.execute(f'SELECT * FROM "{name}"'))
            out[name] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
        return out
    finally:
        conn.close()


def speed_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """Leave out what every command pays for and no input changes: the scan of installed
    plugins and the reading of the migration scripts (the newest revision is the same each time)."""
    monkeypatch.setenv("MAATWERK_DISABLE_PLUGINS", "1")
    head = migrate.head_revision()
    monkeypatch.setattr(migrate, "head_revision", lambda: head)


def check_refusal(
    result: Result, what: str, *, file_name: str | None, before: object, after: object
) -> None:
    """The promise for one bad input (see the module docstring)."""
    label = f"{what}: exit {result.exit_code}"
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{label}: traceback {result.exception!r}") from result.exception
    assert "Traceback" not in result.output, label
    assert result.exit_code in (0, 2), (label, result.output[-500:])
    if result.exit_code == 2:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert lines, label
        # one ``Error:`` line; an import lists each bad row before it, ``sepa build`` after it
        assert sum(line.startswith("Error: ") for line in lines) == 1, (label, lines[-3:])
        if file_name is not None:
            assert any(file_name in line for line in lines), (label, lines[-3:])
        assert after == before, (label, "the database changed")


def invoke(runner: CliRunner, args: list[str]) -> Result:
    return runner.invoke(cli, args, catch_exceptions=True)


def report(name: str, count: int) -> None:
    """Print the number of inputs tried (``pytest -s`` or the captured output shows it)."""
    print(f"fuzz {name}: {count} inputs tried")  # noqa: T201  # the test's figure


__all__ = [
    "HUGE",
    "SCALE",
    "VALUES",
    "check_refusal",
    "fingerprint",
    "hypothesis_mutants",
    "invoke",
    "mutations",
    "report",
    "speed_up",
]
