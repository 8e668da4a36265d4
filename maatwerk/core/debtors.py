"""Debtors and households (debiteur, huishouden).

The household type decides the protected income (Rv 475da: alleenstaande, alleenstaande ouder,
gehuwd zonder / met kinderen). Incomes are monthly unless the name says otherwise.
"""

from __future__ import annotations

import enum
import re

import attrs

from maatwerk.core._convert import to_member
from maatwerk.core.money import Money


__all__ = ["Address", "Debtor", "HouseholdType", "Housing", "normalise_postcode"]


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


_NL_POSTCODE = re.compile(r"([1-9][0-9]{3})\s*([A-Z]{2})")
#: Letter pairs PostNL never issues (SA, SD, SS).
_NO_POSTCODE_LETTERS = frozenset({"SA", "SD", "SS"})


def normalise_postcode(value: str) -> str:
    """A Dutch postcode as ``1234 AB`` (one space, upper case); ``ValueError`` otherwise.

    Accepts ``1234ab``, ``1234 AB`` and surrounding spaces; four digits (no leading zero)
    and two letters, never SA, SD or SS.
    """
    match = _NL_POSTCODE.fullmatch(value.strip().upper())
    if match is None or match.group(2) in _NO_POSTCODE_LETTERS:
        # the value itself is personal data: the message names the format, not the value
        raise ValueError("is not a Dutch postcode (four digits and two letters, e.g. 1234 AB)")
    return f"{match.group(1)} {match.group(2)}"


def _check_country(value: str) -> str:
    code = value.strip().upper()
    if len(code) != 2 or not code.isalpha():
        raise ValueError("country is not a two-letter country code (e.g. NL)")
    return code


@attrs.frozen(kw_only=True)
class Address:
    """A postal address (the debtor's, for letters, dossiers and signals).

    ``street`` and ``house_number`` (with any addition: ``12``, ``12-2``, ``12 bis``) are both
    required, as are ``postcode`` and ``city``; ``extra`` is an optional line (c/o, a care
    address). ``country`` is an ISO 3166 two-letter code; for ``NL`` the postcode is checked
    and written as ``1234 AB``. Personal data: never logged (``repr`` hides it).
    """

    street: str = attrs.field(repr=False)
    house_number: str = attrs.field(repr=False)
    postcode: str = attrs.field(repr=False)
    city: str = attrs.field(repr=False)
    extra: str | None = attrs.field(default=None, repr=False)
    country: str = attrs.field(default="NL", converter=_check_country)

    def __attrs_post_init__(self) -> None:
        for name in ("street", "house_number", "postcode", "city"):
            if not getattr(self, name).strip():
                raise ValueError(f"address {name} is required")
        if self.country == "NL":
            object.__setattr__(self, "postcode", normalise_postcode(self.postcode))

    @property
    def lines(self) -> tuple[str, ...]:
        """The address block under the name: street and number, the extra line, postcode and
        city (two spaces between them, as PostNL asks), and the country when not NL."""
        lines = [f"{self.street} {self.house_number}"]
        if self.extra:
            lines.append(self.extra)
        lines.append(f"{self.postcode}  {self.city.upper()}")
        if self.country != "NL":
            lines.append(self.country)
        return tuple(lines)


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

    ``address``: the postal address (:class:`Address`), ``None`` when the creditor has none:
    then no letter goes out and the run puts the step on the phone work list ("address
    missing").
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
    address: Address | None = attrs.field(default=None, repr=False)
    """postal address; without one no letter is sent (the step goes to the phone work list)"""

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
