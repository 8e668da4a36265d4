"""``maatwerk returns ...``: read bank returns (storneringen) from camt.053/054, pain.002 or MT940.

``maatwerk returns read FILE`` prints each returned or rejected collection with its reason code and
the policy group the code belongs to (``maatwerk/rules/return_reasons.toml``). With ``--json`` it
prints one object: ``{"file", "format", "message", "reasons_table", "returns": [...],
"batch_rejections": [...]}``; each return has ``end_to_end_id, mandate_id, amount, reason, group,
booking_date`` (plus ``stage`` and ``known_reason``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from maatwerk.adapters.returns import ReturnsFile, read_returns
from maatwerk.cli._common import emit_json, json_option
from maatwerk.core.returns import ReturnedCollection


__all__ = ["returns"]


@click.group()
def returns() -> None:
    """Bank returns: read camt.053/054, pain.002 and MT940 files."""


def return_item(item: ReturnedCollection) -> dict[str, Any]:
    """The JSON shape of one return (the listed keys are stable)."""
    return {
        "end_to_end_id": item.end_to_end_id,
        "mandate_id": item.mandate_id,
        "amount": item.amount,
        "reason": item.reason,
        "group": item.group.value,
        "booking_date": item.booking_date,
        "stage": item.stage.value,
        "known_reason": item.known_reason,
    }


def _payload(result: ReturnsFile) -> dict[str, Any]:
    return {
        "file": result.file,
        "format": result.format,
        "message": result.message,
        "reasons_table": str(result.reasons_version) if result.reasons_version else None,
        "returns": [return_item(item) for item in result.returns],
        "batch_rejections": [
            {
                "original_message_id": batch.original_message_id,
                "payment_information_id": batch.payment_information_id,
                "reason": batch.reason,
                "group": batch.group.value,
            }
            for batch in result.batch_rejections
        ],
    }


@returns.command("read")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@json_option
def read(file: Path, as_json: bool) -> None:
    """Print the returned and rejected collections in FILE."""
    result = read_returns(file)
    if as_json:
        emit_json(_payload(result))
        return
    click.echo(f"{result.file}: {result.format}, {len(result.returns)} return(s)")
    for item in result.returns:
        booked = item.booking_date.isoformat() if item.booking_date else "not booked"
        unknown = " (unknown code)" if not item.known_reason else ""
        click.echo(
            f"  {item.end_to_end_id or '-'}  mandate {item.mandate_id or '-'}  "
            f"EUR {item.amount.format()}  {item.reason or '-'}{unknown}  "
            f"{item.group.value}  {booked}"
        )
    for batch in result.batch_rejections:
        click.echo(
            f"  batch {batch.payment_information_id or batch.original_message_id or '-'} "
            f"rejected: {batch.reason or '-'} ({batch.group.value})"
        )
