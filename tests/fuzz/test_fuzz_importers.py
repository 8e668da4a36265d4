"""Fuzzing every importer through the CLI (in process): CSV portfolio, debtors, debts, payments,
consents, holds, mandates, remittance and municipal feedback; case JSON; camt.053/054, pain.002
and MT940; the collections CSV of ``sepa build``; settings and policy TOML.

Each good seed becomes a few hundred bad inputs (:mod:`fuzz_corpus`): never a traceback, exit 2
with an ``Error:`` line naming the file (or 0 when the mutant is still good), the database
unchanged when refused. The count of inputs tried is printed per importer.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import attrs
import pytest
from cli_helpers import SEPA_CREDITOR, SEPA_HEADER, SETTING_FLAGS, migrate_and_import
from click.testing import CliRunner
from fuzz_corpus import (
    check_refusal,
    fingerprint,
    hypothesis_mutants,
    invoke,
    mutations,
    report,
    speed_up,
)

from maatwerk.adapters.storage import migrate
from maatwerk.adapters.storage.engine import make_engine
from maatwerk.rules import __file__ as rules_init


FIXTURES = Path(__file__).parent.parent / "fixtures"
EXAMPLES = Path(__file__).parent.parent.parent / "examples"
RULES = Path(rules_init).parent

PORTFOLIO = (
    "debtor_id,name,household,net_monthly_income,payday,iban,email,phone,bsn,debt_id,"
    "creditor_id,principal,due_date,category,periodic,street,house_number,postcode,city\n"
    "D1,Anna de Vries,single,1200.00,25,NL91ABNA0417164300,anna@example.org,0612345678,"
    "111222333,B1,zorg,100.00,2026-03-02,premium,yes,Lindelaan,7,3511 AB,Utrecht\n"
    "D2,Bart Jansen,couple,2210.50,1,,,,,B2,zorg,101.00,2026-03-03,invoice,no,Kerkweg,9,"
    "9999 ZZ,Zwolle\n"
)
SEEDS: dict[str, tuple[str, bytes]] = {
    "portfolio": (".csv", PORTFOLIO.encode()),
    "debtors": (
        ".csv",
        (
            b"debtor_id,name,household,net_monthly_income,gross_annual_income,payday,on_bijstand\n"
            b"D3,Cees Bakker,single,1500.00,24000.00,25,no\nD4,Dirk,single-parent,900,,1,yes\n"
        ),
    ),
    "debts": (
        ".csv",
        (
            b"debt_id,debtor_id,creditor_id,principal,due_date,kind,issued_on,consumer\n"
            b"B3,D1,zorg,52.10,2026-02-01,private,2026-01-15,yes\n"
            b"B4,D2,zorg,12,2026-02-03,,,\n"
        ),
    ),
    "payments": (
        ".csv",
        (
            b"payment_id,debtor_id,received_on,amount,designated_debt_id,reference\n"
            b"P1,D1,2026-03-10,10.00,B1,P-0001\nP2,D2,2026-03-11,1.5,,\n"
        ),
    ),
    "consents": (
        ".csv",
        (
            b"consent_id,debtor_id,scope,given_on,revoked_on,source\n"
            b"C1,D1,municipal-referral,2026-03-01,,phone call\n"
            b"C2,D2,early-signal,2026-03-01,2026-03-05,letter\n"
        ),
    ),
    "holds": (
        ".csv",
        (
            b"hold_id,debtor_id,reason,starts_on,ends_on,debt_id,note\n"
            b"H1,D1,illness,2026-03-01,2026-04-01,B1,in hospital\nH2,D2,dispute,2026-03-01,,,\n"
        ),
    ),
    "mandates": (
        ".csv",
        (
            b"mandate_id,debtor_id,creditor_id,iban,signed_on,collection_day,revoked_on\n"
            b"M1,D1,zorg,NL91ABNA0417164300,2026-01-05,25,\nM2,D2,zorg,NL44RABO0123456789,2025-02-01,1,\n"
        ),
    ),
    "remittance": (
        ".csv",
        (
            b"payer_id,debtor_id,period,amount,paid_on,reference\n"
            b"123456789L01,D1,2026-04,100.00,2026-04-27,loonstrook april\n"
            b"123456789L01,D1,2026-05,100.00,2026-05-27,\n"
        ),
    ),
    "municipal-feedback": (
        ".csv",
        b"reference,outcome,date\nD1,accepted,2026-04-01\nD2,no-contact,2026-04-02\n",
    ),
    "camt053": (".xml", (FIXTURES / "returns" / "camt053_v08_returns.xml").read_bytes()),
    "camt054": (".xml", (FIXTURES / "returns" / "camt054_v08_returns.xml").read_bytes()),
    "pain002": (".xml", (FIXTURES / "returns" / "pain002_v10_rejects.xml").read_bytes()),
    "mt940": (".sta", (FIXTURES / "returns" / "mt940_nl_returns.sta").read_bytes()),
    "case-json": (".json", (EXAMPLES / "case.json").read_bytes()),
    "sepa-collections": (
        ".csv",
        (
            SEPA_HEADER + "\n"
            "MW-2026-0001,MNDT-0001,2025-01-05,FRST,\u00c7elik,NL44RABO0123456789,12.50,RF18539007547034\n"
            'MW-2026-0002,MNDT-0002,2024-03-01,RCUR,"Jansen, J.",NL91ABNA0417164300,100.00,Termijn 3\n'
        ).encode(),
    ),
    "settings-toml": (
        ".toml",
        (
            b'# channel settings\n[channels]\ncreditor_name = "Zorg NL"\ncreditor_phone = "0800-1234"\n'
            b'creditor_iban = "NL91ABNA0417164300"\ncreditor_id = "NL32ZZZ999999991234"\n'
            b'[creditors.zorg]\ncreditor_name = "Zorg West"\n'
        ),
    ),
    "policy-toml": (".toml", (RULES / "policies" / "humane.toml").read_bytes()),
}


def _args(name: str, path: Path, db: str, out: Path) -> list[str]:
    """The command that reads ``path`` as importer ``name``."""
    dbo = ["--db", db]
    if name in ("camt053", "camt054", "pain002", "mt940"):
        # the reader of ``import returns``; reading alone, since the seed's returns match no
        # collection in the fuzz database
        return ["returns", "read", str(path)]
    if name == "municipal-feedback":
        return ["import", "municipal-feedback", str(path), "--date", "2026-06-30", *dbo]
    if name == "case-json":
        return ["policy", "explain", "--case", str(path), "--date", "2026-03-01"]
    if name == "sepa-collections":
        return [
            "sepa", "build", "--collections", str(path), *SEPA_CREDITOR,
            "--collection-date", "2026-11-25", "--created-at", "2026-11-23T10:00:00",
            "--out", str(out / "pain.008.xml"),
        ]  # fmt: skip
    if name == "settings-toml":
        return ["run", "--date", "2026-03-02", "--settings", str(path), "--out", str(out), *dbo]
    if name == "policy-toml":
        return ["policy", "check", str(path)]
    return ["import", name, str(path), *dbo]


@attrs.define
class Bench:
    """A pristine database with the portfolio imported, restored after each accepted input."""

    pristine: Path
    work: Path
    before: dict[str, tuple[int, str]]

    @property
    def url(self) -> str:
        return f"sqlite:///{self.work}"

    def restore(self) -> None:
        for extra in ("-wal", "-shm"):
            Path(f"{self.work}{extra}").unlink(missing_ok=True)
        shutil.copyfile(self.pristine, self.work)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fuzz-db")
    db = root / "pristine.db"
    engine = make_engine(f"sqlite:///{db}")
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()
    csv = root / "portfolio.csv"
    csv.write_text(PORTFOLIO, encoding="utf-8")
    result = invoke(CliRunner(), ["import", "portfolio", str(csv), "--db", f"sqlite:///{db}"])
    assert result.exit_code == 0, result.output
    return db


#: A remittance row answers a deduction instruction the run sent: this portfolio's D1 accepts a
#: plan by deduction at payer 123456789L01 and the run instructs April and May (the seed's rows).
REMITTANCE_PORTFOLIO = (
    "debtor_id,name,household,net_monthly_income,gross_annual_income,payday,debt_id,"
    "creditor_id,principal,due_date,category,street,house_number,postcode,city\n"
    "D1,Person 1,single,2200.00,28000.00,25,B1,zorg,300.00,2026-02-01,premium,"
    "Voorbeeldstraat,1,1234 AB,Utrecht\n"
)


@pytest.fixture(scope="module")
def remittance_pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fuzz-remittance-db")
    db = root / "pristine.db"
    url = f"sqlite:///{db}"
    runner = CliRunner()
    migrate_and_import(runner, url, root / "portfolio.csv", REMITTANCE_PORTFOLIO)
    for args in (
        ["arrangement", "propose", "D1", "--creditor", "zorg", "--capacity", "100",
         "--method", "deduction", "--payer-id", "123456789L01", "--payer-name", "Bakkerij",
         "--date", "2026-04-01", "--by", "anna"],
        ["arrangement", "accept", "D1", "--date", "2026-04-02", "--by", "anna"],
        ["run", "--date", "2026-04-02", "--out", str(root / "out"), *SETTING_FLAGS],
        ["run", "--date", "2026-05-01", "--out", str(root / "out"), *SETTING_FLAGS],
    ):  # fmt: skip
        result = invoke(runner, [*args, "--db", url])
        assert result.exit_code == 0, (args, result.output)
    return db


@pytest.fixture
def bench(
    pristine: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Bench:
    speed_up(monkeypatch)
    if request.node.callspec.params.get("name") == "remittance":
        pristine = request.getfixturevalue("remittance_pristine")
    work = tmp_path / "work.db"
    b = Bench(pristine=pristine, work=work, before={})
    b.restore()
    b.before = fingerprint(b.url)
    return b


@pytest.mark.slow  # about 200 CLI calls per importer: 2 s each on an idle machine
@pytest.mark.parametrize("name", sorted(SEEDS))
def test_no_bad_input_gives_a_traceback_or_changes_the_database(
    name: str, bench: Bench, tmp_path: Path
) -> None:
    suffix, seed = SEEDS[name]
    runner = CliRunner()
    out = tmp_path / "out"
    out.mkdir()
    path = tmp_path / f"input{suffix}"
    good = invoke(runner, _args(name, _write(path, seed), bench.url, out))
    assert good.exit_code == 0, (name, good.output[-2000:])
    bench.restore()

    failures: list[str] = []

    def check(what: str, data: bytes) -> None:
        result = invoke(runner, _args(name, _write(path, data), bench.url, out))
        after = fingerprint(bench.url) if result.exit_code == 2 else bench.before
        try:
            check_refusal(
                result, f"{name} {what}", file_name=path.name, before=bench.before, after=after
            )
        except AssertionError as exc:
            failures.append(str(exc)[:600])
        if result.exit_code != 2:
            bench.restore()

    count = 0
    for what, data in mutations(seed, suffix):
        check(what, data)
        count += 1
    count += hypothesis_mutants(seed, check)
    report(name, count)
    assert not failures, f"{len(failures)} of {count} inputs broke the promise:\n" + "\n".join(
        failures[:8]
    )
    assert count >= 150


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
