"""``maatwerk calc ...``: stable calculators over the pure core.

Every calculator takes ``--json`` and then prints one JSON object with amounts as strings with two
decimals. Bad input exits with code 2 and a one-line message naming the argument.

Each calculator lives in its own module in this package; add it to the group below.
"""

from __future__ import annotations

import click


@click.group()
def calc() -> None:
    """Legal calculators: collection costs, interest, limitation, allocation, deadlines, BVV, plans."""


# Calculators register themselves here, one line each (keep alphabetical):
from maatwerk.cli.calc.allocate import allocate  # noqa: E402
from maatwerk.cli.calc.bik import bik  # noqa: E402
from maatwerk.cli.calc.bvv import bvv  # noqa: E402
from maatwerk.cli.calc.deadline import deadline  # noqa: E402
from maatwerk.cli.calc.interest import interest  # noqa: E402
from maatwerk.cli.calc.limitation import limitation  # noqa: E402
from maatwerk.cli.calc.plan import plan  # noqa: E402


calc.add_command(allocate)
calc.add_command(bik)
calc.add_command(bvv)
calc.add_command(deadline)
calc.add_command(interest)
calc.add_command(limitation)
calc.add_command(plan)
