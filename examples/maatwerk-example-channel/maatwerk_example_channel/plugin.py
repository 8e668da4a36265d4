"""The plugin module named by the ``maatwerk`` entry point in ``pyproject.toml``."""

from __future__ import annotations

from maatwerk.plugins import ChannelSpec, hookimpl
from maatwerk_example_channel.channel import EmailOutboxChannel


@hookimpl
def maatwerk_register_channels() -> list[ChannelSpec]:
    return [
        ChannelSpec(
            name=EmailOutboxChannel.name,
            factory=EmailOutboxChannel,
            description="E-mails as .eml files in an outbox directory, one per action",
            action_kinds=("courtesy-reminder", "payment-reminder"),
        )
    ]
