"""``maatwerk returns read``: the parsed returns as text or one JSON object; errors exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from maatwerk.cli import cli


FIXTURES = Path(__file__).parent.parent / "fixtures" / "returns"
KEYS = {"end_to_end_id", "mandate_id", "amount", "reason", "group", "booking_date"}


class TestRead:
    """Each supported format prints its returns; --json keeps the listed keys per item."""

    @pytest.mark.parametrize(
        ("name", "fmt", "count"),
        [
            ("camt053_v02_returns.xml", "camt.053.001.02", 3),
            ("camt053_v08_returns.xml", "camt.053.001.08", 3),
            ("camt054_v08_returns.xml", "camt.054.001.08", 2),
            ("pain002_v03_rejects.xml", "pain.002.001.03", 1),
            ("pain002_v10_rejects.xml", "pain.002.001.10", 3),
            ("mt940_nl_returns.sta", "mt940", 3),
        ],
    )
    def test_json(self, runner: CliRunner, name: str, fmt: str, count: int) -> None:
        result = runner.invoke(cli, ["returns", "read", str(FIXTURES / name), "--json"])
        assert result.exit_code == 0, result.stderr
        payload = json.loads(result.stdout)
        assert payload["format"] == fmt
        assert payload["file"] == str(FIXTURES / name)
        assert len(payload["returns"]) == count
        for item in payload["returns"]:
            assert set(item) >= KEYS

    def test_json_values(self, runner: CliRunner) -> None:
        result = runner.invoke(
            cli, ["returns", "read", str(FIXTURES / "camt053_v02_returns.xml"), "--json"]
        )
        first = json.loads(result.stdout)["returns"][0]
        assert {k: first[k] for k in KEYS} == {
            "end_to_end_id": "MW-2026-0001",
            "mandate_id": "MNDT-0001",
            "amount": "12.50",
            "reason": "AM04",
            "group": "could_not_pay",
            "booking_date": "2026-12-04",
        }

    def test_text(self, runner: CliRunner) -> None:
        result = runner.invoke(cli, ["returns", "read", str(FIXTURES / "pain002_v03_rejects.xml")])
        assert result.exit_code == 0
        assert "MW-2026-0301" in result.stdout
        assert "AC01" in result.stdout
        assert "data_error" in result.stdout
        assert "not booked" in result.stdout
        assert "MW-20261123100000-002 rejected: FF01" in result.stdout


class TestErrors:
    """Hostile, unknown or missing files: one error line naming the file, exit 2."""

    @pytest.mark.parametrize(
        "name", ["hostile_xxe.xml", "hostile_billion_laughs.xml", "hostile_external_dtd.xml"]
    )
    def test_hostile(self, runner: CliRunner, name: str) -> None:
        result = runner.invoke(cli, ["returns", "read", str(FIXTURES / name), "--json"])
        assert result.exit_code == 2
        assert result.stdout == ""
        assert name in result.stderr
        assert "refused" in result.stderr

    def test_unknown_format(self, runner: CliRunner, tmp_path: Path) -> None:
        path = tmp_path / "x.txt"
        path.write_text("hello", encoding="utf-8")
        result = runner.invoke(cli, ["returns", "read", str(path)])
        assert result.exit_code == 2
        assert "unknown format" in result.stderr

    def test_missing(self, runner: CliRunner, tmp_path: Path) -> None:
        result = runner.invoke(cli, ["returns", "read", str(tmp_path / "absent.xml")])
        assert result.exit_code == 2
        assert "absent.xml" in result.stderr
