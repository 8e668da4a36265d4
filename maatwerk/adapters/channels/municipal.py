"""The ``municipal`` channel: debt-help referrals and early signals to the municipality (gemeente).

One JSON document per action, ``<output_dir>/municipal/<run date>/<action id>.json``, whose names
follow the DDAS *Vroegsignaal* vocabulary (docs/formats/municipal-signal.md): ``crisissignaal``,
``warmeOverdracht``, ``bedrag``, ``ontstaansdatum``, ``signaaldatum``, ``signaalpartner.type``,
``client`` (contact details, **never a BSN**). Checked against ``schemas/municipal-signal.v1.json``
before it is written; upload to RIS/VPS or the municipality's intake is a deployment's adapter.

The rule "only with consent" lives in the core (the mandatory ``consent`` guard: no policy can
take such a step without it), and so do the preconditions on the payload
(:mod:`maatwerk.core.preconditions`), which the dispatcher checks before it calls any channel; this
channel checks them again and refuses (Wgs art. 3-4, Besluit gemeentelijke schuldhulpverlening
art. 2):

* without a recorded, unrevoked consent for the action (referral: ``debt-help-referral`` or
  ``municipal-referral``; early signal: ``early-signal``) given on or before the run date;
* an early signal without a personal contact attempt or without a written reminder first.

``crisis`` (payload, from the step params): ``eviction``, ``disconnection`` or
``health-insurance-termination`` sets ``crisissignaal`` (the municipality then acts within 3
working days, Wgs art. 4 lid 2). ``signaalpartner.type`` comes from the setting
``municipal_partner_type`` or else from the debts' categories.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
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
from maatwerk.core.preconditions import CONSENT_SCOPES, consent_record, municipal_refusal


__all__ = ["CRISIS_REASONS", "SCHEMA_FILE", "SCHEMA_VERSION", "MunicipalChannel", "build_signal"]

SCHEMA_VERSION: Final = 1
SCHEMA_FILE: Final = "municipal-signal.v1.json"
CRISIS_REASONS: Final = frozenset({"eviction", "disconnection", "health-insurance-termination"})
#: Which consent scopes allow which action: the core's table (the mandatory ``consent`` guard,
#: ``maatwerk.core.policy.guards.CONSENT_FOR``), as strings; the channel checks it again.
CONSENT_FOR: Final[Mapping[str, frozenset[str]]] = CONSENT_SCOPES
_SOORT: Final = {"debt-help-referral": "doorverwijzing", "early-signal": "vroegsignaal"}
#: DDAS ``signaalpartner.type`` per debt category (docs/formats/municipal-signal.md).
PARTNER_TYPES: Final[Mapping[str, str]] = {
    "premium": "Zorg",
    "care-contribution": "CAK Eigen bijdrage",
    "rent": "Huur",
    "energy": "Energie",
    "water": "Water",
    "mortgage": "Hypotheek",
}
DDAS_PARTNER_TYPES: Final = (
    "Energie",
    "Huur",
    "Hypotheek",
    "CAK Zorgverzekeringen",
    "Zorg",
    "Water",
    "DUO",
    "Belastingdienst",
    "CAK Eigen bijdrage",
    "Dienst Toeslagen",
    "Overige",
)


def _consent(
    payload: Mapping[str, PayloadValue], kind: str, run_date: dt.date
) -> Mapping[str, PayloadValue]:
    reason = municipal_refusal(kind, payload, run_date)
    if reason:
        raise RefusedError(reason)
    record = consent_record(payload, kind, run_date)
    if record is None:  # pragma: no cover - municipal_refusal refuses without one
        raise RefusedError(f"no recorded, unrevoked consent for {kind}")
    return record


def _partner_type(payload: Mapping[str, PayloadValue], settings: Mapping[str, str]) -> str:
    configured = settings.get("municipal_partner_type", "").strip()
    if configured:
        if configured not in DDAS_PARTNER_TYPES:
            raise RefusedError(
                f"setting municipal_partner_type {configured!r} is not one of "
                f"{', '.join(DDAS_PARTNER_TYPES)}"
            )
        return configured
    categories = payload.get("debt_categories", ())
    if isinstance(categories, tuple):
        for category in categories:
            if isinstance(category, str) and category in PARTNER_TYPES:
                return PARTNER_TYPES[category]
    return "Overige"


def build_signal(action: OutboundAction, context: DeliveryContext) -> dict[str, Any]:
    """The referral or early-signal document; raises :class:`RefusedError` when it must not go."""
    payload = action.payload
    settings = context.settings
    name = debtor_name(payload)
    amount = positive_amount(payload)
    creditor = creditor_name(settings)
    consent = _consent(payload, action.kind, context.run_date)
    contacts = records(payload, "contact_attempts")
    reminders = payload.get("written_reminders", ())
    crisis = payload.get("crisis")
    if crisis is not None and crisis not in CRISIS_REASONS:
        raise RefusedError(f"crisis {crisis!r} is not one of {', '.join(sorted(CRISIS_REASONS))}")
    since = payload.get("arrears_since")
    address = postal_address(payload)
    return {
        "schema": "maatwerk/municipal-signal",
        "schema_version": SCHEMA_VERSION,
        "signal_id": action.action_id,
        "soort": _SOORT[action.kind],
        "signaaldatum": context.run_date.isoformat(),
        "ontstaansdatum": plain(since) if isinstance(since, dt.date) else None,
        "bedrag": plain(amount),
        "crisissignaal": crisis is not None,
        "crisis_reden": crisis,
        "warmeOverdracht": any(c.get("outcome") != "no-answer" for c in contacts),
        "signaalpartner": {
            "type": _partner_type(payload, settings),
            "naam": creditor,
            "telefoon": settings.get("creditor_phone", ""),
            "kenmerk": plain(payload.get(PAYLOAD_REFERENCE, "")),
        },
        "client": {
            "klantnummer": action.debtor_id,
            "naam": name.strip(),
            "adres": address_lines(payload),
            "postcode": None if address is None else address["postcode"],
            "telefoon": plain(payload.get(PAYLOAD_PHONE)),
            "email": plain(payload.get("debtor_email")),
        },
        "toestemming": {
            "scope": plain(consent.get("scope")),
            "gegeven_op": plain(consent.get("given_on")),
        },
        "voorwaarden": {
            "contactpogingen": plain(contacts),
            "schriftelijke_herinneringen": plain(reminders),
        },
    }


class MunicipalChannel(DocumentChannel):
    """Writes one referral or early-signal document per action (see the module docstring)."""

    name = "municipal"
    schema_file = SCHEMA_FILE
    kinds = frozenset(CONSENT_FOR)

    def settings_problems(self, settings: Mapping[str, str]) -> list[str]:
        """The settings this channel needs that are missing or wrong (checked at startup)."""
        problems = super().settings_problems(settings)
        configured = settings.get("municipal_partner_type", "").strip()
        if configured and configured not in DDAS_PARTNER_TYPES:
            problems.append(
                f"setting 'municipal_partner_type' must be one of {', '.join(DDAS_PARTNER_TYPES)}"
            )
        return problems

    def build(self, action: OutboundAction, context: DeliveryContext) -> tuple[dict[str, Any], str]:
        return build_signal(action, context), ""
