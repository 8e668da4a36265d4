"""``maatwerk policy check`` refuses an amount written as a TOML float (exit 2, line and key)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from maatwerk.adapters.policy_loader import resolve_policy
from maatwerk.cli import cli


class TestPolicyAmounts:
    """Amounts in a policy are strings in cents; a float such as 100.5 is not accepted."""

    @pytest.mark.parametrize("written", ["100.5", "100.50", "1e2"])
    def test_float_refused(self, runner: CliRunner, tmp_path: Path, written: str) -> None:
        text = resolve_policy("humane").read_text(encoding="utf-8")
        original = 'bailiff_min_amount = "100.00"'
        assert original in text
        broken = tmp_path / "humane.toml"
        broken.write_text(text.replace(original, f"bailiff_min_amount = {written}"))
        result = runner.invoke(cli, ["policy", "check", str(broken)])
        assert result.exit_code == 2
        line = text.splitlines().index(original) + 1
        assert f"line {line}" in result.stderr
        assert "bailiff_min_amount" in result.stderr
        assert "as a string" in result.stderr

    def test_string_accepted(self, runner: CliRunner, tmp_path: Path) -> None:
        text = resolve_policy("humane").read_text(encoding="utf-8")
        good = tmp_path / "humane.toml"
        good.write_text(text.replace('"100.00"', '"100.50"', 1))
        result = runner.invoke(cli, ["policy", "check", str(good)])
        assert result.exit_code == 0, result.output
