"""Render a :class:`~maatwerk.core.policy.evaluate.Decision` as plain sentences (NL B1 or EN).

The chain reads from the past to today: what was done (history), what happens today (or why
not), and what comes next. Example (English)::

    reminder-2 sent 2026-03-01 (payment reminder).
    14-day letter received 2026-03-05; expired 2026-03-20.
    bailiff: blocked: No personal contact attempt (call or visit) yet; one must come first.
    Today: phone call (phone-task) for debts d1, d2.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from maatwerk.core.policy import text


if TYPE_CHECKING:
    from maatwerk.core.policy.evaluate import Decision


__all__ = ["explain_lines"]

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


def explain_lines(decision: Decision, lang: str = "nl") -> tuple[str, ...]:
    """The decision's reasons as sentences in ``lang`` (``nl`` or ``en``)."""
    lang = "nl" if lang == "nl" else "en"
    lines = [h.nl if lang == "nl" else h.en for h in decision.history]
    for note in decision.notes:
        if note.step_id == "*":
            lines.extend(r.text(lang) for r in note.reasons)
            continue
        label = _NOTE[lang][note.kind.value]
        for reason in note.reasons:
            sentence = reason.text(lang)
            if note.kind.value == "next":
                lines.append(sentence)
            elif lang == "nl":
                lines.append(f"{note.title('nl')} ({label}): {sentence}")
            else:
                lines.append(f"{note.step_id}: {label}: {sentence}")
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
    return tuple(lines)
