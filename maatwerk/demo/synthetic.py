"""Synthetic portfolio generator (synthetische portefeuille) for the demo and the simulation.

Pure and deterministic: the same parameters, seed and start date always give the same portfolio,
byte for byte. Each household draws from its own ``random.Random`` seeded with ``"<seed>:<index>"``,
so household *i* is the same whether 300 or 5,000 households are generated (no global random
state, no clock). The behaviour parameters come from ``maatwerk/demo/demo_behaviour.toml``
(read by :mod:`maatwerk.demo.behaviour`); what they mean, where the figures come from and
which ones are assumptions is documented there and in ``docs/simulation-model.md``.

Probabilities are ``float``: they are chances, not amounts. Every amount is :class:`Money`, built
from whole cents.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import random
from collections.abc import Mapping, Sequence
from typing import Final, TypeVar

import attrs

from maatwerk.core.debtors import Address, Debtor, HouseholdType
from maatwerk.core.debts import ClaimKind, Debt
from maatwerk.core.money import Money


__all__ = [
    "BANK_CODES",
    "BehaviourParams",
    "DebtKindParams",
    "HouseholdParams",
    "PaymentMethod",
    "Portfolio",
    "Profile",
    "ProfileParams",
    "SyntheticHousehold",
    "chance_per_day",
    "generate_portfolio",
    "nl_iban",
]

T = TypeVar("T")

#: Dutch bank codes used for synthetic IBANs (all real codes, so the BIC resolves).
BANK_CODES: Final = ("ABNA", "INGB", "RABO", "SNSB", "ASNB", "TRIO", "KNAB", "BUNQ", "RBRB")

_FIRST_NAMES: Final = (
    "Anna", "Bram", "Daan", "Emma", "Fatima", "Gert", "Hanna", "Ilse", "Jan", "Kees", "Lotte",
    "Mohamed", "Noor", "Olga", "Pieter", "Rik", "Sanne", "Thijs", "Yara", "Zeynep",
)  # fmt: skip
#: Made-up street names (any likeness to a real street is chance) and towns for the synthetic
#: addresses; postcodes are real in form (``1234 AB``), drawn at random.
_STREETS: Final = (
    "Voorbeeldstraat",
    "Proefweg",
    "Lindelaan",
    "Berkenhof",
    "Molenpad",
    "Zonnebloemstraat",
    "Oude Dijk",
    "Havenkade",
    "Kastanjeplein",
    "Weidepad",
)
_TOWNS: Final = ("Utrecht", "Zwolle", "Tilburg", "Groningen", "Leiden", "Arnhem", "Almere")
_POSTCODE_LETTERS: Final = "ABCEGHJKLMNPRTVWXZ"


def synthetic_address(seed: int, index: int) -> Address:
    """A plausible made-up address for household ``index`` (its own random stream, so adding
    addresses changed nothing else a seed produces)."""
    rng = random.Random(f"{seed}:{index}:address")  # noqa: S311  # synthetic, reproducible
    letters = "".join(rng.choice(_POSTCODE_LETTERS) for _ in range(2))
    return Address(
        street=rng.choice(_STREETS),
        house_number=str(rng.randint(1, 240)),
        postcode=f"{rng.randint(1000, 9999)} {letters}",
        city=rng.choice(_TOWNS),
    )


_SURNAMES: Final = (
    "de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot",
    "Bos", "Vos", "Peters", "Hendriks", "van Dijk", "Yilmaz", "El Amrani", "Dekker", "Brouwer",
)  # fmt: skip


class Profile(enum.Enum):
    """How a household behaves toward its bills (betaalgedrag)."""

    ON_TIME = "on-time"
    """pays on time (trouwe betaler)"""
    FORGETS = "forgets"
    """forgets, pays after a nudge (vergeetachtig)"""
    CANT_PAY = "cant-pay"
    """wants to but cannot (kan niet betalen)"""
    WONT_PAY = "wont-pay"
    """can but will not (wil niet betalen)"""
    VULNERABLE = "vulnerable"
    """vulnerable: needs personal contact and care (kwetsbaar)"""
    DECEASED = "deceased"
    """deceased (overleden): the estate is handled separately"""


class PaymentMethod(enum.Enum):
    """How the household pays (betaalwijze); shares from CAK 2017."""

    DIRECT_DEBIT = "direct-debit"
    """automatische incasso (SEPA Core)"""
    TRANSFER = "transfer"
    """overboeking (acceptgiro / iDEAL)"""
    SOURCE_DEDUCTION = "source-deduction"
    """broninhouding op loon of uitkering"""


@attrs.frozen(kw_only=True)
class HouseholdParams:
    """Income model of one household type (log-normal around a median)."""

    share: float
    median_net_income: Money
    sigma: float
    bijstand_income: Money


@attrs.frozen(kw_only=True)
class DebtKindParams:
    """One product line the creditor bills."""

    share: float
    kind: ClaimKind
    periodic: bool
    min_amount: Money
    max_amount: Money
    term_days: int
    creditor_id: str = ""
    """the creditor that bills this line (empty: the portfolio's creditor)"""
    creditor_name: str = ""


@attrs.frozen(kw_only=True)
class ProfileParams:
    """Share and daily behaviour of one profile (see ``demo_behaviour.toml`` for the meanings)."""

    share: float
    bijstand_share: float
    income_factor: float
    on_time: float
    late_daily: float
    letter_response: float
    call_answer: float
    accept_offer: float
    accept_unfit: float
    keep_fit: float
    keep_unfit: float
    bailiff_recovery: float
    other_arrears: float
    other_arrears_instalment: Money


@attrs.frozen(kw_only=True)
class BehaviourParams:
    """The whole behaviour model, with the table version it came from."""

    creditor_id: str
    creditor_name: str
    households: Mapping[HouseholdType, HouseholdParams]
    gross_factor_bijstand: float
    gross_factor_employed: float
    paydays_employed: tuple[tuple[int, float], ...]
    paydays_bijstand: tuple[tuple[int, float], ...]
    payment_methods: Mapping[PaymentMethod, float]
    debts: Mapping[str, DebtKindParams]
    profiles: Mapping[Profile, ProfileParams]
    version: str = "demo_behaviour"
    """e.g. ``demo_behaviour@2026-01-01 (provisional)``"""


@attrs.frozen(kw_only=True)
class SyntheticHousehold:
    """A generated household: the core :class:`Debtor` plus what only the simulation knows."""

    debtor: Debtor
    profile: Profile
    method: PaymentMethod
    product: str
    """the product line (key of ``BehaviourParams.debts``)"""
    debit_day: int
    """day of the month a direct debit is collected (chosen by the customer, after payday)"""
    mandate_id: str
    mandate_signed_on: dt.date
    other_arrears_creditors: int
    other_arrears_instalment: Money
    """what other creditors already take each month (counted before an arrangement is sized)"""
    other_arrears_total: Money


@attrs.frozen(kw_only=True)
class Portfolio:
    """A generated portfolio: households and the bills issued to them over the horizon."""

    seed: int
    start: dt.date
    months: int
    creditor_id: str
    creditor_name: str
    households: tuple[SyntheticHousehold, ...]
    debts: tuple[Debt, ...]
    params_version: str

    def debts_by_debtor(self) -> dict[str, list[Debt]]:
        result: dict[str, list[Debt]] = {h.debtor.debtor_id: [] for h in self.households}
        for debt in self.debts:
            result[debt.debtor_id].append(debt)
        return result


# ------------------------------------------------------------------------------------ helpers
def chance_per_day(total: float, days: int) -> float:
    """The daily chance that gives ``total`` over ``days`` days (shared by simulation and demo)."""
    if total <= 0:
        return 0.0
    if total >= 1:
        return 1.0
    return float(1.0 - (1.0 - total) ** (1.0 / max(1, days)))


def _pick(rng: random.Random, options: Sequence[tuple[T, float]]) -> T:
    """Weighted choice that consumes exactly one random number (stable across Python versions)."""
    total = sum(w for _, w in options)
    point = rng.random() * total
    cumulative = 0.0
    for value, weight in options:
        cumulative += weight
        if point < cumulative:
            return value
    return options[-1][0]


def _cents(value: float) -> Money:
    return Money.from_minor_units(round(value * 100))


def _money_between(rng: random.Random, low: Money, high: Money) -> Money:
    lo, hi = low.to_minor_units(), high.to_minor_units()
    return Money.from_minor_units(rng.randint(lo, hi))


def _iban_check_digits(country: str, bban: str) -> str:
    digits = "".join(str(int(ch, 36)) for ch in bban + country + "00")
    return f"{98 - int(digits) % 97:02d}"


def nl_iban(rng: random.Random) -> str:
    """A random Dutch IBAN with correct ISO 13616 mod-97 check digits.

    The 10-digit account number also passes the old Dutch 11-test (elfproef), as real accounts of
    most Dutch banks do.
    """
    bank = BANK_CODES[rng.randrange(len(BANK_CODES))]
    while True:
        first = [rng.randrange(10) for _ in range(9)]
        weighted = sum(d * (10 - i) for i, d in enumerate(first))
        last = (-weighted) % 11  # weight 1 for the last digit
        if last < 10 and any(first):
            break
    account = "".join(map(str, first)) + str(last)
    bban = bank + account
    return f"NL{_iban_check_digits('NL', bban)}{bban}"


def _add_months(day: dt.date, months: int, day_of_month: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    next_month = dt.date(year + (month // 12), month % 12 + 1, 1)
    last = (next_month - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day_of_month, last))


def _lognormal(rng: random.Random, median: float, sigma: float) -> float:
    return median * math.exp(rng.gauss(0.0, sigma))


# ------------------------------------------------------------------------------------ generator
def _household(
    index: int, seed: int, start: dt.date, params: BehaviourParams
) -> tuple[SyntheticHousehold, random.Random]:
    rng = random.Random(f"{seed}:{index}")  # noqa: S311  # synthetic data, reproducible on purpose
    debtor_id = f"D{index + 1:07d}"
    profile = _pick(rng, [(p, pp.share) for p, pp in params.profiles.items()])
    pp = params.profiles[profile]
    household_type = _pick(rng, [(h, hp.share) for h, hp in params.households.items()])
    hp = params.households[household_type]
    on_bijstand = rng.random() < pp.bijstand_share
    if on_bijstand:
        net = hp.bijstand_income
        gross_annual = _cents(float(net.amount) * 12 * params.gross_factor_bijstand)
        payday = _pick(rng, params.paydays_bijstand)
    else:
        median = float(hp.median_net_income.amount) * pp.income_factor
        floor = float(hp.bijstand_income.amount)
        net = _cents(max(floor, _lognormal(rng, median, hp.sigma)))
        gross_annual = _cents(float(net.amount) * 12 * params.gross_factor_employed)
        payday = _pick(rng, params.paydays_employed)
    method = _pick(rng, list(params.payment_methods.items()))
    product = _pick(rng, [(name, dk.share) for name, dk in params.debts.items()])
    debit_day = min(28, payday + rng.choice((1, 2, 3))) if payday < 26 else 2
    has_other = rng.random() < pp.other_arrears
    if has_other:
        creditors = 1 + min(6, int(rng.expovariate(0.7)))
        instalment = _cents(
            float(pp.other_arrears_instalment.amount) * rng.uniform(0.5, 1.5) * creditors**0.5
        )
        other_total = _cents(float(instalment.amount) * rng.uniform(6, 24))
    else:
        creditors, instalment, other_total = 0, Money.zero(), Money.zero()
    first = _FIRST_NAMES[rng.randrange(len(_FIRST_NAMES))]
    surname = _SURNAMES[rng.randrange(len(_SURNAMES))]
    debtor = Debtor(
        debtor_id=debtor_id,
        name=f"{first} {surname}",
        household=household_type,
        net_monthly_income=net,
        gross_annual_income=gross_annual,
        payday=payday,
        iban=nl_iban(rng),
        email=f"klant{index + 1:07d}@example.nl",
        phone=f"06{rng.randrange(10**8):08d}",
        segment=product,
        on_bijstand=on_bijstand,
        vulnerable=profile is Profile.VULNERABLE,
        deceased=profile is Profile.DECEASED,
        address=synthetic_address(seed, index),
    )
    signed = start - dt.timedelta(days=rng.randrange(60, 2000))
    household = SyntheticHousehold(
        debtor=debtor,
        profile=profile,
        method=method,
        product=product,
        debit_day=debit_day,
        mandate_id=f"MW-{debtor_id}",
        mandate_signed_on=signed,
        other_arrears_creditors=creditors,
        other_arrears_instalment=instalment,
        other_arrears_total=other_total,
    )
    return household, rng


def _bills(
    household: SyntheticHousehold,
    rng: random.Random,
    start: dt.date,
    months: int,
    params: BehaviourParams,
) -> list[Debt]:
    kind = params.debts[household.product]
    debtor_id = household.debtor.debtor_id
    amount = _money_between(rng, kind.min_amount, kind.max_amount)
    count = months if kind.periodic else 1
    offset = 0 if kind.periodic else rng.randrange(max(1, months * 30 - 45))
    bills: list[Debt] = []
    for month in range(count):
        if kind.periodic:
            issued = _add_months(start, month, 1)
        else:
            issued = start + dt.timedelta(days=offset)
        if household.method is PaymentMethod.DIRECT_DEBIT:
            due = _add_months(issued, 0, household.debit_day)
            if due < issued + dt.timedelta(days=5):
                due = _add_months(issued, 1, household.debit_day)
        else:
            due = issued + dt.timedelta(days=kind.term_days)
        bills.append(
            Debt(
                debt_id=f"{debtor_id}-{month + 1:02d}",
                debtor_id=debtor_id,
                creditor_id=kind.creditor_id or params.creditor_id,
                principal=amount,
                due_date=due,
                kind=kind.kind,
                category=household.product,
                issued_on=issued,
                periodic=kind.periodic,
                reference=f"{household.product[:3].upper()}{debtor_id[1:]}{month + 1:02d}",
            )
        )
    return bills


def generate_portfolio(
    params: BehaviourParams, *, debtors: int, seed: int, start: dt.date, months: int = 4
) -> Portfolio:
    """Generate ``debtors`` households and ``months`` months of bills from ``start``.

    Deterministic for ``(params, debtors, seed, start, months)``; household *i* does not depend on
    ``debtors``.
    """
    if debtors < 1:
        raise ValueError("debtors must be at least 1")
    if months < 1:
        raise ValueError("months must be at least 1")
    households: list[SyntheticHousehold] = []
    debts: list[Debt] = []
    for index in range(debtors):
        household, rng = _household(index, seed, start, params)
        households.append(household)
        debts.extend(_bills(household, rng, start, months, params))
    return Portfolio(
        seed=seed,
        start=start,
        months=months,
        creditor_id=params.creditor_id,
        creditor_name=params.creditor_name,
        households=tuple(households),
        debts=tuple(debts),
        params_version=params.version,
    )
