"""``maatwerk import municipal-feedback`` and the can't-pay path through the CLI, end to end.

A single person on bijstand (net EUR 1,050, protected income EUR 1,331.43) who says "I can't
pay" gets no collection costs, is flagged as problematic debt once, is offered a referral; with
consent the referral goes out and no bailiff follows; with feedback "in-debt-help" the case stays
paused; with "no-contact" it resumes with a call. "Won't pay" with room still reaches the
bailiff review.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import SETTING_FLAGS, migrate_and_import
from click.testing import CliRunner

from maatwerk.adapters.storage import SqlStore
from maatwerk.cli import cli
from maatwerk.core.events import (
    DebtHelpEnded,
    DebtHelpStarted,
    DebtorFlag,
    DebtorFlagged,
    ReferralAnswered,
    StepTaken,
)


START = dt.date(2026, 3, 2)
PORTFOLIO = (
    "debtor_id,name,household,net_monthly_income,on_bijstand,payday,phone,debt_id,creditor_id,"
    "principal,due_date,category,periodic,street,house_number,postcode,city\n"
    "P1,Anna,single,1050.00,yes,25,0611111111,B1,zorg,300.00,2026-03-02,invoice,no,Voorbeeldstraat,1,1234 AB,Utrecht\n"
    "P2,Bert,single,1050.00,yes,25,0622222222,B2,zorg,300.00,2026-03-02,invoice,no,Voorbeeldstraat,1,1234 AB,Utrecht\n"
    "P3,Cees,single,5500.00,no,25,0633333333,B3,zorg,300.00,2026-03-02,invoice,no,Voorbeeldstraat,1,1234 AB,Utrecht\n"
)


def _ok(runner: CliRunner, args: list[str]) -> Any:
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, (args, result.output)
    return json.loads(result.stdout)


def _feedback(runner: CliRunner, db: list[str], path: Path, *extra: str) -> Any:
    return runner.invoke(
        cli, ["import", "municipal-feedback", str(path), *db, "--date", "2026-06-30", *extra]
    )


def _history(db_url: str, debtor: str) -> list[Any]:
    store = SqlStore.from_url(db_url)
    try:
        return [r.event for r in store.history(debtor) if r.event is not None]
    finally:
        store.close()


class TestImport:
    @pytest.fixture
    def db(self, runner: CliRunner, db_url: str, tmp_path: Path) -> list[str]:
        migrate_and_import(runner, db_url, tmp_path / "portfolio.csv", PORTFOLIO)
        return ["--db", db_url]

    def test_csv_records_answers_and_starts_debt_help(
        self, runner: CliRunner, db: list[str], db_url: str, tmp_path: Path
    ) -> None:
        path = tmp_path / "feedback.csv"
        path.write_text(
            "reference;outcome;date\n"
            "zorg/P1/referral/2026-03-23;in debt help;2026-04-10\n"
            "P2;no-contact;2026-04-11\n",
            encoding="utf-8",
        )
        result = _feedback(runner, db, path, "--json")
        assert result.exit_code == 0, result.output
        summary = json.loads(result.stdout)
        assert summary["imported"] is True
        assert summary["recorded"] == 3
        kinds = [e["kind"] for e in summary["events"]]
        assert kinds == ["referral-answered", "debt-help-started", "referral-answered"]
        p1 = _history(db_url, "P1")
        assert any(isinstance(e, DebtHelpStarted) and e.help_kind.value == "debt-help" for e in p1)
        answer = next(e for e in p1 if isinstance(e, ReferralAnswered))
        assert answer.outcome.value == "in-debt-help"
        assert answer.reference == "zorg/P1/referral/2026-03-23"

    def test_json_stabilisation_then_refused_ends_it(
        self, runner: CliRunner, db: list[str], db_url: str, tmp_path: Path
    ) -> None:
        path = tmp_path / "feedback.json"
        path.write_text(
            json.dumps(
                {
                    "feedback": [
                        {"reference": "P1", "outcome": "refused", "date": "2026-05-01"},
                        {"reference": "P1", "outcome": "stabilisation", "date": "2026-04-01"},
                    ]
                }
            ),
            encoding="utf-8",
        )
        result = _feedback(runner, db, path)
        assert result.exit_code == 0, result.output
        assert "2 answer(s), 4 event(s) recorded" in result.stdout
        p1 = _history(db_url, "P1")
        started = [e for e in p1 if isinstance(e, DebtHelpStarted)]
        ended = [e for e in p1 if isinstance(e, DebtHelpEnded)]
        assert [e.help_kind.value for e in started] == ["stabilisation"]
        assert [(e.help_kind.value, e.occurred_on) for e in ended] == [
            ("stabilisation", dt.date(2026, 5, 1))
        ]

    def test_bad_rows_reject_the_whole_file_naming_file_line_and_field(
        self, runner: CliRunner, db: list[str], db_url: str, tmp_path: Path
    ) -> None:
        path = tmp_path / "bad.csv"
        path.write_text(
            "reference,outcome,date\n"
            "P1,accepted,2026-04-01\n"
            "P2,maybe,2026-04-01\n"
            "P3,refused,1 april\n"
            "NOBODY,accepted,2026-04-01\n"
            "P1,accepted,2026-07-01\n"
            ",accepted,2026-04-01\n",
            encoding="utf-8",
        )
        result = _feedback(runner, db, path)
        assert result.exit_code == 2
        err = result.stderr
        assert "bad.csv, line 3, field outcome: unknown outcome 'maybe'" in err
        assert "bad.csv, line 4, field date" in err
        assert "bad.csv, line 5, field reference" in err
        assert "bad.csv, line 6, field date: date 2026-07-01 is after today" in err
        assert "bad.csv, line 7, field reference: reference is missing" in err
        assert "nothing was imported" in err
        assert not any(isinstance(e, ReferralAnswered) for e in _history(db_url, "P1"))

    def test_bad_json_records_are_numbered(
        self, runner: CliRunner, db: list[str], tmp_path: Path
    ) -> None:
        path = tmp_path / "bad.json"
        path.write_text(
            json.dumps([{"reference": "P1", "outcome": "accepted"}, {"reference": "P2", "x": 1}]),
            encoding="utf-8",
        )
        result = _feedback(runner, db, path, "--json")
        assert result.exit_code == 2
        errors = json.loads(result.stdout)["errors"]
        assert {(e["record"], e["field"]) for e in errors} == {(1, "date"), (2, "x")}

    def test_reimport_records_nothing(
        self, runner: CliRunner, db: list[str], db_url: str, tmp_path: Path
    ) -> None:
        first = tmp_path / "a.csv"
        first.write_text("reference,outcome,date\nP1,accepted,2026-04-01\n", encoding="utf-8")
        assert _feedback(runner, db, first).exit_code == 0
        again = _feedback(runner, db, first, "--json")
        assert json.loads(again.stdout)["already_imported"] is True
        other = tmp_path / "b.json"  # the same answer in another file
        other.write_text(
            json.dumps([{"reference": "P1", "outcome": "accepted", "date": "2026-04-01"}]),
            encoding="utf-8",
        )
        summary = json.loads(_feedback(runner, db, other, "--json").stdout)
        assert summary["recorded"] == 0
        assert summary["duplicates"] == 1  # the answer; debt help runs already
        p1 = _history(db_url, "P1")
        assert sum(isinstance(e, ReferralAnswered) for e in p1) == 1
        assert sum(isinstance(e, DebtHelpStarted) for e in p1) == 1


def _run(runner: CliRunner, db: list[str], out: list[str], day: dt.date) -> None:
    _ok(
        runner,
        ["run", "--date", day.isoformat(), *db, *out, *SETTING_FLAGS, "--by", "carl", "--json"],
    )
    for item in _ok(runner, ["review", "list", *db, "--json"])["reviews"]:
        _ok(
            runner,
            [
                "review",
                "approve",
                str(item["id"]),
                "--by",
                "dora",
                "--date",
                day.isoformat(),
                *db,
                "--json",
            ],
        )


def _record(runner: CliRunner, db: list[str], *args: str) -> None:
    _ok(runner, [*args, "--by", "anna", *db, "--json"])


@pytest.mark.slow
def test_cant_pay_path_through_the_cli(runner: CliRunner, sqlite_url: str, tmp_path: Path) -> None:
    db = ["--db", sqlite_url]
    out = ["--out", str(tmp_path / "out")]
    migrate_and_import(runner, sqlite_url, tmp_path / "portfolio.csv", PORTFOLIO)
    day = START
    end = START + dt.timedelta(days=100)
    while day <= end:
        if day == START + dt.timedelta(days=15):
            for debtor, said in (("P1", "cant-pay"), ("P2", "cant-pay"), ("P3", "wont-pay")):
                _record(runner, db, "contact", "log", debtor, "--channel", "phone",
                        "--outcome", said, "--date", day.isoformat())  # fmt: skip
            for debtor in ("P1", "P2"):
                _record(runner, db, "consent", "add", debtor, "--scope", "debt-help-referral",
                        "--date", day.isoformat())  # fmt: skip
        if day == START + dt.timedelta(days=40):
            feedback = tmp_path / "feedback.csv"
            feedback.write_text(
                f"reference,outcome,date\nP1,in-debt-help,{day}\nP2,no-contact,{day}\n",
                encoding="utf-8",
            )
            imported = runner.invoke(
                cli, ["import", "municipal-feedback", str(feedback), *db, "--date", day.isoformat()]
            )
            assert imported.exit_code == 0, imported.output
        _run(runner, db, out, day)
        day += dt.timedelta(days=1)

    store = SqlStore.from_url(sqlite_url)
    try:
        outbox = store.outbox_items()
        debts = {
            c.key.debtor_id: c for c in store.load_cases(store.case_keys(after=None, limit=10))
        }
    finally:
        store.close()
    steps = {
        who: [e for e in _history(sqlite_url, who) if isinstance(e, StepTaken)]
        for who in ("P1", "P2", "P3")
    }
    actions = {who: [(s.occurred_on, s.step_id) for s in taken] for who, taken in steps.items()}

    for who in ("P1", "P2"):
        # cannot pay: no costs stated or posted, flagged once, referred with consent, no bailiff
        flags = [
            e
            for e in _history(sqlite_url, who)
            if isinstance(e, DebtorFlagged) and e.flag is DebtorFlag.PROBLEMATIC_DEBT
        ]
        assert len(flags) == 1, who
        assert "referral" in [s for _, s in actions[who]], actions[who]
        assert not any(
            i.entry.action == "bailiff-handover" for i in outbox if i.entry.case.debtor_id == who
        )
        letters = [
            i
            for i in outbox
            if i.entry.case.debtor_id == who and i.entry.action == "fourteen-day-letter"
        ]
        # P1 is referred before the 14-day letter and stays paused; P2 gets it after the call
        assert bool(letters) is (who == "P2"), (who, actions[who])
        for letter in letters:
            assert letter.entry.payload["collection_costs"] == 0
            assert letter.status.value == "done"
        assert not debts[who].case.debts[0].costs
        referral = next(
            i
            for i in outbox
            if i.entry.case.debtor_id == who and i.entry.action == "debt-help-referral"
        )
        assert referral.entry.channel == "municipal"

    referred = next(d for d, s in actions["P1"] if s == "referral")
    feedback_day = START + dt.timedelta(days=40)
    # in debt help: nothing after the referral
    assert [s for d, s in actions["P1"] if d > referred] == []
    # no contact: the pause ends; the first step after it is a personal call
    after = [(d, s) for d, s in actions["P2"] if d >= feedback_day]
    assert after, actions["P2"]
    # (the answer came on Saturday 11 April: no call at the weekend, so Monday 13 April)
    assert after[0] == (dt.date(2026, 4, 13), "resume-call")
    assert [s for d, s in actions["P2"] if referred < d < feedback_day] == []
    # won't pay, with room: the policy escalates to the bailiff review (approved: handed over)
    assert "bailiff" in [s for _, s in actions["P3"]], actions["P3"]

    texts = [p.read_text(encoding="utf-8") for p in (tmp_path / "out" / "letters").rglob("*.txt")]
    bert = [t for t in texts if "Bert" in t and "Die 14 dagen beginnen" in t]
    assert bert
    assert all("Voor deze brief rekenen wij geen incassokosten." in t for t in bert)

    explained = _ok(runner, ["explain", "P2", "--date", end.isoformat(), *db, "--json"])
    text = json.dumps(explained, ensure_ascii=False)
    assert "kan niet betalen" in text
    assert "1.331,43" in text
