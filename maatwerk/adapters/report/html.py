"""The funnel report as ONE self-contained HTML file: inline CSS, inline SVG charts, no script.

Nothing is fetched when the page opens (no fonts, no images, no JavaScript); the figures are also
embedded as a JSON data block (``<script type="application/json" id="figures">``, which a browser
does not execute) so a reader can take the numbers out.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from decimal import Decimal
from html import escape
from pathlib import Path
from typing import Final

from maatwerk.adapters.report import charts
from maatwerk.adapters.report.figures_json import figures_to_json
from maatwerk.core.money import Money
from maatwerk.services.funnel import FunnelFigures, PolicyFigures


__all__ = ["render_html", "write_report"]

_CSS: Final = """
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       margin: 0; color: #1b1b1b; background: #fafafa; line-height: 1.45; }
header { background: #0b3d5c; color: #fff; padding: 1.2rem 2rem; }
header h1 { margin: 0 0 .3rem; font-size: 1.6rem; }
header p { margin: 0; opacity: .9; }
main { max-width: 1180px; margin: 0 auto; padding: 1rem 2rem 3rem; }
section { background: #fff; border: 1px solid #e2e2e2; border-radius: 6px; padding: 1rem 1.4rem;
          margin: 1rem 0; }
h2 { font-size: 1.2rem; margin: .2rem 0 .6rem; color: #0b3d5c; }
.kpis { display: grid; grid-template-columns: repeat(4, 1fr); gap: .7rem; margin-bottom: .7rem; }
.kpi { border-left: 4px solid #0072B2; background: #f3f7fa; padding: .5rem .8rem; }
.kpi b { display: block; font-size: 1.3rem; }
.kpi span { font-size: .85rem; color: #444; }
table { border-collapse: collapse; width: 100%; font-size: .92rem; }
th, td { padding: .3rem .6rem; border-bottom: 1px solid #eee; text-align: right; }
th:first-child, td:first-child { text-align: left; }
thead th { background: #f0f0f0; }
.chart svg { width: 100%; max-width: 960px; height: auto; }
.note { font-size: .85rem; color: #555; }
footer { font-size: .8rem; color: #666; margin-top: 2rem; }
"""


def _pct(value: Decimal) -> str:
    return f"{value * 100:.1f} %"


def _eur(value: Money) -> str:
    return f"EUR {value.rounded().amount:,.2f}"


def _row(label: str, cells: Sequence[str]) -> str:
    tds = "".join(f"<td>{escape(c)}</td>" for c in cells)
    return f"<tr><th scope='row'>{escape(label)}</th>{tds}</tr>"


_ROWS: Final[tuple[tuple[str, Callable[[PolicyFigures], str]], ...]] = (
    ("Households in the portfolio", lambda c: f"{c.debtors:,}"),
    ("Households billed (a bill due in the period)", lambda c: f"{c.billed_households:,}"),
    ("Bills", lambda c: f"{c.bills:,}"),
    ("Billed", lambda c: _eur(c.billed)),
    ("Paid on time (no bill overdue)", lambda c: f"{c.paid_on_time:,}"),
    ("In arrears (a bill not paid by its due date)", lambda c: f"{c.in_arrears:,}"),
    (
        "Paid within 31 days (bills due 31+ days before the end)",
        lambda c: f"{c.paid_within_31_days:,}",
    ),
    ("Share paid within 31 days", lambda c: _pct(c.share_paid_within_31_days)),
    ("Reminders (households in arrears)", lambda c: f"{c.reminders:,}"),
    ("Phone calls (households in arrears)", lambda c: f"{c.calls:,}"),
    ("Arrangements made (households)", lambda c: f"{c.arrangements:,}"),
    ("Arrangements kept (latest completed or on schedule)", lambda c: f"{c.arrangements_kept:,}"),
    ("Arrangements broken (latest breached)", lambda c: f"{c.arrangements_broken:,}"),
    ("Share kept (of finished)", lambda c: _pct(c.share_kept)),
    ("Formal demands", lambda c: f"{c.demands:,}"),
    ("Bailiff dossiers", lambda c: f"{c.bailiff:,}"),
    ("Recovered households", lambda c: f"{c.recovered:,}"),
    ("Written-off households", lambda c: f"{c.written_off:,}"),
    ("Arrears", lambda c: _eur(c.arrears_total)),
    ("Arrears recovered", lambda c: _eur(c.arrears_recovered)),
    ("Share of arrears recovered", lambda c: _pct(c.share_recovered)),
    ("Written off", lambda c: _eur(c.written_off_amount)),
    ("Costs charged to debtors", lambda c: _eur(c.costs_charged)),
    ("Households pushed below their protected income", lambda c: f"{c.below_bvv:,}"),
    ("Households protected (steps not taken)", lambda c: f"{c.households_protected:,}"),
    (
        "Average days to resolution",
        lambda c: "-" if c.avg_days_to_resolution is None else f"{c.avg_days_to_resolution:.1f}",
    ),
)


def _table(columns: Sequence[PolicyFigures]) -> str:
    head = "".join(f"<th scope='col'>{escape(c.policy)}</th>" for c in columns)
    body = "".join(_row(label, [get(c) for c in columns]) for label, get in _ROWS)
    return f"<table><thead><tr><th>Figure</th>{head}</tr></thead><tbody>{body}</tbody></table>"


def _kpis(columns: Sequence[PolicyFigures]) -> str:
    rows: list[str] = []
    for column in columns:
        name = escape(column.policy)
        items = (
            (
                f"<div class='kpi'><b>{_pct(column.share_recovered)}</b>"
                f"<span>{name}: share of arrears recovered</span></div>"
            ),
            (
                f"<div class='kpi'><b>{escape(_eur(column.written_off_amount))}</b>"
                f"<span>{name}: written off</span></div>"
            ),
            f"<div class='kpi'><b>{column.bailiff:,}</b><span>{name}: bailiff dossiers</span></div>",
            (
                f"<div class='kpi'><b>{column.below_bvv:,}</b>"
                f"<span>{name}: households pushed below protected income</span></div>"
            ),
        )
        rows.append(f"<div class='kpis'>{''.join(items)}</div>")
    return "".join(rows)


def _protected_table(columns: Sequence[PolicyFigures]) -> str:
    reasons = sorted({p.reason for c in columns for p in c.protected})
    if not reasons:
        return "<p class='note'>No step was held back in this period.</p>"
    head = "".join(f"<th scope='col'>{escape(c.policy)}</th>" for c in columns)
    rows: list[str] = []
    for reason in reasons:
        cells: list[str] = []
        for column in columns:
            found = next((p for p in column.protected if p.reason == reason), None)
            cells.append(
                "0" if found is None else f"{found.households:,} ({found.decisions:,} decisions)"
            )
        rows.append(_row(reason, cells))
    return f"<table><thead><tr><th>Reason</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _section(title: str, body: str, note: str = "") -> str:
    extra = f"<p class='note'>{escape(note)}</p>" if note else ""
    return f"<section><h2>{escape(title)}</h2>{body}{extra}</section>"


def render_html(figures: FunnelFigures) -> str:
    """The whole report page as a string."""
    columns = figures.columns
    names = " vs ".join(c.policy for c in columns)
    data = json.dumps(figures_to_json(figures), ensure_ascii=False, sort_keys=False)
    # inside <script> nothing may close the element or open markup: escape <, > and & in JSON
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    versions = ", ".join(figures.table_versions) or "-"
    notes = "".join(f"<li>{escape(n)}</li>" for n in figures.notes)
    parts = [
        "<!DOCTYPE html>",
        "<html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{escape(figures.title)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<header><h1>{escape(figures.title)}</h1>",
        (
            f"<p>{escape(figures.period_from.isoformat())} to {escape(figures.period_to.isoformat())}"
            f" &middot; {escape(names)} &middot; {escape(figures.source)}</p></header><main>"
        ),
        _section("Key figures", _kpis(columns)),
        _section(
            "Funnel",
            f"<div class='chart'>{charts.funnel_chart(columns)}</div>",
            "Households billed in the period, split into paid on time and in arrears (a bill "
            "not paid by its due date). Every later bar counts households in arrears: reminded, "
            "called, in an arrangement, kept it (latest arrangement completed or on schedule), "
            "formal demand, bailiff, recovered or written off. Log scale, so small groups stay "
            "visible; a zero has no bar.",
        ),
        _section(
            "Share of arrears recovered",
            f"<div class='chart'>{charts.outcome_chart(columns)}</div>",
        ),
        _section(
            "Arrears ageing (end of period)",
            f"<div class='chart'>{charts.ageing_chart(columns)}</div>",
        ),
        _section(
            "Households protected",
            f"<div class='chart'>{charts.protected_chart(columns)}</div>"
            + _protected_table(columns),
            "Steps the engine did not take: blocked by the protected income (beslagvrije voet) "
            "or by a guard (arrangement active, vulnerability, deceased, hold, no personal "
            "contact yet ...).",
        ),
        _section(
            "Arrangements: instalment against capacity",
            f"<div class='chart'>{charts.arrangements_chart(columns)}</div>",
            "Capacity is what the household can spare: net income minus protected income minus "
            "what other creditors already take. Points above the dashed line ask more than that.",
        ),
        _section("All figures", _table(columns)),
    ]
    if notes:
        parts.append(_section("Notes", f"<ul>{notes}</ul>"))
    parts.extend(
        (
            f"<footer>Tables used: {escape(versions)}. Generated by maatwerk.</footer>",
            f"<script type='application/json' id='figures'>{data}</script>",
            "</main></body></html>\n",
        )
    )
    return "\n".join(parts)


def write_report(figures: FunnelFigures, path: Path) -> Path:
    """Write the report to ``path`` (parent directories created); returns the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(figures), encoding="utf-8")
    return path
