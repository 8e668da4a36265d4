"""EPC rule checks for SEPA direct debits, run before a pain.008 file is written.

An XSD-valid file is not necessarily one a bank accepts: the ISO schemas allow 140-character names,
``&`` and ``//`` in ids and RPRE. These checks follow the EPC SDD Core rulebook and the Dutch
implementation guidelines (Betaalvereniging IG pain.008, chapter "Character set"; see
``docs/formats/sepa-collections.md``):

* **Character set** (EPC217-08): only ``a-z A-Z 0-9 / - ? : ( ) . , ' +`` and space. Free text
  (names, remittance) is transliterated first (``é`` -> ``e``, ``ß`` -> ``ss``, ``&`` -> ``+``);
  a character that cannot be transliterated is an error. Identifiers are never transliterated.
* **Identifiers** (MsgId, PmtInfId, EndToEndId, MndtId): 1-35 characters, no leading or trailing
  ``/``, no ``//``; EndToEndId unique in the message.
* **Lengths**: names at most 70 characters (longer names are cut, as the EPC IG allows),
  unstructured remittance at most 140 (longer is an error: cutting would change its meaning).
* **Amounts**: EUR, 0.01 to 999,999,999.99, at most two decimals, from ``Decimal`` only.
* **Accounts and ids**: IBANs (schwifty), BICs (schwifty), the creditor identifier (python-stdnum
  ``stdnum.eu.at_02``, SEPA "AT-02") and RF creditor references (``stdnum.iso11649``).
* **Timing** (EPC SDD Core rulebook since Nov 2016, all sequence types D-1): the collection date is
  a TARGET business day and the file is created at least one TARGET business day before it.
* **Mandate**: signed on or before the creation date.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Final

import attrs
import stdnum.eu.at_02
import stdnum.iso11649
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from maatwerk.adapters.sepa._model import DirectDebit, DirectDebitMessage
from maatwerk.core.errors import InputError, Location


__all__ = [
    "MAX_AMOUNT",
    "MAX_ID",
    "MAX_NAME",
    "MAX_REMITTANCE",
    "MIN_AMOUNT",
    "BusinessDay",
    "SepaIssue",
    "SepaValidationError",
    "check_id",
    "check_message",
    "clean_name",
    "clean_text",
    "is_sepa_text",
    "previous_business_day",
]

#: "Is this date a TARGET business day?" (weekdays minus TARGET closing days).
BusinessDay = Callable[[dt.date], bool]

MAX_ID: Final = 35
MAX_NAME: Final = 70
MAX_REMITTANCE: Final = 140
MIN_AMOUNT: Final = Decimal("0.01")
MAX_AMOUNT: Final = Decimal("999999999.99")

_SEPA_CHARS: Final = re.compile(r"[A-Za-z0-9/\-?:().,'+ ]*")

#: Characters NFKD cannot reduce to basic Latin, and punctuation outside the SEPA set.
_TRANSLITERATION: Final[dict[str, str]] = {
    "ß": "ss",
    "Æ": "AE",
    "æ": "ae",
    "Ø": "O",
    "ø": "o",
    "Œ": "OE",
    "œ": "oe",
    "Ł": "L",
    "ł": "l",
    "Đ": "D",
    "đ": "d",
    "Þ": "TH",
    "þ": "th",
    "ı": "i",
    "&": "+",
    '"': "'",
    "‘": "'",
    "’": "'",
    "‚": "'",
    "`": "'",
    "´": "'",
    "“": "'",
    "”": "'",
    "„": "'",
    "<": "(",
    ">": ")",
    "[": "(",
    "]": ")",
    "{": "(",
    "}": ")",
    "–": "-",
    "—": "-",
    "_": "-",
    "€": "EUR",
    ";": ",",
    "!": ".",
    "\t": " ",
    "\n": " ",
    "\r": " ",
}


def clean_text(text: str) -> str:
    """Transliterate free text to the EPC basic Latin set where a mapping exists.

    Accents are dropped (``é`` -> ``e``), ligatures and special letters are spelled out, and
    punctuation outside the set is replaced by its nearest allowed sign (``&`` -> ``+``). Characters
    without a mapping are kept, so :func:`is_sepa_text` can report them.
    """
    if _SEPA_CHARS.fullmatch(text) is not None:  # the usual case: nothing to transliterate
        return text
    out: list[str] = []
    for char in text:
        if char in _TRANSLITERATION:
            out.append(_TRANSLITERATION[char])
            continue
        decomposed = unicodedata.normalize("NFKD", char)
        base = "".join(c for c in decomposed if not unicodedata.combining(c))
        out.append(base or char)
    return "".join(out)


def clean_name(name: str) -> str:
    """Transliterate a name, squeeze spaces and cut it to the EPC maximum of 70 characters."""
    return " ".join(clean_text(name).split())[:MAX_NAME].strip()


def is_sepa_text(text: str) -> bool:
    """True when every character is in the EPC basic Latin set."""
    return _SEPA_CHARS.fullmatch(text) is not None


def _bad_chars(text: str) -> str:
    return "".join(sorted({c for c in text if not is_sepa_text(c)}))


def check_id(value: str, *, what: str) -> list[str]:
    """Problems with an identifier (MsgId, PmtInfId, EndToEndId, MndtId); empty when fine."""
    problems: list[str] = []
    if not value:
        return [f"{what} is empty"]
    if len(value) > MAX_ID:
        problems.append(f"{what} has {len(value)} characters; at most {MAX_ID} allowed")
    if not is_sepa_text(value):
        problems.append(f"{what} contains characters outside the SEPA set: {_bad_chars(value)!r}")
    if value != value.strip():
        problems.append(f"{what} must not start or end with a space")
    if value.startswith("/") or value.endswith("/"):
        problems.append(f"{what} must not start or end with '/'")
    if "//" in value:
        problems.append(f"{what} must not contain '//'")
    return problems


def previous_business_day(day: dt.date, is_business_day: BusinessDay) -> dt.date:
    """The last business day strictly before ``day``."""
    cursor = day - dt.timedelta(days=1)
    for _ in range(60):
        if is_business_day(cursor):
            return cursor
        cursor -= dt.timedelta(days=1)
    raise ValueError(f"no business day in the 60 days before {day.isoformat()}")


@attrs.frozen(kw_only=True)
class SepaIssue:
    """One rule violation: where (collection number or header, field) and what is wrong."""

    location: Location
    message: str
    end_to_end_id: str | None = None

    def __str__(self) -> str:
        where = str(self.location)
        e2e = f" [EndToEndId {self.end_to_end_id}]" if self.end_to_end_id else ""
        return f"{where}{e2e}: {self.message}" if where else f"{self.message}{e2e}"


class SepaValidationError(InputError):
    """The pain.008 message breaks the EPC rules or the ISO XSD; lists every problem found."""

    def __init__(self, issues: Sequence[SepaIssue], *, file: str | None = None) -> None:
        self.issues = tuple(issues)
        count = len(self.issues)
        lines = "\n".join(f"  - {issue}" for issue in self.issues)
        noun = "problem" if count == 1 else "problems"
        super().__init__(
            f"the direct-debit file was not written: {count} {noun}:\n{lines}", Location(file=file)
        )


def _check_account(
    value: str | None, kind: type[IBAN | BIC], report: Callable[[str], None]
) -> None:
    """Report ``value`` when it is not a valid ``kind`` (IBAN or BIC); ``None`` is left out."""
    if value is None:
        return
    try:
        kind(value)
    except (SchwiftyException, ValueError) as exc:
        report(f"not a valid {kind.__name__} ({exc})")


class _Checker:
    def __init__(self, file: str | None, lines: Sequence[int] | None) -> None:
        self.file = file
        self.lines = lines
        self.issues: list[SepaIssue] = []

    def header(self, field: str, message: str) -> None:
        self.issues.append(
            SepaIssue(location=Location(file=self.file, field=field), message=message)
        )

    def tx(self, index: int, item: DirectDebit, field: str, message: str) -> None:
        line = self.lines[index] if self.lines is not None and index < len(self.lines) else None
        if line is None:
            location = Location(file=self.file, field=f"collection[{index + 1}].{field}")
        else:
            location = Location(file=self.file, line=line, field=field)
        self.issues.append(
            SepaIssue(location=location, message=message, end_to_end_id=item.end_to_end_id or None)
        )


def _check_free_text(
    value: str, *, what: str, max_len: int, report: Callable[[str], None], cut: bool
) -> None:
    cleaned = " ".join(clean_text(value).split())
    if not cleaned:
        report(f"{what} is empty")
        return
    if not is_sepa_text(cleaned):
        report(
            f"{what} contains characters that cannot be written in the SEPA character set: "
            f"{_bad_chars(cleaned)!r}"
        )
    if not cut and len(cleaned) > max_len:
        report(f"{what} has {len(cleaned)} characters; at most {max_len} allowed")


def _check_collection(
    chk: _Checker,
    index: int,
    item: DirectDebit,
    created: dt.date,
    is_business_day: BusinessDay,
) -> None:
    def report(field: str) -> Callable[[str], None]:
        return lambda message: chk.tx(index, item, field, message)

    for problem in check_id(item.end_to_end_id, what="EndToEndId"):
        chk.tx(index, item, "end_to_end_id", problem)
    for problem in check_id(item.mandate_id, what="mandate id"):
        chk.tx(index, item, "mandate_id", problem)
    _check_free_text(
        item.debtor_name,
        what="debtor name",
        max_len=MAX_NAME,
        report=report("debtor_name"),
        cut=True,
    )
    _check_account(item.debtor_iban, IBAN, report("debtor_iban"))
    _check_account(item.debtor_bic or None, BIC, report("debtor_bic"))

    amount = item.amount
    if amount.currency != "EUR":
        chk.tx(index, item, "amount", f"currency must be EUR, not {amount.currency}")
    if not amount.is_rounded():
        chk.tx(index, item, "amount", f"{amount.amount} has more than two decimals")
    elif not MIN_AMOUNT <= amount.amount <= MAX_AMOUNT:
        chk.tx(index, item, "amount", f"{amount.amount} is outside 0.01 to 999999999.99")

    if item.mandate_date > created:
        chk.tx(
            index,
            item,
            "mandate_date",
            f"mandate signed on {item.mandate_date.isoformat()}, after the file's creation date "
            f"{created.isoformat()}",
        )
    if not is_business_day(item.collection_date):
        chk.tx(
            index,
            item,
            "collection_date",
            f"{item.collection_date.isoformat()} is not a TARGET business day",
        )
    else:
        latest = _previous_cached(item.collection_date, is_business_day)
        if created > latest:
            chk.tx(
                index,
                item,
                "collection_date",
                f"{item.collection_date.isoformat()} is less than one TARGET business day after "
                f"the creation date {created.isoformat()} (the bank must have the file by "
                f"{latest.isoformat()})",
            )

    remittance = item.remittance
    if remittance is not None:
        if remittance.unstructured and remittance.creditor_reference:
            chk.tx(
                index,
                item,
                "remittance",
                "give either free text or an RF creditor reference, not both",
            )
        if remittance.creditor_reference is not None:
            if not stdnum.iso11649.is_valid(remittance.creditor_reference):
                chk.tx(
                    index,
                    item,
                    "remittance",
                    f"{remittance.creditor_reference!r} is not a valid ISO 11649 RF reference",
                )
        elif remittance.unstructured is not None:
            _check_free_text(
                remittance.unstructured,
                what="remittance",
                max_len=MAX_REMITTANCE,
                report=report("remittance"),
                cut=False,
            )

    amendment = item.amendment
    if amendment is not None:
        if amendment.is_empty:
            chk.tx(index, item, "amendment", "an amendment must say what changed")
        if amendment.original_mandate_id is not None:
            for problem in check_id(amendment.original_mandate_id, what="original mandate id"):
                chk.tx(index, item, "amendment.original_mandate_id", problem)
        if amendment.original_creditor_id is not None and not stdnum.eu.at_02.is_valid(
            amendment.original_creditor_id
        ):
            chk.tx(
                index,
                item,
                "amendment.original_creditor_id",
                f"{amendment.original_creditor_id!r} is not a valid SEPA creditor identifier",
            )
        _check_account(
            amendment.original_debtor_iban, IBAN, report("amendment.original_debtor_iban")
        )


@functools.lru_cache(maxsize=64)
def _previous_cached(day: dt.date, is_business_day: BusinessDay) -> dt.date:
    return previous_business_day(day, is_business_day)


def check_message(
    message: DirectDebitMessage,
    *,
    is_business_day: BusinessDay,
    file: str | None = None,
    lines: Sequence[int] | None = None,
) -> tuple[SepaIssue, ...]:
    """Every EPC rule violation in ``message``; empty when the message may be written.

    ``lines`` (optional) gives the input line of each collection, so issues can name it.
    """
    chk = _Checker(file, lines)
    is_business_day = functools.cache(is_business_day)  # a file has few collection dates
    for problem in check_id(message.message_id, what="MsgId"):
        chk.header("message_id", problem)
    created = message.created_at.date()
    if not message.collections:
        chk.header("collections", "a direct-debit file needs at least one collection")
    if message.initiating_party_name is not None:
        _check_free_text(
            message.initiating_party_name,
            what="initiating party name",
            max_len=MAX_NAME,
            report=lambda m: chk.header("initiating_party_name", m),
            cut=True,
        )

    checked_creditors: set[object] = set()
    seen_e2e: dict[str, int] = {}
    for index, item in enumerate(message.collections):
        creditor = item.creditor
        if creditor not in checked_creditors:
            checked_creditors.add(creditor)
            _check_free_text(
                creditor.name,
                what="creditor name",
                max_len=MAX_NAME,
                report=lambda m: chk.header("creditor_name", m),
                cut=True,
            )
            _check_account(creditor.iban, IBAN, lambda m: chk.header("creditor_iban", m))
            _check_account(creditor.bic or None, BIC, lambda m: chk.header("creditor_bic", m))
            if not stdnum.eu.at_02.is_valid(creditor.creditor_id):
                chk.header(
                    "creditor_id",
                    f"{creditor.creditor_id!r} is not a valid SEPA creditor identifier "
                    "(Incassant-ID, e.g. NL32ZZZ999999991234)",
                )
        _check_collection(chk, index, item, created, is_business_day)
        if item.end_to_end_id in seen_e2e:
            chk.tx(
                index,
                item,
                "end_to_end_id",
                f"EndToEndId {item.end_to_end_id!r} is used twice "
                f"(also collection {seen_e2e[item.end_to_end_id] + 1})",
            )
        else:
            seen_e2e[item.end_to_end_id] = index
    return tuple(chk.issues)
