"""``maatwerk sepa ...``: SEPA direct-debit files (incassobestanden) for admins.

``maatwerk sepa build`` turns a collections CSV (docs/formats/sepa-collections.md) into a pain.008
file. Every row is checked first (EPC rules and the ISO XSD); when any row is bad the command exits
with code 2, lists each bad row (line number) and field, and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import click

from maatwerk.adapters.sepa import (
    Creditor,
    DirectDebitMessage,
    PainVersion,
    SepaIssue,
    SepaValidationError,
    check_message,
    read_collections_csv,
    target_calendar,
    write_pain008,
)
from maatwerk.cli._common import DATE, emit_json, json_option
from maatwerk.core.errors import Location


__all__ = ["sepa"]


@click.group()
def sepa() -> None:
    """SEPA direct debit: build pain.008 files."""


def _created_at(value: str | None) -> dt.datetime:
    if value is None:
        return dt.datetime.now().astimezone().replace(microsecond=0)
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not an ISO date-time such as 2026-11-23T10:00:00",
            param_hint="--created-at",
        ) from None


def _collection_date_once(issues: Sequence[SepaIssue]) -> list[SepaIssue]:
    """A problem with --collection-date holds for every row: report it once, against the option."""
    about_date = [i for i in issues if i.location.field == "collection_date"]
    others = [i for i in issues if i.location.field != "collection_date"]
    if about_date:
        others.insert(
            0,
            SepaIssue(location=Location(field="--collection-date"), message=about_date[0].message),
        )
    return others


@sepa.command("build")
@click.option(
    "--collections",
    "collections_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV: end_to_end_id,mandate_id,mandate_date,sequence,debtor_name,debtor_iban,amount,remittance.",
)
@click.option("--creditor-name", required=True, help="Creditor (incassant) name.")
@click.option("--creditor-iban", required=True, help="Creditor IBAN the money goes to.")
@click.option("--creditor-id", required=True, help="SEPA creditor identifier (Incassant-ID).")
@click.option(
    "--creditor-bic", default=None, help="Creditor BIC (optional; NOTPROVIDED if left out)."
)
@click.option("--collection-date", required=True, type=DATE, help="Requested collection date.")
@click.option(
    "--version",
    "version",
    type=click.Choice([v.value for v in PainVersion]),
    default=PainVersion.V08.value,
    show_default=True,
    help="pain.008 version.",
)
@click.option(
    "--created-at",
    default=None,
    help="Creation date-time written in the file (ISO 8601); default: now.",
)
@click.option(
    "--message-id", default=None, help="MsgId (max 35); default: MW- plus the creation time."
)
@click.option(
    "--out",
    "out_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The pain.008 XML file to write.",
)
@json_option
def build(
    *,
    collections_path: Path,
    creditor_name: str,
    creditor_iban: str,
    creditor_id: str,
    creditor_bic: str | None,
    collection_date: dt.date,
    version: str,
    created_at: str | None,
    message_id: str | None,
    out_path: Path,
    as_json: bool,
) -> None:
    """Build a pain.008 direct-debit file from a collections CSV (nothing is written on error)."""
    created = _created_at(created_at)
    creditor = Creditor(
        name=creditor_name, iban=creditor_iban, creditor_id=creditor_id, bic=creditor_bic
    )
    read = read_collections_csv(
        collections_path, creditor=creditor, collection_date=collection_date
    )
    message = DirectDebitMessage(
        message_id=message_id or f"MW-{created:%Y%m%d%H%M%S}",
        created_at=created,
        collections=read.collections,
        version=PainVersion(version),
    )
    calendar = target_calendar(
        min(created.year, collection_date.year), max(created.year, collection_date.year) + 1
    )
    checked = (
        check_message(
            message,
            is_business_day=calendar.is_business_day,
            file=str(collections_path),
            lines=read.lines,
        )
        if read.collections
        else ()
    )
    issues = _collection_date_once(read.issues + checked)
    if issues or not read.writable:
        ordered = sorted(issues, key=lambda i: i.location.line or 0)
        raise SepaValidationError(ordered, file=str(out_path))
    summary = write_pain008(
        message, out_path, is_business_day=calendar.is_business_day, lines=read.lines
    )
    if as_json:
        emit_json(
            {
                "file": str(out_path),
                "version": summary.version.value,
                "message_id": summary.message_id,
                "number_of_transactions": summary.number_of_transactions,
                "control_sum": summary.control_sum,
                "payment_informations": summary.payment_informations,
            }
        )
        return
    click.echo(
        f"Wrote {out_path}: {summary.number_of_transactions} collection(s), "
        f"total EUR {summary.control_sum:.2f}, {summary.payment_informations} batch(es), "
        f"{summary.version.value}, collection date {collection_date.isoformat()}."
    )
