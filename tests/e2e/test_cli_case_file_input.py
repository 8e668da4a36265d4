"""``policy explain --case`` refuses a case file with a negative amount or a bad date, naming the key."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from maatwerk.cli import cli


EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "case.json"


def _explain(runner: CliRunner, tmp_path: Path, doc: dict[str, Any]) -> tuple[int, str, str]:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = runner.invoke(
        cli, ["policy", "explain", "--case", str(path), "--date", "2026-03-15", "--json"]
    )
    return result.exit_code, result.stdout, result.stderr


def _example() -> dict[str, Any]:
    doc = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    assert isinstance(doc, dict)
    return doc


class TestCaseFileInput:
    """Bad amounts and dates give exit 2 and one line naming the file and the exact key."""

    def test_the_example_is_accepted(self, runner: CliRunner, tmp_path: Path) -> None:
        code, _, err = _explain(runner, tmp_path, _example())
        assert code == 0, err

    def test_negative_payment_is_refused(self, runner: CliRunner, tmp_path: Path) -> None:
        doc = _example()
        doc["debts"][2]["payments"][0]["amount"] = "-50.00"
        code, out, err = _explain(runner, tmp_path, doc)
        assert (code, out) == (2, "")
        assert "debts[2].payments[0].amount" in err
        assert "more than zero" in err

    def test_negative_event_amount_is_refused(self, runner: CliRunner, tmp_path: Path) -> None:
        doc = _example()
        doc["events"].append(
            {
                "kind": "promise-to-pay",
                "occurred_on": "2026-03-01",
                "amount": {"amount": "-50.00", "currency": "EUR"},
                "promised_for": "2026-03-20",
            }
        )
        index = len(doc["events"]) - 1
        code, _, err = _explain(runner, tmp_path, doc)
        assert code == 2
        assert f"events[{index}].amount" in err

    @pytest.mark.parametrize("bad", ["2026-02-30", "tomorrow"])
    def test_bad_event_date_names_the_key(
        self, runner: CliRunner, tmp_path: Path, bad: str
    ) -> None:
        doc = _example()
        doc["events"][4]["occurred_on"] = bad
        code, _, err = _explain(runner, tmp_path, doc)
        assert code == 2
        assert "events[4].occurred_on" in err
        assert len(err.strip().splitlines()) == 1
