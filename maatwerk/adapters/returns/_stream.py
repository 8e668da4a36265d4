"""camt.053 and camt.054 read entry by entry, so a statement of any size costs flat memory.

``lxml.etree.iterparse`` hands over each ``Ntry`` when its end tag is read; the entry is read
with the same code as a whole document (:meth:`maatwerk.adapters.returns._iso._Reader.camt_entry`)
and then cleared, with the siblings before it, so the tree never holds more than one entry. The
same safety as :func:`maatwerk.adapters.returns._xml.parse_bank_xml` holds: the file is scanned
for ``<!DOCTYPE`` and ``<!ENTITY`` in blocks before parsing, the parser loads no DTD, resolves
no entities and reads nothing from the network, and a document type found while parsing (a
UTF-16 file the byte scan cannot read) is refused too. pain.002 files, which are small, are
still read whole (``None`` here).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from lxml import etree

from maatwerk.adapters.returns._iso import _MESSAGES, IsoResult, _Reader
from maatwerk.adapters.returns._xml import HostileXmlError, local, syntax_error
from maatwerk.core.errors import Location
from maatwerk.core.returns import ReasonTable, ReturnedCollection


__all__ = ["read_camt_stream"]

_BLOCK: Final = 1 << 20
_MARKERS: Final = (b"<!DOCTYPE", b"<!ENTITY")
_PARSER_OPTIONS: Final[dict[str, Any]] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}


def _refuse_declarations(path: Path, file: str) -> None:
    """Refuse a file that declares a DOCTYPE or an entity, read in blocks of 1 MiB."""
    overlap = max(len(m) for m in _MARKERS) - 1
    tail = b""
    with path.open("rb") as handle:
        while block := handle.read(_BLOCK):
            window = (tail + block).upper()
            if any(marker in window for marker in _MARKERS):
                raise HostileXmlError(
                    "refused: the XML declares a DOCTYPE or ENTITY (DTDs and entities are never "
                    "processed in bank files; possible XXE or entity-expansion attack)",
                    Location(file=file),
                )
            tail = window[-overlap:]


def _message(path: Path) -> tuple[str, str] | None:
    """(message, version) from the first two start tags, e.g. ``("camt.053", "camt.053.001.02")``."""
    names: list[etree._Element] = []
    with path.open("rb") as handle:
        for _event, element in etree.iterparse(handle, events=("start",), **_PARSER_OPTIONS):
            names.append(element)
            if len(names) == 2:
                break
    if len(names) < 2 or local(names[0]) != "Document" or local(names[1]) not in _MESSAGES:
        return None
    message = _MESSAGES[local(names[1])]
    if not message.startswith("camt"):
        return None
    suffix = (etree.QName(names[0]).namespace or "").rsplit(":", 1)[-1]
    return message, suffix if suffix.startswith(message) else message


def _entries(handle: Any, reader: _Reader) -> tuple[list[ReturnedCollection], Any]:
    """The returns of every statement entry, each entry dropped once read; and the docinfo."""
    found: list[ReturnedCollection] = []
    entries = etree.iterparse(handle, events=("end",), tag="{*}Ntry", **_PARSER_OPTIONS)
    for _event, entry in entries:
        parent = entry.getparent()
        if parent is None or local(parent) not in {"Stmt", "Ntfctn", "Rpt"}:
            continue
        found.extend(reader.camt_entry(entry))
        entry.clear(keep_tail=False)
        while entry.getprevious() is not None:
            del parent[0]
    return found, entries.root.getroottree().docinfo


def read_camt_stream(path: Path, *, file: str, reasons: ReasonTable) -> IsoResult | None:
    """The returns in the camt.053/054 statement ``path``, read entry by entry; ``None`` when
    the document is no camt (the caller reads it whole)."""
    _refuse_declarations(path, file)
    try:
        names = _message(path)
        if names is None:
            return None
        with path.open("rb") as handle:
            found, docinfo = _entries(handle, _Reader(file, reasons))
    except etree.XMLSyntaxError as exc:
        raise syntax_error(exc, file) from None
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.system_url:
        raise HostileXmlError("refused: the XML declares a DOCTYPE", Location(file=file))
    message, version = names
    return IsoResult(message=message, version=version, returns=tuple(found))
