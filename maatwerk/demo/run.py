"""The demo through the real daily run (demo via de echte dagelijkse run).

:func:`run_demo` drives a synthetic portfolio that is already imported into a store through
``days`` consecutive days of the production pipeline. Each day:

1. the households act, per their behaviour profile (:mod:`maatwerk.demo.households` decides what
   each one does; ``maatwerk/demo/demo_behaviour.toml``, described in
   ``docs/simulation-model.md``): bills due today are
   paid or not; a direct debit that fails comes back from the bank; a household pays its arrears
   after a letter or a promise, pays its plan's instalments, answers an arrangement offer; the
   bailiff collects or returns the dossier;
2. what the organisation would record is recorded the way it records it: payments as an import
   file (``io.record_payments``), bank returns as a camt.054 file read back and matched with
   :func:`maatwerk.core.returns.match_returns` (``io.bank_returns``), contacts, consents,
   disputes and arrangements through :mod:`maatwerk.services.recording`; a household that
   stops paying its plan simply pays no more instalments (the run, not the demo, judges the plan
   and records it completed or breached: ``maatwerk.services.run.arrangements``);
3. steps that waited for review since yesterday are approved by a second person
   (``settings.reviewer``); the daily run (``io.run``) evaluates every case and dispatches the
   outbox to the channels;
4. the households meet the day's outbox: letters open a response window, the phone work list is
   called, an arrangement offer is answered after some days, a bailiff dossier starts.

Deterministic for a seed: each household has its own ``random.Random`` streams keyed by seed and
household (not by policy: the simulation, :mod:`maatwerk.demo.simulation`, runs these households
once per policy with the same luck); the run itself is deterministic for a date. No clock.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Final, Protocol

import attrs

from maatwerk.core.debts import Debt, Payment
from maatwerk.core.errors import MaatwerkError
from maatwerk.core.events import (
    ArrangementRejected,
    ConsentScope,
    ContactChannel,
    ContactOutcome,
    DebtHelpKind,
    DebtHelpStarted,
)
from maatwerk.core.money import Money
from maatwerk.core.ports import Store
from maatwerk.core.records import CaseKey, OutboxStatus, ReviewStatus
from maatwerk.core.returns import (
    MatchStatus,
    ReturnedCollection,
    SentCollection,
    match_returns,
    returned_event,
)
from maatwerk.core.subsistence import SubsistenceTables
from maatwerk.demo.households import RETURN_REASON, BankReturn, Home, Plan
from maatwerk.demo.synthetic import (
    BehaviourParams,
    PaymentMethod,
    Portfolio,
    Profile,
)
from maatwerk.services import recording, review
from maatwerk.services.run import RunSummary


__all__ = ["DemoDay", "DemoIO", "DemoResult", "DemoSettings", "run_demo"]

_DAY: Final = dt.timedelta(days=1)
_LETTERS: Final = frozenset(
    {
        "courtesy-reminder",
        "payment-reminder",
        "fourteen-day-letter",
        "formal-demand",
        "zvw-notice",
    }
)


#: The demo's payers for households paid by deduction at source: two benefit agencies and an
#: employer (a made-up loonheffingennummer).
DEMO_PAYERS: Final = (
    ("UWV", "UWV (demo)"),
    ("SVB", "SVB (demo)"),
    ("999999990L01", "Demo Werkgever B.V."),
)


def demo_payer(debtor_id: str) -> tuple[str, str]:
    """The payer (id, name) of a household paid by deduction at source, fixed per debtor."""
    return DEMO_PAYERS[zlib.crc32(debtor_id.encode("utf-8")) % len(DEMO_PAYERS)]


class DemoIO(Protocol):
    """What the demo needs from the outside: the imports, the bank file and the daily run."""

    def record_payments(self, day: dt.date, payments: Sequence[Payment]) -> int:
        """Import the day's received payments (as a payments file); returns the rows imported."""
        ...

    def record_remittances(self, day: dt.date, remitted: Sequence[tuple[str, Payment]]) -> int:
        """Import what payers deducted at source and remitted today, ``(payer id, payment)``,
        as a remittance file per payer (``maatwerk import remittance``); returns the rows."""
        ...

    def bank_returns(
        self, day: dt.date, returns: Sequence[BankReturn]
    ) -> Sequence[ReturnedCollection]:
        """Write the day's returns as a bank file and read it back (as the import would)."""
        ...

    def import_returns(self, day: dt.date, returns: Sequence[BankReturn]) -> int:
        """Write returns of collections *we* sent (pain.008) as a bank file and import it with
        ``maatwerk import returns``; returns how many were recorded."""
        ...

    def end_to_end_id(self, action_id: str) -> str:
        """The EndToEndId the SEPA channel wrote for the outbox row ``action_id``."""
        ...

    def run(self, day: dt.date) -> RunSummary:
        """The daily run for ``day`` with dispatch to the channels."""
        ...


@attrs.frozen(kw_only=True)
class DemoSettings:
    """Timing and reaction assumptions of the demo households (all [A]; the simulation runs these same households)."""

    start: dt.date
    days: int
    seed: int
    response_window: int = 14
    promise_days: int = 7
    offer_response_days: int = 10
    letter_delivery_days: int = 2
    bailiff_days: int = 42
    dispute_share: float = 0.1
    """share of won't-pay households reached by phone that dispute the bill"""
    dispute_days: int = 21
    """days until a dispute is resolved (the bill stands)"""
    consent_share: float = 0.8
    """share of can't-pay households reached by phone that consent to a referral"""
    debt_help_share: float = 0.5
    """share of referred households that start debt help"""
    reviewer: str = "demo-checker"
    """the second person who approves steps that need review (four eyes)"""


@attrs.define
class DemoDay:
    """What happened on one demo day."""

    day: dt.date
    payments: int = 0
    returns: int = 0
    recorded: Counter[str] = attrs.Factory(Counter)
    summary: RunSummary | None = None


@attrs.frozen(kw_only=True)
class DemoResult:
    """Every day of the demo and every action the run took (for the summary and for tests)."""

    days: tuple[DemoDay, ...]
    actions: tuple[tuple[dt.date, str, str, str, str], ...]
    """(run date, debtor, step, action, channel) of every outbox row, in order"""

    @property
    def totals(self) -> Counter[str]:
        result: Counter[str] = Counter()
        for day in self.days:
            result["payments"] += day.payments
            result["returns"] += day.returns
            result.update(day.recorded)
            if day.summary is not None:
                result.update({f"action:{k}": v for k, v in day.summary.actions_per_kind.items()})
                result.update(
                    {f"blocked:{k}": v for k, v in day.summary.blocked_per_reason.items()}
                )
                result.update({f"dispatch:{k}": v for k, v in day.summary.dispatched.items()})
        return result


class _Driver:
    """The days of the demo: the households act, that is recorded, the daily run runs."""

    def __init__(
        self,
        store: Store,
        io: DemoIO,
        settings: DemoSettings,
        *,
        creditor: str,
        homes: Sequence[Home],
        bills: Sequence[Debt],
    ) -> None:
        self.store = store
        self.io = io
        self.settings = settings
        self.creditor = creditor
        #: each household's creditor (it is on one product line, billed by one creditor)
        self.creditors = {debt.debtor_id: debt.creditor_id for debt in bills}
        self.homes = {h.debtor_id: h for h in homes}
        self.due: dict[dt.date, list[Debt]] = defaultdict(list)
        for debt in bills:
            self.due[debt.due_date].append(debt)
        self.actions: list[tuple[dt.date, str, str, str, str]] = []

    def _case(self, debtor_id: str) -> CaseKey:
        return CaseKey(debtor_id, self.creditors.get(debtor_id, self.creditor))

    def _owed(self, keys: Sequence[CaseKey], day: dt.date) -> dict[str, Money]:
        """What each debtor owes on bills due by ``day``, less payments not yet applied."""
        owed: dict[str, Money] = {}
        for stored in self.store.load_cases(keys):
            due = sum(
                (d.outstanding.total for d in stored.case.open_debts if d.due_date <= day),
                Money.zero(),
            )
            waiting = sum((p.amount for p in stored.payments), Money.zero())
            owed[stored.debtor.debtor_id] = (due - waiting).clamp_zero()
        return owed

    # -- one day --------------------------------------------------------------------------
    def day(self, day: dt.date) -> DemoDay:
        record = DemoDay(day=day)
        payments: list[Payment] = []
        remitted: list[tuple[str, Payment]] = []
        returns: list[BankReturn] = []
        sent: list[SentCollection] = []
        self._bills_due(day, payments, returns, sent)
        lump: list[Home] = []
        garnished: list[Home] = []
        sepa_returns: list[BankReturn] = []
        for home in self.homes.values():
            if home.deceased:
                continue
            payer = home.plan.payer_id if home.plan is not None else None
            instalment = home.plan_instalment(day)
            if instalment is not None and payer is not None:
                remitted.append((payer, home.payment(day, instalment)))  # the payer remits
            elif instalment is not None:
                payments.append(home.payment(day, instalment))
            if home.bailiff_collects(day):
                # within the protected income, or a bank garnishment (below)
                (garnished if home.bank_garnishment else lump).append(home)
            if home.dispute is not None and home.dispute[1] == day:
                recording.resolve_dispute(
                    self.store, home.debtor_id, home.dispute[0], outcome="bill stands", on=day,
                    by="demo-service-desk",
                )  # fmt: skip
                home.dispute = None
                record.recorded["disputes resolved"] += 1
            if home.offer_on == day:
                home.offer_on = None
                fixed, home.fixed_offer = home.fixed_offer, None
                self._answer_offer(home, day, record, by_phone=False, fixed=fixed)
            if home.representation is not None and home.representation[0] == day:
                if home.synthetic.profile in (Profile.CANT_PAY, Profile.VULNERABLE):
                    sepa_returns.append(home.representation[1])
                else:
                    lump.append(home)
                home.representation = None
            elif (
                home.unpaid
                and home.plan is None
                and home.bailiff_until is None
                and home.pays_late_today(
                    day,
                    response_window=self.settings.response_window,
                    promise_days=self.settings.promise_days,
                )
            ):
                lump.append(home)
        if lump or garnished:
            collect = [(h, False) for h in lump] + [(h, True) for h in garnished]
            owed = self._owed([self._case(h.debtor_id) for h, _ in collect], day)
            for home, garnishment in collect:
                amount = owed.get(home.debtor_id, Money.zero())
                # a bank garnishment takes it all at once, whatever the household can spare
                if amount.is_positive and (garnishment or home.can_pay_lump(amount)):
                    payments.append(home.payment(day, amount))
                    home.unpaid.clear()
        if payments:
            record.payments = self.io.record_payments(day, payments)
        if remitted:
            record.payments += self.io.record_remittances(day, remitted)
        if returns:
            record.returns += self._returns(day, returns, sent)
        if sepa_returns:
            record.returns += self.io.import_returns(day, sepa_returns)
        # yesterday's steps waiting for review are approved in the morning, then dispatched
        for item in self.store.reviews(ReviewStatus.PENDING):
            review.approve(self.store, item.review_id, by=self.settings.reviewer, on=day)
            record.recorded["reviews approved"] += 1
        record.summary = self.io.run(day)
        self._outbox(day, record)
        return record

    def _bills_due(
        self,
        day: dt.date,
        payments: list[Payment],
        returns: list[BankReturn],
        sent: list[SentCollection],
    ) -> None:
        for bill in self.due.get(day, ()):
            home = self.homes[bill.debtor_id]
            if home.pays_on_time(bill):
                payments.append(home.payment(day, bill.principal))
                continue
            home.unpaid.add(bill.debt_id)
            syn = home.synthetic
            if syn.method is PaymentMethod.DIRECT_DEBIT:
                e2e = f"DD-{bill.debt_id}"
                sent.append(
                    SentCollection(
                        collection_id=e2e,
                        debtor_id=bill.debtor_id,
                        end_to_end_id=e2e,
                        mandate_id=syn.mandate_id,
                        amount=bill.principal,
                        collection_date=day,
                        debt_id=bill.debt_id,
                    )
                )
                returns.append(
                    BankReturn(
                        end_to_end_id=e2e,
                        mandate_id=syn.mandate_id,
                        amount=bill.principal,
                        reason=RETURN_REASON[syn.profile],
                        booking_date=day + _DAY,
                        creditor_id=bill.creditor_id,
                    )
                )

    def _returns(
        self, day: dt.date, returns: Sequence[BankReturn], sent: Sequence[SentCollection]
    ) -> int:
        read = self.io.bank_returns(day, returns)
        matches = match_returns(read, sent)
        events = [returned_event(m, occurred_on=day) for m in matches if m.matched]
        unmatched = [m for m in matches if m.status is not MatchStatus.MATCHED]
        if unmatched:
            raise MaatwerkError(f"{len(unmatched)} demo return(s) did not match a collection")
        self.store.append(events, idempotency_key=f"demo-returns:{day.isoformat()}")
        return len(events)

    def _answer_offer(
        self,
        home: Home,
        day: dt.date,
        record: DemoDay,
        *,
        by_phone: bool,
        fixed: tuple[int, Money] | None = None,
    ) -> None:
        if home.plan is not None:
            return
        # one draw decides: below accept_unfit the household takes any plan, below accept_offer
        # only one that fits what it can spare (accept_unfit <= accept_offer; seed 003)
        draw = home.rng.random()
        if draw >= home.params.accept_offer:
            return
        owed = self._owed([self._case(home.debtor_id)], day).get(home.debtor_id, Money.zero())
        if not owed.is_positive:
            return
        capacity = home.capacity(owed)
        # a household paid by deduction at source (payment method source-deduction) has its
        # employer or benefit agency deduct the instalments; it agrees by accepting the offer
        payer = (
            demo_payer(home.debtor_id)
            if home.synthetic.method is PaymentMethod.SOURCE_DEDUCTION and fixed is None
            else None
        )
        creditor_id = self._case(home.debtor_id).creditor_id
        # an answer to an offer letter accepts the plan the letter stated (recorded when it was
        # delivered), exactly as offered; a call, a letter that named no plan, or a household
        # asking for a deduction at source agrees a plan on the phone
        offer = (
            None
            if by_phone or payer
            else recording.open_offer(self.store, home.debtor_id, creditor_id=creditor_id, on=day)
        )
        if offer is not None:
            record.recorded["offer letters answered"] += 1
        else:
            try:
                offer = recording.propose_arrangement_for(
                    self.store, home.debtor_id, creditor_id=creditor_id, capacity=capacity, on=day,
                    by="demo-phone" if by_phone else "demo-service-desk", fixed=fixed,
                    method="deduction" if payer else None,
                    payer_id=payer[0] if payer else None, payer_name=payer[1] if payer else None,
                )  # fmt: skip
            except MaatwerkError:
                record.recorded["no plan fits (BVV)"] += 1
                return
        instalment = offer.instalment or owed
        fits = instalment <= capacity
        if not fits and draw >= home.params.accept_unfit:
            # the instalment is more than the household can spare: declined
            self.store.append(
                [
                    ArrangementRejected(
                        occurred_on=day,
                        debtor_id=home.debtor_id,
                        recorded_by="demo-service-desk",
                        arrangement_id=offer.arrangement_id,
                    )
                ]
            )
            record.recorded["offers declined (above capacity)"] += 1
            return
        recording.accept_arrangement(
            self.store, home.debtor_id, offer.arrangement_id, on=day, by="demo-service-desk"
        )
        first = offer.schedule[0][0] if offer.schedule else day + dt.timedelta(days=7)
        home.plan = Plan(
            instalment=instalment,
            left=offer.instalments or 1,
            # a payer deducts on the same day of each month (at most the 28th)
            next_due=first.replace(day=min(first.day, 28)) if payer else first,
            fits=fits,
            payer_id=payer[0] if payer else None,
            amounts=tuple(amount for _day, amount in offer.schedule),
            # the household pays on the plan's dates (a payer deducts monthly by itself)
            dues=() if payer else tuple(due for due, _ in offer.schedule[1:]),
        )
        record.recorded["arrangements accepted"] += 1

    # -- the households meet the day's outbox ----------------------------------------------
    def _outbox(self, day: dt.date, record: DemoDay) -> None:
        for item in self.store.outbox_items(day):
            entry = item.entry
            self.actions.append(
                (day, entry.case.debtor_id, entry.step, entry.action, entry.channel)
            )
            home = self.homes.get(entry.case.debtor_id)
            if home is None or home.deceased:
                continue
            action = entry.action
            if action in _LETTERS:
                start = day + dt.timedelta(days=self.settings.letter_delivery_days)
                home.window_until = start + dt.timedelta(days=self.settings.response_window)
            elif action == "phone-call":
                self._call(home, day, record)
            elif (
                action == "arrangement-offer"
                and entry.channel != "source-deduction"  # an instruction to the payer
                and home.plan is None
            ):
                home.offer_on = day + dt.timedelta(days=self.settings.offer_response_days)
                home.fixed_offer = _fixed_plan(entry.payload)
            elif action in ("debt-help-referral", "early-signal"):
                if home.rng.random() < self.settings.debt_help_share:
                    self.store.append(
                        [
                            DebtHelpStarted(
                                occurred_on=day,
                                debtor_id=home.debtor_id,
                                help_kind=DebtHelpKind.DEBT_HELP,
                                recorded_by="demo-municipality",
                            )
                        ]
                    )
                    record.recorded["debt help started"] += 1
            elif action == "bailiff-handover" and home.bailiff_until is None:
                home.bailiff_until = day + dt.timedelta(days=self.settings.bailiff_days)
                home.bank_garnishment = entry.payload.get("bank_garnishment", "yes") != "no"
            elif action == "direct-debit-representation" and item.status is OutboxStatus.DONE:
                collection = entry.payload.get("collection_date")
                amount = entry.payload.get("amount")
                when = collection if isinstance(collection, dt.date) else day + _DAY
                home.representation = (
                    max(when, day + _DAY),
                    BankReturn(
                        end_to_end_id=self.io.end_to_end_id(entry.idempotency_key),
                        mandate_id=str(entry.payload.get("mandate_id", "")),
                        amount=Money(amount) if isinstance(amount, Decimal) else Money.zero(),
                        reason=RETURN_REASON[home.synthetic.profile],
                        booking_date=max(when, day + _DAY),
                        creditor_id=entry.case.creditor_id,
                    ),
                )
            elif action == "write-off":
                home.unpaid.clear()

    def _call(self, home: Home, day: dt.date, record: DemoDay) -> None:
        outcome = home.answers_call(day, promise_days=self.settings.promise_days)
        # a promise is to pay what is owed on the bills due so far, by the promised day
        owed = (
            self._owed([self._case(home.debtor_id)], day).get(home.debtor_id)
            if outcome is ContactOutcome.PROMISE
            else None
        )
        if owed is not None and owed.is_positive and home.promise_until is not None:
            recording.log_promise(
                self.store, home.debtor_id, channel=ContactChannel.PHONE,
                promised_on=home.promise_until, amount=owed, note="demo call", on=day,
                by="demo-phone",
            )  # fmt: skip
        else:
            if outcome is ContactOutcome.PROMISE:
                outcome = ContactOutcome.REACHED  # nothing owed on a bill due yet
            recording.log_contact(
                self.store, home.debtor_id, channel=ContactChannel.PHONE, outcome=outcome,
                note="demo call", on=day, by="demo-phone",
            )  # fmt: skip
        record.recorded[f"call {outcome.value}"] += 1
        if outcome is ContactOutcome.CANT_PAY:
            if home.rng.random() < self.settings.consent_share:
                for scope in (ConsentScope.DEBT_HELP_REFERRAL, ConsentScope.EARLY_SIGNAL):
                    recording.add_consent(
                        self.store, home.debtor_id, scope=scope, on=day, by="demo-phone"
                    )
                record.recorded["consents"] += 1
            self._answer_offer(home, day, record, by_phone=True)
        elif (
            outcome is ContactOutcome.WONT_PAY
            and home.dispute is None
            and home.rng.random() < self.settings.dispute_share
        ):
            dispute = recording.open_dispute(
                self.store, home.debtor_id, reason="disputes the bill", on=day,
                by="demo-phone",
            )  # fmt: skip
            home.dispute = (
                dispute.dispute_id,
                day + dt.timedelta(days=self.settings.dispute_days),
            )
            record.recorded["disputes opened"] += 1


def _fixed_plan(payload: Mapping[str, object]) -> tuple[int, Money] | None:
    """(months, minimum) of an offer step with ``plan = "fixed"`` (the classic rule), else None."""
    if payload.get("plan") != "fixed":
        return None
    return int(str(payload.get("months", "6"))), Money(
        str(payload.get("minimum_instalment", "50.00"))
    )


def run_demo(
    store: Store,
    io: DemoIO,
    *,
    portfolio: Portfolio,
    behaviour: BehaviourParams,
    subsistence: SubsistenceTables,
    settings: DemoSettings,
    progress: Callable[[int], None] | None = None,
) -> DemoResult:
    """Run ``settings.days`` days from ``settings.start`` (see the module docstring)."""
    if settings.days < 1:
        raise ValueError("days must be at least 1")
    homes = [
        Home.new(
            index,
            household,
            behaviour.profiles[household.profile],
            subsistence,
            start=settings.start,
            seed=settings.seed,
        )
        for index, household in enumerate(portfolio.households)
    ]
    driver = _Driver(
        store, io, settings, creditor=portfolio.creditor_id, homes=homes, bills=portfolio.debts
    )
    days: list[DemoDay] = []
    for offset in range(settings.days):
        days.append(driver.day(settings.start + dt.timedelta(days=offset)))
        if progress is not None:
            progress(1)
    return DemoResult(days=tuple(days), actions=tuple(driver.actions))
