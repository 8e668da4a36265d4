"""structlog configuration: JSON in production, readable in a terminal, no personal data.

Only the composition root (:func:`maatwerk.adapters.logging.configure_logging`, called from the
CLI) configures structlog. Modules use ``structlog.get_logger()`` and stable snake_case events.
The :func:`redact` processor removes values of keys that may carry personal data (names, IBANs,
BSNs, addresses, e-mail, phone) and masks anything in a value that looks like an IBAN or a BSN.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import MutableMapping
from typing import Any, Final

import structlog


__all__ = ["PERSONAL_KEYS", "configure_logging", "redact"]

PERSONAL_KEYS: Final = frozenset(
    {
        "name",
        "debtor_name",
        "iban",
        "debtor_iban",
        "bsn",
        "address",
        "email",
        "phone",
        "note",
        "birth_date",
    }
)
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}[A-Z0-9]{10,30}\b")
_BSN = re.compile(r"\b\d{9}\b")


def _mask(value: Any) -> Any:
    if isinstance(value, str):
        return _BSN.sub("[bsn]", _IBAN.sub("[iban]", value))
    return value


def redact(
    _logger: object, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: drop personal fields, mask IBAN/BSN look-alikes in the rest."""
    for key in list(event_dict):
        if key in PERSONAL_KEYS:
            event_dict[key] = "[redacted]"
        else:
            event_dict[key] = _mask(event_dict[key])
    return event_dict


def configure_logging(level: str | None = None, *, json: bool | None = None) -> None:
    """Configure structlog once. Level from ``MAATWERK_LOG_LEVEL`` (default WARNING).

    Logs go to stderr so that ``--json`` output on stdout stays machine-readable.
    """
    name = (level or os.environ.get("MAATWERK_LOG_LEVEL") or "WARNING").upper()
    numeric = logging.getLevelName(name)
    if not isinstance(numeric, int):
        numeric = logging.WARNING
    use_json = (not sys.stderr.isatty()) if json is None else json
    renderer: Any = (
        structlog.processors.JSONRenderer() if use_json else structlog.dev.ConsoleRenderer()
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
