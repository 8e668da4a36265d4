"""The network channel of docs/plugins/network-channel.md works as the page says.

Its code blocks are run as written: the channel keeps the whole channel contract against the
page's fake gateway (side-effect seam included), retries what may pass under one idempotency
key, refuses what will not, and fails what never got through.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from maatwerk.core.ports import DeliveryContext, DeliveryStatus
from maatwerk.testing import SAMPLE_SETTINGS, SideEffectRecorder, make_action


PAGE = Path(__file__).resolve().parents[2] / "docs" / "plugins" / "network-channel.md"


def block(marker: str) -> str:
    blocks = re.findall(r"```python\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.DOTALL)
    (found,) = [b for b in blocks if marker in b]
    return str(found)


def run_blocks() -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "docs_network_channel"}
    exec(compile(block("class SmsGatewayChannel"), str(PAGE), "exec"), namespace)  # noqa: S102 - our own docs
    test_code = block("class TestSmsGatewayContract").replace(
        "from maatwerk_sms.gateway import SmsGatewayChannel\n", ""
    )
    exec(compile(test_code, str(PAGE), "exec"), namespace)  # noqa: S102 - our own docs
    return namespace


DOCS = run_blocks()
#: the page's contract test, collected here
TestDocsSmsGatewayContract = DOCS["TestSmsGatewayContract"]
URL = "https://sms.example/v1/messages"


class Scripted:
    """A gateway that answers from a script: an HTTP status, or an exception to raise."""

    def __init__(self, *answers: int | Exception) -> None:
        self.answers = list(answers)
        self.keys: list[str] = []

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> tuple[int, bytes]:
        assert url == URL
        self.keys.append(headers["Idempotency-Key"])
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer, b'{"id": "m1"}' if answer < 300 else b'{"error": "for 06 0000 0000"}'


def deliver(gateway: Scripted, tmp_path: Path) -> tuple[Any, list[float], SideEffectRecorder]:
    slept: list[float] = []
    channel = DOCS["SmsGatewayChannel"](post=gateway.post, sleep=slept.append)
    recorder = SideEffectRecorder()
    context = DeliveryContext(
        output_dir=tmp_path,
        run_date=make_action().run_date,
        settings={**SAMPLE_SETTINGS, "sms_gateway_url": URL},
        side_effects=recorder,
    )
    (receipt,) = channel.deliver([make_action("a1", channel="sms")], context)
    return receipt, slept, recorder


class TestRetries:
    def test_a_busy_gateway_is_tried_again_under_one_key(self, tmp_path: Path) -> None:
        gateway = Scripted(503, ConnectionRefusedError(), 201)
        receipt, slept, recorder = deliver(gateway, tmp_path)
        assert receipt.status is DeliveryStatus.DELIVERED
        assert receipt.reference == "sms:m1"
        assert gateway.keys == ["a1", "a1", "a1"]
        assert slept == [1, 2]
        assert [c.idempotency_key for c in recorder.changing()] == ["a1", "a1", "a1"]

    def test_a_bad_request_is_refused_without_the_answer_text(self, tmp_path: Path) -> None:
        receipt, _, _ = deliver(Scripted(400), tmp_path)
        assert receipt.status is DeliveryStatus.REFUSED
        assert receipt.reason == "the SMS gateway refused the message (HTTP 400)"

    def test_never_through_is_failed_for_the_next_run(self, tmp_path: Path) -> None:
        gateway = Scripted(503, 503, TimeoutError(), 502)
        receipt, slept, _ = deliver(gateway, tmp_path)
        assert receipt.status is DeliveryStatus.FAILED
        assert "after 4 tries" in receipt.reason
        assert slept == [1, 2, 4]

    def test_settings_are_checked(self) -> None:
        channel = DOCS["SmsGatewayChannel"]()
        assert channel.settings_problems({"sms_gateway_url": URL}) == []
        (problem,) = channel.settings_problems({"sms_gateway_url": "http://plain"})
        assert "sms_gateway_url" in problem


def test_the_registration_blocks_are_valid_python() -> None:
    for marker in ('name="sms"', 'name="phone-worklist"'):
        compile(block(marker), str(PAGE), "exec")
