"""What every recording function shares: checking the debtor and debt exist, appending
one event (and telling the listener), the debtor's history, whether a debt is still open."""

from __future__ import annotations

from typing import TypeVar

from maatwerk.core.errors import InputError, Location, MaatwerkError
from maatwerk.core.events import (
    DisputeOpened,
    DisputeResolved,
    Event,
    HoldEnded,
    HoldPlaced,
)
from maatwerk.core.ports import EventListener, Store
from maatwerk.services.announce import announce


def _debtor(store: Store, debtor_id: str) -> None:
    if debtor_id not in store.existing_ids("debtor", [debtor_id]):
        raise InputError(f"unknown debtor {debtor_id!r}", Location(field="DEBTOR"))


def _debt(store: Store, debtor_id: str, debt_id: str | None) -> None:
    if debt_id is None:
        return
    for key in store.cases_of_debtor(debtor_id):
        for case in store.load_cases([key]):
            if any(d.debt_id == debt_id for d in case.case.debts):
                return
    raise InputError(f"debtor {debtor_id!r} has no debt {debt_id!r}", Location(field="--debt"))


_E = TypeVar("_E", bound=Event)


def _record(store: Store, listener: EventListener | None, event: _E) -> _E:
    """Append ``event``, then announce it: only a committed event is heard."""
    store.append([event])
    announce(listener, [event])
    return event


def _history(store: Store, debtor_id: str) -> list[Event]:
    return [r.event for r in store.history(debtor_id) if r.event is not None]


_Opened = TypeVar("_Opened", HoldPlaced, DisputeOpened)


def _still_open(
    store: Store,
    debtor_id: str,
    ident: str,
    opened: type[_Opened],
    closing: type[HoldEnded | DisputeResolved],
    *,
    noun: str,
    closed: str,
) -> _Opened:
    """The ``opened`` event (a hold, a dispute) named ``ident`` that no ``closing`` event ended."""
    _debtor(store, debtor_id)
    history = _history(store, debtor_id)
    attr = f"{noun}_id"
    found = [e for e in history if isinstance(e, opened) and getattr(e, attr) == ident]
    if not found:
        raise InputError(
            f"debtor {debtor_id!r} has no {noun} {ident!r}", Location(field=noun.upper())
        )
    if any(isinstance(e, closing) and getattr(e, attr) == ident for e in history):
        raise MaatwerkError(f"{noun} {ident!r} {closed}")
    return found[0]
