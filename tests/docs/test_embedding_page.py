"""docs/embedding.md is true: its examples run, in order, and print what the page shows."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest


PAGE = Path(__file__).resolve().parents[2] / "docs" / "embedding.md"

#: A fenced ```pycon block: its first line number (1-based, inside the fence) and its text.
_BLOCK = re.compile(r"^```pycon\n(.*?)^```$", re.MULTILINE | re.DOTALL)

_FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def blocks() -> list[tuple[int, str]]:
    text = PAGE.read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start(1)), m.group(1)) for m in _BLOCK.finditer(text)]


class TestEmbeddingPage:
    """The page's examples are executed as one doctest session, block after block."""

    def test_the_page_has_examples(self) -> None:
        """Every code block on the page is a console session the test can run."""
        text = PAGE.read_text(encoding="utf-8")
        fences = re.findall(r"^```(\S*)$", text, flags=re.MULTILINE)
        openings = fences[0::2]
        assert len(blocks()) >= 8
        assert set(openings) == {"pycon"}

    def test_every_example_prints_what_the_page_shows(self) -> None:
        """Each block runs with the names the earlier blocks defined and shows the page's output."""
        parser = doctest.DocTestParser()
        runner = doctest.DocTestRunner(optionflags=_FLAGS)
        globs: dict[str, object] = {"__name__": "embedding"}
        report: list[str] = []
        for lineno, source in blocks():
            test = parser.get_doctest(
                source, globs, f"embedding.md:{lineno + 1}", str(PAGE), lineno
            )
            runner.run(test, out=report.append, clear_globs=False)
            globs = test.globs  # the test ran on a copy: carry its names to the next block
        if runner.failures:
            pytest.fail("".join(report), pytrace=False)
        assert runner.tries > 0
