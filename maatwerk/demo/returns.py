"""Write returned direct debits as a camt.054 debit notification (for the demo's bank).

The demo plays the bank: a collection that fails comes back as one ``camt.054.001.08`` file per
day (``BkToCstmrDbtCdtNtfctn``), one reversed ``DBIT`` entry (``RvslInd`` true, bank transaction
code ``PMNT/IDDT/UPDD``) per return, with the original EndToEndId, mandate id, amount and the SEPA
reason code (docs/formats/bank-returns.md), as :func:`maatwerk.adapters.returns.read_returns` reads.
The file is deterministic: its ids and creation time derive from the booking date and content.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from lxml import etree

from maatwerk.adapters.channels._files import atomic_write
from maatwerk.demo.households import BankReturn


__all__ = ["CAMT054_NS", "write_camt054"]

CAMT054_NS: Final = "urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"


def _sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, f"{{{CAMT054_NS}}}{tag}")
    if text is not None:
        element.text = text
    return element


def write_camt054(
    path: Path, returns: Sequence[BankReturn], *, account_iban: str, booking_date: dt.date
) -> Path:
    """Write ``returns`` as one camt.054 notification to ``path`` (atomically); returns ``path``."""
    digest = hashlib.sha256(
        "|".join(f"{r.end_to_end_id}:{r.amount.amount}:{r.reason}" for r in returns).encode()
    ).hexdigest()[:12]
    msg_id = f"NTF-{booking_date:%Y%m%d}-{digest}"
    created = f"{booking_date.isoformat()}T07:00:00"
    root = etree.Element(f"{{{CAMT054_NS}}}Document", nsmap={None: CAMT054_NS})  # type: ignore[dict-item]  # lxml-stubs: default namespace key
    body = _sub(root, "BkToCstmrDbtCdtNtfctn")
    header = _sub(body, "GrpHdr")
    _sub(header, "MsgId", msg_id)
    _sub(header, "CreDtTm", created)
    notification = _sub(body, "Ntfctn")
    _sub(notification, "Id", f"{msg_id}-1")
    _sub(notification, "CreDtTm", created)
    _sub(_sub(_sub(notification, "Acct"), "Id"), "IBAN", account_iban)
    for item in returns:
        entry = _sub(notification, "Ntry")
        _sub(entry, "Amt", f"{item.amount.rounded().amount:.2f}").set("Ccy", item.amount.currency)
        _sub(entry, "CdtDbtInd", "DBIT")
        _sub(entry, "RvslInd", "true")
        _sub(_sub(entry, "Sts"), "Cd", "BOOK")
        _sub(_sub(entry, "BookgDt"), "Dt", item.booking_date.isoformat())
        domain = _sub(_sub(entry, "BkTxCd"), "Domn")
        _sub(domain, "Cd", "PMNT")
        family = _sub(domain, "Fmly")
        _sub(family, "Cd", "IDDT")
        _sub(family, "SubFmlyCd", "UPDD")
        details = _sub(_sub(entry, "NtryDtls"), "TxDtls")
        refs = _sub(details, "Refs")
        _sub(refs, "EndToEndId", item.end_to_end_id)
        _sub(refs, "MndtId", item.mandate_id)
        _sub(details, "Amt", f"{item.amount.rounded().amount:.2f}").set("Ccy", item.amount.currency)
        _sub(_sub(_sub(details, "RtrInf"), "Rsn"), "Cd", item.reason)
    text = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    atomic_write(path, text.decode("utf-8"))
    return path
