"""End to end through the CLI: import a portfolio, run 90 days, review, record, explain."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import SETTING_FLAGS, migrate_and_import
from click.testing import CliRunner

from maatwerk.adapters.storage import SqlStore
from maatwerk.cli import cli
from maatwerk.core.events import StepTaken


pytestmark = pytest.mark.slow

START = dt.date(2026, 3, 2)


def _portfolio(n: int) -> str:
    header = (
        "debtor_id,name,household,net_monthly_income,payday,phone,debt_id,creditor_id,"
        "principal,due_date,category,periodic,street,house_number,postcode,city"
    )
    lines = [header]
    for i in range(n):
        due = START + dt.timedelta(days=i % 20)
        lines.extend(
            f"D{i:03},Person {i},single,{1200 + 10 * i}.00,25,06{i:08},B{i:03}-{j},zorg,"
            f"{100 + i}.{j}0,{due + dt.timedelta(days=30 * j)},premium,yes,"
            f"Voorbeeldstraat,{i + 1},1234 AB,Utrecht"
            for j in range(1 + i % 3)
        )
    return "\n".join(lines) + "\n"


def _ok(runner: CliRunner, args: list[str]) -> Any:
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, (args, result.output)
    return json.loads(result.stdout)


class TestNinetyDays:
    """90 consecutive days give a funnel: fewer cases at each harder step, each step once."""

    def test_portfolio_through_ninety_days(
        self, runner: CliRunner, db_url: str, tmp_path: Path
    ) -> None:
        db = ["--db", db_url]
        out = ["--out", str(tmp_path / "out")]
        imported = migrate_and_import(runner, db_url, tmp_path / "portfolio.csv", _portfolio(24))
        assert imported["inserted"] == 24 + sum(1 + i % 3 for i in range(24))
        reviewed = False
        for offset in range(90):
            day = START + dt.timedelta(days=offset)
            if offset == 30:
                for debtor in ("D001", "D002", "D003"):
                    _ok(
                        runner,
                        [
                            "contact",
                            "log",
                            debtor,
                            "--channel",
                            "phone",
                            "--outcome",
                            "wont-pay",
                            "--by",
                            "anna",
                            "--date",
                            day.isoformat(),
                            *db,
                            "--json",
                        ],
                    )
            summary = _ok(
                runner,
                [
                    "run",
                    "--date",
                    day.isoformat(),
                    *db,
                    *out,
                    *SETTING_FLAGS,
                    "--by",
                    "carl",
                    "--json",
                ],
            )
            assert summary["cases_evaluated"] == summary["cases_total"] == 24
            pending = _ok(runner, ["review", "list", *db, "--json"])["reviews"]
            for item in pending:
                same = runner.invoke(
                    cli, ["review", "approve", str(item["id"]), "--by", "carl", *db]
                )
                assert same.exit_code == 1
                assert "four eyes" in same.output
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
                reviewed = True
        again = _ok(
            runner,
            [
                "run",
                "--date",
                (START + dt.timedelta(days=45)).isoformat(),
                *db,
                *out,
                *SETTING_FLAGS,
                "--json",
            ],
        )
        assert again["cases_evaluated"] == 0

        store = SqlStore.from_url(db_url)
        try:
            items = store.outbox_items()
            first: dict[str, dict[str, dt.date]] = defaultdict(dict)
            for item in items:
                first[item.entry.action].setdefault(item.entry.case.debtor_id, item.entry.run_date)
            reminded, called = first["payment-reminder"], first["phone-call"]
            lettered = first["fourteen-day-letter"]
            assert len(reminded) >= len(lettered) > 0
            assert len(called) > 0
            for debtor, sent in lettered.items():
                assert reminded[debtor] < sent
            bailiff = first["bailiff-handover"]
            assert set(bailiff) <= set(lettered)
            assert bailiff, "no case reached the bailiff review in 90 days"
            assert reviewed
            taken: Counter[tuple[str, str, tuple[str, ...]]] = Counter()
            for debtor in {i.entry.case.debtor_id for i in items}:
                for record in store.history(debtor):
                    if isinstance(record.event, StepTaken):
                        event = record.event
                        taken[(event.debtor_id, event.step_id, event.debt_ids)] += 1
            assert set(taken.values()) == {1}
        finally:
            store.close()
        explained = _ok(runner, ["explain", "D001", "--date", START.isoformat(), *db, "--json"])
        assert explained["debtor_id"] == "D001"


class TestRecordingCommands:
    """Recording commands append events; unknown debtors and holds are refused with exit 2."""

    def test_record_and_explain(self, runner: CliRunner, db_url: str, tmp_path: Path) -> None:
        db = ["--db", db_url]
        migrate_and_import(runner, db_url, tmp_path / "portfolio.csv", _portfolio(2))
        when = ["--date", "2026-04-01", "--by", "anna", *db]
        unknown = runner.invoke(cli, ["consent", "add", "NOPE", "--scope", "early-signal", *when])
        assert unknown.exit_code == 2
        assert "unknown debtor" in unknown.output
        placed = _ok(
            runner, ["hold", "add", "D001", "--reason", "debt-help", "--id", "H1", *when, "--json"]
        )
        assert placed["kind"] == "hold-placed"
        ended = runner.invoke(cli, ["hold", "end", "D001", "H9", *when])
        assert ended.exit_code == 2
        _ok(runner, ["hold", "end", "D001", "H1", *when, "--json"])
        _ok(runner, ["consent", "add", "D001", "--scope", "municipal-referral", *when, "--json"])
        _ok(
            runner, ["dispute", "open", "D001", "--id", "X1", "--reason", "amount", *when, "--json"]
        )
        _ok(runner, ["dispute", "resolve", "D001", "X1", "--outcome", "upheld", *when, "--json"])
        offer = _ok(
            runner,
            [
                "arrangement",
                "propose",
                "D001",
                "--creditor",
                "zorg",
                "--capacity",
                "40",
                *when,
                "--json",
            ],
        )
        _ok(
            runner, ["arrangement", "accept", "D001", str(offer["arrangement_id"]), *when, "--json"]
        )
        explained = _ok(runner, ["explain", "D001", "--date", "2026-04-02", *db, "--json"])
        kinds = [h["kind"] for h in explained["history"]]
        assert kinds == [
            "hold-placed",
            "hold-ended",
            "consent-given",
            "dispute-opened",
            "dispute-resolved",
            "arrangement-offered",
            "arrangement-accepted",
        ]
        (case,) = explained["cases"]
        assert case["balance"]["total"] == "202.10"


class TestChannelSettingsAtStartup:
    """``run`` stops with exit 2 and one line naming the missing setting, before deciding."""

    @pytest.mark.parametrize(
        ("drop", "named"),
        [
            ("creditor_name=", "creditor_name"),
            ("creditor_phone=", "creditor_phone"),
            ("creditor_iban=", "creditor_iban"),
            ("creditor_id=", "creditor_id"),
        ],
    )
    def test_missing_setting_stops_the_run(
        self, runner: CliRunner, db_url: str, tmp_path: Path, drop: str, named: str
    ) -> None:
        db = ["--db", db_url]
        migrate_and_import(runner, db_url, tmp_path / "portfolio.csv", _portfolio(3))
        pairs = zip(SETTING_FLAGS[::2], SETTING_FLAGS[1::2], strict=True)
        settings = [part for pair in pairs if not pair[1].startswith(drop) for part in pair]
        day = (START + dt.timedelta(days=40)).isoformat()
        out = ["--out", str(tmp_path / "out")]
        result = runner.invoke(cli, ["run", "--date", day, *db, *out, *settings, "--json"])
        assert result.exit_code == 2, result.output
        assert result.stdout == ""
        (line,) = result.stderr.strip().splitlines()
        assert named in line
        assert "--setting" in line
        store = SqlStore.from_url(db_url)
        try:
            keys = store.case_keys(after=None, limit=100)
            assert keys
            assert store.decided(dt.date.fromisoformat(day), keys) == frozenset()
            assert store.outbox_items() == []
        finally:
            store.close()
        ok = runner.invoke(cli, ["run", "--date", day, *db, *out, *SETTING_FLAGS, "--json"])
        assert ok.exit_code == 0, ok.output
