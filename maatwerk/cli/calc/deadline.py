"""``maatwerk calc deadline``: the last day of a statutory term on the Algemene termijnenwet calendar."""

from __future__ import annotations

import datetime as dt

import click

from maatwerk.adapters.calendars import build_calendars
from maatwerk.cli._common import DATE, emit_json, json_option
from maatwerk.core.calendar import ATW, CalendarRangeError, explain_legal_deadline


__all__ = ["deadline"]


@click.command("deadline")
@click.option(
    "--received", required=True, type=DATE, help="Day the letter was received (YYYY-MM-DD)."
)
@click.option(
    "--days",
    required=True,
    type=click.IntRange(min=1),
    help="Length of the term in days (14 for a 14-day letter).",
)
@json_option
def deadline(received: dt.date, days: int, as_json: bool) -> None:
    """Last day of a term of N days counted from the day after RECEIVED (Algemene termijnenwet).

    Day 1 is the day after receipt. A term ending on a Saturday, Sunday, public holiday, 5 May or a
    decreed bridge day runs to the next day that is none of these (Atw art. 1); a term of 3 days or
    more holds at least 2 such working days (art. 2); terms over 90 days are not extended (art. 4).

    The Atw calendar covers 2023-2028 only: the years for which the decreed bridge days are
    known (maatwerk/rules/atw_bridge_days.toml). A term that runs outside those years is refused
    (exit 2) rather than counted on a calendar with unknown closed days.
    """
    try:
        result = explain_legal_deadline(received, days, build_calendars().get(ATW))
    except (CalendarRangeError, OverflowError) as exc:
        message = (
            str(exc)
            if isinstance(exc, CalendarRangeError)
            else "the term would end after 9999-12-31"
        )
        raise click.BadParameter(message, param_hint="'--received'") from None
    tables = [str(version) for version in result.versions]
    if as_json:
        emit_json(
            {
                "last_day": result.last_day,
                "received": result.received,
                "days": result.days,
                "nominal_end": result.nominal_end,
                "atw_applied": result.atw_applied,
                "calendar": result.calendar,
                "tables": tables,
                "provisional": any(v.provisional for v in result.versions),
                "explanation": list(result.lines),
            }
        )
        return
    click.echo(f"Last day: {result.last_day.isoformat()}")
    for line in result.lines[:-1]:
        click.echo(f"  {line}")
    if tables:
        click.echo(f"  Tables: {', '.join(tables)}")
