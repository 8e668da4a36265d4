"""Verify the hash chains of the event log (``maatwerk audit verify``).

The store reads; :func:`maatwerk.core.audit_chain.verify_chains` judges. The result names each
event changed, removed or inserted by sequence number and chain position, never by content.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol

from maatwerk.core.audit_chain import ChainedEvent, ChainHead, ChainProblem, verify_chains


__all__ = ["ChainSource", "verify_chain"]


class ChainSource(Protocol):
    """What the verification reads from the store."""

    def chain_heads(self) -> Sequence[ChainHead]:
        """The recorded end of every chain."""

    def chained_events(self) -> Iterator[ChainedEvent]:
        """Every event with chain fields, ordered by chain, position and sequence."""

    def unchained_events(self) -> Sequence[int]:
        """The sequence numbers of events without chain fields."""


def verify_chain(source: ChainSource) -> list[ChainProblem]:
    """Every break in the chains of the event log; ``[]`` when nothing was changed."""
    return verify_chains(
        source.chained_events(), source.chain_heads(), unchained=source.unchained_events()
    )
