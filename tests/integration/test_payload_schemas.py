"""Every payload documented from one source: the schema per action kind, its page, its sample.

The schemas in ``maatwerk/adapters/channels/schemas/payloads/`` are rendered into
``docs/plugins/payloads.md`` (the page must be current), the contract kit's sample per kind
matches its schema, the real run's payloads match their schemas and have the samples' shape, and
a payload that breaks its schema is refused before the channel with the field named.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from run_helpers import bill, import_portfolio, single

from maatwerk.adapters.calendars import build_calendars
from maatwerk.adapters.legal_tables import load_bik_table
from maatwerk.adapters.payload_schemas import (
    DOCS_PAGE,
    as_json,
    documented_fields,
    payload_problems,
    payload_schema,
    render_markdown,
)
from maatwerk.adapters.policy_loader import load_policy, resolve_policy
from maatwerk.adapters.storage import SqlStore
from maatwerk.adapters.subsistence_tables import load_subsistence_tables
from maatwerk.core.events import ActionKind, ConsentScope, ContactChannel, ContactOutcome
from maatwerk.core.money import eur
from maatwerk.core.policy import PolicyTables
from maatwerk.core.ports import DeliveryContext, PayloadValue
from maatwerk.core.records import CaseKey, ImportRecord, OutboxEntry, OutboxItem, OutboxStatus
from maatwerk.plugins.manager import make_plugin_manager
from maatwerk.services import recording, review
from maatwerk.services.run import Dispatcher, PolicyCaseEvaluator, run_day
from maatwerk.services.run.before_delivery import refusal_before_delivery
from maatwerk.testing import SAMPLE_SETTINGS, sample_payload, sample_payload_for


ROOT = Path(__file__).resolve().parents[2]
KINDS = [kind.value for kind in ActionKind]
START = dt.date(2026, 3, 2)


class TestTheSchemas:
    def test_the_docs_page_is_rendered_from_the_schemas(self) -> None:
        page = (ROOT / DOCS_PAGE).read_text(encoding="utf-8")
        assert page == render_markdown(), (
            "docs/plugins/payloads.md is out of date: run "
            "`python -m maatwerk.adapters.payload_schemas docs/plugins/payloads.md`"
        )

    @pytest.mark.parametrize("kind", KINDS)
    def test_every_kind_has_a_versioned_schema_on_the_page(self, kind: str) -> None:
        schema = payload_schema(kind)
        assert schema["$id"].endswith(f"/payloads/{kind}.v1.json")
        assert f"## `{kind}` (`{kind}.v1.json`)" in render_markdown()

    @pytest.mark.parametrize("kind", KINDS)
    def test_the_kits_sample_matches_its_schema(self, kind: str) -> None:
        assert payload_problems(kind, sample_payload_for(kind)) == []

    def test_a_broken_payload_names_the_schema_and_the_field(self) -> None:
        claims = sample_payload_for("bailiff-handover")["claims"]
        assert isinstance(claims, tuple)
        assert isinstance(claims[0], Mapping)
        claim = {k: v for k, v in claims[0].items() if k != "debt_id"}
        payload = sample_payload_for("bailiff-handover", claims=(claim,), amount=True)
        assert payload_problems("bailiff-handover", payload) == [
            "bailiff-handover.v1.json: $.amount: expected string, got bool",
            "bailiff-handover.v1.json: $.claims[0]: missing required property 'debt_id'",
        ]
        assert payload_problems("bailiff-handover", {"debtor_name": "A"}) == [
            "bailiff-handover.v1.json: $: missing required property 'amount'",
            *(
                f"bailiff-handover.v1.json: $: missing required property {key!r}"
                for key in (
                    "claims",
                    "fourteen_day_letters",
                    "formal_demands",
                    "contact_attempts",
                    "active_arrangements",
                    "open_disputes",
                )
            ),
        ]

    def test_the_old_generic_sample_is_no_hand_over(self) -> None:
        """Why the kit has a sample per kind: the generic one lacks what a hand-over needs."""
        assert payload_problems("bailiff-handover", sample_payload())


class TestRefusedBeforeTheChannel:
    def test_a_payload_breaking_its_schema_is_refused_with_the_field(self) -> None:
        payload = sample_payload_for("early-signal", written_reminders=("yesterday",))
        entry = OutboxEntry(
            case=CaseKey("D1", "zorg"),
            run_date=START,
            step="signal",
            action="early-signal",
            channel="municipal",
            payload=payload,
        )
        item = OutboxItem(outbox_id=1, entry=entry, status=OutboxStatus.PENDING)
        reason = refusal_before_delivery(item, START, payload_problems)
        assert reason == (
            "payload does not match its schema (a bug, not the debtor's data): "
            "early-signal.v1.json: $.written_reminders[0]: 'yesterday' is not a valid date"
        )
        assert refusal_before_delivery(item, START, None) == ""  # no schema check: the law passes


# ------------------------------------------------------------------------------ the real run
def _shape(value: PayloadValue | object) -> Any:
    """The JSON shape of a payload value: records by key, lists by their first item."""
    if isinstance(value, Mapping):
        return {str(k): _shape(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [_shape(value[0])] if value else []
    if isinstance(value, Decimal):
        return "amount"
    if isinstance(value, dt.date):
        return "date"
    return type(as_json(value)).__name__


def _differences(real: Any, sample: Any, path: str) -> list[str]:
    """Where ``real`` has a field ``sample`` lacks or another type (absent or null: optional)."""
    if real == "NoneType" or sample == "NoneType":
        return []
    if isinstance(real, dict) and isinstance(sample, dict):
        found = [f"{path}.{k}: not in the sample" for k in real if k not in sample]
        for key in real.keys() & sample.keys():
            found.extend(_differences(real[key], sample[key], f"{path}.{key}"))
        return found
    if isinstance(real, list) and isinstance(sample, list):
        if real and sample:
            return _differences(real[0], sample[0], f"{path}[0]")
        return []
    return [] if real == sample else [f"{path}: the run builds {real}, the sample {sample}"]


class TestTheRealRunsPayloads:
    """A hundred days of the humane policy through the stock channels: every payload matches its
    schema and has the kit's sample's shape."""

    def test_payloads_match_schema_and_sample(self, store: SqlStore, tmp_path: Path) -> None:
        records: list[ImportRecord] = []
        for i in range(4):
            records.append(single(f"D{i}", f"Persoon {i}"))
            records.append(bill(f"B{i}", f"D{i}", "zorg", eur("400.00"), START, reference=f"F{i}"))
        import_portfolio(store, records)
        plugins = make_plugin_manager(load_entrypoints=False)
        policy = load_policy(resolve_policy("humane"), channels=[*plugins.channels(), "ledger"])
        evaluator = PolicyCaseEvaluator(
            policies={"humane": policy},
            tables=PolicyTables(calendars=build_calendars()),
            bik=load_bik_table(),
            subsistence=load_subsistence_tables(),
        )
        for i in range(2):
            for scope in (ConsentScope.EARLY_SIGNAL, ConsentScope.MUNICIPAL_REFERRAL):
                recording.add_consent(store, f"D{i}", scope=scope, on=START, by="medewerker")
        out = tmp_path / "out"
        for offset in range(100):
            day = START + dt.timedelta(days=offset)
            if offset == 17:
                for i in range(4):
                    recording.log_contact(
                        store,
                        f"D{i}",
                        channel=ContactChannel.PHONE,
                        outcome=ContactOutcome.CANT_PAY if i < 2 else ContactOutcome.NO_ANSWER,
                        note="",
                        on=day,
                        by="medewerker",
                    )
            dispatcher = Dispatcher(
                store=store,
                channel_for=plugins.channel,
                context=DeliveryContext(output_dir=out, run_date=day, settings=SAMPLE_SETTINGS),
                check_payload=payload_problems,
            )
            run_day(store, evaluator, day, dispatcher=dispatcher)
            for waiting in store.reviews():
                review.approve(store, waiting.review_id, by="controleur", on=day)
        items = store.outbox_items()
        assert [i for i in items if i.status is not OutboxStatus.DONE] == []
        seen = {i.entry.action for i in items}
        assert {"bailiff-handover", "early-signal", "debt-help-referral", "phone-call"} <= seen
        assert {"payment-reminder", "fourteen-day-letter", "arrangement-offer"} <= seen
        for item in items:
            kind, payload = item.entry.action, item.entry.payload
            assert payload_problems(kind, payload) == [], item.entry.step
            params = {k for k in payload if k not in documented_fields(kind)}
            assert all(isinstance(payload[k], str) for k in params), (kind, params)  # step params
            shape = {k: v for k, v in _shape(payload).items() if k not in params}
            assert _differences(shape, _shape(sample_payload_for(kind)), kind) == []
