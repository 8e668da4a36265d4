"""The ``maatwerk`` pytest plugin (registered through the ``pytest11`` entry point).

It parametrises the contract suites in :mod:`maatwerk.testing.contracts` and offers fixtures
for plugin authors:

* ``maatwerk_plugins``: a fresh plugin manager with the stock plugins and *no* external
  entry points; register your plugin object inline with ``maatwerk_plugins.register(obj, "name")``.
* ``maatwerk_delivery_context``: a :class:`~maatwerk.core.ports.DeliveryContext` writing under
  ``tmp_path`` with sample settings.

Importing this module does no work beyond imports; it is loaded by every pytest run in an
environment where maatwerk is installed.
"""

from __future__ import annotations

import datetime as dt
import pathlib

import pytest

from maatwerk.core.errors import PluginError
from maatwerk.core.ports import DeliveryContext
from maatwerk.plugins.manager import MaatwerkPlugins, make_plugin_manager
from maatwerk.testing.fakes import SAMPLE_SETTINGS


__all__ = ["maatwerk_delivery_context", "maatwerk_plugins", "pytest_generate_tests"]

_DEFAULT_KIND = "payment-reminder"


def _action_kinds(cls: type | None) -> tuple[str, ...]:
    kinds: tuple[str, ...] = tuple(getattr(cls, "action_kinds", ()) or ())
    if kinds:
        return kinds
    name = getattr(cls, "channel_name", "")
    if name:
        try:
            spec = make_plugin_manager().channels().get(name)
        except PluginError:
            spec = None
        if spec is not None and spec.action_kinds:
            return spec.action_kinds
    return (_DEFAULT_KIND,)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrise the contract suites from their class attributes."""
    if "contract_action_kind" in metafunc.fixturenames:
        metafunc.parametrize("contract_action_kind", _action_kinds(metafunc.cls))
    if "contract_bad_input" in metafunc.fixturenames:
        cases = tuple(getattr(metafunc.cls, "bad_inputs", ()) or ())
        metafunc.parametrize("contract_bad_input", cases, ids=[case.id for case in cases])
    if "contract_guard_case" in metafunc.fixturenames:
        guard_cases = tuple(getattr(metafunc.cls, "guard_cases", ()) or ())
        ids = [case.id for case in guard_cases]
        metafunc.parametrize("contract_guard_case", guard_cases, ids=ids)


@pytest.fixture
def maatwerk_plugins() -> MaatwerkPlugins:
    """A fresh plugin manager: stock plugins only, no entry points."""
    return make_plugin_manager(load_entrypoints=False, strict=True)


@pytest.fixture
def maatwerk_delivery_context(tmp_path: pathlib.Path) -> DeliveryContext:
    """A delivery context writing under ``tmp_path / "out"`` on 2 March 2026."""
    return DeliveryContext(
        output_dir=tmp_path / "out", run_date=dt.date(2026, 3, 2), settings=SAMPLE_SETTINGS
    )
