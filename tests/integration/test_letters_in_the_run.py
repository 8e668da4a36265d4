"""Letters that say what they mean, through the daily run and the stock letters channel (SQLite,
PostgreSQL): the offer states the plan the core computed, a plan reminder asks for the missed
instalment, a debtor with a mandate is told the amount will be debited, humane reminders name
free municipal debt help, claims are itemised and a case has one payment reference."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

import pytest
from run_helpers import HOME, bill, import_portfolio, shipped_evaluator, single, stock_dispatcher

from maatwerk.adapters.channels._files import dutch_amount, dutch_date
from maatwerk.adapters.legal_tables import load_bik_table
from maatwerk.adapters.storage import SqlStore
from maatwerk.adapters.subsistence_tables import load_subsistence_tables
from maatwerk.core.debtors import Debtor, HouseholdType
from maatwerk.core.events import ArrangementAccepted, ArrangementOffered
from maatwerk.core.money import eur
from maatwerk.core.records import Mandate, OutboxItem, OutboxStatus
from maatwerk.services.run import PolicyCaseEvaluator, run_day
from maatwerk.testing import SAMPLE_SETTINGS


DUE = dt.date(2026, 3, 2)
DAYS = [DUE + dt.timedelta(days=i) for i in range(40)]


def earner(debtor_id: str = "D1") -> Debtor:
    """A single earner whose protected income the tables give (gross income known)."""
    return Debtor(
        debtor_id=debtor_id,
        name="Persoon 1",
        household=HouseholdType.SINGLE,
        net_monthly_income=eur("1500.00"),
        gross_annual_income=eur("24000.00"),
        phone="0612345678",
        address=HOME,
    )


def evaluator() -> PolicyCaseEvaluator:
    return shipped_evaluator("humane", subsistence=load_subsistence_tables(), bik=load_bik_table())


def run(store: SqlStore, out: Path, days: list[dt.date]) -> None:
    ev = evaluator()
    for day in days:
        run_day(store, ev, day, dispatcher=stock_dispatcher(store, day, out, SAMPLE_SETTINGS))


def items(store: SqlStore, action: str) -> list[OutboxItem]:
    return [i for i in store.outbox_items() if i.entry.action == action]


def text(out: Path, item: OutboxItem) -> str:
    """The letter of ``item`` (one debtor: the only letter of its day)."""
    assert item.status is OutboxStatus.DONE, item
    files = sorted((out / "letters" / item.entry.run_date.isoformat()).glob("*.txt"))
    assert len(files) == 1, files
    return files[0].read_text(encoding="utf-8")


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return tmp_path / "out"


class TestOffer:
    """An offer names the plan the core sized to the room above the protected income."""

    def test_states_amount_number_dates_method_and_how_to_accept(
        self, store: SqlStore, out: Path
    ) -> None:
        debts = [
            bill("B1", "D1", "zorg", eur("250.00"), DUE, reference="P-0001", category="premium"),
            bill("B2", "D1", "zorg", eur("150.00"), DUE, reference="P-0002", category="premium"),
        ]
        import_portfolio(store, [earner(), *debts])
        run(store, out, DAYS)
        offers = items(store, "arrangement-offer")
        assert offers, [i.entry.action for i in store.outbox_items()]
        payload = offers[0].entry.payload
        amount = payload["amount"]
        instalment, count = payload["instalment_amount"], payload["instalment_count"]
        last_amount = payload["last_instalment_amount"]
        assert isinstance(amount, Decimal)
        assert isinstance(instalment, Decimal)
        assert isinstance(count, int)
        assert isinstance(last_amount, Decimal)
        assert instalment * (count - 1) + last_amount == amount  # the plan pays the whole amount
        bvv = payload["bvv"]
        assert isinstance(bvv, Mapping)
        room = bvv["attachable"]
        assert isinstance(room, Decimal)
        assert instalment <= room  # sized to the room above the protected income
        first, last = payload["first_instalment_on"], payload["last_instalment_on"]
        assert isinstance(first, dt.date)
        assert isinstance(last, dt.date)
        assert first > offers[0].entry.run_date
        assert payload["payment_method"] == "transfer"
        assert count == 3  # EUR 400 at most EUR 155.64 a month (EUR 1,500 - BVV EUR 1,344.36)
        letter = text(out, offers[0])
        assert f"U betaalt {count} keer, 1 keer per maand." in letter
        assert (
            f"U betaalt {count - 1} keer {dutch_amount(instalment)} en de laatste keer "
            f"{dutch_amount(last_amount)}." in letter
        )
        assert f"De laatste betaling is op {dutch_date(last)}." in letter
        assert f"De eerste betaling is op {dutch_date(first)}." in letter
        assert "zeg dat u de regeling wilt" in letter
        assert "U maakt het bedrag elke keer zelf over." in letter
        assert "kenmerk P-0001" in letter
        assert "kenmerk P-0002" in letter
        assert "Vermeld bij uw betaling: P-0001." in letter  # one reference for the case

    def test_classic_offer_states_the_fixed_plan(self, store: SqlStore, out: Path) -> None:
        """``plan = "fixed"`` (classic): 6 months, at least EUR 50, whatever the household spares."""
        import_portfolio(
            store, [earner(), bill("B1", "D1", "zorg", eur("600.00"), DUE, reference="F-1")]
        )
        ev = shipped_evaluator("classic", bik=load_bik_table())
        for day in [DUE + dt.timedelta(days=i) for i in range(60)]:
            run_day(store, ev, day, dispatcher=stock_dispatcher(store, day, out, SAMPLE_SETTINGS))
        offers = items(store, "arrangement-offer")
        assert offers
        payload = offers[0].entry.payload
        assert payload["instalment_count"] == 6
        assert payload["instalment_amount"] == Decimal("100.00")
        assert "U betaalt 6 keer € 100,00, 1 keer per maand." in text(out, offers[0])

    def test_a_mandate_means_the_plan_is_debited(self, store: SqlStore, out: Path) -> None:
        import_portfolio(
            store,
            [
                earner(),
                bill("B1", "D1", "zorg", eur("400.00"), DUE, reference="P-0001"),
                Mandate(
                    mandate_id="M1",
                    debtor_id="D1",
                    creditor_id="zorg",
                    iban="NL91ABNA0417164300",
                    signed_on=dt.date(2025, 1, 1),
                ),
            ],
        )
        run(store, out, DAYS)
        courtesy = items(store, "courtesy-reminder")
        assert courtesy
        letter = text(out, courtesy[0])
        assert "af van uw rekening die eindigt op 4300" in letter
        assert "U hoeft zelf niets over te maken." in letter
        assert "Maak het bedrag over" not in letter


class TestReminders:
    def test_humane_reminder_offers_free_debt_help(self, store: SqlStore, out: Path) -> None:
        import_portfolio(
            store,
            [single("D1", "Persoon 1"), bill("B1", "D1", "zorg", eur("400.00"), DUE)],
        )
        run(store, out, DAYS[:10])
        reminders = items(store, "payment-reminder")
        assert reminders
        letter = text(out, reminders[0])
        assert "De gemeente helpt u gratis." in letter
        assert ", kenmerk" not in letter  # no reference: none is invented
        assert "Vermeld bij uw betaling: D1." in letter  # the debtor number as the reference

    def test_plan_reminder_asks_for_the_missed_instalment(self, store: SqlStore, out: Path) -> None:
        accepted = dt.date(2026, 1, 14)
        import_portfolio(
            store,
            [
                single("D1", "Persoon 1"),
                bill("B1", "D1", "zorg", eur("300.00"), dt.date(2026, 1, 10), reference="F-1"),
            ],
        )
        store.append(
            [
                ArrangementOffered(
                    occurred_on=accepted,
                    debtor_id="D1",
                    arrangement_id="A1",
                    debt_ids=("B1",),
                    instalment=eur("100.00"),
                    instalments=3,
                    schedule=(
                        (dt.date(2026, 2, 1), eur("100.00")),
                        (dt.date(2026, 3, 1), eur("100.00")),
                        (dt.date(2026, 4, 1), eur("100.00")),
                    ),
                ),
                ArrangementAccepted(occurred_on=accepted, debtor_id="D1", arrangement_id="A1"),
            ]
        )
        run(store, out, [dt.date(2026, 1, 15) + dt.timedelta(days=i) for i in range(30)])
        reminders = items(store, "payment-reminder")
        assert reminders
        payload = reminders[0].entry.payload
        assert payload["missed_instalments"] == (
            {"number": 1, "due_date": dt.date(2026, 2, 1), "amount": Decimal("100.00")},
        )
        letter = text(out, reminders[0])
        assert "De betaling van € 100,00 van 1 februari 2026" in letter
        assert "Wilt u € 100,00 betalen?" in letter
        assert "€ 300,00" not in letter  # not the whole balance
        assert "De volgende betaling is € 100,00 op 1 maart 2026." in letter
        assert "De gemeente helpt u gratis." in letter
