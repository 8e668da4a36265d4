"""camt.053/054 and pain.002 readers: namespace-agnostic, Decimal amounts, reason groups."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from maatwerk.adapters.returns import read_returns
from maatwerk.core.errors import InputError
from maatwerk.core.money import eur
from maatwerk.core.returns import ReturnReasonGroup, ReturnStage


FIXTURES = Path(__file__).parent.parent / "fixtures" / "returns"
G = ReturnReasonGroup


def rows(name: str) -> list[tuple[object, ...]]:
    result = read_returns(FIXTURES / name)
    return [
        (r.end_to_end_id, r.mandate_id, r.amount.amount, r.reason, r.group, r.booking_date)
        for r in result.returns
    ]


class TestCamt053:
    """camt.053 .001.02 and .001.08: returns only, ids, amounts, booking dates, groups."""

    def test_v02(self) -> None:
        result = read_returns(FIXTURES / "camt053_v02_returns.xml")
        assert (result.message, result.format) == ("camt.053", "camt.053.001.02")
        day = dt.date(2026, 12, 4)
        assert rows("camt053_v02_returns.xml") == [
            ("MW-2026-0001", "MNDT-0001", Decimal("12.50"), "AM04", G.COULD_NOT_PAY, day),
            ("MW-2026-0002", "MNDT-0002", Decimal("100.00"), "MD06", G.REFUSED_OR_DISPUTED, day),
            ("MW-2026-0003", "MNDT-0003", Decimal("45.00"), "MD07", G.DECEASED, day),
        ]
        first, second, _ = result.returns
        assert first.creditor_id == "NL32ZZZ999999991234"
        assert first.bank_text == "Onvoldoende saldo"
        assert second.bank_text == "Terugboeking op verzoek van de klant"
        assert all(r.stage is ReturnStage.RETURNED for r in result.returns)
        assert all(isinstance(r.amount.amount, Decimal) for r in result.returns)
        assert result.reasons_version is not None
        assert result.reasons_version.table == "return_reasons"

    def test_v08_and_unknown_code(self) -> None:
        result = read_returns(FIXTURES / "camt053_v08_returns.xml")
        assert result.format == "camt.053.001.08"
        day = dt.date(2026, 12, 7)
        assert rows("camt053_v08_returns.xml") == [
            ("MW-2026-0101", "MNDT-0101", Decimal("33.30"), "MS03", G.COULD_NOT_PAY, day),
            ("MW-2026-0102", "MNDT-0102", Decimal("50.00"), "AC04", G.DATA_ERROR, day),
            ("MW-2026-0103", "MNDT-0103", Decimal("5.00"), "FOCR", G.REFUSED_OR_DISPUTED, day),
        ]
        assert [r.known_reason for r in result.returns] == [True, True, False]

    def test_namespace_does_not_matter(self, tmp_path: Path) -> None:
        text = (FIXTURES / "camt053_v02_returns.xml").read_text(encoding="utf-8")
        for namespace in ("urn:iso:std:iso:20022:tech:xsd:camt.053.001.13", "urn:example:bank"):
            path = tmp_path / "s.xml"
            path.write_text(
                text.replace("urn:iso:std:iso:20022:tech:xsd:camt.053.001.02", namespace),
                encoding="utf-8",
            )
            assert rows(str(path)) == rows("camt053_v02_returns.xml")
        path = tmp_path / "prefixed.xml"
        path.write_text(
            text.replace('xmlns="urn', 'xmlns:c="urn')
            .replace("<", "<c:")
            .replace("<c:/", "</c:")
            .replace("<c:?xml", "<?xml"),
            encoding="utf-8",
        )
        assert rows(str(path)) == rows("camt053_v02_returns.xml")

    def test_entry_without_details_is_a_return_without_reference(self, tmp_path: Path) -> None:
        path = tmp_path / "s.xml"
        path.write_text(
            """<?xml version="1.0"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt>
<Ntry><Amt Ccy="EUR">9.99</Amt><CdtDbtInd>DBIT</CdtDbtInd><RvslInd>true</RvslInd>
<BookgDt><Dt>2026-12-04</Dt></BookgDt>
<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>IDDT</Cd><SubFmlyCd>UPDD</SubFmlyCd></Fmly></Domn></BkTxCd>
</Ntry></Stmt></BkToCstmrStmt></Document>""",
            encoding="utf-8",
        )
        (item,) = read_returns(path).returns
        assert item.end_to_end_id is None
        assert item.amount == eur("9.99")
        assert item.reason is None
        assert item.known_reason is False


class TestCamt054:
    """camt.054 notifications, including a proprietary reason code in lower case."""

    def test_v08(self) -> None:
        result = read_returns(FIXTURES / "camt054_v08_returns.xml")
        assert (result.message, result.format) == ("camt.054", "camt.054.001.08")
        day = dt.date(2026, 12, 9)
        assert rows("camt054_v08_returns.xml") == [
            ("MW-2026-0201", "MNDT-0201", Decimal("20.00"), "SL01", G.REFUSED_OR_DISPUTED, day),
            ("MW-2026-0202", "MNDT-0202", Decimal("40.00"), "MS02", G.REFUSED_OR_DISPUTED, day),
        ]


class TestPain002:
    """pain.002 .001.03 and .001.10: rejected transactions and rejected batches."""

    def test_v03(self) -> None:
        result = read_returns(FIXTURES / "pain002_v03_rejects.xml")
        assert (result.message, result.format) == ("pain.002", "pain.002.001.03")
        assert rows("pain002_v03_rejects.xml") == [
            ("MW-2026-0301", "MNDT-0301", Decimal("30.00"), "AC01", G.DATA_ERROR, None),
        ]
        (item,) = result.returns
        assert item.stage is ReturnStage.REJECTED
        assert item.creditor_id == "NL32ZZZ999999991234"
        (batch,) = result.batch_rejections
        assert batch.payment_information_id == "MW-20261123100000-002"
        assert batch.original_message_id == "MW-20261123100000"
        assert (batch.reason, batch.group) == ("FF01", G.DATA_ERROR)

    def test_v10_with_inherited_status(self) -> None:
        result = read_returns(FIXTURES / "pain002_v10_rejects.xml")
        assert result.format == "pain.002.001.10"
        assert rows("pain002_v10_rejects.xml") == [
            ("MW-2026-0401", "MNDT-0401", Decimal("15.00"), "MD01", G.REFUSED_OR_DISPUTED, None),
            ("MW-2026-0402", "MNDT-0402", Decimal("15.00"), "AM05", G.DATA_ERROR, None),
            ("MW-2026-0403", "MNDT-0403", Decimal("1234.56"), "RR04", G.DATA_ERROR, None),
        ]
        assert result.batch_rejections == ()

    def test_whole_file_rejected(self, tmp_path: Path) -> None:
        path = tmp_path / "s.xml"
        path.write_text(
            """<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03"><CstmrPmtStsRpt>
<OrgnlGrpInfAndSts><OrgnlMsgId>MW-1</OrgnlMsgId><GrpSts>RJCT</GrpSts>
<StsRsnInf><Rsn><Cd>FF01</Cd></Rsn></StsRsnInf></OrgnlGrpInfAndSts>
</CstmrPmtStsRpt></Document>""",
            encoding="utf-8",
        )
        result = read_returns(path)
        assert result.returns == ()
        (batch,) = result.batch_rejections
        assert (batch.original_message_id, batch.payment_information_id) == ("MW-1", None)


class TestBadFiles:
    """Malformed or unsupported files are input errors naming the file (and line)."""

    @pytest.mark.parametrize(
        ("content", "words"),
        [
            ("<Document><Other/></Document>", "not a camt.053, camt.054 or pain.002"),
            ("<Document><BkToCstmrStmt>", "not well-formed"),
            ("hello", "unknown format"),
        ],
    )
    def test_bad(self, tmp_path: Path, content: str, words: str) -> None:
        path = tmp_path / "bad.xml"
        path.write_text(content, encoding="utf-8")
        with pytest.raises(InputError, match=words) as caught:
            read_returns(path)
        assert caught.value.location.file == str(path)

    def test_bad_amount_names_the_line(self, tmp_path: Path) -> None:
        text = (FIXTURES / "camt053_v02_returns.xml").read_text(encoding="utf-8")
        path = tmp_path / "bad.xml"
        path.write_text(text.replace('"EUR">12.50<', '"EUR">12,50<'), encoding="utf-8")
        with pytest.raises(InputError, match="'12,50' is not an amount") as caught:
            read_returns(path)
        assert caught.value.location.line == 49

    def test_missing_file(self, tmp_path: Path) -> None:
        with pytest.raises(InputError, match="file not found"):
            read_returns(tmp_path / "absent.xml")
