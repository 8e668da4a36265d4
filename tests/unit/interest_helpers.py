"""Interest tables shared by the interest and charges tests (not a test module)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from maatwerk.core.interest import AwbInterestParams, InterestRate, InterestTables
from maatwerk.core.money import eur
from maatwerk.core.tables import Dated, DatedTable


def rate(percent: str | int) -> InterestRate:
    return InterestRate(percent=Decimal(percent))


AWB = DatedTable.of(
    "awb_interest",
    [
        Dated(
            dt.date(2009, 7, 1),
            AwbInterestParams(minimum_authority_creditor=eur(20), minimum_authority_debtor=eur(10)),
            "Awb 4:98 lid 2",
        )
    ],
)
"""The Awb 4:98 lid 2 minimum amounts, in force since 2009-07-01."""


def interest_tables(
    consumer: DatedTable[InterestRate], commercial: DatedTable[InterestRate]
) -> InterestTables:
    """The statutory rates given, with the Awb minimum amounts for public claims."""
    return InterestTables(consumer=consumer, commercial=commercial, awb=AWB)
