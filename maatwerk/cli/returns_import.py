"""``maatwerk import returns FILE``: record bank returns against the collections we sent.

Reads FILE with a returns importer (``--format``, default ``bank-returns``: camt.053/054,
pain.002 or MT940, detected from the content; plugins may add importers of kind ``returns``),
matches every return to a collection the ``sepa-direct-debit`` channel delivered and records
the events the policy reacts to, all at once (see :mod:`maatwerk.services.returns_import`).

Exit 2 and nothing recorded when the file is bad (hostile XML included) or when any return does
not match a collection (each one is listed on stderr, or as ``errors`` with ``--json``).
Importing the same file again records nothing (``"already_imported": true``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import click

from maatwerk.cli._common import DATE, OneLineError, db_option, emit_json, json_option
from maatwerk.cli._dates import today
from maatwerk.cli._store import open_store
from maatwerk.cli._wiring import plugin_manager
from maatwerk.core.errors import InputError, Location, PluginError
from maatwerk.core.returns import ReturnedCollection
from maatwerk.plugins.manager import MaatwerkPlugins
from maatwerk.services.returns_import import (
    RecordedReturn,
    ReturnsRejectedError,
    import_returns,
)


__all__ = ["import_returns_command"]

DEFAULT_IMPORTER = "bank-returns"


def _read(plugins: MaatwerkPlugins, name: str, file: Path) -> tuple[ReturnedCollection, ...]:
    available = plugins.importers(kind="returns")
    if name not in available:
        raise InputError(
            f"no returns importer {name!r}; available: {', '.join(sorted(available)) or 'none'}",
            Location(field="--format"),
        )
    records = tuple(plugins.importer(name).read(file))
    for record in records:
        if not isinstance(record, ReturnedCollection):
            raise PluginError(
                f"importer {name!r} returned {type(record).__name__}, not ReturnedCollection",
                hook="maatwerk_register_importers",
            )
    return tuple(r for r in records if isinstance(r, ReturnedCollection))


def _item(item: RecordedReturn) -> dict[str, Any]:
    return {
        "end_to_end_id": item.end_to_end_id,
        "debtor_id": item.debtor_id,
        "debt_id": item.debt_id,
        "amount": item.amount,
        "reason": item.reason,
        "group": item.group.value,
        "reaction": item.reaction.reaction.value,
        "may_re_present": item.reaction.may_re_present,
        "explanation": item.reaction.explanation,
        "new": item.new,
    }


@click.command(name="returns")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "importer_name",
    default=DEFAULT_IMPORTER,
    show_default=True,
    help="Returns importer by name (see 'maatwerk plugins').",
)
@click.option(
    "--date",
    "received_on",
    type=DATE,
    default=None,
    help="Date for rejects without a booking date (pain.002); default today.",
)
@click.option("--by", "by", default="returns-import", show_default=True, help="Who imports.")
@db_option
@json_option
def import_returns_command(
    *,
    file: Path,
    importer_name: str,
    received_on: dt.date | None,
    by: str,
    db_url: str,
    as_json: bool,
) -> None:
    """Import bank returns (camt.053/054, pain.002, MT940): all returns or none."""
    plugins = plugin_manager()
    returns = _read(plugins, importer_name, file)
    digest = hashlib.sha256(file.read_bytes()).hexdigest()
    with open_store(db_url) as store:
        try:
            result = import_returns(
                store,
                returns,
                file_name=file.name,
                file_sha256=digest,
                received_on=received_on or today(),
                recorded_by=by,
                listener=plugins.listener(),
            )
        except ReturnsRejectedError as exc:
            if as_json:
                emit_json(
                    {
                        "imported": False,
                        "file": file.name,
                        "errors": [
                            {"field": e.location.field, "message": e.message} for e in exc.errors
                        ],
                    }
                )
            else:
                for error in exc.errors:
                    click.echo(str(error), err=True)
            raise OneLineError(str(exc), exit_code=2) from None
    for failure in result.listener_failures:
        click.echo(f"Warning: {failure}", err=True)
    new = [r for r in result.returns if r.new]
    if as_json:
        emit_json(
            {
                "imported": True,
                "file": file.name,
                "already_imported": result.already_imported,
                "returns": [_item(r) for r in result.returns],
                "recorded": len(new),
                "duplicates": result.duplicates,
                "events": len(result.events),
                "listener_failures": [str(f) for f in result.listener_failures],
            }
        )
        return
    if result.already_imported:
        click.echo(f"{file.name}: imported before; nothing recorded")
        return
    click.echo(
        f"{file.name}: {len(result.returns)} return(s), {len(new)} new, "
        f"{len(result.returns) - len(new)} recorded before"
    )
    for item in result.returns:
        click.echo(
            f"  {item.end_to_end_id}  {item.debtor_id}  EUR {item.amount.format()}  "
            f"{item.reason or '-'}  {item.group.value}: {item.reaction.explanation}"
        )
