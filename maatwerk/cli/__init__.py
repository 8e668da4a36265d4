"""The ``maatwerk`` command line: thin click commands that parse, call one service and render.

Each command group lives in its own module in this package (as hatch does with
``src/hatch/cli/<command>/``), so that groups can grow without touching each other.
Register a new group by adding its module to :data:`_GROUPS`.

Exit codes (stable; scripts rely on them):

====  =====================================================================
0     success
1     the command ran but failed (a run error, a refused action)
2     bad input: an argument, an option, a file row, a policy or rule file
====  =====================================================================
"""

from __future__ import annotations

import importlib
from typing import Final

import click

from maatwerk.cli.plugins import PluginCommandGroup


__all__ = ["cli", "main"]

#: (module in this package, attribute holding the click command or group)
_GROUPS: Final[tuple[tuple[str, str], ...]] = (
    ("calc", "calc"),
    ("db", "db"),
    ("importing", "import_"),
    ("run", "run"),
    ("review", "review"),
    ("explain", "explain"),
    ("recording", "contact"),
    ("recording", "hold"),
    ("recording", "consent"),
    ("recording", "arrangement"),
    ("recording", "dispute"),
    ("demo", "demo"),
    ("report", "report"),
    ("simulate", "simulate"),
    ("sepa", "sepa"),
    ("returns", "returns"),
    ("policy", "policy"),
    ("plugins", "plugins"),
)


@click.group(cls=PluginCommandGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="maatwerk", prog_name="maatwerk")
def cli() -> None:
    """maatwerk: humane debt collection. Protected income first, a plan that fits, explained steps.

    Environment: MAATWERK_DATABASE_URL (default database), MAATWERK_LOG_LEVEL (log level).
    """


def _register() -> None:
    for module_name, attribute in _GROUPS:
        module = importlib.import_module(f"maatwerk.cli.{module_name}")
        command = getattr(module, attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"maatwerk.cli.{module_name}.{attribute} is not a click command")
        cli.add_command(command)


_register()


def main() -> None:
    """Console-script entry point."""
    cli()
