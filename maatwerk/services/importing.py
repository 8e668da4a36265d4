"""Import use case: a whole file is checked, then written all at once or not at all.

The file reader (``maatwerk.adapters.csv_import``) turns each row into domain records and
collects every field problem with its line. This service adds the checks that need the other
rows or the database: a key listed twice with different values, a debtor or debt that is neither
in the file nor stored. Any problem rejects the whole file (:class:`ImportRejectedError` lists
them all, in line order); otherwise the store writes it in one transaction, where natural keys
make a re-import a no-op and a changed row an update with an audit record.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import structlog

from maatwerk.core.debtors import Debtor
from maatwerk.core.debts import Debt, Payment
from maatwerk.core.errors import InputError, Location
from maatwerk.core.ports import EventListener, ImportStore
from maatwerk.core.records import (
    ConsentRecord,
    HoldRecord,
    ImportBatch,
    ImportCounts,
    ImportKind,
    ImportRecord,
    Mandate,
)
from maatwerk.services.announce import announce


_log = structlog.get_logger("maatwerk.import")


__all__ = [
    "ImportFile",
    "ImportRejectedError",
    "ParsedRow",
    "RemittedDeduction",
    "import_file",
    "import_problems",
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
class ImportFile:
    """A read file: its good rows and the problems found in the others."""

    kind: ImportKind
    file_name: str
    file_sha256: str
    rows: tuple[ParsedRow, ...]
    errors: tuple[InputError, ...] = ()


class ImportRejectedError(InputError):
    """The file has bad rows; nothing was imported. ``errors`` lists every one, by line."""

    def __init__(self, file_name: str, errors: Sequence[InputError]) -> None:
        self.errors = tuple(
            sorted(errors, key=lambda e: (e.location.line or 0, e.location.field or ""))
        )
        lines = len({e.location.line for e in self.errors})
        super().__init__(
            f"{len(self.errors)} problem(s) on {lines} line(s); nothing was imported",
            Location(file=file_name),
        )


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


def _references(record: ImportRecord) -> list[tuple[str, str, str]]:
    """(entity, field, id) this record refers to."""
    refs: list[tuple[str, str, str]] = []
    if not isinstance(record, Debtor):
        refs.append(("debtor", "debtor_id", record.debtor_id))
    if isinstance(record, Payment) and record.designated_debt_id:
        refs.append(("debt", "designated_debt_id", record.designated_debt_id))
    if isinstance(record, HoldRecord) and record.debt_id:
        refs.append(("debt", "debt_id", record.debt_id))
    return refs


def import_file(
    parsed: ImportFile,
    store: ImportStore,
    *,
    recorded_by: str = "import",
    listener: EventListener | None = None,
) -> ImportCounts:
    """Check ``parsed`` against itself and the store; write it all or raise with every problem.

    ``listener`` hears the domain events the import appended (consents, holds) after the commit.
    """
    errors = import_problems(parsed, store)
    _log.debug(
        "import_checked", kind=parsed.kind.value, rows=len(parsed.rows), problems=len(errors)
    )
    if errors:
        raise ImportRejectedError(parsed.file_name, errors)
    records = tuple(record for row in parsed.rows for record in row.records)
    counts = store.apply_import(
        ImportBatch(
            kind=parsed.kind,
            file_name=parsed.file_name,
            file_sha256=parsed.file_sha256,
            records=records,
            recorded_by=recorded_by,
        )
    )
    _log.debug(
        "import_applied",
        kind=parsed.kind.value,
        records=len(records),
        inserted=counts.inserted,
        updated=counts.updated,
        unchanged=counts.unchanged,
        events=len(counts.events),
    )
    announce(listener, counts.events)
    return counts


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
            for entity, _field, ident in _references(record):
                if ident not in in_file[entity]:
                    wanted[entity].add(ident)
    known = {entity: store.existing_ids(entity, ids) for entity, ids in wanted.items() if ids}
    for row in good:
        for record in row.records:
            for entity, field, ident in _references(record):
                if ident not in in_file[entity] and ident not in known.get(entity, frozenset()):
                    errors.append(
                        InputError(
                            f"unknown {entity} {ident!r} (not in this file and not stored; "
                            f"import the {entity}s first)",
                            Location(name, row.line, field),
                        )
                    )
    return errors
