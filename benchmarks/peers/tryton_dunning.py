"""Tryton's ``account_dunning``: its dunning-creation wizard on N overdue receivables, on SQLite.

The peer of maatwerk's first-day run (every case evaluated once). Set-up, not timed: a SQLite
database file with ``account_dunning`` activated, a company with the standard chart of accounts
and a fiscal year with periods, a dunning procedure of three levels (5, 20 and 40 days overdue),
N parties on that procedure and, for each, one posted invoice move whose receivable line fell
due 30 days before the run date. Timed: the wizard ``account.dunning.create`` (its ``create_``
transition runs ``Dunning.generate_dunnings``) for the run date, and the commit.

Run it with ``make bench-peers`` (installs trytond into the venv first) or::

    PEER_DEBTS=10000 .venv/bin/python -O benchmarks/peers/tryton_dunning.py

Prints one JSON object: N, seconds (wall and CPU) of the wizard, milliseconds per line, the
dunnings it created, peak RSS. ``-O`` is what Tryton's own deployment advice uses; without it
the ORM runs its assertions.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import sys
import tempfile
import time
from decimal import Decimal
from typing import Any


N = int(os.environ.get("PEER_DEBTS", "1000"))
RUN_DATE = dt.date(2026, 3, 2)
DUE = RUN_DATE - dt.timedelta(days=30)
CHUNK = 1000

_DB_DIR = tempfile.mkdtemp(prefix="tryton-peer-")
os.environ.setdefault("TRYTOND_DATABASE__URI", "sqlite://")
os.environ.setdefault("TRYTOND_DATABASE__PATH", _DB_DIR)
os.environ.setdefault("DB_NAME", "peer")

from trytond.modules.account.tests import create_chart, get_fiscalyear  # noqa: E402
from trytond.modules.company.tests import create_company, set_company  # noqa: E402
from trytond.pool import Pool  # noqa: E402
from trytond.tests.test_tryton import DB_NAME, activate_module  # noqa: E402
from trytond.transaction import Transaction, TransactionError  # noqa: E402


def _in_transaction(work: Any) -> Any:
    """Run ``work()`` in a committed transaction, started again with the table locks Tryton asks
    for (as its own dispatcher and test decorator do)."""
    extras: dict[str, Any] = {}
    while True:
        with Transaction().start(DB_NAME, 1, context={}, **extras) as transaction:
            try:
                result = work()
            except TransactionError as exc:
                transaction.rollback()
                exc.fix(extras)
                continue
            transaction.commit()
            return result


def _setup() -> Any:
    """Company, chart, fiscal year, procedure, N parties with one overdue line each."""
    pool = Pool()
    account = pool.get("account.account")
    fiscal_year = pool.get("account.fiscalyear")
    journal = pool.get("account.journal")
    move = pool.get("account.move")
    party = pool.get("party.party")
    procedure_model = pool.get("account.dunning.procedure")

    company = create_company()
    with set_company(company):
        create_chart(company)
        year = get_fiscalyear(company, today=RUN_DATE)
        year.save()
        fiscal_year.create_period([year])
        period = year.periods[0]
        receivable, = account.search(
            [("type.receivable", "=", True), ("party_required", "=", True),
             ("company", "=", company.id), ("closed", "!=", True)], limit=1,
        )  # fmt: skip
        (revenue,) = account.search(
            [("type.revenue", "=", True), ("company", "=", company.id), ("closed", "!=", True)],
            limit=1,
        )
        (revenue_journal,) = journal.search([("code", "=", "REV")])
        procedure, = procedure_model.create(
            [{"name": "Procedure", "levels": [("create", [
                {"sequence": 1, "overdue": dt.timedelta(5)},
                {"sequence": 2, "overdue": dt.timedelta(20)},
                {"sequence": 3, "overdue": dt.timedelta(40)},
            ])]}]
        )  # fmt: skip
        for start in range(0, N, CHUNK):
            size = min(CHUNK, N - start)
            parties = party.create(
                [{"name": f"Debtor {start + i}", "dunning_procedure": procedure.id}
                 for i in range(size)]
            )  # fmt: skip
            amount = Decimal("142.50")
            moves = move.create(
                [{"period": period.id, "journal": revenue_journal.id, "date": DUE,
                  "lines": [("create", [
                      {"account": revenue.id, "credit": amount},
                      {"account": receivable.id, "debit": amount, "party": p.id,
                       "maturity_date": DUE},
                  ])]} for p in parties]
            )  # fmt: skip
            move.post(moves)
    return company


def main() -> None:
    activate_module(["account_dunning"])
    company_id = _in_transaction(lambda: _setup().id)

    def create_dunnings() -> None:
        pool = Pool()
        company = pool.get("company.company")(company_id)
        wizard_model = pool.get("account.dunning.create", type="wizard")
        with set_company(company):
            session_id, _, _ = wizard_model.create()
            wizard = wizard_model(session_id)
            wizard.start.date = RUN_DATE
            wizard.start.companies = [company]
            wizard.do_create_(None)

    wall, cpu = time.perf_counter(), time.process_time()
    _in_transaction(create_dunnings)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    created = _in_transaction(lambda: Pool().get("account.dunning").search_count([]))
    print(
        json.dumps(
            {
                "peer": "trytond account_dunning (create dunnings wizard)",
                "lines": N,
                "optimized": not __debug__,
                "python": sys.version.split()[0],
                "wall_s": round(wall, 3),
                "cpu_s": round(cpu, 3),
                "ms_per_line_cpu": round(cpu * 1000 / N, 3),
                "dunnings_created": created,
                "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                "database": "sqlite file",
            }
        )
    )


if __name__ == "__main__":
    main()
