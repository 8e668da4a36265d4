"""Optional dependencies: which extra brings which package; the one line when one is missing.

``pip install maatwerk`` gives the core, the shipped rules and the calculators. The rest comes
with extras (see ``[project.optional-dependencies]`` in pyproject.toml): a command that imports a
package its extra would bring stops with one line and exit 2, for example::

    Error: 'maatwerk run' needs the storage extra: pip install 'maatwerk[storage]'

A test (tests/e2e/test_cli_extras.py) keeps :data:`EXTRA_OF_MODULE` equal to pyproject.toml.
"""

from __future__ import annotations

from typing import Final


__all__ = ["EXTRAS_OF_COMMAND", "EXTRA_OF_MODULE", "missing_extra"]

#: Top-level module -> the extra that installs it (the smallest extra, where several do).
EXTRA_OF_MODULE: Final[dict[str, str]] = {
    "sqlalchemy": "storage",
    "alembic": "storage",
    "schwifty": "sepa",  # IBAN and BIC checks; the storage extra brings it too (import)
    "stdnum": "sepa",  # RF references and BSNs; the storage extra brings it too (import)
    "psycopg": "postgres",
    "lxml": "sepa",
    "mt940": "sepa",
    "matplotlib": "report",
}

#: Commands whose extras are not those of the first package they miss: the daily run builds
#: every stock channel (SEPA too); the CSV import checks IBANs and BSNs with the storage extra's
#: copies of schwifty and python-stdnum.
EXTRAS_OF_COMMAND: Final[dict[str, tuple[str, ...]]] = {
    "run": ("storage", "sepa"),
    "import": ("storage",),
    "demo": ("all",),  # every channel, the bank's returns and the report, on a database
    "simulate": ("all",),  # the demo once per policy (maatwerk.demo.database)
}


def _missing_module(exc: BaseException | None) -> str | None:
    """The top-level module an extra would install, if ``exc`` or its causes failed on one."""
    while exc is not None:
        if isinstance(exc, ModuleNotFoundError):
            top = (exc.name or "").partition(".")[0]
            if top in EXTRA_OF_MODULE:
                return top
        exc = exc.__cause__ or exc.__context__
    return None


def missing_extra(command: str, exc: BaseException) -> str | None:
    """The message for ``command`` (e.g. ``maatwerk run``) when ``exc``, or an exception that
    caused it (a plugin wraps what failed), is a missing extra's package; ``None`` otherwise
    (a module that no extra installs is a real bug: let it show)."""
    module = _missing_module(exc)
    if module is None:
        return None
    extras = EXTRAS_OF_COMMAND.get(" ".join(command.split()[1:2]), (EXTRA_OF_MODULE[module],))
    named = " and ".join(extras) + (" extras" if len(extras) > 1 else " extra")
    return f"'{command}' needs the {named}: pip install 'maatwerk[{','.join(extras)}]'"
