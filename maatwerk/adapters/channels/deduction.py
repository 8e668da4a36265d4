"""The ``source-deduction`` channel: deduction-at-source instructions that keep the BVV whole.

For an arrangement paid by deduction at source (voluntary looninhouding at the debtor's request,
docs/formats/source-deduction.md; BW 7:633: only as far as wages could be attached, so the BVV
protects the household here too), one JSON instruction per action, grouped per payer:
``<output_dir>/source-deduction/<run date>/<payer>/<period>/<action id>.json`` (payer: the
payload's ``payer_id``, recorded with the accepted offer, else ``payer-unknown``; period: the
payload's ``period``, the month ``YYYY-MM``, left out when absent). Checked against ``schemas/source-deduction.v1.json`` before it is written.

The preconditions are the core's (:mod:`maatwerk.core.preconditions`): the dispatcher checks them
before it calls any channel, and this channel checks them again. The instruction always leaves the household its protected income: it carries the BVV
calculation (payload ``bvv``, from :func:`maatwerk.services.payloads.bvv_facts` with its lines
and articles) and the monthly amount is at most net income minus BVV. The channel refuses an
action without that calculation, when nothing is left above the BVV, or when the payload's
``instalment_amount`` is above the room. Without ``instalment_amount`` it instructs the room
itself (capped at the amount owed).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_CEILING, Decimal
from typing import Any, Final

from maatwerk.adapters.channels._documents import (
    DocumentChannel,
    RefusedError,
    address_lines,
    creditor_name,
    debtor_name,
    plain,
    postal_address,
)
from maatwerk.adapters.channels._files import safe_file_stem
from maatwerk.core.ports import (
    PAYLOAD_AMOUNT,
    PAYLOAD_REFERENCE,
    DeliveryContext,
    OutboundAction,
    PayloadValue,
)
from maatwerk.core.preconditions import deduction_refusal, deduction_room


__all__ = ["SCHEMA_FILE", "SCHEMA_VERSION", "SourceDeductionChannel", "build_instruction"]

SCHEMA_VERSION: Final = 1
SCHEMA_FILE: Final = "source-deduction.v1.json"
_CENT: Final = Decimal("0.01")


def _amount(value: PayloadValue, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise RefusedError(f"{what} must be an amount (Decimal)")
    return Decimal(value)


def build_instruction(
    action: OutboundAction, context: DeliveryContext
) -> tuple[dict[str, Any], str]:
    """The instruction and its payer group; raises :class:`RefusedError` when it must not go."""
    payload = action.payload
    name = debtor_name(payload)
    owed = _amount(payload.get(PAYLOAD_AMOUNT), f"payload field {PAYLOAD_AMOUNT!r}")
    if owed <= 0:
        raise RefusedError(f"payload field {PAYLOAD_AMOUNT!r} must be above zero")
    creditor = creditor_name(context.settings)
    reason = deduction_refusal(payload)  # the core's preconditions, checked here again
    if reason:
        raise RefusedError(reason)
    net, protected, room = deduction_room(payload)
    bvv = payload.get("bvv")
    lines = bvv.get("lines", ()) if isinstance(bvv, Mapping) else ()
    asked = payload.get("instalment_amount")
    if asked is None:
        monthly = min(room, owed).quantize(_CENT)
    else:
        monthly = _amount(asked, "payload field 'instalment_amount'").quantize(_CENT)
        if monthly > room:
            raise RefusedError(
                "the instalment is above net income minus the protected income (BVV)"
            )
    if monthly <= 0:
        raise RefusedError("the monthly deduction must be above zero")
    instalments = int((owed / monthly).to_integral_value(rounding=ROUND_CEILING))
    start = payload.get("first_instalment_on")
    payer_id = payload.get("payer_id")
    payer = payer_id.strip() if isinstance(payer_id, str) and payer_id.strip() else ""
    payer_name = payload.get("payer_name")
    calculation = [
        *plain(lines),
        {
            "term": "netto inkomen per maand",
            "value": plain(net),
            "rule": "Rv 475dc lid 1",
            "note": "",
        },
        {"term": "beslagvrije voet", "value": plain(protected), "rule": "Rv 475da", "note": ""},
        {
            "term": "ruimte boven de beslagvrije voet",
            "value": plain(room),
            "rule": "BW 7:633",
            "note": "",
        },
        {"term": "in te houden per maand", "value": plain(monthly), "rule": "afspraak", "note": ""},
    ]
    document = {
        "schema": "maatwerk/source-deduction",
        "schema_version": SCHEMA_VERSION,
        "instruction_id": action.action_id,
        "created_on": context.run_date.isoformat(),
        "kind": "voluntary-deduction",
        "payer": {
            "payer_id": payer or None,
            "name": payer_name if isinstance(payer_name, str) and payer_name else None,
        },
        "creditor": {
            "creditor_id": action.creditor_id,
            "name": creditor,
            "iban": context.settings.get("creditor_iban", ""),
            "reference": plain(payload.get(PAYLOAD_REFERENCE, "")),
        },
        "debtor": {
            "debtor_id": action.debtor_id,
            "name": name.strip(),
            "address": address_lines(payload),
            "postal_address": postal_address(payload),
        },
        "amount_owed": plain(owed),
        "monthly_amount": plain(monthly),
        "instalments": instalments,
        "start_on": plain(start) if start is not None else None,
        "net_income": plain(net),
        "protected_income": plain(protected),
        "room": plain(room),
        "bvv_tables": plain(bvv.get("tables", "")) if isinstance(bvv, Mapping) else "",
        "provisional": isinstance(bvv, Mapping) and bvv.get("provisional") is True,
        "calculation": calculation,
        "revocation": "U kunt deze inhouding altijd stoppen. Bel ons of schrijf ons; wij "
        "laten de inhouding dan binnen een maand stoppen.",
    }
    group = safe_file_stem(payer) if payer else "payer-unknown"
    period = payload.get("period")
    if isinstance(period, str) and period:
        group = f"{group}/{safe_file_stem(period)}"  # per payer per month
    return document, group


class SourceDeductionChannel(DocumentChannel):
    """Writes one deduction-at-source instruction per action (see the module docstring)."""

    name = "source-deduction"
    schema_file = SCHEMA_FILE
    kinds = frozenset({"arrangement-offer"})

    def build(self, action: OutboundAction, context: DeliveryContext) -> tuple[dict[str, Any], str]:
        return build_instruction(action, context)
