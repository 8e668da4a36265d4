"""The conditions of a policy step: which debts it applies to, and the case-level conditions.

:func:`applies_to_debt` filters by claim kind, category and consumer; :func:`condition_failures`
checks the case as a whole (arrears, months of premium, open debts, other creditors, the latest
return reason, segment, contact outcome, arrangement method, whether the household cannot pay)
and says, per failing condition, why in plain words.
"""

from __future__ import annotations

from maatwerk.core.debts import Debt
from maatwerk.core.events import ContactOutcome, DebtorFlag
from maatwerk.core.policy import text
from maatwerk.core.policy.casefile import CaseState
from maatwerk.core.policy.household import needs_help
from maatwerk.core.policy.model import Step
from maatwerk.core.policy.reasons import Reason


__all__ = ["applies_to_debt", "condition_failures"]


def applies_to_debt(step: Step, debt: Debt) -> bool:
    cond = step.conditions
    if cond.claim_kinds and debt.kind not in cond.claim_kinds:
        return False
    if cond.categories and debt.category not in cond.categories:
        return False
    return not (cond.consumer_only and not debt.consumer)


def condition_failures(step: Step, state: CaseState) -> tuple[Reason, ...]:
    cond = step.conditions
    if not cond.case_level:
        return ()
    failures: list[Reason] = []
    arrears = state.arrears
    if cond.min_arrears is not None and arrears < cond.min_arrears:
        failures.append(
            Reason(
                code="min-arrears",
                nl=f"De achterstand ({text.amount(arrears, 'nl')}) is lager dan "
                f"{text.amount(cond.min_arrears, 'nl')}.",
                en=f"Arrears {text.amount(arrears, 'en')} below "
                f"{text.amount(cond.min_arrears, 'en')}.",
            )
        )
    if cond.max_arrears is not None and arrears > cond.max_arrears:
        failures.append(
            Reason(
                code="max-arrears",
                nl=f"De achterstand ({text.amount(arrears, 'nl')}) is hoger dan "
                f"{text.amount(cond.max_arrears, 'nl')}.",
                en=f"Arrears {text.amount(arrears, 'en')} above "
                f"{text.amount(cond.max_arrears, 'en')}.",
            )
        )
    months = state.arrears_months
    if cond.min_arrears_months is not None and months < cond.min_arrears_months:
        shown = f"{months:.1f}"
        failures.append(
            Reason(
                code="min-arrears-months",
                nl=f"De achterstand is {shown} maand premie, minder dan {cond.min_arrears_months}.",
                en=f"Arrears of {shown} months' premium, fewer than {cond.min_arrears_months}.",
            )
        )
    if cond.max_arrears_months is not None and months > cond.max_arrears_months:
        shown = f"{months:.1f}"
        failures.append(
            Reason(
                code="max-arrears-months",
                nl=f"De achterstand is {shown} maand premie, meer dan {cond.max_arrears_months}.",
                en=f"Arrears of {shown} months' premium, more than {cond.max_arrears_months}.",
            )
        )
    count = len(state.open_debts)
    if cond.min_open_debts is not None and count < cond.min_open_debts:
        failures.append(
            Reason(
                code="min-open-debts",
                nl=f"Er staan {count} rekeningen open, minder dan {cond.min_open_debts}.",
                en=f"{count} open debts, fewer than {cond.min_open_debts}.",
            )
        )
    if cond.max_open_debts is not None and count > cond.max_open_debts:
        failures.append(
            Reason(
                code="max-open-debts",
                nl=f"Er staan {count} rekeningen open, meer dan {cond.max_open_debts}.",
                en=f"{count} open debts, more than {cond.max_open_debts}.",
            )
        )
    others = len(state.file.other_arrears)
    if cond.min_other_creditors is not None and others < cond.min_other_creditors:
        failures.append(
            Reason(
                code="min-other-creditors",
                nl=f"De klant heeft bij {others} andere partijen een achterstand, "
                f"minder dan {cond.min_other_creditors}.",
                en=f"{others} other creditors in arrears, fewer than {cond.min_other_creditors}.",
            )
        )
    if cond.return_groups:
        last = state.last_return()
        if last is None or last.group not in cond.return_groups:
            got = last.group.value if last is not None else "none"
            failures.append(
                Reason(
                    code="return-group",
                    nl="De laatste storneringsreden past niet bij deze stap.",
                    en=f"Latest return reason group is {got}, not one of "
                    f"{', '.join(g.value for g in cond.return_groups)}.",
                )
            )
    if cond.segments and state.debtor.segment not in cond.segments:
        failures.append(
            Reason(
                code="segment",
                nl="Deze stap geldt niet voor deze groep klanten.",
                en=f"Segment {state.debtor.segment!r} not in {', '.join(cond.segments)}.",
            )
        )
    if cond.contact_outcomes:
        contact = state.last_contact
        # problematic debt recorded (no plan fits within income - BVV): the household cannot pay
        cannot_pay = (
            ContactOutcome.CANT_PAY in cond.contact_outcomes
            and DebtorFlag.PROBLEMATIC_DEBT in state.flags
        )
        if not cannot_pay and (contact is None or contact.outcome not in cond.contact_outcomes):
            got = contact.outcome.value if contact is not None else "none"
            failures.append(
                Reason(
                    code="contact-outcome",
                    nl="Het laatste contact met de klant past niet bij deze stap.",
                    en=f"Latest contact outcome is {got}, not one of "
                    f"{', '.join(o.value for o in cond.contact_outcomes)}.",
                )
            )
    if cond.cannot_pay is not None and needs_help(state) is not cond.cannot_pay:
        if cond.cannot_pay:
            failures.append(
                Reason(
                    code="cannot-pay",
                    nl="Niets wijst erop dat de klant niet kan betalen.",
                    en="Nothing shows the household cannot pay (figures, contact, flag).",
                )
            )
        else:
            failures.append(
                Reason(
                    code="cannot-pay",
                    nl="De klant kan niet betalen. Deze stap is alleen voor wie wel kan betalen.",
                    en="The household cannot pay; this step is for households that can.",
                )
            )
    if cond.arrangement_methods:
        methods = {p.method for p in state.arrangements}
        if not methods & set(cond.arrangement_methods):
            failures.append(
                Reason(
                    code="arrangement-method",
                    nl="Er loopt geen betalingsregeling die op deze manier wordt betaald.",
                    en="No running arrangement paid by "
                    f"{', '.join(m.value for m in cond.arrangement_methods)}.",
                )
            )
    return tuple(failures)
