"""Read the collections CSV of ``maatwerk sepa build`` (documented in docs/formats/sepa-collections.md).

Columns (header row required, any order)::

    end_to_end_id,mandate_id,mandate_date,sequence,debtor_name,debtor_iban,amount,remittance

plus the optional ``debtor_bic``. UTF-8 (a byte-order mark is tolerated); the delimiter is ``;``
when the header contains one, else ``,``. Amounts use ``.`` or ``,`` as decimal mark, no thousands
separator. A remittance that looks like an RF reference (``RF`` + 2 check digits + up to 21 letters
or digits, spaces allowed) is written as a structured ISO 11649 creditor reference, else as free
text. Every bad row and field is reported, not just the first.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path
from typing import Final

import attrs

from maatwerk.adapters.csv_stream import allow_long_fields
from maatwerk.adapters.sepa._model import Creditor, DirectDebit, Remittance, SequenceType
from maatwerk.adapters.sepa._rules import SepaIssue
from maatwerk.core.errors import InputError, Location, MoneyError
from maatwerk.core.money import Money, input_amount


__all__ = ["CSV_COLUMNS", "OPTIONAL_COLUMNS", "CsvCollections", "read_collections_csv"]

CSV_COLUMNS: Final = (
    "end_to_end_id",
    "mandate_id",
    "mandate_date",
    "sequence",
    "debtor_name",
    "debtor_iban",
    "amount",
    "remittance",
)
OPTIONAL_COLUMNS: Final = ("debtor_bic",)

_PLACEHOLDER_DATE: Final = dt.date(1970, 1, 1)
_PLACEHOLDER_AMOUNT: Final = Money("1.00")
_AMOUNT_TEXT: Final = re.compile(r"\d+(?:[.,]\d+)?")
_RF_LIKE: Final = re.compile(r"RF\d{2}[A-Za-z0-9 ]{1,30}")


@attrs.frozen(kw_only=True)
class CsvCollections:
    """The collections read from the CSV, the line each came from, and the fields that failed.

    ``issues`` lists fields that could not be read (bad date, sequence or amount). Such a field
    holds a neutral placeholder in its collection so that
    :func:`~maatwerk.adapters.sepa.check_message` (with ``lines``) still reports every other
    problem of the row: report both together, and never write when ``issues`` is not empty
    (:attr:`writable`).
    """

    collections: tuple[DirectDebit, ...]
    lines: tuple[int, ...]
    issues: tuple[SepaIssue, ...] = ()

    @property
    def writable(self) -> bool:
        return not self.issues


def _amount(text: str) -> Money:
    value = text.strip()
    if not _AMOUNT_TEXT.fullmatch(value):  # no sign, exponent or thousands separator
        raise MoneyError(f"{text!r} is not an amount")
    return Money(input_amount(value.replace(",", "."), what="amount"))


def read_collections_csv(
    path: Path, *, creditor: Creditor, collection_date: dt.date
) -> CsvCollections:
    """Read ``path`` into direct debits for ``creditor`` on ``collection_date``.

    Rows that cannot be read (too many or too few fields, a bad date, sequence or amount) are
    listed in :attr:`CsvCollections.issues` (line number and field), even when no row could be
    read; :class:`InputError` is raised only when the file cannot be read at all (missing, not
    UTF-8, wrong header, no rows).
    """
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError("file not found", Location(file=file)) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason})", Location(file=file)) from None
    rows = text.splitlines()
    if not rows or not rows[0].strip():
        raise InputError("the file is empty; expected a header row", Location(file=file, line=1))
    delimiter = ";" if ";" in rows[0] else ","
    allow_long_fields()
    reader = csv.DictReader(rows, delimiter=delimiter)
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [c for c in CSV_COLUMNS if c not in header]
    unknown = [c for c in header if c not in CSV_COLUMNS and c not in OPTIONAL_COLUMNS]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"missing column(s) {', '.join(missing)}")
        if unknown:
            parts.append(f"unknown column(s) {', '.join(unknown)}")
        raise InputError(
            "; ".join(parts) + f"; expected {','.join(CSV_COLUMNS)}",
            Location(file=file, line=1),
        )

    issues: list[SepaIssue] = []
    collections: list[DirectDebit] = []
    lines: list[int] = []
    for row in reader:
        line = reader.line_num
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue

        def bad(field: str, message: str, line: int = line, row: dict[str, str] = row) -> None:
            issues.append(
                SepaIssue(
                    location=Location(file=file, line=line, field=field),
                    message=message,
                    end_to_end_id=(row.get("end_to_end_id") or "").strip() or None,
                )
            )

        if None in row:
            bad("row", f"has more fields than the header ({len(header)})")
            continue
        if any(row.get(column) is None for column in header):
            present = sum(1 for column in header if row.get(column) is not None)
            bad("row", f"has {present} field(s), fewer than the header ({len(header)})")
            continue
        values = {k: (v or "").strip() for k, v in row.items()}
        for column in ("mandate_date", "sequence", "amount"):
            if not values.get(column):
                bad(column, "is empty")
        mandate_date: dt.date | None = None
        if values["mandate_date"]:
            try:
                mandate_date = dt.date.fromisoformat(values["mandate_date"])
            except ValueError:
                bad("mandate_date", f"{values['mandate_date']!r} is not a date (YYYY-MM-DD)")
        sequence: SequenceType | None = None
        if values["sequence"]:
            try:
                sequence = SequenceType(values["sequence"].upper())
            except ValueError:
                allowed = ", ".join(s.value for s in SequenceType)
                bad("sequence", f"{values['sequence']!r} is not one of {allowed}")
        amount: Money | None = None
        if values["amount"]:
            try:
                amount = _amount(values["amount"])
            except MoneyError:
                bad("amount", f"{values['amount']!r} is not an amount such as 12.34")
        remittance: Remittance | None = None
        if values["remittance"]:
            compact = values["remittance"].upper()
            if _RF_LIKE.fullmatch(compact):
                remittance = Remittance(creditor_reference=compact.replace(" ", ""))
            else:
                remittance = Remittance(unstructured=values["remittance"])
        # A field that could not be read gets a neutral placeholder, so the EPC checks still
        # report every other problem of the row; ``issues`` then blocks writing.
        collections.append(
            DirectDebit(
                end_to_end_id=values["end_to_end_id"],
                mandate_id=values["mandate_id"],
                mandate_date=mandate_date or _PLACEHOLDER_DATE,
                sequence=sequence or SequenceType.RCUR,
                debtor_name=values["debtor_name"],
                debtor_iban=values["debtor_iban"],
                debtor_bic=values.get("debtor_bic") or None,
                amount=amount or _PLACEHOLDER_AMOUNT,
                collection_date=collection_date,
                creditor=creditor,
                remittance=remittance,
            )
        )
        lines.append(line)
    if not collections and not issues:
        raise InputError("no collections in the file", Location(file=file))
    return CsvCollections(collections=tuple(collections), lines=tuple(lines), issues=tuple(issues))
