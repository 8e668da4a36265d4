"""Build the business-day calendars of :mod:`maatwerk.core.calendar` with the ``holidays`` package.

* ``calendar``: every day counts.
* ``sepa``: Monday to Friday minus the TARGET closing days, from ``holidays``' ECB/TARGET
  financial calendar (market ``XECB``: New Year, Good Friday, Easter Monday, 1 May, 25 and 26
  December, plus the one-off 31 December 2001). Should the installed ``holidays`` lack that
  market, the six standing closing days are computed here from the date of Easter.
* ``atw``: Monday to Friday minus the *algemeen erkende feestdagen* of the Algemene termijnenwet:
  ``holidays.NL`` public holidays (New Year, Easter Monday, King's Day as celebrated, Ascension,
  Whit Monday, Christmas 1 and 2; the Sundays it lists are weekend anyway), plus what the Atw adds
  and ``holidays.NL`` leaves out or may leave out: **5 May every year** (art. 3 lid 1;
  ``holidays.NL`` lists Liberation Day only in lustrum years) and **Good Friday** (art. 3 lid 2;
  added from our own Easter computation whatever the package does), plus the decreed bridge days
  (art. 3 lid 3) from ``maatwerk/rules/atw_bridge_days.toml``.

The ``atw`` calendar covers only the years for which a decree is recorded in that table (without
gaps): a date in another year raises :class:`~maatwerk.core.calendar.CalendarRangeError` rather
than quietly ignoring bridge days nobody recorded. Nothing is computed at import time;
:func:`build_calendars` caches its result per argument set.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from pathlib import Path
from typing import Final

import attrs
import holidays

from maatwerk.adapters.rules_loader import Values, load_table
from maatwerk.core.calendar import (
    ATW,
    SEPA,
    BusinessCalendar,
    CalendarRangeError,
    Calendars,
    plain_calendar,
)
from maatwerk.core.errors import Location, RuleTableError
from maatwerk.core.tables import TableVersion


__all__ = [
    "BRIDGE_DAYS_TABLE",
    "SEPA_FIRST_YEAR",
    "SEPA_LAST_YEAR",
    "BridgeDays",
    "Decree",
    "atw_closed_days",
    "build_calendars",
    "easter_sunday",
    "load_bridge_days",
    "target_closed_days",
]

BRIDGE_DAYS_TABLE: Final = "atw_bridge_days"
SEPA_FIRST_YEAR: Final = 2000
"""TARGET (and so the SEPA calendar) starts in 1999; we cover 2000 onwards by default."""
SEPA_LAST_YEAR: Final = 2099


@attrs.frozen(kw_only=True)
class Decree:
    """One decree under Atw art. 3 lid 3: the years it covers and the days it equates."""

    first_year: int
    last_year: int
    days: tuple[dt.date, ...]


@attrs.frozen(kw_only=True)
class BridgeDays:
    """All decreed days, the contiguous years the decrees cover and the table versions used."""

    days: frozenset[dt.date]
    first_year: int
    last_year: int
    versions: tuple[TableVersion, ...]


def _year(values: Values, key: str) -> int:
    raw = values.require(key)
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise RuleTableError(f"expected a year, got {raw!r}", values.where(key))
    return raw


def _decree(values: Values) -> Decree:
    values.check_keys({"first_year", "last_year", "days"})
    first, last = _year(values, "first_year"), _year(values, "last_year")
    if first > last:
        raise RuleTableError("first_year is after last_year", values.where("last_year"))
    raw_days = values.require("days")
    if not isinstance(raw_days, list):
        raise RuleTableError("days must be a list of dates", values.where("days"))
    days: list[dt.date] = []
    for index, item in enumerate(raw_days):
        if not isinstance(item, dt.date) or isinstance(item, dt.datetime):
            raise RuleTableError(f"not a date: {item!r}", values.where(f"days[{index}]"))
        if not first <= item.year <= last:
            raise RuleTableError(
                f"{item.isoformat()} lies outside the decree's years {first}-{last}",
                values.where(f"days[{index}]"),
            )
        days.append(item)
    return Decree(first_year=first, last_year=last, days=tuple(sorted(days)))


def load_bridge_days(directory: Path | None = None) -> BridgeDays:
    """Read ``atw_bridge_days.toml``; the decrees must cover consecutive years without a gap."""
    table = load_table(BRIDGE_DAYS_TABLE, _decree, directory)
    entries = table.entries
    for before, after in itertools.pairwise(entries):
        if after.value.first_year != before.value.last_year + 1:
            raise RuleTableError(
                f"decrees must cover consecutive years: {before.value.last_year} is followed by "
                f"{after.value.first_year}",
                Location(file=f"{BRIDGE_DAYS_TABLE}.toml", field="entry"),
            )
    return BridgeDays(
        days=frozenset(day for entry in entries for day in entry.value.days),
        first_year=entries[0].value.first_year,
        last_year=entries[-1].value.last_year,
        versions=tuple(entry.version for entry in entries),
    )


def easter_sunday(year: int) -> dt.date:
    """Western (Gregorian) Easter Sunday, by the anonymous Gregorian algorithm (Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def _years(first_year: int, last_year: int) -> range:
    return range(first_year, last_year + 1)


def target_closed_days(first_year: int, last_year: int) -> frozenset[dt.date]:
    """TARGET closing days in the years given (holidays' ``XECB`` market, else computed)."""
    years = _years(first_year, last_year)
    try:
        market = holidays.financial_holidays("XECB", years=years)
    except NotImplementedError:  # a holidays release without the XECB market
        days: set[dt.date] = set()
        for year in years:
            easter = easter_sunday(year)
            days.update(
                {
                    dt.date(year, 1, 1),
                    easter - dt.timedelta(days=2),
                    easter + dt.timedelta(days=1),
                    dt.date(year, 5, 1),
                    dt.date(year, 12, 25),
                    dt.date(year, 12, 26),
                }
            )
        return frozenset(days)
    return frozenset(market)


def atw_closed_days(first_year: int, last_year: int, bridge: BridgeDays) -> frozenset[dt.date]:
    """Atw art. 3 holidays (with 5 May every year and Good Friday) plus decreed days, by year."""
    years = _years(first_year, last_year)
    days: set[dt.date] = set(holidays.country_holidays("NL", years=years))
    for year in years:
        days.add(dt.date(year, 5, 5))
        days.add(easter_sunday(year) - dt.timedelta(days=2))
    days.update(day for day in bridge.days if first_year <= day.year <= last_year)
    return frozenset(days)


@functools.lru_cache(maxsize=8)
def build_calendars(
    first_year: int | None = None,
    last_year: int | None = None,
    directory: Path | None = None,
) -> Calendars:
    """The ``calendar``, ``sepa`` and ``atw`` calendars (cached per argument set).

    ``sepa`` covers ``first_year``..``last_year`` (default 2000-2099). ``atw`` covers the part of
    that range for which the bridge-day table has decrees (default: all of the table's years);
    :class:`CalendarRangeError` when the two do not overlap. ``directory`` overrides the rules
    directory (tests).
    """
    bridge = load_bridge_days(directory)
    sepa_first = SEPA_FIRST_YEAR if first_year is None else first_year
    sepa_last = SEPA_LAST_YEAR if last_year is None else last_year
    if sepa_first > sepa_last:
        raise ValueError(f"first_year {sepa_first} is after last_year {sepa_last}")
    atw_first = max(sepa_first, bridge.first_year)
    atw_last = min(sepa_last, bridge.last_year)
    if atw_first > atw_last:
        raise CalendarRangeError(
            f"the Atw bridge-day table covers {bridge.first_year}-{bridge.last_year}, not "
            f"{sepa_first}-{sepa_last}; add the decree to maatwerk/rules/{BRIDGE_DAYS_TABLE}.toml"
        )
    sepa = BusinessCalendar(
        name=SEPA,
        closed=target_closed_days(sepa_first, sepa_last),
        first_year=sepa_first,
        last_year=sepa_last,
    )
    atw = BusinessCalendar(
        name=ATW,
        closed=atw_closed_days(atw_first, atw_last, bridge),
        first_year=atw_first,
        last_year=atw_last,
        versions=bridge.versions,
    )
    return Calendars((plain_calendar(), sepa, atw))
