"""A deduction-at-source plan: one instruction per payer per month, never above the room
(SQLite, PostgreSQL).

The debtor accepts a plan paid by deduction at source from a named payer (their agreement): the
policy's ``deduction`` step instructs the first month, the run each later month on its first
day, once, for that payer; each instruction is schema-valid, grouped
``<run date>/<payer>/<YYYY-MM>/`` and capped at net income minus the protected income (BVV).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from run_helpers import bill, import_portfolio, shipped_evaluator, single, stock_dispatcher

from maatwerk.adapters.csv_import import read_remittance_file
from maatwerk.adapters.storage import SqlStore
from maatwerk.adapters.subsistence_tables import load_subsistence_tables
from maatwerk.core.events import ArrangementAccepted, ArrangementBreached
from maatwerk.core.money import eur
from maatwerk.core.records import ImportCounts, OutboxStatus
from maatwerk.services import recording
from maatwerk.services.importing import import_file
from maatwerk.services.run import PolicyCaseEvaluator, run_day


SETTINGS: Mapping[str, str] = {
    "creditor_name": "Zorg Test",
    "creditor_phone": "0800-0123456",
    "creditor_iban": "NL91ABNA0417164300",
}
OFFERED = dt.date(2026, 4, 1)
ACCEPTED = dt.date(2026, 4, 2)
PAYER = "123456789L01"


def _plan(store: SqlStore, *, capacity: str = "100.00", income: str = "2200.00") -> str:
    debt = bill("B1", "D1", "zorg", eur("300.00"), dt.date(2026, 2, 1), category="premium")
    debtor = attrs.evolve(
        single("D1", "Person 1", income=income), gross_annual_income=eur("28000.00")
    )
    import_portfolio(store, [debtor, debt])
    offer = recording.propose_arrangement_for(
        store, "D1", creditor_id="zorg", on=OFFERED, by="anna", capacity=eur(capacity),
        method="deduction", payer_id=PAYER, payer_name="Bakkerij De Korst B.V.",
    )  # fmt: skip
    recording.accept_arrangement(store, "D1", offer.arrangement_id, on=ACCEPTED, by="anna")
    return offer.arrangement_id


@pytest.fixture
def ev() -> PolicyCaseEvaluator:
    return shipped_evaluator("humane", subsistence=load_subsistence_tables())


def _run(store: SqlStore, ev: PolicyCaseEvaluator, day: dt.date, out: Path) -> None:
    run_day(store, ev, day, dispatcher=stock_dispatcher(store, day, out, SETTINGS))


def _remit(store: SqlStore, tmp: Path, period: str, paid_on: dt.date) -> ImportCounts:
    """The payer remits the month's deduction: a remittance CSV imported as a payment."""
    path = tmp / f"remit-{period}.csv"
    path.write_text(
        f"payer_id,debtor_id,period,amount,paid_on\n{PAYER},D1,{period},100.00,{paid_on}\n",
        encoding="utf-8",
    )
    return import_file(read_remittance_file(path), store)


def _instructions(out: Path) -> list[tuple[str, dict[str, object]]]:
    files = sorted((out / "source-deduction").rglob("*.json"))
    return [
        (str(f.parent.relative_to(out / "source-deduction")), json.loads(f.read_text("utf-8")))
        for f in files
    ]


class TestPlanDeductions:
    def test_one_instruction_per_payer_per_month(
        self, store: SqlStore, ev: PolicyCaseEvaluator, tmp_path: Path
    ) -> None:
        plan = _plan(store)
        accepted = [
            r.event for r in store.history("D1") if isinstance(r.event, ArrangementAccepted)
        ]
        assert [(e.payer_id, e.payer_name) for e in accepted] == [(PAYER, "Bakkerij De Korst B.V.")]
        out = tmp_path / "out"
        for day in (ACCEPTED, dt.date(2026, 4, 3), dt.date(2026, 4, 30)):
            _run(store, ev, day, out)
        _remit(store, tmp_path, "2026-04", dt.date(2026, 4, 27))
        for day in (dt.date(2026, 5, 1), dt.date(2026, 5, 1), dt.date(2026, 5, 20)):
            _run(store, ev, day, out)  # 1 May twice: a re-run instructs nothing again
        _remit(store, tmp_path, "2026-05", dt.date(2026, 5, 27))
        _run(store, ev, dt.date(2026, 6, 1), out)
        items = [i for i in store.outbox_items() if i.entry.channel == "source-deduction"]
        assert all(i.status is OutboxStatus.DONE for i in items), items
        assert [i.entry.step for i in items] == [
            "deduction",
            f"plan-deduction:{plan}:2",
            f"plan-deduction:{plan}:3",
        ]
        found = _instructions(out)
        assert [group for group, _ in found] == [
            f"2026-04-02/{PAYER}/2026-04",
            f"2026-05-01/{PAYER}/2026-05",
            f"2026-06-01/{PAYER}/2026-06",
        ]
        events = [r.event for r in store.history("D1")]
        assert not [e for e in events if isinstance(e, ArrangementBreached)]
        ids = {f"remit:{PAYER}:D1:2026-04", f"remit:{PAYER}:D1:2026-05"}
        assert store.existing_ids("payment", ids) == ids
        counts = _remit(store, tmp_path, "2026-05", dt.date(2026, 5, 27))  # the same file again
        assert (counts.inserted, counts.updated) == (0, 0)
        for _, document in found:
            assert document["payer"] == {"payer_id": PAYER, "name": "Bakkerij De Korst B.V."}
            assert Decimal(str(document["monthly_amount"])) == Decimal("100.00")
            room = Decimal(str(document["room"]))
            assert Decimal(str(document["monthly_amount"])) <= room

    def test_the_instalment_is_capped_at_the_room(
        self, store: SqlStore, ev: PolicyCaseEvaluator, tmp_path: Path
    ) -> None:
        # agreed at 300.00 a month (taken as given), but only part is above the BVV
        _plan(store, capacity="300.00", income="1600.00")
        _run(store, ev, ACCEPTED, tmp_path)
        (item,) = [i for i in store.outbox_items() if i.entry.channel == "source-deduction"]
        payload = item.entry.payload
        bvv = payload["bvv"]
        room = bvv["net_income"] - bvv["protected_income"]
        assert Decimal(0) < room < Decimal("300.00")
        assert payload["agreed_instalment"] == Decimal("300.00")
        assert payload["instalment_amount"] == room
        assert payload["capped_at_room"] is True
        ((_, document),) = _instructions(tmp_path)
        assert Decimal(str(document["monthly_amount"])) == room
