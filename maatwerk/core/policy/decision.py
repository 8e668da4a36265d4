"""The outcome of an evaluation: a :class:`Decision` and its explanation in plain sentences.

A decision says what the policy decided for one case on one day (:class:`DecisionStatus`), the
step to carry out (:class:`ProposedAction`), why other steps did not go ahead or when the next
one comes (:class:`StepNote`) and the facts from the past it rests on (:class:`HistoryLine`).
:func:`explain_lines` renders it as sentences (NL B1 or EN), from the past to today. The chain
reads: what was done (history), what happens today (or why not), and what comes next. Example
(English)::

    reminder-2 sent 2026-03-01 (payment reminder).
    14-day letter received 2026-03-05; expired 2026-03-20.
    bailiff: blocked: No personal contact attempt (call or visit) yet; one must come first.
    Today: phone call (phone-task) for debts d1, d2.
"""

from __future__ import annotations

import datetime as dt
import enum

import attrs

from maatwerk.core.events import ActionKind
from maatwerk.core.money import Money
from maatwerk.core.policy import text
from maatwerk.core.policy.model import ACTION_LABELS
from maatwerk.core.policy.reasons import Reason


__all__ = [
    "Decision",
    "DecisionStatus",
    "HistoryLine",
    "NoteKind",
    "ProposedAction",
    "StepNote",
    "explain_lines",
]


class DecisionStatus(enum.Enum):
    ACT = "act"
    """a step is proposed today"""
    WAIT = "wait"
    """nothing is due yet (see ``next_check_on``)"""
    BLOCKED = "blocked"
    """steps are due but every one is blocked or postponed by a guard"""
    CLOSED = "closed"
    """no open debt and nothing left to do"""
    STOPPED = "stopped"
    """the debtor has died: every step stops"""


class NoteKind(enum.Enum):
    BLOCKED = "blocked"
    POSTPONED = "postponed"
    CONDITION = "condition"
    """due by time, but a condition does not hold"""
    SUPERSEDED = "superseded"
    """due and allowed, but a more severe step is proposed today"""
    NEXT = "next"
    """the next step that will become due, and when"""


@attrs.frozen(kw_only=True)
class ProposedAction:
    """The step to carry out today: one communication covering ``debt_ids``."""

    step_id: str
    action: ActionKind
    channel: str
    debt_ids: tuple[str, ...]
    due_on: dt.date
    """the earliest day it became due for one of the debts"""
    due_by: dt.date | None
    """the last day to carry it out (``within``), if the policy sets one"""
    needs_review: bool
    amount: Money
    """outstanding total of the debts covered"""
    params: tuple[tuple[str, str], ...] = ()
    title_nl: str = ""
    title_en: str = ""

    def title(self, lang: str) -> str:
        return self.title_nl if lang == "nl" else self.title_en


@attrs.frozen(kw_only=True)
class StepNote:
    """Why a step did not go ahead today (or when it will)."""

    step_id: str
    action: ActionKind
    kind: NoteKind
    debt_ids: tuple[str, ...]
    reasons: tuple[Reason, ...]
    until: dt.date | None = None
    title_nl: str = ""
    """the step's Dutch title, for explanations (empty: the action's label)"""

    def title(self, lang: str) -> str:
        nl, en = ACTION_LABELS[self.action]
        if lang == "nl":
            return self.title_nl or nl
        return self.step_id or en


@attrs.frozen(kw_only=True)
class HistoryLine:
    """A fact from the past that the decision rests on."""

    on: dt.date
    code: str
    nl: str
    en: str


@attrs.frozen(kw_only=True)
class Decision:
    """What the policy decided for one case on one day, with the chain of reasons."""

    debtor_id: str
    creditor_id: str
    policy: str
    today: dt.date
    status: DecisionStatus
    action: ProposedAction | None
    notes: tuple[StepNote, ...] = ()
    history: tuple[HistoryLine, ...] = ()
    next_check_on: dt.date | None = None
    arrears: Money = Money.zero()
    arrears_months: str = "0"
    household: Reason | None = None
    """why the household cannot pay (or why that is unconfirmed), or why its protected income
    waits for a person (Rv 475da lid 7); ``None``: it can pay, or unknown"""
    debt_help: Reason | None = None
    """the debt-help status (referred, running, resumed); ``None``: none"""
    costs_waived: Reason | None = None
    """set when the policy charges this household no collection costs (it cannot pay)"""
    flag_problematic: bool = False
    """the run records the problematic-debt flag today (cannot pay, never flagged before)"""
    room: Money | None = None
    """the household's room above its protected income today (net income - BVV, never below
    0); ``None``: a figure is unknown"""
    circumstances: tuple[str, ...] = ()
    """what a checker must see about the household (``household.CIRCUMSTANCES``, in that order)"""

    @property
    def action_id(self) -> str | None:
        """Stable id of today's action: same case, step and day give the same id."""
        if self.action is None:
            return None
        return f"{self.creditor_id}/{self.debtor_id}/{self.action.step_id}/{self.today.isoformat()}"

    def explain(self, lang: str = "nl") -> tuple[str, ...]:
        """The decision's reasons as sentences in ``lang`` (``nl`` or ``en``)."""
        return explain_lines(self, lang)


# ---------------------------------------------------------------------------------- explanation
_COST_ACTIONS = frozenset({ActionKind.FOURTEEN_DAY_LETTER, ActionKind.FORMAL_DEMAND})
_STATUS = {
    "nl": {
        "wait": "Vandaag is er geen stap nodig.",
        "blocked": "Vandaag gaat er geen stap door.",
        "closed": "Er staat niets meer open. Het dossier is klaar.",
        "stopped": "Alle stappen zijn gestopt.",
    },
    "en": {
        "wait": "No step is due today.",
        "blocked": "No step goes ahead today.",
        "closed": "Nothing is outstanding; the case is done.",
        "stopped": "Every step has stopped.",
    },
}

_NOTE = {
    "nl": {
        "blocked": "gaat niet door",
        "postponed": "wacht",
        "condition": "niet van toepassing",
        "superseded": "niet nodig",
        "next": "later",
    },
    "en": {
        "blocked": "blocked",
        "postponed": "postponed",
        "condition": "condition not met",
        "superseded": "superseded",
        "next": "next",
    },
}


def _debts_named(decision: Decision) -> set[str]:
    """Every debt today's action and the notes about today's steps are about."""
    found = set(decision.action.debt_ids) if decision.action is not None else set()
    for note in decision.notes:
        if note.step_id != "*" and note.kind is not NoteKind.NEXT:
            found.update(note.debt_ids)
    return found


def explain_lines(decision: Decision, lang: str = "nl") -> tuple[str, ...]:
    """The decision's reasons as sentences in ``lang`` (``nl`` or ``en``)."""
    lang = "nl" if lang == "nl" else "en"
    lines = [h.nl if lang == "nl" else h.en for h in decision.history]
    everything = _debts_named(decision)
    lines.extend(r.text(lang) for r in (decision.household, decision.debt_help) if r is not None)
    for note in decision.notes:
        if note.step_id == "*":
            lines.extend(r.text(lang) for r in note.reasons)
            continue
        label = _NOTE[lang][note.kind.value]
        # a note about some of the case's debts only names them: "bailiff blocked: no 14-day
        # letter" next to "today: bailiff for d1, d2" is about d3, and must say so
        some = bool(note.debt_ids) and set(note.debt_ids) < everything
        which = f" {'voor' if lang == 'nl' else 'for'} {', '.join(note.debt_ids)}" if some else ""
        for reason in note.reasons:
            sentence = reason.text(lang)
            if note.kind.value == "next":
                lines.append(sentence)
            elif lang == "nl":
                lines.append(f"{note.title('nl')}{which} ({label}): {sentence}")
            else:
                lines.append(f"{note.step_id}{which}: {label}: {sentence}")
    lines = list(dict.fromkeys(lines))  # a reason shared by several debts is said once
    action = decision.action
    if action is None:
        lines.append(_STATUS[lang][decision.status.value])
        return tuple(lines)
    debts = ", ".join(action.debt_ids)
    review_nl = " Een medewerker moet dit eerst goedkeuren." if action.needs_review else ""
    review_en = " Needs approval by a reviewer first." if action.needs_review else ""
    if lang == "nl":
        by = f" Uiterlijk {text.date(action.due_by, 'nl')}." if action.due_by else ""
        lines.append(
            f"Vandaag: {action.title('nl')} via {text.channel(action.channel, 'nl')}, "
            f"voor {debts} "
            f"({text.amount(action.amount, 'nl')}).{by}{review_nl}"
        )
    else:
        by = f" Due by {action.due_by.isoformat()}." if action.due_by else ""
        lines.append(
            f"Today: {action.step_id} ({action.title('en')}) via {action.channel} for {debts} "
            f"({text.amount(action.amount, 'en')}).{by}{review_en}"
        )
    if decision.costs_waived is not None and action.action in _COST_ACTIONS:
        lines.append(decision.costs_waived.text(lang))
    return tuple(lines)
