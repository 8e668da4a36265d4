"""Row <-> domain value mapping, owned by the adapter (the domain stays plain attrs classes).

Money is stored as integer minor units plus a currency (:func:`cents` / :func:`money`), never
as a float. Action payloads are JSON with tagged ``Decimal`` and ``date`` values so they come
back with their types (:func:`encode_payload` / :func:`decode_payload`). ``row_hash`` is the
SHA-256 of an imported row's canonical JSON: a re-import compares hashes to find changed rows.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from maatwerk.core.debtors import Debtor, HouseholdType
from maatwerk.core.debts import (
    AppliedPayment,
    Balance,
    ClaimKind,
    CostLine,
    Debt,
    DebtStatus,
    InterestKind,
    InterestLine,
    Payment,
)
from maatwerk.core.events import ConsentScope
from maatwerk.core.money import EUR, Money
from maatwerk.core.records import ConsentRecord, HoldRecord, Mandate


__all__ = [
    "cents",
    "consent_row",
    "debt_from_row",
    "debt_row",
    "debtor_from_row",
    "debtor_row",
    "decode_payload",
    "encode_payload",
    "hold_row",
    "json_default",
    "json_dumps",
    "mandate_from_row",
    "mandate_row",
    "money",
    "payment_from_row",
    "payment_row",
    "row_hash",
]


def cents(amount: Money) -> int:
    """Integer minor units of an amount already rounded to them."""
    return amount.to_minor_units()


def money(units: int | None, currency: str = EUR) -> Money | None:
    return None if units is None else Money.from_minor_units(int(units), currency)


def json_default(value: object) -> Any:
    """``json.dumps`` fallback for the values our JSON columns may carry."""
    if isinstance(value, Money):
        return value.format()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, (tuple, set, frozenset)):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def json_dumps(value: object) -> str:
    return json.dumps(value, default=json_default, ensure_ascii=False, sort_keys=True)


def row_hash(row: Mapping[Any, Any]) -> str:
    return hashlib.sha256(json_dumps(dict(row)).encode()).hexdigest()


def _with_hash(row: dict[str, Any]) -> dict[str, Any]:
    row["row_hash"] = row_hash(row)
    return row


# -- payloads -----------------------------------------------------------------------------------
def encode_payload(value: Any) -> Any:
    """JSON-able form with ``{"$decimal": "1.00"}`` / ``{"$date": "2026-01-01"}`` tags."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, Money):
        return {"$decimal": str(value.amount)}
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): encode_payload(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode_payload(v) for v in value]
    raise TypeError(f"payload value of type {type(value).__name__} cannot be stored")


def decode_payload(value: Any) -> Any:
    """Inverse of :func:`encode_payload`; lists come back as tuples."""
    if isinstance(value, dict):
        if set(value) == {"$decimal"}:
            return Decimal(str(value["$decimal"]))
        if set(value) == {"$date"}:
            return dt.date.fromisoformat(str(value["$date"]))
        return {str(k): decode_payload(v) for k, v in value.items()}
    if isinstance(value, list):
        return tuple(decode_payload(v) for v in value)
    return value


# -- debtors ------------------------------------------------------------------------------------
def debtor_row(debtor: Debtor) -> dict[str, Any]:
    return _with_hash(
        {
            "debtor_id": debtor.debtor_id,
            "name": debtor.name,
            "household": debtor.household.value,
            "net_monthly_income_cents": (
                None if debtor.net_monthly_income is None else cents(debtor.net_monthly_income)
            ),
            "gross_annual_income_cents": (
                None if debtor.gross_annual_income is None else cents(debtor.gross_annual_income)
            ),
            "payday": debtor.payday,
            "iban": debtor.iban,
            "email": debtor.email,
            "phone": debtor.phone,
            "segment": debtor.segment,
            "on_bijstand": debtor.on_bijstand,
            "has_brp_address": debtor.has_brp_address,
            "vulnerable": debtor.vulnerable,
            "deceased": debtor.deceased,
            "bsn": debtor.bsn,
        }
    )


def debtor_from_row(row: Mapping[Any, Any]) -> Debtor:
    return Debtor(
        debtor_id=row["debtor_id"],
        name=row["name"],
        household=HouseholdType(row["household"]),
        net_monthly_income=money(row["net_monthly_income_cents"]),
        gross_annual_income=money(row["gross_annual_income_cents"]),
        payday=int(row["payday"]),
        iban=row["iban"],
        email=row["email"],
        phone=row["phone"],
        segment=row["segment"],
        on_bijstand=bool(row["on_bijstand"]),
        has_brp_address=bool(row["has_brp_address"]),
        vulnerable=bool(row["vulnerable"]),
        deceased=bool(row["deceased"]),
        bsn=row["bsn"],
    )


# -- debts --------------------------------------------------------------------------------------
def debt_row(debt: Debt) -> dict[str, Any]:
    """The imported columns of a debt (its ledger lines live in their own tables)."""
    return _with_hash(
        {
            "debt_id": debt.debt_id,
            "debtor_id": debt.debtor_id,
            "creditor_id": debt.creditor_id,
            "principal_cents": cents(debt.principal),
            "currency": debt.currency,
            "due_date": debt.due_date,
            "kind": debt.kind.value,
            "category": debt.category,
            "issued_on": debt.issued_on,
            "default_date": debt.default_date_override,
            "consumer": debt.consumer,
            "periodic": debt.periodic,
            "interest_kind": debt.interest_kind.value,
            "status": debt.status.value,
            "closed_on": debt.closed_on,
            "reference": debt.reference,
        }
    )


def debt_from_row(
    row: Mapping[Any, Any],
    *,
    costs: tuple[CostLine, ...] = (),
    interest: tuple[InterestLine, ...] = (),
    applied: tuple[AppliedPayment, ...] = (),
) -> Debt:
    currency = row["currency"]
    principal = money(row["principal_cents"], currency)
    if principal is None:  # pragma: no cover - the column is NOT NULL
        raise ValueError("debt without principal")
    return Debt(
        debt_id=row["debt_id"],
        debtor_id=row["debtor_id"],
        creditor_id=row["creditor_id"],
        principal=principal,
        due_date=row["due_date"],
        kind=ClaimKind(row["kind"]),
        category=row["category"],
        issued_on=row["issued_on"],
        default_date=row["default_date"],
        consumer=bool(row["consumer"]),
        periodic=bool(row["periodic"]),
        interest_kind=InterestKind(row["interest_kind"]),
        costs=costs,
        interest=interest,
        applied=applied,
        status=DebtStatus(row["status"]),
        closed_on=row["closed_on"],
        reference=row["reference"],
    )


def cost_line_from_row(row: Mapping[Any, Any]) -> CostLine:
    amount = money(row["amount_cents"], row["currency"])
    assert amount is not None  # noqa: S101 - NOT NULL column
    return CostLine(
        posted_on=row["posted_on"], amount=amount, kind=row["kind"], table=row["table_version"]
    )


def interest_line_from_row(row: Mapping[Any, Any]) -> InterestLine:
    amount = money(row["amount_cents"], row["currency"])
    assert amount is not None  # noqa: S101 - NOT NULL column
    return InterestLine(
        posted_on=row["posted_on"],
        amount=amount,
        period_from=row["period_from"],
        period_to=row["period_to"],
        table=row["table_version"],
    )


def applied_from_row(row: Mapping[Any, Any]) -> AppliedPayment:
    cur = row["currency"]
    return AppliedPayment(
        payment_id=row["payment_id"],
        applied_on=row["applied_on"],
        parts=Balance(
            costs=Money.from_minor_units(int(row["costs_cents"]), cur),
            interest=Money.from_minor_units(int(row["interest_cents"]), cur),
            principal=Money.from_minor_units(int(row["principal_cents"]), cur),
        ),
    )


# -- payments, mandates, consents, holds --------------------------------------------------------
def payment_row(payment: Payment) -> dict[str, Any]:
    return _with_hash(
        {
            "payment_id": payment.payment_id,
            "debtor_id": payment.debtor_id,
            "received_on": payment.received_on,
            "amount_cents": cents(payment.amount),
            "currency": payment.amount.currency,
            "designated_debt_id": payment.designated_debt_id,
            "reference": payment.reference,
        }
    )


def payment_from_row(row: Mapping[Any, Any]) -> Payment:
    amount = money(row["amount_cents"], row["currency"])
    assert amount is not None  # noqa: S101 - NOT NULL column
    return Payment(
        payment_id=row["payment_id"],
        debtor_id=row["debtor_id"],
        received_on=row["received_on"],
        amount=amount,
        designated_debt_id=row["designated_debt_id"],
        reference=row["reference"],
    )


def mandate_row(mandate: Mandate) -> dict[str, Any]:
    return _with_hash(
        {
            "mandate_id": mandate.mandate_id,
            "debtor_id": mandate.debtor_id,
            "creditor_id": mandate.creditor_id,
            "iban": mandate.iban,
            "signed_on": mandate.signed_on,
            "collection_day": mandate.collection_day,
            "revoked_on": mandate.revoked_on,
        }
    )


def mandate_from_row(row: Mapping[Any, Any]) -> Mandate:
    return Mandate(
        mandate_id=row["mandate_id"],
        debtor_id=row["debtor_id"],
        creditor_id=row["creditor_id"],
        iban=row["iban"],
        signed_on=row["signed_on"],
        collection_day=row["collection_day"],
        revoked_on=row["revoked_on"],
    )


def consent_row(consent: ConsentRecord) -> dict[str, Any]:
    return _with_hash(
        {
            "consent_id": consent.consent_id,
            "debtor_id": consent.debtor_id,
            "scope": consent.scope.value,
            "given_on": consent.given_on,
            "revoked_on": consent.revoked_on,
            "source": consent.source,
        }
    )


def consent_from_row(row: Mapping[Any, Any]) -> ConsentRecord:
    return ConsentRecord(
        consent_id=row["consent_id"],
        debtor_id=row["debtor_id"],
        scope=ConsentScope(row["scope"]),
        given_on=row["given_on"],
        revoked_on=row["revoked_on"],
        source=row["source"],
    )


def hold_row(hold: HoldRecord) -> dict[str, Any]:
    return _with_hash(
        {
            "hold_id": hold.hold_id,
            "debtor_id": hold.debtor_id,
            "debt_id": hold.debt_id,
            "reason": hold.reason,
            "starts_on": hold.starts_on,
            "ends_on": hold.ends_on,
            "note": hold.note,
        }
    )


def hold_from_row(row: Mapping[Any, Any]) -> HoldRecord:
    return HoldRecord(
        hold_id=row["hold_id"],
        debtor_id=row["debtor_id"],
        debt_id=row["debt_id"],
        reason=row["reason"],
        starts_on=row["starts_on"],
        ends_on=row["ends_on"],
        note=row["note"],
    )
