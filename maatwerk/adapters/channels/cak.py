"""The ``cak-report`` channel: the report of a premium defaulter to the CAK (Zvw art. 18c).

One JSON document per report, ``<output_dir>/cak-report/<run date>/<action id>.json``, checked
against ``schemas/cak-report.v1.json``; the CAK's own delivery route is a deployment's adapter.
The channel refuses a report below 6 months' premium arrears (18c lid 1) or while a dispute is
open (18c lid 2), using the payload's ``arrears_months`` and ``open_disputes``.
"""

from __future__ import annotations

from typing import Any, Final

from maatwerk.adapters.channels._documents import (
    DocumentChannel,
    RefusedError,
    creditor_name,
    debtor_name,
    plain,
    positive_amount,
)
from maatwerk.core.ports import (
    PAYLOAD_ARREARS_MONTHS,
    PAYLOAD_REFERENCE,
    DeliveryContext,
    OutboundAction,
)


__all__ = ["SCHEMA_FILE", "CakReportChannel", "build_report"]

SCHEMA_FILE: Final = "cak-report.v1.json"
MIN_MONTHS: Final = 6
"""Zvw 18c lid 1: report at six months' premium arrears"""


def build_report(action: OutboundAction, context: DeliveryContext) -> dict[str, Any]:
    """The report document; raises :class:`RefusedError` when it must not go."""
    payload = action.payload
    name = debtor_name(payload)
    amount = positive_amount(payload)
    months = payload.get(PAYLOAD_ARREARS_MONTHS)
    if isinstance(months, bool) or not isinstance(months, int) or months < MIN_MONTHS:
        raise RefusedError("a report to the CAK needs at least 6 months' premium arrears")
    if payload.get("open_disputes"):
        raise RefusedError("a dispute is open: no report to the CAK (Zvw 18c lid 2)")
    creditor = creditor_name(context.settings)
    return {
        "schema": "maatwerk/cak-report",
        "schema_version": 1,
        "report_id": action.action_id,
        "reported_on": context.run_date.isoformat(),
        "insurer": {"creditor_id": action.creditor_id, "name": creditor},
        "policyholder": {"debtor_id": action.debtor_id, "name": name.strip()},
        "arrears_months": months,
        "arrears_amount": plain(amount),
        "reference": plain(payload.get(PAYLOAD_REFERENCE, "")),
    }


class CakReportChannel(DocumentChannel):
    """Writes one Zvw 18c report per action (see the module docstring)."""

    name = "cak-report"
    schema_file = SCHEMA_FILE
    kinds = frozenset({"zvw-report"})

    def build(self, action: OutboundAction, context: DeliveryContext) -> tuple[dict[str, Any], str]:
        return build_report(action, context), ""
