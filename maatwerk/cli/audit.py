"""``maatwerk audit verify``: is the event log as the store wrote it?

Checks the hash chain of the event log (one chain per creditor) and prints one line for each
event changed, removed or inserted, naming it by sequence number and chain position (never by
what it holds). Exit 0 when intact, 1 when anything is wrong.
"""

from __future__ import annotations

import click

from maatwerk.cli._common import OneLineError, db_option
from maatwerk.cli._store import open_store
from maatwerk.services.audit_chain import verify_chain


__all__ = ["audit"]


@click.group()
def audit() -> None:
    """Audit: check that the event log was not changed."""


@audit.command("verify")
@db_option
def verify(db_url: str) -> None:
    """Check the hash chain of the event log; name every event changed, removed or inserted."""
    with open_store(db_url) as store:
        problems = verify_chain(store)
    if problems:
        for problem in problems[:-1]:
            click.echo(problem.line(), err=True)
        raise OneLineError(problems[-1].line(), exit_code=1)
    click.echo("event log: every chain intact")
