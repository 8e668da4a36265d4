"""``maatwerk audit verify``: does the stored ledger add up, and is the event log as written?

Two checks, one command (exit 0 when both are clean, 1 when either finds a problem):

* the ledger's invariants (:mod:`maatwerk.services.ledger_audit`): per case, principal +
  interest + costs - allocated payments - write-offs = balance, to the cent; every payment
  allocated or held as an overpayment; no negative balance;
* the hash chain of the event log (:mod:`maatwerk.services.audit_chain`, one chain per
  creditor): one line for each event changed, removed or inserted, naming it by sequence number
  and chain position (never by what it holds).
"""

from __future__ import annotations

import click

from maatwerk.adapters.storage.ledger_rows import SqlLedger
from maatwerk.cli._common import OneLineError, db_option, emit_json, json_option
from maatwerk.cli._store import open_store
from maatwerk.services.audit_chain import verify_chain
from maatwerk.services.ledger_audit import verify_ledger


__all__ = ["audit"]


@click.group()
def audit() -> None:
    """Audit: check that the ledger adds up, to the cent, and that the event log was not
    changed."""


@audit.command("verify")
@db_option
@json_option
def verify(db_url: str, as_json: bool) -> None:
    """Per case: principal + interest + costs - payments - write-offs = balance; every payment
    allocated or held as an overpayment; no negative balance; and the event log's hash chain
    intact. Exit 1 names each problem."""
    with open_store(db_url) as store:
        report = verify_ledger(store, SqlLedger(store.engine))
        chain = verify_chain(store)
    if as_json:
        emit_json(
            {
                "cases": report.cases,
                "debts": report.debts,
                "payments": report.payments,
                "overpayments": report.overpayments,
                "overpaid": report.overpaid,
                "problems": [
                    {"where": p.where, "message": p.message, "difference": p.difference}
                    for p in report.problems
                ],
                "chain_problems": [p.line() for p in chain],
            }
        )
    else:
        for problem in report.problems:
            click.echo(problem.line(), err=True)
        for chain_problem in chain:
            click.echo(chain_problem.line(), err=True)
        click.echo(
            f"ledger: {report.cases} case(s), {report.debts} debt(s), {report.payments} "
            f"payment(s); {report.overpayments} overpayment(s) held (EUR "
            f"{report.overpaid.format()}); {len(report.problems)} problem(s)"
        )
        click.echo(
            "event log: every chain intact"
            if not chain
            else f"event log: {len(chain)} event(s) changed, removed or inserted"
        )
    if report.problems or chain:
        parts = []
        if report.problems:
            parts.append(f"the ledger does not add up: {len(report.problems)} problem(s)")
        if chain:
            parts.append(f"the event log was changed: {len(chain)} problem(s)")
        raise OneLineError("; ".join(parts), exit_code=1)
