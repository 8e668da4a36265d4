"""The Schuldenknooppunt contract, run against the file-based stand-in hub."""

from __future__ import annotations

import json
import pathlib

import pytest

from maatwerk.adapters.knooppunt_files import FileHub, write_message
from maatwerk.core.debt_settlement import HubMessage
from maatwerk.core.ports import DebtSettlementHub
from maatwerk.testing import DebtSettlementHubContract
from maatwerk.testing.contracts import sample_hub_replies, snapshot


class TestFileHubContract(DebtSettlementHubContract):
    @pytest.fixture
    def hub(self, tmp_path: pathlib.Path) -> DebtSettlementHub:
        (tmp_path / "in").mkdir()
        return FileHub(tmp_path / "in", tmp_path / "out")

    def put_message(self, hub: DebtSettlementHub, message: HubMessage) -> None:
        assert isinstance(hub, FileHub)
        write_message(hub.inbox, message)

    def put_bad_message(self, hub: DebtSettlementHub) -> str | None:
        assert isinstance(hub, FileHub)
        (hub.inbox / "bad.json").write_text(
            json.dumps(
                {
                    "type": "betaalvoorstel",
                    "message_id": "v-2",
                    "debtor_id": "D-contract",
                    "proposed_on": "2026-03-02",
                    "percentage": "150",
                    "pay_by": "2026-04-01",
                }
            ),
            encoding="utf-8",
        )
        return "percentage"

    def test_a_reply_is_written_once(self, hub: DebtSettlementHub) -> None:
        assert isinstance(hub, FileHub)
        hub.send(sample_hub_replies())
        first = snapshot(hub.outbox)
        assert sorted(first) == [
            "contract-saldo-1-antwoord.json",
            "contract-voorstel-1-antwoord.json",
        ]
        hub.send(sample_hub_replies())
        assert snapshot(hub.outbox) == first
