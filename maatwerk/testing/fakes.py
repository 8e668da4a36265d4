"""Fakes for the plugin ports: an in-memory channel and a recording listener.

Both pass the contract suites themselves (``tests/integration/test_contract_stock.py``), so a
service test that uses them tests against the same promises a real adapter keeps.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Final

import attrs

from maatwerk.core.debtors import Debtor, HouseholdType
from maatwerk.core.debts import Case, Debt
from maatwerk.core.events import ActionKind, Event
from maatwerk.core.money import eur
from maatwerk.core.policy import (
    Anchor,
    CaseFile,
    GuardContext,
    Policy,
    PolicySettings,
    PolicyTables,
    Step,
    Timing,
    derive_state,
)
from maatwerk.core.ports import (
    PAYLOAD_AMOUNT,
    PAYLOAD_CREDITOR_NAME,
    PAYLOAD_CREDITOR_PHONE,
    PAYLOAD_DEBTOR_NAME,
    PAYLOAD_PHONE,
    DeliveryContext,
    DeliveryReceipt,
    OutboundAction,
    PayloadValue,
)
from maatwerk.plugins import hookimpl


__all__ = [
    "SAMPLE_SETTINGS",
    "FakeChannel",
    "RecordingListener",
    "make_action",
    "make_guard_context",
    "sample_payload",
]

#: Channel settings that satisfy the stock channels (fictitious creditor, valid test IBAN).
SAMPLE_SETTINGS: Final = {
    "creditor_name": "Zorgverzekeraar Voorbeeld",
    "creditor_phone": "088 000 00 00",
    "creditor_iban": "NL91ABNA0417164300",
    "creditor_bic": "ABNANL2A",
    "creditor_id": "NL00ZZZ999999990000",
}


def sample_payload(**overrides: PayloadValue) -> dict[str, PayloadValue]:
    """A payload with every well-known key filled with fictitious, valid values."""
    payload: dict[str, PayloadValue] = {
        PAYLOAD_DEBTOR_NAME: "A. Voorbeeld",
        PAYLOAD_AMOUNT: Decimal("123.45"),
        "pay_before": dt.date(2026, 3, 16),
        PAYLOAD_PHONE: "06 0000 0000",
        "address": ("Voorbeeldstraat 1", "1234 AB Voorbeeld"),
        "explanation": "two months in arrears; no contact yet",
        PAYLOAD_CREDITOR_NAME: SAMPLE_SETTINGS["creditor_name"],
        PAYLOAD_CREDITOR_PHONE: SAMPLE_SETTINGS["creditor_phone"],
        "reference": "KENMERK-0001",
        "arrears_months": 2,
        "collection_costs": Decimal("40.00"),
        "instalment_amount": Decimal("25.00"),
        "instalment_count": 5,
        "first_instalment_on": dt.date(2026, 3, 26),
    }
    payload.update(overrides)
    return payload


def make_action(
    action_id: str = "action-1",
    *,
    kind: str = "payment-reminder",
    channel: str = "fake",
    run_date: dt.date = dt.date(2026, 3, 2),
    debtor_id: str = "debtor-1",
    creditor_id: str = "creditor-1",
    debt_ids: Iterable[str] = ("debt-1",),
    due_date: dt.date | None = dt.date(2026, 2, 1),
    payload: dict[str, PayloadValue] | None = None,
) -> OutboundAction:
    """An :class:`OutboundAction` with sensible fictitious defaults (override what matters)."""
    return OutboundAction(
        action_id=action_id,
        kind=kind,
        channel=channel,
        debtor_id=debtor_id,
        creditor_id=creditor_id,
        run_date=run_date,
        debt_ids=tuple(debt_ids),
        due_date=due_date,
        payload=sample_payload() if payload is None else payload,
    )


@attrs.define(eq=False)
class FakeChannel:
    """An in-memory channel: delivers everything it may, once per action id.

    It refuses actions for another channel, actions whose kind is in ``refuse_kinds`` and
    actions without a ``debtor_name``; ``delivered`` maps action id to the action.
    """

    name: str = "fake"
    refuse_kinds: frozenset[str] = attrs.field(factory=frozenset, converter=frozenset)
    delivered: dict[str, OutboundAction] = attrs.field(factory=dict)
    calls: int = 0

    def deliver(
        self, actions: Sequence[OutboundAction], context: DeliveryContext
    ) -> list[DeliveryReceipt]:
        self.calls += 1
        receipts: list[DeliveryReceipt] = []
        for action in actions:
            if action.channel != self.name:
                reason = f"action is for channel {action.channel!r}"
                receipts.append(DeliveryReceipt.refused(action.action_id, reason))
            elif action.kind in self.refuse_kinds:
                reason = f"kind {action.kind!r} is refused"
                receipts.append(DeliveryReceipt.refused(action.action_id, reason))
            elif not action.payload.get(PAYLOAD_DEBTOR_NAME):
                reason = f"payload field {PAYLOAD_DEBTOR_NAME!r} is missing"
                receipts.append(DeliveryReceipt.refused(action.action_id, reason))
            else:
                if not context.dry_run:
                    self.delivered.setdefault(action.action_id, action)
                receipts.append(
                    DeliveryReceipt.delivered(action.action_id, f"fake:{action.action_id}")
                )
        return receipts


@attrs.define(eq=False)
class RecordingListener:
    """A listener plugin that keeps every event it hears (register it as a plugin)."""

    events: list[Event] = attrs.field(factory=list)

    @hookimpl
    def maatwerk_on_event(self, event: Event) -> None:
        self.events.append(event)

    def on_event(self, event: Event) -> None:
        """The :class:`~maatwerk.core.ports.EventListener` method (same as the hook)."""
        self.events.append(event)


def make_guard_context(
    *,
    today: dt.date = dt.date(2026, 3, 2),
    action: ActionKind = ActionKind.PAYMENT_REMINDER,
    events: Iterable[Event] = (),
    debtor: Debtor | None = None,
    debt: Debt | None = None,
    settings: PolicySettings | None = None,
    step: Step | None = None,
    tables: PolicyTables | None = None,
) -> GuardContext:
    """A :class:`GuardContext` for one debt of one debtor, for guard tests.

    Defaults: debtor ``debtor-1`` (single), one debt ``debt-1`` of EUR 250.00 due on
    1 January 2026, a one-step policy whose step takes ``action`` 30 days after the due date,
    and the given ``events`` (use ``debtor_id="debtor-1"``).
    """
    debtor = debtor or Debtor(
        debtor_id="debtor-1", name="A. Voorbeeld", household=HouseholdType.SINGLE
    )
    debt = debt or Debt(
        debt_id="debt-1",
        debtor_id=debtor.debtor_id,
        creditor_id="creditor-1",
        principal=eur("250.00"),
        due_date=dt.date(2026, 1, 1),
    )
    step = step or Step(
        id=f"contract-{action.value}",
        action=action,
        channel="fake",
        timing=Timing(anchor=Anchor.DUE_DATE, days=30),
    )
    policy = Policy(
        name="contract",
        version="1",
        settings=settings or PolicySettings(),
        steps=(step,),
    )
    case_file = CaseFile(
        debtor=debtor,
        case=Case(debtor_id=debtor.debtor_id, creditor_id=debt.creditor_id, debts=(debt,)),
        events=tuple(events),
    )
    return GuardContext(
        state=derive_state(case_file, today),
        policy=policy,
        step=step,
        debt=debt,
        tables=tables or PolicyTables(),
    )
