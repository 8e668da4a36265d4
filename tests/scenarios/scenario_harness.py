"""The harness of the 12-week scenario (issue #17 item 7): households run day by day through the CLI.

A :class:`Household` is a debtor with debts and the things people do on given days (:class:`Act`:
a phone call logged with its outcome, a consent, a dispute, a payment, municipal feedback ...).
:func:`run_scenario` imports them all into one real SQLite file, then for each of the days runs
``maatwerk run --date D`` and, as a team lead would, approves every review that waits
(``maatwerk review approve``). What each household went through is read back afterwards into a
:class:`Path`: the decision per day (step, or the guard that blocked it), the steps taken, the
events, the cost and interest lines and the final ``maatwerk explain --json``.

A command the scenario needs but the CLI refuses (an option or a subcommand not there yet) does
not stop the scenario: it is kept in :attr:`Path.errors` of its household, whose test then fails.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path as FilePath
from typing import Any

import sqlalchemy as sa
from cli_helpers import SETTING_FLAGS, migrate_and_import
from click.testing import CliRunner

from maatwerk.adapters.storage import SqlStore
from maatwerk.adapters.storage import schema as tables
from maatwerk.cli import cli
from maatwerk.core.events import ActionKind, DebtorFlagged, Event, StepTaken
from maatwerk.core.records import CaseKey


TEAM_LEAD = "lotte"
"""Who approves every review (not the engine, which prepares them: four eyes)."""
CASE_MANAGER = "anna"
"""Who records what people say and do."""


# ------------------------------------------------------------------------------ the households
@dataclass(frozen=True)
class Claim:
    """One debt of a household, as a portfolio row's debt columns."""

    debt_id: str
    principal: str
    due: dt.date
    creditor: str = "zorg"
    category: str = "invoice"
    periodic: bool = False
    kind: str = "private"


@dataclass(frozen=True)
class Act:
    """What someone does on ``day`` (0 = the first run day), before that day's run.

    ``args`` is a recording command as a person types it (``contact log H01 --channel phone
    --outcome cant-pay``); the harness adds ``--date``, ``--by`` and ``--db``. ``payment`` (an
    amount) imports a payments file instead; ``feedback`` (an outcome) imports a municipal
    feedback file (``maatwerk import municipal-feedback``) about this household's referral.
    """

    day: int
    args: tuple[str, ...] = ()
    payment: str | None = None
    feedback: str | None = None


@dataclass(frozen=True)
class Household:
    """A named household with its debts and the acts of its people."""

    debtor_id: str
    name: str
    household: str
    net_income: str
    claims: tuple[Claim, ...]
    gross_income: str = ""
    on_bijstand: bool = False
    payday: int = 25
    acts: tuple[Act, ...] = ()


def say(day: int, debtor_id: str, outcome: str, *more: str) -> Act:
    """A phone call on ``day`` logged with its ``outcome`` (and any further options)."""
    return Act(
        day, ("contact", "log", debtor_id, "--channel", "phone", "--outcome", outcome, *more)
    )


def cli_act(day: int, *args: str) -> Act:
    """Any recording command on ``day`` (``consent add ...``, ``dispute open ...``)."""
    return Act(day, tuple(args))


def pays(day: int, amount: str) -> Act:
    """A bank transfer of ``amount`` received on ``day`` (``maatwerk import payments``);
    ``"all"``: the whole balance ``maatwerk explain`` shows that morning."""
    return Act(day, payment=amount)


def municipality_says(day: int, outcome: str) -> Act:
    """The municipality's feedback on the referral (``maatwerk import municipal-feedback``)."""
    return Act(day, feedback=outcome)


_PORTFOLIO_COLUMNS = (
    "debtor_id",
    "name",
    "household",
    "net_monthly_income",
    "gross_annual_income",
    "payday",
    "phone",
    "on_bijstand",
    "street",
    "house_number",
    "postcode",
    "city",
    "debt_id",
    "creditor_id",
    "principal",
    "due_date",
    "category",
    "periodic",
    "kind",
)


def portfolio_csv(households: Iterable[Household]) -> str:
    """The households as one ``maatwerk import portfolio`` file (one row per debt)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_PORTFOLIO_COLUMNS)
    for n, h in enumerate(households):
        for c in h.claims:
            writer.writerow(
                (
                    h.debtor_id,
                    h.name,
                    h.household,
                    h.net_income,
                    h.gross_income,
                    h.payday,
                    f"06{n:08}",
                    "yes" if h.on_bijstand else "no",
                    "Dorpsstraat",  # every household has a postal address (no address: no
                    str(n + 1),  # letter, the run puts a call on the work list instead)
                    f"{1011 + n} AB",
                    "Amsterdam",
                    c.debt_id,
                    c.creditor,
                    c.principal,
                    c.due.isoformat(),
                    c.category,
                    "yes" if c.periodic else "no",
                    c.kind,
                )
            )
    return out.getvalue()


# ------------------------------------------------------------------------------ what happened
@dataclass(frozen=True)
class DayDecision:
    """The stored decision for one case on one run day."""

    day: int
    creditor: str
    outcome: str
    step: str | None
    action: str | None
    blocked_by: str | None
    held: tuple[tuple[str, str], ...] = ()
    """(step id, guard reason code) of every step a guard blocked or postponed that day, also
    on a day another step went ahead (the decision's notes)"""


@dataclass(frozen=True)
class Taken:
    """A step the run carried out (a ``step-taken`` event), on ``day``."""

    day: int
    step: str
    action: str
    debt_ids: tuple[str, ...]


@dataclass
class Path:
    """What one household went through in the scenario."""

    debtor_id: str
    start: dt.date
    decisions: list[DayDecision] = field(default_factory=list)
    taken: list[Taken] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    reviews: list[tuple[int, str, str]] = field(default_factory=list)
    """(day queued, step, status) of every review of this household"""
    costs: list[tuple[dt.date, str, Decimal]] = field(default_factory=list)
    """(posted on, kind, amount) of every cost line (BIK ...)"""
    interest: Decimal = Decimal(0)
    """all interest posted"""
    explained: dict[str, Any] = field(default_factory=dict)
    """``maatwerk explain DEBTOR --date LAST --json``"""
    errors: list[str] = field(default_factory=list)
    """recording commands or imports the CLI refused"""
    handed: list[tuple[int, str, str]] = field(default_factory=list)
    """(run day, action, outbox status) of everything the run handed to a channel"""

    def day_of(self, on: dt.date) -> int:
        return (on - self.start).days

    def date_of(self, day: int) -> dt.date:
        return self.start + dt.timedelta(days=day)

    def days(self, step: str) -> list[int]:
        """The days ``step`` was taken."""
        return [t.day for t in self.taken if t.step == step]

    def steps(self) -> list[tuple[int, str]]:
        """Every step taken, as (day, step), in order."""
        return [(t.day, t.step) for t in self.taken]

    def actions(self) -> set[str]:
        """The actions taken (``fourteen-day-letter``, ``bailiff-handover`` ...)."""
        return {t.action for t in self.taken}

    def blocked(self, step: str | None = None) -> dict[str, list[int]]:
        """Guard reason code -> the days it held the case (``step is None``: the days the whole
        decision was blocked, by its first reason) or held ``step`` (from the decision's notes,
        also on days another step went ahead)."""
        found: dict[str, list[int]] = defaultdict(list)
        for d in self.decisions:
            if step is None:
                if d.outcome == "blocked" and d.blocked_by:
                    found[d.blocked_by].append(d.day)
                continue
            for code in dict.fromkeys(c for s, c in d.held if s == step):
                found[code].append(d.day)
        return dict(found)

    def reviewed(self, step: str) -> list[int]:
        """The days ``step`` was put up for review."""
        return [day for day, s, _ in self.reviews if s == step]

    def flags(self) -> set[str]:
        """The flags raised on the debtor (``problematic-debt`` ...)."""
        return {e.flag.value for e in self.events if isinstance(e, DebtorFlagged)}

    def event_kinds(self) -> list[tuple[int, str]]:
        """Every event as (day, kind), in recorded order."""
        return [(self.day_of(e.occurred_on), e.kind) for e in self.events]

    def of_kind(self, kind: str) -> list[Event]:
        return [e for e in self.events if e.kind == kind]

    def bik(self) -> Decimal:
        """The collection costs (BIK) posted."""
        return sum((amount for _, kind, amount in self.costs if kind == "bik"), Decimal(0))

    @property
    def balance(self) -> dict[str, Decimal]:
        """The final balance of all cases: principal, interest, costs, total."""
        total: dict[str, Decimal] = defaultdict(Decimal)
        for case in self.explained.get("cases", []):
            for key, value in case["balance"].items():
                total[key] += Decimal(str(value))
        return dict(total)

    @property
    def debt_help(self) -> list[Any]:
        """The debt-help status ``explain`` shows (empty when none)."""
        found: list[Any] = []
        for case in self.explained.get("cases", []):
            status = case.get("debt_help")
            if status:
                found.extend(status if isinstance(status, list) else [status])
        top = self.explained.get("debt_help")
        if top:
            found.extend(top if isinstance(top, list) else [top])
        return found


@dataclass
class Scenario:
    """The whole run: every household's :class:`Path`, by debtor id, and the run figures."""

    start: dt.date
    days: int
    paths: dict[str, Path]
    seconds: float = 0.0

    @property
    def last(self) -> dt.date:
        return self.start + dt.timedelta(days=self.days - 1)


# ------------------------------------------------------------------------------ the run
def _invoke(runner: CliRunner, args: Sequence[str]) -> tuple[int, str]:
    result = runner.invoke(cli, list(args))
    return result.exit_code, result.output


def _ok(runner: CliRunner, args: Sequence[str]) -> Any:
    code, output = _invoke(runner, args)
    assert code == 0, (args, output)
    return json.loads(output)


def _import(runner: CliRunner, db: list[str], kind: str, path: FilePath, text: str) -> str | None:
    path.write_text(text, encoding="utf-8")
    code, output = _invoke(runner, ["import", kind, str(path), *db, "--by", CASE_MANAGER])
    return None if code == 0 else f"import {kind} (exit {code}): {output.strip()}"


def _act(
    runner: CliRunner,
    *,
    db: list[str],
    folder: FilePath,
    debtor_id: str,
    act: Act,
    on: dt.date,
    n: int,
) -> str | None:
    """Carry out one act; the refusal as one line, or ``None``."""
    if act.payment is not None:
        amount = act.payment
        if amount == "all":  # what ``explain`` says is owed that morning
            code, output = _invoke(
                runner, ["explain", debtor_id, "--date", on.isoformat(), *db, "--json"]
            )
            if code != 0:
                return f"explain (exit {code}): {output.strip()}"
            amount = str(sum(Decimal(c["balance"]["total"]) for c in json.loads(output)["cases"]))
        return _import(
            runner,
            db,
            "payments",
            folder / f"payments-{n}.csv",
            "payment_id,debtor_id,received_on,amount\n"
            f"PAY-{debtor_id}-{n},{debtor_id},{on.isoformat()},{amount}\n",
        )
    if act.feedback is not None:
        return _import(
            runner,
            db,
            "municipal-feedback",
            folder / f"feedback-{n}.csv",
            # our reference: the customer number (or the referral's signal id)
            f"reference,outcome,date\n{debtor_id},{act.feedback},{on.isoformat()}\n",
        )
    args = [*act.args, "--date", on.isoformat(), "--by", CASE_MANAGER, *db]
    code, output = _invoke(runner, args)
    return None if code == 0 else f"{' '.join(act.args)} (exit {code}): {output.strip()}"


def run_scenario(
    households: Sequence[Household],
    *,
    start: dt.date,
    days: int,
    folder: FilePath,
    policy_for: Mapping[str, str],
) -> Scenario:
    """Import ``households``, run ``days`` days from ``start`` through the CLI approving every
    review, and read back each household's :class:`Path`."""
    import time

    began = time.perf_counter()
    runner = CliRunner()
    db_url = f"sqlite:///{folder / 'maatwerk.db'}"
    db = ["--db", db_url]
    policies = [arg for c, p in policy_for.items() for arg in ("--policy-for", f"{c}={p}")]
    migrate_and_import(runner, db_url, folder / "portfolio.csv", portfolio_csv(households))
    paths = {h.debtor_id: Path(h.debtor_id, start) for h in households}
    by_day: dict[int, list[tuple[str, Act]]] = defaultdict(list)
    for h in households:
        for act in h.acts:
            by_day[act.day].append((h.debtor_id, act))
    approved: dict[int, int] = {}
    n = 0
    for offset in range(days):
        on = start + dt.timedelta(days=offset)
        for debtor_id, act in by_day.get(offset, []):
            n += 1
            refused = _act(runner, db=db, folder=folder, debtor_id=debtor_id, act=act, on=on, n=n)
            if refused is not None:
                paths[debtor_id].errors.append(f"day {offset}: {refused}")
        _ok(
            runner,
            [
                "run",
                "--date",
                on.isoformat(),
                *db,
                "--out",
                str(folder / "out"),
                *SETTING_FLAGS,
                *policies,
                "--json",
            ],
        )
        for item in _ok(runner, ["review", "list", *db, "--json"])["reviews"]:
            _ok(
                runner,
                [
                    "review",
                    "approve",
                    str(item["id"]),
                    "--by",
                    TEAM_LEAD,
                    "--date",
                    on.isoformat(),
                    *db,
                    "--json",
                ],
            )
            approved[item["id"]] = offset
    last = start + dt.timedelta(days=days - 1)
    _read_back(db_url, paths, start)
    for path in paths.values():
        path.explained = _ok(
            runner,
            ["explain", path.debtor_id, "--date", last.isoformat(), *policies, *db, "--json"],
        )
    return Scenario(start=start, days=days, paths=paths, seconds=time.perf_counter() - began)


def _read_back(db_url: str, paths: dict[str, Path], start: dt.date) -> None:
    """Decisions, events, reviews and ledger lines of every household, from the database."""
    store = SqlStore.from_url(db_url)
    try:
        with store.engine.connect() as conn:
            d = tables.decisions
            for row in conn.execute(sa.select(d).order_by(d.c.run_date, d.c.id)).mappings():
                paths[row["debtor_id"]].decisions.append(
                    DayDecision(
                        day=(row["run_date"] - start).days,
                        creditor=row["creditor_id"],
                        outcome=row["outcome"],
                        step=row["step"],
                        action=row["action"],
                        blocked_by=row["blocked_by"],
                        held=tuple(
                            (note["step"], code)
                            for note in row["detail"].get("notes", [])
                            if note["kind"] in ("blocked", "postponed")
                            for code in note["reasons"]
                        ),
                    )
                )
        for item in store.reviews(None):
            entry = item.item.entry
            paths[entry.case.debtor_id].reviews.append(
                ((entry.run_date - start).days, entry.step, item.status.value)
            )
        for handed in store.outbox_items():
            paths[handed.entry.case.debtor_id].handed.append(
                ((handed.entry.run_date - start).days, handed.entry.action, handed.status.value)
            )
        for debtor_id, path in paths.items():
            for record in store.history(debtor_id):
                event = record.event
                if event is None:  # an audit record, not a domain event
                    continue
                path.events.append(event)
                if isinstance(event, StepTaken):
                    path.taken.append(
                        Taken(
                            day=(event.occurred_on - start).days,
                            step=event.step_id,
                            action=event.action.value,
                            debt_ids=event.debt_ids,
                        )
                    )
            keys: list[CaseKey] = list(store.cases_of_debtor(debtor_id))
            for stored in store.load_cases(keys):
                for debt in stored.case.debts:
                    path.costs.extend((c.posted_on, c.kind, c.amount.amount) for c in debt.costs)
                    path.interest += sum((line.amount.amount for line in debt.interest), Decimal(0))
    finally:
        store.close()


BAILIFF = ActionKind.BAILIFF_HANDOVER.value
