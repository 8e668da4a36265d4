"""Pointers to documentation cannot rot.

Docstrings, rule tables, policies and JSON schemas cite the project's own pages (``docs/rules/``,
``docs/formats/``, ...). Every ``docs/...`` page they name must exist, and nothing may point to
the research notes that live outside the repository (the four upper-case notes files, or a
``seeds/`` folder): those do not ship, so a reader could not follow the pointer.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest


ROOT = Path(__file__).resolve().parents[2]
SUFFIXES = frozenset({".py", ".toml", ".json", ".md", ".txt", ".cfg", ".ini"})
#: A page under docs/ named in text, e.g. ``docs/rules/protected-income.md``.
DOCS_PAGE = re.compile(r"(?<![\w/.-])docs/[\w/-]+(?:\.[\w-]+)*?\.md(?![\w-])")
#: The notes kept outside the repository.
OUTSIDE_NOTES = re.compile(r"\b(?:FORMATS|RULES|STYLE|DESIGN)\.md\b")
OUTSIDE_SEEDS = re.compile(r"(?<![\w-])(?:shared/seeds\b|seeds/)")


def _text_files(*roots: str) -> list[Path]:
    files: list[Path] = []
    for name in roots:
        base = ROOT / name
        if base.is_file():
            files.append(base)
            continue
        files.extend(
            path
            for path in base.rglob("*")
            if path.is_file()
            and path.suffix in SUFFIXES
            and "__pycache__" not in path.parts
            and "_build" not in path.parts
        )
    return sorted(files)


def _hits(pattern: re.Pattern[str], files: list[Path]) -> list[tuple[str, int, str]]:
    found = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        for match in pattern.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append((str(path.relative_to(ROOT)), line, match.group(0)))
    return found


SHIPPED = _text_files("maatwerk")
EVERYWHERE = _text_files("maatwerk", "tests", "docs", "examples", "benchmarks", "README.md")


def test_the_scan_finds_the_pointers() -> None:
    """Guard against a scan that silently finds nothing (a wrong root or pattern)."""
    pages = {page for _, _, page in _hits(DOCS_PAGE, SHIPPED)}
    assert "docs/rules/protected-income.md" in pages
    assert "docs/formats/bailiff-dossier.md" in pages


def test_every_docs_page_named_in_the_package_exists() -> None:
    missing = [
        f"{file}:{line}: {page}"
        for file, line, page in _hits(DOCS_PAGE, EVERYWHERE)
        if not (ROOT / page).is_file()
    ]
    assert not missing, "pages named but not in docs/:\n" + "\n".join(missing)


@pytest.mark.parametrize("pattern", [OUTSIDE_NOTES, OUTSIDE_SEEDS], ids=["notes", "seeds"])
def test_nothing_points_outside_the_repository(pattern: re.Pattern[str]) -> None:
    this = str(Path(__file__).resolve().relative_to(ROOT))
    hits = [
        f"{file}:{line}: {text}" for file, line, text in _hits(pattern, EVERYWHERE) if file != this
    ]
    assert not hits, (
        "point to the project's own page (docs/rules/, docs/formats/, README.md) instead:\n"
        + "\n".join(hits)
    )


#: Pages a reader follows to the code: the docs and the README.
DOCS = _text_files("docs", "README.md")
#: A file of the package named in text, e.g. ``maatwerk/rules/bik.toml``.
PACKAGE_FILE = re.compile(r"(?<![\w/.-])maatwerk/[\w/.-]+\.(?:py|toml|json|xsd)(?![\w-])")
#: A dotted name of the package, e.g. ``maatwerk.core.subsistence.protected_income``.
DOTTED = re.compile(r"(?<![\w.])maatwerk(?:\.[A-Za-z_]\w*)+")
#: Dotted names in the docs that are not Python names: the demo's database file and the
#: figures' schema identifier.
NOT_PYTHON = frozenset({"maatwerk.db", "maatwerk.funnel"})


def _resolves(dotted: str) -> bool:
    """Whether ``dotted`` is a module, or an attribute reached from the longest module prefix."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attribute in parts[cut:]:
            if not hasattr(target, attribute):
                return False
            target = getattr(target, attribute)
        return True
    return False


def test_every_package_file_named_in_the_docs_exists() -> None:
    """A module moved or renamed (e.g. a module split into a package) must not leave the docs behind."""
    missing = [
        f"{file}:{line}: {path}"
        for file, line, path in _hits(PACKAGE_FILE, DOCS)
        if not (ROOT / path).exists()
    ]
    assert not missing, "files named in the docs but not in the package:\n" + "\n".join(missing)


def test_every_dotted_name_in_the_docs_resolves() -> None:
    hits = [
        (file, line, name) for file, line, name in _hits(DOTTED, DOCS) if name not in NOT_PYTHON
    ]
    assert len(hits) > 50, "the scan found too few names: wrong root or pattern"
    broken = [f"{file}:{line}: {name}" for file, line, name in hits if not _resolves(name)]
    assert not broken, "names in the docs that do not import:\n" + "\n".join(broken)
