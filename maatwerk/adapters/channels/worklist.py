"""The ``phone-worklist`` channel: the day's calls as one CSV file, most urgent first.

CZ and the CAK call people at light arrears and ask "how can we help?" (seeds ``000``, ``003``).
This channel turns ``phone-call`` actions into a work list a call team can open in a
spreadsheet: ``<output_dir>/phone-worklist/worklist-<run date>.csv`` (UTF-8 with BOM, ``;``
separated, so Dutch Excel opens it directly).

Order of urgency: months in arrears (``arrears_months``, most first), then the amount (largest
first), then the action id. Delivering again (the same action or more actions for the same day)
rewrites the file with every call once. Cells that a spreadsheet would run as a formula
(starting with ``= + - @``) are prefixed with ``'``. Columns: :data:`COLUMNS`.

Payload keys read: ``phone`` (required), ``debtor_name``, ``amount`` (``Decimal``),
``arrears_months`` (int), ``pay_before`` (date), ``explanation`` (why this call).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import pathlib
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Final

from maatwerk.adapters.channels._files import atomic_write
from maatwerk.core.ports import (
    PAYLOAD_AMOUNT,
    PAYLOAD_ARREARS_MONTHS,
    PAYLOAD_DEBTOR_NAME,
    PAYLOAD_EXPLANATION,
    PAYLOAD_PAY_BEFORE,
    PAYLOAD_PHONE,
    DeliveryContext,
    DeliveryReceipt,
    OutboundAction,
    PayloadValue,
)


__all__ = ["COLUMNS", "PhoneWorklistChannel", "worklist_path"]

#: Columns of the work list, in order.
COLUMNS: Final = (
    "priority",
    "action_id",
    "debtor_id",
    "debtor_name",
    "phone",
    "amount",
    "arrears_months",
    "pay_before",
    "kind",
    "explanation",
)
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")


def worklist_path(output_dir: pathlib.Path, run_date: dt.date) -> pathlib.Path:
    """Where the work list for *run_date* is written."""
    return output_dir / PhoneWorklistChannel.name / f"worklist-{run_date.isoformat()}.csv"


def _cell(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def _uncell(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(_FORMULA_START) else value


def _row(action: OutboundAction) -> dict[str, str] | str:
    """The row for *action*, or the reason it is refused."""
    payload: Mapping[str, PayloadValue] = action.payload
    phone = payload.get(PAYLOAD_PHONE)
    if not isinstance(phone, str) or not phone.strip():
        return f"payload field {PAYLOAD_PHONE!r} is missing: no number to call"
    name = payload.get(PAYLOAD_DEBTOR_NAME)
    if name is not None and not isinstance(name, str):
        return f"payload field {PAYLOAD_DEBTOR_NAME!r} must be text"
    amount = payload.get(PAYLOAD_AMOUNT)
    if amount is not None and (isinstance(amount, bool) or not isinstance(amount, (Decimal, int))):
        return f"payload field {PAYLOAD_AMOUNT!r} must be an amount (Decimal)"
    months = payload.get(PAYLOAD_ARREARS_MONTHS)
    if months is not None and (isinstance(months, bool) or not isinstance(months, int)):
        return f"payload field {PAYLOAD_ARREARS_MONTHS!r} must be a whole number"
    pay_before = payload.get(PAYLOAD_PAY_BEFORE)
    if pay_before is not None and not isinstance(pay_before, dt.date):
        return f"payload field {PAYLOAD_PAY_BEFORE!r} must be a date"
    explanation = payload.get(PAYLOAD_EXPLANATION)
    if explanation is not None and not isinstance(explanation, str):
        return f"payload field {PAYLOAD_EXPLANATION!r} must be text"
    return {
        "action_id": action.action_id,
        "debtor_id": action.debtor_id,
        "debtor_name": name or "",
        "phone": phone.strip(),
        "amount": "" if amount is None else f"{Decimal(amount):.2f}",
        "arrears_months": "" if months is None else str(months),
        "pay_before": "" if pay_before is None else pay_before.isoformat(),
        "kind": action.kind,
        "explanation": " ".join((explanation or "").split()),
    }


def _urgency(row: Mapping[str, str]) -> tuple[int, Decimal, str]:
    months = int(row["arrears_months"]) if row["arrears_months"] else 0
    try:
        amount = Decimal(row["amount"]) if row["amount"] else Decimal(0)
    except InvalidOperation:
        amount = Decimal(0)
    return (-months, -amount, row["action_id"])


def _read(path: pathlib.Path) -> dict[str, dict[str, str]]:
    if not path.exists():
        return {}
    with path.open(encoding="utf-8-sig", newline="") as stream:
        reader = csv.DictReader(stream, delimiter=";")
        return {
            _uncell(row["action_id"]): {key: _uncell(row.get(key) or "") for key in COLUMNS}
            for row in reader
            if row.get("action_id")
        }


def _render(rows: Sequence[Mapping[str, str]]) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, delimiter=";", lineterminator="\r\n")
    writer.writeheader()
    for priority, row in enumerate(sorted(rows, key=_urgency), start=1):
        writer.writerow({key: _cell(row[key]) for key in COLUMNS} | {"priority": str(priority)})
    return buffer.getvalue()


class PhoneWorklistChannel:
    """Collects ``phone-call`` actions into the day's CSV work list (see the module docstring)."""

    name: Final = "phone-worklist"

    def deliver(
        self, actions: Sequence[OutboundAction], context: DeliveryContext
    ) -> list[DeliveryReceipt]:
        if not actions:
            return []
        path = worklist_path(context.output_dir, context.run_date)
        reference = f"{self.name}/{path.name}"
        try:
            rows = _read(path)
        except (OSError, csv.Error, UnicodeDecodeError, ValueError) as exc:
            reason = f"cannot read the existing work list {reference}: {exc}"
            return [DeliveryReceipt.failed(action.action_id, reason) for action in actions]
        receipts: list[DeliveryReceipt] = []
        accepted: list[str] = []
        for action in actions:
            if action.channel != self.name:
                receipts.append(
                    DeliveryReceipt.refused(
                        action.action_id,
                        f"action is for channel {action.channel!r}, not phone-worklist",
                    )
                )
                continue
            row = _row(action)
            if isinstance(row, str):
                receipts.append(DeliveryReceipt.refused(action.action_id, row))
                continue
            rows.setdefault(action.action_id, row | {"priority": ""})
            accepted.append(action.action_id)
            receipts.append(DeliveryReceipt.delivered(action.action_id, reference))
        if accepted and not context.dry_run:
            try:
                atomic_write(path, _render(list(rows.values())))
            except OSError as exc:
                failed = set(accepted)
                return [
                    DeliveryReceipt.failed(r.action_id, f"cannot write {reference}: {exc}")
                    if r.action_id in failed
                    else r
                    for r in receipts
                ]
        return receipts
