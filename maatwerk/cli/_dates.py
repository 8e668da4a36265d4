"""Today's date for commands whose ``--date`` defaults to today (in the Netherlands)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


__all__ = ["today"]


def today() -> dt.date:
    return dt.datetime.now(ZoneInfo("Europe/Amsterdam")).date()
