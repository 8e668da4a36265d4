"""The pure domain: attrs and the standard library only. No I/O, no clock.

Every function takes the date it is about (the controlling date) as an argument.

The names in ``__all__`` are the public API for teams that embed the core (see
``docs/embedding.md``): money, the debtor, debt, case and payment values with their enums,
protected income (beslagvrije voet), affordability, arrangement proposals, collection costs,
statutory interest, payment allocation, limitation, calendars, dated tables and the errors. The
escalation policy has its own public names in :mod:`maatwerk.core.policy`; the shipped tables,
calendars and policies are loaded by :func:`maatwerk.rules.shipped`. Everything else in the
core's modules may move between releases.
"""

from __future__ import annotations

from maatwerk.core import debtors, debts, errors, tables
from maatwerk.core.affordability import (
    Affordability,
    AffordabilityLine,
    Commitment,
    OtherDebt,
    affordability,
)
from maatwerk.core.allocation import (
    AllocationLine,
    AllocationOrder,
    AllocationResult,
    allocate_payment,
)
from maatwerk.core.arrangements import (
    DEFAULT_MAX_MONTHS,
    Arrangement,
    ArrangementProposal,
    BusinessDays,
    ChargesDuringPlan,
    GracePolicy,
    Instalment,
    PaymentMethod,
    ProposalOutcome,
    classic_arrangement,
    propose_arrangement,
)
from maatwerk.core.calendar import (
    ATW,
    CALENDAR,
    SEPA,
    BusinessCalendar,
    CalendarRangeError,
    Calendars,
    LegalDeadline,
    UnknownCalendarError,
    add_days,
    explain_legal_deadline,
    legal_deadline,
    plain_calendar,
)
from maatwerk.core.collection_costs import (
    AanmaningFee,
    AanmaningParams,
    BikBand,
    BikParams,
    CollectionCosts,
    CostsDecision,
    CostsRefusal,
    FourteenDayLetter,
    InstalmentRule,
    aanmaning_fee,
    bik_fee,
    collection_costs,
    costs_payable,
)
from maatwerk.core.debtors import *
from maatwerk.core.debts import *
from maatwerk.core.errors import *
from maatwerk.core.interest import (
    AwbInterestParams,
    InterestPeriod,
    InterestRate,
    InterestResult,
    InterestTables,
    debt_interest,
    interest_for_claim,
    statutory_interest,
)
from maatwerk.core.limitation import (
    LimitationKind,
    LimitationResult,
    LimitationRule,
    limitation_date,
    limitation_for,
    rule_for,
)
from maatwerk.core.money import EUR, Money, Rounding, allocate, eur
from maatwerk.core.subsistence import (
    BijstandNorms,
    BvvMaxima,
    CalculationLine,
    FormulaParameters,
    FormulaVersion,
    InstitutionStay,
    MissingParameterError,
    SubsistenceBasis,
    SubsistenceInput,
    SubsistenceResult,
    SubsistenceTables,
    protected_income,
)
from maatwerk.core.tables import *


__all__ = [
    "ATW",
    "CALENDAR",
    "DEFAULT_MAX_MONTHS",
    "EUR",
    "SEPA",
    "AanmaningFee",
    "AanmaningParams",
    "Affordability",
    "AffordabilityLine",
    "AllocationLine",
    "AllocationOrder",
    "AllocationResult",
    "Arrangement",
    "ArrangementProposal",
    "AwbInterestParams",
    "BijstandNorms",
    "BikBand",
    "BikParams",
    "BusinessCalendar",
    "BusinessDays",
    "BvvMaxima",
    "CalculationLine",
    "CalendarRangeError",
    "Calendars",
    "ChargesDuringPlan",
    "CollectionCosts",
    "Commitment",
    "CostsDecision",
    "CostsRefusal",
    "FormulaParameters",
    "FormulaVersion",
    "FourteenDayLetter",
    "GracePolicy",
    "Instalment",
    "InstalmentRule",
    "InstitutionStay",
    "InterestPeriod",
    "InterestRate",
    "InterestResult",
    "InterestTables",
    "LegalDeadline",
    "LimitationKind",
    "LimitationResult",
    "LimitationRule",
    "MissingParameterError",
    "Money",
    "OtherDebt",
    "PaymentMethod",
    "ProposalOutcome",
    "Rounding",
    "SubsistenceBasis",
    "SubsistenceInput",
    "SubsistenceResult",
    "SubsistenceTables",
    "UnknownCalendarError",
    "aanmaning_fee",
    "add_days",
    "affordability",
    "allocate",
    "allocate_payment",
    "bik_fee",
    "classic_arrangement",
    "collection_costs",
    "costs_payable",
    "debt_interest",
    "eur",
    "explain_legal_deadline",
    "interest_for_claim",
    "legal_deadline",
    "limitation_date",
    "limitation_for",
    "plain_calendar",
    "propose_arrangement",
    "protected_income",
    "rule_for",
    "statutory_interest",
]

# These modules are public as a whole: each states its names once, in its own __all__.
__all__ += debtors.__all__
__all__ += debts.__all__
__all__ += errors.__all__
__all__ += tables.__all__
