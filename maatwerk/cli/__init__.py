"""The ``maatwerk`` command line: thin click commands that parse, call one service and render.

Each command group lives in its own module in this package (as hatch does with
``src/hatch/cli/<command>/``), so that groups can grow without touching each other.
Register a new group by adding a :class:`~maatwerk.cli._common.LazyCommand` (name, module,
attribute, short help) to :data:`_GROUPS`; the module is imported only when the command is used.

Exit codes (stable; scripts rely on them):

====  =====================================================================
0     success
1     the command ran but failed (a run error, a refused action)
2     bad input: an argument, an option, a file row, a policy or rule file
====  =====================================================================
"""

from __future__ import annotations

from typing import Final

import click

from maatwerk import __version__
from maatwerk.adapters.logging import LOG_FORMATS
from maatwerk.cli._common import LazyCommand
from maatwerk.cli.plugins import PluginCommandGroup


__all__ = ["cli", "main"]

#: The built-in commands: name, module in this package, attribute holding the click command or
#: group, and the short help ``maatwerk --help`` lists (kept equal to the command's own short help
#: by tests/e2e/test_cli_lazy_groups.py). A module is imported only when its command runs or shows
#: its own help, so ``maatwerk calc bik`` does not load the database, report or plotting code.
_GROUPS: Final[tuple[LazyCommand, ...]] = (
    LazyCommand(
        name="calc",
        module="calc",
        attribute="calc",
        short_help="Legal calculators: collection costs, interest, limitation, allocation, "
        "deadlines, BVV, plans.",
    ),
    LazyCommand(
        name="db",
        module="db",
        attribute="db",
        short_help="Create and upgrade the database schema (SQLite file or PostgreSQL).",
    ),
    LazyCommand(
        name="import",
        module="importing",
        attribute="import_",
        short_help="Import a CSV file into the database (all rows or none).",
    ),
    LazyCommand(
        name="run",
        module="run",
        attribute="run",
        short_help="Run one day: evaluate every case, record decisions and actions once, "
        "deliver them.",
    ),
    LazyCommand(
        name="worker",
        module="worker",
        attribute="worker",
        short_help="Join a run with several workers (PostgreSQL): claim and run its shards.",
    ),
    LazyCommand(
        name="review",
        module="review",
        attribute="review",
        short_help="Steps waiting for a person: bailiff hand-over, write-off, early signal "
        "(four eyes).",
    ),
    LazyCommand(
        name="explain",
        module="explain",
        attribute="explain",
        short_help="Explain DEBTOR: debts, balance (principal/interest/costs), history, "
        "today's decision.",
    ),
    LazyCommand(
        name="contact",
        module="recording",
        attribute="contact",
        short_help="Contact attempts (phone calls, letters, visits) and what came of them.",
    ),
    LazyCommand(
        name="hold",
        module="recording",
        attribute="hold",
        short_help="Holds (pauses) on a debt or a whole case.",
    ),
    LazyCommand(
        name="consent",
        module="recording",
        attribute="consent",
        short_help="The debtor's consents (e.g. to a referral to the municipality).",
    ),
    LazyCommand(
        name="arrangement",
        module="recording",
        attribute="arrangement",
        short_help="Payment arrangements sized to what the household can spare.",
    ),
    LazyCommand(
        name="dispute",
        module="recording",
        attribute="dispute",
        short_help="Disputes: escalation stops while one is open.",
    ),
    LazyCommand(
        name="debt",
        module="recording",
        attribute="debt",
        short_help="Facts about a debt from the debtor: an acknowledgement (interrupts "
        "limitation).",
    ),
    LazyCommand(
        name="debtor",
        module="recording",
        attribute="debtor",
        short_help="Facts about the debtor a person determined: housing for the protected "
        "income (Rv 475da lid 7).",
    ),
    LazyCommand(
        name="knooppunt",
        module="knooppunt",
        attribute="knooppunt",
        short_help="Schuldenknooppunt: answer debt help's balance requests and settlement "
        "proposals.",
    ),
    LazyCommand(
        name="demo",
        module="demo",
        attribute="demo",
        short_help="Synthetic demo: generate, import, run --days real daily runs through every "
        "channel, report.",
    ),
    LazyCommand(
        name="report",
        module="report",
        attribute="report",
        short_help="Write the funnel report for a period from the database (HTML; --json "
        "prints the figures).",
    ),
    LazyCommand(
        name="simulate",
        module="simulate",
        attribute="simulate",
        short_help="Simulate policies on one synthetic population (deterministic for a seed).",
    ),
    LazyCommand(
        name="sepa",
        module="sepa",
        attribute="sepa",
        short_help="SEPA direct debit: build pain.008 files.",
    ),
    LazyCommand(
        name="returns",
        module="returns",
        attribute="returns",
        short_help="Bank returns: read camt.053/054, pain.002 and MT940 files.",
    ),
    LazyCommand(
        name="policy",
        module="policy",
        attribute="policy",
        short_help="Escalation policies: check a file, show the steps, explain a decision.",
    ),
    LazyCommand(
        name="privacy",
        module="privacy",
        attribute="privacy",
        short_help="Privacy (AVG): the data-subject access export of one debtor, erasure after "
        "retention.",
    ),
    LazyCommand(
        name="audit",
        module="audit",
        attribute="audit",
        short_help="Audit: check that the ledger adds up, to the cent, and that the event log "
        "was not changed.",
    ),
    LazyCommand(
        name="plugins",
        module="plugins",
        attribute="plugins",
        short_help="List plugins (with distribution and version), their hooks and the adapters "
        "they add.",
    ),
)


@click.group(cls=PluginCommandGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version=__version__, prog_name="maatwerk")
@click.option(
    "--log-format",
    type=click.Choice(LOG_FORMATS),
    default=None,
    envvar="MAATWERK_LOG_FORMAT",
    help="Logs on stderr as readable lines (console, the default) or one JSON object a line.",
)
def cli(log_format: str | None) -> None:
    """maatwerk: humane debt collection. Protected income first, a plan that fits, explained steps.

    Environment: MAATWERK_DATABASE_URL (default database), MAATWERK_LOG_LEVEL (log level:
    debug, info, warning), MAATWERK_LOG_FORMAT (console or json). Logs never hold names,
    addresses, IBANs, BSNs, e-mail addresses or phone numbers.
    """
    del log_format  # read by the root group when it configures logging


def _register() -> None:
    for entry in _GROUPS:
        cli.add_lazy(entry)


_register()


def main() -> None:
    """Console-script entry point."""
    cli()
