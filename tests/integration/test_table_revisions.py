"""Every shipped dated table states its next scheduled revision (issue 17, item 4).

The BVV maxima and parameters, the bijstand norms and the statutory interest rates change every
1 January and 1 July; the BIK staffel only when the Besluit changes ("none scheduled"). A value
looked up on or after the revision date is provisional, everywhere it is shown.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from importlib import resources
from pathlib import Path

import pytest

from maatwerk.adapters.legal_tables import load_bik_table, load_interest_table
from maatwerk.adapters.rules_loader import NONE_SCHEDULED, NOT_KNOWN, read_raw_table
from maatwerk.adapters.subsistence_tables import load_subsistence_tables
from maatwerk.core import InterestKind
from maatwerk.core.interest import statutory_interest
from maatwerk.core.money import Money


RULES_DIR = Path(str(resources.files("maatwerk") / "rules"))
DEMO_DIR = Path(str(resources.files("maatwerk") / "demo"))
D = dt.date

#: table -> its next scheduled revision (a date) or the words for none
EXPECTED = {
    "atw_bridge_days": D(2029, 1, 1),
    "awb_aanmaning": NONE_SCHEDULED,
    "awb_interest": NONE_SCHEDULED,
    "bijstand_norms": D(2027, 1, 1),
    "bik": NONE_SCHEDULED,
    "bik_instalments": NONE_SCHEDULED,
    "bvv_maxima": D(2027, 1, 1),
    "bvv_parameters": D(2027, 1, 1),
    "postal_delivery": NONE_SCHEDULED,
    "retention": NONE_SCHEDULED,
    "return_reasons": NONE_SCHEDULED,
    "statutory_interest_commercial": D(2027, 1, 1),
    "statutory_interest_consumer": D(2027, 1, 1),
    "vtlb_corrections": NOT_KNOWN,
}


def test_every_shipped_table_is_listed() -> None:
    assert sorted(p.stem for p in RULES_DIR.glob("*.toml")) == sorted(EXPECTED)


@pytest.mark.parametrize(("name", "expected"), sorted(EXPECTED.items()))
def test_next_revision_stated(name: str, expected: dt.date | str) -> None:
    raw = read_raw_table(name, RULES_DIR)
    assert raw.revision_stated
    assert raw.revision  # the schedule in words
    if isinstance(expected, dt.date):
        assert raw.next_revision == expected
        assert raw.next_revision > raw.entries[-1].valid_from
    else:
        assert raw.next_revision is None
        assert raw.revision.startswith(expected)
    for entry in raw.entries:
        assert entry.source.strip()


def test_demo_behaviour_table_states_none_scheduled() -> None:
    raw = read_raw_table("demo_behaviour", DEMO_DIR)
    assert raw.revision_stated
    assert raw.next_revision is None


def test_bvv_tables_values_and_sources() -> None:
    tables = load_subsistence_tables()
    july = tables.maxima.at(D(2026, 7, 1))
    assert july.value.single == Money("2208.48")
    assert "475da lid 1" in july.source
    assert tables.maxima.revision.startswith("every 1 January and 1 July")
    # 2025: maxima and norms are in the tables ([V]); the quadratic formula's huurtoeslag
    # factors, D and L were not retrieved and stay absent (never invented)
    jan25 = tables.parameters.at(D(2025, 1, 1))
    assert jan25.provisional
    assert jan25.value.zorg_threshold is None
    assert jan25.value.quad_a_one is None
    assert jan25.value.standard_premium == Decimal(2112)
    assert "NOT retrieved" in jan25.source
    assert tables.norms.at(D(2025, 7, 1)).value.single == Money("1369.06")


def test_bik_is_never_stale() -> None:
    bik = load_bik_table()
    assert bik.next_revision is None
    assert not bik.at(D(2030, 1, 1)).provisional


def test_interest_after_the_revision_is_provisional() -> None:
    table = load_interest_table(InterestKind.CONSUMER)
    # EUR 1,000 from 2026-11-01 to 2027-03-01: the part from 2027-01-01 uses the last rate,
    # marked provisional; the amount is unchanged by the split (4 %, 120 days: 13.15)
    result = statutory_interest(Money("1000"), start=D(2026, 11, 1), end=D(2027, 3, 1), table=table)
    assert [p.table.provisional for p in result.periods] == [True, True]  # 2026-07 is [U] too
    assert result.periods[-1].table.beyond_revision == D(2027, 1, 1)
    assert result.periods[0].table.beyond_revision is None
    assert result.provisional
    assert result.interest == Money("13.15")
    assert any("provisional" in note for note in result.notes)


def test_report_notes_a_period_past_the_revision() -> None:
    from maatwerk.services.reporting import revision_notes

    tables = load_subsistence_tables()
    assert revision_notes(tables, D(2026, 12, 31)) == ()
    notes = revision_notes(tables, D(2027, 2, 1))
    assert len(notes) == 3
    assert all(n.startswith("Provisional: from 2027-01-01 on") for n in notes)
