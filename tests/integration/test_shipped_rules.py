"""maatwerk.rules.shipped(): the promised loader of the shipped tables, calendars and policies."""

from __future__ import annotations

import datetime as dt
import inspect
import json
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import attrs
import pytest

import maatwerk.core
from maatwerk.adapters.calendars import build_calendars
from maatwerk.adapters.legal_tables import (
    load_aanmaning_table,
    load_awb_interest_table,
    load_bik_instalment_table,
    load_bik_table,
    load_interest_table,
    load_postal_table,
)
from maatwerk.adapters.policy_loader import load_policy, resolve_policy
from maatwerk.adapters.subsistence_tables import load_subsistence_tables
from maatwerk.core import DatedTable, InterestKind, PolicyError
from maatwerk.core.policy import BUILTIN_GUARDS
from maatwerk.rules import ShippedRules, shipped


RULES_DIR = Path(str(resources.files("maatwerk") / "rules"))

#: Shipped table files the bundle leaves out on purpose, with the reason.
NOT_IN_BUNDLE = {
    "atw_bridge_days": "read into the atw calendar of policy_tables",
    "return_reasons": "bank returns: SEPA direct debit, the sepa extra",
    "vtlb_corrections": "debt settlement (Vtlb), not part of the embedding API yet",
    "retention": "privacy erasure (AVG art. 17), read by the storage's privacy service",
}

#: What an embedding team must not need: the heavy dependencies of the optional extras.
EXTRAS = (
    "sqlalchemy",
    "alembic",
    "psycopg",
    "lxml",
    "schwifty",
    "stdnum",
    "mt940",
    "matplotlib",
)


def bundle_tables(rules: ShippedRules) -> dict[str, DatedTable[Any]]:
    tables: list[DatedTable[Any]] = [
        rules.subsistence.maxima,
        rules.subsistence.norms,
        rules.subsistence.parameters,
        rules.bik,
        rules.bik_instalments,
        rules.aanmaning,
        rules.interest.consumer,
        rules.interest.commercial,
        rules.interest.awb,
        rules.postal,
    ]
    return {table.name: table for table in tables}


class TestShippedTables:
    """Every shipped table is in the bundle, read by the same loader the engine uses."""

    def test_every_table_file_is_in_the_bundle_or_left_out_on_purpose(self) -> None:
        """A new table file must be added to the bundle or to the list of exceptions."""
        files = {path.stem for path in RULES_DIR.glob("*.toml")}
        assert files == set(bundle_tables(shipped())) | set(NOT_IN_BUNDLE)

    def test_the_tables_equal_what_the_loaders_read(self) -> None:
        """The bundle delegates to the adapters' loaders: same values, same versions."""
        rules = shipped()
        assert load_subsistence_tables() == rules.subsistence
        assert load_bik_table() == rules.bik
        assert load_bik_instalment_table() == rules.bik_instalments
        assert load_aanmaning_table() == rules.aanmaning
        assert load_interest_table(InterestKind.CONSUMER) == rules.interest.consumer
        assert load_interest_table(InterestKind.COMMERCIAL) == rules.interest.commercial
        assert load_awb_interest_table() == rules.interest.awb
        assert load_postal_table() == rules.postal

    def test_every_table_has_a_sourced_entry_in_force_in_2026(self) -> None:
        """Each table answers for a date in 2026 and names its source."""
        for name, table in bundle_tables(shipped()).items():
            entry = table.at(dt.date(2026, 3, 2))
            assert entry.source.strip(), name

    def test_the_calendars_are_the_engines(self) -> None:
        """calendar, sepa and atw, as build_calendars() makes them, with the built-in guards."""
        rules = shipped()
        assert rules.calendars.names == ("atw", "calendar", "sepa")
        assert build_calendars() == rules.calendars
        assert rules.policy_tables.guards == BUILTIN_GUARDS
        assert rules.calendars is rules.policy_tables.calendars


class TestShippedPolicies:
    """The shipped policies load by name; an unknown name is refused with the names available."""

    @pytest.mark.parametrize("name", ["humane", "classic", "zvw"])
    def test_each_shipped_policy_loads(self, name: str) -> None:
        """The policy is the one the CLI loads from the same file."""
        policy = shipped().policy(name)
        assert name == policy.name
        assert policy.steps
        assert load_policy(resolve_policy(name)) == policy

    def test_the_policies_are_all_the_shipped_files(self) -> None:
        """policies holds one policy per file in rules/policies, by name."""
        files = sorted(path.stem for path in (RULES_DIR / "policies").glob("*.toml"))
        assert files == sorted(shipped().policies)

    def test_an_unknown_policy_names_the_available_ones(self) -> None:
        """The error says which names exist."""
        with pytest.raises(PolicyError, match="no shipped policy 'humaan'") as caught:
            shipped().policy("humaan")
        assert "available: classic, humane, zvw" in str(caught.value)


class TestBundle:
    """The bundle is frozen, loaded once, and needs no optional extra."""

    def test_the_same_bundle_is_returned(self) -> None:
        """Files are read once; later calls return the same object."""
        assert shipped() is shipped()

    def test_the_bundle_is_frozen(self) -> None:
        """Neither a field nor the policies by name can be changed."""
        rules = shipped()
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            rules.bik = rules.bik  # type: ignore[misc]
        with pytest.raises(TypeError):
            rules.policies["mine"] = rules.policy("humane")  # type: ignore[index]

    def test_a_bundle_copies_the_policies_it_is_given(self) -> None:
        """Changing the dict a bundle was built from does not change the bundle."""
        rules = shipped()
        given = dict(rules.policies)
        copy = attrs.evolve(rules, policies=given)
        given.clear()
        assert sorted(copy.policies) == ["classic", "humane", "zvw"]

    def test_loading_imports_no_extra(self) -> None:
        """In a fresh interpreter, the core and shipped() import none of the extras' packages."""
        script = (
            "import json, sys\n"
            "import maatwerk.core\n"
            "from maatwerk.rules import shipped\n"
            "shipped().policy('humane')\n"
            f"print(json.dumps(sorted(m for m in {list(EXTRAS)!r} if m in sys.modules)))\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=True
        )
        assert json.loads(done.stdout) == []

    def test_importing_the_package_reads_and_loads_nothing(self) -> None:
        """Importing maatwerk.rules leaves the loaders (and holidays) unimported."""
        script = (
            "import json, sys\n"
            "import maatwerk.rules\n"
            "print(json.dumps(sorted(m for m in sys.modules"
            " if m == 'holidays' or m.startswith('maatwerk.adapters'))))\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=True
        )
        assert json.loads(done.stdout) == []


class TestCorePublicNames:
    """maatwerk.core exports its public names, each defined in the core."""

    def test_every_public_name_exists_and_is_listed_once(self) -> None:
        """__all__ lists each name once and every name resolves."""
        names = maatwerk.core.__all__
        assert len(set(names)) == len(names)
        for name in names:
            assert hasattr(maatwerk.core, name), name

    def test_the_core_names_come_from_the_core(self) -> None:
        """No name in the core's public API is borrowed from an outer layer."""
        for name in maatwerk.core.__all__:
            value = getattr(maatwerk.core, name)
            if inspect.isclass(value) or inspect.isfunction(value):
                assert value.__module__.startswith("maatwerk.core."), (name, value.__module__)
