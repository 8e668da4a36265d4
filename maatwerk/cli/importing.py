"""``maatwerk import portfolio|debtors|debts|payments|mandates|consents|holds FILE.csv``.

All or nothing per file: any bad row and nothing is imported; every bad row is listed with its
line and field (on stderr, or as ``errors`` with ``--json``) and the exit code is 2. Importing
the same file again changes nothing; a changed row is updated with an audit record. The column
lists are in ``docs/formats/import-csv.md``.
"""

from __future__ import annotations

from pathlib import Path

import click

from maatwerk.adapters.csv_import import read_import_file
from maatwerk.cli._common import OneLineError, db_option, emit_json, json_option
from maatwerk.cli._store import open_store
from maatwerk.cli._wiring import plugin_manager
from maatwerk.cli.returns_import import import_returns_command
from maatwerk.core.records import ImportKind
from maatwerk.services.importing import ImportRejectedError, import_file


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


def _make(kind: ImportKind) -> click.Command:
    @click.command(name=kind.value)
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @db_option
    @json_option
    @click.option("--by", "by", default="import", show_default=True, help="Who imports (audit).")
    def command(file: Path, db_url: str, as_json: bool, by: str) -> None:
        parsed = read_import_file(file, kind)
        with open_store(db_url) as store:
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


def _counts(counts: object) -> dict[str, object]:
    return {name: getattr(counts, name) for name in ("rows", "inserted", "updated", "unchanged")}


for _kind in ImportKind:
    import_.add_command(_make(_kind))
del _kind
import_.add_command(import_returns_command)
