"""NL structured MT940: the mt-940 tag parser plus our :86: subfield splitter."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from maatwerk.adapters.returns import read_returns, split_86
from maatwerk.core.errors import InputError
from maatwerk.core.returns import ReturnReasonGroup


FIXTURES = Path(__file__).parent.parent / "fixtures" / "returns"


class TestSplit86:
    """The splitter joins wrapped lines and splits on the known NL subfield codes."""

    def test_wrapped_inside_a_value(self) -> None:
        text = (
            "/RTRN/MD06/EREF/MW-2026-0002/MARF/MNDT-\n0002/CSID/NL32ZZZ999999991234/CNTP/"
            "NL91ABNA0417164300/ABNANL2A/J JANSEN//\n/REMI/USTD//Termijn 4/"
        )
        assert split_86(text) == {
            "RTRN": "MD06",
            "EREF": "MW-2026-0002",
            "MARF": "MNDT-0002",
            "CSID": "NL32ZZZ999999991234",
            "CNTP": "NL91ABNA0417164300/ABNANL2A/J JANSEN",
            "REMI": "USTD//Termijn 4",
        }

    def test_plain_text_has_no_fields(self) -> None:
        assert split_86("Betaling huur november") == {}

    def test_first_occurrence_wins_and_trcd(self) -> None:
        assert split_86("/TRCD/01028/EREF/A/EREF/B/") == {"TRCD": "01028", "EREF": "A"}


class TestRead:
    """Returns (/RTRN/) are read with ids, Decimal amounts and booking dates; others ignored."""

    def test_fixture(self) -> None:
        result = read_returns(FIXTURES / "mt940_nl_returns.sta")
        assert (result.message, result.format) == ("mt940", "mt940")
        day = dt.date(2026, 12, 4)
        got = [
            (r.end_to_end_id, r.mandate_id, r.amount.amount, r.reason, r.group, r.booking_date)
            for r in result.returns
        ]
        assert got == [
            (
                "MW-2026-0001",
                "MNDT-0001",
                Decimal("12.50"),
                "MS03",
                ReturnReasonGroup.COULD_NOT_PAY,
                day,
            ),
            (
                "MW-2026-0002",
                "MNDT-0002",
                Decimal("100.00"),
                "MD06",
                ReturnReasonGroup.REFUSED_OR_DISPUTED,
                day,
            ),
            (None, "MNDT-0005", Decimal("9.95"), "AC04", ReturnReasonGroup.DATA_ERROR, day),
        ]
        assert {r.creditor_id for r in result.returns} == {"NL32ZZZ999999991234"}

    def test_latin1_file(self, tmp_path: Path) -> None:
        text = (FIXTURES / "mt940_nl_returns.sta").read_text(encoding="utf-8")
        path = tmp_path / "s.sta"
        path.write_bytes(text.replace("A DE VRIES", "A DE VRIÉS").encode("latin-1"))
        assert len(read_returns(path).returns) == 3

    def test_broken_statement(self, tmp_path: Path) -> None:
        path = tmp_path / "s.sta"
        path.write_text(":20:X\n:25:NL91ABNA0417164300\n:61:not a line\n", encoding="utf-8")
        with pytest.raises(InputError) as caught:
            read_returns(path)
        assert caught.value.location.file == str(path)
