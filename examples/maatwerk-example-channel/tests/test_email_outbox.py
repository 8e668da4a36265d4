"""The example channel passes maatwerk's channel contract, installed through its entry point."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

from maatwerk.core.ports import DeliveryStatus, OutboundAction
from maatwerk.plugins.manager import make_plugin_manager
from maatwerk.testing import SAMPLE_SETTINGS, ChannelContract, make_action, sample_payload


SETTINGS = {**SAMPLE_SETTINGS, "sender": "incasso@voorbeeld.nl"}


class TestEmailOutboxContract(ChannelContract):
    """The email-outbox channel keeps every promise of the maatwerk channel contract."""

    channel_name = "email-outbox"
    settings = SETTINGS

    def make_valid_action(self, action_id: str, kind: str, channel: str) -> OutboundAction:
        payload = sample_payload(email="a.voorbeeld@example.org")
        return make_action(action_id, kind=kind, channel=channel, payload=payload)


class TestEmailOutbox:
    """The e-mail says the amount and the date, and is addressed from the configured sender."""

    def test_is_installed_through_the_entry_point(self) -> None:
        plugins = make_plugin_manager(strict=True)
        assert "example-email-outbox" in [p.name for p in plugins.plugins()]
        assert plugins.channels()["email-outbox"].action_kinds == (
            "courtesy-reminder",
            "payment-reminder",
        )

    def test_writes_a_readable_email(self, tmp_path: Path) -> None:
        channel = make_plugin_manager().channel("email-outbox")
        suite = TestEmailOutboxContract()
        action = suite.make_valid_action("r-1", "payment-reminder", "email-outbox")
        (receipt,) = channel.deliver([action], suite.context(tmp_path))
        assert receipt.status is DeliveryStatus.DELIVERED
        (path,) = tmp_path.rglob("*.eml")
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.SMTP)
        assert message["From"] == "incasso@voorbeeld.nl"
        assert message["To"] == "a.voorbeeld@example.org"
        part = message.get_body()
        assert part is not None
        body = part.get_content()
        assert "€ 123,45" in body
        assert "16-3-2026" in body

    def test_refuses_without_an_address(self, tmp_path: Path) -> None:
        channel = make_plugin_manager().channel("email-outbox")
        action = make_action("r-2", kind="payment-reminder", channel="email-outbox")
        (receipt,) = channel.deliver([action], TestEmailOutboxContract().context(tmp_path))
        assert receipt.status is DeliveryStatus.REFUSED
        assert "email" in receipt.reason
