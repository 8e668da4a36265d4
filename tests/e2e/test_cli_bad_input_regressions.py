"""The bad inputs a deliberate attempt to break the CLI found (issue 20), each refused with exit 2
and one line naming the file, the line and the field, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from maatwerk.cli import cli


EXAMPLE_CASE = Path(__file__).parent.parent.parent / "examples" / "case.json"
HEADER = "debtor_id,name,household,net_monthly_income,debt_id,creditor_id,principal,due_date\n"


def _error(runner: CliRunner, args: list[str]) -> str:
    result = runner.invoke(cli, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 2, result.output
    return result.stderr


@pytest.fixture
def db(runner: CliRunner, tmp_path: Path) -> list[str]:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    assert runner.invoke(cli, ["db", "upgrade", "--db", url]).exit_code == 0
    return ["--db", url]


def test_policy_show_of_a_directory_or_a_300_character_name(
    runner: CliRunner, tmp_path: Path
) -> None:
    assert "cannot read the policy file" in _error(runner, ["policy", "show", str(tmp_path)])
    assert "no shipped policy" in _error(runner, ["policy", "show", "x" * 300])


def test_a_case_file_with_a_byte_order_mark_is_read_one_in_latin_1_is_refused_at_its_line(
    runner: CliRunner, tmp_path: Path
) -> None:
    text = EXAMPLE_CASE.read_text(encoding="utf-8")
    bom = tmp_path / "bom.json"
    bom.write_bytes(b"\xef\xbb\xbf" + text.encode())
    args = ["policy", "explain", "--case", str(bom), "--date", "2026-03-01"]
    assert runner.invoke(cli, args).exit_code == 0
    latin = tmp_path / "latin.json"
    latin.write_bytes(text.replace("default", "d\u00e9faut").encode("latin-1"))
    line = _error(runner, ["policy", "explain", "--case", str(latin), "--date", "2026-03-01"])
    assert "latin.json, line 9: the file is not UTF-8" in line, line


@pytest.mark.parametrize(
    ("income", "message"),
    [("1e30", "is too large"), ("1e309", "is too large"), ("1" * 200, "is too large")],
)
def test_a_huge_income_is_named_with_its_line_and_field(
    runner: CliRunner, tmp_path: Path, db: list[str], income: str, message: str
) -> None:
    csv = tmp_path / "p.csv"
    csv.write_text(HEADER + f"D1,Anna,single,{income},B1,zorg,10.00,2026-01-01\n")
    stderr = _error(runner, ["import", "portfolio", str(csv), *db])
    assert "p.csv, line 2, field 'net_monthly_income'" in stderr, stderr
    assert message in stderr, stderr


def test_a_field_over_128_kib_is_named_in_every_csv_reader(
    runner: CliRunner, tmp_path: Path, db: list[str]
) -> None:
    csv = tmp_path / "p.csv"
    csv.write_text(HEADER + f"D1,{'A' * 200_000},single,1000,B1,zorg,10.00,2026-01-01\n")
    stderr = _error(runner, ["import", "portfolio", str(csv), *db])
    assert "p.csv, line 2, field 'name': is longer than" in stderr, stderr
    sepa = tmp_path / "c.csv"
    sepa.write_text(
        "end_to_end_id,mandate_id,mandate_date,sequence,debtor_name,debtor_iban,amount,remittance\n"
        f"{'E' * 200_000},M1,2025-01-05,FRST,Anna,NL44RABO0123456789,12.50,x\n"
    )
    stderr = _error(
        runner,
        [
            "sepa", "build", "--collections", str(sepa), "--creditor-name", "Zorg",
            "--creditor-iban", "NL91ABNA0417164300", "--creditor-id", "NL32ZZZ999999991234",
            "--collection-date", "2026-11-25", "--created-at", "2026-11-23T10:00:00",
            "--out", str(tmp_path / "o.xml"),
        ],
    )  # fmt: skip
    assert "c.csv, line 2, field 'end_to_end_id'" in stderr, stderr[:500]


def test_a_start_date_whose_year_would_pass_9999_is_bad_input(
    runner: CliRunner, tmp_path: Path
) -> None:
    args = ["demo", "--start", "9999-12-31", "--debtors", "1", "--days", "1"]
    stderr = _error(runner, [*args, "--out", str(tmp_path / "d")])
    assert "would fall after 9999-12-31" in stderr, stderr
