"""A batch of the daily run never splits a debtor's cases; shard counts add up."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from maatwerk.core.records import CaseKey
from maatwerk.services.run.day import RunSummary, whole_debtors


def _keys(*pairs: str) -> list[CaseKey]:
    return [CaseKey(*pair.split("/")) for pair in pairs]


class TestWholeDebtors:
    def test_a_full_page_leaves_its_last_debtors_cases_for_the_next(self) -> None:
        page = _keys("D1/a", "D2/a", "D2/b")
        assert whole_debtors(page, 3) == _keys("D1/a")

    def test_a_page_that_is_not_full_is_the_end_and_stays_whole(self) -> None:
        page = _keys("D1/a", "D2/a")
        assert whole_debtors(page, 3) == page

    def test_one_debtor_with_more_cases_than_a_page_is_not_cut_to_nothing(self) -> None:
        page = _keys("D1/a", "D1/b", "D1/c")
        assert whole_debtors(page, 3) == page


def test_shard_counts_add_up_to_the_days_summary() -> None:
    day = dt.date(2026, 3, 2)
    first, second = RunSummary(run_date=day, dry_run=False), RunSummary(run_date=day, dry_run=False)
    first.cases_evaluated, first.cases_idle, first.review_queued = 3, 1, 1
    first.outcomes.update({"action": 2, "none": 1})
    first.actions_per_kind.update({"reminder": 2})
    second.cases_evaluated, second.cases_already_decided = 2, 4
    second.outcomes.update({"action": 1, "blocked": 1})
    second.blocked_per_reason.update({"consent": 1})
    total = RunSummary(run_date=day, dry_run=False)
    total.add(first.as_dict())
    total.add(second.as_dict())
    assert (total.cases_evaluated, total.cases_idle, total.cases_already_decided) == (5, 1, 4)
    assert total.review_queued == 1
    assert total.outcomes == Counter({"action": 3, "none": 1, "blocked": 1})
    assert total.actions_per_kind == Counter({"reminder": 2})
    assert total.blocked_per_reason == Counter({"consent": 1})
