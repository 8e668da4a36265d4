"""The data-subject access export (AVG art. 15) from the store (SQLite, PostgreSQL): the debtor's
address, debts with ledger lines, a payment, consent, events and a letter sent are all in it;
another debtor's data is not; the document matches its schema."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import attrs
import pytest
from run_helpers import (
    bill,
    import_payments,
    import_portfolio,
    shipped_evaluator,
    single,
    stock_dispatcher,
)

from maatwerk.adapters.channels._documents import validate
from maatwerk.adapters.storage import SqlStore
from maatwerk.core.debtors import Address
from maatwerk.core.debts import Payment
from maatwerk.core.money import eur
from maatwerk.core.records import ConsentRecord, ImportBatch, ImportKind
from maatwerk.services.privacy import UnknownDebtorError, privacy_export
from maatwerk.services.run import run_day
from maatwerk.testing import SAMPLE_SETTINGS


DUE = dt.date(2026, 3, 2)
MADE_ON = dt.date(2026, 5, 1)
ANNA = Address(
    street="Lindelaan", house_number="7", postcode="3511 AB", city="Utrecht", extra="t.a.v. A"
)
BART = Address(street="Kerkweg", house_number="99", postcode="9999 ZZ", city="Zwolle")


def _portfolio(store: SqlStore, out: Path) -> None:
    import_portfolio(
        store,
        [
            single("D1", "Anna de Vries", address=ANNA),
            single("D2", "Bart Jansen", phone="0699999999", address=BART),
            bill("B1", "D1", "zorg", eur("300.00"), DUE, reference="P-0001"),
            bill("B2", "D2", "zorg", eur("400.00"), DUE, reference="P-0002"),
        ],
    )
    store.apply_import(
        ImportBatch(
            kind=ImportKind.CONSENTS,
            file_name="c",
            file_sha256="2",
            records=(
                ConsentRecord(
                    consent_id="C1",
                    debtor_id="D1",
                    scope="municipal-referral",
                    given_on=DUE,
                    source="phone call",
                ),
            ),
        )
    )
    evaluator = shipped_evaluator("humane")
    for offset in range(30):
        day = DUE + dt.timedelta(days=offset)
        if offset == 20:
            import_payments(
                store,
                [
                    Payment(
                        payment_id="PAY1",
                        debtor_id="D1",
                        received_on=day,
                        amount=eur("50.00"),
                        reference="P-0001",
                    )
                ],
            )
        run_day(
            store, evaluator, day, dispatcher=stock_dispatcher(store, day, out, SAMPLE_SETTINGS)
        )


def test_everything_about_the_debtor_and_nothing_about_another(
    store: SqlStore, tmp_path: Path
) -> None:
    _portfolio(store, tmp_path / "out")
    document = privacy_export(store, "D1", made_on=MADE_ON)
    assert validate(document, "privacy-export.v1.json") == []

    debtor = document["debtor"]
    assert debtor["name"] == "Anna de Vries"
    assert debtor["address"] == {
        "street": "Lindelaan",
        "house_number": "7",
        "postcode": "3511 AB",
        "city": "Utrecht",
        "extra": "t.a.v. A",
        "country": "NL",
    }
    assert "bsn" not in debtor  # the deployment stores none
    assert debtor["net_monthly_income"] == "1500.00"

    (debt,) = document["debts"]
    assert debt["debt_id"] == "B1"
    assert debt["principal"] == "300.00"
    assert [p["payment_id"] for p in document["payments"]] == ["PAY1"]
    assert document["payments"][0]["amount"] == "50.00"
    assert [a["payment_id"] for a in debt["applied_payments"]] == ["PAY1"]
    assert [c["scope"] for c in document["consents"]] == ["municipal-referral"]

    kinds = {h["kind"] for h in document["history"]}
    assert {"consent-given", "step-taken"} <= kinds, kinds
    assert all(h["recorded_by"] for h in document["history"])
    assert document["decisions"]
    letters = [o for o in document["outbox"] if o["channel"] == "letters"]
    assert letters, [o["channel"] for o in document["outbox"]]
    assert any(o["status"] == "done" for o in letters)
    assert all(o["payload"] for o in letters)

    text = json.dumps(document, ensure_ascii=False)
    for other in ("D2", "B2", "Bart", "Kerkweg", "9999 ZZ", "0699999999", "P-0002"):
        assert other not in text, other


def test_a_stored_bsn_a_change_and_its_author_are_in_the_export_an_unknown_debtor_is_refused(
    store: SqlStore,
) -> None:
    import_portfolio(store, [attrs.evolve(single("D1", "Anna"), bsn="111222333")])
    store.apply_import(
        ImportBatch(
            kind=ImportKind.DEBTORS,
            file_name="d",
            file_sha256="3",
            records=(attrs.evolve(single("D1", "Anna"), bsn="111222333", phone="0611111111"),),
            recorded_by="alice",
        )
    )
    document = privacy_export(store, "D1", made_on=MADE_ON)
    assert document["debtor"]["phone"] == "0611111111"
    updated = [h for h in document["history"] if h["recorded_by"] == "alice"]
    assert updated, document["history"]  # the change, with who made it
    assert any("phone" in json.dumps(h["fields"]) for h in updated)
    assert document["debtor"]["bsn"] == "111222333"
    assert document["debts"] == []
    assert document["outbox"] == []
    assert validate(document, "privacy-export.v1.json") == []
    with pytest.raises(UnknownDebtorError):
        privacy_export(store, "NOPE", made_on=MADE_ON)


def test_the_schema_is_not_vacuous(store: SqlStore) -> None:
    import_portfolio(store, [single("D1", "Anna")])
    document = privacy_export(store, "D1", made_on=MADE_ON)
    assert validate(document, "privacy-export.v1.json") == []
    for broken in (
        {k: v for k, v in document.items() if k != "outbox"},
        {**document, "debtor": {**document["debtor"], "address": {"street": "x"}}},
        {**document, "debtor": {**document["debtor"], "bsn": "12"}},
        {**document, "history": [{"kind": "x"}]},
    ):
        assert validate(broken, "privacy-export.v1.json")
