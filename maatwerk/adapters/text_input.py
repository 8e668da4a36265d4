"""Text input files: UTF-8 (a byte-order mark is dropped), or an error naming the line.

Kept apart from the CSV reader so that readers without its dependencies (the case file, on the
base install) can use it.
"""

from __future__ import annotations

from maatwerk.core.errors import InputError, Location


__all__ = ["decode_text"]


def decode_text(raw: bytes, name: str) -> str:
    """``raw`` as UTF-8 text; not UTF-8: an ``InputError`` naming ``name`` and the line of the
    first bad byte."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError("the file is not UTF-8", Location(file=name, line=line)) from None
