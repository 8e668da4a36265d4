"""An explanation names the debts a blocked step is about when today's step goes ahead for
others (a demo bailiff dossier said "bailiff blocked: no 14-day letter sent" and "today: bailiff"
while it listed the 14-day letter: the block was about a debt that fell due after the letter)."""

from __future__ import annotations

import datetime as dt

from policy_helpers import D0, carry_out, case_file, debt, policy, tables

from maatwerk.core.events import ContactOutcome
from maatwerk.core.policy import Decision, evaluate


def _first_bailiff() -> Decision:
    """Day by day under humane, until the bailiff hand-over is proposed: d1 is due on D0 and
    gets the whole ladder; d2 falls due after the 14-day letter went out for d1."""
    humane = policy("humane")
    file = case_file([debt("d1", due=D0), debt("d2", due=D0 + dt.timedelta(days=60))])
    for offset in range(150):
        today = D0 + dt.timedelta(days=offset)
        decision = evaluate(file, humane, today, tables())
        if decision.action is not None and decision.action.step_id == "bailiff":
            return decision
        file = carry_out(file, decision, humane, ContactOutcome.NO_ANSWER)
    raise AssertionError("no bailiff hand-over proposed")


def test_a_block_for_some_debts_names_them() -> None:
    decision = _first_bailiff()
    assert decision.action is not None
    assert decision.action.debt_ids == ("d1",)
    lines = decision.explain("nl")
    blocked = [line for line in lines if line.startswith("overdracht aan de deurwaarder")]
    assert blocked, lines
    assert all(line.startswith("overdracht aan de deurwaarder voor d2 (") for line in blocked)
    assert any("veertiendagenbrief" in line for line in blocked)
    assert lines[-1].startswith(
        "Vandaag: overdracht aan de deurwaarder via de deurwaarder, voor d1"
    )
    english = decision.explain("en")
    assert any(line.startswith("bailiff for d2: blocked:") for line in english), english


def test_a_block_for_every_debt_names_none() -> None:
    # one debt: the explanation stays as short as it was
    humane = policy("humane")
    file = case_file([debt("d1", due=D0)])
    decision = evaluate(file, humane, D0 + dt.timedelta(days=80), tables())
    blocked = [line for line in decision.explain("nl") if "(gaat niet door)" in line]
    assert blocked
    assert not any(" voor d1 (" in line for line in blocked)
