"""Read ``maatwerk/demo/demo_behaviour.toml`` into :class:`~maatwerk.demo.synthetic.BehaviourParams`.

The file uses the dated-table envelope of :mod:`maatwerk.adapters.rules_loader`; the entry in
force on the portfolio's start date is used, and its version (``demo_behaviour@2026-01-01
(provisional)``) travels with every generated portfolio and report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from maatwerk.adapters.rules_loader import Values, load_table
from maatwerk.core.debtors import HouseholdType
from maatwerk.core.debts import ClaimKind
from maatwerk.core.errors import RuleTableError
from maatwerk.core.money import Money
from maatwerk.demo.synthetic import (
    BehaviourParams,
    DebtKindParams,
    HouseholdParams,
    PaymentMethod,
    Profile,
    ProfileParams,
)


__all__ = ["TABLE_NAME", "load_behaviour"]

TABLE_NAME = "demo_behaviour"

#: The shipped table lives beside the demo code, not among the legal tables in ``maatwerk/rules``.
_SHIPPED = Path(__file__).parent

_PROFILE_KEYS = frozenset(
    {
        "share",
        "bijstand_share",
        "income_factor",
        "on_time",
        "late_daily",
        "letter_response",
        "call_answer",
        "accept_offer",
        "accept_unfit",
        "keep_fit",
        "keep_unfit",
        "bailiff_recovery",
        "other_arrears",
        "other_arrears_instalment",
    }
)


def _section(values: Values, key: str) -> Values:
    raw = values.require(key)
    if not isinstance(raw, dict):
        raise RuleTableError("expected a table", values.where(key))
    return Values(raw, values.file, values.entry)


def _sub(values: Values, parent: str, key: str) -> Values:
    raw = values.data[key]
    if not isinstance(raw, dict):
        raise RuleTableError("expected a table", values.where(f"{parent}.{key}"))
    return Values(raw, values.file, values.entry)


def _num(values: Values, key: str, where: str) -> Decimal:
    raw = values.require(key)
    if isinstance(raw, bool) or not isinstance(raw, (int, Decimal)):
        raise RuleTableError(f"expected a number, got {raw!r}", values.where(f"{where}.{key}"))
    return Decimal(raw)


def _probability(values: Values, key: str, where: str) -> float:
    number = _num(values, key, where)
    if not 0 <= number <= 1:
        raise RuleTableError(
            f"a probability must be between 0 and 1, got {number}", values.where(f"{where}.{key}")
        )
    return float(number)


def _money(values: Values, key: str, where: str) -> Money:
    return Money(_num(values, key, where)).rounded()


def _weights(raw: Any, values: Values, where: str) -> tuple[tuple[int, float], ...]:
    if not isinstance(raw, Mapping) or set(raw) != {"days", "weights"}:
        raise RuleTableError("expected { days = [...], weights = [...] }", values.where(where))
    days, weights = raw["days"], raw["weights"]
    if len(days) != len(weights) or not days:
        raise RuleTableError("days and weights must have the same length", values.where(where))
    if any(not isinstance(d, int) or not 1 <= d <= 31 for d in days):
        raise RuleTableError("days must be days of the month (1-31)", values.where(where))
    return tuple((int(d), float(w)) for d, w in zip(days, weights, strict=True))


def convert(values: Values) -> BehaviourParams:
    """Turn one entry's ``values`` into typed parameters (errors name the exact field)."""
    values.check_keys(
        {
            "creditor_id",
            "creditor_name",
            "households",
            "gross_factor",
            "paydays",
            "payment_methods",
            "debts",
            "profiles",
        }
    )
    households_raw = _section(values, "households")
    households: dict[HouseholdType, HouseholdParams] = {}
    for key in households_raw.data:
        where = f"households.{key}"
        try:
            household_type = HouseholdType.parse(key)
        except ValueError as exc:
            raise RuleTableError(str(exc), values.where(where)) from None
        sub = _sub(households_raw, "households", key)
        sub.check_keys({"share", "median_net_income", "sigma", "bijstand_income"})
        households[household_type] = HouseholdParams(
            share=float(_num(sub, "share", where)),
            median_net_income=_money(sub, "median_net_income", where),
            sigma=float(_num(sub, "sigma", where)),
            bijstand_income=_money(sub, "bijstand_income", where),
        )
    gross = _section(values, "gross_factor")
    gross.check_keys({"bijstand", "employed"})
    paydays = _section(values, "paydays")
    paydays.check_keys({"bijstand", "employed"})
    methods_raw = _section(values, "payment_methods")
    methods: dict[PaymentMethod, float] = {}
    for key in methods_raw.data:
        try:
            method = PaymentMethod(key)
        except ValueError:
            raise RuleTableError(
                f"unknown payment method {key!r}", values.where(f"payment_methods.{key}")
            ) from None
        methods[method] = _probability(methods_raw, key, "payment_methods")
    debts_raw = _section(values, "debts")
    debts: dict[str, DebtKindParams] = {}
    for key in debts_raw.data:
        where = f"debts.{key}"
        sub = _sub(debts_raw, "debts", key)
        sub.check_keys(
            {"share", "kind", "periodic", "min", "max", "term_days", "creditor_id", "creditor_name"}
        )
        kind_text = sub.require("kind")
        try:
            kind = ClaimKind(kind_text)
        except ValueError:
            raise RuleTableError(
                f"kind must be 'private' or 'public', got {kind_text!r}",
                values.where(f"{where}.kind"),
            ) from None
        periodic = sub.require("periodic")
        if not isinstance(periodic, bool):
            raise RuleTableError(
                "periodic must be true or false", values.where(f"{where}.periodic")
            )
        debts[key] = DebtKindParams(
            share=float(_num(sub, "share", where)),
            kind=kind,
            periodic=periodic,
            min_amount=_money(sub, "min", where),
            max_amount=_money(sub, "max", where),
            term_days=int(_num(sub, "term_days", where)),
            creditor_id=str(sub.data.get("creditor_id", "")),
            creditor_name=str(sub.data.get("creditor_name", "")),
        )
    profiles_raw = _section(values, "profiles")
    profiles: dict[Profile, ProfileParams] = {}
    for key in profiles_raw.data:
        where = f"profiles.{key}"
        try:
            profile = Profile(key)
        except ValueError:
            raise RuleTableError(f"unknown profile {key!r}", values.where(where)) from None
        sub = _sub(profiles_raw, "profiles", key)
        sub.check_keys(_PROFILE_KEYS)
        probabilities = {
            name: _probability(sub, name, where)
            for name in _PROFILE_KEYS - {"income_factor", "other_arrears_instalment"}
        }
        if probabilities["accept_unfit"] > probabilities["accept_offer"]:
            raise RuleTableError(
                "accept_unfit (a plan above what the household can spare) must not be more "
                "than accept_offer (a plan that fits)",
                values.where(f"{where}.accept_unfit"),
            )
        profiles[profile] = ProfileParams(
            income_factor=float(_num(sub, "income_factor", where)),
            other_arrears_instalment=_money(sub, "other_arrears_instalment", where),
            **probabilities,
        )
    missing = [p.value for p in Profile if p not in profiles]
    if missing:
        raise RuleTableError(f"missing profiles: {', '.join(missing)}", values.where("profiles"))
    return BehaviourParams(
        creditor_id=str(values.require("creditor_id")),
        creditor_name=str(values.require("creditor_name")),
        households=households,
        gross_factor_bijstand=float(_num(gross, "bijstand", "gross_factor")),
        gross_factor_employed=float(_num(gross, "employed", "gross_factor")),
        paydays_employed=_weights(paydays.data["employed"], values, "paydays.employed"),
        paydays_bijstand=_weights(paydays.data["bijstand"], values, "paydays.bijstand"),
        payment_methods=methods,
        debts=debts,
        profiles=profiles,
    )


def load_behaviour(day: dt.date, directory: Path | None = None) -> BehaviourParams:
    """The behaviour parameters in force on ``day`` (default: the shipped file)."""
    table = load_table(TABLE_NAME, convert, directory or _SHIPPED)
    entry = table.at(day)
    return attrs.evolve(entry.value, version=str(entry.version))
