"""What the daily run posts on a case's debts (boekingen): interest and collection costs, once.

Pure decisions; the run records the :class:`~maatwerk.core.records.Posting` values with the
batch, and the store's unique ``(debt, posting_key)`` makes each one a single ledger line however
often a day is run again.

* **Statutory interest** (BW 6:119/6:119a, Awb 4:98), monthly: on the first run date of a month
  the interest of the previous period is posted as one :class:`InterestLine` per debt, for
  ``[end of the last posted period (or the default date), the 1st of this month)``, with the rate
  table version(s). The amount is the difference of the cumulative interest since default
  (:func:`~maatwerk.core.interest.debt_interest`) at both ends, so the lines always add up to
  the interest over the whole default, rounded once per line boundary, and compounding and
  principal payments are counted as the law counts them. A debt whose principal is paid gets no
  further lines (interest not yet posted then is not claimed: the humane reading of posting
  monthly). ``InterestKind.NONE`` or ``charge_interest = false``: no lines at all.
* **Collection costs** (BIK, BW 6:96): on a consumer's private claim only when the 14-day letter
  covering it stated the exact amount and its term expired unpaid
  (:func:`~maatwerk.core.collection_costs.costs_payable`); posted on the first run date after
  the term, split over the letter's claims in proportion to their principal (6:96 lid 7: the
  staffel ran on their sum). Posting key ``bik:<letter sent on>``.
* **Time-barred debts** (BW 3:307-3:311 with the interruptions of 3:316-3:319,
  :mod:`maatwerk.core.limitation`): no interest and no costs at all once a debt is past its
  limitation period; the day it will be is a wake-up day (``next_on``).
* **Instalments** (BW 6:96 lid 8, provisional): with ``ChargeRules.instalments`` a letter about
  periodic claims counts the instalments reminded in the 6 months before as one claim
  (:func:`letter_costs`).
* **Aanmaning fee** (Awb 4:113) for public claims: posted when the formal-demand step is taken
  (:func:`aanmaning_postings`), never BIK.
* **While an arrangement is kept** (BW 6:96 does not forbid it; the creditor's choice, see
  :func:`~maatwerk.core.arrangements.new_charges_allowed`): ``ChargesDuringPlan.NONE`` (the
  default) posts no interest and no costs for the debts the plan covers; an interest period
  that falls due then is closed with a zero line ("waived") so it is never charged later;
  ``INTEREST_ONLY`` keeps posting interest, not costs.
* **While a collective settlement runs** (Schuldenknooppunt, :func:`settled_by_proposal`): once
  we accepted a debt-help settlement proposal, the claims it covers are fixed at the amount the
  proposal was made on (the percentage is of that claim), so whatever the policy's choice no
  interest and no costs are posted on them until it is completed or called off; an interest
  period falling due meanwhile is closed with a zero line ("waived") and never charged later.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import attrs

from maatwerk.core.arrangements import ChargesDuringPlan
from maatwerk.core.arrangements._model import to_charges_during_plan
from maatwerk.core.calendar import BusinessCalendar, legal_deadline
from maatwerk.core.collection_costs import (
    FOURTEEN_DAYS,
    AanmaningParams,
    BikParams,
    CollectionCosts,
    CostsRefusal,
    FourteenDayLetter,
    Instalment,
    InstalmentRule,
    aanmaning_fee,
    collection_costs,
    costs_payable,
    periodic_collection_costs,
)
from maatwerk.core.debts import ClaimKind, CostLine, Debt, InterestKind, InterestLine
from maatwerk.core.events import (
    ArrangementAccepted,
    ArrangementBreached,
    ArrangementCompleted,
    ArrangementOffered,
    ArrangementRejected,
    DebtHelpEnded,
    DebtHelpKind,
    Event,
    FourteenDayLetterSent,
    SettlementAccepted,
    SettlementCompleted,
)
from maatwerk.core.interest import InterestTables, debt_interest
from maatwerk.core.limitation import debt_limitation
from maatwerk.core.money import Money, allocate
from maatwerk.core.records import Posting
from maatwerk.core.tables import DatedTable, TableVersion


__all__ = [
    "ChargeRules",
    "Charges",
    "aanmaning_postings",
    "case_charges",
    "covered_by_plan",
    "letter_costs",
    "month_start",
    "settled_by_proposal",
]

WAIVED_TABLE = "waived: arrangement kept (no new charges during the plan)"
WAIVED_SETTLEMENT_TABLE = "waived: collective settlement accepted (no new charges)"


@attrs.frozen(kw_only=True)
class ChargeRules:
    """The policy's choices and the tables the postings need (``None``: that charge is off)."""

    charge_interest: bool = True
    charge_costs: bool = True
    charges_during_plan: ChargesDuringPlan = attrs.field(
        default=ChargesDuringPlan.NONE, converter=to_charges_during_plan
    )
    interest: InterestTables | None = None
    bik: DatedTable[BikParams] | None = None
    aanmaning: DatedTable[AanmaningParams] | None = None
    atw: BusinessCalendar | None = None
    """the calendar the 14-day term is extended on (Algemene termijnenwet)"""
    instalments: DatedTable[InstalmentRule] | None = None
    """BW 6:96 lid 8 (``rules/bik_instalments.toml``); with it a letter about periodic claims
    counts the instalments reminded in the months before as one claim (:func:`letter_costs`)"""


@attrs.frozen(kw_only=True)
class Charges:
    """The postings due today and the next day on which one may fall due (``None``: none)."""

    postings: tuple[Posting, ...] = ()
    next_on: dt.date | None = None


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def covered_by_plan(events: Iterable[Event], today: dt.date) -> frozenset[str] | None:
    """The debt ids an arrangement kept on ``today`` covers; empty set: the whole case.

    ``None`` when no arrangement runs. Accepted and not breached, completed or rejected.
    """
    offered: dict[str, tuple[str, ...]] = {}
    running: dict[str, tuple[str, ...]] = {}
    for event in sorted((e for e in events if e.occurred_on <= today), key=lambda e: e.occurred_on):
        match event:
            case ArrangementOffered():
                offered[event.arrangement_id] = event.debt_ids
            case ArrangementAccepted():
                running[event.arrangement_id] = offered.get(event.arrangement_id, ())
            case ArrangementBreached() | ArrangementCompleted() | ArrangementRejected():
                running.pop(event.arrangement_id, None)
            case _:
                pass
    if not running:
        return None
    if any(not ids for ids in running.values()):
        return frozenset()
    return frozenset(d for ids in running.values() for d in ids)


def settled_by_proposal(events: Iterable[Event], today: dt.date) -> frozenset[str] | None:
    """The debt ids an accepted collective settlement that still runs on ``today`` covers;
    empty set: the whole case. ``None`` when none runs.

    Accepted (``SettlementAccepted``) and neither completed (``SettlementCompleted``) nor called
    off (a ``DebtHelpEnded`` of kind ``settlement`` ends each one accepted before it)."""
    running: dict[str, tuple[str, ...]] = {}
    for event in sorted((e for e in events if e.occurred_on <= today), key=lambda e: e.occurred_on):
        match event:
            case SettlementAccepted():
                running[event.proposal_id] = event.debt_ids
            case SettlementCompleted():
                running.pop(event.proposal_id, None)
            case DebtHelpEnded() if event.help_kind is DebtHelpKind.SETTLEMENT:
                running.clear()
            case _:
                pass
    if not running:
        return None
    if any(not ids for ids in running.values()):
        return frozenset()
    return frozenset(d for ids in running.values() for d in ids)


def _either(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
    """Debts paused by ``a`` or ``b`` (``None``: nothing paused; empty: the whole case)."""
    if a is None or b is None:
        return b if a is None else a
    return frozenset() if not a or not b else a | b


def _paused(debt_id: str, plan: frozenset[str] | None) -> bool:
    return plan is not None and (not plan or debt_id in plan)


#: Room for a ledger line's table label (the storage's ``table_version`` column).
TABLE_LABEL_LENGTH = 80


def _versions_label(versions: Sequence[TableVersion]) -> str:
    """The rate table versions of an interest line, within :data:`TABLE_LABEL_LENGTH`.

    A line over many years (a debt first seen long after default) uses many versions: then the
    first and the last one of the table and how many, e.g.
    ``statutory_interest_consumer@2015-01-01..2025-01-01 (5 versions)``.
    """
    if not versions:
        return "no interest due"
    label = ", ".join(str(v) for v in versions)
    if len(label) <= TABLE_LABEL_LENGTH:
        return label
    first, last = versions[0], versions[-1]
    mark = " (provisional)" if any(v.provisional for v in versions) else ""
    label = (
        f"{first.table}@{first.valid_from.isoformat()}..{last.valid_from.isoformat()} "
        f"({len(versions)} versions){mark}"
    )
    return label[:TABLE_LABEL_LENGTH]


def _interest(
    debt: Debt, today: dt.date, tables: InterestTables, *, waive: str
) -> tuple[Posting | None, dt.date | None]:
    """The interest line due today (``waive``: the waived line's label, empty: charged)."""
    if debt.interest_kind is InterestKind.NONE:
        return None, None
    start = debt.default_date
    last = max((line.period_to for line in debt.interest), default=start)
    period_to = month_start(today)
    if period_to <= last:
        return None, _next_month(today) if debt.outstanding.principal.is_positive else None
    if not debt.outstanding.principal.is_positive:
        return None, None
    if waive:
        line = InterestLine(
            posted_on=today,
            amount=Money.zero(debt.currency),
            period_from=last,
            period_to=period_to,
            table=waive,
        )
    else:
        before = debt_interest(debt, start=start, end=last, tables=tables).interest
        after = debt_interest(debt, start=start, end=period_to, tables=tables)
        line = InterestLine(
            posted_on=today,
            amount=(after.interest - before).clamp_zero(),
            period_from=last,
            period_to=period_to,
            table=_versions_label(after.tables),
        )
    key = f"interest:{last.isoformat()}:{period_to.isoformat()}"
    return Posting(debt_id=debt.debt_id, posting_key=key, line=line), _next_month(today)


@attrs.frozen(kw_only=True)
class LetterCosts:
    """The collection costs (BIK) of one 14-day letter and the claims they are on."""

    debts: tuple[Debt, ...]
    """the letter's private consumer claims with principal still open when it was sent"""
    base: tuple[Money, ...]
    """each claim's principal still open on that day (the base, and the weights of the split)"""
    costs: CollectionCosts


def _covered(
    debts: Sequence[Debt], debt_ids: Sequence[str], day: dt.date
) -> list[tuple[Debt, Money]]:
    """The private consumer claims of ``debt_ids`` with principal open on ``day``, and that."""
    found = [
        (d, d.principal_open_on(day))
        for d in debts
        if d.debt_id in debt_ids and d.kind is ClaimKind.PRIVATE and d.consumer
    ]
    return [(d, base) for d, base in found if base.is_positive]


def _earlier_instalments(
    debts: Sequence[Debt],
    covered: Sequence[Debt],
    events: Iterable[Event],
    sent_on: dt.date,
) -> list[Instalment]:
    """BW 6:96 lid 8: the periodic claims of the same relationship (same case and category)
    that an earlier 14-day letter reminded and that are still (partly) unpaid on ``sent_on``,
    each with its share of that letter's stated costs (split as the posting splits them)."""
    categories = {d.category for d in covered if d.periodic}
    now = {d.debt_id for d in covered}
    latest: dict[str, Instalment] = {}
    letters = sorted(
        (e for e in events if isinstance(e, FourteenDayLetterSent) and e.sent_on < sent_on),
        key=lambda e: e.sent_on,
    )
    for letter in letters:
        then = _covered(debts, letter.debt_ids, letter.sent_on)
        if not then:
            continue
        shares = allocate(letter.stated_costs, [base.amount for _, base in then])
        for (debt, _), share in zip(then, shares, strict=True):
            if debt.debt_id in now or not debt.periodic or debt.category not in categories:
                continue
            latest[debt.debt_id] = Instalment(
                debt_id=debt.debt_id,
                due_date=debt.due_date,
                unpaid=debt.principal_open_on(sent_on),
                reminded_on=letter.sent_on,
                costs_charged=share,
            )
    return list(latest.values())


def letter_costs(  # noqa: PLR0917 - the letter's facts, then the tables
    debts: Sequence[Debt],
    debt_ids: Sequence[str],
    sent_on: dt.date,
    bik: DatedTable[BikParams],
    events: Iterable[Event] = (),
    instalments: DatedTable[InstalmentRule] | None = None,
) -> LetterCosts | None:
    """The BIK a 14-day letter sent on ``sent_on`` for ``debt_ids`` states (and may later post).

    The base is the principal still open on the letter's day (BW 6:96, Besluit BIK art. 2;
    docs/rules/collection-costs.md): a part payment before the letter lowers the costs, one after
    it does not. Only private claims on a consumer count; ``None`` when no such claim is open.
    Several claims: the staffel on their sum (lid 7). With ``instalments`` (BW 6:96 lid 8, from
    2024-10-01) and a periodic claim among them, the instalments of the same relationship that
    the 14-day letters of ``events`` reminded in the months before and that are still unpaid
    count as one claim with these, less the costs those letters stated for them
    (:func:`~maatwerk.core.collection_costs.periodic_collection_costs`, provisional). The run
    states these costs in the letter and posts them after the term with this same function and
    the same events (those sent before the letter), so the two cannot differ.
    """
    covered = _covered(debts, debt_ids, sent_on)
    if not covered:
        return None
    base = tuple(amount for _, amount in covered)
    claims = tuple(d for d, _ in covered)
    if instalments is not None and any(d.periodic for d in claims):
        costs = periodic_collection_costs(
            base,
            _earlier_instalments(debts, claims, events, sent_on),
            letter_date=sent_on,
            table=bik,
            rules=instalments,
            current_ids=tuple(d.debt_id for d in claims),
        )
    else:
        costs = collection_costs(base, on=sent_on, table=bik)
    return LetterCosts(debts=claims, base=base, costs=costs)


def _letter_costs(  # noqa: PLR0917 - private helper, every argument needed
    letter: FourteenDayLetterSent,
    debts: Sequence[Debt],
    events: Sequence[Event],
    today: dt.date,
    tables: tuple[DatedTable[BikParams], BusinessCalendar, DatedTable[InstalmentRule] | None],
    plan: frozenset[str] | None,
    barred: frozenset[str],
) -> tuple[tuple[Posting, ...], dt.date | None]:
    bik, atw, instalments = tables
    found = letter_costs(debts, letter.debt_ids, letter.sent_on, bik, events, instalments)
    if found is None or not letter.stated_costs.is_positive:
        return (), None
    covered, costs = found.debts, found.costs
    if any(c.kind == "bik" for d in covered for c in d.costs):
        return (), None  # BIK once per claim, however many letters (6:96 lid 2 sub c)
    if any(d.debt_id in barred for d in covered):
        return (), None  # no costs on a time-barred claim (3:307-3:311, 3:312)
    last_day = legal_deadline(letter.received_on, FOURTEEN_DAYS, atw)
    paid = all(not d.outstanding.principal.is_positive for d in covered)
    paid_on = max((a.applied_on for d in covered for a in d.applied), default=None)
    decision = costs_payable(
        debt_id=covered[0].debt_id,
        claim_kind=ClaimKind.PRIVATE,
        consumer=True,
        default_date=max(d.default_date for d in covered),
        costs=costs.total,
        letter=FourteenDayLetter(
            sent_on=letter.sent_on,
            received_on=letter.received_on,
            stated_costs=letter.stated_costs,
            debt_ids=letter.debt_ids,
        ),
        on=today,
        atw_calendar=atw,
        paid_on=paid_on if paid else None,
    )
    if not decision.payable:
        if decision.refusals == (CostsRefusal.TERM_NOT_EXPIRED,):
            return (), last_day + dt.timedelta(days=1)
        return (), None
    if any(_paused(d.debt_id, plan) for d in covered):
        return (), None
    parts = allocate(costs.total, [amount.amount for amount in found.base])
    key = f"bik:{letter.sent_on.isoformat()}"
    return tuple(
        Posting(
            debt_id=d.debt_id,
            posting_key=key,
            line=CostLine(posted_on=today, amount=part, kind="bik", table=str(costs.table)),
        )
        for d, part in zip(covered, parts, strict=True)
        if part.is_positive
    ), None


def _limitation(
    debts: Sequence[Debt], events: Sequence[Event], today: dt.date
) -> tuple[frozenset[str], list[dt.date]]:
    """The open debts time-barred on ``today``, and the days the others may become so (the day
    after the original period, interrupted or not: the recorded acts are read only for a debt
    past it, as interruptions can only move the end later)."""
    barred: set[str] = set()
    days: list[dt.date] = []
    known: list[Event] | None = None
    for debt in debts:
        if not debt.is_open:
            continue
        last_day = debt_limitation(debt).last_day
        if today > last_day:
            if known is None:
                known = [e for e in events if e.occurred_on <= today]
            last_day = debt_limitation(debt, known).last_day
        if today > last_day:
            barred.add(debt.debt_id)
        else:
            days.append(last_day + dt.timedelta(days=1))
    return frozenset(barred), days


def case_charges(
    debts: Sequence[Debt], events: Sequence[Event], today: dt.date, rules: ChargeRules
) -> Charges:
    """Interest and BIK postings due on ``today`` for a case's debts (see the module docstring).

    A debt time-barred on ``today`` (BW 3:307-3:311, :func:`~maatwerk.core.limitation.time_barred`)
    gets neither: no interest line (interest does not outlive the claim, 3:312) and no costs; the
    day an open debt becomes time-barred is a day to look again (``next_on``).
    """
    plan = covered_by_plan(events, today)
    settled = settled_by_proposal(events, today)
    postings: list[Posting] = []
    barred, wake = _limitation(debts, events, today)
    if rules.charge_interest and rules.interest is not None:
        for debt in debts:
            if debt.debt_id in barred:
                continue
            if today < debt.default_date:
                if debt.interest_kind is not InterestKind.NONE:
                    wake.append(_next_month(debt.default_date))
                continue
            waive = ""
            if _paused(debt.debt_id, settled):
                waive = WAIVED_SETTLEMENT_TABLE
            elif (
                _paused(debt.debt_id, plan) and rules.charges_during_plan is ChargesDuringPlan.NONE
            ):
                waive = WAIVED_TABLE
            posting, next_on = _interest(debt, today, rules.interest, waive=waive)
            if posting is not None:
                postings.append(posting)
            if next_on is not None:
                wake.append(next_on)
    if rules.charge_costs and rules.bik is not None and rules.atw is not None:
        costs_plan = _either(
            plan if rules.charges_during_plan is not ChargesDuringPlan.INTEREST_AND_COSTS else None,
            settled,
        )
        for event in events:
            if isinstance(event, FourteenDayLetterSent) and event.occurred_on <= today:
                found, next_on = _letter_costs(
                    event,
                    debts,
                    events,
                    today,
                    (rules.bik, rules.atw, rules.instalments),
                    costs_plan,
                    barred,
                )
                postings.extend(found)
                if next_on is not None:
                    wake.append(next_on)
    return Charges(postings=tuple(postings), next_on=min(wake, default=None))


def aanmaning_postings(
    debts: Sequence[Debt], today: dt.date, rules: ChargeRules, events: Sequence[Event] = ()
) -> tuple[Posting, ...]:
    """The Awb 4:113 fee for each public claim a formal demand (aanmaning) sent today covers."""
    if not rules.charge_costs or rules.aanmaning is None:
        return ()
    plan = covered_by_plan(events, today)
    if rules.charges_during_plan is ChargesDuringPlan.INTEREST_AND_COSTS:
        plan = None
    plan = _either(plan, settled_by_proposal(events, today))
    result: list[Posting] = []
    for debt in debts:
        if debt.kind is not ClaimKind.PUBLIC or _paused(debt.debt_id, plan):
            continue
        fee = aanmaning_fee(debt.outstanding.principal, on=today, table=rules.aanmaning)
        if fee.fee.is_positive:
            result.append(
                Posting(
                    debt_id=debt.debt_id,
                    posting_key=f"aanmaning:{today.isoformat()}",
                    line=CostLine(
                        posted_on=today, amount=fee.fee, kind="aanmaning", table=str(fee.table)
                    ),
                )
            )
    return tuple(result)
