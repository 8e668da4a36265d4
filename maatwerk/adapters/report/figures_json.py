"""The funnel figures as one JSON document (schema ``funnel.schema.json`` next to this module).

Amounts are strings with two decimals (``"1208.58"``), shares are strings with four decimals
(``"0.9350"``), dates are ISO. The same document is embedded in the HTML report.
"""

from __future__ import annotations

import json
from decimal import Decimal
from importlib import resources
from typing import Any, Final

from maatwerk.core.money import Money
from maatwerk.services.funnel import FunnelFigures, PolicyFigures


__all__ = ["SCHEMA_ID", "figures_to_json", "load_schema"]

SCHEMA_ID: Final = "maatwerk.funnel/1"


def _money(value: Money) -> str:
    return value.format()


def _share(value: Decimal) -> str:
    return f"{value:.4f}"


def _column(column: PolicyFigures) -> dict[str, Any]:
    return {
        "policy": column.policy,
        "policy_version": column.policy_version,
        "debtors": column.debtors,
        "households_billed": column.billed_households,
        "bills": column.bills,
        "billed": _money(column.billed),
        "paid_on_time": column.paid_on_time,
        "paid_within_31_days": column.paid_within_31_days,
        "share_paid_within_31_days": _share(column.share_paid_within_31_days),
        "not_within_31_days": (
            column.in_arrears if column.not_within_31_days is None else column.not_within_31_days
        ),
        "in_arrears": column.in_arrears,
        "reminders": column.reminders,
        "calls": column.calls,
        "arrangements": column.arrangements,
        "arrangements_kept": column.arrangements_kept,
        "arrangements_broken": column.arrangements_broken,
        "share_kept": _share(column.share_kept),
        "demands": column.demands,
        "bailiff": column.bailiff,
        "recovered": column.recovered,
        "written_off": column.written_off,
        "arrears_total": _money(column.arrears_total),
        "arrears_recovered": _money(column.arrears_recovered),
        "share_recovered": _share(column.share_recovered),
        "written_off_amount": _money(column.written_off_amount),
        "costs_charged": _money(column.costs_charged),
        "below_bvv": column.below_bvv,
        "households_protected": column.households_protected,
        "avg_days_to_resolution": (
            None
            if column.avg_days_to_resolution is None
            else f"{column.avg_days_to_resolution:.1f}"
        ),
        "funnel": [
            {"key": s.key, "label": s.label, "count": s.count, "unit": s.unit}
            for s in column.stages()
        ],
        "ageing": [
            {"label": b.label, "bills": b.bills, "amount": _money(b.amount)} for b in column.ageing
        ],
        "protected": [
            {"reason": p.reason, "decisions": p.decisions, "households": p.households}
            for p in column.protected
        ],
        "arrangement_points": [
            {"instalment": _money(p.instalment), "capacity": _money(p.capacity), "kept": p.kept}
            for p in column.arrangement_points
        ],
    }


def figures_to_json(figures: FunnelFigures) -> dict[str, Any]:
    """The JSON document for ``figures`` (plain dicts, lists, strings, ints, booleans, null)."""
    return {
        "schema": SCHEMA_ID,
        "title": figures.title,
        "period": {"from": figures.period_from.isoformat(), "to": figures.period_to.isoformat()},
        "source": figures.source,
        "table_versions": list(figures.table_versions),
        "notes": list(figures.notes),
        "policies": [_column(c) for c in figures.columns],
    }


def load_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) the document follows."""
    text = (resources.files(__package__) / "funnel.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema
