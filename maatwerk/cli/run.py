"""``maatwerk run --date DATE [--settings FILE] [--out DIR] [--dry-run]``: the daily run."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from maatwerk.cli._common import DATE, db_option, emit_json, json_option, skip_idle_option


__all__ = ["run"]


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[int, int], None] | None]:
    if not enabled:
        yield None
        return
    from rich.console import Console  # noqa: PLC0415 (lazy, as below)
    from rich.progress import (  # noqa: PLC0415
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TimeElapsedColumn,
    )

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("cases", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


@click.command()
@click.option("--date", "run_date", required=True, type=DATE, help="The day to run (YYYY-MM-DD).")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("maatwerk-output"),
    show_default=True,
    help="Directory the file-writing channels write under.",
)
@click.option("--dry-run", is_flag=True, help="Evaluate and report; write and send nothing.")
@click.option("--policy", "policy", default="humane", show_default=True, help="Default policy.")
@click.option(
    "--policy-for",
    "policy_for",
    multiple=True,
    metavar="CREDITOR=POLICY",
    help="Policy for one creditor (repeatable).",
)
@click.option(
    "--policy-for-segment",
    "policy_for_segment",
    multiple=True,
    metavar="SEGMENT=POLICY",
    help="Policy for one debtor segment (repeatable).",
)
@click.option(
    "--setting",
    "channel_settings",
    multiple=True,
    metavar="KEY=VALUE",
    help="Channel setting, e.g. creditor_name=... creditor_phone=... (repeatable; overrides "
    "the same key from --settings).",
)
@click.option(
    "--settings",
    "settings_file",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="MAATWERK_SETTINGS",
    help="TOML file with a [channels] table of channel settings and a [creditors.<id>] table per "
    "creditor (default: $MAATWERK_SETTINGS).",
)
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1, 100_000))
@skip_idle_option
@click.option(
    "--by", "by", default="engine", show_default=True, help="Who prepares steps needing review."
)
@db_option
@json_option
def run(
    *,
    run_date: dt.date,
    out: Path,
    dry_run: bool,
    policy: str,
    policy_for: tuple[str, ...],
    policy_for_segment: tuple[str, ...],
    channel_settings: tuple[str, ...],
    settings_file: Path | None,
    batch_size: int,
    skip_idle: bool,
    by: str,
    db_url: str,
    as_json: bool,
) -> None:
    """Run one day: evaluate every case, record decisions and actions once, deliver them.

    Running the same date again (or after a crash) does each action exactly once.
    """
    # the engine, the database and the channels are loaded only when the run runs: not for
    # ``maatwerk run --help`` (start-up time, benchmarks/results/cli-startup.md)
    from maatwerk.adapters.channel_settings import SettingsFile, load_settings  # noqa: PLC0415
    from maatwerk.cli._store import open_store  # noqa: PLC0415
    from maatwerk.cli._wiring import (  # noqa: PLC0415
        build_dispatcher,
        build_evaluator,
        check_channel_settings,
        parse_assignments,
        plugin_manager,
    )
    from maatwerk.services.run import RunSettings, run_day  # noqa: PLC0415

    plugins = plugin_manager()
    file = load_settings(settings_file) if settings_file is not None else SettingsFile()
    evaluator = build_evaluator(
        plugins,
        default=policy,
        by_creditor={  # a creditor's own policy; --policy-for wins
            **{c: p.policy for c, p in file.creditors.items() if p.policy},
            **parse_assignments(policy_for, "--policy-for"),
        },
        by_segment=parse_assignments(policy_for_segment, "--policy-for-segment"),
    )
    settings = {
        **file.channels,
        **parse_assignments(channel_settings, "--setting"),  # the command line wins
    }
    # before anything is evaluated
    check_channel_settings(plugins, evaluator, settings, file.creditors)
    with open_store(db_url) as store:
        dispatcher = build_dispatcher(
            store,
            plugins,
            out=out,
            run_date=run_date,
            batch_size=batch_size,
            settings=settings,
            creditors=file.creditors,
            tables=evaluator.tables,
        )
        with _progress(sys.stderr.isatty() and not as_json) as progress:
            summary = run_day(
                store,
                evaluator,
                run_date,
                dispatcher=dispatcher,
                settings=RunSettings(batch_size=batch_size, skip_idle=skip_idle, prepared_by=by),
                dry_run=dry_run,
                progress=progress,
                listener=plugins.listener(),
            )
    data = summary.as_dict()
    if as_json:
        emit_json(data)
        return
    mode = " (dry run: nothing recorded)" if dry_run else ""
    click.echo(
        f"{run_date.isoformat()}{mode}: {summary.cases_evaluated} case(s) evaluated, "
        f"{summary.cases_already_decided} already decided, {summary.review_queued} for review, "
        f"{data['duration_seconds']} s"
    )
    for title, counts in (
        ("actions", data["actions_per_kind"]),
        ("blocked", data["blocked_per_reason"]),
        ("delivered", data["dispatched"]),
    ):
        if counts:
            click.echo(f"  {title}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
