"""``maatwerk demo`` through the real daily run: valid channel files, bank files, a report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from cli_helpers import demo_database, run_demo
from click.testing import CliRunner
from lxml import etree
from test_report_browser import console_errors, screenshot

from maatwerk.adapters.jsonschema_check import check
from maatwerk.adapters.report import load_schema
from maatwerk.adapters.returns import read_returns
from maatwerk.adapters.sepa import PainVersion
from maatwerk.adapters.sepa._builder import validate_against_xsd
from maatwerk.cli import cli
from maatwerk.demo.database import DEMO_CREDITORS


pytestmark = pytest.mark.slow  # real demos, 150 households over 120 days among them
CHANNEL_SCHEMAS = Path(__file__).parents[2] / "maatwerk" / "adapters" / "channels" / "schemas"


@pytest.fixture(scope="module")
def long_demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    """150 households over 120 days: long enough for returns, re-presentations, referrals and
    a bailiff hand-over to reach their channels (seed 7: 4 bailiff dossiers; under seed 3 the
    only hand-over was a household recorded as problematic debt, no plan fitting, which the
    cannot-pay guard now keeps from the bailiff)."""
    out = tmp_path_factory.mktemp("demo") / "out"
    return out, run_demo(out, "--debtors", "150", "--days", "120", "--seed", "7")


class TestDemoOutputs:
    """Every file the demo's channels and bank write validates against its schema."""

    def test_every_channel_wrote(self, long_demo: tuple[Path, dict[str, object]]) -> None:
        out, summary = long_demo
        outputs = summary["outputs"]
        assert isinstance(outputs, dict)
        for folder in ("sepa", "returns", "letters", "worklists", "bailiff", "municipal"):
            assert outputs[folder] > 0, folder
        with demo_database(out) as conn:
            failed = conn.execute(
                sa.text("select count(*) from outbox where status = 'failed'")
            ).scalar_one()
            refused = conn.execute(
                sa.text("select error from outbox where status = 'refused'")
            ).scalars()
            # open point (services/payloads/): the re-presentation's collection date skips
            # weekends but not TARGET holidays, so the SEPA channel refuses one on Good Friday
            # and a row approved after a review is refused when the case changed in between
            # (seed 7: an early signal approved the day after the household's debt help began)
            expected = ("is not a TARGET business day", "the law no longer allows it on ")
            unexpected = [r for r in refused if not any(e in str(r) for e in expected)]
            debtors = conn.execute(sa.text("select count(*) from debtors")).scalar_one()
        assert (failed, unexpected, debtors) == (0, [], 150)

    def test_pain008_files_pass_the_xsd(self, long_demo: tuple[Path, dict[str, object]]) -> None:
        out, _ = long_demo
        files = sorted((out / "sepa").glob("*.xml"))
        assert files
        for path in files:
            root = etree.parse(str(path)).getroot()
            version = PainVersion(root.nsmap[None].rsplit(":", 1)[-1])
            assert validate_against_xsd(root, version) == (), path.name

    def test_two_creditors_each_with_its_own_letters_and_pain008(
        self, long_demo: tuple[Path, dict[str, object]]
    ) -> None:
        """The insurer (premiums, invoices) and the municipality (care contributions) sign their
        own letters; only the municipality sends an aanmaning; each has its own pain.008."""
        out, _ = long_demo
        insurer, municipality = "Demo Zorg en Premie B.V.", "Gemeente Demostad"
        signed = {insurer: 0, municipality: 0}
        for path in (out / "letters").rglob("*.txt"):
            text = path.read_text(encoding="utf-8")
            (name,) = [n for n in signed if n in text]
            signed[name] += 1
            if "dwangbevel" in text.lower():
                assert name == municipality, path.name
        assert all(signed.values()), signed
        names = {p.name for p in (out / "sepa").glob("pain008-*.xml")}
        assert any(n.endswith("-demo.xml") for n in names)
        assert any(n.endswith("-gemeente-demo.xml") for n in names)
        for path in (out / "sepa").glob("pain008-*-gemeente-demo.xml"):
            text = path.read_text(encoding="utf-8")
            assert municipality in text
            assert "NL20INGB0001234567" in text
            assert insurer not in text

    def test_bank_returns_read_back(self, long_demo: tuple[Path, dict[str, object]]) -> None:
        out, summary = long_demo
        files = sorted((out / "returns").glob("camt054-*.xml"))
        read = [r for path in files for r in read_returns(path).returns]
        assert len(read) == summary["returns"]
        assert {r.reason for r in read} <= {"AM04", "MD06", "MD07"}

    def test_each_return_comes_on_its_creditors_own_account(
        self, long_demo: tuple[Path, dict[str, object]]
    ) -> None:
        """The bank reports a returned collection on the account it was made for: a camt.054 per
        creditor, with that creditor's IBAN (the insurer's or the municipality's)."""
        out, _ = long_demo
        with demo_database(out) as conn:
            creditor_of: dict[str, str] = dict(
                conn.execute(sa.text("select mandate_id, creditor_id from mandates")).all()
            )
        iban = {
            creditor: profile.settings["creditor_iban"]
            for creditor, profile in DEMO_CREDITORS.items()
        }
        seen: set[str] = set()
        for path in sorted((out / "returns").glob("camt054-*.xml")):
            account = etree.parse(path).findtext(".//{*}Ntfctn/{*}Acct/{*}Id/{*}IBAN")
            for item in read_returns(path).returns:
                creditor = creditor_of[str(item.mandate_id)]
                assert account == iban[creditor], (path.name, creditor)
                seen.add(creditor)
        assert seen == set(DEMO_CREDITORS), seen

    @pytest.mark.parametrize(
        ("folder", "schema"),
        [("bailiff", "bailiff-dossier.v1.json"), ("municipal", "municipal-signal.v1.json")],
    )
    def test_json_documents_match_their_schema(
        self, long_demo: tuple[Path, dict[str, object]], folder: str, schema: str
    ) -> None:
        out, _ = long_demo
        document_schema = json.loads((CHANNEL_SCHEMAS / schema).read_text(encoding="utf-8"))
        files = sorted((out / folder).rglob("*.json"))
        assert files
        for path in files:
            assert check(json.loads(path.read_text(encoding="utf-8")), document_schema) == [], path

    def test_report_from_the_store(self, long_demo: tuple[Path, dict[str, object]]) -> None:
        out, summary = long_demo
        figures = json.loads((out / "figures.json").read_text(encoding="utf-8"))
        assert check(figures, load_schema()) == []
        assert Path(str(summary["report"])).stat().st_size > 10_000
        result = CliRunner().invoke(
            cli,
            ["report", "--from", "2026-01-01", "--to", "2026-04-30", "--json",
             "--db", f"sqlite:///{out / 'maatwerk.db'}", "--out", str(out / "again.html")],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        again = json.loads(result.stdout)
        assert again["policies"] == figures["policies"]
        column = figures["policies"][0]
        assert column["bailiff"] >= 1
        assert column["arrangements"] >= 1

    def test_report_loads_in_the_browser(
        self, long_demo: tuple[Path, dict[str, object]], tmp_path: Path
    ) -> None:
        out, _ = long_demo
        shot, stderr = screenshot(out / "report.html", tmp_path)
        assert console_errors(stderr) == []
        assert shot.stat().st_size > 50_000


def _action_set(out: Path) -> set[tuple[str, ...]]:
    with demo_database(out) as conn:
        rows = conn.execute(
            sa.text("select run_date, debtor_id, step, action, channel from outbox")
        ).all()
    return {tuple(str(v) for v in row) for row in rows}


class TestSmallDemo:
    """'maatwerk demo --debtors 200 --days 30' runs end to end; a seed gives one action set."""

    def test_same_seed_same_actions(self, tmp_path: Path) -> None:
        first = run_demo(tmp_path / "a", "--debtors", "200", "--days", "30")
        second = run_demo(tmp_path / "b", "--debtors", "200", "--days", "30")
        other = run_demo(tmp_path / "c", "--debtors", "200", "--days", "30", "--seed", "2")
        assert first["imported"] == second["imported"]
        for key in ("actions", "payments", "returns", "arrangements", "outputs"):
            assert first[key] == second[key], key
        actions = _action_set(tmp_path / "a")
        assert actions
        assert actions == _action_set(tmp_path / "b")
        assert actions != _action_set(tmp_path / "c")
        assert other["imported"]["debtors"] == 200
        letters_a = sorted(p.name for p in (tmp_path / "a" / "letters").rglob("*.txt"))
        letters_b = sorted(p.name for p in (tmp_path / "b" / "letters").rglob("*.txt"))
        assert letters_a == letters_b

    def test_refuses_a_database_with_cases(self, tmp_path: Path) -> None:
        run_demo(tmp_path / "a", "--debtors", "5", "--days", "1")
        url = f"sqlite:///{tmp_path / 'a' / 'maatwerk.db'}"
        result = CliRunner().invoke(
            cli, ["demo", "--debtors", "5", "--days", "1", "--out", str(tmp_path / "b"),
                  "--db", url],
        )  # fmt: skip
        assert result.exit_code == 2
        assert "empty database" in result.output


class TestDemoOnAnotherDatabase:
    """'--db URL' runs the demo on that database (SQLite file or PostgreSQL schema)."""

    def test_demo_on_db(self, db_url: str, tmp_path: Path) -> None:
        summary = run_demo(tmp_path / "out", "--debtors", "40", "--days", "20", "--db", db_url)
        assert summary["database"] == db_url
        assert isinstance(summary["actions"], int)
        assert summary["actions"] > 0
        engine = sa.create_engine(db_url)
        with engine.connect() as conn:
            decided = conn.execute(sa.text("select count(distinct run_date) from decisions"))
            assert decided.scalar_one() == 20
        engine.dispose()
        assert (tmp_path / "out" / "report.html").exists()
