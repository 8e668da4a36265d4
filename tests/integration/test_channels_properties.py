"""Invariants of the stock file channels, for any batch split and any action ids."""

from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from maatwerk.adapters.channels._files import dutch_amount, safe_file_stem
from maatwerk.core.ports import DeliveryContext, DeliveryStatus, OutboundAction
from maatwerk.plugins.manager import make_plugin_manager
from maatwerk.testing import SAMPLE_SETTINGS, make_action, sample_payload
from maatwerk.testing.contracts import snapshot


RUN = dt.date(2026, 3, 2)
_PLUGINS = make_plugin_manager(load_entrypoints=False)
CHANNELS = {name: _PLUGINS.channel(name) for name in ("letters", "phone-worklist")}
FILES = settings(max_examples=60)
ids = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=40
).filter(str.strip)


def calls(action_ids: list[str]) -> list[OutboundAction]:
    return [
        make_action(
            action_id,
            kind="phone-call",
            channel="phone-worklist",
            payload=sample_payload(arrears_months=i % 4, amount=Decimal(10 + i)),
        )
        for i, action_id in enumerate(action_ids)
    ]


def deliver_in(name: str, batches: list[list[OutboundAction]], directory: Path) -> dict[str, bytes]:
    channel = CHANNELS[name]
    context = DeliveryContext(output_dir=directory, run_date=RUN, settings=SAMPLE_SETTINGS)
    for batch in batches:
        receipts = channel.deliver(batch, context)
        assert all(r.status is DeliveryStatus.DELIVERED for r in receipts)
    return snapshot(directory)


class TestWorklistSplitInvariance:
    """The day's work list is the same whether the calls arrive in one batch or in many."""

    @FILES
    @given(st.lists(ids, min_size=1, max_size=12, unique=True), st.data())
    def test_any_split_gives_the_same_file(
        self, action_ids: list[str], data: st.DataObject
    ) -> None:
        actions = calls(action_ids)
        cuts = sorted(data.draw(st.sets(st.integers(1, len(actions)), max_size=4)))
        batches = [actions[a:b] for a, b in zip([0, *cuts], [*cuts, len(actions)], strict=True)]
        with tempfile.TemporaryDirectory() as one, tempfile.TemporaryDirectory() as many:
            whole = deliver_in("phone-worklist", [actions], Path(one))
            split = deliver_in("phone-worklist", [b for b in batches if b], Path(many))
        assert whole == split


class TestLettersFileNames:
    """Every action id gets its own letter file; different ids never share one."""

    @FILES
    @given(st.lists(ids, min_size=2, max_size=8, unique=True))
    def test_one_file_per_action(self, action_ids: list[str]) -> None:
        actions = [make_action(i, kind="payment-reminder", channel="letters") for i in action_ids]
        with tempfile.TemporaryDirectory() as directory:
            files = deliver_in("letters", [actions], Path(directory))
        assert len(files) == len(action_ids)

    @given(ids, ids)
    def test_safe_stems_are_injective(self, first: str, second: str) -> None:
        if first != second:
            assert safe_file_stem(first) != safe_file_stem(second)


class TestDutchAmount:
    """Amounts are written the Dutch way with two decimals and dots between thousands."""

    @given(st.decimals(min_value=0, max_value=10**9, places=2))
    def test_round_trip(self, amount: Decimal) -> None:
        text = dutch_amount(amount)
        assert text.startswith("€ ")
        assert Decimal(text.removeprefix("€ ").replace(".", "").replace(",", ".")) == amount
