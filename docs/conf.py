"""Sphinx configuration for the maatwerk documentation (built by ``make docs`` with -W)."""

from __future__ import annotations

import importlib.metadata


project = "maatwerk"
author = "maatwerk developers"
copyright = "maatwerk developers, EUPL-1.2"
release = importlib.metadata.version("maatwerk")
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
]
source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": False}

html_theme = "furo"
html_title = "maatwerk"
