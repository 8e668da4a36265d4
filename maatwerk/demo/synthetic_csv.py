"""Write a synthetic :class:`~maatwerk.demo.synthetic.Portfolio` as import CSV files.

Files (UTF-8, comma-separated, one header row; amounts in euros with two decimals, dates ISO):

* ``debtors.csv``   - one row per debtor (the ``debtors`` import)
* ``debts.csv``     - one row per bill (the ``debts`` import)
* ``mandates.csv``  - SEPA mandates of direct-debit households (the ``mandates`` import)
* ``behaviour.csv`` - the simulation-only truth per household (profile, payment method, other
  creditors' arrears); never imported into a production store
* ``portfolio.json`` - seed, start date, months, counts and the behaviour table version

Columns follow the storage schema's natural keys (``maatwerk/adapters/storage/schema.py``); the
column lists are the constants below, so a reader and a test can check them.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Final

from maatwerk.adapters.csv_import import ADDRESS_COLUMNS, COLUMNS
from maatwerk.core.debtors import Address
from maatwerk.core.records import ImportKind
from maatwerk.demo.synthetic import PaymentMethod, Portfolio


__all__ = [
    "BEHAVIOUR_COLUMNS",
    "DEBTOR_COLUMNS",
    "DEBT_COLUMNS",
    "MANDATE_COLUMNS",
    "write_portfolio",
]

#: The import formats' columns (``maatwerk.adapters.csv_import``) that a synthetic portfolio
#: fills: everything except the optional ones it never has (no BSN, no housing for Rv 475da lid 7:
#: every synthetic household rents; no explicit default date, no revoked mandates). Derived, so
#: the writer can never drift from the reader.
DEBTOR_COLUMNS: Final = tuple(
    c for c in COLUMNS[ImportKind.DEBTORS] if c not in {"bsn", "housing", "owner_increase"}
)
DEBT_COLUMNS: Final = tuple(c for c in COLUMNS[ImportKind.DEBTS] if c != "default_date")
MANDATE_COLUMNS: Final = tuple(c for c in COLUMNS[ImportKind.MANDATES] if c != "revoked_on")
BEHAVIOUR_COLUMNS: Final = (
    "debtor_id",
    "profile",
    "payment_method",
    "product",
    "debit_day",
    "other_arrears_creditors",
    "other_arrears_instalment",
    "other_arrears_total",
)


def _address_cells(address: Address | None) -> tuple[str, ...]:
    if address is None:
        return ("",) * len(ADDRESS_COLUMNS)
    return (
        address.street,
        address.house_number,
        address.postcode,
        address.city,
        address.extra or "",
        address.country,
    )


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _write(path: Path, columns: Sequence[str], rows: Iterable[Sequence[str]]) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def write_portfolio(portfolio: Portfolio, directory: Path) -> dict[str, Path]:
    """Write the portfolio's CSV files into ``directory`` (created); returns them by name."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = {
        "debtors": directory / "debtors.csv",
        "debts": directory / "debts.csv",
        "mandates": directory / "mandates.csv",
        "behaviour": directory / "behaviour.csv",
        "portfolio": directory / "portfolio.json",
    }
    creditors: dict[str, str] = {}  # each household's creditor: the one billing its line
    for debt in portfolio.debts:
        creditors.setdefault(debt.debtor_id, debt.creditor_id)
    _write(
        paths["debtors"],
        DEBTOR_COLUMNS,
        (
            (
                d.debtor_id,
                d.name,
                d.household.value,
                d.net_monthly_income.format() if d.net_monthly_income else "",
                d.gross_annual_income.format() if d.gross_annual_income else "",
                str(d.payday),
                d.iban or "",
                d.email or "",
                d.phone or "",
                d.segment,
                _flag(d.on_bijstand),
                _flag(d.has_brp_address),
                _flag(d.vulnerable),
                _flag(d.deceased),
                *_address_cells(d.address),
            )
            for d in (h.debtor for h in portfolio.households)
        ),
    )
    _write(
        paths["debts"],
        DEBT_COLUMNS,
        (
            (
                b.debt_id,
                b.debtor_id,
                b.creditor_id,
                b.principal.format(),
                b.currency,
                b.due_date.isoformat(),
                b.kind.value,
                b.category,
                b.issued_on.isoformat() if b.issued_on else "",
                _flag(b.consumer),
                _flag(b.periodic),
                b.interest_kind.value,
                b.reference,
            )
            for b in portfolio.debts
        ),
    )
    _write(
        paths["mandates"],
        MANDATE_COLUMNS,
        (
            (
                h.mandate_id,
                h.debtor.debtor_id,
                creditors.get(h.debtor.debtor_id, portfolio.creditor_id),
                h.debtor.iban or "",
                h.mandate_signed_on.isoformat(),
                str(h.debit_day),
            )
            for h in portfolio.households
            if h.method is PaymentMethod.DIRECT_DEBIT
        ),
    )
    _write(
        paths["behaviour"],
        BEHAVIOUR_COLUMNS,
        (
            (
                h.debtor.debtor_id,
                h.profile.value,
                h.method.value,
                h.product,
                str(h.debit_day),
                str(h.other_arrears_creditors),
                h.other_arrears_instalment.format(),
                h.other_arrears_total.format(),
            )
            for h in portfolio.households
        ),
    )
    meta = {
        "seed": portfolio.seed,
        "start": portfolio.start.isoformat(),
        "months": portfolio.months,
        "creditor_id": portfolio.creditor_id,
        "creditor_name": portfolio.creditor_name,
        "debtors": len(portfolio.households),
        "debts": len(portfolio.debts),
        "behaviour_table": portfolio.params_version,
    }
    paths["portfolio"].write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return paths
