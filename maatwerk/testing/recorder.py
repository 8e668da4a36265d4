"""The side-effect seam of the contract kit: record the calls a channel makes outside maatwerk.

A channel that talks to another system reports each request to ``context.side_effects``
(:class:`maatwerk.core.ports.SideEffects`) just before it makes it::

    context.side_effects.call("POST", url, idempotency_key=action.action_id)

The daily run ignores these reports. The contract kit hands the channel a
:class:`SideEffectRecorder` instead and checks what it recorded, so idempotency and dry runs
are proven for network channels as well as for files: no changing request during a dry run,
every changing request with an idempotency key, one action never sent twice in one delivery,
and a repeated delivery sending nothing under a new key.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Final

import attrs


__all__ = ["READ_ONLY_METHODS", "ExternalCall", "SideEffectRecorder"]

#: Methods that change nothing on the other side; every other method is a changing request.
READ_ONLY_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})


@attrs.frozen
class ExternalCall:
    """One reported call: ``method`` (``POST``, ``SEND`` ...), ``target``, ``idempotency_key``."""

    method: str
    target: str
    idempotency_key: str = ""

    @property
    def changes_something(self) -> bool:
        return self.method.upper() not in READ_ONLY_METHODS


@attrs.define
class SideEffectRecorder:
    """A :class:`~maatwerk.core.ports.SideEffects` that keeps every reported call in order.

    Give it to a channel with ``DeliveryContext(..., side_effects=recorder)``.
    """

    calls: list[ExternalCall] = attrs.field(factory=list)

    def call(self, method: str, target: str, *, idempotency_key: str = "") -> None:
        self.calls.append(ExternalCall(method, target, idempotency_key))

    def changing(self, since: int = 0) -> list[ExternalCall]:
        """The changing calls (not GET/HEAD/OPTIONS), from position ``since`` on."""
        return [c for c in self.calls[since:] if c.changes_something]

    def problems(
        self,
        since: int = 0,
        *,
        repeat_of: Iterable[str] | None = None,
        keys_honoured: bool = False,
    ) -> list[str]:
        """What is wrong with the changing calls from position ``since`` on (one delivery).

        ``repeat_of``: the keys an earlier delivery of the same actions used (this delivery
        repeats it). A repeat may send nothing that changes something, unless
        ``keys_honoured`` (the other side drops a request whose idempotency key it has seen):
        then it may resend only under one of those keys.
        """
        changing = self.changing(since)
        found = [
            f"{c.method} {c.target} has no idempotency key"
            for c in changing
            if not c.idempotency_key
        ]
        counts = Counter((c.method, c.target, c.idempotency_key) for c in changing)
        found.extend(
            f"{method} {target} was sent {n} times with idempotency key {key!r} in one delivery"
            for (method, target, key), n in counts.items()
            if key and n > 1
        )
        if repeat_of is not None:
            known = set(repeat_of)
            for c in changing:
                if not keys_honoured:
                    found.append(
                        f"repeating the delivery sent {c.method} {c.target} again (key "
                        f"{c.idempotency_key!r}); a channel must remember what it sent, or "
                        "declare that the other side honours idempotency keys"
                    )
                elif c.idempotency_key and c.idempotency_key not in known:
                    found.append(
                        f"repeating the delivery sent {c.method} {c.target} under a new "
                        f"idempotency key {c.idempotency_key!r}: the other side would act twice"
                    )
        return found

    def keys(self, since: int = 0) -> set[str]:
        """The idempotency keys of the changing calls from position ``since`` on."""
        return {c.idempotency_key for c in self.changing(since) if c.idempotency_key}
