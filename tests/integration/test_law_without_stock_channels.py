"""The law does not depend on which channel is installed (SQLite, PostgreSQL).

A deployment replaces the stock ``bailiff``, ``municipal`` and ``source-deduction`` channels with
bare plugin channels that deliver anything they are given (an HTTP portal would). The daily run
still refuses what the law forbids, before any channel is called: a hand-over without a personal
contact attempt, a deduction without the household's protected
income calculated, a referral without consent. The refused row is marked ``refused``
with the reason and the bare channel never sees it; an allowed action still reaches it. An early
signal without a personal contact attempt is not even decided (the mandatory
``early-signal-steps`` guard), and a refused step waits ``refused_retry_days`` before the policy
decides it again.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
import sqlalchemy as sa
from run_helpers import bill, import_portfolio, single

from maatwerk.adapters.calendars import build_calendars
from maatwerk.adapters.legal_tables import load_bik_table
from maatwerk.adapters.payload_schemas import payload_problems
from maatwerk.adapters.policy_loader import load_policy
from maatwerk.adapters.storage import SqlStore
from maatwerk.adapters.storage.schema import outbox as outbox_table
from maatwerk.adapters.subsistence_tables import load_subsistence_tables
from maatwerk.core.events import ConsentScope, ContactChannel, ContactOutcome, Event
from maatwerk.core.money import eur
from maatwerk.core.policy import PolicyTables
from maatwerk.core.ports import DeliveryContext, DeliveryReceipt, OutboundAction
from maatwerk.core.records import CaseKey, OutboxEntry, OutboxItem, OutboxStatus
from maatwerk.plugins import hookimpl
from maatwerk.plugins.manager import MaatwerkPlugins, make_plugin_manager
from maatwerk.plugins.records import ChannelSpec
from maatwerk.services import recording, review
from maatwerk.services.run import Dispatcher, PolicyCaseEvaluator, run_day
from maatwerk.testing import SAMPLE_SETTINGS


START = dt.date(2026, 3, 2)
REPLACED = ("bailiff", "municipal", "source-deduction")

POLICY = """
schema = 1
name = "bare-law"
version = "1"

[settings]
# a deployment's choice: the personal-contact guard is off, so only the law itself stops a
# hand-over without a call or a visit
disabled_guards = ["personal-contact", "amicable-track"]
bailiff_min_amount = "0.00"

[[step]]
id = "signal"
action = "early-signal"
channel = "municipal"
anchor = "default-date"
days = 1
review = false

[[step]]
id = "letter"
action = "fourteen-day-letter"
channel = "letters"
anchor = "default-date"
days = 2

[[step]]
id = "deduction"
action = "arrangement-offer"
channel = "source-deduction"
anchor = "arrangement-accepted"
days = 0
[step.when]
arrangement_methods = ["source-deduction"]

[[step]]
id = "bailiff"
action = "bailiff-handover"
channel = "bailiff"
anchor = "default-date"
days = 40
review = false
"""


@attrs.define(eq=False)
class BareChannel:
    """Delivers every action it is given, checking nothing (what the law must not rely on)."""

    name: str
    seen: list[OutboundAction] = attrs.field(factory=list)

    def deliver(
        self, actions: Sequence[OutboundAction], context: DeliveryContext
    ) -> list[DeliveryReceipt]:
        self.seen.extend(actions)
        return [DeliveryReceipt.delivered(a.action_id, f"bare:{a.action_id}") for a in actions]


def _same(channel: BareChannel) -> BareChannel:
    return channel


@attrs.define(eq=False)
class BarePlugin:
    """A deployment's plugin replacing the stock channels on purpose (``overrides=True``)."""

    channels: Mapping[str, BareChannel]

    @hookimpl
    def maatwerk_register_channels(self) -> list[ChannelSpec]:
        return [
            ChannelSpec(
                name=name,
                factory=functools.partial(_same, channel),
                description=f"bare {name}: delivers anything",
                overrides=True,
            )
            for name, channel in self.channels.items()
        ]


@pytest.fixture
def bare() -> dict[str, BareChannel]:
    return {name: BareChannel(name) for name in REPLACED}


@pytest.fixture
def plugins(bare: dict[str, BareChannel]) -> MaatwerkPlugins:
    manager = make_plugin_manager(load_entrypoints=False)
    manager.register(BarePlugin(bare), "bare-channels")
    return manager


def _dispatcher(plugins: MaatwerkPlugins, day: dt.date, out: Path) -> Dispatcher:
    return Dispatcher(
        store=None,  # type: ignore[arg-type]  # set by the caller
        channel_for=plugins.channel,
        context=DeliveryContext(output_dir=out, run_date=day, settings=SAMPLE_SETTINGS),
        check_payload=payload_problems,
    )


def _run_days(
    store: SqlStore, plugins: MaatwerkPlugins, policy_file: Path, out: Path, days: int
) -> None:
    policy = load_policy(policy_file, channels=[*plugins.channels(), "ledger"])
    evaluator = PolicyCaseEvaluator(
        policies={"bare-law": policy},
        default="bare-law",
        tables=PolicyTables(calendars=build_calendars()),
        subsistence=load_subsistence_tables(),
        bik=load_bik_table(),
    )
    for offset in range(days):
        day = START + dt.timedelta(days=offset)
        dispatcher = attrs.evolve(_dispatcher(plugins, day, out), store=store)
        run_day(store, evaluator, day, dispatcher=dispatcher)
        for item in store.reviews():
            review.approve(store, item.review_id, by="controleur", on=day)


def _reasons(store: SqlStore) -> dict[int, str]:
    """The reason recorded with each outbox row (its ``error``)."""
    query = sa.select(outbox_table.c.id, outbox_table.c.error)
    with store.engine.connect() as conn:
        return {row.id: row.error or "" for row in conn.execute(query)}


class TestTheLawWithBareChannels:
    def test_refusals_happen_before_any_channel(
        self,
        store: SqlStore,
        plugins: MaatwerkPlugins,
        bare: dict[str, BareChannel],
        tmp_path: Path,
    ) -> None:
        for name in REPLACED:  # the run really gets the bare channels
            assert plugins.channel(name) is bare[name]
        policy_file = tmp_path / "bare-law.toml"
        policy_file.write_text(POLICY, encoding="utf-8")
        due = START - dt.timedelta(days=1)
        import_portfolio(
            store,
            (
                single("D1", "Nooit Gebeld"),  # no call, no visit
                bill("B1", "D1", "zorg", eur("400.00"), due, reference="F-1"),
                single("D2", "Wel Gebeld"),  # called after the letter: may go to the bailiff
                bill("B2", "D2", "zorg", eur("400.00"), due, reference="F-2"),
            ),
        )
        for debtor in ("D1", "D2"):
            recording.add_consent(
                store, debtor, scope=ConsentScope.EARLY_SIGNAL, on=START, by="medewerker"
            )
        recording.log_contact(
            store,
            "D2",
            channel=ContactChannel.PHONE,
            outcome=ContactOutcome.NO_ANSWER,
            note="",
            on=START + dt.timedelta(days=20),
            by="medewerker",
        )
        _run_days(store, plugins, policy_file, tmp_path / "out", 60)

        rows = {(i.entry.case.debtor_id, i.entry.step): i for i in store.outbox_items()}
        reasons = _reasons(store)
        # D1: no personal contact: the mandatory early-signal-steps guard never lets the policy
        # decide the early signal (the run would refuse it too); the hand-over (personal-contact
        # is switched off) is decided and refused by the run, and after each refusal it waits
        # refused_retry_days (7) before it is decided again: not a refused row every day
        assert ("D1", "signal") not in rows
        handovers = [
            i
            for i in store.outbox_items()
            if i.entry.case.debtor_id == "D1" and i.entry.step == "bailiff"
        ]
        assert {i.status for i in handovers} == {OutboxStatus.REFUSED}
        assert {reasons[i.outbox_id] for i in handovers} == {
            "no personal contact attempt (call or visit) is recorded"
        }
        days = [i.entry.run_date for i in handovers]
        assert days == [days[0] + dt.timedelta(days=7 * n) for n in range(len(days))]
        assert len(days) == 3  # decided on day 40, then every 7 days until day 60
        # the day after a refusal the decision says why the hand-over waits, and why no signal
        waiting = store.decision(CaseKey("D1", "zorg"), days[0] + dt.timedelta(days=1))
        assert waiting is not None
        explained = str(waiting.detail)
        again = (days[0] + dt.timedelta(days=7)).isoformat()
        assert f"Refused on {days[0].isoformat()}: no personal contact attempt" in explained
        assert f"tried again from {again}" in explained
        assert "early-signal-steps" in explained
        # D2 was called on day 20: its early signal is decided from then (after the letter and
        # the call), once, and goes out; the hand-over goes too
        signals = [
            i
            for i in store.outbox_items()
            if i.entry.case.debtor_id == "D2" and i.entry.step == "signal"
        ]
        assert [i.status for i in signals] == [OutboxStatus.DONE]
        assert signals[0].entry.run_date == START + dt.timedelta(days=20)
        assert rows["D2", "bailiff"].status is OutboxStatus.DONE
        # the bare channels saw only what the law allows
        assert [a.debtor_id for a in bare["bailiff"].seen] == ["D2"]
        assert [a.debtor_id for a in bare["municipal"].seen] == ["D2"]

    def test_a_deduction_without_the_protected_income_is_refused(
        self,
        store: SqlStore,
        plugins: MaatwerkPlugins,
        bare: dict[str, BareChannel],
        tmp_path: Path,
    ) -> None:
        policy_file = tmp_path / "bare-law.toml"
        policy_file.write_text(POLICY, encoding="utf-8")
        # the income is not known: the protected income cannot be calculated
        debtor = attrs.evolve(single("D1", "Inkomen Onbekend"), net_monthly_income=None)
        import_portfolio(store, (debtor, bill("B1", "D1", "zorg", eur("300.00"), START)))
        offer = recording.propose_arrangement_for(
            store, "D1", creditor_id="zorg", on=START, by="anna", capacity=eur("50.00"),
            method="deduction", payer_id="123456789L01", payer_name="Werkgever B.V.",
        )  # fmt: skip
        recording.accept_arrangement(store, "D1", offer.arrangement_id, on=START, by="anna")
        _run_days(store, plugins, policy_file, tmp_path / "out", 1)

        rows = [i for i in store.outbox_items() if i.entry.channel == "source-deduction"]
        assert [i.status for i in rows] == [OutboxStatus.REFUSED]
        assert _reasons(store)[rows[0].outbox_id] == (
            "payload field 'bvv' is missing: no deduction without the protected-income calculation"
        )
        assert bare["source-deduction"].seen == []


# ------------------------------------------------------------------------------ a referral
@attrs.define
class _Outbox:
    """Just enough of a store for the dispatcher: pending rows and their marks."""

    items: list[OutboxItem]
    marks: dict[int, tuple[OutboxStatus, str, str]] = attrs.field(factory=dict)

    def claim_pending(self, *, after_id: int = 0, limit: int = 500) -> Sequence[OutboxItem]:
        return [i for i in self.items if i.outbox_id > after_id][:limit]

    def append(self, events: Sequence[Event], *, idempotency_key: str | None = None) -> bool:
        return bool(events)

    def mark(self, outbox_id: int, status: OutboxStatus, *, reference: str, reason: str) -> None:
        self.marks[outbox_id] = (status, reference, reason)


class TestAReferralWithoutConsent:
    """The mandatory ``consent`` guard keeps the run from deciding a referral without consent;
    a row that reaches the dispatcher without one anyway (a plugin's own step, an old row) is
    refused before the channel too."""

    def test_refused_before_the_bare_municipal_channel(
        self, plugins: MaatwerkPlugins, bare: dict[str, BareChannel], tmp_path: Path
    ) -> None:
        def referral(n: int, consents: tuple[dict[str, object], ...]) -> OutboxItem:
            entry = OutboxEntry(
                case=CaseKey(f"D{n}", "zorg"),
                run_date=START,
                step="referral",
                action="debt-help-referral",
                channel="municipal",
                payload={
                    "debtor_name": f"Persoon {n}",
                    "amount": Decimal("400.00"),
                    "consents": consents,
                    "contact_attempts": (),
                    "written_reminders": (),
                },
            )
            return OutboxItem(outbox_id=n, entry=entry, status=OutboxStatus.PENDING)

        given = {"scope": "debt-help-referral", "given_on": START, "revoked_on": None}
        revoked = {**given, "revoked_on": START}
        outbox = _Outbox([referral(1, ()), referral(2, (revoked,)), referral(3, (given,))])
        dispatcher = attrs.evolve(
            _dispatcher(plugins, START, tmp_path),
            store=outbox,  # type: ignore[arg-type]  # the dispatcher's share of a Store
        )
        assert dispatcher.dispatch() == {"refused": 2, "done": 1}
        needs = "needs one of: debt-help-referral, municipal-referral"
        for n in (1, 2):
            assert outbox.marks[n] == (
                OutboxStatus.REFUSED,
                "",
                f"no recorded, unrevoked consent for debt-help-referral ({needs})",
            )
        assert outbox.marks[3][0] is OutboxStatus.DONE
        assert [a.debtor_id for a in bare["municipal"].seen] == ["D3"]
