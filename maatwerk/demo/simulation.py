"""Policy simulation (beleidssimulatie): the demo on a throwaway database, once per policy.

There is one funnel code path. :func:`compare` runs the demo (:func:`maatwerk.demo.database.
run_on_database`) for each policy: the same synthetic households (:mod:`maatwerk.demo.run`) act
day by day against the real daily run with the real channels, on a fresh SQLite database in a
temporary folder (or in ``out_dir/<policy>/`` when the caller keeps the outputs), and each
column of the comparison is the funnel the store report gathers from that database
(:func:`maatwerk.services.reporting.gather_funnel`). So the simulation measures the engine that
runs in production, not a copy of it that can drift. What this module adds is the comparison:
the columns side by side under one title, source and notes.

Deterministic for a seed: each household draws from its own ``random.Random`` streams, keyed by
seed and household (not by policy), so every policy meets the same households with the same
luck for the same kind of event (common random numbers); the run is deterministic for a date.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from maatwerk.core.subsistence import SubsistenceTables
from maatwerk.demo.database import DemoOutcome, fresh_sqlite, run_on_database
from maatwerk.demo.run import DemoSettings
from maatwerk.demo.synthetic import BehaviourParams, Portfolio
from maatwerk.plugins.manager import MaatwerkPlugins
from maatwerk.services.funnel import FunnelFigures
from maatwerk.services.run import PolicyCaseEvaluator


__all__ = ["compare", "simulate_policy"]


def simulate_policy(
    portfolio: Portfolio,
    behaviour: BehaviourParams,
    evaluator: PolicyCaseEvaluator,
    *,
    plugins: MaatwerkPlugins,
    subsistence: SubsistenceTables,
    settings: DemoSettings,
    out_dir: Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> DemoOutcome:
    """One policy: the demo on a fresh SQLite database in ``out_dir`` (kept) or in a temporary
    folder (removed afterwards), with the funnel report gathered from it (one column)."""
    scratch = (
        tempfile.TemporaryDirectory(prefix="maatwerk-simulate-")
        if out_dir is None
        else contextlib.nullcontext(str(out_dir))
    )
    with scratch as where:
        folder = Path(where)
        folder.mkdir(parents=True, exist_ok=True)
        return run_on_database(
            fresh_sqlite(folder),
            portfolio=portfolio,
            behaviour=behaviour,
            subsistence=subsistence,
            settings=settings,
            plugins=plugins,
            evaluator=evaluator,
            out_dir=folder,
            progress=progress,
        )


def compare(
    portfolio: Portfolio,
    behaviour: BehaviourParams,
    policies: Sequence[tuple[str, PolicyCaseEvaluator]],
    *,
    plugins: MaatwerkPlugins,
    subsistence: SubsistenceTables,
    settings: DemoSettings,
    out_dir: Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> FunnelFigures:
    """The same portfolio under each ``(folder name, evaluator)``, side by side, as report
    figures. With ``out_dir`` each policy's database and channel files stay in
    ``out_dir/<folder name>/``."""
    if not policies:
        raise ValueError("compare needs at least one policy")
    reports = [
        simulate_policy(
            portfolio,
            behaviour,
            evaluator,
            plugins=plugins,
            subsistence=subsistence,
            settings=settings,
            out_dir=None if out_dir is None else out_dir / name,
            progress=progress,
        ).figures
        for name, evaluator in policies
    ]
    columns = tuple(c for report in reports for c in report.columns)
    last = settings.start + dt.timedelta(days=settings.days - 1)
    return FunnelFigures(
        title="maatwerk policy simulation: " + " vs ".join(c.policy for c in columns),
        period_from=settings.start,
        period_to=last,
        columns=columns,
        source=(
            f"simulation, seed {settings.seed}, {len(portfolio.households)} households, "
            f"{settings.days} days: the demo through the real daily run, one database per policy"
        ),
        table_versions=(portfolio.params_version, *(c.policy_version for c in columns)),
        notes=(
            (
                "Synthetic households with a documented behaviour model "
                "(docs/simulation-model.md) run through the real daily run and channels; the "
                "same households and the same luck under every policy."
            ),
            "Reviews (bailiff, write-off) are approved by a second person the next morning.",
            *reports[0].notes,
        ),
    )
