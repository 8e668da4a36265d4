"""File-based stand-in for the Schuldenknooppunt: JSON messages in an inbox, replies to an outbox.

The real hub speaks SOAP/XML web services behind PKIoverheid certificates, given only under its
connection agreement (``docs/formats/schuldenknooppunt.md``), so this adapter stands in for it: debt help (or a
person who keys in what the portal shows) puts one JSON file per message in the **inbox**; we
write one JSON file per reply in the **outbox**. The format is ``docs/formats/schuldenknooppunt.md``
(field names assumed, after the Dutch practice).

Reading is all or nothing: every ``*.json`` file in the inbox (sorted by name) is checked; any
problem in any file raises :class:`InboxRejectedError`, which lists every problem with its file
and field, and no message is returned. Hostile input is refused, not trusted: files over
:data:`MAX_BYTES`, bytes that are not UTF-8, ``NaN``/``Infinity``, numbers for amounts given as
floats beyond a cent's precision, deep nesting, unknown fields, a ``message_id`` that could not
be a plain file name, the same ``message_id`` twice, symlinks and anything not a regular file.

Writing is idempotent: a reply is written once, as ``<message_id>.json`` via a temporary file
and an atomic rename; sending it again leaves the file as it is (a sent message cannot be
unsent) and returns the same reference (the file name).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import pathlib
import re
import tempfile
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from maatwerk.core.debt_settlement import (
    BalanceReply,
    BalanceRequest,
    HubMessage,
    HubReply,
    InboxRejectedError,
    ProposalReply,
    SettlementProposal,
)
from maatwerk.core.errors import InputError, Location
from maatwerk.core.money import Money


__all__ = [
    "MAX_BYTES",
    "FileHub",
    "InboxRejectedError",
    "message_to_json",
    "reply_to_json",
    "write_message",
]

#: The largest message file read (a message is a few hundred bytes).
MAX_BYTES: Final = 64 * 1024
_ID: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_REQUEST: Final = "saldoverzoek"
_PROPOSAL: Final = "betaalvoorstel"
_TYPES: Final = {
    _REQUEST: _REQUEST,
    "balance-request": _REQUEST,
    _PROPOSAL: _PROPOSAL,
    "settlement-proposal": _PROPOSAL,
}
_FIELDS: Final[Mapping[str, tuple[frozenset[str], frozenset[str]]]] = {
    # type -> (required, optional)
    _REQUEST: (
        frozenset({"type", "message_id", "debtor_id", "as_of"}),
        frozenset({"counsellor", "creditor_id"}),
    ),
    _PROPOSAL: (
        frozenset({"type", "message_id", "debtor_id", "proposed_on", "percentage", "pay_by"}),
        frozenset({"counsellor", "creditor_id", "term_months"}),
    ),
}


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


class _Fields:
    """Reads one message's fields, collecting problems with the file and field."""

    def __init__(self, name: str, data: Mapping[str, Any]) -> None:
        self.name = name
        self.data = data
        self.errors: list[InputError] = []

    def problem(self, field: str, message: str) -> None:
        self.errors.append(InputError(message, Location(file=self.name, field=field)))

    def text(self, field: str, *, required: bool = True, ident: bool = False) -> str:
        value = self.data.get(field)
        if not required and (value is None or (isinstance(value, str) and not value.strip())):
            return ""
        if not isinstance(value, str) or not value.strip():
            self.problem(field, "is missing" if value is None else "must be non-empty text")
            return ""
        value = value.strip()
        if ident and not _ID.fullmatch(value):
            self.problem(field, "must be 1-100 letters, digits, '.', '_' or '-' (no spaces)")
            return ""
        if len(value) > 200:
            self.problem(field, "is longer than 200 characters")
            return ""
        return value

    def date(self, field: str) -> dt.date | None:
        raw = self.data.get(field)
        if not isinstance(raw, str):
            self.problem(field, "is missing" if raw is None else "must be a date YYYY-MM-DD")
            return None
        try:
            return dt.date.fromisoformat(raw.strip()) if len(raw) <= 10 else None
        except ValueError:
            pass
        self.problem(field, f"not a date (YYYY-MM-DD): {raw[:20]!r}")
        return None

    def percentage(self, field: str) -> Decimal | None:
        raw = self.data.get(field)
        if isinstance(raw, bool) or not isinstance(raw, (str, int, Decimal)):
            self.problem(field, 'must be a number such as 35 or "35.5"')
            return None
        try:
            value = Decimal(str(raw).strip().replace(",", "."))
        except InvalidOperation:
            self.problem(field, f"not a number: {str(raw)[:20]!r}")
            return None
        if not value.is_finite() or not Decimal(0) < value <= Decimal(100):
            self.problem(field, "must be more than 0 and at most 100")
            return None
        if value != value.quantize(Decimal("0.01")):
            self.problem(field, "has more than two decimals")
            return None
        return value

    def months(self, field: str) -> int:
        raw = self.data.get(field, 0)
        if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= 120:
            self.problem(field, "must be a whole number of months from 0 to 120")
            return 0
        return raw


def _parse(name: str, data: Mapping[str, Any]) -> tuple[HubMessage | None, list[InputError]]:
    fields = _Fields(name, data)
    kind = _TYPES.get(str(data.get("type", "")).strip().lower())
    if kind is None:
        fields.problem("type", f"must be one of {', '.join(sorted(_TYPES))}")
        return None, fields.errors
    required, optional = _FIELDS[kind]
    for unknown in sorted(set(data) - required - optional):
        fields.problem(unknown[:40], "unknown field")
    message_id = fields.text("message_id", ident=True)
    debtor_id = fields.text("debtor_id", ident=True)
    counsellor = fields.text("counsellor", required=False)
    creditor_id = fields.text("creditor_id", required=False, ident=True)
    message: HubMessage | None = None
    if kind == _REQUEST:
        as_of = fields.date("as_of")
        if not fields.errors and as_of is not None:
            message = BalanceRequest(
                message_id=message_id,
                debtor_id=debtor_id,
                as_of=as_of,
                counsellor=counsellor,
                creditor_id=creditor_id,
            )
        return message, fields.errors
    proposed_on = fields.date("proposed_on")
    pay_by = fields.date("pay_by")
    percentage = fields.percentage("percentage")
    months = fields.months("term_months")
    if proposed_on is not None and pay_by is not None and pay_by < proposed_on:
        fields.problem("pay_by", "is before proposed_on")
    if not fields.errors and proposed_on and pay_by and percentage is not None:
        message = SettlementProposal(
            message_id=message_id,
            debtor_id=debtor_id,
            proposed_on=proposed_on,
            percentage=percentage,
            pay_by=pay_by,
            term_months=months,
            counsellor=counsellor,
            creditor_id=creditor_id,
        )
    return message, fields.errors


def _load(path: pathlib.Path) -> tuple[Mapping[str, Any] | None, InputError | None]:
    name = path.name

    def bad(message: str) -> tuple[None, InputError]:
        return None, InputError(message, Location(file=name))

    if path.is_symlink() or not path.is_file():
        return bad("not a regular file (symlinks and folders are refused)")
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        return bad(f"cannot be read ({exc.strerror or 'error'})")
    if len(raw) > MAX_BYTES:
        return bad(f"is larger than {MAX_BYTES} bytes")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return bad("is not UTF-8 text")
    try:
        data = json.loads(text, parse_float=Decimal, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        return bad(f"is not valid JSON ({str(exc)[:80]})")
    if not isinstance(data, dict):
        return bad("must hold one JSON object (a message)")
    return data, None


class FileHub:
    """The stand-in hub on two folders (see the module docstring)."""

    name: Final = "knooppunt-files"

    def __init__(self, inbox: pathlib.Path, outbox: pathlib.Path) -> None:
        self.inbox = inbox
        self.outbox = outbox

    def receive(self) -> Sequence[HubMessage]:
        if not self.inbox.is_dir():
            raise InputError("the inbox folder does not exist", Location(file=str(self.inbox)))
        errors: list[InputError] = []
        messages: list[HubMessage] = []
        seen: dict[str, str] = {}
        for path in sorted(self.inbox.glob("*.json")):
            data, error = _load(path)
            if error is not None or data is None:
                errors.extend([error] if error else [])
                continue
            message, problems = _parse(path.name, data)
            errors.extend(problems)
            if message is None:
                continue
            if message.message_id in seen:
                errors.append(
                    InputError(
                        f"message_id {message.message_id!r} is also in {seen[message.message_id]}",
                        Location(file=path.name, field="message_id"),
                    )
                )
                continue
            seen[message.message_id] = path.name
            messages.append(message)
        if errors:
            raise InboxRejectedError(errors)
        return tuple(messages)

    def send(self, replies: Sequence[HubReply]) -> Sequence[str]:
        references: list[str] = []
        for reply in replies:
            if not _ID.fullmatch(reply.message_id):
                raise ValueError("a reply's message_id must be a plain file name")
            file_name = f"{reply.message_id}.json"
            target = self.outbox / file_name
            if not target.exists():
                self.outbox.mkdir(parents=True, exist_ok=True)
                body = json.dumps(reply_to_json(reply), indent=2, ensure_ascii=False) + "\n"
                handle, temp = tempfile.mkstemp(dir=self.outbox, prefix=".tmp-", suffix=".json")
                try:
                    with os.fdopen(handle, "w", encoding="utf-8") as out:
                        out.write(body)
                    pathlib.Path(temp).replace(target)
                except BaseException:
                    pathlib.Path(temp).unlink(missing_ok=True)
                    raise
            references.append(file_name)
        return tuple(references)


def _money(value: Money) -> str:
    return value.format()


def reply_to_json(reply: HubReply) -> dict[str, Any]:
    """A reply as the JSON object the outbox file holds (amounts as strings, dates ISO)."""
    if isinstance(reply, BalanceReply):
        return {
            "type": "saldoverzoek-antwoord",
            "message_id": reply.message_id,
            "in_reply_to": reply.in_reply_to,
            "debtor_id": reply.debtor_id,
            "as_of": reply.as_of.isoformat(),
            "currency": "EUR",
            "claims": [
                {
                    "debt_id": c.debt_id,
                    "creditor_id": c.creditor_id,
                    "reference": c.reference,
                    "category": c.category,
                    "due_date": c.due_date.isoformat(),
                    "principal": _money(c.principal),
                    "interest": _money(c.interest),
                    "costs": _money(c.costs),
                    "total": _money(c.total),
                }
                for c in reply.claims
            ],
            "unallocated": _money(reply.unallocated),
            "total": _money(reply.total),
        }
    if isinstance(reply, ProposalReply):
        return {
            "type": "betaalvoorstel-antwoord",
            "message_id": reply.message_id,
            "in_reply_to": reply.in_reply_to,
            "debtor_id": reply.debtor_id,
            "decision": reply.decision.value,
            "decided_on": reply.decided_on.isoformat(),
            "currency": "EUR",
            "claim_total": _money(reply.claim_total),
            "amount": _money(reply.amount),
            "pay_by": reply.pay_by.isoformat(),
            "reason": reply.reason,
        }
    raise TypeError(f"not a hub reply: {type(reply).__name__}")


def message_to_json(message: HubMessage) -> dict[str, Any]:
    """An inbound message as the JSON object an inbox file holds (for tests and demos)."""
    common = {
        "message_id": message.message_id,
        "debtor_id": message.debtor_id,
        "counsellor": message.counsellor,
        "creditor_id": message.creditor_id,
    }
    if isinstance(message, BalanceRequest):
        return {"type": _REQUEST, **common, "as_of": message.as_of.isoformat()}
    return {
        "type": _PROPOSAL,
        **common,
        "proposed_on": message.proposed_on.isoformat(),
        "percentage": str(message.percentage),
        "pay_by": message.pay_by.isoformat(),
        "term_months": message.term_months,
    }


def write_message(inbox: pathlib.Path, message: HubMessage) -> pathlib.Path:
    """Put ``message`` in ``inbox`` as ``<message_id>.json`` (what debt help would deliver)."""
    inbox.mkdir(parents=True, exist_ok=True)
    path = inbox / f"{message.message_id}.json"
    path.write_text(json.dumps(message_to_json(message), indent=2) + "\n", encoding="utf-8")
    return path
