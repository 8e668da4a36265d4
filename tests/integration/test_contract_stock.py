"""The stock channels and the fakes run through the same contract suites as any plugin."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import pytest

from maatwerk.core.ports import (
    Channel,
    DeliveryContext,
    DeliveryReceipt,
    DeliveryStatus,
    OutboundAction,
)
from maatwerk.plugins.manager import make_plugin_manager
from maatwerk.testing import ChannelContract, FakeChannel, make_action, sample_payload


class TestLettersContract(ChannelContract):
    """The stock letters channel keeps the channel contract for every letter kind."""

    channel_name = "letters"


class TestPhoneWorklistContract(ChannelContract):
    """The stock phone work list keeps the channel contract."""

    channel_name = "phone-worklist"

    def make_invalid_action(self, action_id: str, kind: str, channel: str) -> OutboundAction:
        payload = sample_payload()
        del payload["phone"]
        return make_action(action_id, kind=kind, channel=channel, payload=payload)


class TestFakeChannelContract(ChannelContract):
    """The fake channel used in service tests keeps the same contract."""

    action_kinds = ("payment-reminder", "phone-call")

    @pytest.fixture
    def channel(self) -> Channel:
        return FakeChannel(name="fake")


class TestStockChannelsThroughTheManager:
    """Every stock channel is registered, builds by name and names itself as registered."""

    @pytest.mark.parametrize("name", ["letters", "phone-worklist"])
    def test_builds(self, name: str) -> None:
        plugins = make_plugin_manager(load_entrypoints=False, strict=True)
        assert plugins.channel(name).name == name
        assert plugins.channels()[name].description

    def test_the_contract_catches_a_channel_that_breaks_it(self, tmp_path: Path) -> None:
        class Forgetful(FakeChannel):
            def deliver(
                self, actions: Sequence[OutboundAction], context: DeliveryContext
            ) -> list[DeliveryReceipt]:
                return super().deliver(actions[:-1], context)

        suite = TestFakeChannelContract()
        actions = [make_action(f"a{i}", channel="fake") for i in range(2)]
        receipts = Forgetful().deliver(actions, suite.context(tmp_path))
        with pytest.raises(AssertionError, match="one receipt per action"):
            suite.check_receipts(actions, receipts)

    def test_worklist_orders_by_urgency(self, tmp_path: Path) -> None:
        plugins = make_plugin_manager(load_entrypoints=False, strict=True)
        channel = plugins.channel("phone-worklist")
        actions = [
            make_action(
                f"call-{i}",
                kind="phone-call",
                channel="phone-worklist",
                payload=sample_payload(arrears_months=months, amount=Decimal(amount)),
            )
            for i, (months, amount) in enumerate([(1, "500"), (3, "20"), (3, "80"), (0, "9")])
        ]
        suite = TestPhoneWorklistContract()
        receipts = channel.deliver(actions, suite.context(tmp_path))
        assert all(r.status is DeliveryStatus.DELIVERED for r in receipts)
        lines = next(tmp_path.rglob("*.csv")).read_text(encoding="utf-8-sig").splitlines()
        order = [line.split(";")[1] for line in lines[1:]]
        assert order == ["call-2", "call-1", "call-0", "call-3"]
        assert [line.split(";")[0] for line in lines[1:]] == ["1", "2", "3", "4"]

    def test_fourteen_day_letter_needs_the_stated_costs(self, tmp_path: Path) -> None:
        channel = make_plugin_manager(load_entrypoints=False).channel("letters")
        payload = sample_payload()
        del payload["collection_costs"]
        action = make_action("l-1", kind="fourteen-day-letter", channel="letters", payload=payload)
        suite = TestLettersContract()
        (receipt,) = channel.deliver([action], suite.context(tmp_path))
        assert receipt.status is DeliveryStatus.REFUSED
        assert "collection_costs" in receipt.reason

    def test_letter_states_amount_costs_and_who_to_call(self, tmp_path: Path) -> None:
        channel = make_plugin_manager(load_entrypoints=False).channel("letters")
        action = make_action(
            "l-2",
            kind="fourteen-day-letter",
            channel="letters",
            run_date=dt.date(2026, 3, 2),
            payload=sample_payload(amount=Decimal("1234.5"), collection_costs=Decimal("185.18")),
        )
        suite = TestLettersContract()
        (receipt,) = channel.deliver([action], suite.context(tmp_path))
        assert receipt.status is DeliveryStatus.DELIVERED
        text = (tmp_path / "letters" / "2026-03-02" / "l-2.txt").read_text(encoding="utf-8")
        assert "€ 1.234,50" in text
        assert "€ 185,18" in text
        assert "14 dagen" in text
        assert "088 000 00 00" in text
        assert "2 maart 2026" in text

    def test_unknown_letter_kind_is_refused_with_the_known_kinds(self, tmp_path: Path) -> None:
        channel = make_plugin_manager(load_entrypoints=False).channel("letters")
        action = make_action("l-3", kind="bailiff-handover", channel="letters")
        (receipt,) = channel.deliver([action], TestLettersContract().context(tmp_path))
        assert receipt.status is DeliveryStatus.REFUSED
        assert "payment-reminder" in receipt.reason
