"""``maatwerk knooppunt process|decide|settle``: municipal debt help via the Schuldenknooppunt.

``process --inbox DIR --outbox DIR`` takes every message in the inbox (all or nothing; a bad one
is named with its file and field, exit 2), answers balance requests at once and records
settlement proposals for a person. ``decide DEBTOR PROPOSAL --accept|--reject --by NAME`` records
the decision and writes the reply; an accepted settlement holds the case (debt help of kind
``settlement``). ``settle`` closes every accepted settlement whose amount is booked: the rest is
written off. Stand-in adapter and formats: ``docs/formats/schuldenknooppunt.md``.

The hub comes from the plugins (hook ``maatwerk_debt_settlement_hub``): a plugin that talks to
the real web services needs no ``--inbox``/``--outbox``; without one the stock file stand-in
(``FileHub``) works on those folders.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from maatwerk.cli._common import DATE, OneLineError, db_option, emit_json, json_option
from maatwerk.cli._dates import today
from maatwerk.cli._store import open_store
from maatwerk.cli._wiring import plugin_manager
from maatwerk.core.debt_settlement import InboxRejectedError
from maatwerk.core.events import event_to_record
from maatwerk.core.ports import DebtSettlementHub
from maatwerk.services.knooppunt import complete_settlements, decide_proposal, process_inbox


__all__ = ["knooppunt"]

_DIR = click.Path(file_okay=False, path_type=Path)


@click.group(name="knooppunt")
def knooppunt() -> None:
    """Schuldenknooppunt: answer debt help's balance requests and settlement proposals."""


def _hub(inbox: Path | None, outbox: Path | None) -> DebtSettlementHub:
    """The hub a plugin provides (``maatwerk_debt_settlement_hub``), else the file stand-in."""
    hub = plugin_manager().settlement_hub(inbox=inbox, outbox=outbox)
    if hub is None:
        raise OneLineError(
            "no Schuldenknooppunt hub: give --inbox and --outbox (the file stand-in), or "
            "install a plugin that provides the hub",
            exit_code=2,
        )
    return hub


def _reply_name(outbox: Path | None, message_id: str) -> str:
    """Where the file stand-in wrote a reply; the message id for a plugin's hub."""
    return str(outbox / f"{message_id}.json") if outbox is not None else message_id


@knooppunt.command(name="process")
@click.option(
    "--inbox",
    type=_DIR,
    default=None,
    help="Folder with the messages (*.json), for the file stand-in.",
)
@click.option(
    "--outbox",
    type=_DIR,
    default=None,
    help="Folder the replies are written to, for the file stand-in (a plugin's hub needs neither).",
)
@click.option("--date", "on", type=DATE, default=None, help="Today (default: today).")
@click.option("--by", "by", default="knooppunt", show_default=True, help="Who processes.")
@db_option
@json_option
def process_command(
    *,
    inbox: Path | None,
    outbox: Path | None,
    on: dt.date | None,
    by: str,
    db_url: str,
    as_json: bool,
) -> None:
    """Answer balance requests and record settlement proposals (all messages or none)."""
    if (inbox is None) != (outbox is None):
        raise OneLineError("give both --inbox and --outbox, or neither", exit_code=2)
    hub = _hub(inbox, outbox)
    with open_store(db_url) as store:
        try:
            result = process_inbox(
                store, hub, today=on or today(), recorded_by=by,
                listener=plugin_manager().listener(),
            )  # fmt: skip
        except InboxRejectedError as exc:
            problems = [
                {"file": e.location.file, "field": e.location.field, "message": e.message}
                for e in exc.errors
            ]
            if as_json:
                emit_json({"processed": False, "errors": problems})
            else:
                for e in exc.errors:
                    click.echo(str(e), err=True)
            raise OneLineError(
                f"{len(exc.errors)} problem(s) in the inbox; nothing was processed", exit_code=2
            ) from None
    if as_json:
        emit_json(
            {
                "processed": True,
                "requests": result.requests,
                "proposals": result.proposals,
                "replies": list(result.replies),
                "events": [event_to_record(e) for e in result.events],
            }
        )
        return
    click.echo(
        f"{result.requests} balance request(s) answered, {result.proposals} proposal(s) "
        f"recorded, {len(result.events)} event(s) new"
    )
    for reference in result.replies:
        click.echo(f"  reply {outbox / reference if outbox is not None else reference}")
    for event in result.events:
        if event.kind == "settlement-proposed":
            click.echo(
                f"  proposal {getattr(event, 'proposal_id', '')} for {event.debtor_id}: "
                f"decide with 'maatwerk knooppunt decide {event.debtor_id} "
                f"{getattr(event, 'proposal_id', '')} --accept|--reject --by NAME'"
            )


@knooppunt.command(name="decide")
@click.argument("debtor")
@click.argument("proposal")
@click.option("--accept/--reject", "accept", required=True, help="Accept or reject the proposal.")
@click.option("--by", "by", required=True, help="Who decides (recorded).")
@click.option("--reason", default="", help="Why (required for a rejection; sent to debt help).")
@click.option(
    "--outbox",
    type=_DIR,
    default=None,
    help="Folder the reply is written to, for the file stand-in (a plugin's hub needs none).",
)
@click.option("--date", "on", type=DATE, default=None, help="Day of the decision (default: today).")
@db_option
@json_option
def decide_command(
    *,
    debtor: str,
    proposal: str,
    accept: bool,
    by: str,
    reason: str,
    outbox: Path | None,
    on: dt.date | None,
    db_url: str,
    as_json: bool,
) -> None:
    """Accept or reject settlement PROPOSAL of DEBTOR and write the reply to debt help."""
    hub = _hub(None, outbox)
    with open_store(db_url) as store:
        reply = decide_proposal(
            store, hub, debtor_id=debtor, proposal_id=proposal, accept=accept, by=by,
            on=on or today(), reason=reason, listener=plugin_manager().listener(),
        )  # fmt: skip
    if as_json:
        emit_json(
            {
                "decision": reply.decision.value,
                "amount": reply.amount,
                "claim_total": reply.claim_total,
                "pay_by": reply.pay_by,
                "reply": _reply_name(outbox, reply.message_id),
            }
        )
        return
    if accept:
        click.echo(
            f"accepted: EUR {reply.amount.format()} of EUR {reply.claim_total.format()} "
            f"by {reply.pay_by.isoformat()}; the case is held until it is paid"
        )
    else:
        click.echo("rejected; the case goes on as before")
    click.echo(f"  reply {_reply_name(outbox, reply.message_id)}")


@knooppunt.command(name="settle")
@click.option("--date", "on", type=DATE, default=None, help="Today (default: today).")
@click.option("--by", "by", default="knooppunt", show_default=True, help="Who records.")
@db_option
@json_option
def settle_command(*, on: dt.date | None, by: str, db_url: str, as_json: bool) -> None:
    """Close every accepted settlement whose amount is booked; the rest is written off."""
    with open_store(db_url) as store:
        result = complete_settlements(
            store, today=on or today(), recorded_by=by, listener=plugin_manager().listener()
        )
    if as_json:
        emit_json(
            {
                "completed": [event_to_record(e) for e in result.completed],
                "open": list(result.open),
            }
        )
        return
    for done in result.completed:
        click.echo(
            f"settled {done.debtor_id} ({done.proposal_id}): EUR {done.paid.format()} paid, "
            f"EUR {done.written_off.format()} written off"
        )
    for waiting in result.open:
        late = " OVERDUE: ask debt help" if waiting.overdue else ""
        click.echo(
            f"open {waiting.debtor_id} ({waiting.proposal_id}): EUR {waiting.paid.format()} of "
            f"EUR {waiting.amount.format()} by {waiting.pay_by.isoformat()}{late}"
        )
    if not result.completed and not result.open:
        click.echo("no accepted settlement waiting for payment")
