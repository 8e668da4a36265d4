"""A valid sample payload per action kind, for channel authors' tests.

``sample_payload_for(kind)`` is a payload the run could build for an action of ``kind`` on
2 March 2026 (the kit's run date): every key of :func:`~maatwerk.testing.fakes.sample_payload`
plus what the kind adds, with fictitious values. Each sample matches its kind's shipped schema
(``maatwerk/adapters/channels/schemas/payloads/``, rendered in ``docs/plugins/payloads.md``) and
has the shape the real run builds; both are checked by maatwerk's own tests. A hand-over sample
meets the law's preconditions (a personal contact attempt, an expired 14-day letter), so a
channel gets it past the run's checks too; override a key to build an action the run refuses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Final

from maatwerk.core.events import ActionKind
from maatwerk.core.ports import PayloadValue
from maatwerk.testing.fakes import sample_payload


__all__ = ["sample_payload_for"]

_CLAIMS_LIST: Final[tuple[Mapping[str, PayloadValue], ...]] = (
    {
        "debt_id": "debt-1",
        "reference": "F-1",
        "category": "premium",
        "due_date": dt.date(2026, 1, 1),
        "outstanding": Decimal("123.45"),
    },
)
_POSTAL: Final[Mapping[str, PayloadValue]] = {
    "postal_address": {
        "street": "Voorbeeldstraat",
        "house_number": "1",
        "postcode": "1234 AB",
        "city": "Voorbeeld",
        "extra": None,
        "country": "NL",
    },
    "debtor_email": "a.voorbeeld@example.org",
    "household": "single",
    "policy": "humane@2026.1",
    "title": "betalingsherinnering",
    "net_monthly_income": Decimal("1500.00"),
}
_LETTER: Final[Mapping[str, PayloadValue]] = {
    "sent_on": dt.date(2026, 3, 2),
    "received_on": dt.date(2026, 3, 4),
    "last_day": dt.date(2026, 3, 18),
    "postal": {"receipt_days": 2, "saturday": True, "monday": False},
    "claims_list": _CLAIMS_LIST,
}
_CONTACT: Final[tuple[Mapping[str, PayloadValue], ...]] = (
    {"on": dt.date(2026, 2, 20), "channel": "phone", "outcome": "cant-pay", "personal": True},
)
_BVV: Final[Mapping[str, PayloadValue]] = {
    "on": dt.date(2026, 3, 2),
    "net_income": Decimal("1500.00"),
    "protected_income": Decimal("1400.00"),
    "attachable": Decimal("100.00"),
    "basis": "formula",
    "tables": "bvv_parameters@2026-01-01, bijstand_norms@2026-01-01, bvv_maxima@2026-01-01",
    "provisional": False,
    "provisional_notes": (),
    "lines": (
        {"term": "beslagvrije voet", "value": Decimal("1400.00"), "rule": "Rv 475da", "note": ""},
    ),
}
_CLAIM: Final[Mapping[str, PayloadValue]] = {
    "debt_id": "debt-1",
    "reference": "F-1",
    "claim_kind": "private",
    "category": "premium",
    "consumer": True,
    "issued_on": dt.date(2025, 12, 1),
    "due_date": dt.date(2026, 1, 1),
    "default_date": dt.date(2026, 1, 2),
    "principal": Decimal("123.45"),
    "outstanding_principal": Decimal("123.45"),
    "outstanding_interest": Decimal("1.20"),
    "outstanding_costs": Decimal("40.00"),
    "outstanding_total": Decimal("164.65"),
    "legal_basis": "BW 6:74 e.v. (nakoming); kosten BW 6:96 lid 2 sub c en lid 6",
    "interest_basis": "BW 6:119 (wettelijke rente)",
    "cost_lines": (
        {
            "posted_on": dt.date(2026, 2, 10),
            "kind": "bik",
            "amount": Decimal("40.00"),
            "table": "bik@2012-07-01",
        },
    ),
    "interest_lines": (),
    "payments": (),
}
_MUNICIPAL: Final[Mapping[str, PayloadValue]] = {
    "consents": (
        {"scope": "early-signal", "given_on": dt.date(2026, 2, 1), "revoked_on": None},
        {"scope": "municipal-referral", "given_on": dt.date(2026, 2, 1), "revoked_on": None},
    ),
    "contact_attempts": _CONTACT,
    "written_reminders": (dt.date(2026, 2, 5),),
    "arrears_since": dt.date(2026, 1, 2),
    "debt_categories": ("premium",),
}
_MANDATE: Final[Mapping[str, PayloadValue]] = {
    "debtor_iban": "NL44RABO0123456789",
    "mandate_id": "MNDT-0001",
    "mandate_date": dt.date(2025, 1, 5),
    "collection_date": dt.date(2026, 3, 10),
}

#: What each kind adds to the common sample.
_BY_KIND: Final[Mapping[str, Mapping[str, PayloadValue]]] = {
    "courtesy-reminder": {"claims_list": _CLAIMS_LIST},
    "payment-reminder": {"claims_list": _CLAIMS_LIST},
    "direct-debit": {
        **_MANDATE,
        "sequence": "RCUR",
        "arrangement_id": "D1:zorg:2026-02-01",
        "instalment_number": 2,
    },
    "direct-debit-representation": _MANDATE,
    "phone-call": {},
    "arrangement-offer": {
        **_LETTER,
        "bvv": _BVV,
        "arrangement_id": "D1:zorg:2026-02-01",
        "instalment_number": 1,
        "payer_id": "123456789L01",
        "payer_name": "Werkgever Voorbeeld B.V.",
        "period": "2026-03",
        "agreed_instalment": Decimal("25.00"),
        "capped_at_room": False,
    },
    "arrangement-confirmation": {
        "arrangement_id": "D1:zorg:2026-02-01",
        "method": "direct-debit",
        "mandate_id": "MNDT-0001",
        "debits": ({"date": dt.date(2026, 3, 26), "amount": Decimal("25.00")},),
    },
    "debt-help-referral": _MUNICIPAL,
    "early-signal": _MUNICIPAL,
    "fourteen-day-letter": _LETTER,
    "zvw-notice": _LETTER,
    "formal-demand": {
        **_LETTER,
        "aanmaning_fees": (
            {"debt_id": "debt-1", "amount": Decimal("7.00"), "table": "awb_aanmaning@2026-01-01"},
        ),
    },
    "zvw-report": {"open_disputes": ()},
    "bailiff-handover": {
        "claims": (_CLAIM,),
        "fourteen_day_letters": (
            {
                "sent_on": dt.date(2026, 2, 1),
                "received_on": dt.date(2026, 2, 3),
                "last_day": dt.date(2026, 2, 17),
                "stated_costs": Decimal("40.00"),
                "debt_ids": ("debt-1",),
            },
        ),
        "formal_demands": (),
        "contact_attempts": _CONTACT,
        "arrangements": (),
        "active_arrangements": (),
        "disputes": (),
        "open_disputes": (),
        "debt_help": (),
        "debt_help_status": {
            "status": "none",
            "explanation": "",
            "referrals": (),
            "answers": (),
            "started": (),
            "ended": (),
        },
        "steps_taken": (
            {
                "on": dt.date(2026, 2, 1),
                "step": "fourteen-day-letter",
                "action": "fourteen-day-letter",
                "channel": "letters",
                "debt_ids": ("debt-1",),
            },
        ),
        "bvv_hint": {
            "household": "single",
            "net_monthly_income": Decimal("1500.00"),
            "on_bijstand": False,
            "has_brp_address": True,
            "vulnerable": False,
            "housing": None,
            "owner_increase": None,
        },
    },
    "write-off": {},
    "close": {},
}


def sample_payload_for(kind: str, **overrides: PayloadValue) -> dict[str, PayloadValue]:
    """A valid payload for an action of ``kind`` (an action kind value, e.g.
    ``"bailiff-handover"``), with ``overrides`` applied; ``ValueError`` for a kind maatwerk does not know."""
    ActionKind(kind)  # ValueError for a kind maatwerk does not know
    payload = {**sample_payload(), **_POSTAL, **_BY_KIND[kind]}
    payload.update(overrides)
    return payload
