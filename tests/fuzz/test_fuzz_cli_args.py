"""Every CLI command's arguments and options, each given bad values in turn (an empty text, a
300-character name, a directory, a missing file, ``1e309``, ``1e30``, ``-1``, an impossible date,
control characters): never a traceback; exit 0, 1 (a state the command names, e.g. an empty
database) or 2 with one ``Error:`` line; the database unchanged when refused.

Commands run in process (CliRunner) on a migrated SQLite database in an empty directory; the
demo and the simulation get one debtor and one day so that an accepted value stays cheap. The
count of calls is printed.
"""

from __future__ import annotations

import random
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from fuzz_corpus import SCALE, check_refusal, fingerprint, invoke, report, speed_up

from maatwerk.adapters.storage import migrate
from maatwerk.adapters.storage.engine import make_engine
from maatwerk.cli import cli


def _commands() -> list[tuple[list[str], click.Command]]:
    found: list[tuple[list[str], click.Command]] = []
    ctx = click.Context(cli)

    def walk(command: click.Command, path: list[str]) -> None:
        if isinstance(command, click.Group):
            if path and getattr(command, "invoke_without_command", False):
                found.append((path, command))
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                if sub is not None:
                    walk(sub, [*path, name])
        else:
            found.append((path, command))

    walk(cli, [])
    return found


def _bad_values(tmp: Path) -> list[str]:
    return [
        "",
        " ",
        "x" * 300,
        str(tmp),  # a directory
        str(tmp / "missing" / "file.toml"),
        "1e309",
        "1e30",
        "-1",
        "0",
        "2026-02-30",
        "9999-12-31",
        "a=b=c",
        "\u202e\t\x7f",
        "../../etc/passwd",
    ]


#: Keeps a command whose bad value happens to be accepted cheap.
_SMALL = {"demo": ["--debtors", "1", "--days", "1"], "simulate": ["--debtors", "1", "--days", "1"]}


@pytest.mark.slow  # about 2,000 CLI calls: about 20 s on an idle machine
def test_no_bad_argument_gives_a_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    speed_up(monkeypatch)
    db = tmp_path / "fuzz.db"
    url = f"sqlite:///{db}"
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()
    monkeypatch.setenv("MAATWERK_DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    values = _bad_values(tmp_path / "dir")
    (tmp_path / "dir").mkdir()
    rng = random.Random(20)
    before = fingerprint(url)
    failures: list[str] = []
    count = 0
    for path, command in _commands():
        small = _SMALL.get(path[0], [])
        for param in command.params:
            if param.name == "help" or (
                isinstance(param, click.Option) and param.is_flag and not param.count
            ):
                continue
            picked = values if SCALE > 1 else rng.sample(values, 5)
            for value in picked:
                if isinstance(param, click.Argument):
                    args = [*path, value]
                else:
                    args = [*path, param.opts[0], value]
                if path[0] in _SMALL and isinstance(param, click.Option):
                    args += [a for a in small if a not in param.opts]
                    if param.opts[0] in small:
                        args = [*path, param.opts[0], value]
                result = invoke(runner, args)
                count += 1
                after = fingerprint(url) if result.exit_code == 2 else before
                try:
                    if result.exit_code == 1:  # a state the command names, not a crash
                        assert result.exception is None or isinstance(
                            result.exception, SystemExit
                        ), repr(result.exception)
                        assert "Traceback" not in result.output
                    else:
                        check_refusal(
                            result, " ".join(args)[:120], file_name=None, before=before, after=after
                        )
                except AssertionError as exc:
                    failures.append(f"{' '.join(args)[:120]!r}: {str(exc)[:300]}")
                if result.exit_code != 2:
                    before = fingerprint(url)  # an accepted value may change the database
    report("cli arguments", count)
    assert not failures, f"{len(failures)} of {count} calls broke the promise:\n" + "\n".join(
        failures[:10]
    )
    assert count > 500
