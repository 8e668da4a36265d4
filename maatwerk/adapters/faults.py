"""The fault-injection setting: ``MAATWERK_FAULT=POINT[:N[:ACTION]]`` (tests only).

At the ``N``-th time (default 1) the process reaches the named fault point
(:data:`maatwerk.services.faults.FAULT_POINTS`) it does ``ACTION``:

- ``kill`` (default): SIGKILL itself, as a power cut or the OOM killer would;
- ``exit``: leave at once with exit code 3, without cleaning up (``os._exit``);
- ``enospc``: raise ``OSError(ENOSPC)``, as a full disk does (at ``file-written``: the channel
  sees a file it cannot write);
- ``pg-terminate``: from a second connection, terminate the PostgreSQL backends that carry this
  process's ``application_name`` (give it in the database URL: ``?application_name=...``), as a
  database restart or a network cut does; the run's next statement fails.

``MAATWERK_FAULT_TRACE=FILE`` appends the name of every point reached to ``FILE`` (one a line),
so a test can see which points a run passes and how often.

Read here and installed by the CLI (:func:`install_from_environ`); the services only call
:func:`~maatwerk.services.faults.fault_point`.
"""

from __future__ import annotations

import errno
import os
import signal
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

import attrs
import sqlalchemy as sa

from maatwerk.core.errors import InputError, Location
from maatwerk.services.faults import FAULT_POINTS, FaultHook, install


__all__ = ["ACTIONS", "FaultSetting", "install_from_environ", "parse_fault"]

ACTIONS = ("kill", "exit", "enospc", "pg-terminate")
EXIT_CODE = 3


@attrs.frozen(kw_only=True)
class FaultSetting:
    """Stop at the ``count``-th time ``point`` is reached, by ``action``."""

    point: str
    count: int = 1
    action: str = "kill"


def parse_fault(value: str) -> FaultSetting:
    """``POINT[:N[:ACTION]]`` as a :class:`FaultSetting` (InputError naming the variable)."""
    where = Location(field="MAATWERK_FAULT")
    point, _, rest = value.strip().partition(":")
    count_text, _, action = rest.partition(":")
    if point not in FAULT_POINTS:
        raise InputError(f"unknown fault point {point!r}; known: {', '.join(FAULT_POINTS)}", where)
    try:
        count = int(count_text) if count_text else 1
    except ValueError:
        raise InputError(f"{count_text!r} is not a whole number", where) from None
    if count < 1:
        raise InputError("the count must be 1 or more", where)
    if (action or "kill") not in ACTIONS:
        raise InputError(f"unknown fault action {action!r}; known: {', '.join(ACTIONS)}", where)
    return FaultSetting(point=point, count=count, action=action or "kill")


def _terminate_backends(db_url: str) -> None:
    """Terminate the other PostgreSQL backends with this URL's ``application_name``."""
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as conn:
            name = conn.execute(sa.text("select current_setting('application_name')")).scalar()
            if not name:
                raise RuntimeError("pg-terminate needs ?application_name=... in the database URL")
            conn.execute(
                sa.text(
                    "select pg_terminate_backend(pid) from pg_stat_activity "
                    "where application_name = :name and pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
            conn.commit()
    finally:
        engine.dispose()


def _hook(setting: FaultSetting | None, trace: Path | None, db_url: str | None) -> FaultHook:
    seen: Counter[str] = Counter()

    def hook(name: str) -> None:
        if trace is not None:
            with trace.open("a", encoding="utf-8") as stream:
                stream.write(name + "\n")
        if setting is None or name != setting.point:
            return
        seen[name] += 1
        if seen[name] != setting.count:
            return
        if setting.action == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        elif setting.action == "exit":
            os._exit(EXIT_CODE)
        elif setting.action == "enospc":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        elif db_url is not None:
            _terminate_backends(db_url)

    return hook


def install_from_environ(
    environ: Mapping[str, str] | None = None, *, db_url: str | None = None
) -> bool:
    """Install the hook ``MAATWERK_FAULT`` / ``MAATWERK_FAULT_TRACE`` ask for; ``False``: none."""
    env = os.environ if environ is None else environ
    value = env.get("MAATWERK_FAULT", "").strip()
    trace = env.get("MAATWERK_FAULT_TRACE", "").strip()
    if not value and not trace:
        return False
    setting = parse_fault(value) if value else None
    install(_hook(setting, Path(trace) if trace else None, db_url))
    return True
