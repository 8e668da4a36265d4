"""The sepa-direct-debit channel and the bank-return importers pass the plugin contract kit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import ClassVar

import pytest
from lxml import etree

from maatwerk.adapters.returns.importer import ReturnsImporter
from maatwerk.adapters.sepa import PainVersion, validate_against_xsd
from maatwerk.adapters.sepa.channel import end_to_end_id_for, pain008_path
from maatwerk.core.errors import InputError
from maatwerk.core.ports import (
    Channel,
    DeliveryContext,
    DeliveryStatus,
    OutboundAction,
    PayloadValue,
)
from maatwerk.plugins.manager import make_plugin_manager
from maatwerk.testing import (
    BadInput,
    ChannelContract,
    ImporterContract,
    make_action,
    sample_payload,
)


FIXTURES = Path(__file__).parent.parent / "fixtures" / "returns"
SETTINGS = {
    "creditor_name": "Zorgverzekeraar Voorbeeld",
    "creditor_iban": "NL91ABNA0417164300",
    "creditor_bic": "ABNANL2A",
    "creditor_id": "NL32ZZZ999999991234",
}
RUN_DATE = dt.date(2026, 3, 2)  # the contract kit's run date (a Monday)


def dd_payload(**overrides: PayloadValue) -> dict[str, PayloadValue]:
    payload = sample_payload()
    payload.update(
        debtor_iban="NL44RABO0123456789",
        mandate_id="MNDT-0001",
        mandate_date=dt.date(2025, 1, 5),
        sequence="RCUR",
        collection_date=dt.date(2026, 3, 4),
        reference="RF18539007547034",
    )
    payload.update(overrides)
    return payload


def dd_action(
    action_id: str,
    channel: str = "sepa-direct-debit",
    kind: str = "direct-debit",
    **overrides: PayloadValue,
) -> OutboundAction:
    return make_action(
        action_id,
        kind=kind,
        channel=channel,
        run_date=RUN_DATE,
        payload=dd_payload(**overrides),
    )


class TestSepaDirectDebitContract(ChannelContract):
    """The stock SEPA channel keeps the channel contract."""

    channel_name = "sepa-direct-debit"
    settings: ClassVar = SETTINGS

    def make_valid_action(self, action_id: str, kind: str, channel: str) -> OutboundAction:
        return dd_action(action_id, channel, kind)


class TestSepaChannelBehaviour:
    """The day's file is XSD-valid, holds each collection once and names the EndToEndId."""

    def channel(self) -> Channel:
        return make_plugin_manager(load_entrypoints=False, strict=True).channel("sepa-direct-debit")

    def context(self, tmp_path: Path, **settings: str) -> DeliveryContext:
        return DeliveryContext(
            output_dir=tmp_path, run_date=RUN_DATE, settings={**SETTINGS, **settings}
        )

    def test_file_and_receipts(self, tmp_path: Path) -> None:
        channel = self.channel()
        actions = [
            dd_action("case-000001/2026-03-02/direct-debit-instalment-3", amount=Decimal("25.00")),
            dd_action("A2", amount=Decimal("10.05"), sequence="FRST", reference="Termijn 1"),
            dd_action("A3", collection_date=dt.date(2026, 3, 2)),  # same day: too early
            dd_action("A4", debtor_iban="NL00RABO0123456789"),
            dd_action("A5", mandate_id=None),
        ]
        receipts = channel.deliver(actions, self.context(tmp_path))
        assert [r.status for r in receipts] == [
            DeliveryStatus.DELIVERED,
            DeliveryStatus.DELIVERED,
            DeliveryStatus.REFUSED,
            DeliveryStatus.REFUSED,
            DeliveryStatus.REFUSED,
        ]
        assert "collection_date" in receipts[2].reason
        assert receipts[3].reason == "debtor_iban: not valid for a SEPA direct debit"
        assert "mandate_id" in receipts[4].reason
        e2e = end_to_end_id_for("case-000001/2026-03-02/direct-debit-instalment-3")
        assert e2e.startswith("MW-")
        assert len(e2e) <= 35
        assert receipts[0].reference.endswith(f"#{e2e}")
        assert receipts[1].reference.endswith("#A2")
        path = pain008_path(tmp_path, RUN_DATE)
        root = etree.fromstring(path.read_bytes(), etree.XMLParser(resolve_entities=False))
        assert validate_against_xsd(root, PainVersion.V08) == ()
        ids = [str(e.text) for e in root.iter() if etree.QName(e).localname == "EndToEndId"]
        assert sorted(ids) == sorted([e2e, "A2"])
        sums = [e.text for e in root.iter() if etree.QName(e).localname == "CtrlSum"]
        assert sums[0] == "35.05"

    def test_version_02_setting(self, tmp_path: Path) -> None:
        channel = self.channel()
        context = self.context(tmp_path, pain_version="pain.008.001.02")
        assert channel.deliver([dd_action("A1")], context)[0].status is DeliveryStatus.DELIVERED
        root = etree.fromstring(pain008_path(tmp_path, RUN_DATE).read_bytes())
        assert etree.QName(root).namespace == PainVersion.V02.namespace

    def test_bad_creditor_settings_fail_every_action(self, tmp_path: Path) -> None:
        channel = self.channel()
        receipts = channel.deliver(
            [dd_action("A1"), dd_action("A2")],
            self.context(tmp_path, creditor_id="NL00ZZZ999999990000"),
        )
        assert [r.status for r in receipts] == [DeliveryStatus.FAILED] * 2
        assert "creditor_id" in receipts[0].reason
        assert not (tmp_path / "sepa-direct-debit").exists()


def _fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


class TestBankReturnsImporterContract(ImporterContract):
    """The format-detecting bank-returns importer keeps the importer contract."""

    importer_name = "bank-returns"
    good_input = _fixture("camt053_v02_returns.xml")
    good_suffix = ".xml"
    expected_records = 3
    bad_inputs = (
        BadInput(
            id="bad-amount",
            content=_fixture("camt053_v02_returns.xml").replace(b'"EUR">12.50<', b'"EUR">12,50<'),
            line=49,
            field="TxDtls/Amt",
        ),
        BadInput(id="xxe", content=_fixture("hostile_xxe.xml")),
        BadInput(id="billion-laughs", content=_fixture("hostile_billion_laughs.xml")),
    )


class TestCamt054ImporterContract(ImporterContract):
    """The camt054 importer keeps the contract and refuses other formats."""

    importer_name = "camt054"
    good_input = _fixture("camt054_v08_returns.xml")
    good_suffix = ".xml"
    expected_records = 2
    bad_inputs = (BadInput(id="a-camt053", content=_fixture("camt053_v02_returns.xml")),)


class TestPain002ImporterContract(ImporterContract):
    """The pain002 importer keeps the contract."""

    importer_name = "pain002"
    good_input = _fixture("pain002_v10_rejects.xml")
    good_suffix = ".xml"
    expected_records = 3
    bad_inputs = (BadInput(id="external-dtd", content=_fixture("hostile_external_dtd.xml")),)


class TestMt940ImporterContract(ImporterContract):
    """The mt940 importer keeps the contract."""

    importer_name = "mt940"
    good_input = _fixture("mt940_nl_returns.sta")
    good_suffix = ".sta"
    expected_records = 3
    bad_inputs = (BadInput(id="a-pain002", content=_fixture("pain002_v03_rejects.xml")),)


class TestCamt053ImporterContract(ImporterContract):
    """The camt053 importer keeps the contract."""

    importer_name = "camt053"
    good_input = _fixture("camt053_v08_returns.xml")
    good_suffix = ".xml"
    expected_records = 3
    bad_inputs = (BadInput(id="an-mt940", content=_fixture("mt940_nl_returns.sta")),)


class TestImporterNames:
    """Only known importer names can be built."""

    def test_unknown(self) -> None:
        with pytest.raises(ValueError, match="unknown returns importer"):
            ReturnsImporter("camt052")

    def test_wrong_format_message(self, tmp_path: Path) -> None:
        path = tmp_path / "x.sta"
        path.write_bytes(_fixture("mt940_nl_returns.sta"))
        with pytest.raises(InputError, match=r"mt940 file; the camt053 importer reads camt\.053"):
            ReturnsImporter("camt053").read(path)
