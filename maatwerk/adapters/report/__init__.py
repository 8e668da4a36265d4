"""Funnel report adapter: one self-contained HTML file (inline SVG charts) and the same figures as JSON."""

from __future__ import annotations

from maatwerk.adapters.report.figures_json import SCHEMA_ID, figures_to_json, load_schema
from maatwerk.adapters.report.html import render_html, write_report


__all__ = ["SCHEMA_ID", "figures_to_json", "load_schema", "render_html", "write_report"]
