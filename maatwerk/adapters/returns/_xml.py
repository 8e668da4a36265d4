"""Hardened XML parsing for bank files: no entities, no DTD, no network, no huge trees.

Bank files (camt, pain.002) never carry a DOCTYPE. One that does is refused before anything is
read from it, with a clear error naming the file: an internal subset can declare entities (XXE file
or URL entities, "billion laughs" expansion) and an external DTD would be fetched. The lxml parser
is configured so that none of this is resolved even if the check were bypassed:
``resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False``.
"""

from __future__ import annotations

from typing import Any, Final

from lxml import etree

from maatwerk.core.errors import InputError, Location


__all__ = ["HostileXmlError", "local", "parse_bank_xml", "syntax_error"]

_MAX_BYTES: Final = 200 * 1024 * 1024


class HostileXmlError(InputError):
    """An XML bank file that declares a DTD or entities (possible XXE / entity-expansion attack)."""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_bank_xml(data: bytes, *, file: str) -> etree._Element:
    """Parse the bytes of ``file`` safely and return the root element; refuse any DOCTYPE."""
    if len(data) > _MAX_BYTES:
        raise InputError(f"file larger than {_MAX_BYTES // (1024 * 1024)} MB", Location(file=file))
    if b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper():
        raise HostileXmlError(
            "refused: the XML declares a DOCTYPE or ENTITY (DTDs and entities are never "
            "processed in bank files; possible XXE or entity-expansion attack)",
            Location(file=file),
        )
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise syntax_error(exc, file) from None
    docinfo: Any = root.getroottree().docinfo  # lxml-stubs miss doctype/internalDTD
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.system_url:
        raise HostileXmlError(  # e.g. a UTF-16 file, which the byte check above cannot read
            "refused: the XML declares a DOCTYPE", Location(file=file)
        )
    return root


def syntax_error(exc: etree.XMLSyntaxError, file: str) -> InputError:
    """The one-line error for XML that lxml could not parse: an entity or an expansion is
    refused as hostile, anything else is not well-formed (at its line)."""
    line = exc.lineno if isinstance(exc.lineno, int) else None
    message = " ".join(str(exc.msg).split())
    if "entit" in message.lower() or "amplification" in message.lower():
        return HostileXmlError(
            f"refused: entity declarations or expansion ({message}); possible XXE or "
            "entity-expansion attack",
            Location(file=file, line=line),
        )
    return InputError(f"not well-formed XML: {message}", Location(file=file, line=line))


def local(element: etree._Element) -> str:
    """The local name of an element, without its namespace."""
    tag: object = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]
