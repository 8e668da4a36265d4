"""Two creditors in one deployment (an insurer and a municipality): each letter, bailiff dossier,
municipal signal and pain.008 file carries the case's own creditor, and only the public-law
creditor sends an aanmaning."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import attrs
from lxml import etree
from run_helpers import bill, import_portfolio, single

from maatwerk.adapters.calendars import build_calendars
from maatwerk.adapters.legal_tables import load_aanmaning_table, load_bik_table
from maatwerk.adapters.policy_loader import load_policy, resolve_policy
from maatwerk.adapters.sepa import PainVersion, validate_against_xsd
from maatwerk.adapters.sepa.channel import pain008_path
from maatwerk.adapters.storage import SqlStore
from maatwerk.core.debts import ClaimKind
from maatwerk.core.events import ActionKind, ConsentScope, ContactChannel, ContactOutcome, Event
from maatwerk.core.money import eur
from maatwerk.core.policy import PolicyTables
from maatwerk.core.ports import CreditorProfile, DeliveryContext
from maatwerk.core.records import CaseKey, ImportRecord, OutboxEntry, OutboxItem, OutboxStatus
from maatwerk.plugins.manager import make_plugin_manager
from maatwerk.services import recording, review
from maatwerk.services.run import Dispatcher, PolicyCaseEvaluator, run_day
from maatwerk.testing import SAMPLE_SETTINGS


START = dt.date(2026, 3, 2)
INSURER = CreditorProfile(
    settings={
        "creditor_name": "Zorgverzekeraar Voorbeeld",
        "creditor_phone": "088 000 00 00",
        "creditor_iban": "NL91ABNA0417164300",
        "creditor_id": "NL32ZZZ999999991234",
        "creditor_kvk": "11111111",
    },
    public=False,
)
MUNICIPALITY = CreditorProfile(
    settings={
        "creditor_name": "Gemeente Voorbeeld",
        "creditor_phone": "14 030",
        "creditor_iban": "NL20INGB0001234567",
        "creditor_bic": "INGBNL2A",
        "creditor_id": "NL66ZZZ301234560000",
        "creditor_kvk": "22222222",
    },
    public=True,
)
PROFILES = {"zorg": INSURER, "gemeente": MUNICIPALITY}
#: The [channels] defaults: a third name that must appear nowhere (every case has a profile).
DEFAULTS = {**SAMPLE_SETTINGS, "creditor_name": "Standaard B.V.", "creditor_phone": "0000"}


def portfolio() -> tuple[ImportRecord, ...]:
    """D0-D3 owe the insurer a premium, D4-D7 the municipality a public-law contribution."""
    records: list[ImportRecord] = []
    for i in range(8):
        records.append(single(f"D{i}", f"Persoon {i}"))
        creditor, kind = ("zorg", ClaimKind.PRIVATE) if i < 4 else ("gemeente", ClaimKind.PUBLIC)
        records.append(
            bill(f"B{i}", f"D{i}", creditor, eur("400.00"), START, reference=f"F-{i}", kind=kind)
        )
    return tuple(records)


def _creditor_of(debtor_id: str) -> str:
    return "zorg" if int(debtor_id[1:]) < 4 else "gemeente"


class TestTwoCreditorsInOneRun:
    def test_every_output_carries_the_cases_creditor(self, store: SqlStore, tmp_path: Path) -> None:
        import_portfolio(store, portfolio())
        plugins = make_plugin_manager(load_entrypoints=False)
        policy = load_policy(resolve_policy("humane"), channels=[*plugins.channels(), "ledger"])
        evaluator = PolicyCaseEvaluator(
            policies={"humane": policy},
            tables=PolicyTables(calendars=build_calendars()),
            bik=load_bik_table(),
            aanmaning=load_aanmaning_table(),
        )
        for debtor in ("D0", "D4"):  # one household per creditor agrees to a signal
            for scope in (ConsentScope.EARLY_SIGNAL, ConsentScope.MUNICIPAL_REFERRAL):
                recording.add_consent(store, debtor, scope=scope, on=START, by="medewerker")
        out = tmp_path / "out"
        for offset in range(100):
            day = START + dt.timedelta(days=offset)
            if offset == 17:
                for i in range(8):
                    outcome = ContactOutcome.CANT_PAY if i in (0, 4) else ContactOutcome.NO_ANSWER
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
                context=DeliveryContext(output_dir=out, run_date=day, settings=DEFAULTS),
                creditors=PROFILES,
            )
            run_day(store, evaluator, day, dispatcher=dispatcher)
            for item in store.reviews():
                review.approve(store, item.review_id, by="controleur", on=day)

        items = store.outbox_items()
        assert not [i.entry.step for i in items if i.status is OutboxStatus.REFUSED]
        actions = {i.entry.action for i in items if i.status is OutboxStatus.DONE}
        assert ActionKind.FORMAL_DEMAND.value in actions  # the municipality's aanmaning
        assert ActionKind.FOURTEEN_DAY_LETTER.value in actions  # the insurer's 14-day letter
        for row in items:
            if row.entry.action == ActionKind.FORMAL_DEMAND.value:
                assert row.entry.case.creditor_id == "gemeente"

        letters = list((out / "letters").rglob("*.txt"))
        assert letters
        seen = set()
        for path in letters:
            text = path.read_text(encoding="utf-8")
            assert "Standaard B.V." not in text
            debtor = next(f"D{i}" for i in range(8) if f"Persoon {i}," in text)
            own = PROFILES[_creditor_of(debtor)].settings
            other = PROFILES["gemeente" if _creditor_of(debtor) == "zorg" else "zorg"].settings
            assert own["creditor_name"] in text
            assert f"Bel ons op {own['creditor_phone']}" in text
            assert other["creditor_name"] not in text
            if "aanmaning" in text.lower() or "dwangbevel" in text.lower():
                assert _creditor_of(debtor) == "gemeente", path.name
            seen.add(_creditor_of(debtor))
        assert seen == {"zorg", "gemeente"}

        dossiers = [json.loads(p.read_text()) for p in (out / "bailiff").rglob("*.json")]
        assert {d["creditor"]["creditor_id"] for d in dossiers} == {"zorg", "gemeente"}
        for dossier in dossiers:
            own = PROFILES[dossier["creditor"]["creditor_id"]].settings
            assert dossier["creditor"]["name"] == own["creditor_name"]
            assert dossier["creditor"]["iban"] == own["creditor_iban"]
            assert dossier["creditor"]["kvk"] == own["creditor_kvk"]
            assert dossier["creditor"]["phone"] == own["creditor_phone"]

        signals = [p.read_text() for p in (out / "municipal").rglob("*.json")]
        names = set()
        for text in signals:
            assert "Standaard B.V." not in text
            names |= {
                p.settings["creditor_name"]
                for p in PROFILES.values()
                if p.settings["creditor_name"] in text
            }
        assert names == {"Zorgverzekeraar Voorbeeld", "Gemeente Voorbeeld"}


# ------------------------------------------------------------------------------ pain.008 files
RUN = dt.date(2026, 3, 2)


@attrs.define
class _Outbox:
    """Just enough of a store for the dispatcher: pending rows, marks, delivery events."""

    items: list[OutboxItem]
    marks: dict[int, tuple[OutboxStatus, str, str]] = attrs.field(factory=dict)

    def claim_pending(self, *, after_id: int = 0, limit: int = 500) -> Sequence[OutboxItem]:
        return [i for i in self.items if i.outbox_id > after_id][:limit]

    def append(self, events: Sequence[Event], *, idempotency_key: str | None = None) -> bool:
        return bool(events)

    def mark(self, outbox_id: int, status: OutboxStatus, *, reference: str, reason: str) -> None:
        self.marks[outbox_id] = (status, reference, reason)


def _collection(n: int, creditor_id: str) -> OutboxItem:
    entry = OutboxEntry(
        case=CaseKey(f"D{n}", creditor_id),
        run_date=RUN,
        step="direct-debit",
        action="direct-debit",
        channel="sepa-direct-debit",
        payload={
            "debtor_name": f"Persoon {n}",
            "amount": Decimal("25.00"),
            "debtor_iban": "NL44RABO0123456789",
            "mandate_id": f"MNDT-{n}",
            "mandate_date": dt.date(2025, 1, 5),
            "collection_date": dt.date(2026, 3, 10),
            "reference": f"Premie {n}",
        },
    )
    return OutboxItem(outbox_id=n, entry=entry, status=OutboxStatus.PENDING)


class TestOnePain008PerCreditor:
    def test_each_creditor_account_has_its_own_valid_file(self, tmp_path: Path) -> None:
        outbox = _Outbox([_collection(n, "zorg" if n % 2 else "gemeente") for n in range(1, 7)])
        dispatcher = Dispatcher(
            store=outbox,  # type: ignore[arg-type]  # the dispatcher's share of a Store
            channel_for=make_plugin_manager(load_entrypoints=False).channel,
            context=DeliveryContext(output_dir=tmp_path, run_date=RUN, settings=DEFAULTS),
            creditors=PROFILES,
        )
        counts = dispatcher.dispatch()
        assert counts == {"done": 6}
        assert not pain008_path(tmp_path, RUN).exists()  # no file for the defaults
        for creditor_id, profile in PROFILES.items():
            path = pain008_path(tmp_path, RUN, creditor_id)
            root = etree.fromstring(path.read_bytes(), etree.XMLParser(resolve_entities=False))
            assert validate_against_xsd(root, PainVersion.V08) == ()
            names = {e.text for e in root.iter() if etree.QName(e).localname == "Nm"}
            assert profile.settings["creditor_name"] in names
            assert (
                not {p.settings["creditor_name"] for p in PROFILES.values()}
                - {profile.settings["creditor_name"]}
                & names
            )
            ibans = {e.text for e in root.iter() if etree.QName(e).localname == "IBAN"}
            assert profile.settings["creditor_iban"] in ibans
            others = {p.settings["creditor_iban"] for c, p in PROFILES.items() if c != creditor_id}
            assert not ibans & others
            ids = [e.text for e in root.iter() if etree.QName(e).localname == "EndToEndId"]
            assert len(ids) == 3
        references = {outbox.marks[n][1].split("#")[0] for n in range(1, 7)}
        assert references == {
            f"sepa-direct-debit/{pain008_path(tmp_path, RUN, c).name}" for c in PROFILES
        }

    def test_a_private_creditors_aanmaning_is_refused(self, tmp_path: Path) -> None:
        entry = OutboxEntry(
            case=CaseKey("D1", "zorg"),
            run_date=RUN,
            step="aanmaning",
            action=ActionKind.FORMAL_DEMAND.value,
            channel="letters",
            payload={},
        )
        outbox = _Outbox([OutboxItem(outbox_id=1, entry=entry, status=OutboxStatus.PENDING)])
        dispatcher = Dispatcher(
            store=outbox,  # type: ignore[arg-type]
            channel_for=make_plugin_manager(load_entrypoints=False).channel,
            context=DeliveryContext(output_dir=tmp_path, run_date=RUN, settings=DEFAULTS),
            creditors=PROFILES,
        )
        assert dispatcher.dispatch() == {"refused": 1}
        status, _, reason = outbox.marks[1]
        assert status is OutboxStatus.REFUSED
        assert "public-law creditor" in reason
        assert not (tmp_path / "letters").exists()
