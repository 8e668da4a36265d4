"""The ``email-outbox`` channel: one e-mail per action, written as an ``.eml`` file.

A mail relay (or a person) sends what lands in ``<output dir>/email-outbox/<run date>/``.
The files are deterministic: the same action gives byte-identical output, so a repeated
delivery changes nothing (the maatwerk channel contract checks this).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from decimal import Decimal
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path
from typing import Final

from maatwerk.core.ports import DeliveryContext, DeliveryReceipt, OutboundAction


_ADDRESS: Final = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SUBJECTS: Final = {
    "courtesy-reminder": "Uw betaling komt eraan",
    "payment-reminder": "Herinnering: u heeft nog niet betaald",
}


def _euro(amount: Decimal) -> str:
    whole, cents = f"{amount:.2f}".split(".")
    return f"€ {int(whole):,}".replace(",", ".") + f",{cents}"


class EmailOutboxChannel:
    """Writes one ``.eml`` file per action (see the module docstring)."""

    name: Final = "email-outbox"

    def deliver(
        self, actions: Sequence[OutboundAction], context: DeliveryContext
    ) -> list[DeliveryReceipt]:
        sender = context.settings.get("sender", "")
        receipts = []
        for action in actions:
            reason = self._refusal(action, sender)
            if reason:
                receipts.append(DeliveryReceipt.refused(action.action_id, reason))
                continue
            digest = hashlib.sha256(action.action_id.encode()).hexdigest()[:16]
            target = context.output_dir / self.name / context.run_date.isoformat() / f"{digest}.eml"
            if not context.dry_run and not target.exists():
                try:
                    self._write(target, self._message(action, context, sender, digest))
                except OSError as exc:
                    receipts.append(
                        DeliveryReceipt.failed(action.action_id, f"cannot write: {exc}")
                    )
                    continue
            receipts.append(
                DeliveryReceipt.delivered(action.action_id, f"{self.name}/{target.name}")
            )
        return receipts

    def _refusal(self, action: OutboundAction, sender: str) -> str:
        if action.channel != self.name:
            return f"action is for channel {action.channel!r}, not {self.name}"
        if not _ADDRESS.match(sender):
            return "no valid 'sender' address in the channel settings"
        if action.kind not in _SUBJECTS:
            return f"no e-mail text for action kind {action.kind!r}"
        email = action.payload.get("email")
        if not isinstance(email, str) or not _ADDRESS.match(email):
            return "payload field 'email' is missing or not an e-mail address"
        amount = action.payload.get("amount")
        if not isinstance(amount, Decimal) or amount <= 0:
            return "payload field 'amount' must be an amount above zero"
        return ""

    def _message(
        self, action: OutboundAction, context: DeliveryContext, sender: str, digest: str
    ) -> EmailMessage:
        payload = action.payload
        name = payload.get("debtor_name")
        amount = payload["amount"]
        assert isinstance(amount, Decimal)  # checked in _refusal
        pay_before = payload.get("pay_before")
        when = (
            f"Betaal uiterlijk {pay_before.day}-{pay_before.month}-{pay_before.year}."
            if isinstance(pay_before, dt.date)
            else "Betaal binnen 14 dagen."
        )
        creditor = context.settings.get("creditor_name", "")
        phone = context.settings.get("creditor_phone", "")
        message = EmailMessage(policy=SMTP)
        message["From"] = sender
        message["To"] = str(payload["email"])
        message["Subject"] = _SUBJECTS[action.kind]
        noon = dt.datetime.combine(context.run_date, dt.time(12), tzinfo=dt.UTC)
        message["Date"] = format_datetime(noon)
        message["Message-ID"] = f"<{digest}.{context.run_date:%Y%m%d}@{sender.split('@', 1)[1]}>"
        message.set_content(
            "\n".join(
                [
                    f"Beste {name or 'klant'},",
                    "",
                    f"U moet nog {_euro(amount)} betalen.",
                    when,
                    "Lukt dat niet? Bel ons. Dan zoeken we samen een oplossing.",
                    "",
                    f"Telefoon: {phone}" if phone else "",
                    "Met vriendelijke groet,",
                    creditor,
                ]
            )
        )
        return message

    @staticmethod
    def _write(target: Path, message: EmailMessage) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_suffix(".tmp")
        temporary.write_bytes(message.as_bytes())
        temporary.replace(target)
