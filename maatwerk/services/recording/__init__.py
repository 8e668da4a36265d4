"""Recording what people do: contacts, holds, consents, disputes and arrangements.

Each function checks its input against what is stored, builds one domain event and appends it
to the event log; nothing is changed in place. The policy reads these events on the next run
(a ``cant-pay`` contact opens the referral path, an open dispute blocks escalation, a hold
pauses the case, a consent allows a referral or an early signal ...). Each function takes an
optional ``listener`` (the CLI passes the plugins' ``listener()``) that hears the event after it
was committed.
"""

from __future__ import annotations

from maatwerk.services.recording._people import (
    ACKNOWLEDGEMENT_FORMS,
    acknowledge_debt,
    add_consent,
    add_hold,
    end_hold,
    log_contact,
    log_promise,
    open_dispute,
    resolve_dispute,
    revoke_consent,
    set_housing,
)
from maatwerk.services.recording._plans import (
    ProblematicDebtError,
    accept_arrangement,
    open_offer,
    propose_arrangement_for,
)


__all__ = [
    "ACKNOWLEDGEMENT_FORMS",
    "ProblematicDebtError",
    "accept_arrangement",
    "acknowledge_debt",
    "add_consent",
    "add_hold",
    "end_hold",
    "log_contact",
    "log_promise",
    "open_dispute",
    "open_offer",
    "propose_arrangement_for",
    "resolve_dispute",
    "revoke_consent",
    "set_housing",
]
