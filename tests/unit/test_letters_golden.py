"""Every letter kind against its golden file, with the elements a B1 letter must carry.

The golden files (``tests/golden/letters/*.txt``) are the letters exactly as the stock channel
writes them from a fixed payload. A change to a letter's wording shows up as a diff here; after
checking it, regenerate with ``MAATWERK_UPDATE_GOLDEN=1 pytest tests/unit/test_letters_golden.py``.

Required elements (docs/formats/letters.md): the amount, a date, what happens next, who to call. The
readability check: short sentences (no sentence over 20 words, on average at most 12), no
jargon the debtor cannot act on.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

import attrs
import pytest

from maatwerk.adapters.channels.letters import DEBT_HELP_LINE, LETTER_KINDS, render_letter
from maatwerk.core.ports import PayloadValue
from maatwerk.testing import SAMPLE_SETTINGS, make_action


GOLDEN = Path(__file__).parent.parent / "golden" / "letters"
RUN_DATE = dt.date(2026, 3, 2)
CREDITOR = "Demo Zorg en Premie B.V."
PHONE = "088 123 45 67"
CLAIMS: tuple[PayloadValue, ...] = (
    {
        "debt_id": "B1",
        "reference": "P-2026-01",
        "category": "premium",
        "due_date": dt.date(2026, 1, 1),
        "outstanding": Decimal("150.00"),
    },
    {
        "debt_id": "B2",
        "reference": "P-2026-02",
        "category": "premium",
        "due_date": dt.date(2026, 2, 1),
        "outstanding": Decimal("150.00"),
    },
)
BASE: Mapping[str, PayloadValue] = {
    "debtor_name": "A. Voorbeeld",
    "amount": Decimal("300.00"),
    "pay_before": dt.date(2026, 3, 16),
    "creditor_name": CREDITOR,
    "creditor_phone": PHONE,
    "creditor_iban": "NL91ABNA0417164300",
    "reference": "P-2026-01",
    "claims_list": CLAIMS,
}
DATED: Mapping[str, PayloadValue] = {
    "sent_on": RUN_DATE,
    "received_on": dt.date(2026, 3, 4),
}
OFFER: Mapping[str, PayloadValue] = {
    "plan": "capacity",
    "instalment_amount": Decimal("100.00"),
    "instalment_count": 3,
    "first_instalment_on": dt.date(2026, 3, 26),
    "last_instalment_on": dt.date(2026, 5, 26),
    "last_instalment_amount": Decimal("100.00"),
    "payment_method": "transfer",
    "last_day": dt.date(2026, 3, 18),
    **DATED,
}

#: The instalments of an accepted plan (the confirmation; with a mandate the pre-notification).
DEBITS: tuple[Mapping[str, PayloadValue], ...] = tuple(
    {"date": dt.date(2026, month, 26), "amount": Decimal("100.00")} for month in (3, 4, 5)
)

#: One payload per letter (kind, variant): every kind the channel writes, and the variants a
#: debtor meets (a mandate, a running plan, a second Zvw notice).
CASES: Mapping[str, tuple[str, Mapping[str, PayloadValue]]] = {
    "courtesy-reminder": ("courtesy-reminder", {}),
    "courtesy-reminder-direct-debit": (
        "courtesy-reminder",
        {"direct_debit": True, "debtor_iban": "NL20INGB0001234567"},
    ),
    "payment-reminder": ("payment-reminder", {"debt_help_line": "yes"}),
    "plan-reminder": (
        "payment-reminder",
        {
            "debt_help_line": "yes",
            "missed_instalments": (
                {"number": 2, "due_date": dt.date(2026, 2, 26), "amount": Decimal("100.00")},
            ),
            "catch_up_by": dt.date(2026, 3, 26),
            "next_instalment_on": dt.date(2026, 3, 26),
            "next_instalment_amount": Decimal("100.00"),
        },
    ),
    "arrangement-offer": ("arrangement-offer", OFFER),
    "arrangement-offer-direct-debit": (
        "arrangement-offer",
        {
            **OFFER,
            "instalment_amount": Decimal("133.34"),
            "last_instalment_amount": Decimal("133.32"),
            "amount": Decimal("400.00"),
            "claims_list": (
                {**CLAIMS[0], "outstanding": Decimal("250.00")},  # type: ignore[dict-item]
                CLAIMS[1],
            ),
            "payment_method": "direct-debit",
            "direct_debit": True,
            "debtor_iban": "NL20INGB0001234567",
        },
    ),
    "debt-help-referral": ("debt-help-referral", {}),
    "arrangement-confirmation": (
        "arrangement-confirmation",
        {"method": "transfer", "debits": DEBITS},
    ),
    "arrangement-confirmation-direct-debit": (
        "arrangement-confirmation",
        {
            "method": "direct-debit",
            "mandate_id": "MNDT-0001",
            "creditor_sepa_id": "NL32ZZZ999999991234",
            "debits": DEBITS,
        },
    ),
    "fourteen-day-letter": (
        "fourteen-day-letter",
        {
            "collection_costs": Decimal("45.00"),
            "last_day": dt.date(2026, 3, 18),
            "debt_help_line": "yes",
            **DATED,
        },
    ),
    "zvw-notice": ("zvw-notice", {"last_day": dt.date(2026, 4, 1), **DATED}),
    "zvw-notice-second": (
        "zvw-notice",
        {"notice": "second", "last_day": dt.date(2026, 4, 1), **DATED},
    ),
    "formal-demand": (
        "formal-demand",
        {
            "collection_costs": Decimal("7.00"),
            "last_day": dt.date(2026, 3, 16),
            "debt_help_line": "yes",
            **DATED,
        },
    ),
}
DATE = re.compile(
    r"\b\d{1,2} (januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|"
    r"november|december) \d{4}\b"
)
#: Words that say what happens next (the consequence, or that nothing more happens).
NEXT = re.compile(r"\bDan\b|\bdaarna\b|Zolang", re.IGNORECASE)


def letter(name: str) -> str:
    kind, extra = CASES[name]
    payload = {**BASE, **extra}
    action = attrs.evolve(make_action(kind=kind, channel="letters", payload=payload))
    return render_letter(action, RUN_DATE, SAMPLE_SETTINGS)


def body(text: str) -> str:
    """The letter from the salutation on (the header lines are no sentences)."""
    return text[text.index("Beste ") :]


def test_every_kind_has_a_golden_case() -> None:
    assert {kind for kind, _ in CASES.values()} == set(LETTER_KINDS)


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_its_golden_file(name: str) -> None:
    text = letter(name)
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("MAATWERK_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path}: run with MAATWERK_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(CASES))
def test_required_elements(name: str) -> None:
    """The amount, a date, what happens next, who to call; and one full stop after a name."""
    text = letter(name)
    assert "€ " in text, "no amount"
    assert DATE.search(body(text)), "no date in the letter's body"
    assert NEXT.search(body(text)), "does not say what happens next"
    assert f"Bel ons op {PHONE}." in text, "no number to call"
    assert ".." not in text, "a double stop"
    assert "{" not in text, "an unfilled field"
    assert "None" not in text, "an unfilled field"


@pytest.mark.parametrize("name", sorted(CASES))
def test_readable(name: str) -> None:
    """B1: short sentences (at most 20 words, on average at most 12)."""
    text = body(letter(name)).replace("B.V.", "BV")
    sentences = [s for s in re.split(r"(?<=[.?!:])\s+", text) if re.search(r"[a-z]", s)]
    lengths = [len(s.split()) for s in sentences]
    longest = max(zip(lengths, sentences, strict=True))
    assert longest[0] <= 20, longest
    assert sum(lengths) / len(lengths) <= 12


class TestWhatEachLetterStates:
    def test_offer_states_the_plan_and_how_to_accept(self) -> None:
        text = letter("arrangement-offer")
        assert "U betaalt 3 keer € 100,00, 1 keer per maand." in text
        assert "De eerste betaling is op 26 maart 2026." in text
        assert "De laatste betaling is op 26 mei 2026." in text
        assert "U maakt het bedrag elke keer zelf over." in text
        assert "Bel ons en zeg dat u de regeling wilt. Doe dat uiterlijk 18 maart 2026." in text

    def test_offer_by_direct_debit_is_debited(self) -> None:
        text = letter("arrangement-offer-direct-debit")
        assert "U betaalt 2 keer € 133,34 en de laatste keer € 133,32." in text
        assert "Wij schrijven het bedrag elke keer af van uw rekening die eindigt op 4567." in text
        assert "Maak het bedrag over" not in text

    def test_offer_of_one_payment_says_so(self) -> None:
        kind, extra = CASES["arrangement-offer"]
        payload = {**BASE, **extra, "instalment_amount": Decimal("300.00"), "instalment_count": 1}
        text = render_letter(
            make_action(kind=kind, channel="letters", payload=payload), RUN_DATE, SAMPLE_SETTINGS
        )
        assert "Dan krijgt u meer tijd." in text
        assert "- U betaalt het hele bedrag in 1 keer: € 300,00." in text
        assert "- Dat is op 26 maart 2026." in text
        assert "- U maakt het bedrag zelf over." in text
        assert "in delen" not in text
        assert "De laatste betaling" not in text

    def test_offer_without_a_plan_names_no_amount_per_month(self) -> None:
        kind, extra = CASES["arrangement-offer"]
        payload = {
            **BASE,
            **{k: v for k, v in extra.items() if not k.startswith(("instalment", "first"))},
        }
        text = render_letter(
            make_action(kind=kind, channel="letters", payload=payload), RUN_DATE, SAMPLE_SETTINGS
        )
        assert "Ons voorstel" not in text
        assert "Dan spreken we samen een bedrag per maand af." in text

    def test_plan_reminder_asks_for_the_instalment_not_the_balance(self) -> None:
        text = letter("plan-reminder")
        assert "De betaling van € 100,00 van 26 februari 2026" in text
        assert "Wilt u € 100,00 betalen? Doe dat uiterlijk 26 maart 2026." in text
        assert "€ 300,00" not in text

    def test_mandate_is_debited_not_transferred(self) -> None:
        text = letter("courtesy-reminder-direct-debit")
        assert "Wij schrijven € 300,00 op of kort na 16 maart 2026 af" in text
        assert "Maak het bedrag over" not in text

    @pytest.mark.parametrize("name", ["payment-reminder", "fourteen-day-letter", "formal-demand"])
    def test_debt_help_when_the_step_offers_it(self, name: str) -> None:
        assert DEBT_HELP_LINE in letter(name)

    def test_no_debt_help_line_unless_the_step_offers_it(self) -> None:
        assert DEBT_HELP_LINE not in letter("courtesy-reminder")

    def test_claims_itemised_with_references(self) -> None:
        text = letter("fourteen-day-letter")
        assert "- Zorgpremie, kenmerk P-2026-01, te betalen op 1 januari 2026: nog € 150,00" in text
        assert (
            "- Zorgpremie, kenmerk P-2026-02, te betalen op 1 februari 2026: nog € 150,00" in text
        )

    def test_one_full_stop_after_a_name_ending_in_a_dot(self) -> None:
        text = letter("payment-reminder")
        assert f"ten name van {CREDITOR}\n" in text
        assert "B.V.." not in text
