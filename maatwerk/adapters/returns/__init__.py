"""Bank returns (storneringen): readers for camt.053/054, pain.002 and NL MT940.

:func:`read_returns` detects the format from the content, parses XML with a hardened lxml parser
(no DTD, no entities, no network; a DOCTYPE is refused with :class:`HostileXmlError`) and maps each
reason code to its policy group with ``maatwerk/rules/return_reasons.toml``.

Public API::

    read_returns(path, *, reasons=None) -> ReturnsFile
    load_return_reasons(directory=None) -> DatedTable[ReasonTable]
    split_86(text) -> dict[str, str]
"""

from __future__ import annotations

from pathlib import Path

import attrs

from maatwerk.adapters.returns._iso import BatchRejection, read_iso
from maatwerk.adapters.returns._mt940 import looks_like_mt940, read_mt940, split_86
from maatwerk.adapters.returns._reasons import (
    RETURN_REASONS_TABLE,
    current_reasons,
    load_return_reasons,
)
from maatwerk.adapters.returns._stream import read_camt_stream
from maatwerk.adapters.returns._xml import HostileXmlError, parse_bank_xml
from maatwerk.core.errors import InputError, Location
from maatwerk.core.returns import ReasonTable, ReturnedCollection
from maatwerk.core.tables import TableVersion


__all__ = [
    "RETURN_REASONS_TABLE",
    "BatchRejection",
    "HostileXmlError",
    "ReturnsFile",
    "current_reasons",
    "load_return_reasons",
    "read_returns",
    "split_86",
]


@attrs.frozen(kw_only=True)
class ReturnsFile:
    """What a bank file says came back. ``format`` is e.g. ``camt.053.001.02`` or ``mt940``."""

    file: str
    message: str
    format: str
    returns: tuple[ReturnedCollection, ...]
    batch_rejections: tuple[BatchRejection, ...] = ()
    reasons_version: TableVersion | None = None


def read_returns(path: Path, *, reasons: ReasonTable | None = None) -> ReturnsFile:
    """Read the returned and rejected collections in ``path`` (camt.053/054, pain.002, MT940)."""
    file = str(path)
    version: TableVersion | None = None
    if reasons is None:
        dated = current_reasons()
        reasons, version = dated.value, dated.version
    try:
        with path.open("rb") as handle:
            start = handle.read(4096)
    except FileNotFoundError:
        raise InputError("file not found", Location(file=file)) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", Location(file=file)) from None
    except OSError as exc:  # a name too long, no permission
        raise InputError(f"cannot read the file: {exc.strerror}", Location(file=file)) from None
    stripped = start.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"<"):  # a camt statement is streamed: flat memory at any size
        streamed = read_camt_stream(path, file=file, reasons=reasons)
        if streamed is not None:
            return ReturnsFile(
                file=file,
                message=streamed.message,
                format=streamed.version,
                returns=streamed.returns,
                reasons_version=version,
            )
    data = path.read_bytes()
    stripped = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith((b"<", b"\xff\xfe", b"\xfe\xff")):
        root = parse_bank_xml(data, file=file)
        result = read_iso(root, file=file, reasons=reasons)
        return ReturnsFile(
            file=file,
            message=result.message,
            format=result.version,
            returns=result.returns,
            batch_rejections=result.batch_rejections,
            reasons_version=version,
        )
    if looks_like_mt940(stripped):
        return ReturnsFile(
            file=file,
            message="mt940",
            format="mt940",
            returns=read_mt940(data, file=file, reasons=reasons),
            reasons_version=version,
        )
    raise InputError(
        "unknown format: expected camt.053, camt.054, pain.002 (XML) or MT940",
        Location(file=file),
    )
