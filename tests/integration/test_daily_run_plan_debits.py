"""Instalments of a direct-debit plan are collected by the run, once each (SQLite, PostgreSQL).

An accepted plan with method ``direct-debit``, for a debtor with a valid mandate for the creditor:
the first run after acceptance sends the confirmation with the pre-notification; from five days
before each instalment's date the run hands that instalment to the ``sepa-direct-debit`` channel
(``FRST`` the first under the mandate, ``RCUR`` after), in an XSD-valid pain.008; a day run again
collects nothing twice; a returned instalment stays unpaid and the plan goes into grace.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path

import pytest
from lxml import etree
from run_helpers import bill, import_portfolio, shipped_evaluator, single, stock_dispatcher

from maatwerk.adapters.calendars import build_calendars
from maatwerk.adapters.sepa import PainVersion, validate_against_xsd
from maatwerk.adapters.sepa.channel import end_to_end_id_for
from maatwerk.adapters.storage import SqlStore
from maatwerk.core.arrangements import ArrangementStatus
from maatwerk.core.calendar import SEPA
from maatwerk.core.events import PaymentReturned, ReturnReasonGroup
from maatwerk.core.money import eur
from maatwerk.core.records import CaseKey, ImportBatch, ImportKind, Mandate, OutboxStatus
from maatwerk.core.returns import ReturnedCollection
from maatwerk.services import recording
from maatwerk.services.returns_import import import_returns
from maatwerk.services.run import PolicyCaseEvaluator, run_day
from maatwerk.services.run.arrangements import monitor_arrangements


SETTINGS: Mapping[str, str] = {
    "creditor_name": "Zorg Test",
    "creditor_phone": "0800-0123456",
    "creditor_iban": "NL91ABNA0417164300",
    "creditor_id": "NL32ZZZ999999991234",
}
OFFERED = dt.date(2026, 4, 1)
ACCEPTED = dt.date(2026, 4, 2)
# three instalments of 100.00 on the 8th: Friday 8 May, Monday 8 June, Wednesday 8 July 2026
FIRST, SECOND = dt.date(2026, 5, 8), dt.date(2026, 6, 8)


def _store(store: SqlStore, *, mandate: bool = True) -> str:
    debt = bill("B1", "D1", "zorg", eur("300.00"), dt.date(2026, 2, 1), category="premium")
    import_portfolio(store, [single("D1", "Person 1"), debt])
    if mandate:
        store.apply_import(
            ImportBatch(
                kind=ImportKind.MANDATES,
                file_name="m",
                file_sha256="m",
                records=(
                    Mandate(
                        mandate_id="MNDT-D1",
                        debtor_id="D1",
                        creditor_id="zorg",
                        iban="NL44RABO0123456789",
                        signed_on=dt.date(2025, 1, 5),
                    ),
                ),
            )
        )
    offer = recording.propose_arrangement_for(
        store, "D1", creditor_id="zorg", on=OFFERED, by="anna", capacity=eur("100.00"),
        method="direct-debit" if mandate else "transfer", debit_day=8,
        calendar=build_calendars().get(SEPA),
    )  # fmt: skip
    recording.accept_arrangement(store, "D1", offer.arrangement_id, on=ACCEPTED, by="anna")
    return offer.arrangement_id


def _run(store: SqlStore, ev: PolicyCaseEvaluator, day: dt.date, out: Path) -> None:
    run_day(store, ev, day, dispatcher=stock_dispatcher(store, day, out, SETTINGS))


def _collections(store: SqlStore) -> list[tuple[dt.date, str, str, object]]:
    return [
        (i.entry.run_date, i.entry.step, str(i.entry.payload["sequence"]),
         i.entry.payload["collection_date"])
        for i in store.outbox_items()
        if i.entry.action == "direct-debit"
    ]  # fmt: skip


@pytest.fixture
def ev() -> PolicyCaseEvaluator:
    return shipped_evaluator("humane")


class TestPlanDebits:
    def test_each_instalment_is_collected_once_on_its_date(
        self, store: SqlStore, ev: PolicyCaseEvaluator, tmp_path: Path
    ) -> None:
        plan = _store(store)
        for day in (ACCEPTED, dt.date(2026, 5, 2), dt.date(2026, 5, 3), dt.date(2026, 5, 3)):
            _run(store, ev, day, tmp_path)  # 3 May twice: a re-run collects nothing again
        _run(store, ev, dt.date(2026, 5, 4), tmp_path)
        _run(store, ev, dt.date(2026, 6, 3), tmp_path)
        assert _collections(store) == [
            (dt.date(2026, 5, 3), f"plan-debit:{plan}:1", "FRST", FIRST),
            (dt.date(2026, 6, 3), f"plan-debit:{plan}:2", "RCUR", SECOND),
        ]
        (notice,) = [
            i for i in store.outbox_items() if i.entry.action == "arrangement-confirmation"
        ]
        assert notice.entry.run_date == ACCEPTED
        assert notice.status is OutboxStatus.DONE
        letter = next(
            text
            for path in (tmp_path / "letters").rglob("*.txt")
            if "plan-debit-notice" in (text := path.read_text(encoding="utf-8"))
        )
        assert "MNDT-D1" in letter
        assert "NL32ZZZ999999991234" in letter
        assert "8 mei 2026" in letter
        assert "€ 100,00" in letter
        xml = tmp_path / "sepa-direct-debit" / "pain008-2026-05-03.xml"
        root = etree.parse(str(xml)).getroot()
        assert validate_against_xsd(root, PainVersion.V08) == ()
        ns = {"p": PainVersion.V08.namespace}
        assert root.findtext(".//p:SeqTp", namespaces=ns) == "FRST"
        assert root.findtext(".//p:ReqdColltnDt", namespaces=ns) == FIRST.isoformat()
        assert root.findtext(".//p:MndtId", namespaces=ns) == "MNDT-D1"
        manifest = json.loads(xml.with_suffix(".json").read_text(encoding="utf-8"))
        assert len(manifest["collections"]) == 1

    def test_without_a_mandate_nothing_is_collected(
        self, store: SqlStore, ev: PolicyCaseEvaluator, tmp_path: Path
    ) -> None:
        _store(store, mandate=False)
        for day in (ACCEPTED, dt.date(2026, 5, 3), dt.date(2026, 6, 3)):
            _run(store, ev, day, tmp_path)
        assert _collections(store) == []

    def test_a_returned_instalment_is_unpaid_and_the_plan_in_grace(
        self, store: SqlStore, ev: PolicyCaseEvaluator, tmp_path: Path
    ) -> None:
        _store(store)
        for day in (ACCEPTED, dt.date(2026, 5, 3)):
            _run(store, ev, day, tmp_path)
        (item,) = [i for i in store.outbox_items() if i.entry.action == "direct-debit"]
        assert item.status is OutboxStatus.DONE
        e2e = end_to_end_id_for(item.entry.idempotency_key)
        returned = ReturnedCollection(
            end_to_end_id=e2e,
            mandate_id="MNDT-D1",
            amount=eur("100.00"),
            reason="AM04",
            group=ReturnReasonGroup.COULD_NOT_PAY,
            booking_date=dt.date(2026, 5, 11),
        )
        import_returns(
            store, [returned], file_name="camt", file_sha256="c", received_on=dt.date(2026, 5, 11)
        )
        assert any(isinstance(r.event, PaymentReturned) for r in store.history("D1"))
        day = dt.date(2026, 5, 12)
        _run(store, ev, day, tmp_path)
        (stored,) = store.load_cases([CaseKey("D1", "zorg")])
        (state, _), *_ = monitor_arrangements(stored, day).missed
        assert state.status is ArrangementStatus.IN_GRACE
        assert state.arrears == eur("100.00")

    def test_a_refused_collection_stops_further_debits(
        self, store: SqlStore, ev: PolicyCaseEvaluator, tmp_path: Path
    ) -> None:
        plan = _store(store)
        for day in (ACCEPTED, dt.date(2026, 5, 3)):
            _run(store, ev, day, tmp_path)
        (item,) = [i for i in store.outbox_items() if i.entry.action == "direct-debit"]
        refused = ReturnedCollection(
            end_to_end_id=end_to_end_id_for(item.entry.idempotency_key),
            mandate_id="MNDT-D1",
            amount=eur("100.00"),
            reason="MD06",
            group=ReturnReasonGroup.REFUSED_OR_DISPUTED,
            booking_date=dt.date(2026, 5, 11),
        )
        import_returns(
            store, [refused], file_name="camt", file_sha256="r", received_on=dt.date(2026, 5, 11)
        )
        _run(store, ev, dt.date(2026, 6, 3), tmp_path)
        # the debtor disputed the debit (a dispute is open): no re-collection, no next instalment
        assert [step for _, step, _, _ in _collections(store)] == [f"plan-debit:{plan}:1"]
