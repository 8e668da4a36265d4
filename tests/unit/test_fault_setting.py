"""``MAATWERK_FAULT`` is read as POINT[:N[:ACTION]]; a wrong value is named, and the hook acts
at the N-th time the point is reached, never before."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from maatwerk.adapters.faults import FaultSetting, install_from_environ, parse_fault
from maatwerk.core.errors import InputError
from maatwerk.services import faults


@pytest.fixture(autouse=True)
def _no_hook_left() -> object:
    old = faults.install(None)
    yield None
    faults.install(old)


def test_parse() -> None:
    assert parse_fault("after-batch-saved") == FaultSetting(point="after-batch-saved")
    assert parse_fault("file-written:3:enospc") == FaultSetting(
        point="file-written", count=3, action="enospc"
    )


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("nowhere", "unknown fault point 'nowhere'"),
        ("file-written:x", "'x' is not a whole number"),
        ("file-written:0", "1 or more"),
        ("file-written:1:melt", "unknown fault action 'melt'"),
    ],
)
def test_wrong_values_are_named(value: str, says: str) -> None:
    with pytest.raises(InputError, match=says) as caught:
        parse_fault(value)
    assert "MAATWERK_FAULT" in str(caught.value)


def test_acts_at_the_nth_time_and_traces(tmp_path: Path) -> None:
    trace = tmp_path / "trace"
    environ = {"MAATWERK_FAULT": "file-written:2:enospc", "MAATWERK_FAULT_TRACE": str(trace)}
    assert install_from_environ(environ)
    faults.fault_point("file-written")
    faults.fault_point("after-batch-saved")
    with pytest.raises(OSError, match="No space") as caught:
        faults.fault_point("file-written")
    assert caught.value.errno == errno.ENOSPC
    faults.fault_point("file-written")  # only the second time
    assert trace.read_text(encoding="utf-8").split() == [
        "file-written",
        "after-batch-saved",
        "file-written",
        "file-written",
    ]


def test_nothing_installed_without_the_setting() -> None:
    assert not install_from_environ({})
    faults.fault_point("run-started")  # no hook: nothing happens
