"""Debtors and households (debiteur, huishouden).

The household type decides the protected income (Rv 475da: alleenstaande, alleenstaande ouder,
gehuwd zonder / met kinderen). Incomes are monthly unless the name says otherwise.
"""

from __future__ import annotations

import enum

import attrs

from maatwerk.core._convert import to_member
from maatwerk.core.money import Money


__all__ = ["Debtor", "HouseholdType", "Housing"]


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


class Housing(enum.Enum):
    """How the debtor lives, as far as the protected income asks (Rv 475da lid 7).

    ``None`` on a :class:`Debtor` (not known) is treated as :attr:`RENT`: the BVV formula of
    lid 2 already counts a huurtoeslag-eligible rent.
    """

    RENT = "rent"
    """huurwoning met recht op huurtoeslag (the lid-2 formula covers the rent)"""
    OWN = "own"
    """eigen woning (owner-occupier): lid 7 increase on request, below its income limit"""
    RENT_NO_HUURTOESLAG = "rent-no-huurtoeslag"
    """huurwoning zonder recht op huurtoeslag (Wht art. 11): lid 7 as for an owner-occupier"""

    @property
    def asks_lid7(self) -> bool:
        """The debtor's housing is one Rv 475da lid 7 raises the BVV for (on request)."""
        return self is not Housing.RENT

    @classmethod
    def parse(cls, value: str) -> Housing:
        normalised = value.strip().lower().replace("_", "-")
        for member in cls:
            if member.value == normalised:
                return member
        choices = ", ".join(m.value for m in cls)
        raise ValueError(f"unknown housing {value!r}; expected one of {choices}")


# ---------------------------------------------------------------------- enum converters
# A value string becomes the member, anything else a ValueError (see maatwerk.core._convert).
def to_household_type(value: HouseholdType | str) -> HouseholdType:
    return value if type(value) is HouseholdType else to_member(HouseholdType, value)


def to_housing(value: Housing | str | None) -> Housing | None:
    if value is None or type(value) is Housing:
        return value
    return to_member(Housing, value)


@attrs.frozen(kw_only=True)
class Debtor:
    """A person who owes money, with what the engine needs to treat them fairly.

    ``net_monthly_income`` includes the monthly share of holiday pay (vakantiebijslag), as the
    95 % cap of Rv 475dc lid 1 requires. ``payday`` is the day of the month income arrives
    (1-31; instalments are planned just after it). No personal data is logged; the BSN is kept
    only where a deployment opts in (``bsn`` stays ``None`` otherwise).

    ``housing``: rent (huurtoeslag-eligible), own, or rent without huurtoeslag; ``None`` (not
    known) counts as rent. For ``own`` and ``rent-no-huurtoeslag`` the protected income is
    computed with the Rv 475da lid 7 request; ``owner_increase`` is the monthly increase a
    person determined per the Besluit beslagvrije voet (the engine cannot compute it), only
    with such housing.
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
    housing: Housing | None = attrs.field(default=None, converter=to_housing)
    owner_increase: Money | None = None

    def __attrs_post_init__(self) -> None:
        if not 1 <= self.payday <= 31:
            raise ValueError(f"payday must be a day of the month (1-31), got {self.payday}")
        if self.owner_increase is not None:
            if self.owner_increase.is_negative:
                raise ValueError("owner_increase must be at least 0")
            if not self.asks_lid7:
                raise ValueError(
                    "owner_increase is only for housing 'own' or 'rent-no-huurtoeslag' "
                    "(Rv 475da lid 7)"
                )

    @property
    def asks_lid7(self) -> bool:
        """The protected income is computed with the Rv 475da lid 7 request (own home, or a
        rental without huurtoeslag)."""
        return self.housing is not None and self.housing.asks_lid7
