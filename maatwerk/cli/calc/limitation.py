"""``maatwerk calc limitation``: the last day a claim can still be enforced (verjaring)."""

from __future__ import annotations

import datetime as dt

import click

from maatwerk.cli._common import DATE, emit_json, json_option
from maatwerk.core.limitation import LimitationKind, limitation_date


__all__ = ["limitation"]


@click.command("limitation")
@click.option("--due", required=True, type=DATE, help="Due date of the claim (YYYY-MM-DD).")
@click.option(
    "--kind",
    type=click.Choice([kind.value for kind in LimitationKind]),
    default=LimitationKind.CONTRACT.value,
    show_default=True,
    help="contract (BW 3:307), periodic (3:308, per instalment), consumer-sale (7:28), "
    "public (Awb 4:104).",
)
@click.option(
    "--interrupted",
    type=DATE,
    multiple=True,
    help="Date of a written reminder or an acknowledgement (repeatable).",
)
@json_option
def limitation(due: dt.date, kind: str, interrupted: tuple[dt.date, ...], as_json: bool) -> None:
    """Last day the claim due on --due can still be enforced.

    The period starts the day after the due date. A reminder or acknowledgement starts a new
    period (same length, at most 5 years) that never ends before the old one; one dated after the
    claim expired changes nothing.
    """
    try:
        result = limitation_date(due, LimitationKind(kind), interrupted)
    except OverflowError:
        raise click.BadParameter(
            "the limitation period would end after 9999-12-31", param_hint="'--due'"
        ) from None
    if as_json:
        emit_json(
            {
                "last_day": result.last_day,
                "due": result.due,
                "kind": result.kind,
                "years": result.years,
                "start": result.start,
                "original_last_day": result.original_last_day,
                "interruptions_applied": list(result.interruptions_applied),
                "interruptions_ignored": list(result.interruptions_ignored),
                "explanation": list(result.lines),
            }
        )
        return
    click.echo(f"Last day: {result.last_day.isoformat()}")
    for line in result.lines[:-1]:
        click.echo(f"  {line}")
