"""``maatwerk knooppunt process|decide|settle`` end to end: debt help asks a balance and proposes
40 % in full and final settlement; we answer, accept, and once the 40 % is paid and booked the
rest is written off."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from cli_helpers import SETTING_FLAGS, migrate_and_import
from click.testing import CliRunner

from maatwerk.cli import cli


PORTFOLIO = (
    "debtor_id,name,household,net_monthly_income,on_bijstand,payday,phone,debt_id,creditor_id,"
    "principal,due_date,category,periodic\n"
    "P1,Anna,single,1050.00,yes,25,0611111111,B1,zorg,600.00,2026-03-02,invoice,no\n"
    "P1,Anna,single,1050.00,yes,25,0611111111,B2,zorg,400.00,2026-03-02,invoice,no\n"
)


def _ok(runner: CliRunner, args: list[str]) -> Any:
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, (args, result.output)
    return json.loads(result.stdout) if "--json" in args else result.stdout


def _write(inbox: Path, name: str, message: dict[str, object]) -> None:
    inbox.mkdir(exist_ok=True)
    (inbox / name).write_text(json.dumps(message), encoding="utf-8")


def test_balance_proposal_decision_and_settlement_through_the_cli(tmp_path: Path) -> None:
    runner = CliRunner()
    db_url = f"sqlite:///{tmp_path / 'm.db'}"
    db = ["--db", db_url]
    migrate_and_import(runner, db_url, tmp_path / "p.csv", PORTFOLIO)
    inbox, outbox = tmp_path / "inbox", tmp_path / "outbox"
    _write(inbox, "1.json", {"type": "saldoverzoek", "message_id": "S-1", "debtor_id": "P1",
                             "as_of": "2026-03-05", "counsellor": "Gemeente Voorbeeld"})  # fmt: skip
    _write(inbox, "2.json", {"type": "betaalvoorstel", "message_id": "V-1", "debtor_id": "P1",
                             "proposed_on": "2026-03-05", "percentage": "40",
                             "pay_by": "2026-06-30"})  # fmt: skip
    # a bad message: nothing processed, the file and field named, exit 2
    _write(inbox, "3.json", {"type": "betaalvoorstel", "message_id": "V-2", "debtor_id": "P1",
                             "proposed_on": "2026-03-05", "percentage": "abc",
                             "pay_by": "2026-06-30"})  # fmt: skip
    args = ["knooppunt", "process", "--inbox", str(inbox), "--outbox", str(outbox)]
    bad = runner.invoke(cli, [*args, *db, "--date", "2026-03-06"])
    assert bad.exit_code == 2
    assert "3.json" in bad.stderr
    assert "percentage" in bad.stderr
    assert not outbox.exists()
    (inbox / "3.json").unlink()

    done = _ok(runner, [*args, *db, "--date", "2026-03-06", "--json"])
    assert (done["requests"], done["proposals"], done["replies"]) == (1, 1, ["S-1-antwoord.json"])
    balance = json.loads((outbox / "S-1-antwoord.json").read_text())
    assert [(c["debt_id"], c["principal"], c["total"]) for c in balance["claims"]] == [
        ("B1", "600.00", "600.00"),
        ("B2", "400.00", "400.00"),
    ]
    assert balance["total"] == "1000.00"

    text = _ok(runner, ["knooppunt", "decide", "P1", "V-1", "--accept", "--by", "anna",
                        "--outbox", str(outbox), "--date", "2026-03-07", *db])  # fmt: skip
    assert "EUR 400.00 of EUR 1000.00 by 2026-06-30" in text
    reply = json.loads((outbox / "V-1-antwoord.json").read_text())
    assert (reply["decision"], reply["amount"]) == ("accepted", "400.00")
    again = runner.invoke(cli, ["knooppunt", "decide", "P1", "V-1", "--reject", "--reason", "x",
                                "--by", "bob", "--outbox", str(outbox), *db])  # fmt: skip
    assert again.exit_code == 1
    assert "decided before" in again.stderr
    no_reason = runner.invoke(cli, ["knooppunt", "decide", "P1", "V-9", "--reject", "--by", "bob",
                                    "--outbox", str(outbox), *db])  # fmt: skip
    assert no_reason.exit_code == 2
    assert "--reason" in no_reason.stderr

    (tmp_path / "pay.csv").write_text(
        "payment_id,debtor_id,received_on,amount\nX1,P1,2026-04-01,400.00\n", encoding="utf-8"
    )
    _ok(runner, ["import", "payments", str(tmp_path / "pay.csv"), *db, "--json"])
    out = ["--out", str(tmp_path / "out")]
    _ok(runner, ["run", "--date", "2026-04-01", *db, *out, *SETTING_FLAGS, "--json"])
    settled = _ok(runner, ["knooppunt", "settle", "--date", "2026-04-01", *db, "--json"])
    (completed,) = settled["completed"]
    assert completed["paid"]["amount"] in {"400.00", "400"}
    # the rest is forgiven: the 600.00 principal and the interest the run posted meanwhile
    assert Decimal(completed["written_off"]["amount"]) >= Decimal("600.00")
    explained = _ok(runner, ["explain", "P1", *db, "--date", "2026-04-02", "--json"])
    assert "written-off" in json.dumps(explained)
    # settled before: nothing new
    quiet = _ok(runner, ["knooppunt", "settle", *db, "--date", "2026-04-02"])
    assert quiet == "no accepted settlement waiting for payment\n"
