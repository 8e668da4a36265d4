"""The pure domain: attrs and the standard library only. No I/O, no clock.

Every function takes the date it is about (the controlling date) as an argument.

The names in ``__all__`` are the public API for teams that embed the core (see
``docs/embedding.md``): money, the debtor, debt, case and payment values with their enums,
protected income (beslagvrije voet), affordability, arrangement proposals, collection costs,
statutory interest, payment allocation, limitation, calendars, dated tables and the errors. The
escalation policy has its own public names in :mod:`maatwerk.core.policy`; the shipped tables,
calendars and policies are loaded by :func:`maatwerk.rules.shipped`. Everything else in the
core's modules may move between releases.

The names are loaded on first use (:data:`_LAZY`), the small modules that are public as a whole
(debtors, debts, errors, tables) at once.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Final

from maatwerk.core import debtors, debts, errors, tables

# A function named like its module: loaded now, so that the package attribute is the function
# (a later ``import maatwerk.core.affordability`` would otherwise leave the module there).
from maatwerk.core.affordability import affordability
from maatwerk.core.collection_costs import collection_costs
from maatwerk.core.debtors import *
from maatwerk.core.debts import *
from maatwerk.core.errors import *
from maatwerk.core.tables import *


if TYPE_CHECKING:
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
    from maatwerk.core.money import (
        EUR,
        Money,
        Rounding,
        allocate,
        eur,
    )
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


#: The public names of the modules below, imported on first use (PEP 562): importing one
#: module of the core (``maatwerk.core.errors``, say) does not load all of it, which kept
#: every command's start-up slow.
_LAZY: Final[dict[str, str]] = {
    "Affordability": "maatwerk.core.affordability",
    "AffordabilityLine": "maatwerk.core.affordability",
    "Commitment": "maatwerk.core.affordability",
    "OtherDebt": "maatwerk.core.affordability",
    "affordability": "maatwerk.core.affordability",
    "AllocationLine": "maatwerk.core.allocation",
    "AllocationOrder": "maatwerk.core.allocation",
    "AllocationResult": "maatwerk.core.allocation",
    "allocate_payment": "maatwerk.core.allocation",
    "DEFAULT_MAX_MONTHS": "maatwerk.core.arrangements",
    "Arrangement": "maatwerk.core.arrangements",
    "ArrangementProposal": "maatwerk.core.arrangements",
    "BusinessDays": "maatwerk.core.arrangements",
    "ChargesDuringPlan": "maatwerk.core.arrangements",
    "GracePolicy": "maatwerk.core.arrangements",
    "Instalment": "maatwerk.core.arrangements",
    "PaymentMethod": "maatwerk.core.arrangements",
    "ProposalOutcome": "maatwerk.core.arrangements",
    "classic_arrangement": "maatwerk.core.arrangements",
    "propose_arrangement": "maatwerk.core.arrangements",
    "ATW": "maatwerk.core.calendar",
    "CALENDAR": "maatwerk.core.calendar",
    "SEPA": "maatwerk.core.calendar",
    "BusinessCalendar": "maatwerk.core.calendar",
    "CalendarRangeError": "maatwerk.core.calendar",
    "Calendars": "maatwerk.core.calendar",
    "LegalDeadline": "maatwerk.core.calendar",
    "UnknownCalendarError": "maatwerk.core.calendar",
    "add_days": "maatwerk.core.calendar",
    "explain_legal_deadline": "maatwerk.core.calendar",
    "legal_deadline": "maatwerk.core.calendar",
    "plain_calendar": "maatwerk.core.calendar",
    "AanmaningFee": "maatwerk.core.collection_costs",
    "AanmaningParams": "maatwerk.core.collection_costs",
    "BikBand": "maatwerk.core.collection_costs",
    "BikParams": "maatwerk.core.collection_costs",
    "CollectionCosts": "maatwerk.core.collection_costs",
    "CostsDecision": "maatwerk.core.collection_costs",
    "CostsRefusal": "maatwerk.core.collection_costs",
    "FourteenDayLetter": "maatwerk.core.collection_costs",
    "InstalmentRule": "maatwerk.core.collection_costs",
    "aanmaning_fee": "maatwerk.core.collection_costs",
    "bik_fee": "maatwerk.core.collection_costs",
    "collection_costs": "maatwerk.core.collection_costs",
    "costs_payable": "maatwerk.core.collection_costs",
    "AwbInterestParams": "maatwerk.core.interest",
    "InterestPeriod": "maatwerk.core.interest",
    "InterestRate": "maatwerk.core.interest",
    "InterestResult": "maatwerk.core.interest",
    "InterestTables": "maatwerk.core.interest",
    "debt_interest": "maatwerk.core.interest",
    "interest_for_claim": "maatwerk.core.interest",
    "statutory_interest": "maatwerk.core.interest",
    "LimitationKind": "maatwerk.core.limitation",
    "LimitationResult": "maatwerk.core.limitation",
    "LimitationRule": "maatwerk.core.limitation",
    "limitation_date": "maatwerk.core.limitation",
    "limitation_for": "maatwerk.core.limitation",
    "rule_for": "maatwerk.core.limitation",
    "BijstandNorms": "maatwerk.core.subsistence",
    "BvvMaxima": "maatwerk.core.subsistence",
    "CalculationLine": "maatwerk.core.subsistence",
    "FormulaParameters": "maatwerk.core.subsistence",
    "FormulaVersion": "maatwerk.core.subsistence",
    "InstitutionStay": "maatwerk.core.subsistence",
    "MissingParameterError": "maatwerk.core.subsistence",
    "SubsistenceBasis": "maatwerk.core.subsistence",
    "SubsistenceInput": "maatwerk.core.subsistence",
    "SubsistenceResult": "maatwerk.core.subsistence",
    "SubsistenceTables": "maatwerk.core.subsistence",
    "protected_income": "maatwerk.core.subsistence",
    "EUR": "maatwerk.core.money",
    "Money": "maatwerk.core.money",
    "Rounding": "maatwerk.core.money",
    "allocate": "maatwerk.core.money",
    "eur": "maatwerk.core.money",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


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
