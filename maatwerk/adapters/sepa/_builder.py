"""Build, validate and write a pain.008 direct-debit initiation (incassobestand) with lxml.

Order of work, and nothing is written unless every step passed:

1. the EPC rule checks (:func:`maatwerk.adapters.sepa._rules.check_message`), listing every bad
   collection and field;
2. the XML tree, one ``PmtInf`` per (creditor, instrument, sequence type, collection date);
3. the ISO 20022 XSD of the chosen version (vendored in ``schemas/``), via ``lxml.etree.XMLSchema``;
4. an atomic write: a temporary file in the target directory, flushed and renamed over the target.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import tempfile
from collections.abc import Iterable, Sequence
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import attrs
import stdnum.iso11649
from lxml import etree
from schwifty import BIC, IBAN

from maatwerk.adapters.sepa._model import (
    Creditor,
    DirectDebit,
    DirectDebitMessage,
    LocalInstrument,
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


class _Tree:
    def __init__(self, version: PainVersion) -> None:
        self.version = version
        self.ns = version.namespace

    def el(self, parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
        child = etree.SubElement(parent, f"{{{self.ns}}}{tag}")
        if text is not None:
            child.text = text
        return child

    def path(self, parent: etree._Element, tags: str, text: str) -> etree._Element:
        node = parent
        for tag in tags.split("/"):
            node = self.el(node, tag)
        node.text = text
        return node

    def agent(self, parent: etree._Element, tag: str, bic: str | None) -> None:
        fin = self.el(self.el(parent, tag), "FinInstnId")
        if bic:
            bic_tag = "BICFI" if self.version is PainVersion.V08 else "BIC"
            self.el(fin, bic_tag, str(BIC(bic)))
        else:
            self.path(fin, "Othr/Id", _NOT_PROVIDED)

    def creditor_scheme(self, parent: etree._Element, creditor_id: str) -> None:
        other = self.el(self.el(self.el(parent, "Id"), "PrvtId"), "Othr")
        self.el(other, "Id", creditor_id.replace(" ", "").upper())
        self.path(other, "SchmeNm/Prtry", "SEPA")


def _transaction(tree: _Tree, parent: etree._Element, item: DirectDebit) -> None:
    tx = tree.el(parent, "DrctDbtTxInf")
    tree.path(tx, "PmtId/EndToEndId", item.end_to_end_id)
    amount = tree.el(tx, "InstdAmt", _amount(item.amount.amount))
    amount.set("Ccy", item.amount.currency)
    mandate = tree.el(tree.el(tx, "DrctDbtTx"), "MndtRltdInf")
    tree.el(mandate, "MndtId", item.mandate_id)
    tree.el(mandate, "DtOfSgntr", item.mandate_date.isoformat())
    amendment = item.amendment
    tree.el(mandate, "AmdmntInd", "true" if amendment is not None else "false")
    if amendment is not None:
        details = tree.el(mandate, "AmdmntInfDtls")
        if amendment.original_mandate_id:
            tree.el(details, "OrgnlMndtId", amendment.original_mandate_id)
        if amendment.original_creditor_id or amendment.original_creditor_name:
            scheme = tree.el(details, "OrgnlCdtrSchmeId")
            if amendment.original_creditor_name:
                tree.el(scheme, "Nm", clean_name(amendment.original_creditor_name))
            if amendment.original_creditor_id:
                tree.creditor_scheme(scheme, amendment.original_creditor_id)
        if amendment.original_debtor_iban:
            tree.path(
                details, "OrgnlDbtrAcct/Id/IBAN", IBAN(amendment.original_debtor_iban).compact
            )
        if amendment.debtor_changed_bank:
            tree.path(details, "OrgnlDbtrAgt/FinInstnId/Othr/Id", "SMNDA")
    tree.agent(tx, "DbtrAgt", item.debtor_bic)
    tree.path(tx, "Dbtr/Nm", clean_name(item.debtor_name))
    tree.path(tx, "DbtrAcct/Id/IBAN", IBAN(item.debtor_iban).compact)
    remittance = item.remittance
    if remittance is not None:
        info = tree.el(tx, "RmtInf")
        if remittance.creditor_reference is not None:
            ref = tree.el(tree.el(info, "Strd"), "CdtrRefInf")
            tree.path(ref, "Tp/CdOrPrtry/Cd", "SCOR")
            tree.el(ref, "Ref", stdnum.iso11649.compact(remittance.creditor_reference))
        elif remittance.unstructured is not None:
            tree.el(info, "Ustrd", " ".join(clean_text(remittance.unstructured).split()))


def _payment_info_id(message_id: str, number: int) -> str:
    return f"{message_id[:31]}-{number:03d}"


def _tree(message: DirectDebitMessage) -> etree._Element:
    tree = _Tree(message.version)
    root = etree.Element(f"{{{tree.ns}}}Document", nsmap={None: tree.ns})  # type: ignore[dict-item]  # lxml-stubs do not allow the default-namespace key None
    initiation = tree.el(root, "CstmrDrctDbtInitn")
    total = sum((c.amount.amount for c in message.collections), Decimal(0))
    header = tree.el(initiation, "GrpHdr")
    tree.el(header, "MsgId", message.message_id)
    tree.el(header, "CreDtTm", message.created_at.replace(microsecond=0).isoformat())
    tree.el(header, "NbOfTxs", str(len(message.collections)))
    tree.el(header, "CtrlSum", _amount(total))
    initiator = message.initiating_party_name or message.collections[0].creditor.name
    tree.path(header, "InitgPty/Nm", clean_name(initiator))

    for number, (key, items) in enumerate(payment_groups(message.collections).items(), start=1):
        creditor, instrument, sequence, collection_date = key
        info = tree.el(initiation, "PmtInf")
        tree.el(info, "PmtInfId", _payment_info_id(message.message_id, number))
        tree.el(info, "PmtMtd", "DD")
        tree.el(info, "BtchBookg", "true" if message.batch_booking else "false")
        tree.el(info, "NbOfTxs", str(len(items)))
        tree.el(info, "CtrlSum", _amount(sum((c.amount.amount for c in items), Decimal(0))))
        kind = tree.el(info, "PmtTpInf")
        tree.path(kind, "SvcLvl/Cd", "SEPA")
        tree.path(kind, "LclInstrm/Cd", instrument.value)
        tree.el(kind, "SeqTp", sequence.value)
        tree.el(info, "ReqdColltnDt", collection_date.isoformat())
        tree.path(info, "Cdtr/Nm", clean_name(creditor.name))
        tree.path(info, "CdtrAcct/Id/IBAN", IBAN(creditor.iban).compact)
        tree.agent(info, "CdtrAgt", creditor.bic)
        tree.el(info, "ChrgBr", "SLEV")
        tree.creditor_scheme(tree.el(info, "CdtrSchmeId"), creditor.creditor_id)
        for item in items:
            _transaction(tree, info, item)
    return root


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
    root = _tree(message)
    xsd_issues = validate_against_xsd(root, message.version)
    if xsd_issues:
        raise SepaValidationError(xsd_issues, file=file)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


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
    """Validate ``message`` and write it atomically to ``path``; nothing is written on error."""
    data = build_pain008(message, is_business_day=is_business_day, file=str(path), lines=lines)
    _atomic_write(path, data)
    return Pain008Summary(
        path=path,
        version=message.version,
        message_id=message.message_id,
        number_of_transactions=len(message.collections),
        control_sum=sum((c.amount.amount for c in message.collections), Decimal(0)),
        payment_informations=len(payment_groups(message.collections)),
    )
