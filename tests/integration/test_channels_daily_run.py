"""The daily run through the real stock channels: letters, work lists, municipal signals and
bailiff dossiers appear, and every JSON output matches its shipped schema."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from run_helpers import bill, import_portfolio, single

from maatwerk.adapters.calendars import build_calendars
from maatwerk.adapters.channels._documents import validate
from maatwerk.adapters.legal_tables import load_bik_table
from maatwerk.adapters.policy_loader import load_policy, resolve_policy
from maatwerk.adapters.storage import SqlStore
from maatwerk.core.events import ConsentScope, ContactChannel, ContactOutcome
from maatwerk.core.money import eur
from maatwerk.core.policy import PolicyTables
from maatwerk.core.ports import DeliveryContext
from maatwerk.core.records import ImportRecord, OutboxStatus
from maatwerk.plugins.manager import make_plugin_manager
from maatwerk.services import recording, review
from maatwerk.services.run import Dispatcher, PolicyCaseEvaluator, run_day
from maatwerk.testing import SAMPLE_SETTINGS


START = dt.date(2026, 3, 2)
SCHEMAS = {"bailiff": "bailiff-dossier.v1.json", "municipal": "municipal-signal.v1.json"}


def portfolio() -> tuple[ImportRecord, ...]:
    records: list[ImportRecord] = []
    for i in range(4):
        records.append(single(f"D{i}", f"Persoon {i}"))
        records.append(bill(f"B{i}", f"D{i}", "zorg", eur("400.00"), START, reference=f"F-{i}"))
    return tuple(records)


class TestDailyRunThroughStockChannels:
    """Ninety days of the humane policy write letters, work lists, signals and dossiers."""

    def test_outputs_appear_and_validate(self, store: SqlStore, tmp_path: Path) -> None:
        import_portfolio(store, portfolio())
        plugins = make_plugin_manager(load_entrypoints=False)
        policy = load_policy(resolve_policy("humane"), channels=[*plugins.channels(), "ledger"])
        evaluator = PolicyCaseEvaluator(
            policies={"humane": policy},
            tables=PolicyTables(calendars=build_calendars()),
            bik=load_bik_table(),
        )
        for i in range(2):  # two households agree to a signal and tell us they cannot pay
            for scope in (ConsentScope.EARLY_SIGNAL, ConsentScope.MUNICIPAL_REFERRAL):
                recording.add_consent(store, f"D{i}", scope=scope, on=START, by="medewerker")
        out = tmp_path / "out"
        for offset in range(100):
            day = START + dt.timedelta(days=offset)
            if offset == 17:
                for i in range(4):
                    outcome = ContactOutcome.CANT_PAY if i < 2 else ContactOutcome.NO_ANSWER
                    recording.log_contact(
                        store,
                        f"D{i}",
                        channel=ContactChannel.PHONE,
                        outcome=outcome,
                        note="",
                        on=day,
                        by="medewerker",
                    )
            dispatcher = Dispatcher(
                store=store,
                channel_for=plugins.channel,
                context=DeliveryContext(output_dir=out, run_date=day, settings=SAMPLE_SETTINGS),
            )
            run_day(store, evaluator, day, dispatcher=dispatcher)
            for item in store.reviews():
                review.approve(store, item.review_id, by="controleur", on=day)
        items = store.outbox_items()
        refused = [
            (i.entry.channel, i.entry.step) for i in items if i.status is OutboxStatus.REFUSED
        ]
        assert not refused
        produced = {p.relative_to(out).parts[0] for p in out.rglob("*") if p.is_file()}
        assert {"letters", "phone-worklist", "municipal", "bailiff"} <= produced
        for channel, schema in SCHEMAS.items():
            documents = list((out / channel).rglob("*.json"))
            assert documents
            for path in documents:
                assert validate(json.loads(path.read_text(encoding="utf-8")), schema) == []
        # every document carries the debtor's address; a signal its postcode for routing
        for path in (out / "municipal").rglob("*.json"):
            client = json.loads(path.read_text(encoding="utf-8"))["client"]
            assert client["adres"] == ["Voorbeeldstraat 1", "1234 AB  UTRECHT"]
            assert client["postcode"] == "1234 AB"
        for path in (out / "bailiff").rglob("*.json"):
            debtor = json.loads(path.read_text(encoding="utf-8"))["debtor"]
            assert debtor["address"] == ["Voorbeeldstraat 1", "1234 AB  UTRECHT"]
            assert debtor["postal_address"]["postcode"] == "1234 AB"
        letters = list((out / "letters").rglob("*.txt"))
        assert letters
        assert all("1234 AB  UTRECHT" in p.read_text(encoding="utf-8") for p in letters)


class TestNoAddressNoLetter:
    """A debtor without a postal address gets no letter: the step goes to the work list."""

    def test_letter_steps_go_to_the_work_list_as_address_missing(
        self, store: SqlStore, tmp_path: Path
    ) -> None:
        import_portfolio(
            store,
            (
                single("D1", "Met Adres"),
                bill("B1", "D1", "zorg", eur("400.00"), START, reference="F-1"),
                single("D2", "Zonder Adres", address=None),
                bill("B2", "D2", "zorg", eur("400.00"), START, reference="F-2"),
            ),
        )
        plugins = make_plugin_manager(load_entrypoints=False)
        policy = load_policy(resolve_policy("humane"), channels=[*plugins.channels(), "ledger"])
        evaluator = PolicyCaseEvaluator(
            policies={"humane": policy},
            tables=PolicyTables(calendars=build_calendars()),
            bik=load_bik_table(),
        )
        out = tmp_path / "out"
        for offset in range(60):
            day = START + dt.timedelta(days=offset)
            dispatcher = Dispatcher(
                store=store,
                channel_for=plugins.channel,
                context=DeliveryContext(output_dir=out, run_date=day, settings=SAMPLE_SETTINGS),
            )
            run_day(store, evaluator, day, dispatcher=dispatcher)
            for item in store.reviews():
                review.approve(store, item.review_id, by="controleur", on=day)
        items = store.outbox_items()
        by_debtor = {
            d: [i.entry for i in items if i.entry.case.debtor_id == d] for d in ("D1", "D2")
        }
        assert any(e.channel == "letters" for e in by_debtor["D1"])
        assert not any(e.channel == "letters" for e in by_debtor["D2"])
        missing = [e for e in by_debtor["D2"] if "address_missing" in e.payload]
        assert missing
        assert all((e.channel, e.action) == ("phone-worklist", "phone-call") for e in missing)
        # no letter went out, so no legal term started for D2
        assert "fourteen-day-letter-sent" in {h.kind for h in store.history("D1")}
        assert "fourteen-day-letter-sent" not in {h.kind for h in store.history("D2")}
        worklists = "".join(
            p.read_text(encoding="utf-8-sig") for p in (out / "phone-worklist").rglob("*.csv")
        )
        assert "Adres ontbreekt" in worklists
        assert "Zonder Adres" in worklists
