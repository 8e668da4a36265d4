"""Business-day calendars and legal deadlines (kalenders, werkdagen en wettelijke termijnen).

Pure: a :class:`BusinessCalendar` is a name, a set of closed days and the weekdays that are
weekend. The closed days are *injected*; ``maatwerk.adapters.calendars`` builds them with the
``holidays`` package and the decreed bridge days of ``maatwerk/rules/atw_bridge_days.toml``.

Three calendars are used throughout (:data:`CALENDAR`, :data:`SEPA`, :data:`ATW`):

``calendar``
    every day counts (plain calendar days; no weekend, nothing closed).
``sepa``
    SEPA/TARGET2 business days: Monday to Friday minus the TARGET closing days (New Year,
    Good Friday, Easter Monday, 1 May, 25 and 26 December).
``atw``
    days on which a statutory term may end under the *Algemene termijnenwet* (Atw): Monday to
    Friday minus the *algemeen erkende feestdagen* of art. 3 lid 1 (New Year, Easter Monday, Whit
    Monday, Christmas 1 and 2, Ascension, King's Day as celebrated, 5 May **every** year), Good
    Friday (art. 3 lid 2) and the days decreed under art. 3 lid 3 (bridge days).

A fourth, ``postal`` (:func:`postal_calendar`), is built per :class:`PostalDelivery`: the weekdays
the post delivers letters, minus the ``atw`` closed days. :func:`presumed_receipt` is the day a
letter counts as received on it (every place that dates a receipt uses it).

Counting conventions (used by every function here):

* ``add_business_days(d, n)`` with ``n > 0`` is the n-th open day strictly *after* ``d`` (``d``
  itself does not count, open or not); ``n < 0`` is the ``|n|``-th open day strictly *before*
  ``d``; ``n == 0`` is ``next_business_day(d)``.
* ``business_days_between(a, b)`` counts the open days in ``(a, b]`` when ``b >= a`` and is minus
  the open days in ``[b, a)`` when ``b < a``; so ``business_days_between(d, add_business_days(d,
  n)) == n`` for every ``n != 0``.

A calendar may say which years its closed days are known for (``first_year``/``last_year``); a
question about a day outside that range raises :class:`CalendarRangeError` instead of silently
answering as if there were no holidays that year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Final

import attrs

from maatwerk.core.errors import InputError, Location, MaatwerkError, NoRuleForDateError
from maatwerk.core.tables import TableVersion


__all__ = [
    "ATW",
    "ATW_MAX_DAYS",
    "CALENDAR",
    "POSTAL",
    "SEPA",
    "SEPA_WEEKEND",
    "BusinessCalendar",
    "CalendarRangeError",
    "Calendars",
    "LegalDeadline",
    "PostalDelivery",
    "UnknownCalendarError",
    "add_days",
    "explain_legal_deadline",
    "legal_deadline",
    "plain_calendar",
    "postal_calendar",
    "presumed_receipt",
]

CALENDAR: Final = "calendar"
"""Name of the calendar on which every day counts."""
SEPA: Final = "sepa"
"""Name of the SEPA/TARGET business-day calendar."""
ATW: Final = "atw"
"""Name of the Algemene termijnenwet calendar (legal deadlines)."""
POSTAL: Final = "postal"
"""Name of the postal calendar: the days on which the post delivers letters."""

SEPA_WEEKEND: Final = frozenset({5, 6})
"""Saturday and Sunday as :meth:`datetime.date.weekday` numbers (Monday is 0)."""

ATW_MAX_DAYS: Final = 90
"""Atw art. 4 sub a: the Act does not apply to terms of more than 90 days."""

_ONE_DAY: Final = dt.timedelta(days=1)
_WEEKDAY_NAMES: Final = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)


class CalendarRangeError(NoRuleForDateError):
    """A day outside the years for which a calendar's closed days are known."""


class UnknownCalendarError(MaatwerkError, LookupError):
    """A calendar name that does not exist; the message lists the names available."""


def _weekend_converter(days: Iterable[int]) -> frozenset[int]:
    return frozenset(days)


def _closed_converter(days: Iterable[dt.date]) -> frozenset[dt.date]:
    return frozenset(days)


@attrs.frozen(kw_only=True)
class BusinessCalendar:
    """A named calendar of open days (werkdagen): not a weekend day and not a closed day.

    ``closed`` holds the closed days (holidays, bridge days) *apart from* the weekend.
    ``first_year``/``last_year`` (both or neither) bound the years for which ``closed`` is
    complete; ``None`` means the calendar is valid for every year (as the plain calendar is).
    ``versions`` names the rule-table entries the closed days came from (e.g. the decreed Atw
    bridge days), so results can report them.
    """

    name: str
    closed: frozenset[dt.date] = attrs.field(default=frozenset(), converter=_closed_converter)
    weekend: frozenset[int] = attrs.field(default=SEPA_WEEKEND, converter=_weekend_converter)
    first_year: int | None = None
    last_year: int | None = None
    versions: tuple[TableVersion, ...] = ()

    def __attrs_post_init__(self) -> None:
        if any(day not in range(7) for day in self.weekend):
            raise ValueError(f"calendar {self.name!r}: weekend days must be 0 (Monday) .. 6")
        if len(self.weekend) == 7:
            raise ValueError(f"calendar {self.name!r}: a calendar needs at least one open weekday")
        if (self.first_year is None) != (self.last_year is None):
            raise ValueError(f"calendar {self.name!r}: give both first_year and last_year, or none")
        if self.first_year is not None and self.last_year is not None:
            if self.first_year > self.last_year:
                raise ValueError(f"calendar {self.name!r}: first_year after last_year")
            outside = sorted(
                d for d in self.closed if not self.first_year <= d.year <= self.last_year
            )
            if outside:
                raise ValueError(
                    f"calendar {self.name!r}: closed day {outside[0].isoformat()} lies outside "
                    f"{self.first_year}-{self.last_year}"
                )

    @property
    def every_day_counts(self) -> bool:
        """True when no day is ever closed (the plain ``calendar`` calendar)."""
        return not self.weekend and not self.closed

    def covers(self, day: dt.date) -> bool:
        """True when this calendar knows the closed days of ``day``'s year."""
        if self.first_year is None or self.last_year is None:
            return True
        return self.first_year <= day.year <= self.last_year

    def _check(self, day: dt.date) -> None:
        if not self.covers(day):
            raise CalendarRangeError(
                f"calendar {self.name!r} knows closed days for {self.first_year}-{self.last_year} "
                f"only, not for {day.isoformat()}"
            )

    def is_business_day(self, day: dt.date) -> bool:
        """True when ``day`` is open: not a weekend day and not a closed day."""
        self._check(day)
        return day.weekday() not in self.weekend and day not in self.closed

    def closed_reason(self, day: dt.date) -> str | None:
        """Why ``day`` is closed (``"Saturday"``, ``"closed day"``), or ``None`` when it is open."""
        self._check(day)
        if day.weekday() in self.weekend:
            return _WEEKDAY_NAMES[day.weekday()]
        if day in self.closed:
            return "closed day"
        return None

    def next_business_day(self, day: dt.date) -> dt.date:
        """``day`` itself when it is open, else the first open day after it."""
        while not self.is_business_day(day):
            day += _ONE_DAY
        return day

    def previous_business_day(self, day: dt.date) -> dt.date:
        """``day`` itself when it is open, else the last open day before it."""
        while not self.is_business_day(day):
            day -= _ONE_DAY
        return day

    def add_business_days(self, day: dt.date, n: int) -> dt.date:
        """The n-th open day after ``day`` (``n > 0``), before it (``n < 0``); see the module doc.

        ``n == 0`` gives :meth:`next_business_day`. ``day`` itself never counts.
        """
        if n == 0:
            return self.next_business_day(day)
        if self.every_day_counts:
            result = day + dt.timedelta(days=n)
            self._check(day)
            self._check(result)
            return result
        step = _ONE_DAY if n > 0 else -_ONE_DAY
        remaining = abs(n)
        while remaining:
            day += step
            if self.is_business_day(day):
                remaining -= 1
        return day

    def business_days_between(self, start: dt.date, end: dt.date) -> int:
        """Open days in ``(start, end]``; minus the open days in ``[end, start)`` when end < start."""
        if end < start:
            return -self._count_open(end, start)
        return self._count_open(start + _ONE_DAY, end + _ONE_DAY)

    def _count_open(self, first: dt.date, stop: dt.date) -> int:
        """Open days in ``[first, stop)``."""
        count = 0
        day = first
        while day < stop:
            if self.is_business_day(day):
                count += 1
            day += _ONE_DAY
        return count

    def closed_between(self, first: dt.date, last: dt.date) -> tuple[dt.date, ...]:
        """The closed days (weekend or holiday) in ``[first, last]``, in order."""
        days: list[dt.date] = []
        day = first
        while day <= last:
            if not self.is_business_day(day):
                days.append(day)
            day += _ONE_DAY
        return tuple(days)


def plain_calendar() -> BusinessCalendar:
    """The ``calendar`` calendar: every day counts, for every year."""
    return BusinessCalendar(name=CALENDAR, weekend=frozenset())


#: Entries kept by :meth:`Calendars.add_days` before it starts afresh (bounded memory).
_MEMO_LIMIT: Final = 100_000


@attrs.frozen
class Calendars:
    """The calendars available, chosen by name (``calendar``, ``sepa``, ``atw``, ...)."""

    calendars: tuple[BusinessCalendar, ...]
    _memo: dict[tuple[dt.date, int, str], dt.date] = attrs.field(
        factory=dict, init=False, eq=False, hash=False, repr=False
    )
    """results of :meth:`add_days` (pure; the daily run asks the same questions per case)"""

    def __attrs_post_init__(self) -> None:
        names = [c.name for c in self.calendars]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"duplicate calendar name {duplicates[0]!r}")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(sorted(c.name for c in self.calendars))

    def get(self, name: str) -> BusinessCalendar:
        """The calendar called ``name``; :class:`UnknownCalendarError` lists the names available."""
        for calendar in self.calendars:
            if calendar.name == name:
                return calendar
        raise UnknownCalendarError(f"unknown calendar {name!r}; available: {', '.join(self.names)}")

    def __contains__(self, name: object) -> bool:
        return any(c.name == name for c in self.calendars)

    def add_days(self, start: dt.date, n: int, name: str) -> dt.date:
        """:func:`add_days` on the calendar called ``name``."""
        key = (start, n, name)
        found = self._memo.get(key)
        if found is None:
            found = add_days(start, n, self.get(name))
            if len(self._memo) >= _MEMO_LIMIT:
                self._memo.clear()
            self._memo[key] = found
        return found


def add_days(start: dt.date, n: int, calendar: BusinessCalendar) -> dt.date:
    """ "n days" on ``calendar``, as the policy engine means it.

    On the plain ``calendar`` calendar this is ``start + n`` calendar days (``n`` may be negative
    or zero). On any other calendar ``n`` counts open days (business days) with the conventions of
    :meth:`BusinessCalendar.add_business_days`: for ``n > 0`` the n-th open day after ``start``,
    for ``n < 0`` the ``|n|``-th open day before it, for ``n == 0`` ``start`` itself when open,
    else the next open day. The result is always an open day of ``calendar``.
    """
    return calendar.add_business_days(start, n)


@attrs.frozen(kw_only=True)
class LegalDeadline:
    """The last day of a statutory term under the Algemene termijnenwet, with the reasons.

    ``nominal_end`` is ``received + days``; ``last_day`` is the day after the Atw extensions.
    """

    received: dt.date
    days: int
    nominal_end: dt.date
    last_day: dt.date
    atw_applied: bool
    calendar: str
    lines: tuple[str, ...]
    versions: tuple[TableVersion, ...] = ()


def explain_legal_deadline(
    received: dt.date, days: int, atw_calendar: BusinessCalendar
) -> LegalDeadline:
    """Last day of a term of ``days`` days that starts to run on receipt (wettelijke termijn).

    Counting: day 1 of the term is the day after ``received``; the term ends at the end of
    ``received + days`` (the *nominal end*). Then, on ``atw_calendar`` (weekend = Saturday and
    Sunday, closed = Atw art. 3 holidays, 5 May every year, Good Friday, decreed bridge days):

    * **Atw art. 1 lid 1**: a term ending on a Saturday, Sunday or such a holiday runs to and
      including the next day that is none of these.
    * **Atw art. 2**: a term of at least 3 days is extended, as far as needed, so that it contains
      at least 2 days that are not a Saturday, Sunday or holiday (counted from day 1).
    * **Atw art. 4 sub a** (applied): the Act does not apply to terms of more than 90 days; for
      those the nominal end is the last day. Terms in hours, weeks, months or years are outside
      this function (it takes days only); the other art. 4 exclusions (publication of statutes,
      deprivation of liberty) and art. 1 lid 2 (terms counted backwards) are the caller's concern.

    ``days`` must be at least 1 (:class:`~maatwerk.core.errors.InputError` on field ``days``).
    """
    if days < 1:
        raise InputError(f"a term needs at least 1 day, got {days}", Location(field="days"))
    nominal = received + dt.timedelta(days=days)
    day_one = (received + _ONE_DAY).isoformat()
    first = (
        f"Term of {days} days from receipt on {received.isoformat()}: day 1 is {day_one}, "
        f"nominal end {nominal.isoformat()}."
    )
    lines = [first]
    atw_applied = days <= ATW_MAX_DAYS
    if atw_applied:
        end = _atw_last_day(received, days, nominal, atw_calendar, lines)
    else:
        end = nominal
        lines.append(
            f"More than {ATW_MAX_DAYS} days: the Algemene termijnenwet does not apply (art. 4); "
            f"last day {nominal.isoformat()}."
        )
    return LegalDeadline(
        received=received,
        days=days,
        nominal_end=nominal,
        last_day=end,
        atw_applied=atw_applied,
        calendar=atw_calendar.name,
        lines=tuple(lines),
        versions=atw_calendar.versions if atw_applied else (),
    )


def _atw_last_day(
    received: dt.date,
    days: int,
    nominal: dt.date,
    atw_calendar: BusinessCalendar,
    lines: list[str],
) -> dt.date:
    """The last day under Atw art. 1 and 2, with the steps taken added to ``lines``."""
    end = nominal
    reason = atw_calendar.closed_reason(end)
    if reason is not None:
        end = atw_calendar.next_business_day(end)
        lines.append(
            f"{nominal.isoformat()} is a "
            f"{reason if reason != 'closed day' else 'public holiday or decreed day'}: "
            f"the term runs to {end.isoformat()} (Atw art. 1)."
        )
    if days >= 3:
        open_days = atw_calendar.business_days_between(received, end)
        if open_days < 2:
            extended = atw_calendar.add_business_days(end, 2 - open_days)
            lines.append(
                f"Only {open_days} working day(s) in the term: extended to {extended.isoformat()} "
                "so that it contains 2 (Atw art. 2)."
            )
            end = extended
    lines.append(f"Last day: {end.isoformat()}.")
    return end


def legal_deadline(received: dt.date, days: int, atw_calendar: BusinessCalendar) -> dt.date:
    """The last day of a term of ``days`` days after receipt; see :func:`explain_legal_deadline`."""
    return explain_legal_deadline(received, days, atw_calendar).last_day


# ---------------------------------------------------------------------------------- receipt
_MONDAY: Final = 0
_SATURDAY: Final = 5
_SUNDAY: Final = 6


@attrs.frozen(kw_only=True)
class PostalDelivery:
    """How the post delivers a letter: days under way and the weekdays letters are delivered.

    ``receipt_days``: a letter counts as received on the first delivery day on or after the day
    of sending plus this many days. ``saturday`` / ``monday``: whether letters are delivered on
    that weekday (Tuesday to Friday always are, Sunday never is). The defaults and their sources
    are the dated table ``maatwerk/rules/postal_delivery.toml`` (PostNL: Tuesday to Saturday).
    """

    receipt_days: int = 2
    saturday: bool = True
    monday: bool = False

    def __attrs_post_init__(self) -> None:
        if self.receipt_days < 0:
            raise ValueError(f"receipt_days must not be negative, got {self.receipt_days}")

    @property
    def closed_weekdays(self) -> frozenset[int]:
        """The weekdays without letter delivery (Sunday, and Saturday/Monday when not delivered)."""
        days = {_SUNDAY}
        if not self.saturday:
            days.add(_SATURDAY)
        if not self.monday:
            days.add(_MONDAY)
        return frozenset(days)


def postal_calendar(delivery: PostalDelivery, holidays: BusinessCalendar) -> BusinessCalendar:
    """The ``postal`` calendar: ``delivery``'s weekdays minus the closed days of ``holidays``.

    ``holidays`` is the ``atw`` calendar (its public holidays, 5 May, Good Friday and the decreed
    days; no delivery is assumed on any of them, which can only move a receipt later, in the
    debtor's favour) and bounds the years covered; the plain calendar gives no holidays.
    """
    return BusinessCalendar(
        name=POSTAL,
        closed=holidays.closed,
        weekend=delivery.closed_weekdays,
        first_year=holidays.first_year,
        last_year=holidays.last_year,
        versions=holidays.versions,
    )


def presumed_receipt(
    sent_on: dt.date, delivery: PostalDelivery, holidays: BusinessCalendar
) -> dt.date:
    """The day a letter sent on ``sent_on`` counts as received (vermoedelijke ontvangst).

    The first postal delivery day (:func:`postal_calendar`) on or after ``sent_on`` plus
    ``delivery.receipt_days``: never a Sunday or public holiday, a Saturday or Monday only when
    the post delivers then. A letter sent on a Friday with 2 days under way counts as received
    on Tuesday when the post delivers Tuesday to Saturday, not on Sunday.
    """
    postal = postal_calendar(delivery, holidays)
    return postal.next_business_day(sent_on + dt.timedelta(days=delivery.receipt_days))
