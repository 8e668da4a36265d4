"""Small text helpers for explanations: dates and amounts in Dutch (B1) and English."""

from __future__ import annotations

import datetime as dt
from typing import Final, Literal

from maatwerk.core.money import Money


__all__ = ["LANGS", "Lang", "amount", "channel", "contact_channel", "contact_outcome", "date"]

Lang = Literal["nl", "en"]
LANGS: Final[tuple[Lang, ...]] = ("nl", "en")

_MONTHS_NL: Final = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)


def date(day: dt.date, lang: str) -> str:
    """``1 maart 2026`` in Dutch; ISO ``2026-03-01`` in English (unambiguous in logs and mail)."""
    if lang == "nl":
        return f"{day.day} {_MONTHS_NL[day.month - 1]} {day.year}"
    return day.isoformat()


def amount(money: Money, lang: str) -> str:
    """``€ 1.234,56`` in Dutch; ``EUR 1,234.56`` in English."""
    plain = f"{money.rounded().amount:,.{money.exponent}f}"
    if lang == "nl":
        symbol = "€" if money.currency == "EUR" else money.currency
        return f"{symbol} " + plain.replace(",", "_").replace(".", ",").replace("_", ".")
    return f"{money.currency} {plain}"


#: Dutch (B1) words for the stock channel names; other names are shown as they are.
_CHANNELS_NL: Final = {
    "letters": "een brief",
    "phone-worklist": "de bellijst",
    "sepa-direct-debit": "een nieuwe incasso",
    "municipal": "de gemeente",
    "bailiff": "de deurwaarder",
    "source-deduction": "inhouding op loon of uitkering",
    "cak-report": "een melding aan het CAK",
    "ledger": "de administratie",
}
_CONTACT_CHANNELS_NL: Final = {
    "phone": "telefoon",
    "letter": "brief",
    "email": "e-mail",
    "sms": "sms",
    "visit": "huisbezoek",
}
_OUTCOMES_NL: Final = {
    "reached": "gesproken",
    "no-answer": "niet opgenomen",
    "promise": "belooft te betalen",
    "dispute": "is het niet eens met de rekening",
    "cant-pay": "kan niet betalen",
    "wont-pay": "wil niet betalen",
}


def channel(name: str, lang: str) -> str:
    """How a step goes out: a Dutch phrase for a stock channel, else the name itself."""
    return _CHANNELS_NL.get(name, name) if lang == "nl" else name


def contact_channel(value: str, lang: str) -> str:
    """A contact channel (``phone``) as a Dutch word (``telefoon``) or as is in English."""
    return _CONTACT_CHANNELS_NL.get(value, value) if lang == "nl" else value


def contact_outcome(value: str, lang: str) -> str:
    """A contact outcome (``no-answer``) in Dutch (``niet opgenomen``) or as is in English."""
    return _OUTCOMES_NL.get(value, value) if lang == "nl" else value
