"""Values for a SEPA direct-debit initiation (incasso-opdracht, pain.008).

These are plain input records; nothing here validates against the EPC rules. The rule checks live in
:mod:`maatwerk.adapters.sepa._rules` and run on the whole message, so that every bad transaction
and field is reported at once.
"""

from __future__ import annotations

import datetime as dt
import enum

import attrs

from maatwerk.core.money import Money


__all__ = [
    "Creditor",
    "DirectDebit",
    "DirectDebitMessage",
    "LocalInstrument",
    "MandateAmendment",
    "PainVersion",
    "Remittance",
    "SequenceType",
]


class PainVersion(enum.Enum):
    """The pain.008 version to write. ``.001.08`` (ISO 2019, EPC 2023 rulebooks) is the default."""

    V08 = "pain.008.001.08"
    V02 = "pain.008.001.02"

    @property
    def namespace(self) -> str:
        return f"urn:iso:std:iso:20022:tech:xsd:{self.value}"


class SequenceType(enum.Enum):
    """SEPA sequence type (SeqTp). ``RPRE`` is allowed by the ISO 2019 XSD but not by SEPA."""

    FRST = "FRST"
    RCUR = "RCUR"
    FNAL = "FNAL"
    OOFF = "OOFF"


class LocalInstrument(enum.Enum):
    """SEPA scheme: CORE (consumers) or B2B (businesses only)."""

    CORE = "CORE"
    B2B = "B2B"


@attrs.frozen(kw_only=True)
class Creditor:
    """The collecting organisation (incassant): name, account and creditor identifier (Incassant-ID)."""

    name: str
    iban: str
    creditor_id: str
    bic: str | None = None


@attrs.frozen(kw_only=True)
class MandateAmendment:
    """What changed in the mandate since the previous collection (AmdmntInfDtls).

    ``debtor_changed_bank`` writes ``OrgnlDbtrAgt`` = ``SMNDA`` (same mandate, new debtor agent),
    e.g. after the Dutch Overstapservice moved the debtor's account to another bank.
    """

    original_mandate_id: str | None = None
    original_creditor_id: str | None = None
    original_creditor_name: str | None = None
    original_debtor_iban: str | None = None
    debtor_changed_bank: bool = False

    @property
    def is_empty(self) -> bool:
        return not (
            self.original_mandate_id
            or self.original_creditor_id
            or self.original_creditor_name
            or self.original_debtor_iban
            or self.debtor_changed_bank
        )


@attrs.frozen(kw_only=True)
class Remittance:
    """Remittance information: free text (Ustrd, max 140) **or** an ISO 11649 RF creditor reference."""

    unstructured: str | None = None
    creditor_reference: str | None = None


@attrs.frozen(kw_only=True)
class DirectDebit:
    """One collection (incasso) of one instalment or amount from one debtor under one mandate."""

    end_to_end_id: str
    mandate_id: str
    mandate_date: dt.date
    sequence: SequenceType
    debtor_name: str
    debtor_iban: str
    amount: Money
    collection_date: dt.date
    creditor: Creditor
    remittance: Remittance | None = None
    debtor_bic: str | None = None
    amendment: MandateAmendment | None = None
    instrument: LocalInstrument = LocalInstrument.CORE


@attrs.frozen(kw_only=True)
class DirectDebitMessage:
    """A whole pain.008 message: group header data plus its collections.

    ``created_at`` is given by the caller (the builder never reads the clock). The initiating party
    defaults to the creditor of the first collection.
    """

    message_id: str
    created_at: dt.datetime
    collections: tuple[DirectDebit, ...]
    version: PainVersion = PainVersion.V08
    initiating_party_name: str | None = None
    batch_booking: bool = True
