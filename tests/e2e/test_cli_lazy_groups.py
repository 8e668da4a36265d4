"""The root CLI loads a command group's module only when that command is used."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import click
from click.testing import CliRunner

from maatwerk.cli import _GROUPS, cli


class TestLazyGroups:
    """``maatwerk --help`` lists every command from the registry; a calculator loads no plotting."""

    def test_registry_matches_the_commands(self) -> None:
        for entry in _GROUPS:
            command = entry.load()
            assert isinstance(command, click.Command)
            assert command.name == entry.name
            assert command.get_short_help_str(limit=1000) == entry.short_help, entry.name

    def test_help_lists_every_command(self, runner: CliRunner) -> None:
        result = runner.invoke(cli, ["--help"])
        assert result.exit_code == 0
        listed = {
            line.split()[0]
            for line in result.stdout.split("Commands:", 1)[1].splitlines()
            if line.startswith("  ") and line.strip()
        }
        assert {entry.name for entry in _GROUPS} <= listed

    def test_unknown_command_is_a_usage_error(self, runner: CliRunner) -> None:
        result = runner.invoke(cli, ["no-such-command"])
        assert result.exit_code == 2
        assert "no-such-command" in result.stderr

    def test_calc_bik_imports_no_matplotlib_nor_database(self) -> None:
        script = textwrap.dedent(
            """
            import sys
            from click.testing import CliRunner
            import maatwerk.cli
            result = CliRunner().invoke(
                maatwerk.cli.cli, ["calc", "bik", "100", "--date", "2026-01-05", "--json"]
            )
            assert result.exit_code == 0, result.output
            assert '"costs": "40.00"' in result.stdout, result.stdout
            loaded = [m for m in ("matplotlib", "sqlalchemy", "maatwerk.cli.demo") if m in sys.modules]
            print(",".join(loaded) or "none")
            """
        )
        done = subprocess.run(  # our own interpreter, fixed arguments
            [sys.executable, "-c", script], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "none"
