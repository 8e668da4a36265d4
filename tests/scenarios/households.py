"""The twelve households of the 12-week scenario (issue #17 item 7), and their days.

Day 0 is Monday 2026-03-02; the scenario runs 84 days, to Sunday 2026-05-24. Most claims fall due
on Monday 2026-03-09 (day 7), so they are in default from day 8 and the humane ladder, anchored
to that date, would take its steps on these days when nothing stops it:

=====  ==========  ================================================================
day    date        humane step (rules/policies/humane.toml)
=====  ==========  ================================================================
2      2026-03-04  courtesy reminder (due date - 5)
15     2026-03-17  reminder (default + 7)
22     2026-03-24  phone call (default + 14)
25     2026-03-27  arrangement offer (call + 3 SEPA days)
29     2026-03-31  referral to debt help, after a "can't pay" (default + 21)
38     2026-04-09  early signal, with consent (default + 30)
43     2026-04-14  14-day letter (default + 35)
60     2026-05-01  second phone call before any bailiff (default + 52)
78     2026-05-19  bailiff hand-over, for review (default + 70); approved the same day
=====  ==========  ================================================================

People answer the phone the day after the call (day 23). The Zvw households (creditor ``zvw``,
policy ``zvw``) pay a monthly premium of EUR 160 on the first of the month.
"""

from __future__ import annotations

import datetime as dt

from scenario_harness import Claim, Household, cli_act, municipality_says, pays, say


START = dt.date(2026, 3, 2)
"""Day 0, a Monday."""
DAYS = 84
"""Twelve weeks: days 0 to 83 (2026-05-24)."""
DUE = dt.date(2026, 3, 9)
"""The due date of most claims (day 7); default from day 8."""
POLICY_FOR = {"zvw": "zvw"}
"""Creditor ``zvw`` runs the Zvw policy; every other creditor (``zorg``) the humane one."""


def day(n: int) -> str:
    """Day ``n`` as an ISO date (for options such as ``--promised-on``)."""
    return (START + dt.timedelta(days=n)).isoformat()


def _premiums(debtor_id: str, first: dt.date, months: int) -> tuple[Claim, ...]:
    """``months`` unpaid monthly Zvw premiums of EUR 160, the first due on ``first``."""
    claims = []
    for m in range(months):
        year, month = divmod(first.month - 1 + m, 12)
        due = dt.date(first.year + year, month + 1, 1)
        claims.append(
            Claim(
                f"{debtor_id}-P{m + 1}",
                "160.00",
                due,
                creditor="zvw",
                category="premium",
                periodic=True,
            )
        )
    return tuple(claims)


# The table (also in the test module's docstring):
#  id   name               household        net     debts                      what they do
#  H01  Sanne Bakker       single, bijstand 1050    450 invoice                day 23 "can't pay"
#  H02  Mark de Vries      single           5500    820 invoice                day 23 "won't pay"
#  H03  Fam. Öztürk        couple+children, 1700   820 invoice                day 23 "can't pay"
#                          bijstand
#  H04  Kees Jansen        single           1400    950 invoice                day 23 "can't pay",
#                                                                              day 27 consent,
#                                                                              day 45 municipality:
#                                                                              "in debt help"
#  H05  Wim Visser         single           2600    700 premium due 2020-01-01 (time-barred)
#  H06  Linda Smit         single           2400    675 invoice                day 30 pays 100
#  H07  Ahmed Yilmaz       single           2200    380 invoice                day 23 promise 380
#                                                                              by day 36; day 34
#                                                                              pays 380
#  H08  Joyce Mulder       single           2000    520 invoice                day 23 promise 520
#                                                                              by day 50; no pay
#  H09  Piet de Boer       single           1900    2 premiums (Mar, Apr)      -
#  H10  Eva Hendriks       single           1900    6 premiums (Dec-May): 4    day 10 dispute,
#                                                   months' arrears at start   day 30 upheld
#  H11  Rob Meijer         single           1900    6 premiums (Oct-Mar)       -
#  H12  Noor de Wit        single           2300    600 invoice due 03-19      - (letter on a
#                                                                              Friday, 2026-04-24)
HOUSEHOLDS: tuple[Household, ...] = (
    Household(
        "H01",
        "Sanne Bakker",
        "single",
        "1050.00",
        (Claim("H01-1", "450.00", DUE),),
        on_bijstand=True,
        acts=(say(23, "H01", "cant-pay"),),
    ),
    Household(
        "H02",
        "Mark de Vries",
        "single",
        "5500.00",
        (Claim("H02-1", "820.00", DUE),),
        gross_income="90000.00",
        acts=(say(23, "H02", "wont-pay"),),
    ),
    Household(
        "H03",
        "Fam. Öztürk",
        "couple-children",
        "1700.00",
        (Claim("H03-1", "820.00", DUE),),
        on_bijstand=True,
        acts=(say(23, "H03", "cant-pay"),),
    ),
    Household(
        "H04",
        "Kees Jansen",
        "single",
        "1400.00",
        (Claim("H04-1", "950.00", DUE),),
        gross_income="20000.00",
        acts=(
            say(23, "H04", "cant-pay"),
            cli_act(27, "consent", "add", "H04", "--scope", "municipal-referral"),
            municipality_says(45, "in-debt-help"),
        ),
    ),
    Household(
        "H05",
        "Wim Visser",
        "single",
        "2600.00",
        (
            Claim(
                "H05-1",
                "700.00",
                dt.date(2020, 1, 1),
                category="premium",
                periodic=True,
            ),
        ),
        gross_income="42000.00",
    ),
    Household(
        "H06",
        "Linda Smit",
        "single",
        "2400.00",
        (Claim("H06-1", "675.00", DUE),),
        gross_income="38000.00",
        acts=(pays(30, "100.00"),),
    ),
    Household(
        "H07",
        "Ahmed Yilmaz",
        "single",
        "2200.00",
        (Claim("H07-1", "380.00", DUE),),
        gross_income="34000.00",
        acts=(
            say(23, "H07", "promise", "--promised-on", day(36), "--amount", "380.00"),
            pays(34, "all"),
        ),
    ),
    Household(
        "H08",
        "Joyce Mulder",
        "single",
        "2000.00",
        (Claim("H08-1", "520.00", DUE),),
        gross_income="31000.00",
        acts=(say(23, "H08", "promise", "--promised-on", day(50), "--amount", "520.00"),),
    ),
    Household(
        "H09",
        "Piet de Boer",
        "single",
        "1900.00",
        _premiums("H09", dt.date(2026, 3, 1), 2),
        gross_income="29000.00",
    ),
    Household(
        "H10",
        "Eva Hendriks",
        "single",
        "1900.00",
        _premiums("H10", dt.date(2025, 12, 1), 6),
        gross_income="29000.00",
        acts=(
            cli_act(10, "dispute", "open", "H10", "--id", "X10", "--reason", "amount"),
            cli_act(30, "dispute", "resolve", "H10", "X10", "--outcome", "upheld"),
        ),
    ),
    Household(
        "H11",
        "Rob Meijer",
        "single",
        "1900.00",
        _premiums("H11", dt.date(2025, 10, 1), 6),
        gross_income="29000.00",
    ),
    Household(
        "H12",
        "Noor de Wit",
        "single",
        "2300.00",
        (Claim("H12-1", "600.00", dt.date(2026, 3, 19)),),
        gross_income="36000.00",
    ),
)
