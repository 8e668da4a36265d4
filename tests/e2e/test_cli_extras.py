"""Extras: the base install runs the calculators; a command whose extra is missing says which.

The subprocess tests hide the extras' packages (``sys.modules[name] = None`` makes every import
of them fail as if they were not installed). tests/e2e/test_install_without_extras.py does the
same on a real install without extras (slow).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

from maatwerk.cli._extras import EXTRA_OF_MODULE


PYPROJECT = Path(__file__).parents[2] / "pyproject.toml"

#: Top-level module -> its distribution on PyPI, for every module an extra brings.
DISTRIBUTION_OF_MODULE = {
    "sqlalchemy": "sqlalchemy",
    "alembic": "alembic",
    "schwifty": "schwifty",
    "stdnum": "python-stdnum",
    "psycopg": "psycopg",
    "lxml": "lxml",
    "mt940": "mt-940",
    "matplotlib": "matplotlib",
}


def _name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9_.-]+", requirement)
    assert match is not None, requirement
    return match.group(0).lower()


def _extras() -> dict[str, set[str]]:
    """Every extra of pyproject.toml with its distributions, ``maatwerk[...]`` expanded."""
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    raw: dict[str, list[str]] = project["optional-dependencies"]

    def expand(extra: str) -> set[str]:
        names: set[str] = set()
        for requirement in raw[extra]:
            own = re.fullmatch(r"maatwerk\[([a-z,]+)\]", requirement)
            if own is None:
                names.add(_name(requirement))
            else:
                for inner in own.group(1).split(","):
                    names |= expand(inner)
        return names

    return {extra: expand(extra) for extra in raw}


def _base() -> set[str]:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    return {_name(requirement) for requirement in project["dependencies"]}


class TestExtrasTable:
    """maatwerk/cli/_extras.py names the extra that pyproject.toml says installs the package."""

    def test_each_module_is_in_its_extra(self) -> None:
        extras = _extras()
        for module, extra in EXTRA_OF_MODULE.items():
            assert DISTRIBUTION_OF_MODULE[module] in extras[extra], (module, extra)

    def test_every_extra_package_has_a_message(self) -> None:
        runtime = set().union(*(names for extra, names in _extras().items() if extra != "dev"))
        optional = runtime - _base()
        assert optional == {DISTRIBUTION_OF_MODULE[m] for m in EXTRA_OF_MODULE}

    def test_the_base_brings_no_extra_package(self) -> None:
        assert not _base() & set(DISTRIBUTION_OF_MODULE.values())

    def test_all_is_every_runtime_extra_and_dev_has_all(self) -> None:
        extras = _extras()
        runtime = set().union(*(n for e, n in extras.items() if e not in ("all", "dev")))
        assert extras["all"] == runtime
        assert extras["all"] <= extras["dev"]


def _python(script: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # our own interpreter, fixed arguments
        [sys.executable, "-c", textwrap.dedent(script)],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
    )


#: Commands of the base install, with a piece of their output.
BASE_COMMANDS = [
    ("calc bik 100 --date 2026-01-05 --json", '"costs": "40.00"'),
    ("calc bvv --household single --date 2026-01-01 --net-income 1200 --json", '"bvv": "1140.00"'),
    ("calc deadline --received 2026-04-24 --days 14", "2026-05-08"),
    ("policy show humane", "humane"),
    ("--help", "Commands:"),
]

#: Commands that need an extra, with the one line they print instead.
EXTRA_COMMANDS = [
    (
        "run --date 2026-01-05",
        "'maatwerk run' needs the storage and sepa extras: pip install 'maatwerk[storage,sepa]'",
    ),
    ("db upgrade", "'maatwerk db' needs the storage extra: pip install 'maatwerk[storage]'"),
    (
        "import portfolio x.csv",
        "'maatwerk import' needs the storage extra: pip install 'maatwerk[storage]'",
    ),
    ("report --help", "'maatwerk report' needs the report extra: pip install 'maatwerk[report]'"),
    (
        "simulate --help",
        "'maatwerk simulate' needs the all extra: pip install 'maatwerk[all]'",
    ),
    ("sepa --help", "'maatwerk sepa' needs the sepa extra: pip install 'maatwerk[sepa]'"),
    ("returns --help", "'maatwerk returns' needs the sepa extra: pip install 'maatwerk[sepa]'"),
    ("demo --help", "'maatwerk demo' needs the all extra: pip install 'maatwerk[all]'"),
]


@pytest.fixture(scope="module")
def without_extras() -> dict[str, tuple[int, str, str]]:
    """Every command above, run in one fresh interpreter where no extra's package imports:
    arguments -> (exit code, stdout, stderr)."""
    commands = [args for args, _ in BASE_COMMANDS + EXTRA_COMMANDS]
    done = _python(
        f"""
        import json, sys
        for name in {sorted(EXTRA_OF_MODULE)!r}:
            sys.modules[name] = None
        from click.testing import CliRunner
        from maatwerk.cli import cli
        results = []
        for args in {commands!r}:
            result = CliRunner().invoke(cli, args.split(), prog_name="maatwerk")
            results.append((result.exit_code, result.stdout, result.stderr))
        print(json.dumps(results))
        """
    )
    assert done.returncode == 0, done.stderr
    return {
        args: tuple(result) for args, result in zip(commands, json.loads(done.stdout), strict=True)
    }


class TestWithoutExtras:
    """The base install's commands work; the others stop with one line and exit 2."""

    @pytest.mark.parametrize(("args", "expected"), BASE_COMMANDS)
    def test_base_commands_work(
        self,
        without_extras: dict[str, tuple[int, str, str]],
        args: str,
        expected: str,
    ) -> None:
        code, stdout, stderr = without_extras[args]
        assert code == 0, stderr
        assert expected in stdout

    @pytest.mark.parametrize(("args", "line"), EXTRA_COMMANDS)
    def test_missing_extra_is_one_line(
        self,
        without_extras: dict[str, tuple[int, str, str]],
        args: str,
        line: str,
    ) -> None:
        assert without_extras[args] == (2, "", f"Error: {line}\n")

    def test_the_plugin_kit_needs_no_extra(self) -> None:
        """pytest loads maatwerk's plugin in every environment where maatwerk is installed."""
        done = _python(
            f"""
            import sys
            for name in {sorted(EXTRA_OF_MODULE)!r}:
                sys.modules[name] = None
            import maatwerk.testing.contracts, maatwerk.testing.pytest_plugin
            """
        )
        assert done.returncode == 0, done.stderr

    def test_a_channel_without_its_extra(self, tmp_path: Path) -> None:
        """The daily run builds the SEPA channel (a plugin wraps the ImportError): same line."""
        db = f"sqlite:///{tmp_path / 'm.db'}"
        done = _python(
            f"""
            import sys
            from maatwerk.cli import cli
            try:
                cli.main(["db", "upgrade", "--db", {db!r}], prog_name="maatwerk")
            except SystemExit as exit:
                assert exit.code == 0, exit.code
            sys.modules["lxml"] = None
            cli.main(["run", "--date", "2026-02-10", "--db", {db!r}], prog_name="maatwerk")
            """,
            cwd=tmp_path,
        )
        assert done.returncode == 2, done.stderr
        assert done.stderr == (
            "Error: 'maatwerk run' needs the storage and sepa extras: "
            "pip install 'maatwerk[storage,sepa]'\n"
        )

    def test_postgres_url_without_the_driver(self, tmp_path: Path) -> None:
        done = _python(
            """
            import sys
            sys.modules["psycopg"] = None
            from maatwerk.cli import cli
            cli.main(["db", "upgrade", "--db", "postgresql://u@127.0.0.1:1/x"], prog_name="maatwerk")
            """,
            cwd=tmp_path,
        )
        assert done.returncode == 2, done.stderr
        assert done.stderr == (
            "Error: 'maatwerk db' needs the postgres extra: pip install 'maatwerk[postgres]'\n"
        )
