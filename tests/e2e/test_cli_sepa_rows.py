"""``maatwerk sepa build`` reports short and long rows by line, even when no row is readable."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import SEPA_CREDITOR, write_collections
from click.testing import CliRunner

from maatwerk.cli import cli


GOOD = "MW-2026-0001,MNDT-0001,2025-01-05,FRST,Jansen,NL44RABO0123456789,12.50,Termijn 1"
OPTIONS = [*SEPA_CREDITOR, "--created-at", "2026-11-23T10:00:00"]


def build(runner: CliRunner, tmp_path: Path, rows: list[str], date: str) -> tuple[int, str]:
    csv = write_collections(tmp_path / "c.csv", rows)
    out = tmp_path / "dd.xml"
    args = ["--collections", str(csv), *OPTIONS, "--collection-date", date, "--out", str(out)]
    result = runner.invoke(cli, ["sepa", "build", *args])
    assert not out.exists() or result.exit_code == 0
    return result.exit_code, result.stderr


class TestRows:
    """Every bad row is named by its line; nothing is written."""

    def test_single_row_with_an_extra_field(self, runner: CliRunner, tmp_path: Path) -> None:
        code, err = build(runner, tmp_path, [GOOD + ",extra"], "2026-11-25")
        assert code == 2
        assert "line 2, field 'row'" in err
        assert "more fields than the header" in err
        assert "no collections" not in err

    def test_short_row_is_refused(self, runner: CliRunner, tmp_path: Path) -> None:
        short = GOOD.rsplit(",", 2)[0]  # amount and remittance left out
        code, err = build(runner, tmp_path, [GOOD, short], "2026-11-25")
        assert code == 2
        assert "line 3, field 'row'" in err
        assert "fewer than the header" in err
        assert "line 2" not in err

    def test_bad_collection_date_once(self, runner: CliRunner, tmp_path: Path) -> None:
        rows = [GOOD, GOOD.replace("0001", "0002"), GOOD.replace("0001", "0003")]
        code, err = build(runner, tmp_path, rows, "2026-11-28")  # a Saturday
        assert code == 2
        assert err.count("--collection-date") == 1
        assert "not a TARGET business day" in err
        assert "line " not in err


class TestAmounts:
    """Amounts are plain decimals: no exponent, sign or thousands separator."""

    @pytest.mark.parametrize("amount", ["1e3", "-12.50", '"1,250.00"', "12.50.0"])
    def test_refused(self, runner: CliRunner, tmp_path: Path, amount: str) -> None:
        row = GOOD.replace(",12.50,", f",{amount},")
        code, err = build(runner, tmp_path, [row], "2026-11-25")
        assert code == 2
        assert "line 2, field 'amount'" in err
