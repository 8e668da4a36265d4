"""Reading a CSV input file as a stream: its lines (decoded, the file hashed on the way), its
records with their line numbers, and its parts for worker processes.

Every CSV reader of maatwerk reads through here (imports, remittances, SEPA CSV, municipal
feedback): a bad byte is named by its line, a long field is allowed (each column checks its own
length), and a large file is cut into parts only between records (:func:`quoted_after`), so
worker processes can parse it in parallel and give what one process gives (:func:`in_parts`).
Written here rather than taken from a library: :mod:`csv` has no notion of where a record may be
cut, and the parts must end exactly where its reader would end a record.
"""

from __future__ import annotations

import collections
import concurrent.futures
import csv
import io
import multiprocessing
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Final, TypeVar

from maatwerk.adapters.text_input import decode_text
from maatwerk.core.errors import InputError, Location


__all__ = [
    "CSV_FIELD_LIMIT",
    "PART_ROWS",
    "allow_long_fields",
    "in_parts",
    "lines",
    "numbered",
    "quoted_after",
    "read_text_file",
]

T = TypeVar("T")

#: The longest field the CSV readers accept. Python's default (128 KiB) ends a read with
#: ``csv.Error`` and no field named; above it, each column's own length check names the field.
#: The file is in memory already, so a long field costs nothing more than the file.
CSV_FIELD_LIMIT: Final = 2**31 - 1


def allow_long_fields() -> None:
    """Let :mod:`csv` read fields of any length (process-wide; every reader here wants it)."""
    if csv.field_size_limit() < CSV_FIELD_LIMIT:
        csv.field_size_limit(CSV_FIELD_LIMIT)


def read_text_file(path: Path) -> tuple[bytes, str]:
    """The bytes of an input file and their UTF-8 text (a byte-order mark is dropped); an
    unreadable or non-UTF-8 file raises an ``InputError`` naming it (and the line of the first
    bad byte)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(
            f"cannot read the file: {exc.strerror}", Location(file=str(path))
        ) from None
    return raw, decode_text(raw, path.name)


def lines(path: Path, digest: Any) -> Iterator[str]:
    """The text lines of ``path`` as ``open(newline="")`` splits them (``\n``, ``\r\n``, a lone
    ``\r``), a byte-order mark dropped; every byte read goes into ``digest``. Memory holds a
    buffer, not the file. Bytes that are not UTF-8 raise an ``InputError`` naming their line."""
    name = path.name
    try:
        handle = path.open("rb", buffering=0)
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", Location(file=name)) from None
    hashed = io.BufferedReader(_Hashed(handle, digest), buffer_size=1 << 16)
    with io.TextIOWrapper(hashed, encoding="utf-8-sig", newline="") as text:
        try:
            yield from text
        except UnicodeDecodeError:
            line = _first_bad_line(path)
            raise InputError("the file is not UTF-8", Location(file=name, line=line)) from None


class _Hashed(io.RawIOBase):
    """A file read as it is, every byte read going into a digest as well."""

    def __init__(self, raw: Any, digest: Any) -> None:
        self._raw = raw
        self._digest = digest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count: int = self._raw.readinto(buffer)
        if count:
            self._digest.update(memoryview(buffer)[:count])
        return count

    def close(self) -> None:
        self._raw.close()
        super().close()


def _first_bad_line(path: Path) -> int | None:
    """The number of the first line (ended by ``\n``) of ``path`` that is not UTF-8; the file
    is read again only to name it."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError:
                return number
    return None


def numbered(reader: Any) -> Iterator[tuple[int, list[str]]]:
    """The non-empty records of a ``csv.reader`` with the line each ends on."""
    for fields in reader:
        if fields:
            yield reader.line_num, fields


#: Rows a worker process checks at a time (the size of the parts the store writes).
PART_ROWS: Final = 5000


def quoted_after(line: str, quoted: bool, delimiter: str) -> bool:
    """Whether :mod:`csv` (its default dialect: ``"`` quotes a field and is doubled inside one;
    a ``"`` inside an unquoted field is kept as it is) is inside a quoted field at the end of
    ``line``, given whether it was at its start: where a file may be cut into parts without
    cutting a record. Python, character by character, but only for a line with a ``"``."""
    if '"' not in line:
        return quoted
    start, unquoted, inside, quote_inside = 0, 1, 2, 3
    state = inside if quoted else start
    for char in line:
        if state == inside:
            if char == '"':
                state = quote_inside
        elif state == unquoted:
            if char == delimiter or char in "\r\n":
                state = start
        elif char == '"':  # at the start of a field, or a doubled quote inside one
            state = inside
        elif char == delimiter or char in "\r\n":
            state = start
        else:
            state = unquoted
    return state == inside


def in_parts(
    rows_of_text: Iterator[str], delimiter: str, work: Callable[[int, list[str]], T], workers: int
) -> Iterator[T]:
    """``work(first_line, lines)`` of each part of a CSV file, done by ``workers`` processes,
    the results in line order. ``rows_of_text`` come from :func:`lines`, the header line first (it is
    skipped: the caller has read it).

    This process only reads the lines (decoding them and hashing the file) and cuts them into
    parts of about :data:`PART_ROWS` lines, never inside a quoted field (:func:`quoted_after`),
    so each part holds whole records; ``work`` (picklable: it is sent to the workers) parses
    one part at a time. At most two parts per worker are on their way, so memory stays flat. A
    worker's own failure is raised here (an import is then not committed). On Linux the workers are forked:
    they start at once with every module loaded and never touch the database connection they
    inherit (they end with ``os._exit``, which closes nothing of the parent's); elsewhere they
    are spawned (``fork`` is not safe on macOS).
    """
    number, quoted = 0, False
    for line in rows_of_text:  # the header (read and checked already)
        number += 1
        quoted = quoted_after(line, quoted, delimiter)
        if not quoted:
            break
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    pending: collections.deque[concurrent.futures.Future[T]] = collections.deque()
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        try:
            part: list[str] = []
            first = number + 1
            for line in rows_of_text:
                part.append(line)
                quoted = quoted_after(line, quoted, delimiter)
                if len(part) >= PART_ROWS and not quoted:
                    pending.append(pool.submit(work, first, part))
                    first += len(part)
                    part = []
                    if len(pending) > 2 * workers:
                        yield pending.popleft().result()
            if part:
                pending.append(pool.submit(work, first, part))
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()
