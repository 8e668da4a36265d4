"""Dated tables find the entry in force on a date and report their version."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from maatwerk.adapters.rules_loader import dec, load_table
from maatwerk.core.errors import NoRuleForDateError, RuleTableError
from maatwerk.core.tables import Dated, DatedTable


D = dt.date

TABLE = DatedTable.of(
    "rate",
    [
        Dated(D(2025, 1, 1), 6, "Stb. 2024, 409"),
        Dated(D(2026, 1, 1), 4, "Stb. 2025, 427", provisional=True),
    ],
)


class TestDatedTable:
    """Lookups pick the last entry on or before the date."""

    def test_at(self) -> None:
        assert TABLE.value_at(D(2025, 12, 31)) == 6
        assert TABLE.value_at(D(2026, 1, 1)) == 4
        assert str(TABLE.at(D(2026, 3, 1)).version) == "rate@2026-01-01 (provisional)"

    def test_before_first_entry(self) -> None:
        with pytest.raises(NoRuleForDateError, match="2024-12-31"):
            TABLE.at(D(2024, 12, 31))

    def test_between_splits_periods(self) -> None:
        parts = [(a, b, e.value) for a, b, e in TABLE.between(D(2025, 11, 1), D(2026, 2, 1))]
        assert parts == [(D(2025, 11, 1), D(2026, 1, 1), 6), (D(2026, 1, 1), D(2026, 2, 1), 4)]

    def test_unsorted_entries_refused(self) -> None:
        with pytest.raises(RuleTableError):
            DatedTable("x", (Dated(D(2026, 1, 1), 1, "s"), Dated(D(2025, 1, 1), 2, "s")))


class TestLoader:
    """The TOML loader reads decimals exactly and names file and field on errors."""

    def write(self, tmp_path: Path, body: str) -> Path:
        (tmp_path / "demo.toml").write_text(body, encoding="utf-8")
        return tmp_path

    def test_reads_decimals_exactly(self, tmp_path: Path) -> None:
        folder = self.write(
            tmp_path,
            'table = "demo"\n[[entry]]\nvalid_from = 2026-01-01\nsource = "s"\n[entry.values]\nx = 0.1\n',
        )
        table = load_table("demo", lambda v: dec(v, "x"), folder)
        assert str(table.value_at(D(2026, 6, 1))) == "0.1"

    def test_missing_source_names_the_field(self, tmp_path: Path) -> None:
        folder = self.write(tmp_path, 'table = "demo"\n[[entry]]\nvalid_from = 2026-01-01\n')
        with pytest.raises(RuleTableError, match=r"demo\.toml.*entry\[0\]\.source"):
            load_table("demo", lambda v: v, folder)

    def test_typo_in_values_names_the_field(self, tmp_path: Path) -> None:
        folder = self.write(
            tmp_path,
            'table = "demo"\n[[entry]]\nvalid_from = 2026-01-01\nsource = "s"\n[entry.values]\ny = 1\n',
        )
        with pytest.raises(RuleTableError, match=r"entry\[0\]\.values\.x"):
            load_table("demo", lambda v: dec(v, "x"), folder)


REVISED = DatedTable.of(
    "maxima",
    [Dated(D(2026, 1, 1), 100, "Rv 2026-01-01"), Dated(D(2026, 7, 1), 101, "Rv 2026-07-01")],
    next_revision=D(2027, 1, 1),
    revision="every 1 January and 1 July",
)


class TestNextRevision:
    """On or after the next scheduled revision the last figures are provisional, and say why."""

    def test_before_the_revision_is_not_provisional(self) -> None:
        entry = REVISED.at(D(2026, 12, 31))
        assert not entry.provisional
        assert entry.beyond_revision is None
        assert entry.version.note == ""

    def test_on_and_after_the_revision_is_provisional(self) -> None:
        for day in (D(2027, 1, 1), D(2027, 1, 15)):
            entry = REVISED.at(day)
            assert entry.value == 101
            assert entry.provisional
            assert entry.beyond_revision == D(2027, 1, 1)
        version = REVISED.at(D(2027, 1, 15)).version
        assert str(version) == "maxima@2026-07-01 (provisional: next revision was due 2027-01-01)"
        assert "2027-01-01" in version.note
        assert "Voorlopig" in version.note_nl

    def test_between_splits_at_the_revision(self) -> None:
        parts = [
            (a, b, e.value, e.provisional)
            for a, b, e in REVISED.between(D(2026, 11, 1), D(2027, 3, 1))
        ]
        assert parts == [
            (D(2026, 11, 1), D(2027, 1, 1), 101, False),
            (D(2027, 1, 1), D(2027, 3, 1), 101, True),
        ]

    def test_revision_must_follow_the_last_entry(self) -> None:
        with pytest.raises(RuleTableError, match="next_revision"):
            DatedTable.of("x", [Dated(D(2026, 7, 1), 1, "s")], next_revision=D(2026, 7, 1))

    def test_loader_reads_the_revision(self, tmp_path: Path) -> None:
        body = (
            'table = "demo"\nrevision = "every 1 January"\nnext_revision = 2027-01-01\n'
            '[[entry]]\nvalid_from = 2026-01-01\nsource = "s"\n[entry.values]\nx = 1\n'
        )
        (tmp_path / "demo.toml").write_text(body, encoding="utf-8")
        table = load_table("demo", lambda v: dec(v, "x"), tmp_path)
        assert table.next_revision == D(2027, 1, 1)
        assert table.revision == "every 1 January"
        assert table.at(D(2027, 2, 1)).provisional

    @pytest.mark.parametrize("value", ["2025-12-31", '"someday"'])
    def test_loader_refuses_a_stale_or_unreadable_revision(
        self, tmp_path: Path, value: str
    ) -> None:
        body = (
            f'table = "demo"\nnext_revision = {value}\n'
            '[[entry]]\nvalid_from = 2026-01-01\nsource = "s"\n[entry.values]\nx = 1\n'
        )
        (tmp_path / "demo.toml").write_text(body, encoding="utf-8")
        with pytest.raises(RuleTableError, match=r"demo\.toml.*next_revision"):
            load_table("demo", lambda v: dec(v, "x"), tmp_path)


def test_next_change_is_the_next_entry_then_the_revision() -> None:
    """The day a table's figures next change: its next entry, else its revision date."""
    table = DatedTable.of(
        "t",
        [Dated(dt.date(2026, 1, 1), 1, "s"), Dated(dt.date(2026, 7, 1), 2, "s")],
        next_revision=dt.date(2027, 1, 1),
    )
    assert table.next_change(dt.date(2026, 3, 1)) == dt.date(2026, 7, 1)
    assert table.next_change(dt.date(2026, 7, 1)) == dt.date(2027, 1, 1)
    assert table.next_change(dt.date(2027, 1, 1)) is None
