"""Bank-return importers (the ``Importer`` port, kind ``returns``) over :func:`read_returns`.

``bank-returns`` reads any supported format (detected from the content); ``camt053``,
``camt054``, ``pain002`` and ``mt940`` read only their own format and refuse another with an
:class:`~maatwerk.core.errors.InputError` naming the file. Records are
:class:`~maatwerk.core.returns.ReturnedCollection` values (batch-level pain.002 rejections are not
records; ``maatwerk returns read`` shows them).
"""

from __future__ import annotations

import pathlib
from typing import Final

from maatwerk.adapters.returns import read_returns
from maatwerk.core.errors import InputError, Location
from maatwerk.core.returns import ReturnedCollection


__all__ = ["IMPORTERS", "ReturnsImporter"]

#: name -> (message types accepted (empty: any), description)
IMPORTERS: Final[dict[str, tuple[frozenset[str], str]]] = {
    "bank-returns": (
        frozenset(),
        "Returned and rejected direct debits from camt.053, camt.054, pain.002 or MT940",
    ),
    "camt053": (frozenset({"camt.053"}), "Returned direct debits from camt.053 statements"),
    "camt054": (frozenset({"camt.054"}), "Returned direct debits from camt.054 notifications"),
    "pain002": (frozenset({"pain.002"}), "Rejected direct debits from pain.002 status reports"),
    "mt940": (frozenset({"mt940"}), "Returned direct debits from NL structured MT940"),
}


class ReturnsImporter:
    """Reads one bank file into :class:`ReturnedCollection` records."""

    def __init__(self, name: str) -> None:
        if name not in IMPORTERS:
            raise ValueError(f"unknown returns importer {name!r}; known: {sorted(IMPORTERS)}")
        self._name = name
        self._accepts = IMPORTERS[name][0]

    @property
    def name(self) -> str:
        return self._name

    def read(self, path: pathlib.Path) -> tuple[ReturnedCollection, ...]:
        result = read_returns(path)
        if self._accepts and result.message not in self._accepts:
            raise InputError(
                f"this is a {result.message} file; the {self._name} importer reads "
                f"{', '.join(sorted(self._accepts))} only",
                Location(file=str(path)),
            )
        return result.returns
