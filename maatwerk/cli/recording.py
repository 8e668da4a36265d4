"""Recording what people do: ``contact``, ``hold``, ``consent``, ``arrangement``, ``dispute``.

Each command appends one event to the debtor's history (nothing is changed in place); the next
daily run takes it into account. ``--by`` names who recorded it; ``--date`` defaults to today.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

import click

from maatwerk.adapters.subsistence_tables import load_subsistence_tables
from maatwerk.cli._common import AMOUNT, DATE, OneLineError, db_option, emit_json, json_option
from maatwerk.cli._dates import today
from maatwerk.cli._store import open_store
from maatwerk.cli._wiring import plugin_manager
from maatwerk.core.events import (
    ConsentScope,
    ContactChannel,
    ContactOutcome,
    Event,
    event_to_record,
)
from maatwerk.core.money import Money
from maatwerk.services import recording


__all__ = ["arrangement", "consent", "contact", "dispute", "hold"]


F = TypeVar("F", bound=Callable[..., Any])
E = TypeVar("E", bound=Event)


def _record(
    service: Callable[..., E], db_url: str, /, *args: object, on: dt.date | None, **kwargs: object
) -> E:
    """Call the recording ``service`` on the store at ``db_url`` for ``on`` (default today); the
    plugins' ``maatwerk_on_event`` listeners hear the recorded event."""
    with open_store(db_url) as store:
        return service(
            store, *args, on=on or today(), listener=plugin_manager().listener(), **kwargs
        )


def _common(func: F) -> F:
    func = click.option("--by", required=True, help="Who records this (a user name).")(func)
    func = click.option("--date", "on", type=DATE, default=None, help="Date (default today).")(func)
    return json_option(db_option(func))


def _choice(enum_type: type[Any]) -> click.Choice[str]:
    return click.Choice([m.value for m in enum_type])


def _show(event: Event, as_json: bool) -> None:
    if as_json:
        emit_json(event_to_record(event))
    else:
        click.echo(f"recorded {event.kind} for {event.debtor_id} on {event.occurred_on}")


@click.group()
def contact() -> None:
    """Contact attempts (phone calls, letters, visits) and what came of them."""


@contact.command("log")
@click.argument("debtor_id", metavar="DEBTOR")
@click.option("--channel", required=True, type=_choice(ContactChannel))
@click.option(
    "--outcome",
    required=True,
    type=_choice(ContactOutcome),
    help="cant-pay and wont-pay are different paths (seed 004).",
)
@click.option("--note", default="", help="For the case manager; never logged.")
@click.option("--debt", "debt_id", default=None, help="Only about this debt.")
@_common
def contact_log(
    *,
    debtor_id: str,
    channel: str,
    outcome: str,
    note: str,
    debt_id: str | None,
    by: str,
    on: dt.date | None,
    db_url: str,
    as_json: bool,
) -> None:
    """Log a contact attempt with DEBTOR."""
    event = _record(
        recording.log_contact,
        db_url,
        debtor_id,
        channel=ContactChannel(channel),
        outcome=ContactOutcome(outcome),
        note=note,
        on=on,
        by=by,
        debt_id=debt_id,
    )
    _show(event, as_json)


@click.group()
def hold() -> None:
    """Holds (pauses) on a debt or a whole case."""


@hold.command("add")
@click.argument("debtor_id", metavar="DEBTOR")
@click.option("--reason", required=True, help="e.g. dispute, debt-help, vulnerability.")
@click.option("--from", "start", type=DATE, default=None, help="First day (default: --date).")
@click.option("--until", "end", type=DATE, default=None, help="Last day (default: open).")
@click.option("--debt", "debt_id", default=None, help="Only this debt (default: whole case).")
@click.option("--id", "hold_id", default=None, help="Your id for the hold.")
@_common
def hold_add(
    *,
    debtor_id: str,
    reason: str,
    start: dt.date | None,
    end: dt.date | None,
    debt_id: str | None,
    hold_id: str | None,
    by: str,
    on: dt.date | None,
    db_url: str,
    as_json: bool,
) -> None:
    """Place a hold for DEBTOR."""
    event = _record(
        recording.add_hold,
        db_url,
        debtor_id,
        reason=reason,
        start=start,
        end=end,
        on=on,
        by=by,
        debt_id=debt_id,
        hold_id=hold_id,
    )
    if not as_json:
        click.echo(f"hold {event.hold_id} placed")
    _show(event, as_json)


@hold.command("end")
@click.argument("debtor_id", metavar="DEBTOR")
@click.argument("hold_id", metavar="HOLD")
@_common
def hold_end(
    *, debtor_id: str, hold_id: str, by: str, on: dt.date | None, db_url: str, as_json: bool
) -> None:
    """End hold HOLD of DEBTOR (from --date on)."""
    _show(_record(recording.end_hold, db_url, debtor_id, hold_id, on=on, by=by), as_json)


@click.group()
def consent() -> None:
    """The debtor's consents (e.g. to a referral to the municipality)."""


def _consent_command(name: str, revoke: bool) -> click.Command:
    @click.command(name)
    @click.argument("debtor_id", metavar="DEBTOR")
    @click.option("--scope", required=True, type=_choice(ConsentScope))
    @_common
    def command(
        *, debtor_id: str, scope: str, by: str, on: dt.date | None, db_url: str, as_json: bool
    ) -> None:
        service = recording.revoke_consent if revoke else recording.add_consent
        event = _record(service, db_url, debtor_id, scope=ConsentScope(scope), on=on, by=by)
        _show(event, as_json)

    command.help = f"{'Revoke' if revoke else 'Record'} a consent of DEBTOR."
    return command


consent.add_command(_consent_command("add", revoke=False))
consent.add_command(_consent_command("revoke", revoke=True))


@click.group()
def dispute() -> None:
    """Disputes: escalation stops while one is open."""


@dispute.command("open")
@click.argument("debtor_id", metavar="DEBTOR")
@click.option("--reason", default="", help="What the debtor disputes.")
@click.option("--debt", "debt_id", default=None, help="Only this debt (default: whole case).")
@click.option("--id", "dispute_id", default=None, help="Your id for the dispute.")
@_common
def dispute_open(
    *,
    debtor_id: str,
    reason: str,
    debt_id: str | None,
    dispute_id: str | None,
    by: str,
    on: dt.date | None,
    db_url: str,
    as_json: bool,
) -> None:
    """Open a dispute for DEBTOR."""
    event = _record(
        recording.open_dispute,
        db_url,
        debtor_id,
        reason=reason,
        on=on,
        by=by,
        debt_id=debt_id,
        dispute_id=dispute_id,
    )
    if not as_json:
        click.echo(f"dispute {event.dispute_id} opened")
    _show(event, as_json)


@dispute.command("resolve")
@click.argument("debtor_id", metavar="DEBTOR")
@click.argument("dispute_id", metavar="DISPUTE")
@click.option(
    "--outcome",
    required=True,
    type=click.Choice(["upheld", "rejected", "settled"]),
    help="upheld: the claim stands; rejected: the claim is dropped.",
)
@_common
def dispute_resolve(
    *,
    debtor_id: str,
    dispute_id: str,
    outcome: str,
    by: str,
    on: dt.date | None,
    db_url: str,
    as_json: bool,
) -> None:
    """Resolve dispute DISPUTE of DEBTOR."""
    event = _record(
        recording.resolve_dispute, db_url, debtor_id, dispute_id, outcome=outcome, on=on, by=by
    )
    _show(event, as_json)


@click.group()
def arrangement() -> None:
    """Payment arrangements sized to what the household can spare."""


@arrangement.command("propose")
@click.argument("debtor_id", metavar="DEBTOR")
@click.option("--creditor", "creditor_id", required=True, help="The case's creditor.")
@click.option(
    "--capacity",
    type=AMOUNT,
    help="What the household says it can spare per month; checked against net income minus "
    "the protected income (BVV) of the stored household. Default: computed from it.",
)
@_common
def arrangement_propose(
    *,
    debtor_id: str,
    creditor_id: str,
    capacity: Decimal | None,
    by: str,
    on: dt.date | None,
    db_url: str,
    as_json: bool,
) -> None:
    """Offer DEBTOR a plan for the case's outstanding total, within what the household can spare.

    When no plan fits, the debt is problematic: that is recorded (a problematic-debt flag), the
    policy offers a referral to debt help and no bailiff before it; the command exits 1.
    """
    try:
        event = _record(
            recording.propose_arrangement_for,
            db_url,
            debtor_id,
            creditor_id=creditor_id,
            capacity=None if capacity is None else Money(capacity),
            subsistence=load_subsistence_tables(),
            on=on,
            by=by,
        )
    except recording.ProblematicDebtError as exc:
        raise OneLineError(str(exc), exit_code=1) from None
    if not as_json:
        click.echo(
            f"arrangement {event.arrangement_id} offered: {event.instalments} x "
            f"{event.instalment}; answer by {event.respond_by}"
        )
        return
    _show(event, as_json)


@arrangement.command("accept")
@click.argument("debtor_id", metavar="DEBTOR")
@click.argument("arrangement_id", metavar="ARRANGEMENT")
@_common
def arrangement_accept(
    *,
    debtor_id: str,
    arrangement_id: str,
    by: str,
    on: dt.date | None,
    db_url: str,
    as_json: bool,
) -> None:
    """Record that DEBTOR accepted arrangement ARRANGEMENT."""
    event = _record(recording.accept_arrangement, db_url, debtor_id, arrangement_id, on=on, by=by)
    _show(event, as_json)
