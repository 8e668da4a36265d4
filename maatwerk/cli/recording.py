"""Recording what people do: ``contact``, ``hold``, ``consent``, ``arrangement``, ``dispute``,
``debt acknowledge``, ``debtor housing``.

Each command appends one event to the debtor's history (nothing is changed in place); the next
daily run takes it into account. ``--by`` names who recorded it; ``--date`` defaults to today.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

import click

from maatwerk.adapters.calendars import build_calendars
from maatwerk.adapters.subsistence_tables import load_subsistence_tables
from maatwerk.cli._common import AMOUNT, DATE, OneLineError, db_option, emit_json, json_option
from maatwerk.cli._dates import today
from maatwerk.cli._store import open_store
from maatwerk.cli._wiring import plugin_manager
from maatwerk.core.calendar import SEPA
from maatwerk.core.debtors import Housing
from maatwerk.core.events import (
    ArrangementAccepted,
    ArrangementOffered,
    ConsentScope,
    ContactChannel,
    ContactOutcome,
    Event,
    PromiseToPay,
    event_to_record,
)
from maatwerk.core.money import Money
from maatwerk.core.ports import Store
from maatwerk.services import recording


__all__ = ["arrangement", "consent", "contact", "debt", "debtor", "dispute", "hold"]


E = TypeVar("E", bound=Event)


def _recorded_line(event: Event) -> str:
    return f"recorded {event.kind} for {event.debtor_id} on {event.occurred_on}"


def _record_command(
    *decorators: Callable[[Any], Any],
    service: Callable[..., E],
    says: Callable[[E], str] = _recorded_line,
) -> click.Command:
    """One record command: ``decorators`` (the group's ``command``, then its arguments and options,
    in the order they would stack) around a body that calls ``service`` on the store with the
    command's own options as they are named, ``on`` (``--date``, default today) and ``by``, and
    that shows the event: as JSON, or ``says`` (default: what was recorded). The plugins'
    ``maatwerk_on_event`` listeners hear it. Problematic debt (no plan fits) exits 1.
    """

    def body(*, by: str, on: dt.date | None, db_url: str, as_json: bool, **options: Any) -> None:
        try:
            with open_store(db_url) as store:
                event = service(
                    store, on=on or today(), by=by, listener=plugin_manager().listener(), **options
                )
        except recording.ProblematicDebtError as exc:
            raise OneLineError(str(exc), exit_code=1) from None
        if as_json:
            emit_json(event_to_record(event))
        else:
            click.echo(says(event))

    command: Any = body
    for option in (
        click.option("--by", required=True, help="Who records this (a user name)."),
        click.option("--date", "on", type=DATE, default=None, help="Date (default today)."),
        db_option,
        json_option,
        *reversed(decorators),
    ):
        command = option(command)
    assert isinstance(command, click.Command)  # noqa: S101 - the first decorator is a command
    return command


def _choice(enum_type: type[enum.Enum]) -> dict[str, Any]:
    """A required option taking one of ``enum_type``'s values, handed on as the member."""
    return {
        "required": True,
        "type": click.Choice([m.value for m in enum_type]),
        "callback": lambda _ctx, _param, value: enum_type(value),
    }


_DEBTOR = click.argument("debtor_id", metavar="DEBTOR")
_DEBT = click.option(
    "--debt", "debt_id", default=None, help="Only this debt (default: whole case)."
)


@click.group()
def contact() -> None:
    """Contact attempts (phone calls, letters, visits) and what came of them."""


_CONTACT_HELP = """\
Log a contact attempt with DEBTOR.

A promise to pay (--outcome promise) needs the day (--promised-on) and the amount (--amount):
escalation waits until that day plus the policy's grace (promise_grace_days); the daily run
then records the promise as kept (paid in full by then) or broken (not, or only partly, paid)."""


def _log_contact(
    store: Store,
    /,
    *,
    outcome: ContactOutcome,
    promised_on: dt.date | None,
    amount: Money | None,
    **options: Any,
) -> Event:
    """A contact, or with ``--outcome promise`` the contact and its promise to pay."""
    if outcome is ContactOutcome.PROMISE:
        if promised_on is None or amount is None:
            missing = [
                name
                for name, value in (("--promised-on", promised_on), ("--amount", amount))
                if value is None
            ]
            raise OneLineError(f"--outcome promise needs {' and '.join(missing)}")
        return recording.log_promise(store, promised_on=promised_on, amount=amount, **options)
    given = [
        name
        for name, value in (("--promised-on", promised_on), ("--amount", amount))
        if value is not None
    ]
    if given:
        raise OneLineError(f"{' and '.join(given)} only go with --outcome promise")
    return recording.log_contact(store, outcome=outcome, **options)


def _contact_says(event: Event) -> str:
    if isinstance(event, PromiseToPay):
        return (
            f"{_recorded_line(event).replace(event.kind, 'contact-attempt (promise)')}\n"
            f"{_recorded_line(event)}: {event.amount} by {event.promised_for}"
        )
    return _recorded_line(event)


_record_command(
    contact.command("log", help=_CONTACT_HELP),
    _DEBTOR,
    click.option("--channel", **_choice(ContactChannel)),
    click.option(
        "--outcome",
        help="cant-pay and wont-pay are different paths (seed 004); promise needs "
        "--promised-on and --amount.",
        **_choice(ContactOutcome),
    ),
    click.option(
        "--promised-on",
        "promised_on",
        type=DATE,
        default=None,
        help="With --outcome promise: the day the debtor promised to pay by.",
    ),
    click.option(
        "--amount",
        type=AMOUNT,
        default=None,
        callback=lambda _ctx, _param, value: None if value is None else Money(value),
        help="With --outcome promise: the amount promised (required; a part of the total is a "
        "promise too, and a part payment by the day does not keep it).",
    ),
    click.option("--note", default="", help="For the case manager; never logged."),
    click.option("--debt", "debt_id", default=None, help="Only about this debt."),
    service=_log_contact,
    says=_contact_says,
)


@click.group()
def hold() -> None:
    """Holds (pauses) on a debt or a whole case."""


_record_command(
    hold.command("add", help="Place a hold for DEBTOR."),
    _DEBTOR,
    click.option("--reason", required=True, help="e.g. dispute, debt-help, vulnerability."),
    click.option("--from", "start", type=DATE, default=None, help="First day (default: --date)."),
    click.option("--until", "end", type=DATE, default=None, help="Last day (default: open)."),
    _DEBT,
    click.option("--id", "hold_id", default=None, help="Your id for the hold."),
    service=recording.add_hold,
    says=lambda event: f"hold {event.hold_id} placed\n{_recorded_line(event)}",
)
_record_command(
    hold.command("end", help="End hold HOLD of DEBTOR (from --date on)."),
    _DEBTOR,
    click.argument("hold_id", metavar="HOLD"),
    service=recording.end_hold,
)


@click.group()
def consent() -> None:
    """The debtor's consents (e.g. to a referral to the municipality)."""


for _name, _service, _verb in (
    ("add", recording.add_consent, "Record"),
    ("revoke", recording.revoke_consent, "Revoke"),
):
    _record_command(
        consent.command(_name, help=f"{_verb} a consent of DEBTOR."),
        _DEBTOR,
        click.option("--scope", **_choice(ConsentScope)),
        service=_service,
    )


@click.group()
def dispute() -> None:
    """Disputes: escalation stops while one is open."""


_record_command(
    dispute.command("open", help="Open a dispute for DEBTOR."),
    _DEBTOR,
    click.option("--reason", default="", help="What the debtor disputes."),
    _DEBT,
    click.option("--id", "dispute_id", default=None, help="Your id for the dispute."),
    service=recording.open_dispute,
    says=lambda event: f"dispute {event.dispute_id} opened\n{_recorded_line(event)}",
)
_record_command(
    dispute.command("resolve", help="Resolve dispute DISPUTE of DEBTOR."),
    _DEBTOR,
    click.argument("dispute_id", metavar="DISPUTE"),
    click.option(
        "--outcome",
        required=True,
        type=click.Choice(["upheld", "rejected", "settled"]),
        help="upheld: the claim stands; rejected: the claim is dropped.",
    ),
    service=recording.resolve_dispute,
)


@click.group()
def debt() -> None:
    """Facts about a debt from the debtor: an acknowledgement (interrupts limitation)."""


_record_command(
    debt.command(
        "acknowledge",
        help="Record that DEBTOR acknowledged a debt (BW 3:318): limitation starts anew the next "
        "day. Too late for a debt already time-barred: that stays barred.",
    ),
    _DEBTOR,
    click.option(
        "--debt",
        "debt_id",
        default=None,
        help="The debt acknowledged (default: every debt of the case).",
    ),
    click.option(
        "--how",
        required=True,
        type=click.Choice(recording.ACKNOWLEDGEMENT_FORMS),
        help="How the debtor acknowledged it.",
    ),
    click.option("--note", default="", help="For the case manager; never logged."),
    service=recording.acknowledge_debt,
)


@click.group()
def arrangement() -> None:
    """Payment arrangements sized to what the household can spare."""


_PROPOSE_HELP = """\
Offer DEBTOR a plan for the case's outstanding total, within what the household can spare.

When no plan fits, the debt is problematic: that is recorded (a problematic-debt flag), the
policy offers a referral to debt help and no bailiff before it; the command exits 1."""


def _propose(store: Store, /, **options: Any) -> ArrangementOffered:
    """The offer, with the room computed from the stored household and the BVV tables; a
    direct-debit plan falls on SEPA business days."""
    return recording.propose_arrangement_for(
        store,
        subsistence=load_subsistence_tables(),
        calendar=build_calendars().get(SEPA),
        **options,
    )


_record_command(
    arrangement.command("propose", help=_PROPOSE_HELP),
    _DEBTOR,
    click.option("--creditor", "creditor_id", required=True, help="The case's creditor."),
    click.option(
        "--capacity",
        type=AMOUNT,
        callback=lambda _ctx, _param, value: None if value is None else Money(value),
        help="What the household says it can spare per month; checked against net income minus "
        "the protected income (BVV) of the stored household. Default: computed from it.",
    ),
    click.option(
        "--method",
        type=click.Choice(["transfer", "direct-debit", "deduction"]),
        default=None,
        help="How the debtor pays. direct-debit needs a valid mandate for the creditor (refused "
        "without one). Default: direct-debit with such a mandate, else transfer.",
    ),
    click.option(
        "--debit-day",
        type=click.IntRange(1, 28),
        default=None,
        help="Day of the month the instalments fall on (default: the mandate's collection day, "
        "else just after payday); moved to the next SEPA business day.",
    ),
    click.option(
        "--payer-id",
        default=None,
        help="With --method deduction (required): the employer's or benefit agency's id, "
        "e.g. a loonheffingennummer (123456789L01), a KvK number, or UWV/SVB.",
    ),
    click.option(
        "--payer-name",
        default=None,
        help="With --method deduction (required): the payer's name (employer, UWV, SVB, "
        "gemeente). Accepting the offer records the debtor's agreement to the deduction.",
    ),
    service=_propose,
    says=lambda event: (
        f"arrangement {event.arrangement_id} offered: {event.instalments} x "
        f"{event.instalment} by {event.method.value if event.method else 'transfer'}"
        f"{f' via {event.payer_name} ({event.payer_id})' if event.payer_id else ''}; "
        f"answer by {event.respond_by}"
    ),
)
_ACCEPT_HELP = """\
Record that DEBTOR accepted an offer, exactly as it was offered.

ARRANGEMENT is the offer's id (from arrangement propose or a delivered offer letter); without it
the debtor's latest open offer (at --creditor when given). The plan accepted is the plan the
debtor was offered: the same amounts, dates, method and debit day. An offer that was replaced by
a later one, or whose time to answer has passed, is refused (exit 2)."""


def _accepted_line(event: ArrangementAccepted) -> str:
    count = len(event.schedule)
    if not count:
        return f"arrangement {event.arrangement_id} accepted"
    (first, amount), (last, _) = event.schedule[0], event.schedule[-1]
    method = event.method.value if event.method else "transfer"
    return (
        f"arrangement {event.arrangement_id} accepted as offered: {count} x {amount} "
        f"from {first} to {last} by {method}"
        f"{f' on day {event.debit_day}' if event.debit_day else ''}"
    )


_record_command(
    arrangement.command("accept", help=_ACCEPT_HELP),
    _DEBTOR,
    click.argument("arrangement_id", metavar="[ARRANGEMENT]", required=False, default=None),
    click.option(
        "--creditor",
        "creditor_id",
        default=None,
        help="Without ARRANGEMENT: the latest open offer of this creditor's case.",
    ),
    service=recording.accept_arrangement,
    says=_accepted_line,
)


@click.group()
def debtor() -> None:
    """Facts about the debtor a person determined: housing for the protected income (Rv 475da lid 7)."""


_HOUSING_HELP = """\
Record how DEBTOR lives, for the protected income (Rv 475da lid 7).

--housing own (owner-occupier) or rent-no-huurtoeslag (a rental without huurtoeslag, Wht art. 11)
asks for the lid 7 increase of the protected income. The engine cannot compute that increase (the
Besluit beslagvrije voet's rule is not in its tables): a person sets it with --owner-increase
(a monthly amount, e.g. from the bailiff's or the debtor's figures). Until then every step that
rests on the protected income waits (guard bvv-needs-person). --housing rent clears it."""


@debtor.command("housing", help=_HOUSING_HELP)
@_DEBTOR
@click.option(
    "--housing",
    required=True,
    type=click.Choice([m.value for m in Housing]),
    callback=lambda _ctx, _param, value: Housing(value),
    help="rent (with huurtoeslag), own, or rent-no-huurtoeslag.",
)
@click.option(
    "--owner-increase",
    "owner_increase",
    type=AMOUNT,
    default=None,
    help="The monthly lid 7 increase a person determined (own / rent-no-huurtoeslag only).",
)
@click.option("--by", required=True, help="Who records this (a user name).")
@click.option("--date", "on", type=DATE, default=None, help="Date (default today).")
@db_option
@json_option
def housing(
    *,
    debtor_id: str,
    housing: Housing,
    owner_increase: Decimal | None,
    by: str,
    on: dt.date | None,
    db_url: str,
    as_json: bool,
) -> None:
    day = on or today()
    increase = None if owner_increase is None else Money(owner_increase)
    with open_store(db_url) as store:
        found = recording.set_housing(
            store, debtor_id, housing=housing, owner_increase=increase, on=day, by=by
        )
    increase = found.owner_increase
    if as_json:
        emit_json(
            {
                "debtor_id": found.debtor_id,
                "housing": housing.value,
                "owner_increase": None if increase is None else increase.amount,
                "recorded_on": day,
                "recorded_by": by,
            }
        )
        return
    line = f"recorded housing {housing.value} for {found.debtor_id} on {day.isoformat()}"
    if increase is not None:
        line += f"; owner increase {increase.format()} a month (Rv 475da lid 7)"
    elif housing.asks_lid7:
        line += "; no increase set: steps that rest on the protected income wait for a person"
    click.echo(line)
