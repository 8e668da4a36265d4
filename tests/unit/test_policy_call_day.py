"""No call on a weekend day or public holiday, none to someone reached today (the mandatory
``call-day`` guard, core/policy/guards/): the call moves to the next working day."""

from __future__ import annotations

import datetime as dt

from policy_helpers import case_file, debt, policy, run, tables

from maatwerk.core.events import ActionKind, ContactAttempt, ContactChannel, ContactOutcome
from maatwerk.core.policy import BUILTIN_GUARDS, NoteKind, evaluate


#: due 17 December 2026: default 18 December, the humane call (default + 14 days) falls on
#: Friday 1 January 2027 (Nieuwjaarsdag), then the weekend
DUE = dt.date(2026, 12, 17)
NEW_YEAR = dt.date(2027, 1, 1)
MONDAY = dt.date(2027, 1, 4)


def _call_note(day: dt.date, *events: ContactAttempt) -> tuple[str | None, dt.date | None]:
    decision = evaluate(case_file([debt(due=DUE)], events), policy("humane"), day, tables())
    if decision.action is not None and decision.action.action is ActionKind.PHONE_CALL:
        return "call", None
    for note in decision.notes:
        if note.action is ActionKind.PHONE_CALL and note.kind is NoteKind.POSTPONED:
            return ",".join(r.code for r in note.reasons), note.until
    return None, None


def test_the_guard_is_mandatory() -> None:
    assert BUILTIN_GUARDS.get("call-day").mandatory


def test_no_call_on_new_years_day_or_the_weekend_but_on_monday() -> None:
    _, taken = run(case_file([debt(due=DUE)]), policy("humane"), dt.date(2026, 12, 10), 30)
    calls = [d for d, step in taken if step == "call"]
    assert calls == [MONDAY], taken
    assert _call_note(NEW_YEAR) == ("call-day", MONDAY)
    assert _call_note(dt.date(2027, 1, 2)) == ("call-day", MONDAY)


def test_the_reason_says_when_in_plain_dutch() -> None:
    decision = evaluate(case_file([debt(due=DUE)]), policy("humane"), NEW_YEAR, tables())
    text = " ".join(decision.explain("nl"))
    assert "geen werkdag" in text
    assert "4 januari 2027" in text


def _contact(day: dt.date, outcome: ContactOutcome, channel: ContactChannel) -> ContactAttempt:
    return ContactAttempt(occurred_on=day, debtor_id="p1", channel=channel, outcome=outcome)


def test_no_second_call_to_someone_reached_today() -> None:
    # a call due on Monday 4 January; the debtor rang in that morning and was spoken to
    reached = _contact(MONDAY, ContactOutcome.REACHED, ContactChannel.PHONE)
    assert _call_note(MONDAY, reached) == ("call-day", dt.date(2027, 1, 5))


def test_an_unanswered_call_today_or_a_talk_days_ago_does_not_hold_the_call() -> None:
    unanswered = _contact(MONDAY, ContactOutcome.NO_ANSWER, ContactChannel.PHONE)
    assert _call_note(MONDAY, unanswered) == ("call", None)
    yesterday = _contact(
        MONDAY - dt.timedelta(days=3), ContactOutcome.REACHED, ContactChannel.PHONE
    )
    assert _call_note(MONDAY, yesterday) == ("call", None)
