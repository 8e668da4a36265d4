"""``pip install maatwerk`` without extras, in a fresh virtual environment (slow, needs PyPI).

The base install gives the core, the shipped rules and the calculators; the database, SEPA,
PostgreSQL and plotting packages stay out, and a command that needs them says which extra.
tests/e2e/test_cli_extras.py checks the same quickly by hiding the packages.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from maatwerk.cli._extras import EXTRA_OF_MODULE


pytestmark = pytest.mark.slow

PROJECT = Path(__file__).parents[2]
#: every package an extra installs (one table: maatwerk.cli._extras)
NOT_IN_THE_BASE = tuple(sorted(EXTRA_OF_MODULE))


def _ok(*command: str | Path) -> str:
    done = subprocess.run(  # fixed arguments: our venv's programs
        [str(part) for part in command], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, (command, done.stdout, done.stderr)
    return done.stdout


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with ``pip install <this project>`` (no extras); its bin/."""
    root = tmp_path_factory.mktemp("base-install") / "venv"
    _ok(sys.executable, "-m", "venv", root)
    _ok(root / "bin" / "python", "-m", "pip", "install", "--quiet", PROJECT)
    return root / "bin"


class TestBaseInstall:
    """What ``pip install maatwerk`` gives, and what it leaves to the extras."""

    def test_no_extra_package_is_installed(self, venv: Path) -> None:
        found = _ok(
            venv / "python",
            "-c",
            "import importlib.util, sys; "
            f"print([m for m in {NOT_IN_THE_BASE!r} if importlib.util.find_spec(m)])",
        )
        assert found.strip() == "[]"

    def test_the_core_imports(self, venv: Path) -> None:
        _ok(venv / "python", "-c", "import maatwerk.core, maatwerk.core.money")

    def test_calculators_read_the_shipped_rules(self, venv: Path) -> None:
        """Subsistence tables (bvv), the BIK table, the Atw calendar (deadline), a policy."""
        bvv = _ok(venv / "maatwerk", "calc", "bvv", "--household", "single", "--date",
                  "2026-01-01", "--net-income", "1200.00", "--json")  # fmt: skip
        assert (json.loads(bvv)["bvv"], json.loads(bvv)["attachable"]) == ("1140.00", "60.00")
        bik = _ok(venv / "maatwerk", "calc", "bik", "100", "--date", "2026-01-05", "--json")
        assert json.loads(bik)["costs"] == "40.00"
        deadline = _ok(venv / "maatwerk", "calc", "deadline", "--received", "2026-04-24",
                       "--days", "14")  # fmt: skip
        assert "2026-05-08" in deadline
        assert "humane" in _ok(venv / "maatwerk", "policy", "show", "humane")

    def test_public_rules_loader_without_extras(self, venv: Path) -> None:
        """The promised entry point loads every shipped table, policy and calendar, and the
        policy evaluates a case, on the base install (docs/embedding.md)."""
        script = (
            "import datetime as dt, sys\n"
            "from maatwerk.rules import shipped\n"
            "rules = shipped()\n"
            "assert sorted(rules.policies) == ['classic', 'humane', 'zvw'], rules.policies\n"
            "assert rules.calendars.names == ('atw', 'calendar', 'sepa')\n"
            "assert rules.subsistence.norms.at(dt.date(2026, 3, 2)).value.single.amount > 0\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            f"{NOT_IN_THE_BASE!r}))\n"
        )
        assert _ok(venv / "python", "-c", script).strip() == "[]"

    def test_a_command_without_its_extra_says_which(self, venv: Path, tmp_path: Path) -> None:
        done = subprocess.run(  # fixed arguments: our venv's program
            [str(venv / "maatwerk"), "run", "--date", "2026-01-05"],
            capture_output=True,
            text=True,
            check=False,
            cwd=tmp_path,
        )
        assert done.returncode == 2, done.stderr
        assert done.stderr == (
            "Error: 'maatwerk run' needs the storage and sepa extras: "
            "pip install 'maatwerk[storage,sepa]'\n"
        )
        assert not (tmp_path / "maatwerk.db").exists()
