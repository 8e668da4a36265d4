"""``maatwerk explain DEBTOR [--date DATE] [--json]``: debts, balance, history, decision and why."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from maatwerk.cli._common import DATE, db_option, emit_json, json_option, jsonable
from maatwerk.cli._dates import today
from maatwerk.cli._store import open_store
from maatwerk.cli._wiring import build_evaluator, parse_assignments, plugin_manager
from maatwerk.services.explain import DebtorExplanation, explain_debtor


__all__ = ["explain"]


def _as_dict(result: DebtorExplanation, lang: str) -> dict[str, Any]:
    cases = []
    for case in result.cases:
        decision = case.decision
        cases.append(
            {
                "creditor_id": case.stored.case.creditor_id,
                "debts": [
                    {
                        "debt_id": d.debt_id,
                        "principal": d.principal,
                        "due_date": d.due_date,
                        "kind": d.kind.value,
                        "status": d.status.value,
                        "outstanding": {
                            "principal": d.outstanding.principal,
                            "interest": d.outstanding.interest,
                            "costs": d.outstanding.costs,
                            "total": d.outstanding.total,
                        },
                    }
                    for d in case.stored.case.debts
                ],
                "balance": {
                    "principal": case.balance.principal,
                    "interest": case.balance.interest,
                    "costs": case.balance.costs,
                    "total": case.balance.total,
                },
                "decision": {
                    "policy": decision.policy,
                    "status": decision.status.value,
                    "action_id": decision.action_id,
                    "step": decision.action.step_id if decision.action else None,
                    "action": decision.action.action.value if decision.action else None,
                    "channel": decision.action.channel if decision.action else None,
                    "next_check_on": decision.next_check_on,
                    "reasons": list(decision.explain(lang)),
                },
                "recorded_decision": (
                    None
                    if case.recorded is None
                    else {
                        "outcome": case.recorded.outcome,
                        "step": case.recorded.step,
                        "blocked_by": case.recorded.blocked_by,
                    }
                ),
            }
        )
    history = [
        {
            "sequence": h.sequence,
            "kind": h.kind,
            "occurred_on": h.occurred_on,
            "debt_id": h.debt_id,
            "detail": {k: v for k, v in h.payload.items() if k not in ("note", "kind")},
        }
        for h in result.history
    ]
    return {
        "debtor_id": result.debtor_id,
        "date": result.on,
        "cases": cases,
        "history": history,
    }


@click.command()
@click.argument("debtor_id", metavar="DEBTOR")
@click.option("--date", "on", type=DATE, default=None, help="Controlling date (default today).")
@click.option("--policy", default="humane", show_default=True, help="Default policy.")
@click.option("--policy-for", "policy_for", multiple=True, metavar="CREDITOR=POLICY")
@click.option("--policy-for-segment", "policy_for_segment", multiple=True, metavar="SEGMENT=POLICY")
@click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True)
@db_option
@json_option
def explain(
    *,
    debtor_id: str,
    on: dt.date | None,
    policy: str,
    policy_for: tuple[str, ...],
    policy_for_segment: tuple[str, ...],
    lang: str,
    db_url: str,
    as_json: bool,
) -> None:
    """Explain DEBTOR: debts, balance (principal/interest/costs), history, today's decision.

    With --date, everything as it stood on that day: payments, ledger lines and events dated
    after it do not count."""
    evaluator = build_evaluator(
        plugin_manager(),
        default=policy,
        by_creditor=parse_assignments(policy_for, "--policy-for"),
        by_segment=parse_assignments(policy_for_segment, "--policy-for-segment"),
    )
    with open_store(db_url) as store:
        result = explain_debtor(
            store, evaluator.decide, debtor_id, on or today(), allocation=evaluator.allocation
        )
    data = _as_dict(result, lang)
    if as_json:
        emit_json(data)
        return
    click.echo(f"{debtor_id} on {result.on.isoformat()}")
    for case in data["cases"]:
        balance = jsonable(case["balance"])
        click.echo(
            f"\ncase at {case['creditor_id']}: total {balance['total']} (principal "
            f"{balance['principal']}, interest {balance['interest']}, costs {balance['costs']})"
        )
        for debt in jsonable(case["debts"]):
            click.echo(
                f"  {debt['debt_id']}: {debt['principal']} due {debt['due_date']}, "
                f"{debt['status']}, still owed {debt['outstanding']['total']}"
            )
        decision = case["decision"]
        click.echo(f"  decision ({decision['policy']}): {decision['status']}")
        for line in decision["reasons"]:
            click.echo(f"    {line}")
    click.echo("\nhistory:")
    for item in jsonable(data["history"]):
        click.echo(f"  {item['occurred_on']}  {item['kind']}")
