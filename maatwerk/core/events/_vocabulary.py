"""The vocabulary of the domain events: what a step does, contact, holds, consent, flags, returns."""

from __future__ import annotations

import enum

from maatwerk.core._convert import to_member


__all__ = [
    "ActionKind",
    "ConsentScope",
    "ContactChannel",
    "ContactOutcome",
    "DebtHelpKind",
    "DebtorFlag",
    "HoldScope",
    "MunicipalOutcome",
    "ReturnReasonGroup",
]


class ActionKind(enum.Enum):
    """What a policy step does (stap). Listed here from mild to severe; the policy's own step order decides."""

    COURTESY_REMINDER = "courtesy-reminder"
    """vriendelijke herinnering vóór de vervaldatum"""
    PAYMENT_REMINDER = "payment-reminder"
    """betalingsherinnering"""
    DIRECT_DEBIT = "direct-debit"
    """incasso van een termijn van een betalingsregeling (machtiging van de schuldenaar)"""
    DIRECT_DEBIT_REPRESENTATION = "direct-debit-representation"
    """nieuwe incasso-poging na een stornering (bij voorkeur net na de betaaldag)"""
    PHONE_CALL = "phone-call"
    """belopdracht: persoonlijk contact ("hoe kunnen we u helpen?")"""
    ARRANGEMENT_OFFER = "arrangement-offer"
    """aanbod betalingsregeling (Zvw 18a: binnen 10 werkdagen bij 2 maanden achterstand)"""
    ARRANGEMENT_CONFIRMATION = "arrangement-confirmation"
    """bevestiging van een aanvaarde regeling; bij incasso met de vooraankondiging (pre-notification)"""
    DEBT_HELP_REFERRAL = "debt-help-referral"
    """doorverwijzing naar schuldhulpverlening (met toestemming)"""
    EARLY_SIGNAL = "early-signal"
    """vroegsignaal aan de gemeente (Wgs art. 3 lid 1 sub b)"""
    FOURTEEN_DAY_LETTER = "fourteen-day-letter"
    """veertiendagenbrief / ingebrekestelling met kosten (BW 6:96 lid 6)"""
    ZVW_NOTICE = "zvw-notice"
    """mededeling voornemen tot aanmelding bij het CAK (Zvw 18b, 4 maanden)"""
    FORMAL_DEMAND = "formal-demand"
    """aanmaning (Awb 4:112) voor publiekrechtelijke vorderingen; sommatie voor private"""
    ZVW_REPORT = "zvw-report"
    """aanmelding bij het CAK als wanbetaler (Zvw 18c, 6 maanden)"""
    BAILIFF_HANDOVER = "bailiff-handover"
    """overdracht aan de deurwaarder"""
    WRITE_OFF = "write-off"
    """afboeken (oninbaar)"""
    CLOSE = "close"
    """dossier sluiten (betaald, geregeld)"""


class ContactChannel(enum.Enum):
    """How someone tried to reach the debtor."""

    PHONE = "phone"
    LETTER = "letter"
    EMAIL = "email"
    SMS = "sms"
    VISIT = "visit"
    """huisbezoek"""

    @property
    def is_personal(self) -> bool:
        """A *personal* contact attempt (persoonlijk contact; seed 002): a call or a visit."""
        return self in (ContactChannel.PHONE, ContactChannel.VISIT)


class ContactOutcome(enum.Enum):
    REACHED = "reached"
    NO_ANSWER = "no-answer"
    PROMISE = "promise"
    """belofte tot betaling"""
    DISPUTE = "dispute"
    """betwist de vordering"""
    CANT_PAY = "cant-pay"
    """kan niet betalen"""
    WONT_PAY = "wont-pay"
    """wil niet betalen"""


class HoldScope(enum.Enum):
    """What a hold (pauze) covers."""

    DEBT = "debt"
    CASE = "case"
    RUN = "run"
    """the whole daily run (e.g. a system incident); ``debtor_id`` is then ``"*"``"""


class ConsentScope(enum.Enum):
    """What the debtor agreed to (toestemming), dated and revocable."""

    MUNICIPAL_REFERRAL = "municipal-referral"
    """gegevens delen met de gemeente / doorverwijzen (seed 000)"""
    EARLY_SIGNAL = "early-signal"
    """vroegsignaal aan de gemeente"""
    DEBT_HELP_REFERRAL = "debt-help-referral"
    """doorverwijzing naar schuldhulpverlening of budgetcoach"""


class DebtHelpKind(enum.Enum):
    DEBT_HELP = "debt-help"
    """schuldhulpverlening loopt"""
    STABILISATION = "stabilisation"
    """schriftelijke stabilisatieovereenkomst (Zvw 18c: geen aanmelding)"""
    SETTLEMENT = "settlement"
    """minnelijke schuldregeling"""
    WSNP = "wsnp"
    """wettelijke schuldsanering"""


class MunicipalOutcome(enum.Enum):
    """The municipality's answer to a debt-help referral (``maatwerk import municipal-feedback``)."""

    ACCEPTED = "accepted"
    """aangemeld: the municipality takes the household on"""
    IN_DEBT_HELP = "in-debt-help"
    """schuldhulpverlening loopt"""
    STABILISATION = "stabilisation"
    """stabilisatieovereenkomst (Zvw 18c: no report to the CAK)"""
    NO_CONTACT = "no-contact"
    """the municipality could not reach the household"""
    REFUSED = "refused"
    """the household declined help, or the municipality did not take it on"""

    @property
    def holds(self) -> bool:
        """Whether the answer holds the case (debt help runs) rather than ending the pause."""
        return self in (
            MunicipalOutcome.ACCEPTED,
            MunicipalOutcome.IN_DEBT_HELP,
            MunicipalOutcome.STABILISATION,
        )


class DebtorFlag(enum.Enum):
    VULNERABLE = "vulnerable"
    DECEASED = "deceased"
    PROBLEMATIC_DEBT = "problematic-debt"
    """problematische schulden: more creditors, more than the household can repay"""
    BRP_MISMATCH = "brp-mismatch"
    """adres niet of anders in de BRP (Zvw 18c: geen aanmelding)"""


class ReturnReasonGroup(enum.Enum):
    """Groups of SEPA return reason codes (storneringsredenen) the policy cares about."""

    COULD_NOT_PAY = "could_not_pay"
    """e.g. AM04 insufficient funds"""
    REFUSED_OR_DISPUTED = "refused_or_disputed"
    """e.g. MD06 refund request, MS02 refused by debtor"""
    DECEASED = "deceased"
    """MD07"""
    DATA_ERROR = "data_error"
    """e.g. AC04 closed account, MD01 no mandate"""


# ---------------------------------------------------------------------- enum converters
# A value string becomes the member, anything else a ValueError (see maatwerk.core._convert).
def to_action_kind(value: ActionKind | str) -> ActionKind:
    return value if type(value) is ActionKind else to_member(ActionKind, value)


def to_contact_channel(value: ContactChannel | str) -> ContactChannel:
    return value if type(value) is ContactChannel else to_member(ContactChannel, value)


def to_contact_outcome(value: ContactOutcome | str) -> ContactOutcome:
    return value if type(value) is ContactOutcome else to_member(ContactOutcome, value)


def to_hold_scope(value: HoldScope | str) -> HoldScope:
    return value if type(value) is HoldScope else to_member(HoldScope, value)


def to_consent_scope(value: ConsentScope | str) -> ConsentScope:
    return value if type(value) is ConsentScope else to_member(ConsentScope, value)


def to_debt_help_kind(value: DebtHelpKind | str) -> DebtHelpKind:
    return value if type(value) is DebtHelpKind else to_member(DebtHelpKind, value)


def to_municipal_outcome(value: MunicipalOutcome | str) -> MunicipalOutcome:
    return value if type(value) is MunicipalOutcome else to_member(MunicipalOutcome, value)


def to_debtor_flag(value: DebtorFlag | str) -> DebtorFlag:
    return value if type(value) is DebtorFlag else to_member(DebtorFlag, value)


def to_return_reason_group(value: ReturnReasonGroup | str) -> ReturnReasonGroup:
    return value if type(value) is ReturnReasonGroup else to_member(ReturnReasonGroup, value)
