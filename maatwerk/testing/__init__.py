"""The contract-test kit for maatwerk adapters and plugins (a pytest plugin, ``pytest11``).

Run the contract against your own channel with one class::

    from maatwerk.testing import ChannelContract

    class TestSmsChannel(ChannelContract):
        channel_name = "sms"

The suites (:class:`ChannelContract`, :class:`ImporterContract`, :class:`GuardContract`), the
fakes (:class:`FakeChannel`, :class:`RecordingListener`, :func:`make_action`), a valid sample
payload per action kind (:func:`sample_payload_for`) and the side-effect seam
(:class:`SideEffectRecorder`: what a network channel reports to ``context.side_effects``) are
exported here. This package imports pytest; runtime code never imports it.
"""

from __future__ import annotations

import pytest

from maatwerk.testing.fakes import (
    SAMPLE_SETTINGS,
    FakeChannel,
    RecordingListener,
    make_action,
    make_guard_context,
    sample_payload,
)
from maatwerk.testing.recorder import ExternalCall, SideEffectRecorder
from maatwerk.testing.samples import sample_payload_for


# Detailed assertion messages in the contract suites, even when maatwerk is installed editable.
pytest.register_assert_rewrite("maatwerk.testing.contracts")

from maatwerk.testing.contracts import (  # noqa: E402 - after register_assert_rewrite
    BadInput,
    ChannelContract,
    DebtSettlementHubContract,
    GuardCase,
    GuardContract,
    ImporterContract,
    plugin_under_test,
)


__all__ = [
    "SAMPLE_SETTINGS",
    "BadInput",
    "ChannelContract",
    "DebtSettlementHubContract",
    "ExternalCall",
    "FakeChannel",
    "GuardCase",
    "GuardContract",
    "ImporterContract",
    "RecordingListener",
    "SideEffectRecorder",
    "make_action",
    "make_guard_context",
    "plugin_under_test",
    "sample_payload",
    "sample_payload_for",
]
