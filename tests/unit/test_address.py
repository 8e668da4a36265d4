"""The postal address: Dutch postcodes, the address block, and no letter without an address."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest

from maatwerk.core.debtors import Address, Debtor, HouseholdType, normalise_postcode
from maatwerk.core.records import CaseKey, OutboxEntry
from maatwerk.services.payloads import address_facts
from maatwerk.services.run.postal import ADDRESS_MISSING, route_postal


HOME = Address(street="Kerkstraat", house_number="12-2", postcode="1234ab", city="Utrecht")


class TestPostcode:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [("1234AB", "1234 AB"), ("1234 ab", "1234 AB"), (" 9999  zz ", "9999 ZZ")],
    )
    def test_normalised_with_one_space_and_upper_case(self, raw: str, expected: str) -> None:
        assert normalise_postcode(raw) == expected

    @pytest.mark.parametrize(
        "raw", ["0123 AB", "12345", "1234 A", "1234 SS", "AB 1234", "", "1234 ABC"]
    )
    def test_not_a_dutch_postcode(self, raw: str) -> None:
        with pytest.raises(ValueError, match="not a Dutch postcode") as caught:
            normalise_postcode(raw)
        # the message names the format, never the value (personal data)
        assert str(caught.value).startswith("is not a Dutch postcode (four digits")


class TestAddress:
    def test_lines_of_the_address_block(self) -> None:
        assert HOME.postcode == "1234 AB"
        assert HOME.lines == ("Kerkstraat 12-2", "1234 AB  UTRECHT")
        care = attrs.evolve(HOME, extra="t.a.v. bewindvoerder")
        assert care.lines == ("Kerkstraat 12-2", "t.a.v. bewindvoerder", "1234 AB  UTRECHT")

    def test_abroad_keeps_its_postcode_and_names_the_country(self) -> None:
        abroad = Address(
            street="Rue Haute", house_number="5", postcode="1000", city="Bruxelles", country="be"
        )
        assert abroad.country == "BE"
        assert abroad.lines[-1] == "BE"

    @pytest.mark.parametrize("field", ["street", "house_number", "postcode", "city"])
    def test_every_part_is_required(self, field: str) -> None:
        with pytest.raises(ValueError, match=field):
            attrs.evolve(HOME, **{field: " "})

    def test_repr_hides_the_address(self) -> None:
        assert "Kerkstraat" not in repr(HOME)
        debtor = Debtor(debtor_id="D1", name="A", household=HouseholdType.SINGLE, address=HOME)
        assert "Kerkstraat" not in repr(debtor)


def _letter(debtor_id: str = "D1") -> OutboxEntry:
    return OutboxEntry(
        case=CaseKey(debtor_id, "C1"),
        run_date=dt.date(2026, 3, 2),
        step="reminder",
        action="payment-reminder",
        channel="letters",
        debt_ids=("X1",),
        payload={"title": "Betalingsherinnering", "explanation": "U heeft nog niet betaald."},
    )


class TestNoAddressNoLetter:
    def test_a_letter_to_a_debtor_without_address_goes_to_the_work_list(self) -> None:
        debtor = Debtor(debtor_id="D1", name="A", household=HouseholdType.SINGLE)
        routed = route_postal(_letter(), debtor)
        assert (routed.channel, routed.action, routed.step) == (
            "phone-worklist",
            "phone-call",
            "reminder",
        )
        assert routed.payload[ADDRESS_MISSING] == "payment-reminder"
        assert routed.payload["explanation"].startswith("Adres ontbreekt")
        assert "Betalingsherinnering" in routed.payload["explanation"]

    def test_a_letter_to_a_debtor_with_an_address_goes_out(self) -> None:
        debtor = Debtor(debtor_id="D1", name="A", household=HouseholdType.SINGLE, address=HOME)
        assert route_postal(_letter(), debtor) == _letter()

    def test_other_channels_are_left_alone(self) -> None:
        debtor = Debtor(debtor_id="D1", name="A", household=HouseholdType.SINGLE)
        mail = attrs.evolve(_letter(), channel="email")
        assert route_postal(mail, debtor) is mail

    def test_payload_facts(self) -> None:
        debtor = Debtor(debtor_id="D1", name="A", household=HouseholdType.SINGLE, address=HOME)
        facts = address_facts(debtor)
        assert facts["address"] == ("Kerkstraat 12-2", "1234 AB  UTRECHT")
        assert facts["postal_address"] == {
            "street": "Kerkstraat",
            "house_number": "12-2",
            "postcode": "1234 AB",
            "city": "Utrecht",
            "extra": None,
            "country": "NL",
        }
        assert address_facts(attrs.evolve(debtor, address=None)) == {}
