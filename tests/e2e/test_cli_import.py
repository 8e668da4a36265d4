"""``maatwerk db upgrade`` and ``maatwerk import`` through the command line."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from maatwerk.cli import cli


GOOD = (
    "debtor_id,name,household,debt_id,creditor_id,principal,due_date\n"
    "D1,A,single,X1,c,10.00,2026-01-01\n"
)


class TestImportCommand:
    """Import prints counts; bad rows exit 2 listing each; a missing schema says what to run."""

    def test_needs_an_upgraded_database(
        self, runner: CliRunner, db_url: str, tmp_path: Path
    ) -> None:
        path = tmp_path / "p.csv"
        path.write_text(GOOD)
        result = runner.invoke(cli, ["import", "portfolio", str(path), "--db", db_url])
        assert result.exit_code == 1
        assert "maatwerk db upgrade" in result.output

    def test_import_and_reject(self, runner: CliRunner, db_url: str, tmp_path: Path) -> None:
        assert runner.invoke(cli, ["db", "upgrade", "--db", db_url]).exit_code == 0
        path = tmp_path / "p.csv"
        path.write_text(GOOD)
        result = runner.invoke(cli, ["import", "portfolio", str(path), "--db", db_url, "--json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout) == {
            "imported": True,
            "file": "p.csv",
            "kind": "portfolio",
            "rows": 2,
            "inserted": 2,
            "updated": 0,
            "unchanged": 0,
        }
        bad = tmp_path / "bad.csv"
        bad.write_text(GOOD + "D2,B,single,X2,c,abc,2026-01-01\nD3,C,single,X3,c,1.00,never\n")
        result = runner.invoke(cli, ["import", "portfolio", str(bad), "--db", db_url])
        assert result.exit_code == 2
        assert "bad.csv, line 3, field 'principal'" in result.stderr
        assert "bad.csv, line 4, field 'due_date'" in result.stderr
        assert "nothing was imported" in result.stderr

    def test_with_worker_processes(self, runner: CliRunner, db_url: str, tmp_path: Path) -> None:
        """``--workers 2``: the same counts, and the same problems named by line and field."""
        assert runner.invoke(cli, ["db", "upgrade", "--db", db_url]).exit_code == 0
        rows = "".join(f"D{i},N{i},single,X{i},c,10.00,2026-01-01\n" for i in range(40))
        path = tmp_path / "p.csv"
        path.write_text(GOOD.split("\n", 1)[0] + "\n" + rows)
        args = ["--db", db_url, "--workers", "2", "--json"]
        result = runner.invoke(cli, ["import", "portfolio", str(path), *args])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["inserted"] == 80
        bad = tmp_path / "bad.csv"
        bad.write_text(path.read_text() + "D99,B,single,X99,c,abc,2026-01-01\n")
        result = runner.invoke(cli, ["import", "portfolio", str(bad), *args[:-1]])
        assert result.exit_code == 2
        assert "bad.csv, line 42, field 'principal'" in result.stderr
        assert "nothing was imported" in result.stderr
