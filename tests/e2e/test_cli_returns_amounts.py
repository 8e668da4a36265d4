"""``maatwerk returns read`` refuses amounts that are not plain decimals (no exponent, no sign)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from maatwerk.cli import cli


CAMT054 = Path(__file__).parent.parent / "fixtures" / "returns" / "camt054_v08_returns.xml"


def read(runner: CliRunner, tmp_path: Path, amount: str) -> tuple[int, str, str]:
    text = CAMT054.read_text(encoding="utf-8")
    assert '<Amt Ccy="EUR">20.00</Amt>' in text
    path = tmp_path / "returns.xml"
    path.write_text(text.replace(">20.00<", f">{amount}<"), encoding="utf-8")
    result = runner.invoke(cli, ["returns", "read", str(path), "--json"])
    return result.exit_code, result.stdout, result.stderr


class TestAmounts:
    """xsd:decimal amounts are read; exponents and signs are bad input (exit 2, one line)."""

    @pytest.mark.parametrize("amount", ["2.0e1", "2E1", "-20.00", "+20.00", "20,00", "NaN"])
    def test_refused(self, runner: CliRunner, tmp_path: Path, amount: str) -> None:
        code, out, err = read(runner, tmp_path, amount)
        assert (code, out) == (2, "")
        assert "is not an amount" in err
        assert "line 32" in err
        assert len(err.strip().splitlines()) == 1

    @pytest.mark.parametrize("amount", ["20", "20.00", "20.0"])
    def test_accepted(self, runner: CliRunner, tmp_path: Path, amount: str) -> None:
        code, out, err = read(runner, tmp_path, amount)
        assert code == 0, err
        assert '"20.00"' in out
