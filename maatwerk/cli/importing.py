"""``maatwerk import portfolio|debtors|debts|payments|mandates|consents|holds FILE.csv``,
``maatwerk import remittance FILE.csv`` (a payer's deductions at source, booked as payments) and
``maatwerk import municipal-feedback FILE`` (the municipality's answers to referrals, CSV or
JSON; :mod:`maatwerk.services.municipal_feedback`).

All or nothing per file: any bad row and nothing is imported; the bad rows are listed with their
line and field (on stderr, or as ``errors`` with ``--json``; the first hundred, with the count of
all of them) and the exit code is 2. A file is streamed: memory stays flat at any size. Importing
the same file again changes nothing; a changed row is updated with an audit record. The column
lists are in ``docs/formats/import-csv.md``.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import NoReturn

import click

from maatwerk.adapters.csv_import import read_remittance_file, stream_import_file
from maatwerk.adapters.municipal_feedback import read_feedback_file
from maatwerk.cli._common import DATE, OneLineError, db_option, emit_json, json_option
from maatwerk.cli._dates import today
from maatwerk.cli._store import open_store
from maatwerk.cli._wiring import plugin_manager
from maatwerk.cli.returns_import import import_returns_command
from maatwerk.core.errors import InputError
from maatwerk.core.events import event_to_record
from maatwerk.core.records import ImportKind
from maatwerk.services.importing import ImportRejectedError, import_file
from maatwerk.services.municipal_feedback import FeedbackRejectedError, import_feedback
from maatwerk.services.remittance import import_remittance


__all__ = ["import_"]


@click.group(name="import")
def import_() -> None:
    """Import a CSV file into the database (all rows or none)."""


_HELP = {
    ImportKind.PORTFOLIO: "one row per debt, with its debtor's columns on every row",
    ImportKind.DEBTORS: "one row per debtor (household, income, payday, IBAN, flags)",
    ImportKind.DEBTS: "one row per debt of a known debtor",
    ImportKind.PAYMENTS: "one row per payment received",
    ImportKind.MANDATES: "one row per SEPA direct-debit mandate",
    ImportKind.CONSENTS: "one row per consent (e.g. to refer to the municipality)",
    ImportKind.HOLDS: "one row per hold (pause) on a debt or a whole case",
}


#: A file at least this large is read with worker processes unless ``--workers`` says otherwise.
_PARALLEL_FROM_BYTES = 8 * 1024 * 1024


def _workers(asked: int | None, file: Path) -> int:
    """Worker processes for ``file``: as asked, else 2 for a large file on a machine with two
    or more cores (the writing process needs about half of what the checking ones do), else 0."""
    if asked is not None:
        return asked
    if file.stat().st_size < _PARALLEL_FROM_BYTES or (os.cpu_count() or 1) < 2:
        return 0
    return 2


def _make(kind: ImportKind) -> click.Command:
    @click.command(name=kind.value)
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @db_option
    @json_option
    @click.option("--by", "by", default="import", show_default=True, help="Who imports (audit).")
    @click.option(
        "--workers",
        type=click.IntRange(min=0),
        default=None,
        help="Processes that check the rows beside the one that writes (default: 2 for a file "
        "of 8 MiB or more on a machine with two or more cores, else 0: all in one process).",
    )
    def command(file: Path, db_url: str, as_json: bool, by: str, workers: int | None) -> None:
        with open_store(db_url) as store:
            parsed = stream_import_file(
                file, kind, workers=_workers(workers, file), prepare=store.row_preparer()
            )
            try:
                counts = import_file(
                    parsed, store, recorded_by=by, listener=plugin_manager().listener()
                )
            except ImportRejectedError as exc:
                if as_json:
                    emit_json(
                        {
                            "imported": False,
                            "file": file.name,
                            "problems": exc.total,
                            "errors": [
                                {
                                    "line": e.location.line,
                                    "field": e.location.field,
                                    "message": e.message,
                                }
                                for e in exc.errors
                            ],
                        }
                    )
                else:
                    for error in exc.errors:
                        click.echo(str(error), err=True)
                raise OneLineError(str(exc), exit_code=2) from None
        if as_json:
            emit_json({"imported": True, "file": file.name, "kind": kind.value, **_counts(counts)})
        else:
            click.echo(
                f"{file.name}: {counts.rows} record(s): {counts.inserted} new, "
                f"{counts.updated} changed, {counts.unchanged} unchanged"
            )

    command.help = f"Import a {kind.value} CSV file: {_HELP[kind]}."
    return command


@click.command(name="remittance")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--date", "on", type=DATE, default=None, help="Today (default: today).")
@click.option("--by", "by", default="import", show_default=True, help="Who imports (audit).")
@db_option
@json_option
def import_remittance_command(
    *, file: Path, on: dt.date | None, by: str, db_url: str, as_json: bool
) -> None:
    """Import a payer's remittance CSV: what an employer or benefit agency deducted for a
    deduction-at-source plan, one row per debtor per month, booked as payments.

    Columns: payer_id, debtor_id, period (YYYY-MM), amount, paid_on (YYYY-MM-DD); optional
    reference, debt_id, currency. Each row must answer a deduction instruction we sent to that
    payer for that debtor and month; a row without one rejects the file. A row above the
    instructed amount is booked and flagged for a person to check. All rows or none; importing
    again books nothing twice (one payment per payer, debtor and month)."""
    parsed = read_remittance_file(file)
    with open_store(db_url) as store:
        try:
            result = import_remittance(
                parsed, store, on=on or today(), recorded_by=by,
                listener=plugin_manager().listener(),
            )  # fmt: skip
        except ImportRejectedError as exc:
            _rejected(exc, file, as_json=as_json)
    flagged = [
        {
            "line": f.line,
            "field": "amount",
            "payer_id": f.event.payer_id,
            "debtor_id": f.event.debtor_id,
            "period": f.event.period,
            "instructed": f.event.instructed.amount,
            "remitted": f.event.remitted.amount,
        }
        for f in result.flagged
    ]
    if as_json:
        emit_json(
            {
                "imported": True,
                "file": file.name,
                "kind": "remittance",
                **_counts(result.counts),
                "flagged": flagged,
            }
        )
        return
    counts = result.counts
    click.echo(
        f"{file.name}: {counts.rows} record(s): {counts.inserted} new, "
        f"{counts.updated} changed, {counts.unchanged} unchanged"
    )
    for f in flagged:
        click.echo(
            f"{file.name}, line {f['line']}, field 'amount': flagged for review: "
            f"{f['remitted']} remitted for {f['period']}, {f['instructed']} instructed",
            err=True,
        )


def _rejected(exc: ImportRejectedError, file: Path, *, as_json: bool) -> NoReturn:
    if as_json:
        emit_json(
            {
                "imported": False,
                "file": file.name,
                "errors": [
                    {"line": e.location.line, "field": e.location.field, "message": e.message}
                    for e in exc.errors
                ],
            }
        )
    else:
        for error in exc.errors:
            click.echo(str(error), err=True)
    raise OneLineError(str(exc), exit_code=2) from None


def _counts(counts: object) -> dict[str, object]:
    return {name: getattr(counts, name) for name in ("rows", "inserted", "updated", "unchanged")}


@click.command(name="municipal-feedback")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--date", "on", type=DATE, default=None, help="Today (default: today); no answer after it."
)
@click.option("--by", "by", default="municipal-feedback", show_default=True, help="Who imports.")
@db_option
@json_option
def import_feedback_command(
    *, file: Path, on: dt.date | None, by: str, db_url: str, as_json: bool
) -> None:
    """Import the municipality's answers to debt-help referrals (CSV or JSON): all rows or none.

    Columns: reference (our signal_id or customer number), outcome (accepted, in-debt-help,
    stabilisation, no-contact, refused), date. Accepted, in-debt-help and stabilisation hold the
    case (debt help); no-contact and refused resume it, starting with a personal call.
    """
    parsed = read_feedback_file(file)
    with open_store(db_url) as store:
        try:
            result = import_feedback(
                store,
                parsed,
                today=on or today(),
                recorded_by=by,
                listener=plugin_manager().listener(),
            )
        except FeedbackRejectedError as exc:
            if as_json:
                emit_json(
                    {
                        "imported": False,
                        "file": file.name,
                        "errors": [
                            {
                                parsed.record_word: e.location.line,
                                "field": e.location.field,
                                "message": e.message,
                            }
                            for e in exc.errors
                        ],
                    }
                )
            else:
                for error in exc.errors:
                    click.echo(_feedback_error(error, parsed.record_word), err=True)
            raise OneLineError(str(exc), exit_code=2) from None
    for failure in result.listener_failures:
        click.echo(f"Warning: {failure}", err=True)
    if as_json:
        emit_json(
            {
                "imported": True,
                "file": file.name,
                "already_imported": result.already_imported,
                "rows": result.rows,
                "recorded": len(result.events),
                "duplicates": result.duplicates,
                "events": [event_to_record(e) for e in result.events],
            }
        )
        return
    if result.already_imported:
        click.echo(f"{file.name}: imported before; nothing recorded")
        return
    click.echo(
        f"{file.name}: {result.rows} answer(s), {len(result.events)} event(s) recorded, "
        f"{result.duplicates} recorded before"
    )


def _feedback_error(error: InputError, word: str) -> str:
    where = error.location
    place = f"{where.file}, {word} {where.line}" if where.line else str(where.file)
    field = f", field {where.field}" if where.field else ""
    return f"{place}{field}: {error.message}"


for _kind in ImportKind:
    import_.add_command(_make(_kind))
del _kind
import_.add_command(import_remittance_command)
import_.add_command(import_returns_command)
import_.add_command(import_feedback_command)
