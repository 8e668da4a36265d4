"""``maatwerk privacy export DEBTOR [--out FILE]``: the data-subject access export (AVG art. 15);
``maatwerk privacy erase DEBTOR --by NAME``: anonymisation after retention (AVG art. 17).

The document is checked against ``privacy-export.v1.json`` before it is written; the file is
created with mode 0600 (it holds personal data). Nothing about the debtor is logged; the only
output besides the document is the file name.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import pathlib
from typing import Any

import click

from maatwerk.adapters.channels._documents import validate
from maatwerk.adapters.legal_tables import load_retention_table
from maatwerk.cli._common import DATE, OneLineError, db_option, jsonable
from maatwerk.cli._dates import today
from maatwerk.cli._store import open_store
from maatwerk.services.privacy import UnknownDebtorError, privacy_export
from maatwerk.services.privacy_erase import RetentionAppliesError, privacy_erase
from maatwerk.services.privacy_erase import UnknownDebtorError as EraseUnknownDebtorError


__all__ = ["privacy"]

SCHEMA_FILE = "privacy-export.v1.json"


def _write_private(path: pathlib.Path, text: str) -> None:
    """Write ``text`` to ``path`` readable by the owner only (0600, also when it existed)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            fd = -1
            handle.write(text)
    finally:
        if fd != -1:
            os.close(fd)


@click.group()
def privacy() -> None:
    """Privacy (AVG): the data-subject access export of one debtor, erasure after retention."""


@privacy.command("export")
@click.argument("debtor_id")
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, writable=True, path_type=pathlib.Path),
    default=None,
    help="Write the JSON here (mode 0600); without it, print it.",
)
@db_option
def export(debtor_id: str, out: pathlib.Path | None, db_url: str) -> None:
    """Everything stored about DEBTOR as one JSON document (AVG art. 15)."""
    with open_store(db_url) as store:
        try:
            document: dict[str, Any] = jsonable(privacy_export(store, debtor_id, made_on=today()))
        except UnknownDebtorError:
            raise OneLineError("no such debtor", exit_code=2) from None
    problems = validate(document, SCHEMA_FILE)
    if problems:
        # the problems name JSON paths, never values
        where = problems[0].split(":", 1)[0]
        raise OneLineError(f"the export does not match {SCHEMA_FILE} at {where}", exit_code=1)
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if out is None:
        click.echo(text, nl=False)
        return
    _write_private(out, text)
    click.echo(f"wrote {out}")


@privacy.command("erase")
@click.argument("debtor_id")
@click.option("--by", "by", required=True, help="Who erases (recorded in the audit log).")
@click.option(
    "--date", "on", type=DATE, default=None, help="The day of the erasure (default: today)."
)
@db_option
def erase(debtor_id: str, by: str, on: dt.date | None, db_url: str) -> None:
    """Anonymise DEBTOR's personal data after retention (AVG art. 17).

    Refused (exit 1, with every reason) while a debt is open, a bailiff dossier is open or the
    fiscal retention period (AWR art. 52 lid 4) runs. Ids, amounts and dates stay; files
    already delivered are outside the database.
    """
    day = on or today()
    with open_store(db_url) as store:
        try:
            erased = privacy_erase(
                store, debtor_id, today=day, retention=load_retention_table(), by=by
            )
        except EraseUnknownDebtorError:
            raise OneLineError("no such debtor", exit_code=2) from None
        except RetentionAppliesError as exc:
            raise OneLineError(f"not erased: {'; '.join(exc.reasons)}", exit_code=1) from None
    changed = ", ".join(f"{table} {count}" for table, count in erased.rows.items() if count)
    click.echo(f"erased the personal data of {debtor_id} ({changed or 'nothing stored'})")
