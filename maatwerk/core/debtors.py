"""Debtors and households (debiteur, huishouden).

The household type decides the protected income (Rv 475da: alleenstaande, alleenstaande ouder,
gehuwd zonder / met kinderen). Incomes are monthly unless the name says otherwise.
"""

from __future__ import annotations

import enum

import attrs

from maatwerk.core._convert import to_member
from maatwerk.core.money import Money


__all__ = ["Debtor", "HouseholdType"]


class HouseholdType(enum.Enum):
    """Household type under Rv 475da lid 1 (with 475ab and 475ga lid 2)."""

    SINGLE = "single"
    """alleenstaande"""
    SINGLE_PARENT = "single-parent"
    """alleenstaande ouder"""
    COUPLE = "couple"
    """gehuwd of samenwonend, geen kinderen"""
    COUPLE_CHILDREN = "couple-children"
    """gehuwd of samenwonend, met kind(eren)"""

    @property
    def is_one_person(self) -> bool:
        """One-person household in the sense of the huurtoeslag terms (F vs G)."""
        return self is HouseholdType.SINGLE

    @property
    def has_partner(self) -> bool:
        return self in (HouseholdType.COUPLE, HouseholdType.COUPLE_CHILDREN)

    @classmethod
    def parse(cls, value: str) -> HouseholdType:
        normalised = value.strip().lower().replace("_", "-")
        for member in cls:
            if member.value == normalised:
                return member
        choices = ", ".join(m.value for m in cls)
        raise ValueError(f"unknown household type {value!r}; expected one of {choices}")


# ---------------------------------------------------------------------- enum converters
# A value string becomes the member, anything else a ValueError (see maatwerk.core._convert).
def to_household_type(value: HouseholdType | str) -> HouseholdType:
    return value if type(value) is HouseholdType else to_member(HouseholdType, value)


@attrs.frozen(kw_only=True)
class Debtor:
    """A person who owes money, with what the engine needs to treat them fairly.

    ``net_monthly_income`` includes the monthly share of holiday pay (vakantiebijslag), as the
    95 % cap of Rv 475dc lid 1 requires. ``payday`` is the day of the month income arrives
    (1-31; instalments are planned just after it). No personal data is logged; the BSN is kept
    only where a deployment opts in (``bsn`` stays ``None`` otherwise).
    """

    debtor_id: str
    name: str
    household: HouseholdType = attrs.field(converter=to_household_type)
    net_monthly_income: Money | None = None
    gross_annual_income: Money | None = None
    payday: int = 25
    iban: str | None = None
    email: str | None = None
    phone: str | None = None
    segment: str = "default"
    on_bijstand: bool = False
    has_brp_address: bool = True
    vulnerable: bool = False
    deceased: bool = False
    bsn: str | None = attrs.field(default=None, repr=False)

    def __attrs_post_init__(self) -> None:
        if not 1 <= self.payday <= 31:
            raise ValueError(f"payday must be a day of the month (1-31), got {self.payday}")
