"""Payment arrangements (betalingsregelingen) sized to what the household can spare.

A humane plan is sized to the monthly *capacity* (see :mod:`maatwerk.core.affordability`), not to a
fixed rule such as "6 months, at least EUR 50" (seed 003, CZ). Instalments fall just after payday
(seed 004: "verschuif de betalingstermijn naar een datum na uitbetaling van het salaris") or on a
chosen direct-debit day, and never leave the household below its protected income (Rv 475b-475i).
When capacity cannot clear the debt within the policy's duration limit (default 36 months, the
classic schuldregeling term), the proposal is a **problematic debt** outcome: the policy then offers
a referral to municipal debt help, with the debtor's consent (Wgs), instead of a plan that cannot
work.

Public API (stable; the policy engine reads it):

* :class:`ArrangementStatus`, :class:`InstalmentStatus`, :class:`PaymentMethod`,
  :class:`ChargesDuringPlan`, :class:`ProposalOutcome`, :class:`PromiseStatus`
* :class:`Instalment`, :class:`Arrangement`, :class:`GracePolicy`, :class:`PromiseToPay`
* :func:`propose_arrangement` -> :class:`ArrangementProposal`
* :func:`classic_arrangement` -> :class:`ArrangementProposal` (for comparison only)
* :func:`arrangement_status` -> :class:`ArrangementState`
* :func:`debit_schedule` -> :class:`PlannedDebit` per instalment of a direct-debit plan
* :func:`replan` (after an income change), :func:`cancel`, :func:`promise_status`,
  :func:`new_charges_allowed`
"""

from __future__ import annotations

from maatwerk.core.arrangements import _debits, _model, _monitoring, _proposal
from maatwerk.core.arrangements._debits import *
from maatwerk.core.arrangements._model import *
from maatwerk.core.arrangements._monitoring import *
from maatwerk.core.arrangements._proposal import *


__all__ = _debits.__all__ + _model.__all__ + _monitoring.__all__ + _proposal.__all__
