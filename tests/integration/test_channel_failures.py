"""A channel that raises in ``deliver()`` fails only its own actions (SQLite, PostgreSQL).

Its actions are marked failed with the plugin's name and stay in the outbox; the other channels
deliver; the run's summary counts the failure per channel and plugin; the next run delivers the
kept actions once. The log names the plugin and the exception type, never the message (which
may hold personal data).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import attrs
import pytest
import sqlalchemy as sa
from run_helpers import bill, import_portfolio, single
from structlog.testing import capture_logs

from maatwerk.adapters.calendars import build_calendars
from maatwerk.adapters.policy_loader import load_policy_text
from maatwerk.adapters.storage import SqlStore, schema
from maatwerk.core.money import eur
from maatwerk.core.policy import PolicyTables
from maatwerk.core.ports import Channel, DeliveryContext, DeliveryReceipt, OutboundAction
from maatwerk.core.records import OutboxStatus
from maatwerk.services.run import Dispatcher, PolicyCaseEvaluator, run_day
from maatwerk.testing import FakeChannel


DUE = dt.date(2026, 1, 10)
DAY = DUE + dt.timedelta(days=8)
POLICY = """
schema = 1
name = "{name}"
version = "1"

[[step]]
id = "reminder"
action = "payment-reminder"
channel = "{channel}"
anchor = "default-date"
days = 7
"""


@attrs.define
class GatewayChannel:
    """An SMS channel whose gateway is down (raises) until ``up`` is set."""

    name: str = "sms"
    up: bool = False
    sent: FakeChannel = attrs.field(factory=lambda: FakeChannel(name="sms"))

    def deliver(
        self, actions: Sequence[OutboundAction], context: DeliveryContext
    ) -> list[DeliveryReceipt]:
        if not self.up:
            raise ConnectionError(f"gateway down while texting {actions[0].payload['debtor_name']}")
        return self.sent.deliver(actions, context)


def evaluator() -> PolicyCaseEvaluator:
    return PolicyCaseEvaluator(
        policies={
            "texts": load_policy_text(POLICY.format(name="texts", channel="sms"), "texts.toml"),
            "mails": load_policy_text(POLICY.format(name="mails", channel="mail"), "mails.toml"),
        },
        default="mails",
        by_creditor={"energie": "texts"},
        tables=PolicyTables(calendars=build_calendars()),
    )


@pytest.fixture
def store(store: SqlStore) -> SqlStore:
    import_portfolio(
        store,
        [
            single("D1", "Anna Texter"),
            single("D2", "Bram Mailer"),
            bill("B1", "D1", "energie", eur("80.00"), DUE),
            bill("B2", "D2", "zorg", eur("90.00"), DUE),
        ],
    )
    return store


def dispatcher(
    store: SqlStore, day: dt.date, tmp: Path, channels: dict[str, Channel]
) -> Dispatcher:
    return Dispatcher(
        store=store,
        channel_for=channels.__getitem__,
        context=DeliveryContext(output_dir=tmp, run_date=day, settings={}),
        plugin_for=lambda name: {"sms": "acme-sms"}.get(name, "maatwerk.plugins.stock"),
    )


def status(store: SqlStore, channel: str) -> tuple[OutboxStatus, str]:
    """The status of ``channel``'s one outbox row, and the reason stored with it."""
    o = schema.outbox
    with store.engine.connect() as conn:
        ((state, error),) = conn.execute(
            sa.select(o.c.status, o.c.error).where(o.c.channel == channel)
        ).all()
    return OutboxStatus(state), error or ""


class TestARaisingChannel:
    def test_fails_alone_is_kept_and_is_delivered_once_later(
        self, store: SqlStore, tmp_path: Path
    ) -> None:
        sms, mail = GatewayChannel(), FakeChannel(name="mail")
        channels: dict[str, Channel] = {"sms": sms, "mail": mail}
        with capture_logs() as logs:
            summary = run_day(
                store, evaluator(), DAY, dispatcher=dispatcher(store, DAY, tmp_path, channels)
            )
        assert summary.channel_failures == {("sms", "acme-sms"): 1}
        assert summary.as_dict()["channel_failures"] == [
            {"channel": "sms", "plugin": "acme-sms", "actions": 1}
        ]
        failed, reason = status(store, "sms")
        assert failed is OutboxStatus.FAILED
        assert "acme-sms" in reason
        assert "ConnectionError" in reason
        assert "Anna" not in reason
        assert status(store, "mail")[0] is OutboxStatus.DONE, "the other channel went on"
        (logged,) = [e for e in logs if e["event"] == "channel_raised"]
        assert logged["plugin"] == "acme-sms"
        assert logged["error"] == "ConnectionError"
        assert "Anna" not in repr(logs)

        sms.up = True
        later = DAY + dt.timedelta(days=1)
        for _ in range(2):  # the next day, and that day again
            again = run_day(
                store, evaluator(), later, dispatcher=dispatcher(store, later, tmp_path, channels)
            )
            assert not again.channel_failures
        assert status(store, "sms")[0] is OutboxStatus.DONE
        assert len(sms.sent.delivered) == 1
        assert sms.sent.calls == 1, "delivered exactly once"
        assert mail.calls == 1, "the delivered mail is not sent again"

    def test_a_channel_answering_nonsense_fails_alone_too(
        self, store: SqlStore, tmp_path: Path
    ) -> None:
        @attrs.define
        class Nonsense:
            name: str = "sms"

            def deliver(
                self, actions: Sequence[OutboundAction], context: DeliveryContext
            ) -> list[DeliveryReceipt]:
                return ["sent"] * len(actions)  # type: ignore[list-item]  # the bug under test

        channels: dict[str, Channel] = {"sms": Nonsense(), "mail": FakeChannel(name="mail")}
        summary = run_day(
            store, evaluator(), DAY, dispatcher=dispatcher(store, DAY, tmp_path, channels)
        )
        assert summary.channel_failures == {("sms", "acme-sms"): 1}
        assert status(store, "sms")[0] is OutboxStatus.FAILED
        assert status(store, "mail")[0] is OutboxStatus.DONE
