"""The returns-import service on an in-memory ledger: collections, all-or-nothing, announcing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal

import pytest

from maatwerk.core.events import (
    DebtorFlagged,
    DisputeOpened,
    Event,
    PaymentReturned,
    ReturnReasonGroup,
)
from maatwerk.core.money import eur
from maatwerk.core.records import CaseKey, DeliveredItem, OutboxEntry, OutboxItem, OutboxStatus
from maatwerk.core.returns import ReturnedCollection, ReturnReaction, ReturnStage
from maatwerk.services.returns_import import (
    ReturnsRejectedError,
    import_returns,
    sent_collections,
)


RUN = dt.date(2026, 3, 25)
BOOKED = dt.date(2026, 3, 30)


def delivered(
    debtor: str, *, amount: str = "120.00", reference: str | None = None, outbox_id: int = 1
) -> DeliveredItem:
    entry = OutboxEntry(
        case=CaseKey(debtor, "zorg"),
        run_date=RUN,
        step="dd-retry",
        action="direct-debit-representation",
        channel="sepa-direct-debit",
        debt_ids=(f"B-{debtor}",),
        payload={
            "amount": Decimal(amount),
            "mandate_id": f"M-{debtor}",
            "collection_date": dt.date(2026, 3, 27),
        },
    )
    ref = reference if reference is not None else f"sepa-direct-debit/f.xml#E2E-{debtor}"
    item = OutboxItem(outbox_id=outbox_id, entry=entry, status=OutboxStatus.DONE)
    return DeliveredItem(item=item, reference=ref)


def returned(
    debtor: str, reason: str, group: ReturnReasonGroup, *, amount: str = "120.00"
) -> ReturnedCollection:
    return ReturnedCollection(
        end_to_end_id=f"E2E-{debtor}",
        mandate_id=f"M-{debtor}",
        amount=eur(amount),
        reason=reason,
        group=group,
        booking_date=BOOKED,
        stage=ReturnStage.RETURNED,
    )


class Ledger:
    """An in-memory ReturnsLedger; ``fail`` makes the write raise (a rolled-back transaction)."""

    def __init__(self, items: Sequence[DeliveredItem], *, fail: bool = False) -> None:
        self.items = list(items)
        self.fail = fail
        self.keys: dict[str, Event] = {}
        self.files: set[tuple[str, str]] = set()

    def delivered_items(self, *, actions: Iterable[str]) -> Sequence[DeliveredItem]:
        wanted = set(actions)
        return [i for i in self.items if i.item.entry.action in wanted]

    def record_keyed_events(
        self,
        events: Sequence[tuple[str, Event]],
        *,
        kind: str,
        file_name: str,
        file_sha256: str,
    ) -> tuple[tuple[str, Event], ...] | None:
        if self.fail:
            raise RuntimeError("database went away")
        if (kind, file_sha256) in self.files:
            return None
        new = [(k, e) for k, e in events if k not in self.keys]
        self.keys.update(new)
        self.files.add((kind, file_sha256))
        del file_name
        return tuple(new)


class Listener:
    def __init__(self) -> None:
        self.heard: list[Event] = []

    def on_event(self, event: Event) -> None:
        self.heard.append(event)


class TestSentCollections:
    """Only deliveries of the sepa-direct-debit channel with an EndToEndId count as sent."""

    def test_reference_and_payload(self) -> None:
        items = [
            delivered("D1"),
            delivered("D2", reference="letters/x.pdf#E2E-D2"),
            delivered("D3", reference="sepa-direct-debit/f.xml"),
        ]
        (sent,) = sent_collections(items)
        assert sent.end_to_end_id == "E2E-D1"
        assert sent.mandate_id == "M-D1"
        assert sent.amount == eur("120.00")
        assert sent.debt_id == "B-D1"
        assert sent.collection_date == dt.date(2026, 3, 27)


class TestImportReturns:
    """Each group gets its consequence; any mismatch records nothing; only writes are heard."""

    def test_reactions_per_group(self) -> None:
        ledger = Ledger([delivered(d, outbox_id=i) for i, d in enumerate(("D1", "D2", "D3"))])
        listener = Listener()
        result = import_returns(
            ledger,
            [
                returned("D1", "AM04", ReturnReasonGroup.COULD_NOT_PAY),
                returned("D2", "MD06", ReturnReasonGroup.REFUSED_OR_DISPUTED),
                returned("D3", "MD07", ReturnReasonGroup.DECEASED),
                returned("D1", "AM04", ReturnReasonGroup.COULD_NOT_PAY),  # listed twice
            ],
            file_name="camt.xml",
            file_sha256="a" * 64,
            received_on=BOOKED,
            listener=listener,
        )
        assert [r.reaction.reaction for r in result.returns] == [
            ReturnReaction.CONTACT_AND_OFFER_ARRANGEMENT,
            ReturnReaction.DISPUTE,
            ReturnReaction.STOP,
        ]
        assert result.duplicates == 1
        assert [type(e) for e in result.events] == [
            PaymentReturned,
            PaymentReturned,
            DisputeOpened,
            PaymentReturned,
            DebtorFlagged,
        ]
        assert listener.heard == list(result.events)
        again = import_returns(
            ledger,
            [returned("D1", "AM04", ReturnReasonGroup.COULD_NOT_PAY)],
            file_name="camt053.xml",
            file_sha256="b" * 64,
            received_on=BOOKED,
            listener=listener,
        )
        assert [r.new for r in again.returns] == [False]  # the same return, another file
        assert again.events == ()
        assert len(listener.heard) == 5

    def test_mismatch_records_nothing(self) -> None:
        ledger = Ledger([delivered("D1")])
        with pytest.raises(ReturnsRejectedError) as caught:
            import_returns(
                ledger,
                [
                    returned("D1", "AM04", ReturnReasonGroup.COULD_NOT_PAY, amount="99.00"),
                    returned("D9", "AM04", ReturnReasonGroup.COULD_NOT_PAY),
                ],
                file_name="camt.xml",
                file_sha256="a" * 64,
                received_on=BOOKED,
            )
        assert [e.location.field for e in caught.value.errors] == [
            "return[1].Amt",
            "return[2].EndToEndId",
        ]
        assert ledger.keys == {}

    def test_rolled_back_write_is_not_heard(self) -> None:
        listener = Listener()
        with pytest.raises(RuntimeError):
            import_returns(
                Ledger([delivered("D1")], fail=True),
                [returned("D1", "AM04", ReturnReasonGroup.COULD_NOT_PAY)],
                file_name="camt.xml",
                file_sha256="a" * 64,
                received_on=BOOKED,
                listener=listener,
            )
        assert listener.heard == []
