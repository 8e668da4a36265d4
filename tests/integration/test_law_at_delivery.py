"""The law is checked again when a row goes out on a later day than it was decided.

A referral waits for a review; the debtor revokes the consent before it is approved: the
dispatcher refuses it with the reason, and the channel never sees it. The same for a bailiff
hand-over approved after a dispute was opened. Rows whose facts did not change go out. The
channels are bare ones (they deliver anything), so only the run's own checks can refuse.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping, Sequence
from pathlib import Path

import attrs
import pytest
import sqlalchemy as sa
from run_helpers import bill, import_payments, import_portfolio, single

from maatwerk.adapters.calendars import build_calendars
from maatwerk.adapters.legal_tables import load_bik_table
from maatwerk.adapters.payload_schemas import payload_problems
from maatwerk.adapters.policy_loader import load_policy
from maatwerk.adapters.storage import SqlStore
from maatwerk.adapters.storage.schema import outbox as outbox_table
from maatwerk.adapters.subsistence_tables import load_subsistence_tables
from maatwerk.core.debts import Payment
from maatwerk.core.events import ConsentScope, ContactChannel, ContactOutcome
from maatwerk.core.money import eur
from maatwerk.core.policy import PolicyTables
from maatwerk.core.policy.casefile import CaseFile, derive_state
from maatwerk.core.ports import DeliveryContext, DeliveryReceipt, OutboundAction
from maatwerk.core.records import CaseKey, ImportRecord, OutboxStatus
from maatwerk.plugins import hookimpl
from maatwerk.plugins.manager import MaatwerkPlugins, make_plugin_manager
from maatwerk.plugins.records import ChannelSpec
from maatwerk.services import recording, review
from maatwerk.services.run import Dispatcher, PolicyCaseEvaluator, run_day
from maatwerk.testing import SAMPLE_SETTINGS


START = dt.date(2026, 3, 2)
BARE = ("bailiff", "municipal")

POLICY = """
schema = 1
name = "late-law"
version = "1"

[settings]
bailiff_min_amount = "0.00"
disabled_guards = ["amicable-track"]

[[step]]
id = "referral"
action = "debt-help-referral"
channel = "municipal"
anchor = "default-date"
days = 1
review = true

[[step]]
id = "letter"
action = "fourteen-day-letter"
channel = "letters"
anchor = "default-date"
days = 2

[[step]]
id = "bailiff"
action = "bailiff-handover"
channel = "bailiff"
anchor = "default-date"
days = 40
review = true
"""


@attrs.define(eq=False)
class BareChannel:
    """Delivers every action it is given, checking nothing."""

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
    channels: Mapping[str, BareChannel]

    @hookimpl
    def maatwerk_register_channels(self) -> list[ChannelSpec]:
        return [
            ChannelSpec(
                name=name,
                factory=functools.partial(_same, channel),
                description=f"bare {name}",
                overrides=True,
            )
            for name, channel in self.channels.items()
        ]


@pytest.fixture
def bare() -> dict[str, BareChannel]:
    return {name: BareChannel(name) for name in BARE}


@pytest.fixture
def plugins(bare: dict[str, BareChannel]) -> MaatwerkPlugins:
    manager = make_plugin_manager(load_entrypoints=False)
    manager.register(BarePlugin(bare), "bare-channels")
    return manager


@attrs.define
class Days:
    """Runs days of the policy on a store, with a dispatcher on the bare channels."""

    store: SqlStore
    plugins: MaatwerkPlugins
    out: Path
    evaluator: PolicyCaseEvaluator

    def run(self, day: dt.date) -> None:
        dispatcher = Dispatcher(
            store=self.store,
            channel_for=self.plugins.channel,
            context=DeliveryContext(output_dir=self.out, run_date=day, settings=SAMPLE_SETTINGS),
            check_payload=payload_problems,
        )
        run_day(self.store, self.evaluator, day, dispatcher=dispatcher)

    def until_reviewed(self, step: str) -> dt.date:
        """Runs days from ``START`` until ``step`` waits for a review; the last day run."""
        day = START
        while True:
            self.run(day)
            if any(r.item.entry.step == step for r in self.store.reviews()):
                return day
            day += dt.timedelta(days=1)
            assert day < START + dt.timedelta(days=80), f"no {step} was decided"

    def approve_all(self, day: dt.date) -> None:
        for item in self.store.reviews():
            review.approve(self.store, item.review_id, by="controleur", on=day)


@pytest.fixture
def days(store: SqlStore, plugins: MaatwerkPlugins, tmp_path: Path) -> Days:
    policy_file = tmp_path / "late-law.toml"
    policy_file.write_text(POLICY, encoding="utf-8")
    policy = load_policy(policy_file, channels=[*plugins.channels(), "ledger"])
    evaluator = PolicyCaseEvaluator(
        policies={"late-law": policy},
        default="late-law",
        tables=PolicyTables(calendars=build_calendars()),
        subsistence=load_subsistence_tables(),
        bik=load_bik_table(),
    )
    return Days(store, plugins, tmp_path / "out", evaluator)


def _reasons(store: SqlStore) -> dict[int, str]:
    query = sa.select(outbox_table.c.id, outbox_table.c.error)
    with store.engine.connect() as conn:
        return {row.id: row.error or "" for row in conn.execute(query)}


def _portfolio(store: SqlStore, *debtors: str) -> None:
    due = START - dt.timedelta(days=1)
    rows: list[ImportRecord] = []
    for n, debtor in enumerate(debtors, start=1):
        rows.extend(
            (
                single(debtor, f"Persoon {n}"),
                bill(f"B{n}", debtor, "zorg", eur("400.00"), due, reference=f"F-{n}"),
            )
        )
    import_portfolio(store, tuple(rows))


def _row(store: SqlStore, debtor: str, step: str) -> tuple[OutboxStatus, str]:
    reasons = _reasons(store)
    (item,) = [
        i for i in store.outbox_items() if i.entry.case.debtor_id == debtor and i.entry.step == step
    ]
    return item.status, reasons[item.outbox_id]


class TestTheLawAtDelivery:
    def test_a_referral_approved_after_the_consent_was_revoked_is_refused(
        self, store: SqlStore, days: Days, bare: dict[str, BareChannel]
    ) -> None:
        _portfolio(store, "D1", "D2")
        for debtor in ("D1", "D2"):
            recording.add_consent(
                store, debtor, scope=ConsentScope.DEBT_HELP_REFERRAL, on=START, by="medewerker"
            )
        day = days.until_reviewed("referral")  # both referrals decided; they wait for a review
        assert {r.item.entry.case.debtor_id for r in store.reviews()} == {"D1", "D2"}
        later = day + dt.timedelta(days=1)
        recording.revoke_consent(
            store, "D1", scope=ConsentScope.DEBT_HELP_REFERRAL, on=later, by="medewerker"
        )
        days.approve_all(later)
        days.run(later)

        status, reason = _row(store, "D1", "referral")
        assert status is OutboxStatus.REFUSED
        assert reason == (
            f"the law no longer allows it on {later.isoformat()}: no unrevoked consent for "
            f"debt-help-referral on {later.isoformat()} (needs one of: debt-help-referral, "
            "municipal-referral)"
        )
        assert _row(store, "D2", "referral") == (OutboxStatus.DONE, "")
        assert [a.debtor_id for a in bare["municipal"].seen] == ["D2"]
        # the refused referral did not happen: no step taken, no wait for the municipality
        kinds = [r.kind for r in store.history("D1")]
        assert kinds.count("step-taken") == 1
        assert kinds[-1] == "step-refused"
        (d1,) = store.load_cases([CaseKey("D1", "zorg")])
        state = derive_state(CaseFile(debtor=d1.debtor, case=d1.case, events=d1.events), later)
        assert state.steps_taken == ()
        assert state.referred_on is None
        # the next days decide nothing new for D1: the consent guard stops the referral
        days.run(later + dt.timedelta(days=1))
        assert [
            i.entry.case.debtor_id for i in store.outbox_items() if i.entry.step == "referral"
        ] == [
            "D1",
            "D2",
        ]

    def test_a_handover_approved_after_a_dispute_was_opened_is_refused(
        self, store: SqlStore, days: Days, bare: dict[str, BareChannel]
    ) -> None:
        _portfolio(store, "D3", "D4")
        for debtor in ("D3", "D4"):
            recording.log_contact(
                store,
                debtor,
                channel=ContactChannel.PHONE,
                outcome=ContactOutcome.NO_ANSWER,
                note="",
                on=START,
                by="medewerker",
            )
        day = days.until_reviewed("bailiff") + dt.timedelta(days=1)
        assert {r.item.entry.case.debtor_id for r in store.reviews()} == {"D3", "D4"}
        recording.open_dispute(store, "D3", reason="niet eens", on=day, by="medewerker")
        days.approve_all(day)
        days.run(day)

        status, reason = _row(store, "D3", "bailiff")
        assert status is OutboxStatus.REFUSED
        assert reason == (
            f"the law no longer allows it on {day.isoformat()}: a dispute is open since "
            f"{day.isoformat()}: nothing goes out until it is resolved"
        )
        assert _row(store, "D4", "bailiff") == (OutboxStatus.DONE, "")
        assert [a.debtor_id for a in bare["bailiff"].seen] == ["D4"]

    def test_a_referral_approved_after_the_debt_was_paid_is_refused(
        self, store: SqlStore, days: Days, bare: dict[str, BareChannel]
    ) -> None:
        _portfolio(store, "D1", "D2")
        for debtor in ("D1", "D2"):
            recording.add_consent(
                store, debtor, scope=ConsentScope.DEBT_HELP_REFERRAL, on=START, by="medewerker"
            )
        day = days.until_reviewed("referral")
        later = day + dt.timedelta(days=1)
        paid = Payment(payment_id="P1", debtor_id="D1", received_on=later, amount=eur("450.00"))
        import_payments(store, [paid])
        days.approve_all(later)
        days.run(later)  # the run applies the payment, then dispatches

        status, reason = _row(store, "D1", "referral")
        assert status is OutboxStatus.REFUSED
        assert reason == (
            f"the law no longer allows it on {later.isoformat()}: no longer owed on "
            f"{later.isoformat()}: B1 (paid or closed since the decision)"
        )
        assert _row(store, "D2", "referral") == (OutboxStatus.DONE, "")
        assert [a.debtor_id for a in bare["municipal"].seen] == ["D2"]
