"""Small text helpers for explanations: dates and amounts in Dutch (B1) and English."""

from __future__ import annotations

import datetime as dt
from typing import Final, Literal

from maatwerk.core.money import Money


__all__ = ["LANGS", "Lang", "amount", "date"]

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
