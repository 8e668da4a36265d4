"""Import the municipality's answers to debt-help referrals: hold or resume the case.

``import_feedback(store, parsed, today=...)`` takes the rows the reader
(:mod:`maatwerk.adapters.municipal_feedback`) found in one file and records, per answer, in ONE
transaction:

* a :class:`~maatwerk.core.events.ReferralAnswered` with the outcome and our reference;
* ``accepted`` / ``in-debt-help``: a :class:`~maatwerk.core.events.DebtHelpStarted` (debt help),
  ``stabilisation``: one of kind ``stabilisation`` (Zvw 18c: no report to the CAK), unless that
  kind already runs: the mandatory ``debt-help`` guard then holds every step;
* ``no-contact`` / ``refused``: a :class:`~maatwerk.core.events.DebtHelpEnded` for each kind of
  debt help that runs. The referral's pause ends that day and the policy's ``debt-help-resumed``
  step (a personal call in the humane policy) comes before any further escalation.

All or nothing: a row that cannot be read (a missing or unknown outcome, a bad date, a date
after ``today``) or whose reference names no debtor we know rejects the whole file
(:class:`FeedbackRejectedError` lists every problem with its line and field). Idempotent: a file
imported before records nothing (``already_imported``); each event has the key
``municipal:<debtor>:<date>:<outcome>:<what>``, so the same answer in another file is recorded
once. Events are announced to ``listener`` only after the transaction committed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Final, Protocol

import attrs

from maatwerk.core.errors import InputError, Location
from maatwerk.core.events import (
    DebtHelpEnded,
    DebtHelpKind,
    DebtHelpStarted,
    Event,
    MunicipalOutcome,
    ReferralAnswered,
)
from maatwerk.core.ports import EventListener, EventLog, ImportStore, ReturnsLedger
from maatwerk.services.announce import ListenerFailure, announce


__all__ = [
    "FEEDBACK_IMPORT_KIND",
    "FeedbackFile",
    "FeedbackRejectedError",
    "FeedbackResult",
    "FeedbackRow",
    "FeedbackStore",
    "debtor_of_reference",
    "import_feedback",
]

#: ``kind`` under which an imported feedback file is noted (``import_audit``).
FEEDBACK_IMPORT_KIND: Final = "municipal-feedback"
#: Who runs the debt help an answer starts (the events' ``organisation``).
MUNICIPALITY: Final = "gemeente"


@attrs.frozen(kw_only=True)
class FeedbackRow:
    """One answer as read: where it is in the file, our reference, the outcome and its day."""

    line: int
    reference: str
    outcome: MunicipalOutcome
    on: dt.date


@attrs.frozen(kw_only=True)
class FeedbackFile:
    """A read file: its good rows and the problems found in the others."""

    file_name: str
    file_sha256: str
    rows: tuple[FeedbackRow, ...]
    errors: tuple[InputError, ...] = ()
    record_word: str = "line"
    """how a place in the file is called: ``line`` (CSV) or ``record`` (JSON)"""


class FeedbackStore(EventLog, ImportStore, ReturnsLedger, Protocol):
    """What the import needs: known debtors, their history and a keyed, atomic append."""


class FeedbackRejectedError(InputError):
    """Some rows are bad; nothing was recorded. ``errors`` lists every one, by line."""

    def __init__(self, file_name: str, errors: Sequence[InputError]) -> None:
        self.errors = tuple(
            sorted(errors, key=lambda e: (e.location.line or 0, e.location.field or ""))
        )
        places = len({e.location.line for e in self.errors})
        super().__init__(
            f"{len(self.errors)} problem(s) in {places} row(s); nothing was imported",
            Location(file=file_name),
        )


@attrs.frozen(kw_only=True)
class FeedbackResult:
    file_name: str
    already_imported: bool = False
    rows: int = 0
    events: tuple[Event, ...] = ()
    """the events recorded now (none for answers recorded before)"""
    duplicates: int = 0
    """events left out because their key was recorded before (another file)"""
    listener_failures: tuple[ListenerFailure, ...] = ()


def debtor_of_reference(reference: str) -> str:
    """The debtor id in our reference: a referral's ``signal_id`` is the step's action id,
    ``<creditor>/<debtor>/<step>/<date>``; anything else is taken as the debtor id."""
    parts = reference.split("/")
    if len(parts) == 4 and all(parts):
        return parts[1]
    return reference


def _kind(outcome: MunicipalOutcome) -> DebtHelpKind:
    return (
        DebtHelpKind.STABILISATION
        if outcome is MunicipalOutcome.STABILISATION
        else DebtHelpKind.DEBT_HELP
    )


def _running(history: Sequence[Event]) -> set[DebtHelpKind]:
    running: set[DebtHelpKind] = set()
    for event in sorted(history, key=lambda e: e.occurred_on):
        if isinstance(event, DebtHelpStarted):
            running.add(event.help_kind)
        elif isinstance(event, DebtHelpEnded):
            running.discard(event.help_kind)
    return running


def _events(
    row: FeedbackRow, debtor_id: str, running: set[DebtHelpKind], by: str
) -> list[tuple[str, Event]]:
    """The keyed events of one answer; ``running`` is updated with what it starts or ends."""
    key = f"municipal:{debtor_id}:{row.on.isoformat()}:{row.outcome.value}"
    found: list[tuple[str, Event]] = [
        (
            f"{key}:answer",
            ReferralAnswered(
                occurred_on=row.on,
                debtor_id=debtor_id,
                recorded_by=by,
                outcome=row.outcome,
                reference=row.reference,
            ),
        )
    ]
    if row.outcome.holds:
        kind = _kind(row.outcome)
        if kind not in running:
            running.add(kind)
            found.append(
                (
                    f"{key}:started:{kind.value}",
                    DebtHelpStarted(
                        occurred_on=row.on,
                        debtor_id=debtor_id,
                        recorded_by=by,
                        help_kind=kind,
                        organisation=MUNICIPALITY,
                    ),
                )
            )
        return found
    found.extend(
        (
            f"{key}:ended:{kind.value}",
            DebtHelpEnded(occurred_on=row.on, debtor_id=debtor_id, recorded_by=by, help_kind=kind),
        )
        for kind in sorted(running, key=lambda k: k.value)
    )
    running.clear()
    return found


def import_feedback(
    store: FeedbackStore,
    parsed: FeedbackFile,
    *,
    today: dt.date,
    recorded_by: str = "municipal-feedback",
    listener: EventListener | None = None,
) -> FeedbackResult:
    """Check ``parsed`` against the store and record its answers all at once (module docstring)."""
    name = parsed.file_name
    errors = list(parsed.errors)
    debtors = {row.line: debtor_of_reference(row.reference) for row in parsed.rows}
    known = store.existing_ids("debtor", set(debtors.values())) if debtors else frozenset()
    for row in parsed.rows:
        if debtors[row.line] not in known:
            errors.append(
                InputError(
                    f"reference {row.reference!r} names no debtor we know (expected our "
                    "signal_id or customer number)",
                    Location(name, row.line, "reference"),
                )
            )
        if row.on > today:
            errors.append(
                InputError(
                    f"date {row.on.isoformat()} is after today ({today.isoformat()})",
                    Location(name, row.line, "date"),
                )
            )
    if errors:
        raise FeedbackRejectedError(name, errors)
    keyed: list[tuple[str, Event]] = []
    running: dict[str, set[DebtHelpKind]] = {}
    for row in sorted(parsed.rows, key=lambda r: (r.on, r.line)):
        debtor_id = debtors[row.line]
        if debtor_id not in running:
            history = [r.event for r in store.history(debtor_id) if r.event is not None]
            running[debtor_id] = _running([e for e in history if e.occurred_on <= row.on])
        keyed.extend(_events(row, debtor_id, running[debtor_id], recorded_by))
    written = store.record_keyed_events(
        keyed, kind=FEEDBACK_IMPORT_KIND, file_name=name, file_sha256=parsed.file_sha256
    )
    if written is None:
        return FeedbackResult(file_name=name, already_imported=True, rows=len(parsed.rows))
    events = tuple(event for _, event in written)
    failures = announce(listener, events)
    return FeedbackResult(
        file_name=name,
        rows=len(parsed.rows),
        events=events,
        duplicates=len(keyed) - len(written),
        listener_failures=tuple(failures or ()),
    )
