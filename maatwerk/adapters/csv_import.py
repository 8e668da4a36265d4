"""Read the import CSV files (portfolio, debtors, debts, payments, mandates, consents, holds).

The columns are documented in ``docs/formats/import-csv.md``; the constants below are the
single source of truth (``*`` marks a required column there). Files are UTF-8 (a byte-order mark
is tolerated); the delimiter (``;`` or ``,``) is detected from the header line. With ``;``, an
amount may use a decimal comma (``12,50``). Every row is checked field by field and **every**
problem is collected with its line and field, so one run of the importer shows them all. A file
is read as a stream (:func:`stream_import_file`): one line in memory at a time, checked as it
comes, so a file of a million rows costs no more memory than one of ten.
Unknown columns are an error (a typo must not silently drop data).
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Final, TypeAlias, TypeVar

import attrs
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.nl import bsn as nl_bsn

from maatwerk.adapters.csv_stream import (
    allow_long_fields,
    in_parts,
    lines,
    numbered,
)
from maatwerk.adapters.text_input import decode_text
from maatwerk.core.debtors import Address, Debtor, HouseholdType, Housing, normalise_postcode
from maatwerk.core.debts import ClaimKind, Debt, InterestKind, Payment
from maatwerk.core.errors import InputError, Location, MoneyError
from maatwerk.core.events import ConsentScope
from maatwerk.core.money import LARGEST_INPUT_AMOUNT, MINOR_UNITS, Money, to_decimal
from maatwerk.core.records import ConsentRecord, HoldRecord, ImportKind, ImportRecord, Mandate
from maatwerk.services.importing import (
    ImportFile,
    ImportStream,
    ParsedRow,
    PreparedPart,
    RemittedDeduction,
)


__all__ = [
    "ADDRESS_COLUMNS",
    "COLUMNS",
    "REMITTANCE_COLUMNS",
    "REMITTANCE_REQUIRED",
    "REQUIRED",
    "decode_text",
    "read_import_file",
    "stream_import_file",
]

T = TypeVar("T")
#: The store's row preparer (:meth:`maatwerk.core.ports.StreamingImportStore.row_preparer`).
Preparer: TypeAlias = Callable[[Sequence[tuple[int, Sequence[ImportRecord]]]], Any]

#: Optional postal address columns (debtors and portfolio files): all or none of the first
#: four; ``address_extra`` and ``country`` (default NL) only with them.
ADDRESS_COLUMNS: Final = ("street", "house_number", "postcode", "city", "address_extra", "country")
_ADDRESS_REQUIRED: Final = ADDRESS_COLUMNS[:4]

DEBTOR_COLUMNS: Final = (
    "debtor_id",
    "name",
    "household",
    "net_monthly_income",
    "gross_annual_income",
    "payday",
    "iban",
    "email",
    "phone",
    "segment",
    "on_bijstand",
    "has_brp_address",
    "vulnerable",
    "deceased",
    "bsn",
    "housing",
    "owner_increase",
    *ADDRESS_COLUMNS,
)
DEBT_COLUMNS: Final = (
    "debt_id",
    "debtor_id",
    "creditor_id",
    "principal",
    "currency",
    "due_date",
    "kind",
    "category",
    "issued_on",
    "default_date",
    "consumer",
    "periodic",
    "interest_kind",
    "reference",
)

#: Allowed columns per file kind.
COLUMNS: Final[Mapping[ImportKind, tuple[str, ...]]] = {
    ImportKind.DEBTORS: DEBTOR_COLUMNS,
    ImportKind.DEBTS: DEBT_COLUMNS,
    ImportKind.PORTFOLIO: DEBTOR_COLUMNS + tuple(c for c in DEBT_COLUMNS if c != "debtor_id"),
    ImportKind.PAYMENTS: (
        "payment_id",
        "debtor_id",
        "received_on",
        "amount",
        "currency",
        "designated_debt_id",
        "reference",
    ),
    ImportKind.MANDATES: (
        "mandate_id",
        "debtor_id",
        "creditor_id",
        "iban",
        "signed_on",
        "collection_day",
        "revoked_on",
    ),
    ImportKind.CONSENTS: ("consent_id", "debtor_id", "scope", "given_on", "revoked_on", "source"),
    ImportKind.HOLDS: ("hold_id", "debtor_id", "reason", "starts_on", "ends_on", "debt_id", "note"),
}

_DEBTOR_REQUIRED: Final = ("debtor_id", "name", "household")
_DEBT_REQUIRED: Final = ("debt_id", "creditor_id", "principal", "due_date")

#: Columns that must be present in the header and filled in on every row.
REQUIRED: Final[Mapping[ImportKind, tuple[str, ...]]] = {
    ImportKind.DEBTORS: _DEBTOR_REQUIRED,
    ImportKind.DEBTS: ("debtor_id", *_DEBT_REQUIRED),
    ImportKind.PORTFOLIO: _DEBTOR_REQUIRED + _DEBT_REQUIRED,
    ImportKind.PAYMENTS: ("payment_id", "debtor_id", "received_on", "amount"),
    ImportKind.MANDATES: ("mandate_id", "debtor_id", "creditor_id", "iban", "signed_on"),
    ImportKind.CONSENTS: ("consent_id", "debtor_id", "scope", "given_on"),
    ImportKind.HOLDS: ("hold_id", "debtor_id", "reason", "starts_on"),
}

_TRUE: Final = frozenset({"true", "yes", "ja", "1", "y", "j"})
_FALSE: Final = frozenset({"false", "no", "nee", "0", "n", ""})
_ID_MAX: Final = 64
#: No field of any import is longer (the longest column, ``note``, allows 500).
_FIELD_MAX: Final = 1000


class _RowError(Exception):
    """One bad field; collected, never raised out of this module."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@attrs.define
class _Row:
    """Field accessors for one CSV row that record every problem instead of stopping.

    Each accessor checks its field in one pass, with the good value on the fast path and the
    messages built only for a bad one: a large import calls these tens of millions of times.
    """

    values: Mapping[str, str]
    decimal_comma: bool
    errors: list[_RowError] = attrs.Factory(list)

    def _bad(self, name: str, message: str) -> None:
        self.errors.append(_RowError(name, message))

    def _value(self, name: str) -> str | None:
        """The stripped value (``""`` when absent); ``None``, noted, when it is too long to
        quote back in a message."""
        value = self.values.get(name)
        if not value:
            return ""
        value = value.strip()
        if len(value) > _FIELD_MAX:
            self._bad(name, f"is longer than {_FIELD_MAX} characters")
            return None
        return value

    def _present(self, name: str, *, required: bool) -> str | None:
        """The field's value when it is filled in; else ``None``, noted when it is required."""
        value = self._value(name)
        if not value:
            if required and value is not None:
                self._bad(name, "is required")
            return None
        return value

    def text(self, name: str, *, required: bool = False, max_len: int = 200) -> str:
        value = self.values.get(name)
        value = value.strip() if value else ""
        if not value:
            if required:
                self._bad(name, "is required")
            return ""
        if len(value) > max_len:
            limit = _FIELD_MAX if len(value) > _FIELD_MAX else max_len
            self._bad(name, f"is longer than {limit} characters")
            return ""
        return value

    def ident(self, name: str, *, required: bool = True) -> str:
        return self.text(name, required=required, max_len=_ID_MAX)

    def optional(self, name: str, *, max_len: int = 200) -> str | None:
        return self.text(name, max_len=max_len) or None

    def date(self, name: str, *, required: bool = False) -> dt.date | None:
        value = self._present(name, required=required)
        if value is None:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self._bad(name, f"{value!r} is not a date (YYYY-MM-DD)")
            return None

    def span(self, start: str, end: str) -> tuple[dt.date | None, dt.date | None]:
        """A required ``start`` date and an optional ``end`` date that is not before it."""
        first, last = self.date(start, required=True), self.date(end)
        if first and last and last < first:
            self._bad(end, f"is before {start}")
        return first, last

    def amount(
        self, name: str, currency: str, *, required: bool = False, positive: bool = False
    ) -> Money | None:
        value = self._present(name, required=required)
        if value is None:
            return None
        text = value.replace(",", ".") if self.decimal_comma and "." not in value else value
        try:
            amount = to_decimal(text, what=name)
        except MoneyError:
            self._bad(name, f"{value!r} is not an amount (e.g. 12.34)")
            return None
        if abs(amount) > LARGEST_INPUT_AMOUNT:
            self._bad(name, f"is too large; at most {LARGEST_INPUT_AMOUNT}")
            return None
        money = Money(amount, currency)
        if not money.is_rounded():
            self._bad(name, f"{value!r} has more decimals than {currency} allows")
            return None
        if amount < 0 or (positive and amount == 0):
            self._bad(name, f"{value!r} must be {'above' if positive else 'at least'} 0")
            return None
        return money

    def flag(self, name: str, default: bool) -> bool:
        value = self._value(name)
        if not value:
            return default
        lowered = value.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        self._bad(name, f"{value!r} is not yes/no (true/false, ja/nee, 1/0)")
        return default

    def integer(self, name: str, low: int, high: int) -> int | None:
        value = self._value(name)
        if not value:
            return None
        if not value.isdigit() or not low <= int(value) <= high:
            self._bad(name, f"{value!r} is not a whole number from {low} to {high}")
            return None
        return int(value)

    def choice(self, name: str, parse_enum: Callable[[str], T], default: T) -> T:
        value = self._value(name)
        if not value:
            return default
        try:
            return parse_enum(value)
        except ValueError as exc:
            self._bad(name, str(exc))
            return default

    def iban(self, name: str, *, required: bool = False) -> str | None:
        value = self._present(name, required=required)
        if value is None:
            return None
        try:
            return str(IBAN(value).compact)
        except SchwiftyException as exc:
            self._bad(name, f"not a valid IBAN ({exc})")
            return None

    def currency(self) -> str:
        value = self._value("currency")
        if value is None:
            return "EUR"
        code = value.upper() or "EUR"
        if code not in MINOR_UNITS:
            self._bad("currency", f"{value!r} is not a supported currency")
            return "EUR"
        return code


def _enum_parser(enum_type: type[T], what: str) -> Callable[[str], T]:
    """A parser of ``enum_type`` by value (case, ``_`` or ``-`` as the file has it), with one
    look-up table built here; a ValueError names the choices."""
    members: dict[str, T] = {m.value: m for m in enum_type}  # type: ignore[attr-defined]  # Enum

    def parse(value: str) -> T:
        found = members.get(value)
        if found is not None:
            return found
        found = members.get(value.strip().lower().replace("_", "-"))
        if found is not None:
            return found
        choices = ", ".join(members)
        raise ValueError(f"unknown {what} {value!r}; expected one of {choices}")

    return parse


_CLAIM_KIND: Final = _enum_parser(ClaimKind, "claim kind")
_INTEREST_KIND: Final = _enum_parser(InterestKind, "interest kind")
_CONSENT_SCOPE: Final = _enum_parser(ConsentScope, "consent scope")


def _address(row: _Row) -> Address | None:
    """The row's postal address: ``None`` when every address column is empty; a partial
    address is an error naming each missing field."""
    values = {name: row.text(name, max_len=120) for name in ADDRESS_COLUMNS}
    if not any(values.values()):
        return None
    missing = [name for name in _ADDRESS_REQUIRED if not values[name]]
    for name in missing:
        row.errors.append(_RowError(name, "is required when the row has an address"))
    country = values["country"].upper() or "NL"
    if len(country) != 2 or not country.isalpha():
        row.errors.append(_RowError("country", "is not a two-letter country code (e.g. NL)"))
        return None
    postcode = values["postcode"]
    if postcode and country == "NL":
        try:
            postcode = normalise_postcode(postcode)
        except ValueError as exc:
            row.errors.append(_RowError("postcode", str(exc)))
            return None
    if missing:
        return None
    return Address(
        street=values["street"],
        house_number=values["house_number"],
        postcode=postcode,
        city=values["city"],
        extra=values["address_extra"] or None,
        country=country,
    )


def _debtor(row: _Row) -> Debtor:
    bsn = row.optional("bsn", max_len=9)
    if bsn is not None and not nl_bsn.is_valid(bsn):
        row.errors.append(_RowError("bsn", "not a valid BSN (11-test)"))
    debtor_id = row.ident("debtor_id")
    name = row.text("name", required=True)
    household = row.choice("household", HouseholdType.parse, None)
    if household is None and not any(e.field == "household" for e in row.errors):
        row.errors.append(_RowError("household", "is required"))
    income = row.amount("net_monthly_income", "EUR")
    gross = row.amount("gross_annual_income", "EUR")
    payday = row.integer("payday", 1, 31)
    iban = row.iban("iban")
    housing = row.choice("housing", Housing.parse, None)
    increase = row.amount("owner_increase", "EUR")
    if increase is not None and (housing is None or not housing.asks_lid7):
        row.errors.append(
            _RowError(
                "owner_increase",
                "is only for housing 'own' or 'rent-no-huurtoeslag' (Rv 475da lid 7)",
            )
        )
        increase = None
    return Debtor(
        debtor_id=debtor_id,
        name=name,
        household=household or HouseholdType.SINGLE,
        net_monthly_income=income,
        gross_annual_income=gross,
        payday=payday or 25,
        iban=iban,
        email=row.optional("email", max_len=254),
        phone=row.optional("phone", max_len=32),
        segment=row.text("segment", max_len=64) or "default",
        on_bijstand=row.flag("on_bijstand", default=False),
        has_brp_address=row.flag("has_brp_address", default=True),
        vulnerable=row.flag("vulnerable", default=False),
        deceased=row.flag("deceased", default=False),
        bsn=bsn if bsn and nl_bsn.is_valid(bsn) else None,
        housing=housing,
        owner_increase=increase,
        address=_address(row),
    )


def _debt(row: _Row, debtor_id: str) -> Debt:
    currency = row.currency()
    principal = row.amount("principal", currency, required=True, positive=True)
    due = row.date("due_date", required=True)
    return Debt(
        debt_id=row.ident("debt_id"),
        debtor_id=debtor_id,
        creditor_id=row.ident("creditor_id"),
        principal=principal or Money("0.01", currency),
        due_date=due or dt.date.min,
        kind=row.choice("kind", _CLAIM_KIND, ClaimKind.PRIVATE),
        category=row.text("category", max_len=64) or "invoice",
        issued_on=row.date("issued_on"),
        default_date=row.date("default_date"),
        consumer=row.flag("consumer", default=True),
        periodic=row.flag("periodic", default=False),
        interest_kind=row.choice("interest_kind", _INTEREST_KIND, InterestKind.CONSUMER),
        reference=row.text("reference", max_len=140),
    )


def _payment(row: _Row) -> Payment:
    currency = row.currency()
    amount = row.amount("amount", currency, required=True, positive=True)
    return Payment(
        payment_id=row.ident("payment_id"),
        debtor_id=row.ident("debtor_id"),
        received_on=row.date("received_on", required=True) or dt.date.min,
        amount=amount or Money("0.01", currency),
        designated_debt_id=row.optional("designated_debt_id", max_len=_ID_MAX),
        reference=row.text("reference", max_len=140),
    )


def _mandate(row: _Row) -> Mandate:
    signed, revoked = row.span("signed_on", "revoked_on")
    return Mandate(
        mandate_id=row.text("mandate_id", required=True, max_len=35),
        debtor_id=row.ident("debtor_id"),
        creditor_id=row.ident("creditor_id"),
        iban=row.iban("iban", required=True) or "",
        signed_on=signed or dt.date.min,
        collection_day=row.integer("collection_day", 1, 31),
        revoked_on=revoked,
    )


def _consent(row: _Row) -> ConsentRecord:
    given, revoked = row.span("given_on", "revoked_on")
    scope = row.choice("scope", _CONSENT_SCOPE, None)
    if scope is None and not any(e.field == "scope" for e in row.errors):
        row.errors.append(_RowError("scope", "is required"))
    return ConsentRecord(
        consent_id=row.ident("consent_id"),
        debtor_id=row.ident("debtor_id"),
        scope=scope or ConsentScope.MUNICIPAL_REFERRAL,
        given_on=given or dt.date.min,
        revoked_on=revoked,
        source=row.text("source", max_len=140),
    )


def _hold(row: _Row) -> HoldRecord:
    starts, ends = row.span("starts_on", "ends_on")
    return HoldRecord(
        hold_id=row.ident("hold_id"),
        debtor_id=row.ident("debtor_id"),
        reason=row.text("reason", required=True, max_len=64),
        starts_on=starts or dt.date.min,
        ends_on=ends,
        debt_id=row.optional("debt_id", max_len=_ID_MAX),
        note=row.text("note", max_len=500),
    )


def _records(kind: ImportKind, row: _Row) -> tuple[ImportRecord, ...]:
    if kind is ImportKind.DEBTORS:
        return (_debtor(row),)
    if kind is ImportKind.DEBTS:
        return (_debt(row, row.ident("debtor_id")),)
    if kind is ImportKind.PORTFOLIO:
        debtor = _debtor(row)
        return (debtor, _debt(row, debtor.debtor_id))
    if kind is ImportKind.PAYMENTS:
        return (_payment(row),)
    if kind is ImportKind.MANDATES:
        return (_mandate(row),)
    if kind is ImportKind.CONSENTS:
        return (_consent(row),)
    return (_hold(row),)


def read_import_file(path: Path, kind: ImportKind) -> ImportFile:
    """Parse and check every row of ``path``, in memory (see :func:`stream_import_file`)."""
    return stream_import_file(path, kind).collect()


def stream_import_file(
    path: Path, kind: ImportKind, *, workers: int = 0, prepare: Preparer | None = None
) -> ImportStream:
    """The rows of ``path`` one by one, each checked; problems come as entries, except for a
    file that cannot be read as a CSV table at all (no header, unknown columns: raised here; not
    UTF-8: raised while reading, naming the line).

    With ``workers`` and the store's ``prepare`` (its
    :meth:`~maatwerk.core.ports.StreamingImportStore.row_preparer`), the rows are checked and
    prepared for the store by that many worker processes, a part of
    :data:`~maatwerk.adapters.csv_stream.PART_ROWS` rows each, and come as
    :class:`~maatwerk.services.importing.PreparedPart` entries in line order, while this process
    reads the file and writes (:func:`~maatwerk.adapters.csv_stream.in_parts`)."""
    return _stream_table(
        path, kind, label=kind.value, allowed=COLUMNS[kind], required=REQUIRED[kind],
        parse=functools.partial(_records, kind), workers=workers, prepare=prepare,
    )  # fmt: skip


def _stream_table(
    path: Path,
    kind: ImportKind,
    *,
    label: str,
    allowed: Sequence[str],
    required: Sequence[str],
    parse: Callable[[_Row], tuple[ImportRecord, ...]],
    workers: int = 0,
    prepare: Preparer | None = None,
) -> ImportStream:
    """The CSV table of ``path`` (delimiter from the header line, columns checked against
    ``allowed`` and ``required`` at once), each row turned into records by ``parse`` as it is
    read; a row's problems come by line and field, a file that is no table raises."""
    name = path.name
    header_line = next(lines(path, hashlib.sha256()), "")
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    allow_long_fields()
    header = [h.strip() for h in next(csv.reader([header_line], delimiter=delimiter), [])]
    if not header or not any(header):
        raise InputError("the file has no header row", Location(file=name, line=1))
    unknown = [h for h in header if h not in allowed]
    if unknown:
        raise InputError(
            f"unknown column {unknown[0]!r} for a {label} file; allowed: {', '.join(allowed)}",
            Location(file=name, line=1, field=unknown[0]),
        )
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError(
            f"required column {missing[0]!r} is missing",
            Location(file=name, line=1, field=missing[0]),
        )
    digest = hashlib.sha256()
    checked = _CheckedRows(
        name=name, header=tuple(header), delimiter=delimiter, parse=parse
    )  # fmt: skip
    entries: Iterator[ParsedRow | PreparedPart | InputError]
    if workers > 0 and prepare is not None:
        work = functools.partial(checked.prepared, prepare=prepare)
        entries = in_parts(lines(path, digest), delimiter, work, workers)
    else:
        reader = csv.reader(lines(path, digest), delimiter=delimiter)
        next(reader, None)  # the header, read above
        entries = checked.entries(numbered(reader))
    return ImportStream(kind=kind, file_name=name, entries=entries, file_sha256=digest.hexdigest)


@attrs.frozen
class _CheckedRows:
    """Checks the rows of one table (name, header, number style, row parser): picklable, so a
    worker process can check a part of the file with it."""

    name: str
    header: tuple[str, ...]
    delimiter: str
    parse: Callable[[_Row], tuple[ImportRecord, ...]]

    def entries(self, rows: Iterable[tuple[int, list[str]]]) -> Iterator[ParsedRow | InputError]:
        """Each numbered row checked, as :class:`csv.DictReader` would read it: a row with more
        fields than the header is refused, a blank one skipped, a short one lacks the rest."""
        header, width, name = self.header, len(self.header), self.name
        decimal_comma = self.delimiter == ";"
        for line, fields in rows:
            if len(fields) > width:
                yield InputError("more fields than the header has", Location(name, line))
                continue
            if not "".join(fields).strip():
                continue
            row = _Row(values=dict(zip(header, fields, strict=False)), decimal_comma=decimal_comma)
            records = self.parse(row)
            if row.errors:
                seen: set[tuple[str, str]] = set()
                for err in row.errors:
                    if (err.field, err.message) not in seen:
                        seen.add((err.field, err.message))
                        yield InputError(err.message, Location(name, line, err.field))
                continue
            yield ParsedRow(line=line, records=records)

    def prepared(self, first_line: int, part: list[str], *, prepare: Preparer) -> PreparedPart:
        """The whole records on the lines of ``part`` (the first is line ``first_line``) checked
        and prepared for the store: what a worker process runs."""
        reader = csv.reader(part, delimiter=self.delimiter)
        rows = ((first_line - 1 + line, fields) for line, fields in numbered(reader))
        good: list[tuple[int, tuple[ImportRecord, ...]]] = []
        errors: list[InputError] = []
        for entry in self.entries(rows):
            if isinstance(entry, InputError):
                errors.append(entry)
            else:
                good.append((entry.line, entry.records))
        return PreparedPart(
            rows=prepare(good) if good else None, count=len(good), errors=tuple(errors)
        )


# ------------------------------------------------------------------------- payer remittances
#: Columns of a payer's remittance file: what an employer or benefit agency deducted and paid
#: on for a deduction-at-source plan (docs/formats/remittance-csv.md).
REMITTANCE_COLUMNS: Final = (
    "payer_id",
    "debtor_id",
    "period",
    "amount",
    "paid_on",
    "reference",
    "debt_id",
    "currency",
)
REMITTANCE_REQUIRED: Final = ("payer_id", "debtor_id", "period", "amount", "paid_on")
_PERIOD: Final = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")


def remittance_payment_id(payer_id: str, debtor_id: str, period: str) -> str:
    """The payment id of one remitted deduction: one per payer, debtor and month, so the same
    file (or a corrected one) imported again books nothing twice. A long one is hashed."""
    ident = f"remit:{payer_id}:{debtor_id}:{period}"
    if len(ident) <= _ID_MAX:
        return ident
    return f"remit:{hashlib.sha256(ident.encode('utf-8')).hexdigest()[:40]}"


def _remittance(row: _Row, terms: dict[str, RemittedDeduction] | None = None) -> Payment:
    currency = row.currency()
    payer = row.ident("payer_id")
    debtor = row.ident("debtor_id")
    period = row.text("period", required=True, max_len=7)
    match = _PERIOD.fullmatch(period)
    if period and match is None:
        row.errors.append(_RowError("period", f"{period!r} is not a month (YYYY-MM)"))
    amount = row.amount("amount", currency, required=True, positive=True)
    paid_on = row.date("paid_on", required=True)
    if match is not None and paid_on is not None:
        first = dt.date(int(match.group(1)), int(match.group(2)), 1)
        if paid_on < first:
            row.errors.append(_RowError("paid_on", f"is before the period {period}"))
    reference = row.text("reference", max_len=140)
    payment_id = remittance_payment_id(payer, debtor, period)
    if terms is not None:
        terms[payment_id] = RemittedDeduction(payer_id=payer, period=period)
    return Payment(
        payment_id=payment_id,
        debtor_id=debtor,
        received_on=paid_on or dt.date.min,
        amount=amount or Money("0.01", currency),
        designated_debt_id=row.optional("debt_id", max_len=_ID_MAX),
        reference=reference or f"inhouding {payer} {period}",
    )


def read_remittance_file(path: Path) -> ImportFile:
    """Parse a payer's remittance CSV into payments (an :class:`ImportFile` of kind
    ``payments``): problems are returned by line and field, as :func:`read_import_file` does.
    Each good row keeps its payer and month (``ParsedRow.remitted``), to be checked against the
    instructions sent (:func:`maatwerk.services.importing.check_remittances`)."""
    terms: dict[str, RemittedDeduction] = {}
    parsed = _stream_table(
        path, ImportKind.PAYMENTS, label="remittance", allowed=REMITTANCE_COLUMNS,
        required=REMITTANCE_REQUIRED, parse=lambda row: (_remittance(row, terms),),
    ).collect()  # fmt: skip
    rows = tuple(
        attrs.evolve(row, remitted=terms.get(getattr(row.records[0], "payment_id", "")))
        for row in parsed.rows
    )
    return attrs.evolve(parsed, rows=rows)
