"""A camt.053 statement is read entry by entry: a long one gives every return, in order, and a
cut-off or hostile one is refused naming the file (and the line)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from maatwerk.adapters.returns import HostileXmlError, read_returns
from maatwerk.core.errors import InputError


FIXTURES = Path(__file__).parent.parent / "fixtures" / "returns"


def _long_statement(tmp_path: Path, copies: int) -> tuple[Path, int]:
    """The v02 fixture with its entries repeated ``copies`` times (end-to-end ids numbered)."""
    text = (FIXTURES / "camt053_v02_returns.xml").read_text(encoding="utf-8")
    first, last = text.index("<Ntry>"), text.rindex("</Ntry>") + len("</Ntry>")
    entries = text[first:last]
    body = "".join(
        re.sub(r"<EndToEndId>([^<]*)</EndToEndId>", rf"<EndToEndId>\g<1>-{n}</EndToEndId>", entries)
        for n in range(copies)
    )
    path = tmp_path / "long.xml"
    path.write_text(text[:first] + body + text[last:], encoding="utf-8")
    return path, len(read_returns(FIXTURES / "camt053_v02_returns.xml").returns)


def test_a_long_statement_gives_every_return_in_order(tmp_path: Path) -> None:
    path, per_copy = _long_statement(tmp_path, 300)
    returns = read_returns(path).returns
    assert len(returns) == 300 * per_copy
    numbered = [r.end_to_end_id for r in returns if r.end_to_end_id]
    assert numbered[0].endswith("-0")
    assert numbered[-1].endswith("-299")


def test_a_cut_off_statement_is_refused_with_its_line(tmp_path: Path) -> None:
    path, _ = _long_statement(tmp_path, 50)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(InputError) as caught:
        read_returns(path)
    assert caught.value.location.file == str(path)
    assert caught.value.location.line


def test_a_doctype_after_the_first_block_is_refused(tmp_path: Path) -> None:
    path, _ = _long_statement(tmp_path, 1)
    text = path.read_text(encoding="utf-8")
    padded = text.replace("<Document", "<!--" + "x" * (1 << 20) + "-->\n<!DOCTYPE d>\n<Document", 1)
    path.write_text(padded, encoding="utf-8")
    with pytest.raises(HostileXmlError):
        read_returns(path)
