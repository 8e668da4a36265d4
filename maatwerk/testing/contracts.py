# ruff: noqa: S101  (a test suite asserts; pytest rewrites these asserts, see __init__.py)
"""Contract suites: the promises every channel, importer and guard must keep.

Subclass a suite in a ``Test*`` class and say which adapter to test; pytest collects the
inherited tests. The shortest form tests an adapter *as installed*, through the plugin
manager and its entry point (so the registration is tested too)::

    from maatwerk.testing import ChannelContract

    class TestSmsChannel(ChannelContract):
        channel_name = "sms"

Override the ``channel`` fixture to test an object directly, :meth:`ChannelContract.make_valid_action`
when your channel needs payload keys the sample payload lacks, and
:meth:`ChannelContract.make_invalid_action` to show an action your channel must refuse (return
``None`` if it accepts everything). Tests that have nothing to check for an adapter are
*skipped* with a reason, never passed silently.

The suites need the ``maatwerk`` pytest plugin, which maatwerk registers through the
``pytest11`` entry point (it parametrises the suites; see :mod:`maatwerk.testing.pytest_plugin`).
"""

from __future__ import annotations

import datetime as dt
import pathlib
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import ClassVar, Literal

import attrs
import pytest

from maatwerk.core.debt_settlement import (
    BalanceReply,
    BalanceRequest,
    ClaimBalance,
    HubMessage,
    HubReply,
    ProposalDecision,
    ProposalReply,
    SettlementProposal,
)
from maatwerk.core.errors import InputError
from maatwerk.core.events import ActionKind
from maatwerk.core.money import Money
from maatwerk.core.policy import GuardContext, Verdict
from maatwerk.core.policy.guards import GuardSpec as PolicyGuardSpec
from maatwerk.core.ports import (
    Channel,
    DebtSettlementHub,
    DeliveryContext,
    DeliveryReceipt,
    DeliveryStatus,
    Importer,
    OutboundAction,
    SettingsChecked,
)
from maatwerk.plugins.manager import STOCK_PLUGINS, MaatwerkPlugins, make_plugin_manager
from maatwerk.testing.fakes import SAMPLE_SETTINGS, make_action, sample_payload
from maatwerk.testing.recorder import SideEffectRecorder
from maatwerk.testing.samples import sample_payload_for


__all__ = [
    "BadInput",
    "ChannelContract",
    "DebtSettlementHubContract",
    "GuardCase",
    "GuardContract",
    "ImporterContract",
    "plugin_under_test",
    "snapshot",
]

RUN_DATE = dt.date(2026, 3, 2)


def snapshot(directory: pathlib.Path) -> dict[str, bytes]:
    """Every file under *directory* (relative POSIX path -> bytes)."""
    if not directory.exists():
        return {}
    return {
        path.relative_to(directory).as_posix(): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def plugin_under_test(kind: str, name: str, plugin_name: str = "") -> MaatwerkPlugins:
    """A strict plugin manager holding the stock plugins and only the plugin that provides the
    adapter *name* of *kind*, so an unrelated broken plugin installed next to it cannot fail
    its tests (and a problem in the plugin under test does).

    ``plugin_name``: its entry-point name; empty: found by loading every installed plugin once,
    leniently (broken ones are skipped).
    """
    if not plugin_name:
        everything = make_plugin_manager()
        owner = everything.provider(kind, name)
        if owner is None:
            broken = "; ".join(f"{b.name} ({b.error})" for b in everything.broken()) or "none"
            pytest.fail(
                f"no installed plugin provides the {kind} {name!r} (is your package installed, "
                f"with its entry point in the 'maatwerk' group?); broken plugins: {broken}"
            )
        plugin_name = owner
    only = () if plugin_name in STOCK_PLUGINS else (plugin_name,)
    return make_plugin_manager(strict=True, only=only)


# ============================================================================== channels
class ChannelContract:
    """The channel contract (see :class:`maatwerk.core.ports.Channel`).

    Class attributes: ``channel_name`` (the registered name), ``plugin_name`` (the entry-point
    name of the plugin under test; default: the one that provides ``channel_name``; the other
    installed plugins are not loaded), ``action_kinds`` (kinds to run the delivery tests for;
    default: the kinds the channel's record declares, else ``payment-reminder``),
    ``settings`` (``DeliveryContext.settings``).

    Channels that call other systems: ``external_calls = True`` says every delivered action
    makes at least one changing call, reported to ``context.side_effects``
    (:class:`~maatwerk.core.ports.SideEffects`); the suite then fails the channel when it
    reports none. Whatever a channel reports is checked: nothing changing during a dry run,
    an idempotency key on every changing call, no call twice in one delivery, and nothing sent
    again when the same actions are delivered again, unless ``idempotency_keys_honoured = True``
    (the other side drops a request whose key it has seen): then only under the same keys.
    """

    channel_name: ClassVar[str] = ""
    plugin_name: ClassVar[str] = ""
    action_kinds: ClassVar[tuple[str, ...]] = ()
    settings: ClassVar[Mapping[str, str]] = SAMPLE_SETTINGS
    external_calls: ClassVar[bool] = False
    idempotency_keys_honoured: ClassVar[bool] = False

    # ------------------------------------------------------------------ overridable
    @pytest.fixture
    def channel(self) -> Channel:
        """The channel under test (default: built by name through the plugin manager)."""
        if not self.channel_name:
            pytest.fail("set channel_name on the contract class or override the channel fixture")
        plugins = plugin_under_test("channel", self.channel_name, self.plugin_name)
        return plugins.channel(self.channel_name)

    def make_valid_action(self, action_id: str, kind: str, channel: str) -> OutboundAction:
        """An action the channel must deliver: the kit's valid sample for ``kind``
        (:func:`~maatwerk.testing.samples.sample_payload_for`), or for a kind maatwerk does not
        know :func:`~maatwerk.testing.fakes.sample_payload`."""
        known = kind in {k.value for k in ActionKind}
        payload = sample_payload_for(kind) if known else sample_payload()
        return make_action(
            action_id, kind=kind, channel=channel, run_date=RUN_DATE, payload=payload
        )

    def make_invalid_action(self, action_id: str, kind: str, channel: str) -> OutboundAction | None:
        """An action the channel must refuse (default: an empty payload)."""
        return make_action(action_id, kind=kind, channel=channel, run_date=RUN_DATE, payload={})

    # ------------------------------------------------------------------ helpers
    @pytest.fixture
    def output_dir(self, tmp_path: pathlib.Path) -> pathlib.Path:
        return tmp_path / "out"

    def context(
        self,
        output_dir: pathlib.Path,
        *,
        dry_run: bool = False,
        recorder: SideEffectRecorder | None = None,
    ) -> DeliveryContext:
        return DeliveryContext(
            output_dir=output_dir,
            run_date=RUN_DATE,
            settings=self.settings,
            dry_run=dry_run,
            side_effects=recorder if recorder is not None else SideEffectRecorder(),
        )

    def check_calls(
        self,
        recorder: SideEffectRecorder,
        since: int = 0,
        *,
        repeat_of: set[str] | None = None,
    ) -> None:
        """The calls reported since position ``since`` (one delivery) break no promise."""
        problems = recorder.problems(
            since, repeat_of=repeat_of, keys_honoured=self.idempotency_keys_honoured
        )
        assert not problems, "; ".join(problems)

    def batch(self, channel: Channel, kind: str, size: int) -> list[OutboundAction]:
        return [
            self.make_valid_action(f"contract-{kind}-{i}", kind, channel.name) for i in range(size)
        ]

    @staticmethod
    def check_receipts(
        actions: Sequence[OutboundAction], receipts: Sequence[DeliveryReceipt]
    ) -> None:
        assert all(isinstance(r, DeliveryReceipt) for r in receipts), receipts
        assert [r.action_id for r in receipts] == [a.action_id for a in actions], (
            "one receipt per action, with the action's id, in input order"
        )

    # ------------------------------------------------------------------ the contract
    def test_name_is_the_registered_name(self, channel: Channel) -> None:
        assert isinstance(channel.name, str)
        assert channel.name.strip()
        if self.channel_name:
            assert channel.name == self.channel_name

    def test_settings_problems_are_sentences_and_none_for_the_test_settings(
        self, channel: Channel
    ) -> None:
        """The optional ``settings_problems`` (:class:`~maatwerk.core.ports.SettingsChecked`)."""
        if not isinstance(channel, SettingsChecked):
            pytest.skip("this channel does not check its settings (no settings_problems)")
        assert list(channel.settings_problems(self.settings)) == [], (
            "the contract's settings (the class attribute `settings`) must satisfy the channel"
        )
        for problem in channel.settings_problems({}):
            assert isinstance(problem, str)
            assert problem.strip()

    def test_empty_batch_does_nothing(self, channel: Channel, output_dir: pathlib.Path) -> None:
        assert list(channel.deliver([], self.context(output_dir))) == []
        assert snapshot(output_dir) == {}

    @pytest.mark.parametrize("size", [1, 3])
    def test_delivers_valid_actions_one_receipt_each(
        self,
        channel: Channel,
        output_dir: pathlib.Path,
        contract_action_kind: str,
        size: int,
    ) -> None:
        actions = self.batch(channel, contract_action_kind, size)
        recorder = SideEffectRecorder()
        receipts = channel.deliver(actions, self.context(output_dir, recorder=recorder))
        self.check_receipts(actions, receipts)
        refused = [r for r in receipts if r.status is not DeliveryStatus.DELIVERED]
        assert not refused, f"valid actions were not delivered: {refused}"
        self.check_calls(recorder)
        if self.external_calls:
            assert len(recorder.keys()) >= size, (
                f"{size} action(s) delivered, but {len(recorder.keys())} changing call(s) with "
                "an idempotency key were reported to context.side_effects"
            )

    def test_writes_only_under_its_own_directory(
        self, channel: Channel, output_dir: pathlib.Path, contract_action_kind: str
    ) -> None:
        channel.deliver(self.batch(channel, contract_action_kind, 2), self.context(output_dir))
        outside = [name for name in snapshot(output_dir) if not name.startswith(f"{channel.name}/")]
        assert not outside, f"files outside {channel.name}/: {outside}"

    def test_same_action_twice_gives_same_outcome_and_no_second_copy(
        self, channel: Channel, output_dir: pathlib.Path, contract_action_kind: str
    ) -> None:
        actions = self.batch(channel, contract_action_kind, 2)
        recorder = SideEffectRecorder()
        first = channel.deliver(actions, self.context(output_dir, recorder=recorder))
        after_first = snapshot(output_dir)
        self.check_calls(recorder)
        sent, mark = recorder.keys(), len(recorder.calls)
        second = channel.deliver(actions, self.context(output_dir, recorder=recorder))
        self.check_receipts(actions, second)
        assert [r.status for r in second] == [r.status for r in first]
        assert snapshot(output_dir) == after_first, "a repeated delivery changed the output"
        self.check_calls(recorder, mark, repeat_of=sent)

    def test_repeating_part_of_a_batch_adds_nothing(
        self, channel: Channel, output_dir: pathlib.Path, contract_action_kind: str
    ) -> None:
        actions = self.batch(channel, contract_action_kind, 3)
        recorder = SideEffectRecorder()
        channel.deliver(actions, self.context(output_dir, recorder=recorder))
        after_all = snapshot(output_dir)
        sent, mark = recorder.keys(), len(recorder.calls)
        receipts = channel.deliver(actions[1:2], self.context(output_dir, recorder=recorder))
        self.check_receipts(actions[1:2], receipts)
        assert snapshot(output_dir) == after_all
        self.check_calls(recorder, mark, repeat_of=sent)

    def test_dry_run_writes_nothing_and_answers_the_same(
        self, channel: Channel, output_dir: pathlib.Path, contract_action_kind: str
    ) -> None:
        actions = self.batch(channel, contract_action_kind, 2)
        recorder = SideEffectRecorder()
        dry = channel.deliver(actions, self.context(output_dir, dry_run=True, recorder=recorder))
        self.check_receipts(actions, dry)
        assert snapshot(output_dir) == {}
        changed = [f"{c.method} {c.target}" for c in recorder.changing()]
        assert not changed, f"a dry run sent: {', '.join(changed)}"
        real = channel.deliver(actions, self.context(output_dir))
        assert [r.status for r in dry] == [r.status for r in real]

    def test_refuses_bad_action_with_a_reason_and_delivers_the_rest(
        self, channel: Channel, output_dir: pathlib.Path, contract_action_kind: str
    ) -> None:
        bad = self.make_invalid_action("contract-bad", contract_action_kind, channel.name)
        if bad is None:
            pytest.skip("this channel declares that it refuses no well-formed action")
        good = self.make_valid_action("contract-good", contract_action_kind, channel.name)
        receipts = channel.deliver([bad, good], self.context(output_dir))
        self.check_receipts([bad, good], receipts)
        assert receipts[0].status is DeliveryStatus.REFUSED
        assert receipts[0].reason.strip()
        assert receipts[1].status is DeliveryStatus.DELIVERED

    def test_refuses_action_meant_for_another_channel(
        self, channel: Channel, output_dir: pathlib.Path, contract_action_kind: str
    ) -> None:
        other = self.make_valid_action(
            "contract-other", contract_action_kind, f"{channel.name}-other"
        )
        receipts = channel.deliver([other], self.context(output_dir))
        self.check_receipts([other], receipts)
        assert receipts[0].status is DeliveryStatus.REFUSED
        assert receipts[0].reason.strip()
        assert snapshot(output_dir) == {}

    def test_receipts_carry_no_personal_data(
        self, channel: Channel, output_dir: pathlib.Path, contract_action_kind: str
    ) -> None:
        actions = self.batch(channel, contract_action_kind, 1)
        receipts = channel.deliver(actions, self.context(output_dir))
        personal = [
            value
            for key in ("debtor_name", "phone", "iban")
            if isinstance(value := actions[0].payload.get(key), str) and value
        ]
        for receipt in receipts:
            for value in personal:
                assert value not in receipt.reference
                assert value not in receipt.reason


# ============================================================================== importers
@attrs.frozen(kw_only=True)
class BadInput:
    """A file an importer must reject, and where the error must point."""

    id: str
    content: bytes
    line: int | None = None
    field: str | None = None


class ImporterContract:
    """The importer contract (see :class:`maatwerk.core.ports.Importer`).

    Class attributes: ``importer_name`` (the registered name), ``good_input`` (bytes of a
    valid file), ``good_suffix`` (its file suffix), ``expected_records`` (how many records it
    holds, or ``None``), ``bad_inputs`` (:class:`BadInput` cases; each becomes a test).
    """

    importer_name: ClassVar[str] = ""
    plugin_name: ClassVar[str] = ""
    good_input: ClassVar[bytes] = b""
    good_suffix: ClassVar[str] = ".txt"
    expected_records: ClassVar[int | None] = None
    bad_inputs: ClassVar[Sequence[BadInput]] = ()

    @pytest.fixture
    def importer(self) -> Importer[object]:
        """The importer under test (default: built by name through the plugin manager)."""
        if not self.importer_name:
            pytest.fail("set importer_name on the contract class or override the importer fixture")
        plugins = plugin_under_test("importer", self.importer_name, self.plugin_name)
        return plugins.importer(self.importer_name)

    def write(self, directory: pathlib.Path, content: bytes, stem: str = "input") -> pathlib.Path:
        path = directory / f"{stem}{self.good_suffix}"
        path.write_bytes(content)
        return path

    @staticmethod
    def check_location(error: InputError, path: pathlib.Path) -> None:
        file = error.location.file
        assert file is not None, f"the error does not name the file: {error}"
        assert path.name in file, f"the error names {file!r}, not {path.name!r}"

    def test_name_is_the_registered_name(self, importer: Importer[object]) -> None:
        assert isinstance(importer.name, str)
        assert importer.name.strip()
        if self.importer_name:
            assert importer.name == self.importer_name

    def test_reads_the_good_file(self, importer: Importer[object], tmp_path: pathlib.Path) -> None:
        if not self.good_input:
            pytest.fail("set good_input (the bytes of a valid file) on the contract class")
        records = list(importer.read(self.write(tmp_path, self.good_input)))
        assert records, "a valid file gave no records"
        if self.expected_records is not None:
            assert len(records) == self.expected_records

    def test_reading_twice_gives_equal_records(
        self, importer: Importer[object], tmp_path: pathlib.Path
    ) -> None:
        path = self.write(tmp_path, self.good_input)
        assert list(importer.read(path)) == list(importer.read(path))

    def test_missing_file_is_an_input_error_naming_it(
        self, importer: Importer[object], tmp_path: pathlib.Path
    ) -> None:
        path = tmp_path / f"absent{self.good_suffix}"
        with pytest.raises(InputError) as caught:
            list(importer.read(path))
        self.check_location(caught.value, path)

    @pytest.mark.parametrize(
        "content",
        [b"", b"\x00\xff\xfe\x00 not a file of this kind \x81\x82", b"<<<>>>\n;;;\n"],
        ids=["empty", "binary-garbage", "wrong-format"],
    )
    def test_garbage_is_an_input_error_or_nothing(
        self, importer: Importer[object], tmp_path: pathlib.Path, content: bytes
    ) -> None:
        path = self.write(tmp_path, content, stem="garbage")
        try:
            records = list(importer.read(path))
        except InputError as error:
            self.check_location(error, path)
        else:
            assert records == [], "garbage was read as records"

    def test_bad_input_is_an_input_error_with_its_location(
        self, importer: Importer[object], tmp_path: pathlib.Path, contract_bad_input: BadInput
    ) -> None:
        path = self.write(tmp_path, contract_bad_input.content, stem=contract_bad_input.id)
        with pytest.raises(InputError) as caught:
            list(importer.read(path))
        self.check_location(caught.value, path)
        if contract_bad_input.line is not None:
            assert caught.value.location.line == contract_bad_input.line
        if contract_bad_input.field is not None:
            assert caught.value.location.field == contract_bad_input.field


# ============================================================================== guards
@attrs.frozen(kw_only=True)
class GuardCase:
    """One situation for a guard and what it must answer there.

    ``expect``: ``"pass"`` (the step may go ahead: ``None``), ``"block"`` (a verdict without
    ``until``) or ``"postpone"`` (a verdict with ``until`` after today; equal to ``until`` here
    when given). Build ``context`` with :func:`maatwerk.testing.make_guard_context`.
    """

    id: str
    context: GuardContext
    expect: Literal["pass", "block", "postpone"]
    until: dt.date | None = None


class GuardContract:
    """The guard contract (see :mod:`maatwerk.core.policy.guards`).

    Class attributes: ``guard_name`` (the registered name) and ``guard_cases``
    (:class:`GuardCase` values; each becomes a test). The cases must include at least one
    situation where the guard lets the step pass and one where it vetoes it, so a guard that
    always or never vetoes fails the contract.
    """

    guard_name: ClassVar[str] = ""
    plugin_name: ClassVar[str] = ""
    guard_cases: ClassVar[Sequence[GuardCase]] = ()

    @pytest.fixture
    def guard(self) -> PolicyGuardSpec:
        """The guard under test (default: built by name through the plugin manager)."""
        if not self.guard_name:
            pytest.fail("set guard_name on the contract class or override the guard fixture")
        plugins = plugin_under_test("guard", self.guard_name, self.plugin_name)
        return plugins.guard(self.guard_name)

    def test_code_is_the_registered_name_and_it_is_described(self, guard: PolicyGuardSpec) -> None:
        assert guard.code.strip()
        if self.guard_name:
            assert guard.code == self.guard_name
        assert (guard.summary_nl or guard.summary_en).strip(), "give the guard a summary"

    def test_cases_cover_a_pass_and_a_veto(self) -> None:
        expectations = {case.expect for case in self.guard_cases}
        assert "pass" in expectations, "add a GuardCase where the step may go ahead"
        assert expectations & {"block", "postpone"}, "add a GuardCase where the guard vetoes"

    def test_answers_as_expected(
        self, guard: PolicyGuardSpec, contract_guard_case: GuardCase
    ) -> None:
        case = contract_guard_case
        verdict = guard.check(case.context)
        if case.expect == "pass":
            assert verdict is None, f"expected no veto, got {verdict}"
            return
        assert isinstance(verdict, Verdict), f"expected a veto, got {verdict!r}"
        assert verdict.reason.code == guard.code
        assert verdict.reason.nl.strip()
        assert verdict.reason.en.strip()
        if case.expect == "block":
            assert verdict.until is None, f"expected a block, got a postponement to {verdict.until}"
        else:
            assert verdict.until is not None, "expected a postponement, got a block"
            assert verdict.until > case.context.today
            if case.until is not None:
                assert verdict.until == case.until

    def test_is_deterministic(self, guard: PolicyGuardSpec, contract_guard_case: GuardCase) -> None:
        context = contract_guard_case.context
        assert guard.check(context) == guard.check(context)


# ============================================================================== Schuldenknooppunt
def sample_hub_messages() -> tuple[HubMessage, ...]:
    """A balance request and a settlement proposal, as debt help would send them."""
    return (
        BalanceRequest(
            message_id="contract-saldo-1",
            debtor_id="D-contract",
            as_of=RUN_DATE,
            counsellor="Gemeente Voorbeeld",
        ),
        SettlementProposal(
            message_id="contract-voorstel-1",
            debtor_id="D-contract",
            proposed_on=RUN_DATE,
            percentage=Decimal("35.5"),
            pay_by=RUN_DATE + dt.timedelta(days=30),
            term_months=0,
            counsellor="Gemeente Voorbeeld",
        ),
    )


def sample_hub_replies() -> tuple[HubReply, ...]:
    """A balance reply and an acceptance."""
    return (
        BalanceReply(
            message_id="contract-saldo-1-antwoord",
            in_reply_to="contract-saldo-1",
            debtor_id="D-contract",
            as_of=RUN_DATE,
            claims=(
                ClaimBalance(
                    debt_id="debt-1",
                    creditor_id="C1",
                    reference="INV-1",
                    category="premium",
                    due_date=RUN_DATE - dt.timedelta(days=60),
                    principal=Money("150.00"),
                    interest=Money("1.20"),
                    costs=Money("40.00"),
                ),
            ),
        ),
        ProposalReply(
            message_id="contract-voorstel-1-antwoord",
            in_reply_to="contract-voorstel-1",
            debtor_id="D-contract",
            decision=ProposalDecision.ACCEPTED,
            decided_on=RUN_DATE,
            claim_total=Money("191.20"),
            amount=Money("67.88"),
            pay_by=RUN_DATE + dt.timedelta(days=30),
        ),
    )


class DebtSettlementHubContract:
    """The Schuldenknooppunt port's contract (see :class:`maatwerk.core.ports.DebtSettlementHub`).

    Override the ``hub`` fixture (a hub on an empty test mailbox), :meth:`put_message` (make
    debt help's side deliver a message: the stand-in writes a file, a real adapter uses the
    hub's test tool) and :meth:`put_bad_message` (deliver a message the hub must refuse and
    return the field the error must name; ``None`` when the hub cannot be given bad input).
    """

    @pytest.fixture
    def hub(self) -> DebtSettlementHub:
        pytest.fail("override the hub fixture with a hub on an empty test mailbox")

    def put_message(self, hub: DebtSettlementHub, message: HubMessage) -> None:  # noqa: ARG002
        pytest.fail("override put_message: deliver one message to the hub's test mailbox")

    def put_bad_message(self, hub: DebtSettlementHub) -> str | None:  # noqa: ARG002
        return None

    def test_name(self, hub: DebtSettlementHub) -> None:
        assert isinstance(hub.name, str)
        assert hub.name.strip()

    def test_nothing_waiting_gives_no_messages(self, hub: DebtSettlementHub) -> None:
        assert list(hub.receive()) == []

    def test_receives_what_debt_help_sent(self, hub: DebtSettlementHub) -> None:
        sent = sample_hub_messages()
        for message in sent:
            self.put_message(hub, message)
        received = list(hub.receive())
        assert sorted(received, key=lambda m: m.message_id) == sorted(
            sent, key=lambda m: m.message_id
        )

    def test_receiving_again_gives_equal_messages(self, hub: DebtSettlementHub) -> None:
        for message in sample_hub_messages():
            self.put_message(hub, message)
        assert list(hub.receive()) == list(hub.receive())

    def test_a_bad_message_refuses_all_naming_the_field(self, hub: DebtSettlementHub) -> None:
        self.put_message(hub, sample_hub_messages()[0])
        field = self.put_bad_message(hub)
        if field is None:
            pytest.skip("this hub cannot be given a bad message")
        with pytest.raises(InputError) as caught:
            hub.receive()
        assert caught.value.location.file, "the error does not name the message"
        assert caught.value.location.field == field

    def test_send_gives_one_reference_per_reply_in_order(self, hub: DebtSettlementHub) -> None:
        replies = sample_hub_replies()
        references = list(hub.send(replies))
        assert len(references) == len(replies)
        assert all(r.strip() for r in references)
        assert len(set(references)) == len(references)

    def test_sending_again_gives_the_same_reference(self, hub: DebtSettlementHub) -> None:
        replies = sample_hub_replies()
        first = list(hub.send(replies))
        assert list(hub.send(replies[1:])) == first[1:]
        assert list(hub.send(replies)) == first

    def test_sending_nothing_gives_nothing(self, hub: DebtSettlementHub) -> None:
        assert list(hub.send([])) == []

    def test_references_carry_no_debtor_id(self, hub: DebtSettlementHub) -> None:
        for reference in hub.send(sample_hub_replies()):
            assert "D-contract" not in reference
