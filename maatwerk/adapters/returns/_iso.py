"""Namespace-agnostic readers for camt.053, camt.054 and pain.002 (ISO 20022 XML).

Elements are found by local name only, so camt.053.001.02 and .001.08, camt.054 and pain.002.001.03
and .001.10 go through the same code (docs/formats/bank-returns.md). What we read:

camt.053 / camt.054 (after settlement)
    ``Stmt|Ntfctn / Ntry``: booking date ``BookgDt/Dt|DtTm``, ``RvslInd``, bank transaction code
    ``BkTxCd/Domn/Fmly/Cd`` (``IDDT`` = issued direct debits, sub-family ``UPDD`` = unpaid);
    per ``NtryDtls/TxDtls``: ``Refs/EndToEndId``, ``Refs/MndtId``, amount (``Amt`` in .08,
    ``AmtDtls/TxAmt/Amt`` or ``AmtDtls/InstdAmt/Amt`` in .02, else the entry's ``Amt``),
    ``RtrInf/Rsn/Cd|Prtry``, ``RtrInf/AddtlInf`` or ``AddtlTxInf``. A transaction is a return when it
    has ``RtrInf``, or when its entry is a reversal (or unpaid) of an issued direct debit.
pain.002 (before settlement)
    ``OrgnlPmtInfAndSts / TxInfAndSts`` with status ``RJCT`` (own ``TxSts`` or inherited from
    ``PmtInfSts`` / ``GrpSts``): ``OrgnlEndToEndId``, ``OrgnlTxRef/MndtRltdInf/MndtId`` (``.../DrctDbtMndt/MndtId`` in .10),
    ``OrgnlTxRef/Amt/InstdAmt``, ``StsRsnInf/Rsn/Cd|Prtry`` (own, else the batch's, else the
    group's). A rejected batch or file without transaction details is reported as a
    :class:`BatchRejection`.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Final

import attrs
from lxml import etree

from maatwerk.adapters.returns._xml import local
from maatwerk.core.errors import InputError, Location, MoneyError
from maatwerk.core.money import LARGEST_INPUT_AMOUNT, Money
from maatwerk.core.returns import (
    ReasonTable,
    ReturnedCollection,
    ReturnReasonGroup,
    ReturnStage,
)


__all__ = ["BatchRejection", "IsoResult", "message_name", "read_iso"]

_MESSAGES = {
    "BkToCstmrStmt": "camt.053",
    "BkToCstmrDbtCdtNtfctn": "camt.054",
    "CstmrPmtStsRpt": "pain.002",
}
_UNPAID_SUBFAMILIES = frozenset({"UPDD"})


@attrs.frozen(kw_only=True)
class BatchRejection:
    """A pain.002 rejection of a whole file or payment block, without transaction details."""

    original_message_id: str | None
    payment_information_id: str | None
    reason: str | None
    group: ReturnReasonGroup


@attrs.frozen(kw_only=True)
class IsoResult:
    message: str
    version: str
    returns: tuple[ReturnedCollection, ...]
    batch_rejections: tuple[BatchRejection, ...] = ()


def _children(element: etree._Element, name: str) -> Iterator[etree._Element]:
    for child in element:
        if local(child) == name:
            yield child


def _find(element: etree._Element | None, path: str) -> etree._Element | None:
    node = element
    for name in path.split("/"):
        if node is None:
            return None
        node = next(_children(node, name), None)
    return node


def _findall(element: etree._Element, path: str) -> Iterator[etree._Element]:
    head, _, rest = path.partition("/")
    for child in _children(element, head):
        if rest:
            yield from _findall(child, rest)
        else:
            yield child


def _first(element: etree._Element | None, *paths: str) -> etree._Element | None:
    for path in paths:
        node = _find(element, path)
        if node is not None:
            return node
    return None


def _text(element: etree._Element | None, path: str) -> str | None:
    node = _find(element, path)
    if node is None or node.text is None:
        return None
    value = node.text.strip()
    return value or None


def _first_text(element: etree._Element | None, *paths: str) -> str | None:
    for path in paths:
        value = _text(element, path)
        if value is not None:
            return value
    return None


def message_name(root: etree._Element) -> tuple[str, str] | None:
    """``("camt.053", "camt.053.001.02")`` for a supported document, else ``None``."""
    if local(root) != "Document":
        return None
    body = next((c for c in root if local(c)), None)
    if body is None or local(body) not in _MESSAGES:
        return None
    message = _MESSAGES[local(body)]
    namespace = etree.QName(root).namespace or ""
    version = (
        namespace.rsplit(":", 1)[-1]
        if namespace.rsplit(":", 1)[-1].startswith(message)
        else message
    )
    return message, version


_DECIMAL_TEXT: Final = re.compile(r"\d+(?:\.\d*)?|\.\d+")


class _Reader:
    def __init__(self, file: str, reasons: ReasonTable) -> None:
        self.file = file
        self.reasons = reasons

    def where(self, element: etree._Element | None, field: str) -> Location:
        line: object = element.sourceline if element is not None else None
        return Location(file=self.file, line=line if isinstance(line, int) else None, field=field)

    def money(self, element: etree._Element | None, field: str) -> Money | None:
        if element is None:
            return None
        raw = (element.text or "").strip()
        currency = element.get("Ccy") or "EUR"
        amount: Decimal | None = None
        if _DECIMAL_TEXT.fullmatch(raw):  # xsd:decimal at least 0: no sign, no exponent
            try:
                amount = Decimal(raw)
            except decimal.InvalidOperation:  # pragma: no cover - the pattern rules it out
                amount = None
        if amount is None or not amount.is_finite() or amount > LARGEST_INPUT_AMOUNT:
            raise InputError(
                f"{raw!r} is not an amount (digits with an optional decimal point)",
                self.where(element, field),
            )
        try:
            return Money(abs(amount), currency)
        except MoneyError as exc:
            raise InputError(str(exc), self.where(element, field)) from None

    def date(
        self, element: etree._Element | None, path_date: str, path_time: str
    ) -> dt.date | None:
        node = _find(element, path_date)
        raw = _text(element, path_date)
        if raw is None:
            node = _find(element, path_time)
            raw = _text(element, path_time)
            raw = raw[:10] if raw is not None else None
        if raw is None:
            return None
        try:
            return dt.date.fromisoformat(raw[:10])
        except ValueError:
            raise InputError(f"{raw!r} is not a date", self.where(node, path_date)) from None

    def returned(
        self,
        *,
        e2e: str | None,
        mandate: str | None,
        amount: Money,
        reason: str | None,
        booking: dt.date | None,
        stage: ReturnStage,
        creditor_id: str | None,
        bank_text: str | None,
    ) -> ReturnedCollection:
        code = reason.strip().upper() if reason else None
        return ReturnedCollection(
            end_to_end_id=e2e,
            mandate_id=mandate,
            amount=amount,
            reason=code,
            group=self.reasons.classify(code),
            known_reason=self.reasons.knows(code),
            booking_date=booking,
            stage=stage,
            creditor_id=creditor_id,
            bank_text=bank_text,
        )

    # -- camt.053 / camt.054 -------------------------------------------------------------------
    def camt(self, body: etree._Element) -> tuple[ReturnedCollection, ...]:
        found: list[ReturnedCollection] = []
        for report_name in ("Stmt", "Ntfctn", "Rpt"):
            for report in _children(body, report_name):
                for entry in _children(report, "Ntry"):
                    found.extend(self.camt_entry(entry))
        return tuple(found)

    def camt_entry(self, entry: etree._Element) -> Iterator[ReturnedCollection]:
        reversal = (_text(entry, "RvslInd") or "").lower() == "true"
        family = _text(entry, "BkTxCd/Domn/Fmly/Cd")
        subfamily = _text(entry, "BkTxCd/Domn/Fmly/SubFmlyCd")
        issued_dd = family == "IDDT"
        entry_is_return = issued_dd and (reversal or subfamily in _UNPAID_SUBFAMILIES)
        booking = self.date(entry, "BookgDt/Dt", "BookgDt/DtTm")
        details = list(_findall(entry, "NtryDtls/TxDtls"))
        entry_amount = self.money(_find(entry, "Amt"), "Ntry/Amt")
        for tx in details:
            info = _find(tx, "RtrInf")
            if info is None and not entry_is_return:
                continue
            amount = self.money(
                _first(tx, "Amt", "AmtDtls/TxAmt/Amt", "AmtDtls/InstdAmt/Amt"), "TxDtls/Amt"
            )
            if amount is None:
                if len(details) != 1 or entry_amount is None:
                    raise InputError(
                        "a returned transaction has no amount", self.where(tx, "TxDtls/Amt")
                    )
                amount = entry_amount
            addtl = (
                [a.text.strip() for a in _children(info, "AddtlInf") if a.text]
                if info is not None
                else []
            )
            bank_text = " ".join(addtl) or _text(tx, "AddtlTxInf")
            yield self.returned(
                e2e=_text(tx, "Refs/EndToEndId"),
                mandate=_text(tx, "Refs/MndtId"),
                amount=amount,
                reason=_first_text(info, "Rsn/Cd", "Rsn/Prtry"),
                booking=booking,
                stage=ReturnStage.RETURNED,
                creditor_id=_text(tx, "RltdPties/Cdtr/Id/PrvtId/Othr/Id"),
                bank_text=bank_text,
            )
        if not details and entry_is_return:
            if entry_amount is None:
                raise InputError("a returned entry has no amount", self.where(entry, "Ntry/Amt"))
            yield self.returned(
                e2e=None,
                mandate=None,
                amount=entry_amount,
                reason=None,
                booking=booking,
                stage=ReturnStage.RETURNED,
                creditor_id=None,
                bank_text=_text(entry, "AddtlNtryInf"),
            )

    # -- pain.002 -------------------------------------------------------------------------------
    def pain002(
        self, body: etree._Element
    ) -> tuple[tuple[ReturnedCollection, ...], tuple[BatchRejection, ...]]:
        found: list[ReturnedCollection] = []
        batches: list[BatchRejection] = []
        group = _find(body, "OrgnlGrpInfAndSts")
        message_id = _text(group, "OrgnlMsgId")
        group_status = _text(group, "GrpSts")
        group_reason = _first_text(group, "StsRsnInf/Rsn/Cd", "StsRsnInf/Rsn/Prtry")
        blocks = list(_children(body, "OrgnlPmtInfAndSts"))
        if group_status == "RJCT" and not blocks:
            batches.append(
                BatchRejection(
                    original_message_id=message_id,
                    payment_information_id=None,
                    reason=group_reason,
                    group=self.reasons.classify(group_reason),
                )
            )
        for block in blocks:
            block_status = _text(block, "PmtInfSts") or group_status
            block_reason = (
                _first_text(block, "StsRsnInf/Rsn/Cd", "StsRsnInf/Rsn/Prtry") or group_reason
            )
            transactions = list(_children(block, "TxInfAndSts"))
            if block_status == "RJCT" and not transactions:
                batches.append(
                    BatchRejection(
                        original_message_id=message_id,
                        payment_information_id=_text(block, "OrgnlPmtInfId"),
                        reason=block_reason,
                        group=self.reasons.classify(block_reason),
                    )
                )
            for tx in transactions:
                status = _text(tx, "TxSts") or block_status
                if status != "RJCT":
                    continue
                amount = self.money(_find(tx, "OrgnlTxRef/Amt/InstdAmt"), "OrgnlTxRef/Amt/InstdAmt")
                if amount is None:
                    raise InputError(
                        "a rejected transaction has no amount (OrgnlTxRef/Amt/InstdAmt)",
                        self.where(tx, "TxInfAndSts"),
                    )
                reason = _first_text(tx, "StsRsnInf/Rsn/Cd", "StsRsnInf/Rsn/Prtry") or block_reason
                found.append(
                    self.returned(
                        e2e=_text(tx, "OrgnlEndToEndId"),
                        mandate=_first_text(
                            tx,
                            "OrgnlTxRef/MndtRltdInf/MndtId",
                            "OrgnlTxRef/MndtRltdInf/DrctDbtMndt/MndtId",
                        ),
                        amount=amount,
                        reason=reason,
                        booking=None,
                        stage=ReturnStage.REJECTED,
                        creditor_id=_text(tx, "OrgnlTxRef/CdtrSchmeId/Id/PrvtId/Othr/Id"),
                        bank_text=_text(tx, "StsRsnInf/AddtlInf"),
                    )
                )
        return tuple(found), tuple(batches)


def read_iso(root: etree._Element, *, file: str, reasons: ReasonTable) -> IsoResult:
    """Read a parsed camt.053/054 or pain.002 document (see the module docstring)."""
    names = message_name(root)
    if names is None:
        raise InputError(
            f"not a camt.053, camt.054 or pain.002 document (root element {local(root)!r})",
            Location(file=file),
        )
    message, version = names
    body = next(c for c in root if local(c))
    reader = _Reader(file, reasons)
    if message == "pain.002":
        returns, batches = reader.pain002(body)
        return IsoResult(
            message=message, version=version, returns=returns, batch_rejections=batches
        )
    return IsoResult(message=message, version=version, returns=reader.camt(body))
