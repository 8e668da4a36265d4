"""Shared pieces of the storage and daily-run integration tests: records and the stock dispatcher."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final

from maatwerk.adapters.calendars import build_calendars
from maatwerk.adapters.policy_loader import load_policy, resolve_policy
from maatwerk.adapters.storage import SqlStore
from maatwerk.core.debtors import Address, Debtor, HouseholdType
from maatwerk.core.debts import Debt, Payment
from maatwerk.core.money import Money, eur
from maatwerk.core.policy import PolicyTables
from maatwerk.core.ports import DeliveryContext
from maatwerk.core.records import ImportBatch, ImportKind, ImportRecord
from maatwerk.plugins.manager import make_plugin_manager
from maatwerk.services.run import Dispatcher, PolicyCaseEvaluator


def import_portfolio(store: SqlStore, records: Iterable[ImportRecord]) -> None:
    """Store ``records`` as one portfolio import."""
    store.apply_import(
        ImportBatch(
            kind=ImportKind.PORTFOLIO, file_name="p", file_sha256="0", records=tuple(records)
        )
    )


def import_payments(
    store: SqlStore, payments: Iterable[Payment], *, file_name: str = "pay", file_sha256: str = "1"
) -> None:
    """Store ``payments`` as one payments import (another file wants another ``file_sha256``)."""
    store.apply_import(
        ImportBatch(
            kind=ImportKind.PAYMENTS,
            file_name=file_name,
            file_sha256=file_sha256,
            records=tuple(payments),
        )
    )


#: A made-up postal address: without one no letter goes out (the step goes to the work list).
HOME: Final = Address(
    street="Voorbeeldstraat", house_number="1", postcode="1234 AB", city="Utrecht"
)


def single(
    debtor_id: str,
    name: str,
    *,
    income: str = "1500.00",
    phone: str | None = "0612345678",
    address: Address | None = HOME,
) -> Debtor:
    """A single-person household with a net monthly income (EUR 1,500.00), a phone and a
    postal address."""
    return Debtor(
        debtor_id=debtor_id,
        name=name,
        household=HouseholdType.SINGLE,
        net_monthly_income=eur(income),
        phone=phone,
        address=address,
    )


def stock_dispatcher(
    store: SqlStore,
    day: dt.date,
    out: Path,
    settings: Mapping[str, str],
    tables: PolicyTables | None = None,
) -> Dispatcher:
    """The real stock channels (letters ...) writing under ``out``; with ``tables`` (the
    evaluator's) a letter that goes out later than decided is dated for ``day``, as the CLI does."""
    return Dispatcher(
        store=store,
        channel_for=make_plugin_manager().channel,
        context=DeliveryContext(output_dir=out, run_date=day, settings=settings),
        tables=tables,
    )


def shipped_evaluator(name: str, **tables: Any) -> PolicyCaseEvaluator:
    """An evaluator running the shipped policy ``name`` for every case, with the calendars and
    any further ``tables`` (``bik=``, ``interest=`` ...)."""
    return PolicyCaseEvaluator(
        policies={name: load_policy(resolve_policy(name))},
        default=name,
        tables=PolicyTables(calendars=build_calendars()),
        **tables,
    )


def bill(
    debt_id: str, debtor_id: str, creditor_id: str, principal: Money, due: dt.date, **more: Any
) -> Debt:
    """A debt; ``more`` are its other fields (``category=``, ``periodic=`` ...)."""
    return Debt(
        debt_id=debt_id,
        debtor_id=debtor_id,
        creditor_id=creditor_id,
        principal=principal,
        due_date=due,
        **more,
    )
