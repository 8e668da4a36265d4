"""No address, no letter: a postal step for a debtor without an address goes to the phone
work list as "address missing".

The rule sits here, where the run writes the outbox, and not in the letters channel: a plugin
that replaces the channel cannot drop it. The step counts as taken by the call (the ladder moves
on), but as a ``phone-call``: nothing a letter starts (a 14-day term, an aanmaning and its fee,
a written reminder before an early signal) is recorded, because no letter went out. A later
step that needs such a letter stays blocked by its own guard until the address is imported.
"""

from __future__ import annotations

from typing import Final

import attrs

from maatwerk.core.debtors import Debtor
from maatwerk.core.events import ActionKind
from maatwerk.core.ports import PAYLOAD_EXPLANATION
from maatwerk.core.records import OutboxEntry


__all__ = ["ADDRESS_MISSING", "POSTAL_CHANNELS", "WORKLIST_CHANNEL", "route_postal"]

#: Channels that send paper post: a step on them needs the debtor's postal address.
POSTAL_CHANNELS: Final = frozenset({"letters"})
#: Where a letter without an address goes instead.
WORKLIST_CHANNEL: Final = "phone-worklist"
#: Payload key (and reason) of a rerouted letter; its value is the letter's action kind.
ADDRESS_MISSING: Final = "address_missing"
_WHY: Final = (
    "Adres ontbreekt: de brief ({title}) is niet verstuurd. Bel en vraag het postadres; "
    "zet het in de volgende import."
)


def route_postal(entry: OutboxEntry, debtor: Debtor) -> OutboxEntry:
    """``entry`` as it is, or, for a postal step and a debtor without an address, a
    ``phone-call`` on the work list that says the address is missing (and which letter)."""
    if entry.channel not in POSTAL_CHANNELS or debtor.address is not None:
        return entry
    title = str(entry.payload.get("title") or entry.action)
    explanation = _WHY.format(title=title)
    before = entry.payload.get(PAYLOAD_EXPLANATION)
    payload = {
        **entry.payload,
        ADDRESS_MISSING: entry.action,
        PAYLOAD_EXPLANATION: f"{explanation}\n{before}" if before else explanation,
    }
    return attrs.evolve(
        entry, action=ActionKind.PHONE_CALL.value, channel=WORKLIST_CHANNEL, payload=payload
    )
