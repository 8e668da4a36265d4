"""Builders and a day-by-day driver for the policy tests (not a test module)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import cache

import attrs

from maatwerk.adapters.calendars import build_calendars
from maatwerk.adapters.policy_loader import load_policy, resolve_policy
from maatwerk.core.debtors import Debtor, HouseholdType
from maatwerk.core.debts import Case, ClaimKind, Debt, InterestKind
from maatwerk.core.events import (
    ActionKind,
    ContactAttempt,
    ContactChannel,
    ContactOutcome,
    Event,
    FormalDemandSent,
    FourteenDayLetterSent,
    StepTaken,
    ZvwNoticeSent,
)
from maatwerk.core.letter_dates import letter_dates
from maatwerk.core.money import Money, eur
from maatwerk.core.policy import CaseFile, Decision, Policy, PolicyTables, evaluate


D0 = dt.date(2026, 1, 1)


@cache
def policy(name: str) -> Policy:
    return load_policy(resolve_policy(name))


@cache
def tables() -> PolicyTables:
    return PolicyTables(calendars=build_calendars(2024, 2030))


def debtor(**kw: object) -> Debtor:
    fields: dict[str, object] = {
        "debtor_id": "p1",
        "name": "",
        "household": HouseholdType.SINGLE,
        "payday": 25,
    }
    fields.update(kw)
    return Debtor(**fields)  # type: ignore[arg-type]


def debt(
    debt_id: str = "d1",
    principal: str = "300.00",
    due: dt.date = D0,
    *,
    kind: ClaimKind = ClaimKind.PRIVATE,
    category: str = "invoice",
    periodic: bool = False,
    consumer: bool = True,
    interest_kind: InterestKind = InterestKind.CONSUMER,
) -> Debt:
    """Debt ``d1`` of debtor ``p1`` to creditor ``c1``: EUR 300.00 due on ``D0`` unless told."""
    return Debt(
        debt_id=debt_id,
        debtor_id="p1",
        creditor_id="c1",
        principal=eur(principal),
        due_date=due,
        kind=kind,
        category=category,
        periodic=periodic,
        consumer=consumer,
        interest_kind=interest_kind,
    )


def case_file(
    debts: Iterable[Debt] = (),
    events: Iterable[Event] = (),
    *,
    who: Debtor | None = None,
    **kw: object,
) -> CaseFile:
    items = tuple(debts) or (debt(),)
    return CaseFile(
        debtor=who or debtor(),
        case=Case(debtor_id="p1", creditor_id="c1", debts=items),
        events=tuple(events),
        **kw,  # type: ignore[arg-type]
    )


def step_taken(
    on: dt.date,
    step_id: str,
    action: ActionKind,
    *,
    channel: str = "letter",
    debt_ids: tuple[str, ...] = ("d1",),
    debtor_id: str = "p1",
    **kw: object,
) -> StepTaken:
    """The record that a step was taken, for debt ``d1`` of debtor ``p1`` unless told."""
    return StepTaken(
        occurred_on=on,
        debtor_id=debtor_id,
        step_id=step_id,
        action=action,
        channel=channel,
        debt_ids=debt_ids,
        **kw,  # type: ignore[arg-type]
    )


def letter_sent(
    on: dt.date,
    *,
    received_on: dt.date | None = None,
    debt_ids: tuple[str, ...] = ("d1",),
    debtor_id: str = "p1",
) -> FourteenDayLetterSent:
    """A 14-day letter stating EUR 45.00 costs, received 2 days after sending unless told."""
    return FourteenDayLetterSent(
        occurred_on=on,
        debtor_id=debtor_id,
        stated_costs=eur("45.00"),
        sent_on=on,
        received_on=on + dt.timedelta(days=2) if received_on is None else received_on,
        debt_ids=debt_ids,
    )


def demand_sent(
    on: dt.date,
    *,
    costs: Money | None = None,
    debt_ids: tuple[str, ...] = ("d1",),
    debtor_id: str = "p1",
) -> FormalDemandSent:
    """An aanmaning, delivered the day it is sent; no costs unless told."""
    return FormalDemandSent(
        occurred_on=on,
        debtor_id=debtor_id,
        sent_on=on,
        stated_costs=Money.zero() if costs is None else costs,
        debt_ids=debt_ids,
    )


def notice_sent(
    on: dt.date,
    *,
    second: bool = False,
    debt_ids: tuple[str, ...] = ("d1",),
    debtor_id: str = "p1",
) -> ZvwNoticeSent:
    """A Zvw 18b notice delivered on ``on``, dated as the dispatcher dates it (the core's
    presumed receipt and 4-week last day on the calendars of :func:`tables`)."""
    dates = letter_dates(ActionKind.ZVW_NOTICE, on, tables().letter_terms())
    assert dates.last_day is not None
    return ZvwNoticeSent(
        occurred_on=on,
        debtor_id=debtor_id,
        sent_on=on,
        received_on=dates.received_on,
        last_day=dates.last_day,
        second=second,
        debt_ids=debt_ids,
    )


def carry_out(
    file: CaseFile,
    decision: Decision,
    policy_: Policy,
    contact: ContactOutcome | None = ContactOutcome.NO_ANSWER,
) -> CaseFile:
    """Record today's action as the daily run would.

    A 14-day letter is received 2 days after sending; an aanmaning is delivered the day it is
    sent; a Zvw notice is delivered and dated as the dispatcher would; a phone-call task ends in a contact
    attempt with outcome ``contact`` (none when ``None``).
    """
    action = decision.action
    if action is None:
        return file
    today, who, debt_ids = decision.today, file.debtor.debtor_id, action.debt_ids
    new: list[Event] = [
        step_taken(
            today,
            action.step_id,
            action.action,
            channel=action.channel,
            debt_ids=debt_ids,
            debtor_id=who,
            policy=policy_.label,
        )
    ]
    if action.action is ActionKind.FOURTEEN_DAY_LETTER:
        new.append(letter_sent(today, debt_ids=debt_ids, debtor_id=who))
    if action.action is ActionKind.FORMAL_DEMAND:
        new.append(demand_sent(today, costs=eur("0.00"), debt_ids=debt_ids, debtor_id=who))
    if action.action is ActionKind.ZVW_NOTICE:
        second = dict(action.params).get("notice") == "second"
        new.append(notice_sent(today, second=second, debt_ids=debt_ids, debtor_id=who))
    if action.action is ActionKind.PHONE_CALL and contact is not None:
        new.append(
            ContactAttempt(
                occurred_on=today,
                debtor_id=who,
                channel=ContactChannel.PHONE,
                outcome=contact,
            )
        )
    return attrs.evolve(file, events=(*file.events, *new))


def run(
    file: CaseFile,
    policy_: Policy,
    start: dt.date,
    days: int,
    *,
    extra: dict[dt.date, list[Event]] | None = None,
    contact: ContactOutcome | None = ContactOutcome.NO_ANSWER,
) -> tuple[CaseFile, list[tuple[dt.date, str]]]:
    """Evaluate day by day, carrying out every proposed action; return ``(day, step_id)``s."""
    taken: list[tuple[dt.date, str]] = []
    for offset in range(days):
        today = start + dt.timedelta(days=offset)
        for event in (extra or {}).get(today, []):
            file = attrs.evolve(file, events=(*file.events, event))
        decision = evaluate(file, policy_, today, tables())
        if decision.action is not None:
            taken.append((today, decision.action.step_id))
            file = carry_out(file, decision, policy_, contact)
    return file, taken


def paid(d: Debt, on: dt.date, amount: Money | None = None) -> Debt:
    from maatwerk.core.debts import AppliedPayment, Balance

    return d.with_payment(
        AppliedPayment(
            payment_id=f"pay-{d.debt_id}-{on}",
            applied_on=on,
            parts=Balance(principal=amount or d.principal),
        )
    )
