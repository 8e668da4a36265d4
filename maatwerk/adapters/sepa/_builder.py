"""Build, validate and write a pain.008 direct-debit initiation (incassobestand) with lxml.

Order of work, and nothing is written unless every step passed:

1. the EPC rule checks (:func:`maatwerk.adapters.sepa._rules.check_message`), listing every bad
   collection and field;
2. the document, one ``PmtInf`` per (creditor, instrument, sequence type, collection date),
   written as text in blocks of 500 transactions (:class:`_Lines`), each block checked against
   the ISO 20022 XSD of the chosen version (vendored in ``schemas/``, ``lxml.etree.XMLSchema``)
   in its real context before it is written, so the whole document is validated with flat
   memory (:func:`_write_document` says how);
3. an atomic write: a temporary file in the target directory, flushed and renamed over the
   target; an XSD problem leaves no file.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import os
import tempfile
from collections.abc import Iterable, Sequence
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import IO, Any, Final

import attrs
import stdnum.iso11649
from lxml import etree
from schwifty import BIC

from maatwerk.adapters.sepa._model import (
    Creditor,
    DirectDebit,
    DirectDebitMessage,
    LocalInstrument,
    MandateAmendment,
    PainVersion,
    SequenceType,
)
from maatwerk.adapters.sepa._rules import (
    BusinessDay,
    SepaIssue,
    SepaValidationError,
    check_message,
    clean_name,
    clean_text,
)
from maatwerk.core.errors import Location
from maatwerk.services.faults import fault_point


__all__ = [
    "Pain008Summary",
    "build_pain008",
    "payment_groups",
    "schema_for",
    "validate_against_xsd",
    "write_pain008",
]

_NOT_PROVIDED = "NOTPROVIDED"

GroupKey = tuple[Creditor, LocalInstrument, SequenceType, dt.date]


@attrs.frozen(kw_only=True)
class Pain008Summary:
    """What was written: counts and control sum, for the log and the CLI."""

    path: Path | None
    version: PainVersion
    message_id: str
    number_of_transactions: int
    control_sum: Decimal
    payment_informations: int


_SAFE_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False
)


@functools.cache
def schema_for(version: PainVersion) -> etree.XMLSchema:
    """The ISO 20022 XSD of ``version`` (vendored copies; see ``schemas/README.md``)."""
    source = resources.files("maatwerk.adapters.sepa") / "schemas" / f"{version.value}.xsd"
    with resources.as_file(source) as path:
        return etree.XMLSchema(etree.parse(str(path), _SAFE_PARSER))


def validate_against_xsd(
    document: bytes | etree._Element, version: PainVersion
) -> tuple[SepaIssue, ...]:
    """XSD errors of a pain.008 document (empty when valid)."""
    root = etree.fromstring(document, _SAFE_PARSER) if isinstance(document, bytes) else document
    schema = schema_for(version)
    if schema.validate(root):
        return ()
    entries: Iterable[Any] = schema.error_log  # type: ignore[assignment]  # lxml-stubs: _ErrorLog is iterable at run time
    return tuple(
        SepaIssue(
            location=Location(line=int(entry.line), field=f"XSD {version.value}"),
            message=str(entry.message),
        )
        for entry in entries
    )


def payment_groups(collections: Sequence[DirectDebit]) -> dict[GroupKey, list[DirectDebit]]:
    """Collections grouped into payment-information blocks, in order of first appearance."""
    groups: dict[GroupKey, list[DirectDebit]] = {}
    for item in collections:
        key = (item.creditor, item.instrument, item.sequence, item.collection_date)
        groups.setdefault(key, []).append(item)
    return groups


def _amount(value: Decimal) -> str:
    return f"{value:.2f}"


class _Lines:
    """The document as indented text lines, taken a block at a time.

    Hand-written rather than ``lxml.etree.xmlfile``: the incremental writer costs about 2 µs per
    element (some 35 per transaction), three times sepaxml's whole build; plain lines cost a
    tenth of that. Well-formedness and validity are not taken on trust: every document is parsed
    back and checked against the XSD before it is kept (:func:`_validate_stream`). Text is
    escaped (``&``, ``<``, ``>``) although the EPC checks have already limited it to the SEPA
    character set. The layout is lxml's ``pretty_print`` (two spaces per level), byte for byte.
    """

    def __init__(self, version: PainVersion, depth: int = 0) -> None:
        self.version = version
        self.parts: list[str] = []
        self.depth = depth

    def take(self) -> str:
        """The text of the lines so far; they are cleared."""
        text = "".join(self.parts)
        self.parts.clear()
        return text

    def start(self, tag: str) -> None:
        self.parts.append(f"{_INDENT[self.depth]}<{tag}>\n")
        self.depth += 1

    def end(self, tag: str) -> None:
        self.depth -= 1
        self.parts.append(f"{_INDENT[self.depth]}</{tag}>\n")

    def el(self, tag: str, text: str, attrib: str = "") -> None:
        self.parts.append(f"{_INDENT[self.depth]}<{tag}{attrib}>{_escape(text)}</{tag}>\n")

    def path(self, tags: str, text: str) -> None:
        *outer, leaf = tags.split("/")
        for tag in outer:
            self.start(tag)
        self.el(leaf, text)
        for tag in reversed(outer):
            self.end(tag)

    def agent(self, tag: str, bic: str | None) -> None:
        self.start(tag)
        self.start("FinInstnId")
        if bic:
            self.el("BICFI" if self.version is PainVersion.V08 else "BIC", str(BIC(bic)))
        else:
            self.path("Othr/Id", _NOT_PROVIDED)
        self.end("FinInstnId")
        self.end(tag)

    def creditor_scheme(self, creditor_id: str) -> None:
        self.start("Id")
        self.start("PrvtId")
        self.start("Othr")
        self.el("Id", creditor_id.replace(" ", "").upper())
        self.path("SchmeNm/Prtry", "SEPA")
        self.end("Othr")
        self.end("PrvtId")
        self.end("Id")


_INDENT: Final = tuple("  " * depth for depth in range(32))


def _escape(text: str) -> str:
    if "&" in text or "<" in text or ">" in text:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


def _transaction(out: _Lines, item: DirectDebit) -> None:
    """One ``DrctDbtTxInf``: the fixed parts as one formatted block (the hot path of a large
    file), the optional ones (amendment, agent, remittance) through the line helpers."""
    t0, i = _INDENT[out.depth], _INDENT[out.depth + 1 : out.depth + 4]
    out.parts.append(
        f"{t0}<DrctDbtTxInf>\n{i[0]}<PmtId>\n{i[1]}<EndToEndId>{_escape(item.end_to_end_id)}"
        f'</EndToEndId>\n{i[0]}</PmtId>\n{i[0]}<InstdAmt Ccy="{_escape(item.amount.currency)}">'
        f"{_amount(item.amount.amount)}</InstdAmt>\n{i[0]}<DrctDbtTx>\n{i[1]}<MndtRltdInf>\n"
        f"{i[2]}<MndtId>{_escape(item.mandate_id)}</MndtId>\n"
        f"{i[2]}<DtOfSgntr>{item.mandate_date.isoformat()}</DtOfSgntr>\n"
        f"{i[2]}<AmdmntInd>{'false' if item.amendment is None else 'true'}</AmdmntInd>\n"
    )
    out.depth += 3
    if item.amendment is not None:
        _amendment(out, item.amendment)
    out.depth -= 3
    out.parts.append(f"{i[1]}</MndtRltdInf>\n{i[0]}</DrctDbtTx>\n")
    out.depth += 1
    out.agent("DbtrAgt", item.debtor_bic)
    out.depth -= 1
    out.parts.append(
        f"{i[0]}<Dbtr>\n{i[1]}<Nm>{_escape(clean_name(item.debtor_name))}</Nm>\n{i[0]}</Dbtr>\n"
        f"{i[0]}<DbtrAcct>\n{i[1]}<Id>\n{i[2]}<IBAN>{_escape(_compact_iban(item.debtor_iban))}"
        f"</IBAN>\n{i[1]}</Id>\n{i[0]}</DbtrAcct>\n"
    )
    remittance = item.remittance
    if remittance is not None:
        out.depth += 1
        out.start("RmtInf")
        if remittance.creditor_reference is not None:
            out.start("Strd")
            out.start("CdtrRefInf")
            out.path("Tp/CdOrPrtry/Cd", "SCOR")
            out.el("Ref", stdnum.iso11649.compact(remittance.creditor_reference))
            out.end("CdtrRefInf")
            out.end("Strd")
        elif remittance.unstructured is not None:
            out.el("Ustrd", " ".join(clean_text(remittance.unstructured).split()))
        out.end("RmtInf")
        out.depth -= 1
    out.parts.append(f"{t0}</DrctDbtTxInf>\n")


def _amendment(out: _Lines, amendment: MandateAmendment) -> None:
    out.start("AmdmntInfDtls")
    if amendment.original_mandate_id:
        out.el("OrgnlMndtId", amendment.original_mandate_id)
    if amendment.original_creditor_id or amendment.original_creditor_name:
        out.start("OrgnlCdtrSchmeId")
        if amendment.original_creditor_name:
            out.el("Nm", clean_name(amendment.original_creditor_name))
        if amendment.original_creditor_id:
            out.creditor_scheme(amendment.original_creditor_id)
        out.end("OrgnlCdtrSchmeId")
    if amendment.original_debtor_iban:
        out.path("OrgnlDbtrAcct/Id/IBAN", _compact_iban(amendment.original_debtor_iban))
    if amendment.debtor_changed_bank:
        out.path("OrgnlDbtrAgt/FinInstnId/Othr/Id", "SMNDA")
    out.end("AmdmntInfDtls")


def _compact_iban(iban: str) -> str:
    """The IBAN without spaces, upper case (the EPC checks have validated it already)."""
    return iban.replace(" ", "").upper()


def _payment_info_id(message_id: str, number: int) -> str:
    return f"{message_id[:31]}-{number:03d}"


def _groups(collections: Sequence[DirectDebit]) -> dict[GroupKey, list[int]]:
    """The index of each collection per payment-information block, in order of first
    appearance (indexes, not a second copy of the collections)."""
    groups: dict[GroupKey, list[int]] = {}
    for index, item in enumerate(collections):
        key = (item.creditor, item.instrument, item.sequence, item.collection_date)
        groups.setdefault(key, []).append(index)
    return groups


#: Transactions per block: written, and validated, a block at a time.
_BLOCK: Final = 500
_TAIL: Final = "    </PmtInf>\n  </CstmrDrctDbtInitn>\n</Document>\n"


class _Validated:
    """Writes the document's text to ``target`` block by block, each block checked against the
    XSD first (see :func:`_write_document`); counts lines so a problem names its file line."""

    def __init__(self, target: IO[bytes], version: PainVersion) -> None:
        self.target = target
        self.version = version
        self.schema = schema_for(version)
        self.lines = 0
        self.head = ""
        self.head_lines = 0
        self.group = ""
        self.group_line = 0

    def write(self, text: str) -> None:
        self.target.write(text.encode("utf-8"))
        self.lines += text.count("\n")

    def write_head(self, text: str) -> None:
        self.head, self.head_lines = text, text.count("\n")
        self.write(text)

    def write_group(self, text: str) -> None:
        self.group, self.group_line = text, self.lines
        self.write(text)

    def write_block(self, text: str) -> None:
        document = self.head + self.group + text + _TAIL
        root = etree.fromstring(document.encode("utf-8"), _SAFE_PARSER)
        if not self.schema.validate(root):
            group_lines = self.group.count("\n")
            entries: Iterable[Any] = self.schema.error_log  # type: ignore[assignment]  # lxml-stubs: _ErrorLog is iterable at run time
            issues = []
            for entry in entries:
                line = int(entry.line)
                if line > self.head_lines + group_lines:
                    line += self.lines - self.head_lines - group_lines
                elif line > self.head_lines:
                    line += self.group_line - self.head_lines
                issues.append(
                    SepaIssue(
                        location=Location(line=line, field=f"XSD {self.version.value}"),
                        message=str(entry.message),
                    )
                )
            raise SepaValidationError(issues)
        self.write(text)


def _write_document(message: DirectDebitMessage, target: IO[bytes]) -> None:
    """Write the pain.008 document of ``message`` into the binary file ``target``, validated
    against the XSD on the way; raises :class:`SepaValidationError` at the first invalid block
    (the caller throws the partial file away).

    **How the whole document is validated with flat memory.** The document is written in
    pieces: the head (declaration, ``Document``, ``CstmrDrctDbtInitn``, ``GrpHdr``), per payment
    block its ``PmtInf`` header, then its transactions in blocks of ``_BLOCK``, then fixed closing
    tags. Before a block of transactions is written, the exact text ``head + PmtInf header +
    block + closing tags`` is parsed and validated against the XSD (``XMLSchema.validate``, a
    small tree). So every byte of the file is validated by the XSD in its real context: the head
    and each ``PmtInf`` header with every block, each transaction in its own block, the closing
    tags with every block. What is not seen in one piece is only the repetition of ``PmtInf`` and
    ``DrctDbtTxInf``, which the pain.008 XSDs allow without bound (``maxOccurs="unbounded"``) and
    constrain by no key or uniqueness rule, so the file is valid when every piece is. Validating
    small trees is also faster than libxml2's streaming validation (``iterparse(schema=…)``),
    which costs about twice as much per transaction.
    """
    collections = message.collections
    ns = message.version.namespace
    sink = _Validated(target, message.version)
    out = _Lines(message.version, depth=1)
    out.parts.append(f"<?xml version='1.0' encoding='UTF-8'?>\n<Document xmlns=\"{ns}\">\n")
    out.start("CstmrDrctDbtInitn")
    total = sum((c.amount.amount for c in collections), Decimal(0))
    out.start("GrpHdr")
    out.el("MsgId", message.message_id)
    out.el("CreDtTm", message.created_at.replace(microsecond=0).isoformat())
    out.el("NbOfTxs", str(len(collections)))
    out.el("CtrlSum", _amount(total))
    initiator = message.initiating_party_name or collections[0].creditor.name
    out.path("InitgPty/Nm", clean_name(initiator))
    out.end("GrpHdr")
    sink.write_head(out.take())
    for number, (key, indexes) in enumerate(_groups(collections).items(), start=1):
        _payment_info(out, message, number, key, indexes)
        sink.write_group(out.take())
        for start in range(0, len(indexes), _BLOCK):
            for index in indexes[start : start + _BLOCK]:
                _transaction(out, collections[index])
            sink.write_block(out.take())
        out.end("PmtInf")
        sink.write(out.take())
    sink.write("  </CstmrDrctDbtInitn>\n</Document>\n")


def _payment_info(
    out: _Lines,
    message: DirectDebitMessage,
    number: int,
    key: GroupKey,
    indexes: Sequence[int],
) -> None:
    """The ``PmtInf`` header of one payment block (its transactions follow)."""
    creditor, instrument, sequence, collection_date = key
    collections = message.collections
    out.start("PmtInf")
    out.el("PmtInfId", _payment_info_id(message.message_id, number))
    out.el("PmtMtd", "DD")
    out.el("BtchBookg", "true" if message.batch_booking else "false")
    out.el("NbOfTxs", str(len(indexes)))
    amounts = (collections[i].amount.amount for i in indexes)
    out.el("CtrlSum", _amount(sum(amounts, Decimal(0))))
    out.start("PmtTpInf")
    out.path("SvcLvl/Cd", "SEPA")
    out.path("LclInstrm/Cd", instrument.value)
    out.el("SeqTp", sequence.value)
    out.end("PmtTpInf")
    out.el("ReqdColltnDt", collection_date.isoformat())
    out.path("Cdtr/Nm", clean_name(creditor.name))
    out.path("CdtrAcct/Id/IBAN", _compact_iban(creditor.iban))
    out.agent("CdtrAgt", creditor.bic)
    out.el("ChrgBr", "SLEV")
    out.start("CdtrSchmeId")
    out.creditor_scheme(creditor.creditor_id)
    out.end("CdtrSchmeId")


def build_pain008(
    message: DirectDebitMessage,
    *,
    is_business_day: BusinessDay,
    file: str | None = None,
    lines: Sequence[int] | None = None,
) -> bytes:
    """The pain.008 document as UTF-8 bytes, after the EPC checks and the XSD passed.

    Raises :class:`SepaValidationError` listing every problem (``lines``: the input line of each
    collection, so the problems can name it).
    """
    issues = check_message(message, is_business_day=is_business_day, file=file, lines=lines)
    if issues:
        raise SepaValidationError(issues, file=file)
    buffer = io.BytesIO()
    try:
        _write_document(message, buffer)
    except SepaValidationError as exc:
        raise SepaValidationError(exc.issues, file=file) from None
    return buffer.getvalue()


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        Path(temp_name).replace(path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    fault_point("file-written")


def write_pain008(
    message: DirectDebitMessage,
    path: Path,
    *,
    is_business_day: BusinessDay,
    lines: Sequence[int] | None = None,
) -> Pain008Summary:
    """Validate ``message`` and write it atomically to ``path``; nothing is written on error.

    The document is streamed into a temporary file beside ``path``, validated against the XSD
    as it is read back (both with flat memory), and only then renamed over ``path``.
    """
    file = str(path)
    issues = check_message(message, is_business_day=is_business_day, file=file, lines=lines)
    if issues:
        raise SepaValidationError(issues, file=file)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            try:
                _write_document(message, handle)
            except SepaValidationError as exc:
                raise SepaValidationError(exc.issues, file=file) from None
            handle.flush()
            os.fsync(handle.fileno())
        Path(temp_name).replace(path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return Pain008Summary(
        path=path,
        version=message.version,
        message_id=message.message_id,
        number_of_transactions=len(message.collections),
        control_sum=sum((c.amount.amount for c in message.collections), Decimal(0)),
        payment_informations=len(_groups(message.collections)),
    )
