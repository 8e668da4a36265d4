"""The dates a letter states, through the daily run and the stock letters channel (SQLite, PG).

* a letter counts as received on the next postal delivery day (a Friday letter on Tuesday);
* the aanmaning dated 13 April 2026 says "uiterlijk 28 april" (King's Day, Atw), and one that
  goes out later after a review is dated again for the day it goes out;
* the Zvw 18b notice states the right to dispute and its last day, and is recorded with it;
* an arrangement offer that goes out weeks after it was decided offers its plan from after the
  day to answer it then states, and that plan is the offer recorded.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Final

import attrs
from run_helpers import HOME, bill, import_portfolio, stock_dispatcher

from maatwerk.adapters.calendars import build_calendars
from maatwerk.adapters.channels._files import dutch_date
from maatwerk.adapters.legal_tables import load_aanmaning_table, load_bik_table, load_postal_table
from maatwerk.adapters.policy_loader import load_policy
from maatwerk.adapters.storage import SqlStore
from maatwerk.core.debtors import Debtor, HouseholdType
from maatwerk.core.debts import ClaimKind
from maatwerk.core.events import (
    ArrangementOffered,
    FormalDemandSent,
    FourteenDayLetterSent,
    ZvwNoticeSent,
)
from maatwerk.core.money import eur
from maatwerk.core.policy import PolicyTables
from maatwerk.services import review
from maatwerk.services.run import PolicyCaseEvaluator, RunSettings, run_day


SETTINGS: Final = {"creditor_name": "Voorbeeld", "creditor_phone": "088 000 00 00"}
POLICY = """
schema = 1
name = "dates"
version = "1"

[[step]]
id = "letter"
action = "{action}"
channel = "letters"
anchor = "default-date"
days = 1
review = {review}
{params}"""


def evaluator(
    tmp: Path, action: str, *, review_step: bool = False, params: str = ""
) -> PolicyCaseEvaluator:
    path = tmp / "dates.toml"
    policy = POLICY.format(action=action, review=str(review_step).lower(), params=params)
    path.write_text(policy, encoding="utf-8")
    return PolicyCaseEvaluator(
        policies={"dates": load_policy(path)},
        default="dates",
        tables=PolicyTables(calendars=build_calendars()),
        bik=load_bik_table(),
        aanmaning=load_aanmaning_table(),
        postal=load_postal_table(),
    )


def portfolio(store: SqlStore, *, kind: ClaimKind, category: str = "invoice") -> None:
    debtor = Debtor(debtor_id="D1", name="Person 1", household=HouseholdType.SINGLE, address=HOME)
    debt = bill("B1", "D1", "c1", eur("400.00"), dt.date(2026, 1, 10), kind=kind, category=category)
    import_portfolio(store, [debtor, debt])


def run(store: SqlStore, ev: PolicyCaseEvaluator, day: dt.date, out: Path) -> None:
    dispatcher = stock_dispatcher(store, day, out, SETTINGS, tables=ev.tables)
    run_day(store, ev, day, dispatcher=dispatcher, settings=RunSettings(prepared_by="engine"))


def letter_text(out: Path) -> str:
    (path,) = list((out / "letters").rglob("*.txt"))
    return path.read_text(encoding="utf-8")


class TestFourteenDayLetter:
    def test_friday_letter_is_received_on_tuesday(self, store: SqlStore, tmp_path: Path) -> None:
        portfolio(store, kind=ClaimKind.PRIVATE)
        ev = evaluator(tmp_path, "fourteen-day-letter")
        friday = dt.date(2026, 3, 13)
        run(store, ev, friday, tmp_path)
        (letter,) = [
            r.event for r in store.history("D1") if isinstance(r.event, FourteenDayLetterSent)
        ]
        # Friday + 2 = Sunday; PostNL delivers letters Tuesday to Saturday: Tuesday 17 March
        assert (letter.sent_on, letter.received_on) == (friday, dt.date(2026, 3, 17))
        text = letter_text(tmp_path)
        assert "17 maart 2026 krijgt" in text
        assert "31 maart 2026 de laatste dag" in text  # 17 March + 14, a Tuesday

    def test_a_policy_may_say_the_post_comes_on_monday(
        self, store: SqlStore, tmp_path: Path
    ) -> None:
        portfolio(store, kind=ClaimKind.PRIVATE)
        ev = evaluator(tmp_path, "fourteen-day-letter")
        policy = ev.policies["dates"]
        monday = attrs.evolve(policy.settings, monday_delivery=True)
        ev = attrs.evolve(ev, policies={"dates": attrs.evolve(policy, settings=monday)})
        run(store, ev, dt.date(2026, 3, 13), tmp_path)
        (letter,) = [
            r.event for r in store.history("D1") if isinstance(r.event, FourteenDayLetterSent)
        ]
        assert letter.received_on == dt.date(2026, 3, 16)


class TestAanmaning:
    def test_dated_13_april_says_28_april(self, store: SqlStore, tmp_path: Path) -> None:
        portfolio(store, kind=ClaimKind.PUBLIC, category="tax")
        ev = evaluator(tmp_path, "formal-demand")
        run(store, ev, dt.date(2026, 4, 13), tmp_path)
        text = letter_text(tmp_path)
        assert "Datum: 13 april 2026" in text
        assert "uiterlijk 28 april 2026" in text  # 27 April is King's Day (Atw)
        assert "27 april" not in text

    def test_approved_later_is_dated_for_the_day_it_goes_out(
        self, store: SqlStore, tmp_path: Path
    ) -> None:
        portfolio(store, kind=ClaimKind.PUBLIC, category="tax")
        ev = evaluator(tmp_path, "formal-demand", review_step=True)
        run(store, ev, dt.date(2026, 4, 13), tmp_path)
        (pending,) = store.reviews()
        review.approve(store, pending.review_id, by="checker", on=dt.date(2026, 4, 16))
        run(store, ev, dt.date(2026, 4, 16), tmp_path)
        text = letter_text(tmp_path)
        assert "Datum: 16 april 2026" in text
        assert "uiterlijk 30 april 2026" in text
        (demand,) = [r.event for r in store.history("D1") if isinstance(r.event, FormalDemandSent)]
        assert demand.sent_on == dt.date(2026, 4, 16)


class TestZvwNotice:
    def test_states_the_right_to_dispute_and_its_last_day(
        self, store: SqlStore, tmp_path: Path
    ) -> None:
        portfolio(store, kind=ClaimKind.PRIVATE, category="premium")
        ev = evaluator(tmp_path, "zvw-notice")
        run(store, ev, dt.date(2026, 4, 3), tmp_path)  # Good Friday
        text = letter_text(tmp_path)
        assert "bezwaar" in text
        # received Tuesday 7 April (Easter Monday, no post); + 28 = 5 May (Atw) -> 6 May
        assert "tot en met 6 mei 2026" in text
        (notice,) = [r.event for r in store.history("D1") if isinstance(r.event, ZvwNoticeSent)]
        assert (notice.received_on, notice.last_day) == (dt.date(2026, 4, 7), dt.date(2026, 5, 6))
        assert not notice.second


OFFER: Final = """[step.params]
plan = "fixed"
months = "4"
minimum_instalment = "50.00"
accept_within_days = "14"
"""


class TestArrangementOffer:
    def test_approved_weeks_later_offers_its_plan_after_the_new_day_to_answer(
        self, store: SqlStore, tmp_path: Path
    ) -> None:
        portfolio(store, kind=ClaimKind.PRIVATE)
        ev = evaluator(tmp_path, "arrangement-offer", review_step=True, params=OFFER)
        decided = dt.date(2026, 1, 12)
        run(store, ev, decided, tmp_path)
        (pending,) = store.reviews()
        planned = pending.item.entry.payload["first_instalment_on"]
        assert planned == dt.date(2026, 2, 26)  # as decided: after the answer day of then
        sent = dt.date(2026, 3, 2)
        review.approve(store, pending.review_id, by="checker", on=sent)
        run(store, ev, sent, tmp_path)
        (offer,) = [r.event for r in store.history("D1") if isinstance(r.event, ArrangementOffered)]
        assert offer.occurred_on == sent
        assert offer.arrangement_id == "D1:c1:2026-01-12"  # the same offer, dated again
        first_due = offer.schedule[0][0]
        # sent Monday 2 March, received Wednesday 4 March, 14 days to answer: 18 March
        assert offer.respond_by == dt.date(2026, 3, 18)
        assert first_due > offer.respond_by  # not 26 February, before the letter even went out
        assert offer.schedule == tuple(
            (dt.date(2026, month, 26), eur("100.00")) for month in (3, 4, 5, 6)
        )
        text = letter_text(tmp_path)
        assert f"De eerste betaling is op {dutch_date(first_due)}." in text
        assert f"De laatste betaling is op {dutch_date(offer.schedule[-1][0])}." in text
