"""Hostile XML (XXE, billion laughs, external DTD) is refused with an error naming the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from maatwerk.adapters.returns import HostileXmlError, read_returns


FIXTURES = Path(__file__).parent.parent / "fixtures" / "returns"
HOSTILE = ["hostile_xxe.xml", "hostile_billion_laughs.xml", "hostile_external_dtd.xml"]


class TestHostileXml:
    """No DTD or entity is ever processed; the file is refused before it is read."""

    @pytest.mark.parametrize("name", HOSTILE)
    def test_refused(self, name: str) -> None:
        path = FIXTURES / name
        with pytest.raises(HostileXmlError, match="DOCTYPE") as caught:
            read_returns(path)
        assert caught.value.location.file == str(path)
        assert name in str(caught.value)
        assert "root:" not in str(caught.value)  # nothing from /etc/passwd

    @pytest.mark.parametrize("name", HOSTILE)
    def test_refused_when_the_byte_check_cannot_see_it(self, name: str, tmp_path: Path) -> None:
        """UTF-16 hides '<!DOCTYPE' from the byte scan; the parser-level check still refuses."""
        text = (FIXTURES / name).read_text(encoding="utf-8").replace("UTF-8", "UTF-16")
        path = tmp_path / name
        path.write_bytes(text.encode("utf-16"))
        with pytest.raises(HostileXmlError, match=r"DOCTYPE|entity") as caught:
            read_returns(path)
        assert caught.value.location.file == str(path)

    def test_lowercase_doctype(self, tmp_path: Path) -> None:
        path = tmp_path / "x.xml"
        path.write_text('<!doctype d [<!entity e "x">]><Document/>', encoding="utf-8")
        with pytest.raises(HostileXmlError):
            read_returns(path)
