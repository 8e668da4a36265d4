"""Charts for the funnel report: matplotlib (Agg backend) rendered to inline SVG strings.

The SVG keeps its text as text (``svg.fonttype = "none"``) with a generic sans-serif family, so
the page loads no font and no other file; ``svg.hashsalt`` and an empty ``Date`` make the output
byte-identical for the same figures.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Final

import matplotlib as mpl


mpl.use("Agg")

from matplotlib import pyplot as plt  # the backend must be chosen first
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from maatwerk.services.funnel import PolicyFigures


__all__ = [
    "ageing_chart",
    "arrangements_chart",
    "funnel_chart",
    "outcome_chart",
    "protected_chart",
]

#: Colour per column (colour-blind safe: Okabe-Ito blue, vermillion, bluish green, orange).
COLOURS: Final = ("#0072B2", "#D55E00", "#009E73", "#E69F00")

_RC: Final[Any] = {  # matplotlib types the keys as a long Literal
    "svg.fonttype": "none",
    "svg.hashsalt": "maatwerk-report",
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica"],
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


@contextmanager
def _figure(width: float, height: float) -> Iterator[Figure]:
    with mpl.rc_context(_RC):
        figure = plt.figure(figsize=(width, height), dpi=96)
        try:
            yield figure
        finally:
            plt.close(figure)


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    with mpl.rc_context(_RC):
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buffer.getvalue()
    start = text.find("<svg")
    return text[start:] if start >= 0 else text


def _grouped_bars(
    axes: Axes,
    columns: Sequence[PolicyFigures],
    values: Sequence[Sequence[float]],
    *,
    horizontal: bool,
    value_label: Callable[[float], str] | None = None,
) -> None:
    """One bar per policy in each group, side by side and coloured per policy.

    ``values`` holds each column's bar values, one per group; ``value_label`` writes each value
    next to its bar.
    """
    size = 0.8 / max(1, len(columns))
    for index, (column, counts) in enumerate(zip(columns, values, strict=True)):
        positions = [i + (index - (len(columns) - 1) / 2) * size for i in range(len(counts))]
        colour = COLOURS[index % len(COLOURS)]
        if horizontal:
            bars = axes.barh(positions, counts, height=size, color=colour, label=column.policy)
        else:
            bars = axes.bar(positions, counts, width=size, color=colour, label=column.policy)
        if value_label is not None:
            axes.bar_label(bars, labels=[value_label(c) for c in counts], padding=3, fontsize=8)


def funnel_chart(columns: Sequence[PolicyFigures]) -> str:
    """Horizontal bars per funnel stage (households), one bar per policy.

    Symmetric-log scale (linear below 1): the counts span 0 to thousands, and a zero is drawn
    as no bar at all (a plain log scale cannot show 0 and would draw it like a 1).
    """
    stages = [s for s in columns[0].stages() if s.unit == "households"]
    labels = [s.label for s in stages]
    with _figure(7.5, 0.45 * len(stages) + 1.2) as figure:
        axes = figure.add_subplot()
        _grouped_bars(
            axes,
            columns,
            [[s.count for s in column.stages() if s.unit == "households"] for column in columns],
            horizontal=True,
            value_label=lambda c: f"{c:,}",
        )
        axes.set_yticks(range(len(stages)), labels)
        axes.invert_yaxis()
        axes.set_xscale("symlog", linthresh=1)
        axes.set_xlim(left=0)
        axes.set_xlabel("households (log scale; 0 = no bar)")
        axes.legend(loc="lower right", frameon=False)
        return _svg(figure)


def ageing_chart(columns: Sequence[PolicyFigures]) -> str:
    """Open arrears at the end of the period by days overdue (amount in EUR)."""
    labels = [b.label for b in columns[0].ageing]
    with _figure(7.5, 3.2) as figure:
        axes = figure.add_subplot()
        _grouped_bars(
            axes,
            columns,
            [[float(b.amount.amount) for b in column.ageing] for column in columns],
            horizontal=False,
        )
        axes.set_xticks(range(len(labels)), labels)
        axes.set_ylabel("open arrears (EUR)")
        axes.legend(frameon=False)
        return _svg(figure)


def outcome_chart(columns: Sequence[PolicyFigures]) -> str:
    """Share of arrears recovered and written off, per policy (percent of the arrears amount)."""
    names = [c.policy for c in columns]
    with _figure(7.5, 2.8) as figure:
        axes = figure.add_subplot()
        recovered, written_off, still_open = [], [], []
        for column in columns:
            total = float(column.arrears_total.amount) or 1.0
            rec = 100 * float(column.arrears_recovered.amount) / total
            off = 100 * float(column.written_off_amount.amount) / total
            recovered.append(rec)
            written_off.append(off)
            still_open.append(max(0.0, 100 - rec - off))
        axes.barh(names, recovered, color=COLOURS[2], label="recovered")
        axes.barh(names, written_off, left=recovered, color=COLOURS[1], label="written off")
        lefts = [r + w for r, w in zip(recovered, written_off, strict=True)]
        axes.barh(names, still_open, left=lefts, color="#BBBBBB", label="still open")
        for index, value in enumerate(recovered):
            axes.text(1, index, f"{value:.1f} % recovered", va="center", color="white", fontsize=9)
        axes.set_xlim(0, 100)
        axes.set_xlabel("share of the arrears amount (%)")
        axes.invert_yaxis()
        axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.35), ncol=3, frameon=False)
        return _svg(figure)


def protected_chart(columns: Sequence[PolicyFigures]) -> str:
    """Steps not taken to protect a household, by reason (households), per policy."""
    reasons = sorted({p.reason for c in columns for p in c.protected})
    if not reasons:
        reasons = ["(none)"]
    with _figure(7.5, 0.45 * len(reasons) + 1.2) as figure:
        axes = figure.add_subplot()
        households = [{p.reason: p.households for p in column.protected} for column in columns]
        _grouped_bars(
            axes,
            columns,
            [[by_reason.get(r, 0) for r in reasons] for by_reason in households],
            horizontal=True,
            value_label=str,
        )
        axes.set_yticks(range(len(reasons)), reasons)
        axes.invert_yaxis()
        axes.set_xlabel("households")
        axes.legend(loc="lower right", frameon=False)
        return _svg(figure)


def arrangements_chart(columns: Sequence[PolicyFigures]) -> str:
    """Monthly instalment against what the household can spare, one panel per policy."""
    with _figure(3.8 * len(columns), 3.6) as figure:
        panels = figure.subplots(1, len(columns), squeeze=False, sharey=True)[0]
        top = 1.0
        for column in columns:
            for point in column.arrangement_points:
                top = max(top, float(point.instalment.amount), float(point.capacity.amount))
        top *= 1.05
        for index, (axes, column) in enumerate(zip(panels, columns, strict=True)):
            for kept, marker, label in ((True, "o", "kept"), (False, "x", "broken / open")):
                points = [p for p in column.arrangement_points if p.kept is kept]
                axes.scatter(
                    [float(p.capacity.amount) for p in points],
                    [float(p.instalment.amount) for p in points],
                    s=14,
                    marker=marker,
                    color=COLOURS[index % len(COLOURS)] if kept else COLOURS[1],
                    label=label,
                    alpha=0.7,
                )
            axes.plot([0, top], [0, top], color="#555555", linewidth=1, linestyle="--")
            axes.text(top * 0.55, top * 0.45, "instalment = capacity", fontsize=8, color="#555555")
            axes.set_xlim(0, top)
            axes.set_ylim(0, top)
            axes.set_title(f"{column.policy} ({len(column.arrangement_points)})", fontsize=10)
            axes.set_xlabel("capacity (EUR / month)")
            if index == 0:
                axes.set_ylabel("instalment (EUR / month)")
            axes.legend(loc="upper left", frameon=False, fontsize=8)
        return _svg(figure)
