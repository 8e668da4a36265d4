"""Schuldenknooppunt messages: the pure balance/settlement rules and the stand-in's reading."""

from __future__ import annotations

import datetime as dt
import json
import pathlib
from decimal import Decimal

import pytest

from maatwerk.adapters.knooppunt_files import MAX_BYTES, FileHub, write_message
from maatwerk.core.debt_settlement import (
    BalanceRequest,
    InboxRejectedError,
    SettlementProposal,
    balance_reply,
    settlement_amount,
)
from maatwerk.core.debts import AppliedPayment, Balance, Case, CostLine, Debt, Payment
from maatwerk.core.money import Money, eur


DAY = dt.date(2026, 3, 2)


def _debt(debt_id: str, due: dt.date, principal: str) -> Debt:
    return Debt(
        debt_id=debt_id,
        debtor_id="D1",
        creditor_id="C1",
        principal=eur(principal),
        due_date=due,
        reference=f"REF-{debt_id}",
    )


class TestBalanceReply:
    def test_amounts_as_the_ledger_stood_on_the_request_date(self) -> None:
        cost = CostLine(kind="bik", amount=eur("40"), posted_on=DAY)
        paid = AppliedPayment(
            payment_id="p1",
            applied_on=DAY + dt.timedelta(days=5),
            parts=Balance(principal=eur("100")),
        )
        debt = _debt("a", DAY - dt.timedelta(days=60), "150").with_cost(cost).with_payment(paid)
        later = _debt("b", DAY + dt.timedelta(days=10), "80")  # not due on the request date
        case = Case(debtor_id="D1", creditor_id="C1", debts=(debt, later))
        request = BalanceRequest(message_id="s1", debtor_id="D1", as_of=DAY)
        reply = balance_reply(request, [case], [])
        assert [c.debt_id for c in reply.claims] == ["a"]
        claim = reply.claims[0]
        assert (claim.principal, claim.costs, claim.interest) == (
            eur("150"),
            eur("40"),
            Money.zero(),
        )
        assert claim.reference == "REF-a"
        assert reply.total == eur("190")
        # the day before the cost was posted, the cost is not owed yet
        before = balance_reply(attrs_evolve(request, DAY - dt.timedelta(days=1)), [case], [])
        assert before.total == eur("150")
        assert reply.message_id == "s1-antwoord"
        assert reply.in_reply_to == "s1"

    def test_payments_not_yet_booked_lower_the_total_only_from_their_day(self) -> None:
        case = Case(debtor_id="D1", creditor_id="C1", debts=(_debt("a", DAY, "100"),))
        payment = Payment(payment_id="p", debtor_id="D1", received_on=DAY, amount=eur("30"))
        late = Payment(
            payment_id="q", debtor_id="D1", received_on=DAY + dt.timedelta(1), amount=eur("5")
        )
        reply = balance_reply(
            BalanceRequest(message_id="s", debtor_id="D1", as_of=DAY), [case], [payment, late]
        )
        assert reply.unallocated == eur("30")
        assert reply.total == eur("70")


def attrs_evolve(request: BalanceRequest, day: dt.date) -> BalanceRequest:
    return BalanceRequest(message_id=request.message_id, debtor_id=request.debtor_id, as_of=day)


@pytest.mark.parametrize(
    ("total", "percentage", "expected"),
    [("1000.00", "35", "350.00"), ("191.20", "35.5", "67.88"), ("0.03", "50", "0.02")],
)
def test_settlement_amount_is_the_percentage_rounded_half_up(
    total: str, percentage: str, expected: str
) -> None:
    assert settlement_amount(eur(total), Decimal(percentage)) == eur(expected)


@pytest.mark.parametrize("percentage", ["0", "100.01", "-5"])
def test_a_proposal_percentage_must_be_above_0_and_at_most_100(percentage: str) -> None:
    with pytest.raises(ValueError, match="percentage"):
        SettlementProposal(
            message_id="v", debtor_id="D1", proposed_on=DAY, percentage=Decimal(percentage),
            pay_by=DAY,
        )  # fmt: skip


# ------------------------------------------------------------------------ the stand-in hub
GOOD = {
    "type": "betaalvoorstel",
    "message_id": "v-1",
    "debtor_id": "D1",
    "proposed_on": "2026-03-02",
    "percentage": "35",
    "pay_by": "2026-04-01",
}


def _hub(tmp_path: pathlib.Path, files: dict[str, bytes]) -> FileHub:
    inbox = tmp_path / "in"
    inbox.mkdir()
    for name, content in files.items():
        (inbox / name).write_bytes(content)
    return FileHub(inbox, tmp_path / "out")


def _json(**changes: object) -> bytes:
    data: dict[str, object] = {**GOOD, **changes}
    return json.dumps({k: v for k, v in data.items() if v is not None}).encode()


def test_reads_a_good_proposal_with_a_json_number(tmp_path: pathlib.Path) -> None:
    hub = _hub(tmp_path, {"a.json": b'{"type": "settlement-proposal", "message_id": "v-1", '
                          b'"debtor_id": "D1", "proposed_on": "2026-03-02", "percentage": 35.5, '
                          b'"pay_by": "2026-04-01", "term_months": 36}'})  # fmt: skip
    (message,) = hub.receive()
    assert isinstance(message, SettlementProposal)
    assert message.percentage == Decimal("35.5")
    assert message.term_months == 36


@pytest.mark.parametrize(
    ("content", "field"),
    [
        (_json(percentage="abc"), "percentage"),
        (_json(percentage="NaN"), "percentage"),
        (_json(percentage=True), "percentage"),
        (_json(percentage="35.555"), "percentage"),
        (_json(pay_by="2026-02-30"), "pay_by"),
        (_json(pay_by="2026-01-01"), "pay_by"),
        (_json(message_id="../../etc/passwd"), "message_id"),
        (_json(message_id=None), "message_id"),
        (_json(debtor_id=123), "debtor_id"),
        (_json(term_months=-1), "term_months"),
        (_json(type="kennisgeving"), "type"),
        (_json(extra="x"), "extra"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_a_bad_field_rejects_the_whole_inbox_naming_file_and_field(
    tmp_path: pathlib.Path, content: bytes, field: str
) -> None:
    good = json.dumps({**GOOD, "message_id": "v-ok"}).encode()
    hub = _hub(tmp_path, {"a-good.json": good, "b-bad.json": content})
    with pytest.raises(InboxRejectedError) as caught:
        hub.receive()
    assert caught.value.location.file == "b-bad.json"
    assert caught.value.location.field == field
    assert "b-bad.json" in str(caught.value)


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\xff\xfe\x00garbage",
        b"[1, 2]",
        b'{"percentage": NaN}',
        b"[" * 100_000 + b"]" * 100_000,
        b" " * (MAX_BYTES + 1),
    ],
    ids=["empty", "binary", "list", "nan", "deep", "huge"],
)
def test_hostile_files_are_refused_with_the_file_named(
    tmp_path: pathlib.Path, content: bytes
) -> None:
    hub = _hub(tmp_path, {"x.json": content})
    with pytest.raises(InboxRejectedError) as caught:
        hub.receive()
    assert caught.value.location.file == "x.json"


def test_a_symlink_is_refused(tmp_path: pathlib.Path) -> None:
    hub = _hub(tmp_path, {})
    target = tmp_path / "elsewhere.json"
    target.write_bytes(_json())
    (hub.inbox / "link.json").symlink_to(target)
    with pytest.raises(InboxRejectedError, match="regular file"):
        hub.receive()


def test_the_same_message_id_twice_is_refused(tmp_path: pathlib.Path) -> None:
    hub = _hub(tmp_path, {"a.json": _json(), "b.json": _json()})
    with pytest.raises(InboxRejectedError) as caught:
        hub.receive()
    assert caught.value.location.file == "b.json"
    assert caught.value.location.field == "message_id"


def test_every_problem_is_listed(tmp_path: pathlib.Path) -> None:
    hub = _hub(tmp_path, {"a.json": _json(percentage="x", pay_by="y")})
    with pytest.raises(InboxRejectedError) as caught:
        hub.receive()
    assert {e.location.field for e in caught.value.errors} == {"percentage", "pay_by"}


def test_a_missing_inbox_is_an_input_error(tmp_path: pathlib.Path) -> None:
    with pytest.raises(Exception, match="inbox folder does not exist"):
        FileHub(tmp_path / "none", tmp_path / "out").receive()


def test_written_messages_read_back_equal(tmp_path: pathlib.Path) -> None:
    request = BalanceRequest(message_id="s-1", debtor_id="D1", as_of=DAY, creditor_id="C1")
    write_message(tmp_path / "in", request)
    assert list(FileHub(tmp_path / "in", tmp_path / "out").receive()) == [request]
