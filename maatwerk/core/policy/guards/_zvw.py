"""The built-in guards of the Zvw (health insurance, art. 18b-18c): the BRP address, the
statutory bars on the report to the CAK, and the second notice after a maintained dispute."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Final

from maatwerk.core.debts import Debt
from maatwerk.core.events import (
    ActionKind,
    DebtHelpKind,
    DebtorFlag,
)
from maatwerk.core.letter_dates import zvw_notice_last_day
from maatwerk.core.policy.guards._api import (
    _DAY,
    GuardContext,
    _builtin,
    _d,
    _verdict,
)
from maatwerk.core.policy.reasons import Verdict


@_builtin(
    "brp-mismatch",
    applies_to=frozenset({ActionKind.ZVW_REPORT}),
    mandatory=True,
    nl="adres niet of anders in de BRP (Zvw 18c)",
    en="address not in or different from the BRP (Zvw 18c)",
)
def brp_mismatch(ctx: GuardContext) -> Verdict | None:
    state = ctx.state
    if state.debtor.has_brp_address and DebtorFlag.BRP_MISMATCH not in state.flags:
        return None
    return _verdict(
        "brp-mismatch",
        "Het adres staat niet of anders in de BRP. Aanmelden bij het CAK mag dan niet "
        "(Zvw art. 18c).",
        "The address is missing from or differs from the BRP: no report (Zvw 18c).",
    )


#: Debt help that bars a report to the CAK: a written stabilisation agreement (Zvw 18c lid 2),
#: and an amicable settlement or WSNP, which end the CAK premium at once (18d).
_REPORT_BARRING_HELP: Final = frozenset(
    {DebtHelpKind.STABILISATION, DebtHelpKind.SETTLEMENT, DebtHelpKind.WSNP}
)
_FOUR_MONTHS: Final = Decimal(4)


def _covers_debt(debt_ids: tuple[str, ...], debt_id: str | None, debt: Debt) -> bool:
    return (not debt_ids and debt_id is None) or debt.debt_id in debt_ids or debt_id == debt.debt_id


@_builtin(
    "zvw-report-bars",
    applies_to=frozenset({ActionKind.ZVW_REPORT}),
    mandatory=True,
    nl="Zvw 18b/18c: mededeling, termijn, tweede mededeling, stabilisatie, regeling",
    en="Zvw 18b/18c: notice, its term, second notice, stabilisation, arrangement",
)
def zvw_report_bars(ctx: GuardContext) -> Verdict | None:
    """The statutory bars to a report to the CAK (Zvw 18b and 18c), which no policy can drop.

    No report: without a delivered 18b notice; with a written stabilisation agreement, an
    amicable settlement or WSNP; after a dispute the insurer maintains (``upheld``) until a
    second notice went out (18b lid 2); until the 4 weeks of the latest notice have run (from
    the day after receipt, Atw); while an arrangement started after the 4-month point is kept
    and the new premiums are paid. An open dispute (also one before the SKGZ or the court) is
    the mandatory ``dispute`` guard's; an address not (or differently) in the BRP the mandatory
    ``brp-mismatch`` guard's.
    """
    state, debt = ctx.state, ctx.debt
    notices = [n for n in state.zvw_notices if _covers_debt(n.debt_ids, n.debt_id, debt)]
    if not notices:
        return _verdict(
            "zvw-report-bars",
            "Er is nog geen brief gestuurd dat we de klant willen aanmelden bij het CAK. "
            "Zonder die brief mag aanmelden niet (Zvw art. 18b).",
            "No Zvw 18b notice has been delivered yet: no report to the CAK.",
        )
    help_now = [h for h in state.debt_help if h.help_kind in _REPORT_BARRING_HELP]
    if help_now:
        nl, en = _d(help_now[0].occurred_on)
        return _verdict(
            "zvw-report-bars",
            f"De klant heeft sinds {nl} een stabilisatieovereenkomst, schuldregeling of "
            "WSNP. Aanmelden bij het CAK mag dan niet (Zvw art. 18c en 18d).",
            f"{help_now[0].help_kind.value} since {en}: no report to the CAK (Zvw 18c/18d).",
        )
    last = notices[-1]
    upheld = [
        r
        for r in state.resolutions
        if r.outcome == "upheld"
        and r.debt_id in (None, debt.debt_id)
        and (r.occurred_on > last.sent_on or (r.occurred_on == last.sent_on and not last.second))
    ]
    if upheld:
        nl, en = _d(upheld[-1].occurred_on)
        return _verdict(
            "zvw-report-bars",
            f"De klant was het niet eens met de vordering. Op {nl} hebben wij besloten dat de "
            "vordering blijft staan. Eerst krijgt de klant daarover een tweede brief. Daarna "
            "heeft de klant 4 weken om naar de SKGZ of de rechter te gaan (Zvw art. 18b lid 2).",
            f"Dispute maintained on {en}: a second notice must come first, then 4 weeks to go "
            "to the SKGZ or the court (Zvw 18b lid 2).",
        )
    last_day = max(
        zvw_notice_last_day(last.received_on, ctx.tables.calendars.get(ctx.tables.atw)),
        last.last_day,
    )
    if ctx.today <= last_day:
        nl, en = _d(last_day)
        if last.second:
            text_nl = (
                f"De klant kan tot en met {nl} naar de SKGZ of de rechter (Zvw art. 18b lid 2)."
            )
            text_en = (
                f"The debtor may go to the SKGZ or the court until {en} inclusive (18b lid 2)."
            )
        else:
            text_nl = (
                f"De klant kan tot en met {nl} bezwaar maken tegen de vordering (Zvw art. 18b)."
            )
            text_en = f"The debtor may dispute the debt until {en} inclusive (Zvw 18b)."
        return _verdict("zvw-report-bars", text_nl, text_en, until=last_day + _DAY)
    return _kept_late_arrangement(ctx, notices[0].sent_on)


def _kept_late_arrangement(ctx: GuardContext, first_notice: dt.date) -> Verdict | None:
    """Zvw 18b lid 3: an arrangement started after the 4-month point, kept while the new premiums
    are paid, bars the report. The 4-month point is the day the arrears first reached 4 months'
    premium, or the first notice's day when that is earlier or not known."""
    state, debt = ctx.state, ctx.debt
    reached = state.threshold_reached_on(None, _FOUR_MONTHS)
    point = first_notice if reached is None else min(reached, first_notice)
    for plan in state.arrangements:
        if not plan.covers(debt.debt_id) or plan.accepted_on < point:
            continue
        new_unpaid = [
            d for d in state.debts_in_default if d.periodic and d.due_date > plan.accepted_on
        ]
        if new_unpaid:
            continue
        nl, en = _d(plan.accepted_on)
        return _verdict(
            "zvw-report-bars",
            f"Sinds {nl} loopt een betalingsregeling en de klant betaalt de nieuwe premies. "
            "Aanmelden bij het CAK mag dan niet (Zvw art. 18b).",
            f"An arrangement started on {en}, after the 4-month point, and new premiums are "
            "paid: no report to the CAK (Zvw 18b).",
        )
    return None


@_builtin(
    "zvw-second-notice",
    applies_to=frozenset({ActionKind.ZVW_NOTICE}),
    mandatory=True,
    nl="tweede mededeling (Zvw 18b lid 2) alleen na eerste mededeling en gehandhaafd bezwaar",
    en="second notice (Zvw 18b lid 2) only after a first notice and a maintained dispute",
)
def zvw_second_notice(ctx: GuardContext) -> Verdict | None:
    """A step with ``notice = "second"`` goes out only after a maintained (``upheld``) dispute
    that came after a delivered first notice; other notice steps pass."""
    if dict(ctx.step.params).get("notice") != "second":
        return None
    state, debt = ctx.state, ctx.debt
    upheld = [
        r for r in state.resolutions if r.outcome == "upheld" and r.debt_id in (None, debt.debt_id)
    ]
    first = [
        n for n in state.zvw_notices if not n.second and _covers_debt(n.debt_ids, n.debt_id, debt)
    ]
    if upheld and first and first[0].sent_on <= upheld[-1].occurred_on:
        return None
    return _verdict(
        "zvw-second-notice",
        "Een tweede brief over aanmelden bij het CAK kan pas na de eerste brief en nadat wij "
        "een bezwaar hebben bekeken en de vordering laten staan (Zvw art. 18b lid 2).",
        "A second notice needs a delivered first notice and a dispute maintained after it "
        "(Zvw 18b lid 2).",
    )
