"""The guard API: :class:`GuardSpec`, :class:`GuardRegistry`, :class:`GuardContext`,
:class:`PolicyTables`, and the declaration of a built-in check (:func:`_builtin`).

:class:`PolicyTables` lives here, with the guard API, because the two refer to each other: a
guard sees the tables in its :class:`GuardContext`, and the tables carry the registry (by default
the built-in guards, which the package collects from its check modules).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Final, Protocol, TypeVar

import attrs

from maatwerk.core._convert import to_members
from maatwerk.core.calendar import (
    CALENDAR,
    Calendars,
    PostalDelivery,
    plain_calendar,
)
from maatwerk.core.collection_costs import FOURTEEN_DAYS
from maatwerk.core.debts import Debt
from maatwerk.core.events import (
    ActionKind,
    ConsentScope,
)
from maatwerk.core.letter_dates import AANMANING_DAYS, LetterTerms
from maatwerk.core.limitation import LimitationResult
from maatwerk.core.policy import text
from maatwerk.core.policy.casefile import CaseState
from maatwerk.core.policy.model import Policy, Step
from maatwerk.core.policy.reasons import Reason, Verdict


_DAY: Final = dt.timedelta(days=1)

#: Steps with legal or financial consequences for the debtor.
HARD_ACTIONS: Final = frozenset(
    {
        ActionKind.DIRECT_DEBIT_REPRESENTATION,
        ActionKind.FOURTEEN_DAY_LETTER,
        ActionKind.FORMAL_DEMAND,
        ActionKind.BAILIFF_HANDOVER,
    }
)
#: Written steps that count as a reminder before an early signal (Besluit gemeentelijke
#: schuldhulpverlening art. 2; the ``early-signal-steps`` guard, and the early signal's payload).
WRITTEN_REMINDERS: Final = frozenset(
    {
        ActionKind.PAYMENT_REMINDER,
        ActionKind.ARRANGEMENT_OFFER,
        ActionKind.FOURTEEN_DAY_LETTER,
        ActionKind.FORMAL_DEMAND,
        ActionKind.ZVW_NOTICE,
    }
)
_ALL_BUT_CLOSE: Final = frozenset(ActionKind) - {ActionKind.CLOSE}
#: What a time-barred debt gets none of: every step but closing the case or writing it off.
TIME_BARRED_ACTIONS: Final = frozenset(ActionKind) - {ActionKind.CLOSE, ActionKind.WRITE_OFF}


def _verdict(code: str, nl: str, en: str, *, until: dt.date | None = None) -> Verdict:
    """A guard's verdict with its reason (blocking, or postponing to ``until``)."""
    return Verdict(reason=Reason(code=code, nl=nl, en=en), until=until)


DECEASED_REASON: Final = Reason(
    code="deceased",
    nl="De klant is overleden. We nemen geen stappen meer.",
    en="The debtor has died; every step stops.",
)


def time_barred_reason(debt_id: str, result: LimitationResult) -> Reason:
    """Why a time-barred debt gets no step, interest or costs (with the day it became barred)."""
    since = result.last_day + _DAY
    nl, en = _d(since)
    return Reason(
        code="time-barred",
        nl=f"Rekening {debt_id} is verjaard sinds {nl}. Daarom vragen we er niet meer om. "
        "We rekenen er geen rente en geen kosten over en sturen geen deurwaarder. "
        "De klant mag wel uit zichzelf betalen.",
        en=f"Debt {debt_id} is time-barred since {en} (limitation, {result.years} years, "
        f"last day to enforce {result.last_day.isoformat()}; BW 3:307-3:311, 3:316-3:319): "
        "no demand, no interest, no costs, no escalation or hand-over; "
        "the debtor may still pay voluntarily (a natural obligation, BW 6:3).",
    )


def _action_kind_set(values: Iterable[ActionKind | str] | None) -> frozenset[ActionKind] | None:
    return None if values is None else frozenset(to_members(ActionKind, values))


_REGISTRY: list[GuardRegistry] = []


def _builtin_guards() -> GuardRegistry:
    """The default of :attr:`PolicyTables.guards`: the built-in guards, once the package has
    imported its check modules (``BUILTIN_GUARDS`` of :mod:`maatwerk.core.policy.guards`)."""
    if not _REGISTRY:
        _REGISTRY.append(GuardRegistry(tuple(_BUILTIN)))
    return _REGISTRY[0]


@attrs.frozen(kw_only=True)
class PolicyTables:
    """What an evaluation needs besides the case and the policy (the ``tables`` argument).

    ``calendars``: the named calendars (``calendar``, ``sepa``, ``atw``; built by
    ``maatwerk.adapters.calendars`` from the holidays package and the bridge-day table).
    ``aanmaning_term``: Awb 4:112, days after sending the aanmaning (default
    :data:`~maatwerk.core.letter_dates.AANMANING_DAYS`). ``guards``: the guard registry
    (built-ins plus any plugin guards).
    """

    calendars: Calendars = attrs.field(factory=lambda: Calendars((plain_calendar(),)))
    aanmaning_term: int = AANMANING_DAYS
    guards: GuardRegistry = attrs.field(factory=_builtin_guards)

    @property
    def fourteen_day_term(self) -> int:
        """BW 6:96 lid 6, days after receipt of the 14-day letter: the statute's 14
        (:data:`~maatwerk.core.collection_costs.FOURTEEN_DAYS`, the one definition the costs
        and the letter dates use too; not a setting)."""
        return FOURTEEN_DAYS

    @property
    def atw(self) -> str:
        """The calendar statutory terms are extended on (``atw`` when present)."""
        return "atw" if "atw" in self.calendars else CALENDAR

    def letter_terms(self, delivery: PostalDelivery | None = None) -> LetterTerms:
        """The terms a letter's dates are computed with (:func:`~maatwerk.core.letter_dates.
        letter_dates`): these tables' calendars and terms, and how the post delivers."""
        return LetterTerms(
            atw=self.calendars.get(self.atw),
            delivery=delivery if delivery is not None else PostalDelivery(),
            fourteen_day_term=self.fourteen_day_term,
            aanmaning_term=self.aanmaning_term,
        )


@attrs.frozen(kw_only=True)
class GuardContext:
    """What a guard sees: the case state on ``today``, the policy, the step and one debt."""

    state: CaseState
    policy: Policy
    step: Step
    debt: Debt
    tables: PolicyTables

    @property
    def today(self) -> dt.date:
        return self.state.today


class Guard(Protocol):
    """The typed signature of a guard check."""

    def __call__(self, ctx: GuardContext, /) -> Verdict | None: ...


@attrs.frozen(kw_only=True)
class GuardSpec:
    """A registered guard.

    ``applies_to``: the action kinds it checks by default (``None``: every action); a step can
    add it elsewhere with ``guards = [...]``. ``with_costs``: it also checks any step with
    ``charges_costs = true``. ``mandatory``: a policy cannot switch it off.
    """

    code: str
    check: Guard
    applies_to: frozenset[ActionKind] | None = attrs.field(default=None, converter=_action_kind_set)
    with_costs: bool = False
    mandatory: bool = False
    summary_nl: str = ""
    summary_en: str = ""

    def applies(self, step: Step) -> bool:
        if self.code in step.guards:
            return True
        if self.with_costs and step.charges_costs:
            return True
        return self.applies_to is None or step.action in self.applies_to


@attrs.frozen
class GuardRegistry:
    """Guards by code, in evaluation order."""

    specs: tuple[GuardSpec, ...]
    _for_step: dict[
        tuple[ActionKind, tuple[str, ...], bool, tuple[str, ...]], tuple[GuardSpec, ...]
    ] = attrs.field(factory=dict, init=False, eq=False, hash=False, repr=False)
    """results of :meth:`for_step` (asked per step and debt in every evaluation)"""

    def __attrs_post_init__(self) -> None:
        codes = [s.code for s in self.specs]
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        if duplicates:
            raise ValueError(f"guard {duplicates[0]!r} is registered twice")

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(s.code for s in self.specs)

    def __contains__(self, code: object) -> bool:
        return code in self.codes

    def get(self, code: str) -> GuardSpec:
        for spec in self.specs:
            if spec.code == code:
                return spec
        raise KeyError(f"unknown guard {code!r}; known: {', '.join(self.codes)}")

    def extended(self, *specs: GuardSpec) -> GuardRegistry:
        """A new registry with ``specs`` added after the existing ones."""
        return GuardRegistry((*self.specs, *specs))

    def for_step(self, policy: Policy, step: Step) -> tuple[GuardSpec, ...]:
        """The guards that check ``step`` under ``policy`` (mandatory ones always)."""
        # the answer depends on nothing but these (see GuardSpec.applies), all plain values
        key = (step.action, step.guards, step.charges_costs, policy.settings.disabled_guards)
        found = self._for_step.get(key)
        if found is None:
            disabled = set(policy.settings.disabled_guards)
            found = tuple(
                s for s in self.specs if s.applies(step) and (s.mandatory or s.code not in disabled)
            )
            self._for_step[key] = found
        return found


# ---------------------------------------------------------------------------------- checks
_BAILIFF: Final = frozenset({ActionKind.BAILIFF_HANDOVER})
_BUILTIN: list[GuardSpec] = []
"""the built-in guards, in the order they are defined (and checked)"""
_G = TypeVar("_G", bound=Guard)


def _builtin(
    code: str,
    *,
    applies_to: frozenset[ActionKind] | None = None,
    with_costs: bool = False,
    mandatory: bool = False,
    nl: str,
    en: str,
) -> Callable[[_G], _G]:
    """Declare the check below as the built-in guard ``code`` (see :class:`GuardSpec`)."""

    def declare(check: _G) -> _G:
        _BUILTIN.append(
            GuardSpec(
                code=code,
                check=check,
                applies_to=applies_to,
                with_costs=with_costs,
                mandatory=mandatory,
                summary_nl=nl,
                summary_en=en,
            )
        )
        return check

    return declare


def _d(day: dt.date) -> tuple[str, str]:
    return text.date(day, "nl"), text.date(day, "en")


CONSENT_FOR: Final[Mapping[ActionKind, frozenset[ConsentScope]]] = {
    ActionKind.DEBT_HELP_REFERRAL: frozenset(
        {ConsentScope.DEBT_HELP_REFERRAL, ConsentScope.MUNICIPAL_REFERRAL}
    ),
    ActionKind.EARLY_SIGNAL: frozenset({ConsentScope.EARLY_SIGNAL}),
}
"""Which recorded consents allow which step (the ``consent`` guard, mandatory: sharing the
debtor's data with the municipality needs consent, AVG art. 6; the municipal channel reads this
same table)."""
