"""EPC rule checks for SEPA direct debits (maatwerk.adapters.sepa._rules)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sepa_helpers import SEPA_CREDITOR, direct_debit

from maatwerk.adapters.sepa import (
    DirectDebit,
    DirectDebitMessage,
    MandateAmendment,
    Remittance,
    check_id,
    check_message,
    clean_name,
    clean_text,
    is_sepa_text,
    target_calendar,
)
from maatwerk.core.money import Money, eur


CAL = target_calendar(2025, 2028)
CREATED = dt.datetime(2026, 11, 23, 10, 0)  # a Monday


def message(*items: DirectDebit, **changes: Any) -> DirectDebitMessage:
    base = DirectDebitMessage(
        message_id="MW-20261123", created_at=CREATED, collections=items or (direct_debit(),)
    )
    return attrs.evolve(base, **changes)


def fields(msg: DirectDebitMessage) -> list[str]:
    return [str(i.location.field) for i in check_message(msg, is_business_day=CAL.is_business_day)]


class TestCharacterSet:
    """Free text is transliterated to the EPC basic Latin set; identifiers are not."""

    @pytest.mark.parametrize(
        ("raw", "clean"),
        [
            ("é", "e"),
            ("Çelik-Ñúñez", "Celik-Nunez"),
            ("Straße", "Strasse"),
            ("Søren Æbelø", "Soren AEbelo"),
            ("Jansen & Zn", "Jansen + Zn"),
            ('"quoted"', "'quoted'"),
            ("<b>", "(b)"),
            ("€ 12", "EUR 12"),
            ("Łódź", "Lodz"),
            ("Zoë Brontë", "Zoe Bronte"),
        ],
    )
    def test_transliteration(self, raw: str, clean: str) -> None:
        assert clean_text(raw) == clean
        assert is_sepa_text(clean_text(raw))

    @given(st.text(alphabet='abcXYZ019 àáâãäåçèéêëìíîïñòóôõöùúûüýÿÀÉÖÜßæøœÆØŒ&"<>€–—_;!’“”'))
    def test_latin_text_always_becomes_sepa_text(self, text: str) -> None:
        assert is_sepa_text(clean_text(text))

    def test_names_are_cut_to_70(self) -> None:
        assert len(clean_name("a" * 100)) == 70

    def test_untransliterable_name_is_an_error(self) -> None:
        assert fields(message(direct_debit(debtor_name="李小龍"))) == ["collection[1].debtor_name"]


class TestIdentifiers:
    """Ids have 1-35 SEPA characters, no leading/trailing '/' and no '//'."""

    @pytest.mark.parametrize("good", ["A", "MW-2026-0001", "a/b", "x" * 35, "E2E:1(2).3,4'5+6?"])
    def test_good(self, good: str) -> None:
        assert check_id(good, what="id") == []

    @pytest.mark.parametrize(
        ("bad", "words"),
        [
            ("", "empty"),
            ("x" * 36, "36 characters"),
            ("/abc", "start or end"),
            ("abc/", "start or end"),
            ("a//b", "'//'"),
            ("a&b", "outside the SEPA set"),
            ("é1", "outside the SEPA set"),
            (" a", "space"),
        ],
    )
    def test_bad(self, bad: str, words: str) -> None:
        problems = check_id(bad, what="id")
        assert problems
        assert any(words in p for p in problems), problems

    def test_duplicate_end_to_end_id(self) -> None:
        msg = message(direct_debit(), direct_debit(mandate_id="MNDT-0002"))
        assert fields(msg) == ["collection[2].end_to_end_id"]

    def test_bad_message_id(self) -> None:
        assert "message_id" in fields(message(message_id="MW//1"))


class TestAmounts:
    """Amounts are EUR, 0.01 to 999,999,999.99, with at most two decimals."""

    @pytest.mark.parametrize("good", ["0.01", "1", "12.50", "999999999.99"])
    def test_good(self, good: str) -> None:
        assert fields(message(direct_debit(amount=eur(good)))) == []

    @pytest.mark.parametrize("bad", ["0", "0.00", "-1.00", "1000000000.00", "1.234"])
    def test_bad(self, bad: str) -> None:
        assert fields(message(direct_debit(amount=eur(bad)))) == ["collection[1].amount"]

    def test_other_currency(self) -> None:
        assert fields(message(direct_debit(amount=Money("10", "USD")))) == ["collection[1].amount"]

    def test_floats_never_become_money(self) -> None:
        with pytest.raises(ValueError, match="float"):
            eur(12.5)  # type: ignore[arg-type]


class TestCollectionDate:
    """The collection date is a TARGET business day at least one business day after creation."""

    @pytest.mark.parametrize(
        ("created", "collection_date", "ok"),
        [
            (dt.datetime(2026, 11, 23, 10), dt.date(2026, 11, 24), True),  # Mon -> Tue
            (dt.datetime(2026, 11, 23, 10), dt.date(2026, 11, 23), False),  # same day
            (dt.datetime(2026, 11, 20, 10), dt.date(2026, 11, 23), True),  # Fri -> Mon
            (dt.datetime(2026, 11, 21, 10), dt.date(2026, 11, 23), False),  # Sat -> Mon
            (dt.datetime(2026, 11, 23, 10), dt.date(2026, 11, 28), False),  # a Saturday
            (dt.datetime(2026, 3, 30, 10), dt.date(2026, 4, 3), False),  # Good Friday
            (dt.datetime(2026, 3, 30, 10), dt.date(2026, 4, 6), False),  # Easter Monday
            (dt.datetime(2026, 4, 2, 10), dt.date(2026, 4, 7), True),  # Thu -> Tue after Easter
            (dt.datetime(2026, 4, 3, 10), dt.date(2026, 4, 7), False),  # created on Good Friday
            (dt.datetime(2026, 12, 24, 10), dt.date(2026, 12, 28), True),  # Christmas in between
            (dt.datetime(2026, 12, 25, 10), dt.date(2026, 12, 28), False),
            (dt.datetime(2026, 4, 30, 10), dt.date(2026, 5, 1), False),  # Labour Day closed
        ],
    )
    def test_d_minus_one(self, created: dt.datetime, collection_date: dt.date, ok: bool) -> None:
        msg = message(direct_debit(collection_date=collection_date), created_at=created)
        assert fields(msg) == ([] if ok else ["collection[1].collection_date"])

    def test_mandate_signed_after_creation(self) -> None:
        late = direct_debit(mandate_date=dt.date(2026, 11, 24))
        assert fields(message(late)) == ["collection[1].mandate_date"]


class TestAccountsAndReferences:
    """IBANs, BICs, the creditor identifier and RF references are checked."""

    def test_bad_debtor_iban(self) -> None:
        assert fields(message(direct_debit(debtor_iban="NL45RABO0123456789"))) == [
            "collection[1].debtor_iban"
        ]

    def test_bad_bic(self) -> None:
        assert fields(message(direct_debit(debtor_bic="XX"))) == ["collection[1].debtor_bic"]

    @pytest.mark.parametrize("creditor_id", ["NL32ZZZ999999991234", "NL32 ZZZ 999999991234"])
    def test_good_creditor_id(self, creditor_id: str) -> None:
        creditor = attrs.evolve(SEPA_CREDITOR, creditor_id=creditor_id)
        assert fields(message(direct_debit(creditor=creditor))) == []

    def test_bad_creditor_id(self) -> None:
        creditor = attrs.evolve(SEPA_CREDITOR, creditor_id="NL33ZZZ999999991234")
        assert fields(message(direct_debit(creditor=creditor))) == ["creditor_id"]

    def test_rf_reference(self) -> None:
        good = direct_debit(remittance=Remittance(creditor_reference="RF18539007547034"))
        bad = direct_debit(
            end_to_end_id="E2", remittance=Remittance(creditor_reference="RF19539007547034")
        )
        assert fields(message(good, bad)) == ["collection[2].remittance"]

    def test_remittance_over_140_is_an_error(self) -> None:
        long = direct_debit(remittance=Remittance(unstructured="x" * 141))
        assert fields(message(long)) == ["collection[1].remittance"]

    def test_both_remittance_kinds_is_an_error(self) -> None:
        both = Remittance(unstructured="x", creditor_reference="RF18539007547034")
        assert fields(message(direct_debit(remittance=both))) == ["collection[1].remittance"]

    def test_amendment_needs_content_and_valid_values(self) -> None:
        empty = direct_debit(amendment=MandateAmendment())
        bad = direct_debit(
            end_to_end_id="E2",
            amendment=MandateAmendment(
                original_debtor_iban="NL00RABO0123456789", original_creditor_id="XX"
            ),
        )
        assert fields(message(empty, bad)) == [
            "collection[1].amendment",
            "collection[2].amendment.original_creditor_id",
            "collection[2].amendment.original_debtor_iban",
        ]


class TestEveryProblemIsListed:
    """All bad collections and fields are reported at once, with their EndToEndId."""

    def test_many(self) -> None:
        msg = message(
            direct_debit(),
            direct_debit(end_to_end_id="E//2", amount=eur("0.00")),
            direct_debit(
                end_to_end_id="E3", debtor_iban="X", collection_date=dt.date(2026, 11, 28)
            ),
        )
        issues = check_message(msg, is_business_day=CAL.is_business_day, lines=[2, 3, 4])
        found = sorted((i.location.line, i.location.field, i.end_to_end_id) for i in issues)
        assert found == [
            (3, "amount", "E//2"),
            (3, "end_to_end_id", "E//2"),
            (4, "collection_date", "E3"),
            (4, "debtor_iban", "E3"),
        ]

    def test_empty_message(self) -> None:
        msg = DirectDebitMessage(message_id="M", created_at=CREATED, collections=())
        assert fields(msg) == ["collections"]
