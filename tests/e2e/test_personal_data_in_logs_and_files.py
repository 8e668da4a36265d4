"""Personal data stays where it belongs: the demo run at debug level logs its steps (imports,
batches, cases by id, deliveries, timings) and none of the names, IBANs, BSNs, e-mail addresses,
phone numbers or postal addresses of its households; logs are JSON only when asked; the
``Error:`` line is no log line; the database and every file the run writes are readable by their
owner only (0600 files, 0700 directories)."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
import structlog
from cli_helpers import demo_database
from click.testing import CliRunner

from maatwerk.adapters.logging import mask, redact
from maatwerk.cli import cli


PERSONAL_COLUMNS = (
    "name", "iban", "email", "phone", "bsn", "address_street", "address_postcode", "address_city",
)  # fmt: skip


def _personal_values(out: Path) -> set[str]:
    import sqlalchemy as sa

    with demo_database(out) as conn:
        rows = conn.execute(sa.text(f"SELECT {', '.join(PERSONAL_COLUMNS)} FROM debtors")).all()
    values = {str(v) for row in rows for v in row if v}
    # a street alone ("Kerkstraat") may be a word in a log; with its number it is an address
    return {v for v in values if len(v) >= 5}


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, list[str]]:
    monkeypatch.setenv("MAATWERK_LOG_LEVEL", "debug")
    out = tmp_path / "demo"
    result = CliRunner().invoke(
        cli,
        ["--log-format", "json", "demo", "--debtors", "30", "--days", "40", "--out", str(out)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output[-2000:]
    return out, result.stderr.splitlines()


def test_debug_logs_of_a_demo_run_are_useful_json_and_hold_no_personal_data(
    demo: tuple[Path, list[str]],
) -> None:
    out, lines = demo
    logged = [json.loads(line) for line in lines if line.strip()]
    events = {entry["event"] for entry in logged}
    assert {"import_applied", "run_started", "run_batch", "case_decided", "run_finished"} <= events
    assert any(e["event"] == "channel_delivered" for e in logged), sorted(events)
    decided = [e for e in logged if e["event"] == "case_decided"]
    assert all(e["debtor_id"].startswith("D") and e["outcome"] for e in decided)
    assert all("ms" in e for e in logged if e["event"] == "run_batch")
    personal = _personal_values(out)
    assert len(personal) > 50, "the fixture has personal data to look for"
    text = "\n".join(lines)
    found = sorted(v for v in personal if v in text)
    assert not found, f"{len(found)} personal values in the logs, e.g. {found[:3]}"


def test_the_database_and_every_file_the_run_writes_are_private(
    demo: tuple[Path, list[str]],
) -> None:
    out, _lines = demo
    assert stat.S_IMODE((out / "maatwerk.db").stat().st_mode) == 0o600
    checked = 0
    for path in [out, *out.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o077 == 0, (path, oct(mode))
        checked += path.is_file()
    assert checked > 10  # letters, work lists, SEPA files, dossiers, the report


def test_the_event_log_of_a_demo_run_verifies(demo: tuple[Path, list[str]]) -> None:
    out, _lines = demo
    result = CliRunner().invoke(
        cli, ["audit", "verify", "--db", f"sqlite:///{out / 'maatwerk.db'}"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "event log: every chain intact"


def test_logs_are_readable_lines_unless_json_is_asked_and_the_error_line_stays_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAATWERK_LOG_LEVEL", "debug")
    monkeypatch.delenv("MAATWERK_LOG_FORMAT", raising=False)
    url = f"sqlite:///{tmp_path / 'm.db'}"
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "upgrade", "--db", url]).exit_code == 0
    csv = tmp_path / "p.csv"
    csv.write_text(
        "debtor_id,name,household,debt_id,creditor_id,principal,due_date\n"
        "D1,Anna de Vries,single,B1,zorg,10.00,2026-01-01\n"
        "D2,Bart Jansen,single,B2,zorg,xx,2026-01-01\n"
    )
    result = runner.invoke(cli, ["import", "portfolio", str(csv), "--db", url])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    logs = [line for line in lines if "import_checked" in line]
    assert logs, lines
    assert not logs[0].startswith("{")
    assert "kind=portfolio" in logs[0]
    errors = [line for line in lines if line.startswith("Error: ")]
    assert len(errors) == 1
    assert "import_checked" not in errors[0]
    monkeypatch.setenv("MAATWERK_LOG_FORMAT", "json")
    result = runner.invoke(cli, ["import", "portfolio", str(csv), "--db", url])
    logged = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert any(entry["event"] == "import_checked" for entry in logged)
    assert result.stderr.splitlines()[-1].startswith("Error: ")


def test_the_redacting_processor_masks_every_kind_of_personal_data() -> None:
    event = redact(
        None,
        "debug",
        {
            "event": "x",
            "name": "Anna de Vries",
            "Street": "Lindelaan",
            "details": {"iban": "NL91ABNA0417164300", "debts": [{"note": "ziek"}]},
            "text": (
                "mail anna@example.org or call 06-12345678 / +31 6 1234 5678; BSN 111222333, "
                "IBAN NL91 ABNA 0417 1643 00, Lindelaan 7, 3511 AB Utrecht"
            ),
            "debtor_id": "D0000001",
            "count": 123,
        },
    )
    text = json.dumps(event)
    for secret in (
        "Anna", "Lindelaan", "NL91", "ziek", "anna@example.org", "12345678", "1234 5678",
        "111222333", "3511 AB",
    ):  # fmt: skip
        assert secret not in text, (secret, text)
    assert event["debtor_id"] == "D0000001"
    assert event["count"] == 123
    assert mask("2026-03-02 run 12 ms") == "2026-03-02 run 12 ms"
    structlog.reset_defaults()
