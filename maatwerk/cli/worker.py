"""``maatwerk worker --date DATE``: join a run with several workers (PostgreSQL) from any host.

The run itself is ``maatwerk run --date DATE --workers N`` on one host (the coordinator: the
day's shared phases, the shards, delivery); a worker claims shards of that run until none is
free and exits. Start it with the same policy options and settings file as the run: a worker
that would decide otherwise refuses the shards (exit 2).
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import click

from maatwerk.adapters.storage.coordination import SqlShardBoard, new_worker_id
from maatwerk.adapters.storage.engine import normalise_url
from maatwerk.cli._common import DATE, OneLineError, db_option, emit_json, json_option
from maatwerk.cli._store import open_store
from maatwerk.cli.run import build_run_evaluator, evaluator_options
from maatwerk.services.run import RunSettings
from maatwerk.services.run.day import plan_day
from maatwerk.services.run.shards import WorkerMismatchError, work_shards


__all__ = ["worker"]


@click.command()
@click.option("--date", "run_date", required=True, type=DATE, help="The day being run.")
@evaluator_options
@click.option(
    "--wait-for-run",
    "wait_for_run",
    type=click.IntRange(0, 86_400),
    default=600,
    show_default=True,
    help="Seconds to wait for the run of --date to hand out shards.",
)
@db_option
@json_option
def worker(
    *,
    run_date: dt.date,
    policy: str,
    policy_for: tuple[str, ...],
    policy_for_segment: tuple[str, ...],
    settings_file: Path | None,
    batch_size: int,
    skip_idle: bool,
    by: str,
    wait_for_run: int,
    db_url: str,
    as_json: bool,
) -> None:
    """Join a run with several workers (PostgreSQL): claim and run its shards.

    The run of --date is started elsewhere with 'maatwerk run --workers N'; this worker claims
    its shards until none is left, then exits.
    """
    if normalise_url(db_url).get_backend_name() != "postgresql":
        raise OneLineError(
            "maatwerk worker needs PostgreSQL: SQLite has one writer; run "
            "'maatwerk run' on the host that holds the database",
            exit_code=2,
        )
    plugins, _file, evaluator = build_run_evaluator(
        policy=policy,
        policy_for=policy_for,
        policy_for_segment=policy_for_segment,
        settings_file=settings_file,
    )
    with open_store(db_url) as store:
        board = SqlShardBoard(store.engine)
        deadline = time.monotonic() + wait_for_run
        while board.planned(run_date) == 0:
            if time.monotonic() >= deadline:
                raise OneLineError(
                    f"no run of {run_date.isoformat()} handed out shards within {wait_for_run} s; "
                    "start it with 'maatwerk run --date DATE --workers N'",
                    exit_code=2,
                )
            time.sleep(1.0)
        plan = plan_day(
            store,
            evaluator,
            run_date,
            settings=RunSettings(batch_size=batch_size, skip_idle=skip_idle, prepared_by=by),
        )
        name = new_worker_id()
        try:
            report = work_shards(plan, board, worker=name, listener=plugins.listener())
        except WorkerMismatchError as exc:
            raise OneLineError(str(exc), exit_code=2) from None
    summary = report.summary
    evaluated = 0 if summary is None else summary.cases_evaluated
    if as_json:
        emit_json(
            {
                "worker": name,
                "run_date": run_date.isoformat(),
                "shards": report.shards,
                "cases_evaluated": evaluated,
            }
        )
        return
    click.echo(
        f"worker {name}: {report.shards} shard(s) of {run_date.isoformat()}, "
        f"{evaluated} case(s) evaluated"
    )
