"""Accepting an offer takes exactly the offered terms (SQLite, PostgreSQL): the latest open
offer when none is named; an answered, replaced or lapsed offer is refused, naming why; a
delivered offer letter records the offer its payload states."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import attrs
import pytest
from run_helpers import bill, import_portfolio, single

from maatwerk.adapters.storage import SqlStore
from maatwerk.core.arrangements import PaymentMethod
from maatwerk.core.errors import InputError
from maatwerk.core.events import ArrangementOffered, ArrangementRejected
from maatwerk.core.money import eur
from maatwerk.services import recording
from maatwerk.services.payloads import offer_from_letter


ON = dt.date(2026, 4, 1)


def _offer(ident: str, on: dt.date, *, debt: str = "B1", **more: Any) -> ArrangementOffered:
    schedule = ((dt.date(2026, 5, 26), eur("100.00")), (dt.date(2026, 6, 26), eur("50.00")))
    offer = ArrangementOffered(
        occurred_on=on,
        debtor_id="D1",
        recorded_by="letters",
        arrangement_id=ident,
        debt_ids=(debt,),
        instalment=eur("100.00"),
        instalments=2,
        respond_by=on + dt.timedelta(days=14),
        schedule=schedule,
        method=PaymentMethod.TRANSFER,
        payday=25,
        tolerated_missed=1,
        settle_days=3,
    )
    return attrs.evolve(offer, **more)


@pytest.fixture
def filled(store: SqlStore) -> SqlStore:
    import_portfolio(
        store,
        [
            single("D1", "Person 1"),
            bill("B1", "D1", "zorg", eur("150.00"), dt.date(2026, 2, 1)),
            bill("G1", "D1", "gemeente", eur("80.00"), dt.date(2026, 2, 1)),
        ],
    )
    return store


class TestAccept:
    def test_latest_open_offer_accepted_with_its_terms(self, filled: SqlStore) -> None:
        offer = _offer("D1:zorg:2026-04-01", ON, debit_day=26, grace_days=10)
        filled.append([offer])
        accepted = recording.accept_arrangement(filled, "D1", on=ON + dt.timedelta(days=3), by="a")
        assert accepted.arrangement_id == offer.arrangement_id
        assert accepted.schedule == offer.schedule
        assert accepted.method is PaymentMethod.TRANSFER
        assert (accepted.debit_day, accepted.payday) == (26, 25)
        assert (accepted.tolerated_missed, accepted.grace_days, accepted.settle_days) == (1, 10, 3)

    def test_replaced_offer_refused_and_latest_taken(self, filled: SqlStore) -> None:
        first = _offer("D1:zorg:2026-04-01", ON)
        later = _offer("D1:zorg:2026-04-03", ON + dt.timedelta(days=2), instalment=eur("75.00"))
        filled.append([first, later])
        with pytest.raises(InputError, match="later offer replaced it: D1:zorg:2026-04-03"):
            recording.accept_arrangement(
                filled, "D1", first.arrangement_id, on=ON + dt.timedelta(days=3), by="a"
            )
        accepted = recording.accept_arrangement(filled, "D1", on=ON + dt.timedelta(days=3), by="a")
        assert accepted.arrangement_id == later.arrangement_id

    def test_lapsed_declined_and_missing_offers_refused(self, filled: SqlStore) -> None:
        with pytest.raises(InputError, match="there is no offer to accept"):
            recording.accept_arrangement(filled, "D1", on=ON, by="a")
        offer = _offer("D1:zorg:2026-04-01", ON)
        filled.append([offer])
        with pytest.raises(InputError, match="time to answer ended on 2026-04-15"):
            recording.accept_arrangement(filled, "D1", on=dt.date(2026, 4, 16), by="a")
        assert recording.open_offer(filled, "D1", creditor_id="zorg", on=ON) == offer
        filled.append(
            [
                ArrangementRejected(
                    occurred_on=ON, debtor_id="D1", recorded_by="a",
                    arrangement_id=offer.arrangement_id,
                )
            ]
        )  # fmt: skip
        with pytest.raises(InputError, match="declined on 2026-04-01"):
            recording.accept_arrangement(filled, "D1", offer.arrangement_id, on=ON, by="a")
        assert recording.open_offer(filled, "D1", creditor_id="zorg", on=ON) is None

    def test_a_plan_whose_first_date_passed_is_refused(self, filled: SqlStore) -> None:
        # e.g. an offer letter that went out late: accepted now, the plan would start in arrears
        late = _offer("D1:zorg:2026-04-01", ON, respond_by=dt.date(2026, 6, 1))
        filled.append([late])
        with pytest.raises(InputError, match="first instalment date 2026-05-26 has passed"):
            recording.accept_arrangement(filled, "D1", on=dt.date(2026, 5, 27), by="a")
        accepted = recording.accept_arrangement(filled, "D1", on=dt.date(2026, 5, 26), by="a")
        assert accepted.schedule == late.schedule

    def test_offers_at_two_creditors_need_the_creditor(self, filled: SqlStore) -> None:
        zorg = _offer("D1:zorg:2026-04-01", ON)
        gemeente = _offer("D1:gemeente:2026-04-01", ON, debt="G1")
        filled.append([zorg, gemeente])
        with pytest.raises(InputError, match="open offers at gemeente, zorg"):
            recording.accept_arrangement(filled, "D1", on=ON, by="a")
        accepted = recording.accept_arrangement(filled, "D1", on=ON, by="a", creditor_id="zorg")
        assert accepted.arrangement_id == zorg.arrangement_id
        # an offer at the other creditor does not replace this one
        accepted = recording.accept_arrangement(filled, "D1", on=ON, by="a")
        assert accepted.arrangement_id == gemeente.arrangement_id


class TestOfferFromLetter:
    def test_letter_payload_becomes_the_offer(self) -> None:
        payload: dict[str, object] = {
            "instalment_amount": Decimal("100.00"),
            "instalment_count": 2,
            "payment_method": "direct-debit",
            "offer_arrangement_id": "D1:zorg:2026-04-01",
            "offer_schedule": (
                {"due_date": dt.date(2026, 5, 8), "amount": Decimal("100.00")},
                {"due_date": dt.date(2026, 6, 8), "amount": Decimal("50.00")},
            ),
            "debit_day": 8,
            "payday": 25,
            "tolerated_missed": 1,
            "settle_days": 0,
            "last_day": dt.date(2026, 4, 20),
        }
        offer = offer_from_letter(payload, debtor_id="D1", debt_ids=("B1",), delivered_on=ON)
        assert offer is not None
        assert offer.schedule == (
            (dt.date(2026, 5, 8), eur("100.00")),
            (dt.date(2026, 6, 8), eur("50.00")),
        )
        assert (offer.instalment, offer.instalments) == (eur("100.00"), 2)
        assert offer.method is PaymentMethod.DIRECT_DEBIT
        assert (offer.debit_day, offer.payday, offer.respond_by) == (8, 25, dt.date(2026, 4, 20))
        assert offer.debt_ids == ("B1",)
        # a letter that names no plan (it offers to talk) records no offer
        assert offer_from_letter({}, debtor_id="D1", debt_ids=(), delivered_on=ON) is None
