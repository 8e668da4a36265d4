"""structlog configuration: readable lines by default, JSON when asked, no personal data.

Only the composition root (:func:`maatwerk.adapters.logging.configure_logging`, called from the
CLI) configures structlog. Modules use ``structlog.get_logger()`` and stable snake_case events
and name cases by their ids only. Logs go to stderr: readable ``key=value`` lines unless JSON is
asked for (``--log-format json`` or ``MAATWERK_LOG_FORMAT=json``); the CLI's own ``Error: ...``
line is never a log line, so it stays apart.

The :func:`redact` processor is the safety net: it replaces the value of every key that may carry
personal data (names, IBANs, BSNs, postal addresses, e-mail, phone, notes), also inside nested
mappings and lists, and masks anything in any other text that looks like an IBAN, a BSN, an
e-mail address, a Dutch phone number or a Dutch postcode with its house number. Names in free
text cannot be recognised by a pattern; that is why events carry ids, counts and codes, never
free text taken from the input.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Mapping, MutableMapping
from typing import Any, Final


__all__ = ["LOG_FORMATS", "PERSONAL_KEYS", "configure_logging", "mask", "redact"]

#: The values of ``--log-format`` / ``MAATWERK_LOG_FORMAT``.
LOG_FORMATS: Final = ("console", "json")

PERSONAL_KEYS: Final = frozenset(
    {
        "name",
        "debtor_name",
        "creditor_name",
        "iban",
        "debtor_iban",
        "bsn",
        "address",
        "street",
        "house_number",
        "postcode",
        "city",
        "address_extra",
        "email",
        "phone",
        "note",
        "birth_date",
        "remittance",
        "reference",
    }
)
_REDACTED: Final = "[redacted]"
_PATTERNS: Final = (
    (re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b"), "[iban]"),
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[email]"),
    # Dutch phone numbers: 06-12345678, 0612345678, +31 6 1234 5678, 020-1234567
    (re.compile(r"(?<![\w-])(?:\+31|0031|0)[ -]?\d(?:[ -]?\d){8}\b"), "[phone]"),
    (re.compile(r"(?<!\d)\d{9}(?!\d)"), "[bsn]"),
    # a postal address: a postcode (1234 AB) with the street and number before it and the
    # place after it when they are there ("Lindelaan 7, 3511 AB Utrecht")
    (
        re.compile(
            r"(?:\b[A-Z][\w'.-]*(?: [\w'.-]+){0,3} \d{1,5}[a-zA-Z]?(?:[ -]\w{1,4})?,? )?"
            r"\b[1-9]\d{3} ?[A-Z]{2}\b(?: [A-Z][\w'-]+)?"
        ),
        "[address]",
    ),
)


def mask(value: Any) -> Any:
    """``value`` with personal data masked: strings by pattern, mappings and lists throughout
    (personal keys replaced whole)."""
    if isinstance(value, str):
        for pattern, replacement in _PATTERNS:
            value = pattern.sub(replacement, value)
        return value
    if isinstance(value, Mapping):
        return {
            k: _REDACTED if str(k).lower() in PERSONAL_KEYS else mask(v) for k, v in value.items()
        }
    if isinstance(value, (list, tuple, set, frozenset)):
        return [mask(v) for v in value]
    return value


def redact(
    _logger: object, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: drop personal fields, mask personal-looking text in the rest."""
    for key in list(event_dict):
        if key.lower() in PERSONAL_KEYS:
            event_dict[key] = _REDACTED
        elif key != "timestamp":
            event_dict[key] = mask(event_dict[key])
    return event_dict


def _wants_json(log_format: str | None) -> bool:
    chosen = (log_format or os.environ.get("MAATWERK_LOG_FORMAT") or "console").strip().lower()
    return chosen == "json"


def configure_logging(level: str | None = None, *, log_format: str | None = None) -> None:
    """Configure structlog. Level from ``MAATWERK_LOG_LEVEL`` (default WARNING); format from
    ``log_format`` (``--log-format``), else ``MAATWERK_LOG_FORMAT``, else readable lines.

    Logs go to stderr so that ``--json`` output on stdout stays machine-readable. An unknown
    level or format falls back to the default (logging must never stop a command).
    """
    import structlog  # noqa: PLC0415  (lazy: with rich it costs 0.1 s, which `maatwerk --help` should not pay)

    name = (level or os.environ.get("MAATWERK_LOG_LEVEL") or "WARNING").upper()
    numeric = logging.getLevelName(name)
    if not isinstance(numeric, int):
        numeric = logging.WARNING
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if _wants_json(log_format)
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            redact,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
