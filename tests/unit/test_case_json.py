"""The case JSON carries the debtor's housing for Rv 475da lid 7; bad values name the field."""

from __future__ import annotations

from typing import Any

import pytest

from maatwerk.adapters.case_json import parse_case_file
from maatwerk.core.debtors import Housing
from maatwerk.core.errors import InputError
from maatwerk.core.money import eur


def _doc(**debtor: Any) -> dict[str, Any]:
    return {
        "debtor": {"debtor_id": "p1", **debtor},
        "debts": [{"debt_id": "d1", "principal": "100.00", "due_date": "2026-01-01"}],
    }


def test_housing_and_owner_increase_are_read() -> None:
    file = parse_case_file(_doc(housing="own", owner_increase="150.00"))
    assert file.debtor.housing is Housing.OWN
    assert file.debtor.owner_increase == eur("150.00")
    assert file.debtor.asks_lid7


def test_no_housing_counts_as_rent() -> None:
    debtor = parse_case_file(_doc()).debtor
    assert debtor.housing is None
    assert not debtor.asks_lid7


@pytest.mark.parametrize(
    ("debtor", "field"),
    [
        ({"housing": "koop"}, "debtor.housing"),
        ({"housing": "rent", "owner_increase": "10.00"}, "debtor.owner_increase"),
        ({"owner_increase": "10.00"}, "debtor.owner_increase"),
        ({"housing": "own", "owner_increase": "-1.00"}, "debtor.owner_increase"),
    ],
)
def test_bad_values_name_the_field(debtor: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_case_file(_doc(**debtor), "case.json")
    assert caught.value.location.field == field
    assert caught.value.location.file == "case.json"
