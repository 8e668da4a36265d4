"""Row <-> domain value mapping, owned by the adapter (the domain stays plain attrs classes).

Money is stored as integer minor units plus a currency (:func:`cents` / :func:`money`), never
as a float. Action payloads are JSON with tagged ``Decimal`` and ``date`` values so they come
back with their types (:func:`encode_payload` / :func:`decode_payload`). ``row_hash`` is the
SHA-256 of an imported row's canonical JSON: a re-import compares hashes to find changed rows.

The ``*_from_row`` mappers read plain rows (tuples or SQLAlchemy ``Row``) whose columns are in the
order of the matching ``*_COLUMNS`` tuple: the daily run maps hundreds of thousands of rows, and
unpacking a tuple is much cheaper than looking names up in a mapping.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import hashlib
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Final

from maatwerk.core.debtors import Address, Debtor, HouseholdType, Housing
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
from maatwerk.core.money import EUR, Money
from maatwerk.core.records import ConsentRecord, HoldRecord, Mandate


__all__ = [
    "APPLIED_COLUMNS",
    "COST_LINE_COLUMNS",
    "DEBTOR_COLUMNS",
    "DEBT_COLUMNS",
    "INTEREST_LINE_COLUMNS",
    "MANDATE_COLUMNS",
    "PAYMENT_COLUMNS",
    "applied_from_row",
    "cents",
    "consent_row",
    "cost_line_from_row",
    "debt_from_row",
    "debt_row",
    "debtor_from_row",
    "debtor_row",
    "decode_payload",
    "encode_payload",
    "hold_row",
    "interest_line_from_row",
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
    return None if units is None else _money(int(units), currency)


@functools.lru_cache(maxsize=1 << 16)
def _money(units: int, currency: str) -> Money:
    """``Money.from_minor_units``, memoised: amounts repeat a lot (most applied payments have
    zero costs and interest; bills are a few tariffs) and a ``Money`` is an immutable value."""
    return Money.from_minor_units(units, currency)


# ``Enum(value)`` goes through ``EnumType.__call__``, a quarter of mapping a debt row; a dict
# lookup is the same member. An unknown value falls through to the call, which raises as before.
_HOUSEHOLDS: Final = {m.value: m for m in HouseholdType}
_CLAIM_KINDS: Final = {m.value: m for m in ClaimKind}
_INTEREST_KINDS: Final = {m.value: m for m in InterestKind}
_DEBT_STATUSES: Final = {m.value: m for m in DebtStatus}


def json_default(value: object) -> Any:
    """``json.dumps`` fallback for the values our JSON columns may carry."""
    if isinstance(value, (dt.date, dt.datetime)):  # first: an imported row has several
        return value.isoformat()
    if isinstance(value, Money):
        return value.format()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, (tuple, set, frozenset)):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


#: One encoder for every dump: ``json.dumps`` with options builds a new one per call, which an
#: import of millions of rows (one row hash each) pays millions of times.
_ENCODER: Final = json.JSONEncoder(default=json_default, ensure_ascii=False, sort_keys=True)


def json_dumps(value: object) -> str:
    return _ENCODER.encode(value)


def row_hash(row: Mapping[Any, Any]) -> str:
    return hashlib.sha256(
        _ENCODER.encode(row if type(row) is dict else dict(row)).encode()
    ).hexdigest()


def _with_hash(row: dict[str, Any], *, unhashed_when_none: tuple[str, ...] = ()) -> dict[str, Any]:
    hashed = (
        {k: v for k, v in row.items() if not (v is None and k in unhashed_when_none)}
        if unhashed_when_none
        else row
    )
    row["row_hash"] = row_hash(hashed)
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
            "housing": None if debtor.housing is None else debtor.housing.value,
            "owner_increase_cents": (
                None if debtor.owner_increase is None else cents(debtor.owner_increase)
            ),
            **_address_columns(debtor.address),
        },
        unhashed_when_none=(*_LID7_COLUMNS, *_ADDRESS_COLUMNS),
    )


def _address_columns(address: Address | None) -> dict[str, str | None]:
    if address is None:
        return dict.fromkeys(_ADDRESS_COLUMNS)
    return {
        "address_street": address.street,
        "address_house_number": address.house_number,
        "address_postcode": address.postcode,
        "address_city": address.city,
        "address_extra": address.extra,
        "address_country": address.country,
    }


def _address_from(values: Sequence[Any]) -> Address | None:
    street, number, postcode, city, extra, country = values
    if street is None:
        return None
    return Address(
        street=street,
        house_number=number,
        postcode=postcode,
        city=city,
        extra=extra,
        country=country or "NL",
    )


#: Debtor columns added by migration 0004; left out of the row hash while empty, so that a
#: debtor stored before them keeps its hash (a re-import of the same file changes nothing).
_LID7_COLUMNS: Final = ("housing", "owner_increase_cents")
#: Debtor columns added by migration 0005 (the postal address), likewise out of the hash while
#: empty: a debtor without an address keeps the hash it had before.
_ADDRESS_COLUMNS: Final = (
    "address_street",
    "address_house_number",
    "address_postcode",
    "address_city",
    "address_extra",
    "address_country",
)


DEBTOR_COLUMNS: Final = (
    "debtor_id",
    "name",
    "household",
    "net_monthly_income_cents",
    "gross_annual_income_cents",
    "payday",
    "iban",
    "email",
    "phone",
    "segment",
    "on_bijstand",
    "has_brp_address",
    "vulnerable",
    "deceased",
    "bsn",
    "housing",
    "owner_increase_cents",
    *_ADDRESS_COLUMNS,
)


def debtor_from_row(row: Sequence[Any]) -> Debtor:
    """A debtor from a row of :data:`DEBTOR_COLUMNS`."""
    (
        debtor_id,
        name,
        household,
        net_income,
        gross_income,
        payday,
        iban,
        email,
        phone,
        segment,
        on_bijstand,
        has_brp_address,
        vulnerable,
        deceased,
        bsn,
        housing,
        owner_increase,
    ) = row[:17]
    return Debtor(
        debtor_id=debtor_id,
        name=name,
        household=_HOUSEHOLDS.get(household) or HouseholdType(household),
        net_monthly_income=money(net_income),
        gross_annual_income=money(gross_income),
        payday=int(payday),
        iban=iban,
        email=email,
        phone=phone,
        segment=segment,
        on_bijstand=bool(on_bijstand),
        has_brp_address=bool(has_brp_address),
        vulnerable=bool(vulnerable),
        deceased=bool(deceased),
        bsn=bsn,
        housing=None if housing is None else Housing(housing),
        owner_increase=money(owner_increase),
        address=_address_from(row[17:23]),
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


DEBT_COLUMNS: Final = (
    "debt_id",
    "debtor_id",
    "creditor_id",
    "principal_cents",
    "currency",
    "due_date",
    "kind",
    "category",
    "issued_on",
    "default_date",
    "consumer",
    "periodic",
    "interest_kind",
    "status",
    "closed_on",
    "reference",
)


def debt_from_row(
    row: Sequence[Any],
    *,
    costs: tuple[CostLine, ...] = (),
    interest: tuple[InterestLine, ...] = (),
    applied: tuple[AppliedPayment, ...] = (),
) -> Debt:
    """A debt from a row of :data:`DEBT_COLUMNS` and its ledger lines."""
    (
        debt_id,
        debtor_id,
        creditor_id,
        principal_cents,
        currency,
        due_date,
        kind,
        category,
        issued_on,
        default_date,
        consumer,
        periodic,
        interest_kind,
        status,
        closed_on,
        reference,
    ) = row
    return Debt(
        debt_id=debt_id,
        debtor_id=debtor_id,
        creditor_id=creditor_id,
        principal=_money(int(principal_cents), currency),
        due_date=due_date,
        kind=_CLAIM_KINDS.get(kind) or ClaimKind(kind),
        category=category,
        issued_on=issued_on,
        default_date=default_date,
        consumer=bool(consumer),
        periodic=bool(periodic),
        interest_kind=_INTEREST_KINDS.get(interest_kind) or InterestKind(interest_kind),
        costs=costs,
        interest=interest,
        applied=applied,
        status=_DEBT_STATUSES.get(status) or DebtStatus(status),
        closed_on=closed_on,
        reference=reference,
    )


COST_LINE_COLUMNS: Final = ("posted_on", "amount_cents", "currency", "kind", "table_version")


def cost_line_from_row(row: Sequence[Any]) -> CostLine:
    """A cost line from a row of :data:`COST_LINE_COLUMNS`."""
    posted_on, amount_cents, currency, kind, table = row
    return CostLine(
        posted_on=posted_on, amount=_money(int(amount_cents), currency), kind=kind, table=table
    )


INTEREST_LINE_COLUMNS: Final = (
    "posted_on",
    "amount_cents",
    "currency",
    "period_from",
    "period_to",
    "table_version",
)


def interest_line_from_row(row: Sequence[Any]) -> InterestLine:
    """An interest line from a row of :data:`INTEREST_LINE_COLUMNS`."""
    posted_on, amount_cents, currency, period_from, period_to, table = row
    return InterestLine(
        posted_on=posted_on,
        amount=_money(int(amount_cents), currency),
        period_from=period_from,
        period_to=period_to,
        table=table,
    )


APPLIED_COLUMNS: Final = (
    "payment_id",
    "applied_on",
    "costs_cents",
    "interest_cents",
    "principal_cents",
    "currency",
)


def applied_from_row(row: Sequence[Any]) -> AppliedPayment:
    """An applied payment from a row of :data:`APPLIED_COLUMNS`."""
    payment_id, applied_on, costs_cents, interest_cents, principal_cents, currency = row
    return AppliedPayment(
        payment_id=payment_id,
        applied_on=applied_on,
        parts=Balance(
            costs=_money(int(costs_cents), currency),
            interest=_money(int(interest_cents), currency),
            principal=_money(int(principal_cents), currency),
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


PAYMENT_COLUMNS: Final = (
    "payment_id",
    "debtor_id",
    "received_on",
    "amount_cents",
    "currency",
    "designated_debt_id",
    "reference",
)


def payment_from_row(row: Sequence[Any]) -> Payment:
    """A payment from a row of :data:`PAYMENT_COLUMNS`."""
    payment_id, debtor_id, received_on, amount_cents, currency, designated, reference = row
    return Payment(
        payment_id=payment_id,
        debtor_id=debtor_id,
        received_on=received_on,
        amount=_money(int(amount_cents), currency),
        designated_debt_id=designated,
        reference=reference,
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


MANDATE_COLUMNS: Final = (
    "mandate_id",
    "debtor_id",
    "creditor_id",
    "iban",
    "signed_on",
    "collection_day",
    "revoked_on",
)


def mandate_from_row(row: Sequence[Any]) -> Mandate:
    """A mandate from a row of :data:`MANDATE_COLUMNS`."""
    mandate_id, debtor_id, creditor_id, iban, signed_on, collection_day, revoked_on = row
    return Mandate(
        mandate_id=mandate_id,
        debtor_id=debtor_id,
        creditor_id=creditor_id,
        iban=iban,
        signed_on=signed_on,
        collection_day=collection_day,
        revoked_on=revoked_on,
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
