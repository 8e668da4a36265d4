"""Protected income: the beslagvrije voet (BVV), Rv art. 475b-475i (regime since 2021-01-01).

What a household keeps each month; nothing the engine proposes may go below it. The calculation
follows docs/rules/protected-income.md:

1. special cases first: a debtor in a care institution (475e lid 2), a debtor on bijstand
   (475dc lid 2: 95 % of the applicable norm minus other income), a debtor without a BRP address
   (475da lid 4: 47.5 % of the couple norm B);
2. otherwise the lid-2 formula of 475da, **versioned by period** (the housing term was quadratic in
   the texts up to 2025-07-01 and is linear from 2026-01-01), capped by the lid-1 maximum;
3. increases on request: housing costs above 110 % of the maximum rent limit (lid 5-6); the
   owner-occupier increase (lid 7) is *not supported* (its computation in the Besluit beslagvrije
   voet was not retrieved) and says so;
4. reductions (475db): the spouse's unattached income (at most half the BVV), the debtor's own
   unattached income; floor 0;
5. the creditor's 5 % (475dc lid 1): never above 95 % of the debtor's net monthly income incl.
   holiday pay.

Steps 4-5 apply to the BVV "of 475da" (the formula and the lid-4 no-address rule). The
institution rule (475e lid 2) and the bijstand rule (475dc lid 2) set the BVV directly, the latter
with its own deduction of other income (PW art. 32). Without the gross income C the formula is not
evaluated: the result is given only when the 95 %-of-income cap is below the formula's floor
(95 % of norm A or B, [U] clamp), and says so; otherwise C is asked for.

Parameters come from dated tables (``maatwerk/rules/bvv_*.toml``, ``bijstand_norms.toml``) and are
used unrounded; only the final BVV is rounded half-up to cents. The result lists every term with
its article so a letter can show the calculation (475i lid 2), the table versions used, and
whether a provisional value or an unverified [U] rule changed the outcome.

The values (dated table values, input, result) are in ``_model``, the calculation in ``_formula``.
"""

from __future__ import annotations

from maatwerk.core.subsistence import _formula, _model
from maatwerk.core.subsistence._formula import *
from maatwerk.core.subsistence._model import *


__all__ = _formula.__all__ + _model.__all__
