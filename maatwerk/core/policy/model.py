"""The policy model (incassobeleid): ordered steps with timing, conditions, limits and guards.

A :class:`Policy` is read from a TOML file by :mod:`maatwerk.adapters.policy_loader` and is a
frozen value from then on. Each :class:`Step` says *what* (an :class:`ActionKind`), *through
which channel* (a channel name a plugin provides), *when* (:class:`Timing`: a number of days on a
named calendar from an anchor that is one of the debt's own dates, never "when we last looked"),
*for whom* (:class:`Conditions`) and *how often* (``max_times``, ``align_to_payday``). The order
of the steps is the escalation ladder: a later step is more severe than an earlier one.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Final

import attrs

from maatwerk.core._convert import to_member, to_members
from maatwerk.core.arrangements import ChargesDuringPlan, PaymentMethod
from maatwerk.core.arrangements._model import to_charges_during_plan
from maatwerk.core.debts import ClaimKind
from maatwerk.core.events import ActionKind, ContactOutcome, ReturnReasonGroup
from maatwerk.core.events._vocabulary import to_action_kind
from maatwerk.core.money import Money


__all__ = [
    "ACTION_LABELS",
    "DISPUTE_OUTCOMES",
    "PLAN_ANCHORS",
    "PREREQUISITE_ACTIONS",
    "REACTIVE_ANCHORS",
    "REVIEW_BY_DEFAULT",
    "SCHEMA_VERSION",
    "SIDE_ACTIONS",
    "ActionKind",
    "Anchor",
    "Conditions",
    "MinDaysAfter",
    "Policy",
    "PolicySettings",
    "Step",
    "Timing",
]

SCHEMA_VERSION: Final = 1
"""The policy file format version this code reads (``schema = 1`` in the file)."""


# ---------------------------------------------------------------------- enum converters
# A value string becomes the member, anything else a ValueError (see maatwerk.core._convert).
def to_anchor(value: Anchor | str) -> Anchor:
    return value if type(value) is Anchor else to_member(Anchor, value)


def _claim_kind_tuple(values: Iterable[ClaimKind | str]) -> tuple[ClaimKind, ...]:
    return to_members(ClaimKind, values)


def _contact_outcome_tuple(values: Iterable[ContactOutcome | str]) -> tuple[ContactOutcome, ...]:
    return to_members(ContactOutcome, values)


def _payment_method_tuple(values: Iterable[PaymentMethod | str]) -> tuple[PaymentMethod, ...]:
    return to_members(PaymentMethod, values)


def _return_reason_group_tuple(
    values: Iterable[ReturnReasonGroup | str],
) -> tuple[ReturnReasonGroup, ...]:
    return to_members(ReturnReasonGroup, values)


class Anchor(enum.Enum):
    """The date a step's timing counts from; always one of the debt's (or case's) own dates."""

    DUE_DATE = "due-date"
    """vervaldatum of the debt"""
    DEFAULT_DATE = "default-date"
    """first day of default (verzuim, BW 6:81) of the debt"""
    PREVIOUS_STEP = "previous-step"
    """the day step ``after`` was taken for this debt (without ``after``: the latest step taken)"""
    PLAN_BREACH = "plan-breach"
    """the day the latest payment arrangement covering the debt was breached"""
    PROMISE_BROKEN = "promise-broken"
    """the day the latest promise to pay covering the debt was broken (the day after the
    promised day plus the policy's ``promise_grace_days``)"""
    PAYMENT_RETURNED = "payment-returned"
    """the day of the latest direct-debit return (stornering) for the debt"""
    INSTALMENT_MISSED = "instalment-missed"
    """the day the latest instalment of a running arrangement covering the debt became late
    (the plan is in grace: a missed-instalment reminder, not an escalation)"""
    ARRANGEMENT_ACCEPTED = "arrangement-accepted"
    """the day the latest running arrangement covering the debt was accepted (e.g. to hand a
    deduction-at-source plan to the ``source-deduction`` channel)"""
    THRESHOLD = "threshold"
    """the day the case's arrears first reached the step's ``min_arrears`` / ``min_arrears_months``
    (e.g. Zvw 18a: within 10 working days after 2 months' premium arrears)"""
    DISPUTE_RESOLVED = "dispute-resolved"
    """the day the latest dispute about the debt (or the whole case) was resolved (e.g. Zvw 18b
    lid 2: the second notice after a dispute the insurer maintains)"""
    DEBT_HELP_RESUMED = "debt-help-resumed"
    """the day collection resumes after a debt-help referral or debt help: the municipality
    answered no-contact or refused, debt help ended, or its response term ran out unanswered
    (``debt_help_response_days``). Such a step (a phone call) comes before any other step."""


#: Default labels per action kind (Dutch B1, English); a step may give its own titles.
ACTION_LABELS: Final[Mapping[ActionKind, tuple[str, str]]] = {
    ActionKind.COURTESY_REMINDER: ("vriendelijke herinnering", "courtesy reminder"),
    ActionKind.PAYMENT_REMINDER: ("betalingsherinnering", "payment reminder"),
    ActionKind.DIRECT_DEBIT: ("incasso van een termijn", "instalment direct debit"),
    ActionKind.DIRECT_DEBIT_REPRESENTATION: ("nieuwe incasso", "direct-debit re-presentation"),
    ActionKind.PHONE_CALL: ("telefoongesprek", "phone call"),
    ActionKind.ARRANGEMENT_OFFER: ("aanbod betalingsregeling", "arrangement offer"),
    ActionKind.ARRANGEMENT_CONFIRMATION: (
        "bevestiging betalingsregeling",
        "arrangement confirmation",
    ),
    ActionKind.DEBT_HELP_REFERRAL: ("doorverwijzing schuldhulp", "debt-help referral"),
    ActionKind.EARLY_SIGNAL: ("vroegsignaal aan de gemeente", "early signal to the municipality"),
    ActionKind.FOURTEEN_DAY_LETTER: ("veertiendagenbrief", "14-day letter"),
    ActionKind.ZVW_NOTICE: ("mededeling voornemen aanmelding CAK", "notice of intent to report"),
    ActionKind.FORMAL_DEMAND: ("aanmaning", "formal demand"),
    ActionKind.ZVW_REPORT: ("aanmelding bij het CAK", "report to CAK"),
    ActionKind.BAILIFF_HANDOVER: ("overdracht aan de deurwaarder", "bailiff hand-over"),
    ActionKind.WRITE_OFF: ("afboeken", "write-off"),
    ActionKind.CLOSE: ("dossier sluiten", "close the case"),
}

#: The outcomes a resolved dispute records (``DisputeResolved.outcome``): ``upheld`` (the claim
#: stands: the creditor maintains it), ``rejected`` (the claim is dropped), ``settled``.
DISPUTE_OUTCOMES: Final = ("upheld", "rejected", "settled")

#: Steps that need a person's approval unless the policy says otherwise.
REVIEW_BY_DEFAULT: Final = frozenset(
    {
        ActionKind.BAILIFF_HANDOVER,
        ActionKind.WRITE_OFF,
        ActionKind.EARLY_SIGNAL,
        ActionKind.ZVW_REPORT,
    }
)


#: Actions that are reactions, not rungs of the ladder (side steps).
SIDE_ACTIONS: Final = frozenset(
    {
        ActionKind.DEBT_HELP_REFERRAL,
        ActionKind.EARLY_SIGNAL,
        ActionKind.DIRECT_DEBIT_REPRESENTATION,
    }
)

#: Actions later rungs depend on (voorwaardelijke stappen): a personal call, an arrangement
#: offer, the 14-day letter (BW 6:96 lid 6) and the aanmaning (Awb 4:112). A prerequisite rung is
#: never skipped past: after a hold, or for a case first seen late, the lowest such rung not yet
#: taken comes first. A step may say otherwise with ``prerequisite = true/false``.
PREREQUISITE_ACTIONS: Final = frozenset(
    {
        ActionKind.PHONE_CALL,
        ActionKind.ARRANGEMENT_OFFER,
        ActionKind.FOURTEEN_DAY_LETTER,
        ActionKind.FORMAL_DEMAND,
    }
)

#: Anchors of steps that react to an event (a return, a missed instalment, a breached plan, a
#: broken promise): side steps too. A step anchored on such an event is never a rung a case must
#: catch up on: a case that never had the event would otherwise wait for it before every later
#: prerequisite (a call after a breach placed before the 14-day letter held the letter).
REACTIVE_ANCHORS: Final = frozenset(
    {
        Anchor.PAYMENT_RETURNED,
        Anchor.PLAN_BREACH,
        Anchor.INSTALMENT_MISSED,
        Anchor.ARRANGEMENT_ACCEPTED,
        Anchor.PROMISE_BROKEN,
        Anchor.DEBT_HELP_RESUMED,
    }
)

#: Anchors of steps that carry out a running arrangement (a missed-instalment reminder, the
#: deduction-at-source instruction): the arrangement-kept guard lets them through.
PLAN_ANCHORS: Final = frozenset({Anchor.INSTALMENT_MISSED, Anchor.ARRANGEMENT_ACCEPTED})


@attrs.frozen(kw_only=True)
class MinDaysAfter:
    """A minimum gap: the step is not due sooner than ``days`` after step ``step`` was done.

    ``days`` count on the step's own calendar from the day ``step`` was last done in the case's
    episode, by itself or by a side step standing in for it (a returned-offer stands in for the
    arrangement offer). It only ever moves a due day later: ``due = max(anchor + days,
    done + gap)``. While ``step`` has not been done in the episode the gap does not apply (a
    prerequisite rung not yet done is waited for anyway). Example: the 14-day letter at least
    14 days after the arrangement offer, so a case first seen late (or back from a hold) that
    catches up on its rungs still gives the debtor time to answer the offer.
    """

    step: str
    days: int


@attrs.frozen(kw_only=True)
class Timing:
    """``days`` on ``calendar`` from ``anchor`` (negative: before it, e.g. a courtesy reminder).

    ``within``: the step must be carried out within that many days (same calendar) after it
    became due (Zvw 18a: 10 working days); it is reported as the decision's ``due_by``.
    ``min_days_after``: never due sooner than that many days after an earlier step was done
    (:class:`MinDaysAfter`), in addition to the anchor.
    """

    anchor: Anchor = attrs.field(converter=to_anchor)
    days: int = 0
    calendar: str = "calendar"
    after: str | None = None
    within: int | None = None
    min_days_after: MinDaysAfter | None = None


@attrs.frozen(kw_only=True)
class Conditions:
    """All given conditions must hold (AND). Empty tuples and ``None`` mean "no condition".

    Case-level: ``min_arrears``/``max_arrears`` (outstanding principal of debts in default),
    ``min_arrears_months``/``max_arrears_months`` (in monthly premiums, excluding interest and
    costs, Zvw 18a), ``min_open_debts``/``max_open_debts``, ``min_other_creditors`` (other
    arrears the debtor told us about, seed 002), ``return_groups`` (group of the latest
    direct-debit return), ``segments`` (the debtor's segment), ``contact_outcomes`` (outcome of
    the latest contact attempt), ``arrangement_methods`` (how a running arrangement is paid:
    ``direct-debit``, ``source-deduction``, ``transfer``), ``dispute_outcomes`` (outcome of the
    latest resolved dispute, :data:`DISPUTE_OUTCOMES`), ``cannot_pay`` (``true``: the
    household cannot pay by its figures (net income at or below the protected income), said
    it cannot pay, or is recorded as problematic debt; ``false``: none of these;
    ``core/policy/household.py``), ``has_room`` (``true``: the household's figures show room
    above its protected income, or are not known; ``false``: they show none). Debt-level filters: ``claim_kinds``, ``categories``,
    ``consumer_only``.
    """

    min_arrears: Money | None = None
    max_arrears: Money | None = None
    min_arrears_months: Decimal | None = None
    max_arrears_months: Decimal | None = None
    min_open_debts: int | None = None
    max_open_debts: int | None = None
    min_other_creditors: int | None = None
    return_groups: tuple[ReturnReasonGroup, ...] = attrs.field(
        default=(), converter=_return_reason_group_tuple
    )
    segments: tuple[str, ...] = ()
    contact_outcomes: tuple[ContactOutcome, ...] = attrs.field(
        default=(), converter=_contact_outcome_tuple
    )
    arrangement_methods: tuple[PaymentMethod, ...] = attrs.field(
        default=(), converter=_payment_method_tuple
    )
    dispute_outcomes: tuple[str, ...] = ()
    cannot_pay: bool | None = None
    has_room: bool | None = None
    claim_kinds: tuple[ClaimKind, ...] = attrs.field(default=(), converter=_claim_kind_tuple)
    categories: tuple[str, ...] = ()
    consumer_only: bool = False

    def __attrs_post_init__(self) -> None:
        unknown = sorted(set(self.dispute_outcomes) - set(DISPUTE_OUTCOMES))
        if unknown:
            raise ValueError(
                f"unknown dispute outcome {unknown[0]!r}; known: {', '.join(DISPUTE_OUTCOMES)}"
            )

    @functools.cached_property
    def case_level(self) -> bool:
        """Whether any case-level condition is given (the debt-level filters aside).

        Computed once per value (conditions are frozen): most steps have none, and the engine
        then has nothing to check for them.
        """
        limits = (
            self.min_arrears,
            self.max_arrears,
            self.min_arrears_months,
            self.max_arrears_months,
            self.min_open_debts,
            self.max_open_debts,
            self.min_other_creditors,
            self.cannot_pay,
            self.has_room,
        )
        listed = (self.return_groups, self.segments, self.contact_outcomes, self.dispute_outcomes)
        return any(v is not None for v in limits) or any(listed) or bool(self.arrangement_methods)

    @functools.cached_property
    def filters_debts(self) -> bool:
        """Whether a debt-level filter is given (``claim_kinds``, ``categories``, ``consumer_only``)."""
        return bool(self.claim_kinds or self.categories or self.consumer_only)


@attrs.frozen(kw_only=True)
class Step:
    """One rung of the ladder (stap).

    ``max_times``: how often the step may be taken in one case episode (from the first step
    after the last ``close``; default once), or, for a direct-debit re-presentation, for one
    debt; a repeat also needs a new anchor date after the last time. ``align_to_payday``: the due day moves to the
    debtor's payday on or after it (then to an open day of the step's calendar).
    ``charges_costs``: the step charges collection costs (needs an expired 14-day letter).
    ``guards``: extra guards for this step beyond their default scope. ``params``: plain strings
    handed to the channel (e.g. ``plan = "capacity"``, ``bank_garnishment = "no"``).
    """

    id: str
    action: ActionKind = attrs.field(converter=to_action_kind)
    channel: str
    timing: Timing
    conditions: Conditions = Conditions()
    max_times: int = 1
    align_to_payday: bool = False
    review: bool = False
    charges_costs: bool = False
    guards: tuple[str, ...] = ()
    params: tuple[tuple[str, str], ...] = ()
    title_nl: str = ""
    title_en: str = ""
    side: bool | None = None
    """``None``: derived (see :attr:`is_side`); ``True``/``False`` as the policy says"""
    prerequisite: bool | None = None
    """``None``: derived from the action (:data:`PREREQUISITE_ACTIONS`); see :attr:`is_prerequisite`"""

    def title(self, lang: str) -> str:
        if lang == "nl":
            return self.title_nl or ACTION_LABELS[self.action][0]
        return self.title_en or ACTION_LABELS[self.action][1]

    @functools.cached_property
    def is_side(self) -> bool:
        """A side step (zijstap): a reaction, not a rung of the ladder.

        Its action is a :data:`SIDE_ACTIONS` one (referral, early signal, re-presentation) or
        its anchor reacts to an event (:data:`REACTIVE_ANCHORS`: a could-not-pay return, a
        missed instalment, a breached plan, a broken promise). A side step is never passed by a later rung and passes nothing.
        """
        if self.side is not None:
            return self.side
        return self.action in SIDE_ACTIONS or self.timing.anchor in REACTIVE_ANCHORS

    @functools.cached_property
    def is_prerequisite(self) -> bool:
        """A rung later rungs depend on: it is caught up on before any later rung is taken.

        Computed once per value (steps are frozen), like :attr:`is_side`.
        """
        if self.is_side or self.action in (ActionKind.CLOSE, ActionKind.WRITE_OFF):
            return False
        if self.prerequisite is not None:
            return self.prerequisite
        return self.action in PREREQUISITE_ACTIONS


@attrs.frozen(kw_only=True)
class PolicySettings:
    """Policy-wide choices (not law): thresholds and guard switches.

    ``bailiff_min_amount``: no bailiff below this outstanding amount. ``amicable_track_days``:
    the short amicable track (verkort minnelijk traject, seed 002) that must have run since the
    previous step before a bailiff hand-over. ``problematic_other_creditors``: with this many
    other creditors in arrears, the case counts as problematic debt. ``disabled_guards``: guards
    switched off for this policy (mandatory guards cannot be switched off). The charge
    settings decide what the daily run posts (``core/charges.py``). ``promise_grace_days``:
    how long after a promised day a promise to pay still holds escalation and can be kept.
    ``debt_help_response_days``: how long a debt-help referral pauses the case while the
    municipality answers (default 28: Wgs art. 4 lid 1 sub b, a first conversation within 4
    weeks of the signal). ``costs_when_cannot_pay``: ``false`` charges no collection costs
    (no BIK stated or posted, no aanmaning fee) to a household that cannot pay.
    """

    bailiff_min_amount: Money = Money.zero()
    amicable_track_days: int = 14
    problematic_other_creditors: int = 2
    disabled_guards: tuple[str, ...] = ()
    charge_interest: bool = True
    """post statutory interest monthly (the law allows it; ``false``: never charge it)"""
    charge_costs: bool = True
    """post collection costs: BIK after an expired 14-day letter, the aanmaning fee on a
    public claim's formal demand (``false``: never charge them)"""
    charges_during_plan: ChargesDuringPlan = attrs.field(
        default=ChargesDuringPlan.NONE, converter=to_charges_during_plan
    )
    """what is still charged while an arrangement is kept (default: nothing new)"""
    promise_grace_days: int = 0
    """days after a promised payment day that escalation still waits and a payment still keeps
    the promise (a transfer takes a working day or two); the promise is broken the day after"""
    letter_receipt_days: int | None = None
    """days a letter is under way before it counts as received (``None``: the dated table
    ``postal_delivery``); receipt is the first delivery day on or after sending + these days"""
    saturday_delivery: bool | None = None
    """whether the post delivers letters on Saturday (``None``: the ``postal_delivery`` table)"""
    monday_delivery: bool | None = None
    """whether the post delivers letters on Monday (``None``: the ``postal_delivery`` table)"""
    debt_help_response_days: int = 28
    """days a referral waits for the municipality's answer (Wgs art. 4 lid 1 sub b: 4 weeks)"""
    costs_when_cannot_pay: bool = True
    """``false``: no collection costs for a household that cannot pay (humane)"""
    refused_retry_days: int = 7
    """days a step whose action was refused at delivery (``StepRefused``) waits before it is
    decided again (the ``refused-retry`` guard; ``0``: the next run decides it again)"""

    def __attrs_post_init__(self) -> None:
        if self.promise_grace_days < 0:
            raise ValueError("promise_grace_days cannot be negative")
        if self.refused_retry_days < 0:
            raise ValueError("refused_retry_days cannot be negative")


@attrs.frozen(kw_only=True)
class Policy:
    """A versioned escalation policy (incassobeleid)."""

    name: str
    version: str
    schema: int = SCHEMA_VERSION
    title: str = ""
    description: str = ""
    settings: PolicySettings = PolicySettings()
    steps: tuple[Step, ...] = ()
    source: str = ""
    """where it was read from (a file path), for messages"""

    @property
    def label(self) -> str:
        """``name@version``, recorded with every step taken."""
        return f"{self.name}@{self.version}"

    @functools.cached_property
    def ranks(self) -> Mapping[str, int]:
        """Each step id's position on the ladder (its first, should an id repeat).

        Computed once per value (a policy is frozen): the engine looks steps up by id many
        times per evaluation.
        """
        ranks: dict[str, int] = {}
        for index, step in enumerate(self.steps):
            ranks.setdefault(step.id, index)
        return ranks

    def step(self, step_id: str) -> Step:
        return self.steps[self.rank(step_id)]

    def rank(self, step_id: str) -> int:
        """Position on the ladder (0 = mildest); ``KeyError`` for an unknown id."""
        return self.ranks[step_id]
