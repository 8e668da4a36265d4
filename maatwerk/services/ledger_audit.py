"""Ledger invariants (``maatwerk audit verify``): every cent of every case accounted for.

:func:`verify_ledger` checks, from the stored rows and independently of the run's own
arithmetic:

1. per case: principal + interest + costs - allocated payments - write-offs = the balance the
   engine works with (the open debts' outstanding), to the cent; a debt stored ``paid`` that
   still owes something, or a line the engine does not load, shows as a difference;
2. per debt: no part (costs, interest, principal) received more than was charged, since no
   refund is ever recorded (a negative balance would be money owed back that nobody pays);
3. per payment: never more allocated than received; a payment received by the last finished
   run is allocated, or its debtor owed nothing (then it is held whole as an overpayment); what
   a payment leaves over after its case is paid is held as an overpayment (counted).

The rows come through the :class:`LedgerSource` port (the SQL store's aggregate queries) and
the balance through the ordinary :class:`~maatwerk.core.ports.Store`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Protocol

import attrs

from maatwerk.core.money import Money
from maatwerk.core.ports import Store
from maatwerk.core.records import CaseKey


__all__ = [
    "DebtRow",
    "LedgerProblem",
    "LedgerReport",
    "LedgerSource",
    "PaymentRow",
    "verify_ledger",
]

_CLOSED_UNPAID = frozenset({"written-off", "cancelled"})


@attrs.frozen(kw_only=True)
class DebtRow:
    """One debt's ledger as stored, in cents: charged and allocated per part."""

    debt_id: str
    debtor_id: str
    creditor_id: str
    status: str
    principal: int
    costs: int
    interest: int
    paid_costs: int
    paid_interest: int
    paid_principal: int

    @property
    def charged(self) -> int:
        return self.principal + self.costs + self.interest

    @property
    def paid(self) -> int:
        return self.paid_costs + self.paid_interest + self.paid_principal


@attrs.frozen(kw_only=True)
class PaymentRow:
    """One received payment and what of it is allocated to debts, in cents."""

    payment_id: str
    debtor_id: str
    received_on: dt.date
    amount: int
    allocated: int


class LedgerSource(Protocol):
    """The stored ledger rows (the SQL store: a few aggregate queries)."""

    def ledger_debts(self) -> Iterable[DebtRow]: ...

    def ledger_payments(self) -> Iterable[PaymentRow]: ...

    def last_run_date(self) -> dt.date | None:
        """The newest date with a finished (not dry) run, ``None`` before the first."""
        ...


@attrs.frozen(kw_only=True)
class LedgerProblem:
    """One broken invariant: where (a case, a debt or a payment) and the difference."""

    where: str
    message: str
    difference: Money

    def line(self) -> str:
        return f"{self.where}: {self.message} (difference EUR {self.difference.format()})"


@attrs.frozen(kw_only=True)
class LedgerReport:
    """What :func:`verify_ledger` checked and found."""

    cases: int
    debts: int
    payments: int
    overpayments: int
    overpaid: Money
    problems: tuple[LedgerProblem, ...]

    @property
    def clean(self) -> bool:
        return not self.problems


def _eur(cents: int) -> Money:
    return Money.from_minor_units(cents)


def verify_ledger(store: Store, ledger: LedgerSource, *, page: int = 500) -> LedgerReport:
    """Check the three invariants of the module docstring over the whole portfolio."""
    problems: list[LedgerProblem] = []
    by_case: dict[CaseKey, list[DebtRow]] = defaultdict(list)
    owing: set[str] = set()
    debts = 0
    for row in ledger.ledger_debts():
        debts += 1
        by_case[CaseKey(row.debtor_id, row.creditor_id)].append(row)
        if row.status == "open" and row.charged > row.paid:
            owing.add(row.debtor_id)
        for part, charged, paid in (
            ("costs", row.costs, row.paid_costs),
            ("interest", row.interest, row.paid_interest),
            ("principal", row.principal, row.paid_principal),
        ):
            if paid > charged:
                problems.append(
                    LedgerProblem(
                        where=f"debt {row.debt_id}",
                        message=f"more {part} allocated than charged, and no refund is recorded",
                        difference=_eur(paid - charged),
                    )
                )
    # the engine's balance: what the run reads as still owed on the open debts
    balances: dict[CaseKey, int] = {}
    after: CaseKey | None = None
    while keys := store.case_keys(after=after, limit=page):
        after = keys[-1]
        for stored in store.load_cases(keys):
            balances[stored.key] = stored.case.outstanding.total.to_minor_units()
    for key in sorted(set(by_case) | set(balances)):
        rows = by_case.get(key, [])
        written_off = sum(r.charged - r.paid for r in rows if r.status in _CLOSED_UNPAID)
        ledger_says = sum(r.charged for r in rows) - sum(r.paid for r in rows) - written_off
        balance = balances.get(key, 0)
        if ledger_says != balance:
            problems.append(
                LedgerProblem(
                    where=f"case {key.debtor_id}/{key.creditor_id}",
                    message=(
                        f"principal + interest + costs - payments - write-offs is EUR "
                        f"{_eur(ledger_says).format()}, the balance is EUR "
                        f"{_eur(balance).format()}"
                    ),
                    difference=_eur(ledger_says - balance),
                )
            )
    last_run = ledger.last_run_date()
    payments = overpayments = 0
    overpaid = 0
    for pay in ledger.ledger_payments():
        payments += 1
        where = f"payment {pay.payment_id} of debtor {pay.debtor_id}"
        if pay.allocated > pay.amount:
            problems.append(
                LedgerProblem(
                    where=where,
                    message=f"more allocated than the EUR {_eur(pay.amount).format()} received",
                    difference=_eur(pay.allocated - pay.amount),
                )
            )
            continue
        settled = last_run is not None and pay.received_on <= last_run
        if pay.allocated == 0 and settled and pay.debtor_id in owing:
            problems.append(
                LedgerProblem(
                    where=where,
                    message=(
                        f"received on {pay.received_on.isoformat()}, not allocated and not "
                        "held as an overpayment while the debtor still owes"
                    ),
                    difference=_eur(pay.amount),
                )
            )
        elif pay.allocated < pay.amount and settled:
            overpayments += 1
            overpaid += pay.amount - pay.allocated
    return LedgerReport(
        cases=len(set(by_case) | set(balances)),
        debts=debts,
        payments=payments,
        overpayments=overpayments,
        overpaid=_eur(overpaid),
        problems=tuple(problems),
    )
