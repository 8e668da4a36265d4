"""The funnel report read from the store (SQLite and PostgreSQL): figures, ageing, protection."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner
from report_samples import sample_column
from run_helpers import import_portfolio

from maatwerk.adapters.jsonschema_check import check
from maatwerk.adapters.report.charts import funnel_chart
from maatwerk.adapters.report.figures_json import load_schema
from maatwerk.adapters.storage import SqlStore
from maatwerk.adapters.subsistence_tables import load_subsistence_tables
from maatwerk.cli import cli
from maatwerk.core.debtors import Debtor, HouseholdType
from maatwerk.core.debts import AppliedPayment, Balance, CostLine, Debt, Payment
from maatwerk.core.events import (
    ActionKind,
    ArrangementAccepted,
    ArrangementBreached,
    ArrangementOffered,
    StepTaken,
)
from maatwerk.core.money import Money, eur
from maatwerk.core.records import (
    CaseKey,
    CaseOutcome,
    DecisionRecord,
    ImportRecord,
    PaymentApplication,
    Posting,
)
from maatwerk.services.payloads import household_bvv
from maatwerk.services.reporting import capacity_from_tables, gather_funnel


START = dt.date(2026, 1, 1)
END = dt.date(2026, 4, 30)
C = "zorg"


def _debtor(i: int, income: str = "1500.00") -> Debtor:
    return Debtor(
        debtor_id=f"D{i}",
        name=f"Person {i}",
        household=HouseholdType.SINGLE,
        net_monthly_income=eur(income),
    )


def _bill(i: int, due: dt.date, amount: str = "100.00") -> Debt:
    return Debt(
        debt_id=f"B{i}", debtor_id=f"D{i}", creditor_id=C, principal=eur(amount), due_date=due
    )


def _pay(i: int, day: dt.date, amount: str) -> Payment:
    return Payment(payment_id=f"P{i}", debtor_id=f"D{i}", received_on=day, amount=eur(amount))


def _applied(i: int, day: dt.date, principal: str, costs: str = "0.00") -> PaymentApplication:
    return PaymentApplication(
        debt_id=f"B{i}",
        applied=AppliedPayment(
            payment_id=f"P{i}",
            applied_on=day,
            parts=Balance(costs=eur(costs), principal=eur(principal)),
        ),
    )


def _step(i: int, day: dt.date, action: ActionKind) -> StepTaken:
    return StepTaken(
        occurred_on=day,
        debtor_id=f"D{i}",
        step_id=action.value,
        action=action,
        channel="letter",
        debt_ids=(f"B{i}",),
        policy="humane@2026.1",
    )


def _decision(i: int, day: dt.date, blocked_by: str | None = None) -> DecisionRecord:
    return DecisionRecord(
        run_date=day,
        case=CaseKey(f"D{i}", C),
        policy="humane@2026.1",
        outcome="blocked" if blocked_by else "none",
        blocked_by=blocked_by,
    )


@pytest.fixture
def store(store: SqlStore) -> SqlStore:
    """Five households: on time (1), late and paid after a reminder and a call (2), an
    arrangement kept (3), an arrangement broken and a bailiff (4), and one still open and
    protected by a dispute guard (5); a sixth bill falls outside the period."""
    due = dt.date(2026, 2, 1)
    records: list[ImportRecord] = [
        *(_debtor(i) for i in range(1, 7)),
        *(_bill(i, due) for i in range(1, 6)),
        _bill(6, dt.date(2026, 6, 1)),
        _pay(1, due, "100.00"),
        _pay(2, dt.date(2026, 2, 20), "100.00"),
        _pay(3, dt.date(2026, 4, 1), "115.00"),
    ]
    import_portfolio(store, records)
    store.record_outcomes(
        due,
        [
            CaseOutcome(decision=_decision(1, due), applications=(_applied(1, due, "100.00"),)),
            CaseOutcome(
                decision=_decision(2, due),
                applications=(_applied(2, dt.date(2026, 2, 21), "100.00"),),
            ),
            CaseOutcome(
                decision=_decision(3, due),
                postings=(
                    Posting(
                        debt_id="B3",
                        posting_key="bik",
                        line=CostLine(
                            posted_on=dt.date(2026, 3, 20), amount=eur("15.00"), kind="bik"
                        ),
                    ),
                ),
                applications=(_applied(3, dt.date(2026, 4, 2), "100.00", "15.00"),),
            ),
            CaseOutcome(decision=_decision(5, due, "open-dispute")),
        ],
    )
    store.record_outcomes(
        dt.date(2026, 3, 1),
        [CaseOutcome(decision=_decision(5, dt.date(2026, 3, 1), "open-dispute"))],
    )
    offered = dt.date(2026, 3, 1)
    store.append(
        [
            _step(2, dt.date(2026, 2, 8), ActionKind.PAYMENT_REMINDER),
            _step(2, dt.date(2026, 2, 15), ActionKind.PHONE_CALL),
            _step(3, dt.date(2026, 2, 15), ActionKind.PHONE_CALL),
            _step(4, dt.date(2026, 2, 15), ActionKind.PHONE_CALL),
            *(
                ArrangementOffered(
                    occurred_on=offered,
                    debtor_id=f"D{i}",
                    arrangement_id=f"A{i}",
                    instalment=eur(amount),
                    instalments=2,
                )
                for i, amount in ((3, "57.50"), (4, "900.00"))
            ),
            ArrangementAccepted(occurred_on=offered, debtor_id="D3", arrangement_id="A3"),
            ArrangementAccepted(occurred_on=offered, debtor_id="D4", arrangement_id="A4"),
            ArrangementBreached(
                occurred_on=dt.date(2026, 4, 5), debtor_id="D4", arrangement_id="A4"
            ),
            _step(4, dt.date(2026, 4, 10), ActionKind.FOURTEEN_DAY_LETTER),
            _step(4, dt.date(2026, 4, 28), ActionKind.BAILIFF_HANDOVER),
        ]
    )
    return store


def _capacity(debtor: Debtor, total: Money, on: dt.date) -> Money | None:
    del total, on
    return (debtor.net_monthly_income or Money.zero()) - eur("1400.00")


class TestReportFromStore:
    """The store's bills, events and decisions give the funnel, ageing and protection figures."""

    def test_funnel(self, store: SqlStore) -> None:
        figures = gather_funnel(store, START, END, capacity=_capacity)
        column = figures.columns[0]
        # six households in the store, five with a bill due in the period
        assert (column.bills, column.debtors, column.billed_households) == (5, 6, 5)
        assert column.billed == eur("500.00")
        # D1 on time; D2 (19 days late), D3, D4, D5 in arrears; D3-D5 past 31 days (CAK)
        assert (column.paid_on_time, column.in_arrears) == (1, 4)
        assert (column.paid_within_31_days, column.not_within_31_days) == (2, 3)
        assert (column.reminders, column.calls, column.demands, column.bailiff) == (1, 3, 1, 1)
        assert (column.arrangements, column.arrangements_kept, column.arrangements_broken) == (
            2,
            1,
            1,
        )
        assert column.recovered == 2
        assert column.arrears_total == eur("400.00")
        assert column.arrears_recovered == eur("200.00")
        assert column.costs_charged == eur("15.00")
        assert column.avg_days_to_resolution is not None
        assert figures.table_versions == ("humane@2026.1",)

    def test_stages_nest(self, store: SqlStore) -> None:
        # audit defect 19: "In arrears 0" next to reminders and recoveries; steps for a household
        # without an overdue bill of the period are not counted; zero stays zero
        store.append([_step(6, dt.date(2026, 3, 2), ActionKind.PAYMENT_REMINDER)])
        short = gather_funnel(store, START, dt.date(2026, 2, 28)).columns[0]
        assert short.not_within_31_days == 0  # no bill 31 days old yet
        assert (short.in_arrears, short.reminders, short.recovered) == (4, 1, 1)
        column = gather_funnel(store, START, END).columns[0]
        assert column.reminders == 1  # D6's reminder is not a funnel step of this period
        assert column.paid_on_time + column.in_arrears == column.billed_households
        for stage in (column.reminders, column.calls, column.arrangements, column.demands,
                      column.bailiff, column.recovered, column.written_off):  # fmt: skip
            assert stage <= column.in_arrears
        assert column.arrangements_kept + column.arrangements_broken == column.arrangements
        assert [s.count for s in column.stages() if s.key == "written_off"] == [0]

    def test_ageing_and_protection(self, store: SqlStore) -> None:
        column = gather_funnel(store, START, END).columns[0]
        open_bills = {b.label: b.bills for b in column.ageing}
        assert open_bills["61-90 days"] == 2
        assert sum(open_bills.values()) == 2
        assert [(p.reason, p.decisions, p.households) for p in column.protected] == [
            ("open-dispute", 2, 1)
        ]

    def test_arrangements_against_capacity(self, store: SqlStore) -> None:
        column = gather_funnel(store, START, END, capacity=_capacity).columns[0]
        points = sorted((p.instalment, p.capacity, p.kept) for p in column.arrangement_points)
        assert points == [
            (eur("57.50"), eur("100.00"), True),
            (eur("900.00"), eur("100.00"), False),
        ]
        assert column.below_bvv == 1

    def test_period_limits_the_bills(self, store: SqlStore) -> None:
        column = gather_funnel(store, START, dt.date(2026, 7, 1)).columns[0]
        assert column.bills == 6


class TestReportCommand:
    """'maatwerk report' writes the HTML and prints the schema-valid JSON figures."""

    def test_json_and_html(self, store: SqlStore, migrated_db_url: str, tmp_path: Path) -> None:
        out = tmp_path / "report.html"
        result = CliRunner().invoke(
            cli,
            ["report", "--from", "2026-01-01", "--to", "2026-04-30", "--out", str(out),
             "--db", migrated_db_url, "--json"],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        document = json.loads(result.stdout)
        assert check(document, load_schema()) == []
        assert document["policies"][0]["bills"] == 5
        assert "<svg" in out.read_text(encoding="utf-8")

    def test_bad_period(self, store: SqlStore, migrated_db_url: str) -> None:
        result = CliRunner().invoke(
            cli, ["report", "--from", "2026-05-01", "--to", "2026-04-30", "--db", migrated_db_url]
        )
        assert result.exit_code == 2


class TestCapacityFromTables:
    """Capacity is income above the shipped BVV; unknown when the data cannot decide the BVV."""

    def test_capacity(self) -> None:
        capacity = capacity_from_tables(load_subsistence_tables())
        debtor = attrs.evolve(_debtor(1, "3000.00"), gross_annual_income=eur("45000.00"))
        spare = capacity(debtor, eur("600.00"), dt.date(2026, 3, 1))
        assert spare is not None
        assert Money.zero() < spare < eur("3000.00")
        poor = attrs.evolve(_debtor(2, "900.00"), gross_annual_income=eur("12000.00"))
        # the BVV is at most 95 % of net income (Rv 475d lid 5): 5 % of EUR 900 stays available
        assert capacity(poor, eur("600.00"), dt.date(2026, 3, 1)) == eur("45.00")

    def test_no_brp_address_uses_the_same_bvv_as_an_offer(self) -> None:
        """Without a BRP address the BVV is 47.5 % of norm B (Rv 475da lid 4), in the report's
        capacity as in an arrangement offer (both through ``household_bvv``)."""
        tables = load_subsistence_tables()
        on = dt.date(2026, 3, 1)
        homeless = attrs.evolve(_debtor(1, "1500.00"), has_brp_address=False)
        bvv = household_bvv(homeless, eur("1500.00"), on, tables).bvv
        assert bvv < eur("1000.00")
        assert capacity_from_tables(tables)(homeless, eur("600.00"), on) == eur("1500.00") - bvv

    def test_unknown_without_gross_income(self) -> None:
        capacity = capacity_from_tables(load_subsistence_tables())
        assert capacity(_debtor(1, "3000.00"), eur("600.00"), dt.date(2026, 3, 1)) is None


def _bar_widths(svg: str) -> list[float]:
    """Widths of the funnel bars (patch 1 and 2 are the figure and axes backgrounds)."""
    widths: list[float] = []
    for match in re.finditer(r'<g id="patch_(\d+)">\s*<path d="([^"]+)"', svg):
        if int(match.group(1)) <= 2:
            continue
        xs = [float(x) for x in re.findall(r"[ML] ([-0-9.]+) ", match.group(2))]
        widths.append(max(xs) - min(xs))
    return widths


class TestFunnelChart:
    """Audit defect 19: a zero count is drawn as no bar, a count of one as a visible bar."""

    def test_zero_has_no_bar(self) -> None:
        column = attrs.evolve(sample_column("humane"), bailiff=0, written_off=1, demands=0)
        counts = [s.count for s in column.stages() if s.unit == "households"]
        widths = _bar_widths(funnel_chart([column]))[: len(counts)]  # then the legend's
        assert len(widths) == len(counts)
        for count, width in zip(counts, widths, strict=True):
            assert (width == 0) is (count == 0), (count, width)
