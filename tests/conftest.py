"""Shared fixtures: hypothesis profile, the CLI runner, database URLs (SQLite and PostgreSQL),
event listeners and fake plugin entry points."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, settings


if TYPE_CHECKING:
    import cli_helpers

    from maatwerk.adapters.storage import SqlStore


settings.register_profile(
    "maatwerk", deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=200
)
settings.register_profile("ci", parent=settings.get_profile("maatwerk"), max_examples=300)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "maatwerk"))

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def postgres_url() -> str:
    return os.environ.get("MAATWERK_TEST_DATABASE_URL", DEFAULT_PG_URL)


def postgres_unreachable_reason() -> str | None:
    """``None`` when PostgreSQL answers, else the reason to skip (shown in the pytest summary)."""
    import sqlalchemy as sa

    url = postgres_url()
    try:
        engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
        engine.dispose()
    except Exception as exc:
        return f"PostgreSQL at {url} unreachable: {type(exc).__name__}: {str(exc).splitlines()[0]}"
    return None


@pytest.fixture(scope="session")
def pg_base_url() -> str:
    reason = postgres_unreachable_reason()
    if reason is not None:
        pytest.skip(reason)
    return postgres_url()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'maatwerk.db'}"


# -- storage: every storage test runs on SQLite AND PostgreSQL (one schema per test) -----------
def _pg_schema_url(base: str, schema: str) -> str:
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a fresh SQLite file, or a fresh PostgreSQL schema dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'maatwerk.db'}"
        return
    import uuid

    import sqlalchemy as sa

    base = request.getfixturevalue("pg_base_url")
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _pg_schema_url(base, schema)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def migrated_db_url(db_url: str) -> str:
    """:func:`db_url` with the shipped migrations applied (``maatwerk db upgrade``)."""
    from maatwerk.adapters.storage import migrate
    from maatwerk.adapters.storage.engine import make_engine

    engine = make_engine(db_url)
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()
    return db_url


@pytest.fixture
def store(migrated_db_url: str) -> Iterator[SqlStore]:
    """A :class:`SqlStore` on :func:`migrated_db_url`, closed afterwards."""
    from maatwerk.adapters.storage import SqlStore

    s = SqlStore.from_url(migrated_db_url)
    yield s
    s.close()


# -- event listeners: a Heard plugin in place of a command's plugin manager ---------------------
@pytest.fixture
def listen(db_url: str, monkeypatch: pytest.MonkeyPatch) -> cli_helpers.Listen:
    """``listen("run")`` makes ``maatwerk.cli.run`` load only a :class:`~cli_helpers.Heard`
    plugin (named "audit") and any further (plugin, name) pairs; it returns the Heard."""

    import cli_helpers

    def listen(command_module: str, *others: tuple[object, str]) -> cli_helpers.Heard:
        heard = cli_helpers.Heard(db_url)
        manager = cli_helpers.plugins_with((heard, "audit"), *others)
        monkeypatch.setattr(f"maatwerk.cli.{command_module}.plugin_manager", manager)
        return heard

    return listen


# -- external plugins: fake ``maatwerk`` entry points whose module source is given -------------
@pytest.fixture
def entry_point(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> cli_helpers.AddEntryPoint:
    """``entry_point(name, source)`` installs a fake ``maatwerk`` entry point named ``name`` whose
    module, written under ``tmp_path``, holds ``source``. MAATWERK_DISABLE_PLUGINS is unset."""
    import importlib.metadata
    import sys
    import textwrap
    from typing import Any

    from maatwerk.plugins import PROJECT_NAME

    installed: list[importlib.metadata.EntryPoint] = []
    original = importlib.metadata.entry_points
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv("MAATWERK_DISABLE_PLUGINS", raising=False)

    def fake(**kwargs: Any) -> Any:
        if kwargs.get("group") == PROJECT_NAME:
            return list(installed)
        return original(**kwargs)

    monkeypatch.setattr(importlib.metadata, "entry_points", fake)

    def add(name: str, source: str) -> None:
        module = f"h4_fake_plugin_{name.replace('-', '_')}"
        (tmp_path / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
        sys.modules.pop(module, None)
        installed.append(importlib.metadata.EntryPoint(name=name, value=module, group=PROJECT_NAME))

    return add
