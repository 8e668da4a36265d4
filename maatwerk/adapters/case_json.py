"""Read one case file as JSON (``maatwerk policy explain --case FILE.json``).

The format is documented in ``docs/case-file.md``; ``examples/case.json`` is a full example.
Errors are :class:`~maatwerk.core.errors.InputError` naming the file and the field
(``debts[1].due_date``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import attrs

from maatwerk.adapters.text_input import decode_text
from maatwerk.core.debtors import Debtor, HouseholdType, Housing
from maatwerk.core.debts import AppliedPayment, Balance, Case, ClaimKind, Debt, DebtStatus
from maatwerk.core.errors import InputError, Location, MoneyError
from maatwerk.core.events import Event, event_from_record
from maatwerk.core.money import Money, input_amount
from maatwerk.core.policy.casefile import CaseFile, OtherArrear


__all__ = ["CASE_FORMAT", "load_case_file", "parse_case_file"]

CASE_FORMAT: Final = "maatwerk-case/1"

_TOP: Final = frozenset(
    {"format", "debtor", "creditor_id", "monthly_premium", "debts", "events", "other_arrears"}
)
_DEBTOR: Final = frozenset(
    {
        "debtor_id",
        "household",
        "payday",
        "segment",
        "has_brp_address",
        "vulnerable",
        "deceased",
        "net_monthly_income",
        "housing",
        "owner_increase",
    }
)
_DEBT: Final = frozenset(
    {
        "debt_id",
        "principal",
        "due_date",
        "default_date",
        "kind",
        "category",
        "periodic",
        "consumer",
        "payments",
        "status",
        "closed_on",
    }
)


def _join(field: str, key: str) -> str:
    return f"{field}.{key}" if field else key


class _Parse:
    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, message: str, field: str) -> InputError:
        return InputError(message, Location(file=self.file, field=field))

    def table(self, value: Any, field: str, allowed: frozenset[str]) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise self.fail("must be an object", field)
        unknown = sorted(set(value) - allowed)
        if unknown:
            raise self.fail(
                f"unknown key {unknown[0]!r}; expected one of {', '.join(sorted(allowed))}",
                f"{field}.{unknown[0]}" if field else unknown[0],
            )
        return value

    def text(
        self, data: Mapping[str, Any], key: str, field: str, default: str | None = None
    ) -> str:
        value = data.get(key, default)
        if not isinstance(value, str) or not value:
            raise self.fail(f"expected text, got {value!r}", _join(field, key))
        return value

    def day(self, data: Mapping[str, Any], key: str, field: str) -> dt.date | None:
        value = data.get(key)
        if value is None:
            return None
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            raise self.fail(f"{value!r} is not a date (YYYY-MM-DD)", _join(field, key)) from None

    def money(self, data: Mapping[str, Any], key: str, field: str) -> Money | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(
                f'write amounts as strings such as "12.34", got {value!r}', _join(field, key)
            )
        try:
            return Money(input_amount(value))
        except MoneyError as exc:
            raise self.fail(str(exc), _join(field, key)) from None

    def flag(self, data: Mapping[str, Any], key: str, field: str, *, default: bool) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(f"expected true or false, got {value!r}", _join(field, key))
        return value


def _debtor(p: _Parse, raw: Any) -> Debtor:
    data = p.table(raw, "debtor", _DEBTOR)
    payday = data.get("payday", 25)
    if isinstance(payday, bool) or not isinstance(payday, int) or not 1 <= payday <= 31:
        raise p.fail(f"payday must be a day of the month (1-31), got {payday!r}", "debtor.payday")
    try:
        household = HouseholdType.parse(str(data.get("household", "single")))
    except ValueError as exc:
        raise p.fail(str(exc), "debtor.household") from None
    housing: Housing | None = None
    if data.get("housing") is not None:
        try:
            housing = Housing.parse(str(data["housing"]))
        except ValueError as exc:
            raise p.fail(str(exc), "debtor.housing") from None
    increase = p.money(data, "owner_increase", "debtor")
    if increase is not None and (housing is None or not housing.asks_lid7 or increase.is_negative):
        raise p.fail(
            "owner_increase must be at least 0 and is only for housing 'own' or "
            "'rent-no-huurtoeslag' (Rv 475da lid 7)",
            "debtor.owner_increase",
        )
    return Debtor(
        debtor_id=p.text(data, "debtor_id", "debtor"),
        name="",
        household=household,
        net_monthly_income=p.money(data, "net_monthly_income", "debtor"),
        payday=payday,
        segment=p.text(data, "segment", "debtor", default="default"),
        has_brp_address=p.flag(data, "has_brp_address", "debtor", default=True),
        vulnerable=p.flag(data, "vulnerable", "debtor", default=False),
        deceased=p.flag(data, "deceased", "debtor", default=False),
        housing=housing,
        owner_increase=increase,
    )


def _debt(p: _Parse, raw: Any, field: str, debtor_id: str, creditor_id: str) -> Debt:
    data = p.table(raw, field, _DEBT)
    principal = p.money(data, "principal", field)
    due = p.day(data, "due_date", field)
    if principal is None:
        raise p.fail("missing principal", f"{field}.principal")
    if due is None:
        raise p.fail("missing due_date", f"{field}.due_date")
    try:
        kind = ClaimKind(data.get("kind", "private"))
    except ValueError:
        raise p.fail("kind must be private or public", f"{field}.kind") from None
    try:
        status = DebtStatus(data.get("status", "open"))
    except ValueError:
        choices = ", ".join(s.value for s in DebtStatus)
        raise p.fail(f"status must be one of {choices}", f"{field}.status") from None
    payments = data.get("payments", [])
    if not isinstance(payments, list):
        raise p.fail("payments must be a list", f"{field}.payments")
    applied: list[AppliedPayment] = []
    for index, item in enumerate(payments):
        where = f"{field}.payments[{index}]"
        entry = p.table(item, where, frozenset({"applied_on", "amount", "payment_id"}))
        on = p.day(entry, "applied_on", where)
        amount = p.money(entry, "amount", where)
        if on is None or amount is None:
            raise p.fail("a payment needs applied_on and amount", where)
        if not amount.is_positive:
            raise p.fail(f"a payment must be more than zero, got {amount}", f"{where}.amount")
        applied.append(
            AppliedPayment(
                payment_id=str(entry.get("payment_id", f"{where}")),
                applied_on=on,
                parts=Balance(principal=amount),
            )
        )
    return Debt(
        debt_id=p.text(data, "debt_id", field),
        debtor_id=debtor_id,
        creditor_id=creditor_id,
        principal=principal,
        due_date=due,
        default_date=p.day(data, "default_date", field),
        kind=kind,
        category=p.text(data, "category", field, default="invoice"),
        periodic=p.flag(data, "periodic", field, default=False),
        consumer=p.flag(data, "consumer", field, default=True),
        applied=tuple(applied),
        status=status,
        closed_on=p.day(data, "closed_on", field),
    )


def _events(p: _Parse, raw: Any, debtor_id: str) -> tuple[Event, ...]:
    if not isinstance(raw, list):
        raise p.fail("events must be a list", "events")
    events: list[Event] = []
    for index, item in enumerate(raw):
        where = f"events[{index}]"
        if not isinstance(item, dict) or "kind" not in item:
            raise p.fail("each event is an object with a 'kind'", where)
        record = {"debtor_id": debtor_id, **item}
        try:
            event = event_from_record(record)
        except KeyError as exc:
            raise p.fail(str(exc.args[0]) if exc.args else "missing field", where) from None
        except (ValueError, TypeError, MoneyError) as exc:
            key = _bad_key(record)
            raise p.fail(str(exc), where if key is None else _join(where, key)) from None
        for name, amount in _amounts(event):
            if amount.is_negative:
                raise p.fail(f"an amount must not be negative, got {amount}", _join(where, name))
        events.append(event)
    return tuple(events)


def _bad_key(record: Mapping[str, Any]) -> str | None:
    """The key whose value cannot be read (each value is read on its own to find it)."""
    for key, value in record.items():
        if key == "kind":
            continue
        try:
            event_from_record({"kind": record["kind"], key: value})
        except TypeError:
            continue  # only the other (required) fields are missing: this value is fine
        except (ValueError, KeyError, MoneyError):
            return str(key)
    return None


def _amounts(event: Event) -> list[tuple[str, Money]]:
    """Every amount in ``event`` with its key (amounts inside a schedule too)."""
    found: list[tuple[str, Money]] = []

    def walk(value: Any, name: str) -> None:
        if isinstance(value, Money):
            found.append((name, value))
        elif isinstance(value, tuple):
            for index, item in enumerate(value):
                walk(item, f"{name}[{index}]")

    for field in attrs.fields(type(event)):
        walk(getattr(event, field.name), field.name)
    return found


def parse_case_file(doc: Any, file: str = "<case>") -> CaseFile:
    """Build a :class:`CaseFile` from the parsed JSON ``doc``."""
    p = _Parse(file)
    data = p.table(doc, "", _TOP)
    if data.get("format", CASE_FORMAT) != CASE_FORMAT:
        raise p.fail(f"format must be {CASE_FORMAT!r}", "format")
    debtor = _debtor(p, data.get("debtor"))
    creditor_id = p.text(data, "creditor_id", "", default="creditor")
    raw_debts = data.get("debts", [])
    if not isinstance(raw_debts, list) or not raw_debts:
        raise p.fail("debts must be a non-empty list", "debts")
    debts = tuple(
        _debt(p, item, f"debts[{i}]", debtor.debtor_id, creditor_id)
        for i, item in enumerate(raw_debts)
    )
    others_raw = data.get("other_arrears", [])
    if not isinstance(others_raw, list):
        raise p.fail("other_arrears must be a list", "other_arrears")
    others: list[OtherArrear] = []
    for index, item in enumerate(others_raw):
        where = f"other_arrears[{index}]"
        entry = p.table(item, where, frozenset({"creditor", "amount", "reported_on"}))
        amount = p.money(entry, "amount", where)
        reported = p.day(entry, "reported_on", where)
        if amount is None or reported is None:
            raise p.fail("needs amount and reported_on", where)
        others.append(
            OtherArrear(
                creditor=p.text(entry, "creditor", where), amount=amount, reported_on=reported
            )
        )
    return CaseFile(
        debtor=debtor,
        case=Case(debtor_id=debtor.debtor_id, creditor_id=creditor_id, debts=debts),
        events=_events(p, data.get("events", []), debtor.debtor_id),
        other_arrears=tuple(others),
        monthly_premium=p.money(data, "monthly_premium", ""),
    )


def load_case_file(path: Path) -> CaseFile:
    """Read ``path`` (JSON, UTF-8 with or without a byte-order mark) into a :class:`CaseFile`."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError("case file not found", Location(file=str(path))) from None
    except OSError as exc:
        raise InputError(
            f"cannot read the file: {exc.strerror}", Location(file=str(path))
        ) from None
    text = decode_text(raw, str(path))
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"not valid JSON: {exc.msg}", Location(file=str(path), line=exc.lineno)
        ) from None
    except RecursionError:
        raise InputError("the JSON nests too deeply", Location(file=str(path))) from None
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        raise InputError(f"not valid JSON: {exc}", Location(file=str(path))) from None
    return parse_case_file(doc, str(path))
