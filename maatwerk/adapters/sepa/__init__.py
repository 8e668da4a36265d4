"""SEPA direct debit (incasso): our own pain.008 builder on lxml.

pain.008.001.08 by default, .001.02 on request. Every message is checked against the EPC rules
(:func:`check_message`) and the ISO XSD before anything is written; a file is written atomically.

Public API::

    write_pain008(message, path, *, is_business_day) -> Pain008Summary
    build_pain008(message, *, is_business_day) -> bytes
    check_message(message, *, is_business_day) -> tuple[SepaIssue, ...]
    read_collections_csv(path, *, creditor, collection_date) -> CsvCollections
    target_calendar(first_year, last_year) -> BusinessCalendar   # the TARGET ("sepa") calendar
"""

from __future__ import annotations

from maatwerk.adapters.sepa._builder import (
    Pain008Summary,
    build_pain008,
    payment_groups,
    schema_for,
    validate_against_xsd,
    write_pain008,
)
from maatwerk.adapters.sepa._calendar import target_calendar
from maatwerk.adapters.sepa._csv import CSV_COLUMNS, CsvCollections, read_collections_csv
from maatwerk.adapters.sepa._model import (
    Creditor,
    DirectDebit,
    DirectDebitMessage,
    LocalInstrument,
    MandateAmendment,
    PainVersion,
    Remittance,
    SequenceType,
)
from maatwerk.adapters.sepa._rules import (
    BusinessDay,
    SepaIssue,
    SepaValidationError,
    check_id,
    check_message,
    clean_name,
    clean_text,
    is_sepa_text,
)


__all__ = [
    "CSV_COLUMNS",
    "BusinessDay",
    "Creditor",
    "CsvCollections",
    "DirectDebit",
    "DirectDebitMessage",
    "LocalInstrument",
    "MandateAmendment",
    "Pain008Summary",
    "PainVersion",
    "Remittance",
    "SepaIssue",
    "SepaValidationError",
    "SequenceType",
    "build_pain008",
    "check_id",
    "check_message",
    "clean_name",
    "clean_text",
    "is_sepa_text",
    "payment_groups",
    "read_collections_csv",
    "schema_for",
    "target_calendar",
    "validate_against_xsd",
    "write_pain008",
]
