"""The ``bailiff`` channel: a versioned JSON hand-over dossier per case (overdracht deurwaarder).

One file per hand-over, ``<output_dir>/bailiff/<run date>/<action id>.json``, following
docs/formats/bailiff-dossier.md and what Bki art. 5.1 asks an agency to keep: the creditor,
the debtor (no BSN unless the deployment opts in with the setting ``bailiff_include_bsn = yes``),
every claim with principal, interest and costs split and their legal basis, the 14-day letters
(dates and stated costs) and aanmaningen, contact attempts, the arrangement history, disputes,
debt-help status, the steps taken, and a BVV hint (the bailiff computes the BVV, Rv 475d). The
document is checked against ``schemas/bailiff-dossier.v1.json`` before it is written.

The hand-over preconditions are the core's (:mod:`maatwerk.core.preconditions`): the dispatcher
checks them before it calls any channel, so a channel installed in place of this one keeps them;
this channel checks them again and refuses a hand-over when the payload shows:

* no personal contact attempt (a call or a visit; seed 002: "voor de dagvaarding moet een poging
  tot persoonlijk contact plaatsvinden");
* a private consumer claim without a 14-day letter whose term has expired (BW 6:96 lid 6: 14 days
  from the day after receipt), or a public claim without an expired aanmaning (Awb 4:112/4:114):
  each letter's ``last_day`` in the payload (the core's, Atw-extended) is before the run date;
* an active payment arrangement, or an open dispute.

Payload keys read: see :mod:`maatwerk.services.payloads` (``claims``, ``fourteen_day_letters``,
``formal_demands``, ``contact_attempts``, ``arrangements``, ``active_arrangements``,
``disputes``, ``open_disputes``, ``debt_help``, ``steps_taken``, ``bvv_hint``, ``bsn``) plus
``debtor_name``, ``amount``, ``phone``, ``debtor_email``, ``address``, ``reference`` and the
step params (``bank_garnishment``, ``amicable_track_days``, ``no_cure_no_pay``). Settings:
``creditor_name`` (required), ``creditor_id``, ``creditor_iban``, ``creditor_phone``,
``creditor_kvk``, ``bailiff_include_bsn``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Final

from maatwerk.adapters.channels._documents import (
    DocumentChannel,
    RefusedError,
    address_lines,
    creditor_name,
    debtor_name,
    plain,
    positive_amount,
    postal_address,
    records,
)
from maatwerk.core.ports import (
    PAYLOAD_PHONE,
    PAYLOAD_REFERENCE,
    DeliveryContext,
    OutboundAction,
    PayloadValue,
)
from maatwerk.core.preconditions import bailiff_refusal


__all__ = ["SCHEMA_FILE", "SCHEMA_VERSION", "BailiffChannel", "build_dossier"]

SCHEMA_VERSION: Final = 1
SCHEMA_FILE: Final = "bailiff-dossier.v1.json"
_INSTRUCTIONS: Final = ("bank_garnishment", "amicable_track_days", "no_cure_no_pay")


def _strings(payload: Mapping[str, PayloadValue], key: str) -> tuple[str, ...]:
    value = payload.get(key, ())
    if not isinstance(value, tuple) or not all(isinstance(v, str) for v in value):
        raise RefusedError(f"payload field {key!r} must be a list of texts")
    return tuple(str(v) for v in value)


def _check_preconditions(payload: Mapping[str, PayloadValue], run_date: dt.date) -> None:
    """The core's hand-over preconditions (:func:`maatwerk.core.preconditions.bailiff_refusal`),
    which the dispatcher checks before any channel is called; checked here again."""
    reason = bailiff_refusal(payload, run_date)
    if reason:
        raise RefusedError(reason)


def _total(claims: Sequence[Mapping[str, PayloadValue]], key: str) -> Decimal:
    total = Decimal(0)
    for claim in claims:
        value = claim.get(key)
        if isinstance(value, Decimal):
            total += value
    return total


def build_dossier(action: OutboundAction, context: DeliveryContext) -> dict[str, Any]:
    """The dossier document for ``action``; raises :class:`RefusedError` when it must not go."""
    payload = action.payload
    settings = context.settings
    name = debtor_name(payload)
    positive_amount(payload)  # no dossier without an amount above zero
    creditor = creditor_name(settings)
    _check_preconditions(payload, context.run_date)
    claims = records(payload, "claims")
    debtor: dict[str, Any] = {
        "debtor_id": action.debtor_id,
        "name": name.strip(),
        "address": address_lines(payload),
        "postal_address": postal_address(payload),
        "phone": plain(payload.get(PAYLOAD_PHONE)),
        "email": plain(payload.get("debtor_email")),
    }
    bsn = payload.get("bsn")
    if settings.get("bailiff_include_bsn", "").strip().lower() in {"yes", "true", "1"} and (
        isinstance(bsn, str) and bsn
    ):
        debtor["bsn"] = bsn
    hint = payload.get("bvv_hint")
    return {
        "schema": "maatwerk/bailiff-dossier",
        "schema_version": SCHEMA_VERSION,
        "dossier_id": action.action_id,
        "created_on": context.run_date.isoformat(),
        "policy": plain(payload.get("policy", "")),
        "reference": plain(payload.get(PAYLOAD_REFERENCE, "")),
        "creditor": {
            "creditor_id": action.creditor_id,
            "name": creditor,
            "kvk": settings.get("creditor_kvk", ""),
            "iban": settings.get("creditor_iban", ""),
            "incassant_id": settings.get("creditor_id", ""),
            "phone": settings.get("creditor_phone", ""),
        },
        "debtor": debtor,
        "claims": plain(claims),
        "totals": {
            "principal": plain(_total(claims, "outstanding_principal")),
            "interest": plain(_total(claims, "outstanding_interest")),
            "costs": plain(_total(claims, "outstanding_costs")),
            "total": plain(_total(claims, "outstanding_total")),
        },
        "fourteen_day_letters": plain(records(payload, "fourteen_day_letters")),
        "formal_demands": plain(records(payload, "formal_demands")),
        "contact_attempts": plain(records(payload, "contact_attempts")),
        "arrangements": plain(records(payload, "arrangements")),
        "disputes": plain(records(payload, "disputes")),
        "debt_help": list(_strings(payload, "debt_help")),
        "debt_help_status": _debt_help_status(payload),
        "history": plain(records(payload, "steps_taken")),
        "instructions": {key: plain(payload.get(key, "")) for key in _INSTRUCTIONS},
        "bvv_hint": {
            **(plain(hint) if isinstance(hint, Mapping) else {}),
            "note": "De deurwaarder berekent de beslagvrije voet (Rv 475d-475da) en laat die "
            "het huishouden altijd.",
        },
        "explanation": plain(payload.get("explanation", "")),
    }


def _debt_help_status(payload: Mapping[str, PayloadValue]) -> dict[str, Any]:
    """The debt-help record (referrals, answers, status); ``none`` when the payload has none."""
    found = payload.get("debt_help_status")
    if not isinstance(found, Mapping):
        found = {}
    return {
        "status": plain(found.get("status", "none")),
        "explanation": plain(found.get("explanation", "")),
        "referrals": plain(found.get("referrals", ())),
        "answers": plain(found.get("answers", ())),
        "started": plain(found.get("started", ())),
        "ended": plain(found.get("ended", ())),
    }


class BailiffChannel(DocumentChannel):
    """Writes one hand-over dossier per action (see the module docstring)."""

    name = "bailiff"
    schema_file = SCHEMA_FILE
    kinds = frozenset({"bailiff-handover"})

    def build(self, action: OutboundAction, context: DeliveryContext) -> tuple[dict[str, Any], str]:
        return build_dossier(action, context), ""
