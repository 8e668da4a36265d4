"""NL structured MT940 (the legacy statement format) with our own ``:86:`` subfield splitter.

The ``mt-940`` package parses the tags; it returns the Dutch ``:86:`` as raw text with line breaks
where the bank wrapped it at 65 characters, possibly inside a value. :func:`split_86` joins the
lines first and then splits on the known subfield codes: ``/RTRN/`` (return reason), ``/EREF/``
(EndToEndId), ``/MARF/`` (mandate reference), ``/CSID/`` (creditor id), ``/CNTP/`` (counterparty
IBAN/BIC/name/city), ``/REMI/``, ``/TRCD/`` and others (docs/formats/bank-returns.md).

A ``:61:`` line is a return when its ``:86:`` has ``/RTRN/``; the transaction type is usually
``NRTI`` (ING) but we do not rely on it.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from typing import Any, Final

import mt940

from maatwerk.core.errors import InputError, Location
from maatwerk.core.money import LARGEST_INPUT_AMOUNT, Money
from maatwerk.core.returns import ReasonTable, ReturnedCollection, ReturnStage


__all__ = ["SUBFIELDS", "looks_like_mt940", "read_mt940", "split_86"]

#: The NL :86: subfield codes we recognise (Betaalvereniging MT940 structured; ING and Rabobank).
SUBFIELDS: Final = (
    "RTRN",
    "EREF",
    "MARF",
    "CSID",
    "CNTP",
    "REMI",
    "TRCD",
    "ORDP",
    "BENM",
    "IREF",
    "PREF",
    "PURP",
    "ULTC",
    "ULTD",
    "ULTB",
    "EXCH",
    "CHGS",
    "SVCL",
    "ISDT",
    "RTYP",
    "ACCW",
    "BUSP",
    "ID",
    "NAME",
    "ADDR",
)
_SPLIT: Final = re.compile(r"/(" + "|".join(SUBFIELDS) + r")/")


def split_86(text: str) -> dict[str, str]:
    """Split an NL structured ``:86:`` into ``{code: value}``; wrapped lines are joined first.

    Values keep their inner ``/`` (``CNTP`` is ``IBAN/BIC/name/city``); a trailing ``/`` is
    dropped. The first occurrence of a code wins.
    """
    joined = "".join(line.rstrip("\r") for line in text.split("\n"))
    matches = list(_SPLIT.finditer(joined))
    fields: dict[str, str] = {}
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(joined)
        value = joined[match.end() : end].rstrip("/").strip()
        fields.setdefault(match.group(1), value)
    return fields


def looks_like_mt940(data: bytes) -> bool:
    head = data[:4096]
    return b":20:" in head and (b":25:" in head or b":61:" in head)


def _date(value: Any) -> dt.date | None:
    if value is None:
        return None
    return dt.date(value.year, value.month, value.day)


def read_mt940(raw: bytes, *, file: str, reasons: ReasonTable) -> tuple[ReturnedCollection, ...]:
    """The returns (``:86:`` with ``/RTRN/``) in the bytes of the MT940 file ``file``."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            transactions = mt940.models.Transactions()
            transactions.parse(text)
    except Exception as exc:  # mt-940 raises plain exceptions for bad tags  # noqa: BLE001
        raise InputError(f"not a readable MT940 file: {exc}", Location(file=file)) from None
    if not transactions.data and not len(transactions):
        raise InputError("not an MT940 statement (no :20:/:25: tags)", Location(file=file))
    found: list[ReturnedCollection] = []
    for number, transaction in enumerate(transactions, start=1):
        data = transaction.data
        fields = split_86(str(data.get("transaction_details") or ""))
        if "RTRN" not in fields:
            continue
        amount = data.get("amount")
        if amount is None:
            raise InputError(
                "a return without an amount",
                Location(file=file, field=f"transaction[{number}] :61:"),
            )
        if abs(amount.amount) > LARGEST_INPUT_AMOUNT:
            raise InputError(
                f"the amount is too large; at most {LARGEST_INPUT_AMOUNT}",
                Location(file=file, field=f"transaction[{number}] :61:"),
            )
        code = fields["RTRN"].split("/")[0].strip().upper() or None
        e2e = fields.get("EREF") or None
        found.append(
            ReturnedCollection(
                end_to_end_id=None if e2e == "NOTPROVIDED" else e2e,
                mandate_id=fields.get("MARF") or None,
                amount=Money(abs(amount.amount), str(amount.currency or "EUR")),
                reason=code,
                group=reasons.classify(code),
                known_reason=reasons.knows(code),
                booking_date=_date(data.get("entry_date") or data.get("date")),
                stage=ReturnStage.RETURNED,
                creditor_id=fields.get("CSID") or None,
                bank_text=fields.get("REMI") or None,
            )
        )
    return tuple(found)
