"""``maatwerk run --date DATE [--settings FILE] [--out DIR] [--dry-run] [--wait] [--workers N]``:
the daily run.

One daily run per database at a time: the run takes the database's run lock
(``storage/coordination.py``); a second run exits 2 naming who holds it, or waits with
``--wait``. ``--workers N`` (PostgreSQL) runs the cases in shards on N processes
(``services/run/shards.py``); ``maatwerk worker`` (:mod:`.worker`) joins from another host.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from maatwerk.cli._common import (
    DATE,
    OneLineError,
    db_option,
    emit_json,
    json_option,
    skip_idle_option,
)


if TYPE_CHECKING:
    from maatwerk.adapters.channel_settings import SettingsFile
    from maatwerk.adapters.storage.coordination import RunHolder
    from maatwerk.services.run import PolicyCaseEvaluator, RunSettings, RunSummary

# The engine, the database and the plugins are imported inside the functions that use them:
# ``maatwerk run --help`` needs none of them (start-up time, benchmarks/results/cli-startup.md).

__all__ = ["build_run_evaluator", "evaluator_options", "run"]

F = TypeVar("F", bound=Callable[..., Any])


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


def evaluator_options(func: F) -> F:
    """The options that shape decisions (shared with ``maatwerk worker``: a worker must decide
    as the run does)."""
    for option in reversed(
        (
            click.option(
                "--policy", "policy", default="humane", show_default=True, help="Default policy."
            ),
            click.option(
                "--policy-for",
                "policy_for",
                multiple=True,
                metavar="CREDITOR=POLICY",
                help="Policy for one creditor (repeatable).",
            ),
            click.option(
                "--policy-for-segment",
                "policy_for_segment",
                multiple=True,
                metavar="SEGMENT=POLICY",
                help="Policy for one debtor segment (repeatable).",
            ),
            click.option(
                "--settings",
                "settings_file",
                type=click.Path(dir_okay=False, path_type=Path),
                envvar="MAATWERK_SETTINGS",
                help="TOML file with a [channels] table of channel settings and a "
                "[creditors.<id>] table per creditor (default: $MAATWERK_SETTINGS).",
            ),
            click.option(
                "--batch-size", default=500, show_default=True, type=click.IntRange(1, 100_000)
            ),
            skip_idle_option,
            click.option(
                "--by",
                "by",
                default="engine",
                show_default=True,
                help="Who prepares steps needing review.",
            ),
        )
    ):
        func = option(func)
    return func


def plugin_manager(*, strict: bool = False) -> Any:
    """The plugin manager (:func:`maatwerk.cli._wiring.plugin_manager`, imported when the run
    runs); a module attribute, so that tests can give the run their own plugins."""
    from maatwerk.cli._wiring import plugin_manager as make  # noqa: PLC0415

    return make(strict=strict)


def build_run_evaluator(
    *,
    policy: str,
    policy_for: tuple[str, ...],
    policy_for_segment: tuple[str, ...],
    settings_file: Path | None,
    strict: bool = False,
) -> tuple[Any, SettingsFile, PolicyCaseEvaluator]:
    """The plugin manager (``strict``: a broken plugin is fatal), the settings file and the
    run's case evaluator."""
    from maatwerk.adapters.channel_settings import SettingsFile, load_settings  # noqa: PLC0415
    from maatwerk.cli._wiring import build_evaluator, parse_assignments  # noqa: PLC0415

    plugins = plugin_manager(strict=strict)
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
    return plugins, file, evaluator


def _waiting(holder: RunHolder | None) -> None:
    who = holder.describe() if holder is not None else "another daily run is in progress"
    click.echo(f"waiting: {who}", err=True)


@contextmanager
def _run_lock(store: Any, run_date: dt.date, *, wait: bool, worker: str) -> Iterator[None]:
    """Hold the database's run lock; exit 2 with one line naming its holder when it is taken."""
    from maatwerk.adapters.storage.coordination import (  # noqa: PLC0415
        RunInProgressError,
        SqlRunLock,
        SqlShardBoard,
    )

    lock = SqlRunLock(store.engine, run_date, worker=worker, wait=wait, on_wait=_waiting)
    try:
        lock.acquire()
    except RunInProgressError as exc:
        raise OneLineError(str(exc), exit_code=2) from None
    try:
        if store.engine.dialect.name == "postgresql":
            # workers of an earlier run with --workers (its coordinator died) stop here
            SqlShardBoard(store.engine).withdraw(run_date)
        yield
    finally:
        lock.release()


def _worker_args(run_date: dt.date, params: dict[str, Any]) -> list[str]:
    """The ``maatwerk worker`` command line of a local worker, deciding as this run does (the
    database URL goes in its environment, not on a command line others can read)."""
    args = [sys.executable, "-m", "maatwerk", "worker", "--date", run_date.isoformat()]
    args += ["--policy", params["policy"], "--batch-size", str(params["batch_size"])]
    args += ["--by", params["by"], "--skip-idle" if params["skip_idle"] else "--evaluate-all"]
    for value in params["policy_for"]:
        args += ["--policy-for", value]
    for value in params["policy_for_segment"]:
        args += ["--policy-for-segment", value]
    if params["settings_file"] is not None:
        args += ["--settings", str(params["settings_file"])]
    return [*args, "--wait-for-run", "0"]


def _starter(args: Sequence[Sequence[str]], db_url: str) -> Callable[[], Callable[[], None]]:
    """Start a process per command line; the function returned waits for them all and says
    which failed (their shards went back to the other workers)."""

    def start() -> Callable[[], None]:
        env = {**os.environ, "MAATWERK_DATABASE_URL": db_url}
        processes = [
            # our own interpreter and arguments, no shell
            subprocess.Popen(list(a), stdout=subprocess.DEVNULL, env=env)  # noqa: S603
            for a in args
        ]

        def join() -> None:
            for process in processes:
                if process.wait() != 0:
                    click.echo(
                        f"a worker (pid {process.pid}) ended with exit code "
                        f"{process.returncode}; its shards were run by the others",
                        err=True,
                    )

        return join

    return start


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
@click.option(
    "--setting",
    "channel_settings",
    multiple=True,
    metavar="KEY=VALUE",
    help="Channel setting, e.g. creditor_name=... creditor_phone=... (repeatable; overrides "
    "the same key from --settings).",
)
@evaluator_options
@click.option(
    "--wait",
    is_flag=True,
    help="When another run of this database is in progress, wait for it (else exit 2).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 256),
    default=None,
    help="Run the cases in shards on this many processes (PostgreSQL; 'maatwerk worker' on "
    "other hosts may join). SQLite has one writer: more than 1 is refused there.",
)
@click.option(
    "--shards",
    type=click.IntRange(1, 100_000),
    default=None,
    help="Shards of a run with --workers (default: 4 per worker, at least 8).",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Stop (exit 1) when a plugin is broken, instead of running without it.",
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
    wait: bool,
    workers: int | None,
    shards: int | None,
    strict: bool,
    db_url: str,
    as_json: bool,
) -> None:
    """Run one day: evaluate every case, record decisions and actions once, deliver them.

    Running the same date again (or after a crash) does each action exactly once. One run per
    database at a time: another one in progress makes this one exit 2 (or wait: --wait).
    """
    from maatwerk.adapters.storage.coordination import new_worker_id  # noqa: PLC0415
    from maatwerk.adapters.storage.engine import normalise_url  # noqa: PLC0415
    from maatwerk.cli._store import open_store  # noqa: PLC0415
    from maatwerk.cli._wiring import (  # noqa: PLC0415
        build_dispatcher,
        check_channel_settings,
        parse_assignments,
    )
    from maatwerk.core.records import OutboxStatus  # noqa: PLC0415
    from maatwerk.services.run import RunSettings  # noqa: PLC0415

    sharded = workers is not None and not dry_run
    if sharded and normalise_url(db_url).get_backend_name() != "postgresql":
        if workers != 1:
            raise OneLineError(
                "--workers needs PostgreSQL: SQLite has one writer, so more processes "
                "would only wait for each other; run without --workers",
                exit_code=2,
            )
        sharded = False  # one worker: the plain run
    plugins, file, evaluator = build_run_evaluator(
        policy=policy,
        policy_for=policy_for,
        policy_for_segment=policy_for_segment,
        settings_file=settings_file,
        strict=strict,
    )
    settings = {
        **file.channels,
        **parse_assignments(channel_settings, "--setting"),  # the command line wins
    }
    # before anything is evaluated
    check_channel_settings(plugins, evaluator, settings, file.creditors, settings_file)
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
        run_settings = RunSettings(batch_size=batch_size, skip_idle=skip_idle, prepared_by=by)
        worker = new_worker_id()
        try:
            summary = _run(
                store,
                evaluator,
                run_date,
                dispatcher=dispatcher,
                run_settings=run_settings,
                plugins=plugins,
                worker=worker,
                sharded=sharded,
                workers=workers,
                shards=shards,
                wait=wait,
                dry_run=dry_run,
                db_url=db_url,
                as_json=as_json,
            )
        except OSError as exc:  # a full disk, an output directory that cannot be written
            raise OneLineError(
                f"the run stopped while delivering: {exc.strerror or exc} (--out {out}); "
                "what was decided is saved and the actions not delivered stay in the "
                f"outbox: free space or fix --out, then run --date {run_date.isoformat()} "
                "again",
                exit_code=1,
            ) from None
    _report(summary, as_json=as_json)
    failed = summary.dispatched.get(OutboxStatus.FAILED.value, 0)
    if failed:
        raise OneLineError(
            f"{failed} action(s) could not be delivered (is --out {out} writable, with space "
            "left?); they stay in the outbox and go out when you run --date "
            f"{run_date.isoformat()} again",
            exit_code=1,
        )


def _run(
    store: Any,
    evaluator: PolicyCaseEvaluator,
    run_date: dt.date,
    *,
    dispatcher: Any,
    run_settings: RunSettings,
    plugins: Any,
    worker: str,
    sharded: bool,
    workers: int | None,
    shards: int | None,
    wait: bool,
    dry_run: bool,
    db_url: str,
    as_json: bool,
) -> RunSummary:
    """The day under the run lock: in shards over workers, or in this process."""
    from maatwerk.adapters.storage.coordination import SqlShardBoard  # noqa: PLC0415
    from maatwerk.services.run import run_day  # noqa: PLC0415
    from maatwerk.services.run.shards import run_day_sharded  # noqa: PLC0415

    if sharded:
        params = click.get_current_context().params
        local = [_worker_args(run_date, params) for _ in range((workers or 1) - 1)]
        with _run_lock(store, run_date, wait=wait, worker=worker):
            return run_day_sharded(
                store,
                SqlShardBoard(store.engine),
                evaluator,
                run_date,
                shards=shards or max(8, 4 * (workers or 1)),
                worker=worker,
                start_workers=_starter(local, db_url) if local else None,
                dispatcher=dispatcher,
                settings=run_settings,
                listener=plugins.listener(),
            )
    else:
        with (
            nullcontext() if dry_run else _run_lock(store, run_date, wait=wait, worker=worker),
            _progress(sys.stderr.isatty() and not as_json) as progress,
        ):
            return run_day(
                store,
                evaluator,
                run_date,
                dispatcher=dispatcher,
                settings=run_settings,
                dry_run=dry_run,
                progress=progress,
                listener=plugins.listener(),
            )


def _report(summary: RunSummary, *, as_json: bool) -> None:
    run_date, dry_run = summary.run_date, summary.dry_run
    data = summary.as_dict()
    if as_json:
        emit_json(data)
        _fail_on_channel_errors(summary)
        return
    mode = " (dry run: nothing recorded)" if dry_run else ""
    click.echo(
        f"{run_date.isoformat()}{mode}: {summary.cases_evaluated} case(s) evaluated, "
        f"{summary.cases_already_decided} already decided, {summary.review_queued} for review, "
        f"{data['duration_seconds']} s"
    )
    for title, counts in (
        ("actions decided", data["actions_per_kind"]),
        ("blocked", data["blocked_per_reason"]),
        ("dispatched", _dispatched(data["dispatched"])),
    ):
        if counts:
            click.echo(f"  {title}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    _fail_on_channel_errors(summary)


def _fail_on_channel_errors(summary: RunSummary) -> None:
    """Exit 1 naming each channel that raised, its plugin and how many actions wait for the
    next run (the run itself finished: every other channel delivered)."""
    if not summary.channel_failures:
        return
    parts = [
        f"channel {channel!r} of plugin {plugin!r} failed for {count} action(s)"
        for (channel, plugin), count in sorted(summary.channel_failures.items())
    ]
    raise OneLineError(
        "; ".join(parts) + ". They stay in the outbox and are tried again on the next run "
        "(details in the log).",
        exit_code=1,
    )


def _dispatched(counts: Mapping[str, int]) -> dict[str, int]:
    """What the channels did with the day's outbox rows: delivered (``done``) first."""
    names = {"done": "delivered"}
    order = ("done", "refused", "failed")
    ranked = sorted(counts, key=lambda k: (order.index(k) if k in order else len(order), k))
    return {names.get(k, k): counts[k] for k in ranked if counts[k]}
