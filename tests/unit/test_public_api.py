"""The public import paths keep exporting exactly the names they exported before issue #16.

Each package states its API once (its modules declare ``__all__``, the package gathers them);
these names pin the result, so a name cannot appear or vanish by accident.
"""

from __future__ import annotations

import importlib

import pytest


#: module -> its public names, sorted, separated by white space
PUBLIC_NAMES: dict[str, str] = {
    "maatwerk.core": """
        ATW AanmaningFee AanmaningParams Address Affordability AffordabilityLine AllocationLine
        AllocationOrder AllocationResult AppliedPayment Arrangement ArrangementProposal
        AwbInterestParams Balance BijstandNorms BikBand BikParams BusinessCalendar BusinessDays
        BvvMaxima CALENDAR CalculationLine CalendarRangeError Calendars Case ChargesDuringPlan
        ClaimKind CollectionCosts Commitment CostLine CostsDecision CostsRefusal
        CurrencyMismatchError DEFAULT_MAX_MONTHS Dated DatedTable Debt DebtStatus Debtor EUR
        FormulaParameters FormulaVersion FourteenDayLetter GracePolicy HouseholdType Housing InputError
        Instalment InstalmentRule InstitutionStay InterestKind InterestLine InterestPeriod
        InterestRate InterestResult InterestTables LegalDeadline LimitationKind LimitationResult
        LimitationRule Location MaatwerkError MissingParameterError Money MoneyError
        NoRuleForDateError OtherDebt Payment PaymentMethod PluginError PolicyError ProposalOutcome
        Rounding RuleTableError SEPA SubsistenceBasis SubsistenceInput SubsistenceResult
        SubsistenceTables TableVersion UnknownCalendarError aanmaning_fee add_days affordability
        allocate allocate_payment bik_fee classic_arrangement collection_costs costs_payable
        debt_interest eur explain_legal_deadline interest_for_claim legal_deadline limitation_date
        limitation_for normalise_postcode plain_calendar propose_arrangement protected_income rule_for
        statutory_interest
    """,
    "maatwerk.core.arrangements": """
        Arrangement ArrangementProposal ArrangementState ArrangementStatus BusinessDays
        ChargesDuringPlan DEFAULT_MAX_MONTHS DebitSequence GracePolicy Instalment InstalmentState
        InstalmentStatus MAX_ADVANCE_DAYS PRE_NOTIFICATION_DAYS PaymentMethod PlannedDebit
        PromiseState PromiseStatus PromiseToPay ProposalOutcome SUBMIT_DAYS_BEFORE
        arrangement_status cancel classic_arrangement debit_schedule instalment_dates
        new_charges_allowed
        promise_status propose_arrangement replan split_evenly
    """,
    "maatwerk.core.events": """
        ActionKind ArrangementAccepted ArrangementBreached ArrangementCompleted ArrangementEvent
        ArrangementOffered ArrangementRejected BalanceReported ConsentEvent ConsentGiven ConsentRevoked
        ConsentScope ContactAttempt ContactChannel ContactOutcome DebtAcknowledged DebtHelpEnded DebtHelpEvent
        DebtHelpKind DebtHelpStarted DebtorFlag DebtorFlagged DisputeEvent DisputeOpened
        DisputeResolved EVENT_TYPES Event FlagCleared FlagEvent FormalDemandSent
        FourteenDayLetterSent HoldEnded HoldEvent HoldPlaced HoldScope MunicipalOutcome
        PaymentReturned PromiseBroken PromiseEvent PromiseKept PromiseToPay ReferralAnswered
        RemittanceFlagged ReturnReasonGroup ReviewApproved ReviewEvent ReviewRejected SettlementAccepted
        SettlementCompleted SettlementEvent SettlementProposed SettlementRejected StepRefused
        StepTaken
        ZvwNoticeSent event_class
        event_from_record event_to_record sort_events
    """,
    "maatwerk.core.policy": """
        ACTION_LABELS ActionKind Anchor BUILTIN_GUARDS CaseFile CaseState Conditions Decision
        DecisionStatus Guard GuardContext GuardRegistry GuardSpec HistoryLine HouseholdCapacity
        MinDaysAfter NoteKind
        OtherArrear Policy PolicySettings PolicyTables ProposedAction Reason SCHEMA_VERSION Step
        StepNote Timing Verdict derive_state evaluate outstanding_on
    """,
    "maatwerk.core.subsistence": """
        BijstandNorms BvvMaxima CalculationLine FormulaParameters FormulaVersion IncreaseNotComputableError
        InstitutionStay
        MissingParameterError SubsistenceBasis SubsistenceInput SubsistenceResult SubsistenceTables
        protected_income
    """,
    "maatwerk.exceptions": """
        CurrencyMismatchError InputError Location MaatwerkError MoneyError NoRuleForDateError
        PluginError PolicyError RuleTableError
    """,
}


@pytest.mark.parametrize("module_name", sorted(PUBLIC_NAMES))
def test_public_names_are_pinned(module_name: str) -> None:
    """The module exports exactly the pinned names, each once, and each one is importable."""
    module = importlib.import_module(module_name)
    assert sorted(module.__all__) == PUBLIC_NAMES[module_name].split()
    assert len(set(module.__all__)) == len(module.__all__)
    for name in module.__all__:
        assert hasattr(module, name), name
