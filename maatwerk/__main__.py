"""``python -m maatwerk``: the command line (a run's local workers are started this way)."""

from __future__ import annotations

from maatwerk.cli import main


main()
