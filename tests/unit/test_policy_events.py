"""Domain events: the registry and the generic record round trip the storage relies on."""

from __future__ import annotations

import datetime as dt

import pytest

from maatwerk.core import events as events_module
from maatwerk.core.events import (
    EVENT_TYPES,
    ActionKind,
    ArrangementOffered,
    ContactAttempt,
    ContactChannel,
    ContactOutcome,
    Event,
    FourteenDayLetterSent,
    HoldPlaced,
    HoldScope,
    PaymentReturned,
    ReturnReasonGroup,
    StepTaken,
    event_class,
    event_from_record,
    event_to_record,
    sort_events,
)
from maatwerk.core.money import eur


D = dt.date(2026, 3, 2)

SAMPLES: list[Event] = [
    StepTaken(
        occurred_on=D,
        debtor_id="p1",
        step_id="reminder-1",
        action=ActionKind.PAYMENT_REMINDER,
        channel="letter",
        debt_ids=("d1", "d2"),
        policy="humane@1",
    ),
    ContactAttempt(
        occurred_on=D,
        debtor_id="p1",
        channel=ContactChannel.PHONE,
        outcome=ContactOutcome.NO_ANSWER,
        recorded_by="agent-7",
    ),
    HoldPlaced(
        occurred_on=D,
        debtor_id="p1",
        debt_id="d1",
        hold_id="h1",
        scope=HoldScope.DEBT,
        reason="dispute",
        start=D,
        end=None,
    ),
    ArrangementOffered(
        occurred_on=D,
        debtor_id="p1",
        arrangement_id="a1",
        instalment=eur("45.50"),
        instalments=12,
        respond_by=D + dt.timedelta(days=28),
    ),
    PaymentReturned(
        occurred_on=D, debtor_id="p1", reason_code="AM04", group=ReturnReasonGroup.COULD_NOT_PAY
    ),
    FourteenDayLetterSent(
        occurred_on=D,
        debtor_id="p1",
        stated_costs=eur("40.00"),
        sent_on=D,
        received_on=D + dt.timedelta(days=2),
        debt_ids=("d1",),
    ),
]


class TestEventRegistry:
    """Every event class has a unique kind, found again by its kind string."""

    def test_kinds_are_unique_and_registered(self) -> None:
        classes = [
            c
            for c in vars(events_module).values()
            if isinstance(c, type) and issubclass(c, Event) and "KIND" in vars(c) and c is not Event
        ]
        assert len(EVENT_TYPES) == len(classes)
        for cls in classes:
            assert event_class(cls.KIND) is cls

    def test_a_family_base_is_no_kind(self) -> None:
        """A base that only shares fields (no KIND of its own) is not registered."""
        assert events_module.ArrangementEvent not in EVENT_TYPES.values()
        assert issubclass(events_module.ArrangementAccepted, events_module.ArrangementEvent)

    def test_a_kind_declared_twice_is_refused(self) -> None:
        import attrs

        with pytest.raises(TypeError, match="step-taken"):

            @attrs.frozen(kw_only=True)
            class Again(Event):
                KIND = "step-taken"

    def test_unknown_kind_names_the_known_ones(self) -> None:
        with pytest.raises(KeyError, match="step-taken"):
            event_class("no-such-kind")


class TestEventRecords:
    """An event survives the trip to a JSON-able record and back unchanged."""

    @pytest.mark.parametrize("event", SAMPLES, ids=lambda e: e.kind)
    def test_round_trip(self, event: Event) -> None:
        record = event_to_record(event)
        assert record["kind"] == event.kind
        assert event_from_record(record) == event

    def test_money_and_dates_are_plain(self) -> None:
        record = event_to_record(SAMPLES[-1])
        assert record["stated_costs"] == {"amount": "40.00", "currency": "EUR"}
        assert record["received_on"] == "2026-03-04"
        assert record["debt_ids"] == ["d1"]

    def test_unknown_field_is_refused(self) -> None:
        record = event_to_record(SAMPLES[0]) | {"colour": "red"}
        with pytest.raises(ValueError, match="colour"):
            event_from_record(record)

    def test_sort_is_by_date_and_stable(self) -> None:
        later = StepTaken(
            occurred_on=D + dt.timedelta(days=1),
            debtor_id="p1",
            step_id="x",
            action=ActionKind.CLOSE,
            channel="none",
        )
        assert sort_events([later, SAMPLES[1], SAMPLES[0]]) == (SAMPLES[1], SAMPLES[0], later)
