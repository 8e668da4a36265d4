"""A payer's remittance checked against the deduction instructions we sent, then booked.

``maatwerk import remittance`` books what an employer or benefit agency deducted for a
deduction-at-source plan (docs/formats/remittance-csv.md). Each row is checked against the
instructions the ``source-deduction`` channel delivered (outbox rows of that channel, done):

* a row for a payer, debtor and month for which **no instruction was sent** is refused: the
  whole file is rolled back (exit 2), the row named by file, line and field (``payer_id`` when
  that payer was never instructed for the debtor, else ``period``). Money we never asked for
  is not ours to book without a person looking at it first;
* an **amount above the instructed amount** is booked (the money was received and the plan
  must see it) and flagged for a person: a :class:`RemittanceFlagged` event names the payer,
  month, instructed and remitted amounts, and the import lists it (file, line, ``amount``). A
  deduction above the agreed instalment may have gone below the protected income.

The instructed amount of a month is the instruction's ``instalment_amount`` (net income minus
BVV when the instruction left it to the channel, capped at the amount owed), summed over the
debtor's creditors that payer was instructed for (one remittance row per payer, debtor, month).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Final, Protocol

import attrs

from maatwerk.core.debts import Payment
from maatwerk.core.errors import InputError, Location
from maatwerk.core.events import Event, RemittanceFlagged
from maatwerk.core.money import Money
from maatwerk.core.ports import EventListener, ImportStore, StreamingImportStore
from maatwerk.core.records import DeliveredItem, ImportCounts, OutboxStatus
from maatwerk.services.announce import announce
from maatwerk.services.importing import (
    ImportFile,
    ImportRejectedError,
    import_file,
    import_problems,
)
from maatwerk.services.payloads import SOURCE_DEDUCTION


__all__ = [
    "FlaggedRemittance",
    "RemittanceResult",
    "RemittanceStore",
    "check_remittances",
    "import_remittance",
    "instructed_amounts",
]

#: The action kind of a deduction instruction (the policy's step and each later month's).
_INSTRUCTION_ACTION: Final = "arrangement-offer"


class RemittanceStore(ImportStore, StreamingImportStore, Protocol):
    """What the remittance import needs: the import, the delivered instructions, events."""

    def delivered_items(self, *, actions: Iterable[str]) -> Sequence[DeliveredItem]: ...

    def append(self, events: Sequence[Event], *, idempotency_key: str | None = None) -> int: ...


@attrs.frozen(kw_only=True)
class FlaggedRemittance:
    """A row booked with more than the instruction asked, for a person to check."""

    line: int
    event: RemittanceFlagged


@attrs.frozen(kw_only=True)
class RemittanceResult:
    counts: ImportCounts
    flagged: tuple[FlaggedRemittance, ...] = ()


def _decimal(value: object) -> Decimal | None:
    return value if isinstance(value, Decimal) else None


def _instructed(payload: Mapping[str, object]) -> Decimal | None:
    """The monthly amount an instruction asked (as the channel computed it)."""
    asked = _decimal(payload.get("instalment_amount"))
    if asked is not None:
        return asked
    bvv = payload.get("bvv")
    if not isinstance(bvv, Mapping):
        return None
    net, protected = _decimal(bvv.get("net_income")), _decimal(bvv.get("protected_income"))
    owed = _decimal(payload.get("amount"))
    if net is None or protected is None or owed is None:
        return None
    return min(net - protected, owed)


def instructed_amounts(
    delivered: Iterable[DeliveredItem],
) -> dict[tuple[str, str, str], Decimal]:
    """``(payer_id, debtor_id, period)`` -> the amount instructed for that month: each
    creditor's latest delivered instruction, summed over the creditors."""
    latest: dict[tuple[str, str, str, str], Decimal] = {}
    for found in delivered:
        item = found.item
        entry = item.entry
        if entry.channel != SOURCE_DEDUCTION or item.status is not OutboxStatus.DONE:
            continue
        payer, period = entry.payload.get("payer_id"), entry.payload.get("period")
        amount = _instructed(entry.payload)
        if not isinstance(payer, str) or not isinstance(period, str) or amount is None:
            continue
        latest[(payer, entry.case.debtor_id, period, entry.case.creditor_id)] = amount
    result: dict[tuple[str, str, str], Decimal] = {}
    for (payer, debtor, period, _creditor), amount in latest.items():
        key = (payer, debtor, period)
        result[key] = result.get(key, Decimal(0)) + amount
    return result


def check_remittances(
    parsed: ImportFile, instructed: Mapping[tuple[str, str, str], Decimal], *, on: dt.date
) -> tuple[list[InputError], list[FlaggedRemittance]]:
    """The rows no instruction was sent for (errors, by file, line and field) and the rows
    above the instructed amount (flags, recorded ``on``)."""
    errors: list[InputError] = []
    flagged: list[FlaggedRemittance] = []
    payers = {(payer, debtor) for payer, debtor, _ in instructed}
    name = parsed.file_name
    for row in parsed.rows:
        terms = row.remitted
        payment = row.records[0] if row.records else None
        if terms is None or not isinstance(payment, Payment):
            continue
        debtor = payment.debtor_id
        asked = instructed.get((terms.payer_id, debtor, terms.period))
        if asked is None:
            if (terms.payer_id, debtor) not in payers:
                errors.append(
                    InputError(
                        f"no deduction instruction was sent to payer {terms.payer_id!r} for "
                        f"debtor {debtor!r}",
                        Location(name, row.line, "payer_id"),
                    )
                )
            else:
                errors.append(
                    InputError(
                        f"no deduction instruction was sent to payer {terms.payer_id!r} for "
                        f"debtor {debtor!r} for {terms.period}",
                        Location(name, row.line, "period"),
                    )
                )
            continue
        if payment.amount.amount > asked:
            flagged.append(
                FlaggedRemittance(
                    line=row.line,
                    event=RemittanceFlagged(
                        occurred_on=on,
                        debtor_id=debtor,
                        recorded_by="remittance-import",
                        payer_id=terms.payer_id,
                        period=terms.period,
                        instructed=Money(asked, payment.amount.currency),
                        remitted=payment.amount,
                        payment_id=payment.payment_id,
                    ),
                )
            )
    return errors, flagged


def import_remittance(
    parsed: ImportFile,
    store: RemittanceStore,
    *,
    on: dt.date,
    recorded_by: str = "import",
    listener: EventListener | None = None,
) -> RemittanceResult:
    """Check ``parsed`` against the instructions sent, then book it all or nothing.

    Rows without an instruction reject the whole file (:class:`ImportRejectedError`, with any
    other problem of the file); rows above the instructed amount are booked and a
    :class:`RemittanceFlagged` is recorded for each (once per payment and amount, however often
    the file is imported).
    """
    problems = import_problems(parsed, store)
    instructed = instructed_amounts(store.delivered_items(actions=[_INSTRUCTION_ACTION]))
    errors, flagged = check_remittances(parsed, instructed, on=on)
    bad_lines = {e.location.line for e in problems}
    problems += [e for e in errors if e.location.line not in bad_lines]  # one reason per row
    if problems:
        raise ImportRejectedError(parsed.file_name, problems)
    counts = import_file(parsed, store, recorded_by=recorded_by, listener=listener)
    recorded: list[FlaggedRemittance] = []
    for flag in flagged:
        event = attrs.evolve(flag.event, recorded_by=recorded_by)
        key = f"remittance-flagged:{event.payment_id}:{event.remitted.amount}"
        if store.append([event], idempotency_key=key):
            announce(listener, [event])
        recorded.append(attrs.evolve(flag, event=event))
    return RemittanceResult(counts=counts, flagged=tuple(recorded))
