"""Load ``maatwerk/rules/return_reasons.toml`` into a :class:`~maatwerk.core.returns.ReasonTable`."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from maatwerk.adapters.rules_loader import Values, load_table, text
from maatwerk.core.errors import RuleTableError
from maatwerk.core.returns import ReasonTable, ReturnReasonGroup
from maatwerk.core.tables import Dated, DatedTable


__all__ = ["RETURN_REASONS_TABLE", "current_reasons", "load_return_reasons"]

RETURN_REASONS_TABLE: Final = "return_reasons"


def _reason_table(values: Values) -> ReasonTable:
    groups = {group.value for group in ReturnReasonGroup}
    values.check_keys(groups | {"unknown", "descriptions"})
    mapping: dict[str, ReturnReasonGroup] = {}
    for group in ReturnReasonGroup:
        codes = values.data.get(group.value, [])
        if not isinstance(codes, list):
            raise RuleTableError("expected a list of reason codes", values.where(group.value))
        for index, code in enumerate(codes):
            where = values.where(f"{group.value}[{index}]")
            if not isinstance(code, str) or not code.strip().isalnum() or len(code.strip()) != 4:
                raise RuleTableError(f"{code!r} is not a 4-character reason code", where)
            key = code.strip().upper()
            if key in mapping:
                raise RuleTableError(
                    f"{key} is listed under both {mapping[key].value} and {group.value}", where
                )
            mapping[key] = group
    unknown_name = text(values, "unknown")
    if unknown_name not in groups:
        raise RuleTableError(
            f"{unknown_name!r} is not a group; expected one of {sorted(groups)}",
            values.where("unknown"),
        )
    raw_descriptions = values.data.get("descriptions", {})
    if not isinstance(raw_descriptions, dict) or not all(
        isinstance(v, str) for v in raw_descriptions.values()
    ):
        raise RuleTableError("descriptions must map codes to text", values.where("descriptions"))
    return ReasonTable(
        groups=mapping,
        unknown=ReturnReasonGroup(unknown_name),
        descriptions={str(k).upper(): str(v) for k, v in raw_descriptions.items()},
    )


def load_return_reasons(directory: Path | None = None) -> DatedTable[ReasonTable]:
    """The dated reason-code table (``directory`` overrides the shipped rules, for tests)."""
    return load_table(RETURN_REASONS_TABLE, _reason_table, directory)


def current_reasons(directory: Path | None = None) -> Dated[ReasonTable]:
    """The newest entry of the table (the reason groups are a policy reading, not a dated law)."""
    return load_return_reasons(directory).entries[-1]
