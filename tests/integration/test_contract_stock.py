"""The stock channels, guards and the fakes run through the same contract suites as any plugin."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import pytest

from maatwerk.adapters.channels.letters import LettersChannel
from maatwerk.adapters.channels.worklist import PhoneWorklistChannel
from maatwerk.core.events import (
    DebtorFlag,
    DebtorFlagged,
    DisputeOpened,
    DisputeResolved,
    HoldPlaced,
    HoldScope,
)
from maatwerk.core.policy import BUILTIN_GUARDS, Reason, Verdict
from maatwerk.core.policy import GuardSpec as PolicyGuardSpec
from maatwerk.core.ports import (
    Channel,
    DeliveryContext,
    DeliveryReceipt,
    DeliveryStatus,
    EventListener,
    OutboundAction,
)
from maatwerk.plugins.manager import make_plugin_manager
from maatwerk.testing import (
    ChannelContract,
    FakeChannel,
    GuardCase,
    GuardContract,
    RecordingListener,
    make_action,
    make_guard_context,
    sample_payload,
)


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


_DAY = dt.date(2026, 3, 2)


class TestDeceasedGuardContract(GuardContract):
    """The stock deceased guard stops every step once the debtor is flagged deceased."""

    guard_name = "deceased"
    guard_cases = (
        GuardCase(id="alive", context=make_guard_context(today=_DAY), expect="pass"),
        GuardCase(
            id="flagged",
            context=make_guard_context(
                today=_DAY,
                events=[
                    DebtorFlagged(
                        occurred_on=dt.date(2026, 2, 1),
                        debtor_id="debtor-1",
                        flag=DebtorFlag.DECEASED,
                    )
                ],
            ),
            expect="block",
        ),
    )


class TestDisputeGuardContract(GuardContract):
    """The stock dispute guard blocks while a dispute is open and lets go once it is resolved."""

    guard_name = "dispute"
    _opened = DisputeOpened(occurred_on=dt.date(2026, 2, 1), debtor_id="debtor-1", dispute_id="d1")
    guard_cases = (
        GuardCase(id="open", context=make_guard_context(events=[_opened]), expect="block"),
        GuardCase(
            id="resolved",
            context=make_guard_context(
                events=[
                    _opened,
                    DisputeResolved(
                        occurred_on=dt.date(2026, 2, 20), debtor_id="debtor-1", dispute_id="d1"
                    ),
                ]
            ),
            expect="pass",
        ),
    )


class TestHoldGuardContract(GuardContract):
    """The stock hold guard postpones a step to the day after a time-boxed hold ends."""

    guard_name = "hold"
    guard_cases = (
        GuardCase(id="no-hold", context=make_guard_context(), expect="pass"),
        GuardCase(
            id="until-end",
            context=make_guard_context(
                events=[
                    HoldPlaced(
                        occurred_on=dt.date(2026, 2, 25),
                        debtor_id="debtor-1",
                        hold_id="h1",
                        scope=HoldScope.CASE,
                        reason="debtor in hospital",
                        start=dt.date(2026, 2, 25),
                        end=dt.date(2026, 3, 10),
                    )
                ]
            ),
            expect="postpone",
            until=dt.date(2026, 3, 11),
        ),
    )


class TestGuardContractCatchesBadGuards:
    """The guard contract fails a guard that vetoes where it should not, or lacks a veto case."""

    def test_always_vetoing_guard_fails(self) -> None:
        suite = TestDeceasedGuardContract()
        always = PolicyGuardSpec(
            code="deceased",
            check=lambda ctx: Verdict(reason=Reason(code="deceased", nl="x", en="x")),
            summary_en="always vetoes",
        )
        with pytest.raises(AssertionError, match="expected no veto"):
            suite.test_answers_as_expected(always, suite.guard_cases[0])

    def test_suite_without_a_veto_case_fails(self) -> None:
        class OnlyPasses(GuardContract):
            guard_cases = (GuardCase(id="p", context=make_guard_context(), expect="pass"),)

        with pytest.raises(AssertionError, match="vetoes"):
            OnlyPasses().test_cases_cover_a_pass_and_a_veto()

    def test_registry_from_plugins_equals_the_engine_builtins(self) -> None:
        plugins = make_plugin_manager(load_entrypoints=False, strict=True)
        assert plugins.guard_registry() == BUILTIN_GUARDS


class TestProtocolConformance:
    """The stock channels, the fakes and the listener satisfy the ports (checked by mypy --strict)."""

    def test_adapters_are_assignable_to_their_ports(self) -> None:
        channels: list[Channel] = [LettersChannel(), PhoneWorklistChannel(), FakeChannel()]
        recorder = RecordingListener()
        listener: EventListener = recorder
        event = DisputeOpened(occurred_on=_DAY, debtor_id="debtor-1", dispute_id="d")
        listener.on_event(event)
        assert [channel.name for channel in channels] == ["letters", "phone-worklist", "fake"]
        assert recorder.events == [event]
