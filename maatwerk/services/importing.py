"""Import use case: a whole file is checked, then written all at once or not at all.

The file reader (``maatwerk.adapters.csv_import``) turns each row into domain records and
collects every field problem with its line. This service adds the checks that need the other
rows or the database: a key listed twice with different values, a debtor or debt that is neither
in the file nor stored. Any problem rejects the whole file (:class:`ImportRejectedError` counts
them all and lists the first hundred, in line order); otherwise the whole file is committed in
one transaction, where natural keys make a re-import a no-op and a changed row an update with an
audit record.

Memory stays flat however large the file: the reader streams its rows (:class:`ImportStream`),
this service hands them to the store in parts (:class:`~maatwerk.core.ports.ImportSession`),
and the store keeps what the checks across rows need (every key seen, in a staging table) in
the database, inside the one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Final

import attrs
import structlog

from maatwerk.core.debtors import Debtor
from maatwerk.core.debts import Debt, Payment
from maatwerk.core.errors import InputError, Location
from maatwerk.core.ports import EventListener, ImportSession, ImportStore, StreamingImportStore
from maatwerk.core.records import (
    IMPORT_REFERENCES,
    ConsentRecord,
    ImportClash,
    ImportCounts,
    ImportKind,
    ImportRecord,
    Mandate,
)
from maatwerk.services.announce import announce


_log = structlog.get_logger("maatwerk.import")


__all__ = [
    "BATCH_ROWS",
    "MAX_LISTED_ERRORS",
    "ImportFile",
    "ImportRejectedError",
    "ImportStream",
    "ParsedRow",
    "PreparedPart",
    "RemittedDeduction",
    "import_file",
    "import_problems",
    "references",
]


@attrs.frozen(kw_only=True)
class RemittedDeduction:
    """What a payer's remittance row says it is for: the payer and the month (``YYYY-MM``)."""

    payer_id: str
    period: str


@attrs.frozen(kw_only=True)
class ParsedRow:
    """The records one good row of a file stands for (a portfolio row: a debtor and a debt).

    ``remitted``: for a payer's remittance row, the payer and month it is for."""

    line: int
    records: tuple[ImportRecord, ...]
    remitted: RemittedDeduction | None = None


@attrs.frozen(kw_only=True)
class PreparedPart:
    """A part of a file that a reader's worker process has checked and prepared: its good rows
    already in the store's own form (``rows``, made by the store's
    :meth:`~maatwerk.core.ports.StreamingImportStore.row_preparer`; ``count`` of them) and the
    problems of its other rows, in line order."""

    rows: Any
    count: int
    errors: tuple[InputError, ...] = ()


@attrs.frozen(kw_only=True)
class ImportFile:
    """A read file: its good rows and the problems found in the others."""

    kind: ImportKind
    file_name: str
    file_sha256: str
    rows: tuple[ParsedRow, ...]
    errors: tuple[InputError, ...] = ()


@attrs.frozen(kw_only=True)
class ImportStream:
    """A file being read: its rows and problems come one by one, in line order, from ``entries``
    (read once); ``file_sha256()`` is the digest of the whole file once they are all read."""

    kind: ImportKind
    file_name: str
    entries: Iterator[ParsedRow | PreparedPart | InputError]
    file_sha256: Callable[[], str]

    def collect(self) -> ImportFile:
        """The whole file in memory (for small files and tests)."""
        rows: list[ParsedRow] = []
        errors: list[InputError] = []
        for entry in self.entries:
            if isinstance(entry, PreparedPart):
                raise TypeError("a stream of prepared parts cannot be collected; import it")
            (errors if isinstance(entry, InputError) else rows).append(entry)  # type: ignore[arg-type]  # one of the two lists
        return ImportFile(
            kind=self.kind,
            file_name=self.file_name,
            file_sha256=self.file_sha256(),
            rows=tuple(rows),
            errors=tuple(errors),
        )


#: Problems an :class:`ImportRejectedError` lists (the count says how many there were in all).
MAX_LISTED_ERRORS: Final = 100
#: Rows written per part of a streamed import.
BATCH_ROWS: Final = 5000


class ImportRejectedError(InputError):
    """The file has bad rows; nothing was imported. ``errors`` lists them by line: every one, or
    the first ``MAX_LISTED_ERRORS`` when there were more (``total`` counts them all)."""

    def __init__(
        self,
        file_name: str,
        errors: Sequence[InputError],
        *,
        total: int | None = None,
        lines: int | None = None,
    ) -> None:
        self.errors = tuple(
            sorted(errors, key=lambda e: (e.location.line or 0, e.location.field or ""))
        )
        self.total = len(self.errors) if total is None else total
        lines = len({e.location.line for e in self.errors}) if lines is None else lines
        shown = "" if self.total == len(self.errors) else f" (the first {len(self.errors)} listed)"
        super().__init__(
            f"{self.total} problem(s) on {lines} line(s){shown}; nothing was imported",
            Location(file=file_name),
        )


class _Problems:
    """Every problem counted, the first ``limit`` (in line order) kept."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.kept: list[InputError] = []
        self.total = 0
        self.lines: set[int] = set()
        self.line_count = 0

    def add(self, errors: Iterable[InputError]) -> None:
        for error in sorted(errors, key=lambda e: (e.location.line or 0, e.location.field or "")):
            self.total += 1
            if len(self.kept) < self.limit:
                self.kept.append(error)
            line = error.location.line or 0
            if line not in self.lines:
                self.lines.add(line)
                self.line_count += 1

    def flush_lines(self) -> None:
        """Forget the lines of a finished part (its lines never come again), keep the count."""
        self.lines.clear()


def _clash_error(clash: ImportClash, name: str) -> InputError:
    if clash.first_line is not None:
        return InputError(
            f"{clash.entity} {clash.ident!r} is listed again with other values (first on line "
            f"{clash.first_line})",
            Location(name, clash.line, clash.field),
        )
    return InputError(
        f"unknown {clash.entity} {clash.ident!r} (not in this file and not stored; "
        f"import the {clash.entity}s first)",
        Location(name, clash.line, clash.field),
    )


def import_file(
    parsed: ImportFile | ImportStream,
    store: StreamingImportStore,
    *,
    recorded_by: str = "import",
    listener: EventListener | None = None,
    batch_rows: int = BATCH_ROWS,
    max_errors: int = MAX_LISTED_ERRORS,
) -> ImportCounts:
    """Check ``parsed`` against itself and the store; write it all or raise with its problems.

    The rows are written in parts of ``batch_rows`` inside one transaction of the store (so
    memory does not grow with the file): the store finds a key listed again with other values
    and a reference to an unknown debtor or debt. Any problem, and the transaction is rolled
    back: :class:`ImportRejectedError` counts them all and lists the first ``max_errors``.
    ``listener`` hears the domain events the import appended (consents, holds) after the commit.
    """
    if isinstance(parsed, ImportFile):
        digest = parsed.file_sha256
        entries: Iterable[ParsedRow | InputError] = (*parsed.errors, *parsed.rows)
        if parsed.errors:  # the reader's problems first, in line order with the rest
            entries = sorted(entries, key=_line_of)
        stream = ImportStream(
            kind=parsed.kind, file_name=parsed.file_name, entries=iter(entries),
            file_sha256=lambda: digest,
        )  # fmt: skip
    else:
        stream = parsed
    name = stream.file_name
    problems = _Problems(max_errors)
    with store.open_import(stream.kind, file_name=name, recorded_by=recorded_by) as session:
        part: list[tuple[int, Sequence[ImportRecord]]] = []
        errors: list[InputError] = []
        for entry in stream.entries:
            if isinstance(entry, PreparedPart):
                _write(session, part, errors, problems, name)  # what came row by row, first
                clashes = session.stage_prepared(entry.rows) if entry.count else ()
                problems.add([*entry.errors, *(_clash_error(c, name) for c in clashes)])
                problems.flush_lines()
            elif isinstance(entry, InputError):
                errors.append(entry)
            else:
                part.append((entry.line, entry.records))
            if len(part) >= batch_rows:
                _write(session, part, errors, problems, name)
        _write(session, part, errors, problems, name)
        _log.debug("import_checked", kind=stream.kind.value, problems=problems.total)
        if problems.total:
            raise ImportRejectedError(
                name, problems.kept, total=problems.total, lines=problems.line_count
            )
        counts = session.finish(file_sha256=stream.file_sha256())
    _log.debug(
        "import_applied",
        kind=stream.kind.value,
        inserted=counts.inserted,
        updated=counts.updated,
        unchanged=counts.unchanged,
        events=len(counts.events),
    )
    announce(listener, counts.events)
    return counts


def _line_of(entry: ParsedRow | InputError) -> int:
    return (entry.location.line or 0) if isinstance(entry, InputError) else entry.line


def _write(
    session: ImportSession,
    part: list[tuple[int, Sequence[ImportRecord]]],
    errors: list[InputError],
    problems: _Problems,
    name: str,
) -> None:
    """Stage one part and note its problems; empties ``part`` and ``errors``."""
    clashes = session.stage(part) if part else ()
    problems.add([*errors, *(_clash_error(c, name) for c in clashes)])
    problems.flush_lines()
    part.clear()
    errors.clear()


def references(record: ImportRecord) -> list[tuple[str, str, str]]:
    """(entity, field, id) of the debtors and debts ``record`` refers to
    (:data:`~maatwerk.core.records.IMPORT_REFERENCES`)."""
    refs: list[tuple[str, str, str]] = []
    for entity, field in IMPORT_REFERENCES[_key(record)[0]]:
        ident = getattr(record, field)
        if ident:
            refs.append((entity, field, ident))
    return refs


def _key(record: ImportRecord) -> tuple[str, str, str]:
    """(entity, key column, key value) of a record."""
    if isinstance(record, Debtor):
        return "debtor", "debtor_id", record.debtor_id
    if isinstance(record, Debt):
        return "debt", "debt_id", record.debt_id
    if isinstance(record, Payment):
        return "payment", "payment_id", record.payment_id
    if isinstance(record, Mandate):
        return "mandate", "mandate_id", record.mandate_id
    if isinstance(record, ConsentRecord):
        return "consent", "consent_id", record.consent_id
    return "hold", "hold_id", record.hold_id


def import_problems(parsed: ImportFile, store: ImportStore) -> list[InputError]:
    """Every problem of ``parsed``: its rows' own, a key listed twice with other values, a
    debtor or debt neither in the file nor stored (empty: it can be imported)."""
    errors = list(parsed.errors)
    name = parsed.file_name
    first_seen: dict[tuple[str, str], tuple[int, ImportRecord]] = {}
    in_file: dict[str, set[str]] = {"debtor": set(), "debt": set()}
    good: list[ParsedRow] = []
    for row in parsed.rows:
        row_ok = True
        for record in row.records:
            entity, column, ident = _key(record)
            earlier = first_seen.get((entity, ident))
            if earlier is not None and earlier[1] != record:
                errors.append(
                    InputError(
                        f"{entity} {ident!r} is listed again with other values (first on line "
                        f"{earlier[0]})",
                        Location(name, row.line, column),
                    )
                )
                row_ok = False
            first_seen.setdefault((entity, ident), (row.line, record))
            if entity in in_file:
                in_file[entity].add(ident)
        if row_ok:
            good.append(row)
    wanted: dict[str, set[str]] = {"debtor": set(), "debt": set()}
    for row in good:
        for record in row.records:
            for entity, _field, ident in references(record):
                if ident not in in_file[entity]:
                    wanted[entity].add(ident)
    known = {entity: store.existing_ids(entity, ids) for entity, ids in wanted.items() if ids}
    for row in good:
        for record in row.records:
            for entity, field, ident in references(record):
                if ident not in in_file[entity] and ident not in known.get(entity, frozenset()):
                    errors.append(
                        InputError(
                            f"unknown {entity} {ident!r} (not in this file and not stored; "
                            f"import the {entity}s first)",
                            Location(name, row.line, field),
                        )
                    )
    return errors
