"""Load the protected-income tables (BVV, bijstand norms, formula parameters, Vtlb corrections).

Thin converters from ``maatwerk/rules/*.toml`` (read by :mod:`maatwerk.adapters.rules_loader`) to
the typed values of :mod:`maatwerk.core.subsistence` and :mod:`maatwerk.core.vtlb`. A key that is
absent from an entry means "not retrieved" and becomes ``None``; the core then refuses to guess.
"""

from __future__ import annotations

from pathlib import Path

from maatwerk.adapters.rules_loader import Values, dec, load_table, money, optional, text
from maatwerk.core.errors import RuleTableError
from maatwerk.core.subsistence import (
    BijstandNorms,
    BvvMaxima,
    FormulaParameters,
    FormulaVersion,
    SubsistenceTables,
)
from maatwerk.core.tables import DatedTable
from maatwerk.core.vtlb import VtlbCorrections


__all__ = ["load_subsistence_tables", "load_vtlb_corrections"]


_MAXIMA_KEYS = frozenset({"single", "single_parent", "couple", "couple_children"})


def _maxima(values: Values) -> BvvMaxima:
    values.check_keys(_MAXIMA_KEYS)
    return BvvMaxima(**{key: optional(money, values, key) for key in sorted(_MAXIMA_KEYS)})


_NORM_KEYS = frozenset(
    {
        "single",
        "couple",
        "aow_single",
        "aow_couple",
        "care_allowance_single",
        "care_allowance_couple",
        "institution_single",
        "institution_couple",
    }
)


def _norms(values: Values) -> BijstandNorms:
    values.check_keys(_NORM_KEYS)
    return BijstandNorms(**{key: optional(money, values, key) for key in sorted(_NORM_KEYS)})


_PARAMETER_KEYS = frozenset(
    {
        "zorg_threshold",
        "zorg_rate",
        "standard_premium",
        "rent_rate_one",
        "rent_rate_more",
        "max_rent",
        "min_income_one",
        "min_income_more",
        "base_rent_one",
        "base_rent_more",
        "child_rate",
        "child_partner_raise",
        "quad_a_one",
        "quad_b_one",
        "quad_a_more",
        "quad_b_more",
        "owner_income_limit_single",
        "owner_income_limit_multi",
    }
)


def _parameters(values: Values) -> FormulaParameters:
    values.check_keys(_PARAMETER_KEYS | {"formula"})
    name = text(values, "formula")
    try:
        formula = FormulaVersion(name)
    except ValueError:
        choices = ", ".join(v.value for v in FormulaVersion)
        raise RuleTableError(
            f"unknown formula version {name!r}; expected one of {choices}", values.where("formula")
        ) from None
    return FormulaParameters(
        formula=formula, **{key: optional(dec, values, key) for key in sorted(_PARAMETER_KEYS)}
    )


_VTLB_KEYS = frozenset(
    {"health_premium", "institution_reservation_single", "institution_reservation_couple"}
)


def _vtlb(values: Values) -> VtlbCorrections:
    values.check_keys(_VTLB_KEYS)
    return VtlbCorrections(**{key: optional(money, values, key) for key in sorted(_VTLB_KEYS)})


def load_subsistence_tables(directory: Path | None = None) -> SubsistenceTables:
    """The BVV tables from ``directory`` (default: the shipped ``maatwerk/rules``)."""
    return SubsistenceTables(
        maxima=load_table("bvv_maxima", _maxima, directory),
        norms=load_table("bijstand_norms", _norms, directory),
        parameters=load_table("bvv_parameters", _parameters, directory),
    )


def load_vtlb_corrections(directory: Path | None = None) -> DatedTable[VtlbCorrections]:
    return load_table("vtlb_corrections", _vtlb, directory)
