"""Load the legal rule tables (BIK, statutory interest, Awb fees) into typed core parameters.

One function per table; each reads ``maatwerk/rules/<name>.toml`` with
:func:`maatwerk.adapters.rules_loader.load_table` on first use and caches the result (nothing is
read at import time). Pass ``directory`` to read the same table from another folder (tests, an
organisation's own copy); each directory is cached separately.
"""

from __future__ import annotations

import functools
from decimal import Decimal
from pathlib import Path

from maatwerk.adapters.rules_loader import Values, dec, flag, load_table, money
from maatwerk.core.calendar import PostalDelivery
from maatwerk.core.collection_costs import AanmaningParams, BikBand, BikParams, InstalmentRule
from maatwerk.core.debts import InterestKind
from maatwerk.core.errors import RuleTableError
from maatwerk.core.interest import AwbInterestParams, InterestRate
from maatwerk.core.retention import RetentionParams
from maatwerk.core.tables import DatedTable


__all__ = [
    "AWB_AANMANING",
    "AWB_INTEREST",
    "BIK",
    "BIK_INSTALMENTS",
    "INTEREST_TABLES",
    "POSTAL_DELIVERY",
    "RETENTION",
    "load_aanmaning_table",
    "load_awb_interest_table",
    "load_bik_instalment_table",
    "load_bik_table",
    "load_interest_table",
    "load_postal_table",
    "load_retention_table",
]

BIK = "bik"
BIK_INSTALMENTS = "bik_instalments"
AWB_AANMANING = "awb_aanmaning"
AWB_INTEREST = "awb_interest"
POSTAL_DELIVERY = "postal_delivery"
RETENTION = "retention"
INTEREST_TABLES = {
    InterestKind.CONSUMER: "statutory_interest_consumer",
    InterestKind.COMMERCIAL: "statutory_interest_commercial",
}


def _decimals(values: Values, key: str) -> list[Decimal]:
    raw = values.require(key)
    if not isinstance(raw, list) or not raw:
        raise RuleTableError("expected a non-empty list of numbers", values.where(key))
    result: list[Decimal] = []
    for item in raw:
        if isinstance(item, bool) or not isinstance(item, (int, Decimal)):
            raise RuleTableError(f"expected numbers, got {item!r}", values.where(key))
        result.append(Decimal(item))
    return result


def _bik(values: Values) -> BikParams:
    values.check_keys({"bands_up_to", "band_rates", "minimum", "maximum", "vat_rate"})
    limits = _decimals(values, "bands_up_to")
    rates = _decimals(values, "band_rates")
    if len(rates) != len(limits) + 1:
        raise RuleTableError(
            "band_rates needs one rate more than bands_up_to (the last band is open-ended)",
            values.where("band_rates"),
        )
    bands = tuple(
        BikBand(up_to=limits[i] if i < len(limits) else None, rate=rate)
        for i, rate in enumerate(rates)
    )
    try:
        return BikParams(
            bands=bands,
            minimum=money(values, "minimum"),
            maximum=money(values, "maximum"),
            vat_rate=dec(values, "vat_rate"),
        )
    except RuleTableError as exc:
        raise RuleTableError(exc.message, values.where("bands_up_to")) from None


def _instalment_rule(values: Values) -> InstalmentRule:
    values.check_keys({"applies", "window_months"})
    months = dec(values, "window_months")
    if months < 0 or months != months.to_integral_value():
        raise RuleTableError("must be a whole number of months", values.where("window_months"))
    return InstalmentRule(applies=flag(values, "applies"), window_months=int(months))


def _aanmaning(values: Values) -> AanmaningParams:
    values.check_keys({"threshold", "fee_low", "fee_high"})
    return AanmaningParams(
        threshold=money(values, "threshold"),
        fee_low=money(values, "fee_low"),
        fee_high=money(values, "fee_high"),
    )


def _retention(values: Values) -> RetentionParams:
    values.check_keys({"fiscal_years"})
    years = dec(values, "fiscal_years")
    if years != years.to_integral_value() or years < 1:
        raise RuleTableError("expected a whole number of years", values.where("fiscal_years"))
    return RetentionParams(fiscal_years=int(years))


def _awb_interest(values: Values) -> AwbInterestParams:
    values.check_keys({"minimum_authority_creditor", "minimum_authority_debtor"})
    return AwbInterestParams(
        minimum_authority_creditor=money(values, "minimum_authority_creditor"),
        minimum_authority_debtor=money(values, "minimum_authority_debtor"),
    )


def _postal(values: Values) -> PostalDelivery:
    values.check_keys({"receipt_days", "saturday", "monday"})
    days = dec(values, "receipt_days")
    if days < 0 or days != days.to_integral_value():
        raise RuleTableError(
            "must be a whole number of days, 0 or more", values.where("receipt_days")
        )
    return PostalDelivery(
        receipt_days=int(days), saturday=flag(values, "saturday"), monday=flag(values, "monday")
    )


def _rate(values: Values) -> InterestRate:
    values.check_keys({"rate_percent"})
    rate = dec(values, "rate_percent")
    if not 0 <= rate < 100:
        raise RuleTableError("a rate in percent between 0 and 100", values.where("rate_percent"))
    return InterestRate(percent=rate)


@functools.cache
def load_bik_table(directory: Path | None = None) -> DatedTable[BikParams]:
    """``rules/bik.toml``: the BIK staffel, minimum, maximum and VAT rate."""
    return load_table(BIK, _bik, directory)


@functools.cache
def load_bik_instalment_table(directory: Path | None = None) -> DatedTable[InstalmentRule]:
    """``rules/bik_instalments.toml``: BW 6:96 lid 8 (provisional from 2024-10-01)."""
    return load_table(BIK_INSTALMENTS, _instalment_rule, directory)


@functools.cache
def load_aanmaning_table(directory: Path | None = None) -> DatedTable[AanmaningParams]:
    """``rules/awb_aanmaning.toml``: the Awb 4:113 aanmaning fee."""
    return load_table(AWB_AANMANING, _aanmaning, directory)


@functools.cache
def load_retention_table(directory: Path | None = None) -> DatedTable[RetentionParams]:
    """``rules/retention.toml``: the years bookkeeping records about a person are kept."""
    return load_table(RETENTION, _retention, directory)


@functools.cache
def load_awb_interest_table(directory: Path | None = None) -> DatedTable[AwbInterestParams]:
    """``rules/awb_interest.toml``: the Awb 4:98 lid 2 minimum interest amounts."""
    return load_table(AWB_INTEREST, _awb_interest, directory)


@functools.cache
def load_interest_table(
    kind: InterestKind = InterestKind.CONSUMER, directory: Path | None = None
) -> DatedTable[InterestRate]:
    """The statutory interest rates of ``kind`` (consumer 6:119 or commercial 6:119a)."""
    try:
        name = INTEREST_TABLES[kind]
    except KeyError:
        raise RuleTableError(f"no statutory interest table for kind {kind.value!r}") from None
    return load_table(name, _rate, directory)


@functools.cache
def load_postal_table(directory: Path | None = None) -> DatedTable[PostalDelivery]:
    """``rules/postal_delivery.toml``: days a letter is under way and the delivery weekdays."""
    return load_table(POSTAL_DELIVERY, _postal, directory)
