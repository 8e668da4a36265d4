"""Announce committed events to listeners (``maatwerk_on_event`` plugins, audit, webhooks).

A service that records events takes an optional :class:`~maatwerk.core.ports.EventListener`
(the CLI passes the plugin facade's ``listener()``) and calls :func:`announce` **after** its
transaction committed, with exactly the events that were written: an event that was rolled back
or skipped as a duplicate is never announced. A listener that raises does not undo the committed
work: the failure is logged (event kind and plugin name only, no personal data) and returned as a
:class:`ListenerFailure`, and the remaining events are still announced.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs
import structlog

from maatwerk.core.errors import PluginError
from maatwerk.core.events import Event
from maatwerk.core.ports import EventListener
from maatwerk.core.records import CaseOutcome


__all__ = ["ListenerFailure", "announce", "announce_outcomes"]

_log = structlog.get_logger("maatwerk.events")


@attrs.frozen(kw_only=True)
class ListenerFailure:
    """A listener raised while hearing one event; the event itself stays recorded."""

    event_kind: str
    plugin: str | None
    message: str

    def __str__(self) -> str:
        who = f"plugin {self.plugin!r}" if self.plugin else "an event listener"
        return f"{who} failed on a {self.event_kind} event (it stays recorded): {self.message}"


def announce(
    listener: EventListener | None, events: Iterable[Event]
) -> tuple[ListenerFailure, ...]:
    """Tell ``listener`` about each committed event, in order; never raises for a listener."""
    if listener is None:
        return ()
    failures: list[ListenerFailure] = []
    for event in events:
        try:
            listener.on_event(event)
        except PluginError as exc:
            failure = ListenerFailure(event_kind=event.kind, plugin=exc.plugin, message=str(exc))
        except Exception as exc:  # noqa: BLE001 - a listener must never undo committed work
            failure = ListenerFailure(
                event_kind=event.kind, plugin=None, message=f"{type(exc).__name__}: {exc}"
            )
        else:
            continue
        failures.append(failure)
        _log.warning("event_listener_failed", event_kind=event.kind, plugin=failure.plugin)
    return tuple(failures)


def announce_outcomes(
    listener: EventListener | None, outcomes: Sequence[CaseOutcome], *, recorded: int
) -> tuple[ListenerFailure, ...]:
    """After the daily run recorded a batch: announce its events (none when nothing was recorded).

    ``recorded`` is what the store reports having written for the batch; 0 means the batch was
    already recorded (a rerun), so its events were announced back then.
    """
    if listener is None or recorded <= 0:
        return ()
    return announce(listener, [event for outcome in outcomes for event in outcome.events])
