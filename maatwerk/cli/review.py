"""``maatwerk review list|approve ID --by NAME|reject ID --by NAME --reason ...`` (maker-checker)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import click

from maatwerk.cli._common import DATE, db_option, emit_json, json_option
from maatwerk.cli._dates import today
from maatwerk.cli._store import open_store
from maatwerk.cli._wiring import plugin_manager
from maatwerk.core.records import DecisionRecord, ReviewItem, ReviewStatus
from maatwerk.services import review as service


__all__ = ["review"]


def _facts(decision: DecisionRecord | None) -> dict[str, object]:
    """What the decision that proposed the step says for a checker: the amount owed, months in
    arrears, the room above the protected income, the household's flags and the first line of
    the explanation about today (``None``/empty for a decision recorded before these were
    kept; then the explanation's first line)."""
    detail = {} if decision is None else decision.detail
    review = detail.get("review")
    facts = review if isinstance(review, Mapping) else {}
    lines = detail.get("explanation_nl")
    first = facts.get("explanation")
    if first is None and isinstance(lines, list) and lines:
        first = lines[0]
    flags = facts.get("flags")
    return {
        "amount": facts.get("amount"),
        "arrears_months": detail.get("arrears_months"),
        "room": facts.get("room"),
        "flags": list(flags) if isinstance(flags, list) else [],
        "explanation": first,
    }


def _row(item: ReviewItem, decision: DecisionRecord | None = None) -> dict[str, object]:
    entry = item.item.entry
    return {
        "id": item.review_id,
        "status": item.status.value,
        "debtor_id": entry.case.debtor_id,
        "creditor_id": entry.case.creditor_id,
        "step": entry.step,
        "action": entry.action,
        "channel": entry.channel,
        "debt_ids": list(entry.debt_ids),
        "run_date": entry.run_date,
        "prepared_by": item.prepared_by,
        "four_eyes": item.four_eyes,
        "decided_by": item.decided_by,
        "reason": item.reason,
        **_facts(decision),
    }


@click.group()
def review() -> None:
    """Steps waiting for a person: bailiff hand-over, write-off, early signal (four eyes)."""


@review.command("list")
@click.option("--all", "show_all", is_flag=True, help="Also approved and rejected ones.")
@db_option
@json_option
def list_(show_all: bool, db_url: str, as_json: bool) -> None:
    """List the steps waiting for review."""
    with open_store(db_url) as store:
        items = store.reviews(None if show_all else ReviewStatus.PENDING)
        rows = [_row(i, store.decision(i.item.entry.case, i.item.entry.run_date)) for i in items]
    if as_json:
        emit_json({"reviews": rows})
        return
    if not items:
        click.echo("nothing waits for review")
        return
    click.echo("id\tstatus\trun date\tcase\tstep\tamount\tmonths\troom\tflags\tprepared by\twhy")
    for item, row in zip(items, rows, strict=True):
        entry = item.item.entry
        flags = row["flags"]
        click.echo(
            f"{item.review_id}\t{item.status.value}\t{entry.run_date.isoformat()}\t"
            f"{entry.case}\t{entry.step} ({entry.action})\t{_cell(row['amount'])}\t"
            f"{_cell(row['arrears_months'])}\t{_cell(row['room'])}\t"
            f"{','.join(map(str, flags)) if isinstance(flags, list) and flags else '-'}\t"
            f"{item.prepared_by}\t{_cell(row['explanation'])}"
        )


def _cell(value: object) -> str:
    return "-" if value is None else str(value)


def _done(item: ReviewItem, as_json: bool) -> None:
    if as_json:
        emit_json(_row(item))
    else:
        click.echo(f"review {item.review_id}: {item.status.value} by {item.decided_by}")


@review.command()
@click.argument("review_id", metavar="ID", type=int)
@click.option("--by", required=True, help="Who approves (must differ from who prepared it).")
@click.option("--date", "on", type=DATE, default=None, help="Approval date (default today).")
@db_option
@json_option
def approve(review_id: int, by: str, on: dt.date | None, db_url: str, as_json: bool) -> None:
    """Approve a step; it is delivered on the next run."""
    with open_store(db_url) as store:
        item = service.approve(
            store, review_id, by=by, on=on or today(), listener=plugin_manager().listener()
        )
    _done(item, as_json)


@review.command()
@click.argument("review_id", metavar="ID", type=int)
@click.option("--by", required=True, help="Who rejects.")
@click.option("--reason", required=True, help="Why (kept with the case).")
@click.option("--date", "on", type=DATE, default=None, help="Date (default today).")
@db_option
@json_option
def reject(
    *, review_id: int, by: str, reason: str, on: dt.date | None, db_url: str, as_json: bool
) -> None:
    """Reject a step; the policy does not propose it again for these debts."""
    with open_store(db_url) as store:
        item = service.reject(
            store,
            review_id,
            by=by,
            reason=reason,
            on=on or today(),
            listener=plugin_manager().listener(),
        )
    _done(item, as_json)
