"""``maatwerk audit verify``: check the ledger's invariants (exit 0 clean, exit 1 with each case).

See :mod:`maatwerk.services.ledger_audit` for what is checked.
"""

from __future__ import annotations

import click

from maatwerk.adapters.storage.ledger_rows import SqlLedger
from maatwerk.cli._common import OneLineError, db_option, emit_json, json_option
from maatwerk.cli._store import open_store
from maatwerk.services.ledger_audit import verify_ledger


__all__ = ["audit"]


@click.group()
def audit() -> None:
    """Audit: check that the stored ledger adds up, to the cent."""


@audit.command("verify")
@db_option
@json_option
def verify(db_url: str, as_json: bool) -> None:
    """Per case: principal + interest + costs - payments - write-offs = balance; every payment
    allocated or held as an overpayment; no negative balance. Exit 1 names each problem."""
    with open_store(db_url) as store:
        report = verify_ledger(store, SqlLedger(store.engine))
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
            }
        )
    else:
        for problem in report.problems:
            click.echo(problem.line())
        click.echo(
            f"ledger: {report.cases} case(s), {report.debts} debt(s), {report.payments} "
            f"payment(s); {report.overpayments} overpayment(s) held (EUR "
            f"{report.overpaid.format()}); {len(report.problems)} problem(s)"
        )
    if report.problems:
        raise OneLineError(f"the ledger does not add up: {len(report.problems)} problem(s)", 1)
