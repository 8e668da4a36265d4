"""Event listeners (``maatwerk_on_event`` plugins) hear what the commands record, after the commit."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from cli_helpers import Listen, Raising, migrate_and_import, plugins_with
from click.testing import CliRunner

from maatwerk.adapters.storage import SqlStore
from maatwerk.cli import cli
from maatwerk.core.events import DisputeOpened, StepTaken
from maatwerk.core.records import CaseKey


PORTFOLIO = """debtor_id,name,household,net_monthly_income,payday,phone,debt_id,creditor_id,principal,due_date,category,periodic,street,house_number,postcode,city
D1,Anna de Vries,single,1500.00,25,0612345671,B1,zorg,120.00,2026-03-02,premium,yes,Voorbeeldstraat,1,1234 AB,Utrecht
D2,Bart Jansen,single,1600.00,25,0612345672,B2,zorg,130.00,2026-03-02,premium,yes,Voorbeeldstraat,1,1234 AB,Utrecht
"""
POLICY = """
schema = 1
name = "call-first"
version = "1"
title = "Call on the due date"

[[step]]
id = "call"
action = "phone-call"
channel = "phone-worklist"
anchor = "due-date"
days = 0
"""
RUN_DAY = dt.date(2026, 3, 2)


@pytest.fixture
def db(runner: CliRunner, db_url: str, tmp_path: Path) -> list[str]:
    migrate_and_import(runner, db_url, tmp_path / "portfolio.csv", PORTFOLIO)
    return ["--db", db_url]


class TestRecordingListeners:
    """A recorded dispute is heard once it is committed; a refused one is never heard."""

    def test_dispute(self, runner: CliRunner, db: list[str], listen: Listen) -> None:
        heard = listen("recording")
        opened = ["dispute", "open", "D1", "--reason", "not my bill", "--by", "kees"]
        result = runner.invoke(cli, [*opened, *db])
        assert result.exit_code == 0, result.output
        assert [type(e) for e in heard.events] == [DisputeOpened]
        assert heard.committed == [True]
        refused = runner.invoke(
            cli, ["dispute", "open", "NOBODY", "--reason", "x", "--by", "kees", *db]
        )
        assert refused.exit_code == 2
        assert len(heard.events) == 1


class TestImportListeners:
    """Imported consents and holds are heard once, after the file committed."""

    def test_consents_and_holds(
        self, runner: CliRunner, db: list[str], tmp_path: Path, listen: Listen
    ) -> None:
        heard = listen("importing")
        consents = tmp_path / "consents.csv"
        consents.write_text(
            "consent_id,debtor_id,scope,given_on,revoked_on\n"
            "C1,D1,municipal-referral,2026-02-03,2026-02-20\n",
            encoding="utf-8",
        )
        holds = tmp_path / "holds.csv"
        holds.write_text(
            "hold_id,debtor_id,reason,starts_on,ends_on,debt_id\nH1,D2,dispute,2026-02-01,,B2\n",
            encoding="utf-8",
        )
        for _ in range(2):  # the second import of each file changes nothing: nothing is heard
            for path, kind in ((consents, "consents"), (holds, "holds")):
                result = runner.invoke(cli, ["import", kind, str(path), *db])
                assert result.exit_code == 0, result.output
        assert [(type(e).__name__, e.debtor_id) for e in heard.events] == [
            ("ConsentGiven", "D1"),
            ("ConsentRevoked", "D1"),
            ("HoldPlaced", "D2"),
        ]
        assert heard.committed == [True, True, True]
        bad = tmp_path / "bad.csv"
        bad.write_text(
            "consent_id,debtor_id,scope,given_on\nC2,NOBODY,municipal-referral,2026-02-03\n",
            encoding="utf-8",
        )
        assert runner.invoke(cli, ["import", "consents", str(bad), *db]).exit_code == 2
        assert len(heard.events) == 3


class TestRunListeners:
    """The daily run's events are heard after each batch commits, once, and a failing listener
    is named without undoing the run."""

    def _run(self, runner: CliRunner, db: list[str], tmp_path: Path) -> dict[str, object]:
        policy = tmp_path / "call-first.toml"
        policy.write_text(POLICY, encoding="utf-8")
        args = ["run", "--date", RUN_DAY.isoformat(), "--policy", str(policy)]
        result = runner.invoke(cli, [*args, "--out", str(tmp_path / "out"), *db, "--json"])
        assert result.exit_code == 0, result.output
        data: dict[str, object] = json.loads(result.stdout)
        data["stderr"] = result.stderr
        return data

    def test_heard_once_after_commit(
        self, runner: CliRunner, db: list[str], tmp_path: Path, listen: Listen
    ) -> None:
        heard = listen("run")
        summary = self._run(runner, db, tmp_path)
        assert summary["actions_per_kind"] == {"phone-call": 2}
        assert "event_listener_failed" not in str(summary["stderr"])
        assert sorted((type(e).__name__, e.debtor_id) for e in heard.events) == [
            ("StepTaken", "D1"),
            ("StepTaken", "D2"),
        ]
        assert heard.committed == [True, True]
        self._run(runner, db, tmp_path)  # a rerun records nothing, so announces nothing
        assert len(heard.events) == 2

    def test_failing_listener_undoes_nothing(
        self,
        runner: CliRunner,
        db: list[str],
        db_url: str,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.setattr(
            "maatwerk.cli.run.plugin_manager", plugins_with((Raising(), "acme-hook"))
        )
        summary = self._run(runner, db, tmp_path)
        assert summary["outcomes"] == {"action": 2}
        warnings = [line for line in str(summary["stderr"]).splitlines() if "listener" in line]
        assert len(warnings) == 2  # one per event, each naming the plugin
        assert all("acme-hook" in line for line in warnings)
        store = SqlStore.from_url(db_url)
        try:
            decision = store.decision(CaseKey("D1", "zorg"), RUN_DAY)
            steps = [r.event for r in store.history("D1") if isinstance(r.event, StepTaken)]
        finally:
            store.close()
        assert decision is not None
        assert decision.outcome == "action"
        assert len(steps) == 1
