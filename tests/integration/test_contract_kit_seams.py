"""The contract kit catches what files alone cannot show, and tests one plugin in isolation.

* the side-effect seam: a network-like channel reports its requests to ``context.side_effects``;
  the kit fails one that POSTs twice for one action, POSTs under a new key when the same action
  comes again, POSTs during a dry run, or (``external_calls = True``) reports nothing; a
  well-behaved one passes the whole suite;
* isolation: the ``channel`` fixture loads only the plugin under test, so an unrelated broken
  plugin does not fail it, while a broken plugin under test still does.
"""

from __future__ import annotations

import pathlib
import uuid
from collections.abc import Callable, Sequence

import attrs
import pytest
from cli_helpers import AddEntryPoint

from maatwerk.core.errors import PluginError
from maatwerk.core.ports import (
    Channel,
    DeliveryContext,
    DeliveryReceipt,
    OutboundAction,
)
from maatwerk.testing import ChannelContract, SideEffectRecorder, plugin_under_test


URL = "https://gateway.example/v1/messages"


@attrs.define
class Gateway:
    """The other side: keeps one message per idempotency key (it honours keys)."""

    messages: dict[str, str] = attrs.field(factory=dict)

    def post(self, key: str, body: str) -> str:
        self.messages.setdefault(key, body)
        return f"msg-{len(self.messages)}"


@attrs.define
class NetworkChannel:
    """A well-behaved HTTP-like channel: one POST per action, keyed by the action id, none in a
    dry run, each reported to ``context.side_effects`` before it is made."""

    name: str = "sms"
    gateway: Gateway = attrs.field(factory=Gateway)

    def key(self, action: OutboundAction) -> str:
        return action.action_id

    def send(self, action: OutboundAction, context: DeliveryContext) -> None:
        context.side_effects.call("POST", URL, idempotency_key=self.key(action))
        self.gateway.post(self.key(action), action.kind)

    def deliver(
        self, actions: Sequence[OutboundAction], context: DeliveryContext
    ) -> list[DeliveryReceipt]:
        receipts: list[DeliveryReceipt] = []
        for action in actions:
            if action.channel != self.name:
                receipts.append(DeliveryReceipt.refused(action.action_id, "not for sms"))
            elif not action.payload.get("phone"):
                receipts.append(DeliveryReceipt.refused(action.action_id, "no phone number"))
            else:
                if not context.dry_run:
                    self.send(action, context)
                receipts.append(DeliveryReceipt.delivered(action.action_id, "sms"))
        return receipts


class PostsTwice(NetworkChannel):
    def send(self, action: OutboundAction, context: DeliveryContext) -> None:
        super().send(action, context)
        super().send(action, context)  # a retry loop that retries after a success


class FreshKeys(NetworkChannel):
    def key(self, action: OutboundAction) -> str:  # the bug: the key is not the action's
        return uuid.uuid4().hex


class PostsInDryRun(NetworkChannel):
    def deliver(
        self, actions: Sequence[OutboundAction], context: DeliveryContext
    ) -> list[DeliveryReceipt]:
        return super().deliver(actions, attrs.evolve(context, dry_run=False))


class Silent(NetworkChannel):
    def send(self, action: OutboundAction, context: DeliveryContext) -> None:
        self.gateway.post(self.key(action), action.kind)  # does not report the request


class TestNetworkChannelContract(ChannelContract):
    """A network channel that keeps every promise passes the whole suite."""

    external_calls = True
    idempotency_keys_honoured = True

    @pytest.fixture
    def channel(self) -> Channel:
        return NetworkChannel()


class TestTheKitCatchesBadNetworkChannels:
    """Each contract check fails the channel that breaks its promise, naming the request."""

    contract = TestNetworkChannelContract()
    kind = "payment-reminder"

    def run(self, check: Callable[..., None], channel: Channel, tmp_path: pathlib.Path) -> str:
        with pytest.raises(AssertionError) as caught:
            check(channel, tmp_path / "out", self.kind)
        return str(caught.value)

    def test_a_good_channel_passes_the_same_checks(self, tmp_path: pathlib.Path) -> None:
        c = self.contract
        c.test_delivers_valid_actions_one_receipt_each(NetworkChannel(), tmp_path, self.kind, 3)
        c.test_same_action_twice_gives_same_outcome_and_no_second_copy(
            NetworkChannel(), tmp_path, self.kind
        )
        c.test_dry_run_writes_nothing_and_answers_the_same(NetworkChannel(), tmp_path, self.kind)

    def test_posting_twice_for_one_action(self, tmp_path: pathlib.Path) -> None:
        def check(channel: Channel, out: pathlib.Path, kind: str) -> None:
            self.contract.test_delivers_valid_actions_one_receipt_each(channel, out, kind, 1)

        message = self.run(check, PostsTwice(), tmp_path)
        assert f"POST {URL} was sent 2 times" in message

    def test_a_new_key_for_the_same_action(self, tmp_path: pathlib.Path) -> None:
        message = self.run(
            self.contract.test_same_action_twice_gives_same_outcome_and_no_second_copy,
            FreshKeys(),
            tmp_path,
        )
        assert "under a new idempotency key" in message

    def test_sending_again_when_keys_are_not_honoured(self, tmp_path: pathlib.Path) -> None:
        class Strict(TestNetworkChannelContract):
            idempotency_keys_honoured = False

        message = self.run(
            Strict().test_repeating_part_of_a_batch_adds_nothing, NetworkChannel(), tmp_path
        )
        assert "repeating the delivery sent POST" in message

    def test_posting_during_a_dry_run(self, tmp_path: pathlib.Path) -> None:
        message = self.run(
            self.contract.test_dry_run_writes_nothing_and_answers_the_same,
            PostsInDryRun(),
            tmp_path,
        )
        assert f"a dry run sent: POST {URL}" in message

    def test_a_channel_that_reports_nothing(self, tmp_path: pathlib.Path) -> None:
        def check(channel: Channel, out: pathlib.Path, kind: str) -> None:
            self.contract.test_delivers_valid_actions_one_receipt_each(channel, out, kind, 2)

        message = self.run(check, Silent(), tmp_path)
        assert "reported to context.side_effects" in message

    def test_the_recorder_keeps_calls_in_order(self) -> None:
        recorder = SideEffectRecorder()
        recorder.call("GET", URL)
        recorder.call("POST", URL, idempotency_key="a")
        assert [c.method for c in recorder.calls] == ["GET", "POST"]
        assert [c.method for c in recorder.changing()] == ["POST"]
        assert recorder.problems() == []
        recorder.call("PUT", URL)
        assert recorder.problems() == [f"PUT {URL} has no idempotency key"]


# ------------------------------------------------------------------ isolation
SMS = """
    from maatwerk.plugins import ChannelSpec, hookimpl
    from maatwerk.testing import FakeChannel

    @hookimpl
    def maatwerk_register_channels():
        return [ChannelSpec(name="sms", factory=lambda: FakeChannel(name="sms"), description="SMS")]
"""
RAISING = """
    from maatwerk.plugins import hookimpl

    @hookimpl
    def maatwerk_register_channels():
        raise RuntimeError("crm unreachable")
"""


class TestIsolation:
    def test_an_unrelated_broken_plugin_is_not_loaded(self, entry_point: AddEntryPoint) -> None:
        entry_point("crm", RAISING)
        entry_point("does-not-import", "import does_not_exist_anywhere\n")
        entry_point("acme-sms", SMS)
        for named in ("", "acme-sms"):
            plugins = plugin_under_test("channel", "sms", named)
            assert plugins.channel("sms").name == "sms"
            assert [p.name for p in plugins.plugins()] == ["maatwerk.plugins.stock", "acme-sms"]
            assert plugins.broken() == []

    def test_a_stock_channel_is_tested_without_any_external_plugin(
        self, entry_point: AddEntryPoint
    ) -> None:
        entry_point("crm", RAISING)
        plugins = plugin_under_test("channel", "letters")
        assert [p.name for p in plugins.plugins()] == ["maatwerk.plugins.stock"]

    def test_the_plugin_under_test_is_still_checked_strictly(
        self, entry_point: AddEntryPoint
    ) -> None:
        entry_point(
            "acme-sms", SMS + "\n@hookimpl\ndef maatwerk_register_guards():\n    return 1\n"
        )
        with pytest.raises(pytest.fail.Exception, match=r"no installed plugin provides"):
            plugin_under_test("channel", "sms")
        with pytest.raises(PluginError, match="acme-sms"):
            plugin_under_test("channel", "sms", "acme-sms").channels()
