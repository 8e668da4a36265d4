"""End to end: a real run sends re-presentations, the bank returns them, the policy reacts.

Four households each had their premium collection returned AM04 by the billing system. The daily
run (a small policy that reacts to returns: one re-presentation aligned to payday, and the day
after each could-not-pay return a letter that asks to get in touch and offers an arrangement)
re-presents each collection
through the ``sepa-direct-debit`` channel; a camt.054 and a pain.002 return those collections
and ``maatwerk import returns`` records what the policy reacts to.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
import sqlalchemy as sa
from cli_helpers import SETTING_FLAGS, Listen, Raising
from click.testing import CliRunner, Result

from maatwerk.adapters.storage import SqlStore, schema
from maatwerk.cli import cli
from maatwerk.core.events import (
    DebtorFlagged,
    DisputeOpened,
    Event,
    PaymentReturned,
    ReturnReasonGroup,
)
from maatwerk.core.money import eur
from maatwerk.core.records import CaseKey


pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).parent.parent / "fixtures" / "returns"
PREMIUM_RETURNED_ON = dt.date(2026, 3, 3)
RE_PRESENTED_ON = dt.date(2026, 3, 25)  # payday 25, a Wednesday
BOOKED_ON = dt.date(2026, 3, 30)
POLICY = """
schema = 1
name = "returns-reaction"
version = "1"
title = "Reaction to bank returns"

[[step]]
id = "dd-retry"
action = "direct-debit-representation"
channel = "sepa-direct-debit"
anchor = "payment-returned"
days = 0
calendar = "sepa"
align_to_payday = true
max_times = 1
[step.when]
return_groups = ["could_not_pay"]

[[step]]
id = "offer"
action = "arrangement-offer"
channel = "letters"
anchor = "payment-returned"
days = 1
max_times = 3
[step.when]
return_groups = ["could_not_pay"]

[[step]]
id = "close"
action = "close"
channel = "ledger"
anchor = "previous-step"
days = 0
"""
PORTFOLIO = """debtor_id,name,household,net_monthly_income,payday,phone,debt_id,creditor_id,principal,due_date,category,periodic,street,house_number,postcode,city
D1,Anna de Vries,single,1500.00,25,0612345671,B1,zorg,120.00,2026-03-02,premium,yes,Voorbeeldstraat,1,1234 AB,Utrecht
D2,Bart Jansen,single,1600.00,25,0612345672,B2,zorg,130.00,2026-03-02,premium,yes,Voorbeeldstraat,1,1234 AB,Utrecht
D3,Cor Bakker,single,1700.00,25,0612345673,B3,zorg,140.00,2026-03-02,premium,yes,Voorbeeldstraat,1,1234 AB,Utrecht
D4,Dirk Smit,single,1800.00,25,0612345674,B4,zorg,150.00,2026-03-02,premium,yes,Voorbeeldstraat,1,1234 AB,Utrecht
"""
MANDATES = """mandate_id,debtor_id,creditor_id,iban,signed_on
MNDT-D1,D1,zorg,NL91ABNA0417164300,2025-01-01
MNDT-D2,D2,zorg,NL91ABNA0417164300,2025-01-01
MNDT-D3,D3,zorg,NL91ABNA0417164300,2025-01-01
MNDT-D4,D4,zorg,NL91ABNA0417164300,2025-01-01
"""


@attrs.frozen
class Sent:
    end_to_end_id: str
    mandate_id: str
    amount: Decimal


def camt054(returns: list[tuple[Sent, str]], booked: dt.date = BOOKED_ON) -> str:
    """A camt.054.001.08 debit notification with one R-transaction per (collection, reason)."""
    total = sum((s.amount for s, _ in returns), Decimal(0))
    details = "".join(
        f"""<TxDtls><Refs><EndToEndId>{s.end_to_end_id}</EndToEndId>
        <MndtId>{s.mandate_id}</MndtId></Refs><Amt Ccy="EUR">{s.amount}</Amt>
        <RtrInf><Rsn><Cd>{reason}</Cd></Rsn></RtrInf></TxDtls>"""
        for s, reason in returns
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><BkToCstmrDbtCdtNtfctn>
<GrpHdr><MsgId>NTF-{booked:%Y%m%d}</MsgId><CreDtTm>{booked}T07:00:00</CreDtTm></GrpHdr>
<Ntfctn><Id>NTF-{booked:%Y%m%d}-1</Id><CreDtTm>{booked}T07:00:00</CreDtTm>
<Acct><Id><IBAN>NL91ABNA0417164300</IBAN></Id></Acct>
<Ntry><Amt Ccy="EUR">{total}</Amt><CdtDbtInd>DBIT</CdtDbtInd><RvslInd>true</RvslInd>
<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>{booked}</Dt></BookgDt>
<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>IDDT</Cd><SubFmlyCd>UPDD</SubFmlyCd></Fmly></Domn></BkTxCd>
<NtryDtls>{details}</NtryDtls></Ntry></Ntfctn></BkToCstmrDbtCdtNtfctn></Document>
"""


def pain002(rejects: list[tuple[Sent, str]]) -> str:
    """A pain.002.001.10 status report rejecting each (collection, reason) before settlement."""
    txs = "".join(
        f"""<TxInfAndSts><OrgnlEndToEndId>{s.end_to_end_id}</OrgnlEndToEndId>
        <TxSts>RJCT</TxSts><StsRsnInf><Rsn><Cd>{reason}</Cd></Rsn></StsRsnInf>
        <OrgnlTxRef><Amt><InstdAmt Ccy="EUR">{s.amount}</InstdAmt></Amt>
        <MndtRltdInf><DrctDbtMndt><MndtId>{s.mandate_id}</MndtId></DrctDbtMndt></MndtRltdInf>
        </OrgnlTxRef></TxInfAndSts>"""
        for s, reason in rejects
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.10"><CstmrPmtStsRpt>
<GrpHdr><MsgId>STS-1</MsgId><CreDtTm>2026-03-26T09:00:00</CreDtTm></GrpHdr>
<OrgnlGrpInfAndSts><OrgnlMsgId>MW-1</OrgnlMsgId><OrgnlMsgNmId>pain.008.001.08</OrgnlMsgNmId>
<GrpSts>PART</GrpSts></OrgnlGrpInfAndSts>
<OrgnlPmtInfAndSts><OrgnlPmtInfId>MW-1-001</OrgnlPmtInfId><PmtInfSts>PART</PmtInfSts>
{txs}</OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>
"""


class World:
    """A database with four re-presented collections, and the CLI to drive it."""

    def __init__(self, runner: CliRunner, db_url: str, tmp_path: Path) -> None:
        self.runner = runner
        self.db = ["--db", db_url]
        self.db_url = db_url
        self.tmp = tmp_path
        self.policy = tmp_path / "returns-reaction.toml"
        self.policy.write_text(POLICY, encoding="utf-8")

    def ok(self, args: list[str]) -> Any:
        result = self.runner.invoke(cli, args)
        assert result.exit_code == 0, (args, result.output)
        return json.loads(result.stdout)

    def invoke(self, args: list[str]) -> Result:
        return self.runner.invoke(cli, args)

    def run(self, day: dt.date) -> Any:
        out = ["--out", str(self.tmp / "out")]
        policy = ["--policy", str(self.policy)]
        return self.ok(
            ["run", "--date", day.isoformat(), *policy, *out, *SETTING_FLAGS, *self.db, "--json"]
        )

    def file(self, name: str, text: str) -> Path:
        path = self.tmp / name
        path.write_text(text, encoding="utf-8")
        return path

    def import_returns(self, path: Path, *extra: str) -> Result:
        return self.invoke(["import", "returns", str(path), *extra, *self.db, "--json"])

    def store(self) -> SqlStore:
        return SqlStore.from_url(self.db_url)

    def events(self, kind: type[Event]) -> list[Event]:
        store = self.store()
        try:
            return [
                r.event
                for debtor in ("D1", "D2", "D3", "D4")
                for r in store.history(debtor)
                if isinstance(r.event, kind)
            ]
        finally:
            store.close()

    def outbox_steps(self) -> Counter[tuple[str, str]]:
        store = self.store()
        try:
            return Counter((i.entry.case.debtor_id, i.entry.step) for i in store.outbox_items())
        finally:
            store.close()

    def sent(self) -> dict[str, Sent]:
        manifest = self.tmp / "out" / "sepa-direct-debit" / f"pain008-{RE_PRESENTED_ON}.json"
        data = json.loads(manifest.read_text(encoding="utf-8"))["collections"]
        return {
            key.split(":")[1]: Sent(
                end_to_end_id=v["end_to_end_id"],
                mandate_id=v["mandate_id"],
                amount=Decimal(v["amount"]),
            )
            for key, v in data.items()
        }


@pytest.fixture
def world(runner: CliRunner, db_url: str, tmp_path: Path) -> World:
    w = World(runner, db_url, tmp_path)
    assert w.invoke(["db", "upgrade", *w.db]).exit_code == 0
    w.ok(["import", "portfolio", str(w.file("portfolio.csv", PORTFOLIO)), *w.db, "--json"])
    w.ok(["import", "mandates", str(w.file("mandates.csv", MANDATES)), *w.db, "--json"])
    store = w.store()
    try:  # the billing system's own premium collection came back "insufficient funds"
        store.append(
            [
                PaymentReturned(
                    occurred_on=PREMIUM_RETURNED_ON,
                    debtor_id=f"D{i}",
                    debt_id=f"B{i}",
                    recorded_by="billing",
                    reason_code="AM04",
                    group=ReturnReasonGroup.COULD_NOT_PAY,
                    amount=eur(f"{110 + 10 * i}.00"),
                    collection_date=dt.date(2026, 3, 2),
                )
                for i in range(1, 5)
            ]
        )
    finally:
        store.close()
    first = w.run(PREMIUM_RETURNED_ON + dt.timedelta(days=1))  # contact and an offer
    assert first["actions_per_kind"] == {"arrangement-offer": 4}
    summary = w.run(RE_PRESENTED_ON)
    assert summary["actions_per_kind"] == {"direct-debit-representation": 4}
    assert summary["dispatched"] == {"done": 4}
    return w


class TestReturnsOfARealRun:
    """Returned re-presentations are recorded once and the policy reacts per reason group."""

    def test_camt054_and_pain002_then_the_policy_reacts(self, world: World) -> None:
        sent = world.sent()
        assert sorted(sent) == ["D1", "D2", "D3", "D4"]
        camt = world.file("camt054.xml", camt054([(sent["D1"], "AM04"), (sent["D2"], "MD07")]))
        pain = world.file("pain002.xml", pain002([(sent["D3"], "MS02"), (sent["D4"], "AC04")]))

        result = world.import_returns(camt)
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        assert data["recorded"] == 2
        by_debtor = {r["debtor_id"]: r for r in data["returns"]}
        assert by_debtor["D1"]["group"] == "could_not_pay"
        assert by_debtor["D1"]["reaction"] == "contact-and-offer-arrangement"
        assert by_debtor["D1"]["may_re_present"] is False  # the one re-presentation is used
        assert by_debtor["D2"]["reaction"] == "stop"
        assert by_debtor["D1"]["amount"] == "120.00"

        result = world.import_returns(pain, "--date", "2026-03-26")
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        assert {r["debtor_id"]: r["reaction"] for r in data["returns"]} == {
            "D3": "dispute",
            "D4": "fix-data",
        }

        returned = [
            e
            for e in world.events(PaymentReturned)
            if isinstance(e, PaymentReturned) and e.recorded_by != "billing"
        ]
        assert sorted((e.debtor_id, e.reason_code, e.occurred_on) for e in returned) == [
            ("D1", "AM04", BOOKED_ON),
            ("D2", "MD07", BOOKED_ON),
            ("D3", "MS02", dt.date(2026, 3, 26)),
            ("D4", "AC04", dt.date(2026, 3, 26)),
        ]
        disputes = world.events(DisputeOpened)
        assert [(e.debtor_id, e.debt_id) for e in disputes] == [("D3", "B3")]
        flags = world.events(DebtorFlagged)
        assert [(e.debtor_id, e.debt_id) for e in flags] == [("D2", None)]

        # re-importing either file records nothing
        for path in (camt, pain):
            again = world.import_returns(path)
            assert again.exit_code == 0, again.output
            assert json.loads(again.stdout)["already_imported"] is True
        assert len(world.events(PaymentReturned)) == 4 + 4

        # the next run: D1 is asked to get in touch and offered an arrangement again, and is
        # never re-presented again; D2 (deceased) stops; D3 (refused: a dispute) and D4 (data
        # error) get no new collection and no offer
        next_day = world.run(BOOKED_ON + dt.timedelta(days=1))
        assert next_day["actions_per_kind"] == {"arrangement-offer": 1}
        assert next_day["outcomes"]["stopped"] == 1
        kinds: Counter[str] = Counter()
        for day in (dt.date(2026, 4, 2), dt.date(2026, 4, 27), dt.date(2026, 5, 25)):
            kinds.update(world.run(day)["actions_per_kind"])
        assert kinds == Counter()
        steps = world.outbox_steps()
        assert all(steps[f"D{i}", "dd-retry"] == 1 for i in range(1, 5))
        assert steps["D1", "offer"] == 2
        assert steps["D2", "offer"] == steps["D3", "offer"] == steps["D4", "offer"] == 1
        store = world.store()
        try:
            decision = store.decision(_key("D2"), dt.date(2026, 5, 25))
        finally:
            store.close()
        assert decision is not None
        assert decision.outcome == "stopped"

    def test_unknown_end_to_end_id_records_nothing(self, world: World) -> None:
        sent = world.sent()
        stranger = Sent(end_to_end_id="NOT-OURS-1", mandate_id="MNDT-X", amount=Decimal("9.99"))
        wrong_amount = attrs.evolve(sent["D2"], amount=Decimal("1.00"))
        path = world.file(
            "mixed.xml",
            camt054([(sent["D1"], "AM04"), (stranger, "AM04"), (wrong_amount, "MS02")]),
        )
        result = world.invoke(["import", "returns", str(path), *world.db])
        assert result.exit_code == 2
        assert "nothing was recorded" in result.stderr
        assert "return[2].EndToEndId" in result.stderr
        assert "NOT-OURS-1" in result.stderr
        assert "return[3].Amt" in result.stderr
        assert "return[1]" not in result.stderr
        as_json = world.import_returns(path)
        assert as_json.exit_code == 2
        errors = json.loads(as_json.stdout)["errors"]
        assert [e["field"] for e in errors] == ["return[2].EndToEndId", "return[3].Amt"]
        assert len(world.events(PaymentReturned)) == 4  # only the billing system's
        # the corrected file is imported normally afterwards
        fixed = world.file("fixed.xml", camt054([(sent["D1"], "AM04")]))
        assert json.loads(world.import_returns(fixed).stdout)["recorded"] == 1

    def test_hostile_xml_is_refused(self, world: World) -> None:
        for name in ("hostile_xxe.xml", "hostile_billion_laughs.xml"):
            result = world.invoke(["import", "returns", str(FIXTURES / name), *world.db])
            assert result.exit_code == 2, result.output
            assert result.stderr.startswith("Error: ")
            assert "passwd" not in result.stdout
        assert len(world.events(PaymentReturned)) == 4


def _key(debtor_id: str) -> CaseKey:
    return CaseKey(debtor_id, "zorg")


class TestListeners:
    """Listener plugins hear the recorded events after the commit, and never a rolled-back one."""

    def test_heard_after_commit(self, world: World, listen: Listen) -> None:
        heard = listen("returns_import")
        sent = world.sent()
        path = world.file("camt.xml", camt054([(sent["D1"], "AM04"), (sent["D3"], "MD06")]))
        assert world.import_returns(path).exit_code == 0
        assert [(type(e).__name__, e.debtor_id) for e in heard.events] == [
            ("PaymentReturned", "D1"),
            ("PaymentReturned", "D3"),
            ("DisputeOpened", "D3"),
        ]
        assert heard.committed == [True, True, True]
        heard.events.clear()
        assert world.import_returns(path).exit_code == 0  # a no-op is announced to no one
        assert heard.events == []

    def test_not_heard_on_rollback(
        self, world: World, listen: Listen, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        heard = listen("returns_import")
        broken = sa.Table(
            "no_such_table",
            sa.MetaData(),
            *[sa.Column(c.name, c.type) for c in schema.import_audit.c],
        )
        monkeypatch.setattr(schema, "import_audit", broken)  # fails after the events are inserted
        sent = world.sent()
        path = world.file("camt.xml", camt054([(sent["D1"], "AM04")]))
        result = world.invoke(["import", "returns", str(path), *world.db])
        assert result.exit_code != 0
        assert heard.events == []
        assert len(world.events(PaymentReturned)) == 4

    def test_raising_listener_is_named_and_undoes_nothing(
        self, world: World, listen: Listen
    ) -> None:
        listen("returns_import", (Raising(), "acme-webhook"))
        sent = world.sent()
        path = world.file("camt.xml", camt054([(sent["D1"], "AM04")]))
        result = world.import_returns(path)
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        assert data["recorded"] == 1
        assert len(data["listener_failures"]) == 1
        assert "acme-webhook" in data["listener_failures"][0]
        assert "acme-webhook" in result.stderr
        assert len(world.events(PaymentReturned)) == 5
