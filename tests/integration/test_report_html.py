"""The funnel report is one self-contained, deterministic HTML file whose JSON follows its schema."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
from report_samples import sample_column, sample_figures

from maatwerk.adapters.jsonschema_check import SchemaUnsupportedError, check
from maatwerk.adapters.report import figures_to_json, load_schema, render_html, write_report
from maatwerk.services.funnel import FunnelFigures


@pytest.fixture(scope="module")
def page() -> str:
    return render_html(sample_figures())


class TestHtml:
    """The page needs nothing from the network and shows every section."""

    def test_self_contained(self, page: str) -> None:
        assert page.startswith("<!DOCTYPE html>")
        assert "<link" not in page
        assert "@import" not in page
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
        assert "url(http" not in page
        # the only script is a JSON data block, which a browser does not execute
        scripts = re.findall(r"<script([^>]*)>", page)
        assert scripts == [" type='application/json' id='figures'"]
        assert page.count("<svg") == 5

    def test_sections_and_escaping(self, page: str) -> None:
        for heading in (
            "Funnel",
            "Share of arrears recovered",
            "Arrears ageing",
            "Households protected",
            "Arrangements: instalment against capacity",
            "All figures",
        ):
            assert heading in page
        assert "&lt;test &amp; check&gt;" in page
        assert "<test & check>" not in page
        assert "humane" in page
        assert "classic" in page

    def test_embedded_json_equals_figures(self, page: str) -> None:
        figures = sample_figures()
        match = re.search(
            r"<script type='application/json' id='figures'>(.*?)</script>", page, re.DOTALL
        )
        assert match is not None
        assert json.loads(match.group(1)) == figures_to_json(figures)

    def test_deterministic(self, tmp_path: Path) -> None:
        a = write_report(sample_figures(), tmp_path / "a.html").read_bytes()
        b = write_report(sample_figures(), tmp_path / "b" / "b.html").read_bytes()
        assert a == b

    def test_one_column(self) -> None:
        figures = FunnelFigures(
            title="one",
            period_from=sample_figures().period_from,
            period_to=sample_figures().period_to,
            columns=(sample_column("humane"),),
            source="test",
        )
        page = render_html(figures)
        assert page.count("<svg") == 5


class TestJson:
    """The JSON document follows the shipped schema, and the checker catches violations."""

    def test_valid(self) -> None:
        assert check(figures_to_json(sample_figures()), load_schema()) == []

    def test_figures(self) -> None:
        document = figures_to_json(sample_figures())
        humane = document["policies"][0]
        assert humane["share_recovered"] == "0.8265"
        assert humane["arrears_total"] == "98000.00"
        assert humane["funnel"][0] == {
            "key": "bills",
            "label": "Bills",
            "count": 17744,
            "unit": "bills",
        }
        assert humane["households_protected"] == 31 + 70 + 8

    def test_violations_found(self) -> None:
        document = figures_to_json(sample_figures())
        broken = copy.deepcopy(document)
        broken["policies"][0]["billed"] = 12.5
        broken["policies"][1]["calls"] = -1
        del broken["period"]["to"]
        broken["extra"] = True
        errors = check(broken, load_schema())
        assert any("$.policies[0].billed" in e for e in errors)
        assert any("$.policies[1].calls" in e for e in errors)
        assert any("'to'" in e for e in errors)
        assert any("'extra'" in e for e in errors)

    def test_unknown_keyword_refused(self) -> None:
        with pytest.raises(SchemaUnsupportedError):
            check({}, {"oneOf": []})
