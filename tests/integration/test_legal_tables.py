"""The shipped legal rule tables load through the real loader, with sources and ascending dates."""

from __future__ import annotations

import datetime as dt
import tomllib
from decimal import Decimal
from importlib import resources
from pathlib import Path

import pytest

from maatwerk.adapters.legal_tables import (
    AWB_AANMANING,
    AWB_INTEREST,
    BIK,
    BIK_INSTALMENTS,
    INTEREST_TABLES,
    load_aanmaning_table,
    load_awb_interest_table,
    load_bik_instalment_table,
    load_bik_table,
    load_interest_table,
)
from maatwerk.adapters.rules_loader import read_raw_table
from maatwerk.core.collection_costs import collection_costs
from maatwerk.core.debts import InterestKind
from maatwerk.core.errors import RuleTableError
from maatwerk.core.interest import statutory_interest
from maatwerk.core.money import eur


D = dt.date
NAMES = [BIK, BIK_INSTALMENTS, AWB_AANMANING, AWB_INTEREST, *INTEREST_TABLES.values()]
RULES_DIR = Path(str(resources.files("maatwerk") / "rules"))


class TestShippedTables:
    """Every shipped table loads, each entry has a source, and dates ascend."""

    @pytest.mark.parametrize("name", NAMES)
    def test_entries_have_sources_and_ascending_dates(self, name: str) -> None:
        raw = read_raw_table(name)
        dates = [e.valid_from for e in raw.entries]
        assert dates == sorted(dates)
        assert len(set(dates)) == len(dates)
        assert all(len(e.source.strip()) > 10 for e in raw.entries)

    def test_all_load_into_typed_params(self) -> None:
        assert load_bik_table().value_at(D(2026, 1, 1)).maximum == eur(6775)
        assert load_bik_instalment_table().value_at(D(2024, 10, 1)).applies
        assert not load_bik_instalment_table().value_at(D(2024, 9, 30)).applies
        assert load_aanmaning_table().value_at(D(2026, 1, 1)).fee_high == eur(20)
        assert load_awb_interest_table().value_at(D(2026, 1, 1)).minimum_authority_creditor == eur(
            20
        )
        for kind in INTEREST_TABLES:
            assert load_interest_table(kind).entries

    def test_loading_is_cached(self) -> None:
        assert load_bik_table() is load_bik_table()

    def test_provisional_entries_say_so_in_their_source(self) -> None:
        for name in NAMES:
            for entry in read_raw_table(name).entries:
                if entry.provisional:
                    assert "PROVISIONAL" in entry.source

    def test_known_consumer_rates(self) -> None:
        table = load_interest_table(InterestKind.CONSUMER)
        expected = {
            D(2012, 1, 1): "4",
            D(2014, 7, 1): "3",  # the cut to 2 % came on 2015-01-01
            D(2015, 1, 1): "2",
            D(2023, 6, 30): "4",
            D(2023, 7, 1): "6",
            D(2024, 7, 1): "7",
            D(2025, 7, 1): "6",
            D(2026, 1, 1): "4",
        }
        for day, percent in expected.items():
            assert table.value_at(day).percent == Decimal(percent), day
        assert not table.at(D(2025, 12, 31)).provisional
        assert table.at(D(2026, 1, 1)).provisional
        assert table.at(D(2026, 7, 1)).provisional

    def test_known_commercial_rates(self) -> None:
        table = load_interest_table(InterestKind.COMMERCIAL)
        assert table.value_at(D(2013, 3, 16)).percent == Decimal("8.75")
        assert table.value_at(D(2020, 6, 1)).percent == Decimal("8.00")
        assert table.value_at(D(2024, 7, 1)).percent == Decimal("12.25")
        assert table.value_at(D(2025, 7, 1)).percent == Decimal("10.15")
        assert table.at(D(2026, 1, 1)).provisional

    def test_no_interest_table_for_none(self) -> None:
        with pytest.raises(RuleTableError):
            load_interest_table(InterestKind.NONE)


class TestEndToEndWithShippedTables:
    """The worked examples of docs/rules/ hold with the shipped tables."""

    def test_bik_examples(self) -> None:
        table = load_bik_table()
        on = D(2026, 3, 1)
        assert collection_costs([eur(100)], on=on, table=table).costs == eur("40.00")
        assert collection_costs([eur(1000)], on=on, table=table).costs == eur("150.00")

    def test_interest_example(self) -> None:
        result = statutory_interest(
            eur(1000),
            start=D(2026, 2, 1),
            end=D(2026, 8, 1),
            table=load_interest_table(InterestKind.CONSUMER),
        )
        assert result.interest == eur("19.84")


class TestBrokenTables:
    """A malformed copy of a table is refused with the file and field named."""

    def copy(self, tmp_path: Path, name: str, old: str, new: str) -> Path:
        text = (RULES_DIR / f"{name}.toml").read_text(encoding="utf-8")
        assert old in text
        (tmp_path / f"{name}.toml").write_text(text.replace(old, new, 1), encoding="utf-8")
        tomllib.loads((tmp_path / f"{name}.toml").read_text(encoding="utf-8"))
        return tmp_path

    def test_band_count_mismatch(self, tmp_path: Path) -> None:
        folder = self.copy(tmp_path, BIK, "band_rates = [0.15, ", "band_rates = [")
        with pytest.raises(RuleTableError, match="band_rates") as info:
            load_bik_table(folder)
        assert "bik.toml" in str(info.value)

    def test_rate_out_of_range(self, tmp_path: Path) -> None:
        name = INTEREST_TABLES[InterestKind.CONSUMER]
        folder = self.copy(tmp_path, name, "rate_percent = 4.00", "rate_percent = 400")
        with pytest.raises(RuleTableError, match="rate_percent"):
            load_interest_table(InterestKind.CONSUMER, folder)

    def test_unknown_key(self, tmp_path: Path) -> None:
        folder = self.copy(tmp_path, AWB_AANMANING, "fee_low = 9.00", "fee_lo = 9.00")
        with pytest.raises(RuleTableError, match="fee_lo"):
            load_aanmaning_table(folder)
