"""Shared machinery of the JSON-document channels (bailiff, municipal, source-deduction, CAK).

Each such channel turns one action into one JSON document, checks it against the JSON Schema it
ships in ``maatwerk/adapters/channels/schemas/`` (with :mod:`maatwerk.adapters.jsonschema_check`),
and writes it to ``<output_dir>/<channel>/<run date>/[<group>/]<action id>.json``. A document
that exists already is not written again (idempotent on the action id; byte-identical output,
no clock read). A builder raises :class:`RefusedError` when the action must not be carried out;
the reason becomes the receipt's reason and never contains personal data.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from importlib import resources
from typing import Any

from maatwerk.adapters.channels._files import atomic_write, missing_settings, safe_file_stem
from maatwerk.adapters.jsonschema_check import check
from maatwerk.core.ports import (
    PAYLOAD_ADDRESS,
    PAYLOAD_AMOUNT,
    PAYLOAD_DEBTOR_NAME,
    PAYLOAD_POSTAL_ADDRESS,
    DeliveryContext,
    DeliveryReceipt,
    OutboundAction,
    PayloadValue,
)


__all__ = [
    "DocumentChannel",
    "RefusedError",
    "address_lines",
    "creditor_name",
    "debtor_name",
    "load_schema",
    "plain",
    "positive_amount",
    "postal_address",
    "records",
    "validate",
]


class RefusedError(ValueError):
    """The action must not (or cannot) be carried out; the message says why."""


def debtor_name(payload: Mapping[str, PayloadValue]) -> str:
    """The debtor's name in ``payload``; :class:`RefusedError` when it is missing or blank."""
    name = payload.get(PAYLOAD_DEBTOR_NAME)
    if not isinstance(name, str) or not name.strip():
        raise RefusedError(f"payload field {PAYLOAD_DEBTOR_NAME!r} is missing")
    return name


def positive_amount(payload: Mapping[str, PayloadValue]) -> Decimal:
    """The action's amount in ``payload``; :class:`RefusedError` unless it is above zero."""
    amount = payload.get(PAYLOAD_AMOUNT)
    if isinstance(amount, bool) or not isinstance(amount, Decimal) or amount <= 0:
        raise RefusedError(f"payload field {PAYLOAD_AMOUNT!r} must be an amount above zero")
    return amount


def records(payload: Mapping[str, PayloadValue], key: str) -> list[Mapping[str, PayloadValue]]:
    """The list of records under ``key`` (none when absent); :class:`RefusedError` when malformed."""
    value = payload.get(key, ())
    if not isinstance(value, tuple) or not all(isinstance(v, Mapping) for v in value):
        raise RefusedError(f"payload field {key!r} must be a list of records")
    return [v for v in value if isinstance(v, Mapping)]


def address_lines(payload: Mapping[str, PayloadValue]) -> list[str]:
    """The debtor's address lines in ``payload`` (none when absent or malformed)."""
    address = payload.get(PAYLOAD_ADDRESS)
    return [line for line in address if isinstance(line, str)] if isinstance(address, tuple) else []


_ADDRESS_FIELDS = ("street", "house_number", "postcode", "city", "extra", "country")


def postal_address(payload: Mapping[str, PayloadValue]) -> dict[str, str | None] | None:
    """The debtor's address by field (``street``, ``house_number``, ``postcode``, ``city``,
    ``extra``, ``country``) in ``payload``; ``None`` when absent or malformed."""
    address = payload.get(PAYLOAD_POSTAL_ADDRESS)
    if not isinstance(address, Mapping):
        return None
    fields = {key: address.get(key) for key in _ADDRESS_FIELDS}
    if not all(isinstance(fields[k], str) and fields[k] for k in _ADDRESS_FIELDS if k != "extra"):
        return None
    return {k: v if isinstance(v, str) and v else None for k, v in fields.items()}


def creditor_name(settings: Mapping[str, str]) -> str:
    """The ``creditor_name`` channel setting; :class:`RefusedError` when it is not set."""
    name = settings.get("creditor_name", "").strip()
    if not name:
        raise RefusedError("no creditor name: set 'creditor_name' in the channel settings")
    return name


@functools.cache
def load_schema(file_name: str) -> Mapping[str, Any]:
    """The shipped JSON Schema ``schemas/<file_name>``."""
    text = (
        resources.files("maatwerk.adapters.channels")
        .joinpath("schemas", file_name)
        .read_text(encoding="utf-8")
    )
    schema: Mapping[str, Any] = json.loads(text)
    return schema


def validate(document: Mapping[str, Any], file_name: str) -> list[str]:
    """Every violation of the shipped schema ``file_name`` in ``document``."""
    return check(document, load_schema(file_name))


def plain(value: PayloadValue | object) -> Any:
    """A payload value as JSON: amounts as strings with 2 decimals, dates ISO, tuples lists."""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [plain(v) for v in value]
    return value


class DocumentChannel:
    """A channel that writes one checked JSON document per action (see the module docstring).

    A subclass names itself, its schema file and the action kinds it carries, and builds the
    document in :meth:`build`; delivery, the schema check and the startup check of the settings
    (``required_settings``) are the same for every such channel.
    """

    name: str
    schema_file: str
    kinds: frozenset[str]
    required_settings: tuple[str, ...] = ("creditor_name",)

    def settings_problems(self, settings: Mapping[str, str]) -> list[str]:
        """The settings this channel needs that are missing (the run checks them at startup)."""
        return missing_settings(settings, self.required_settings)

    def build(self, action: OutboundAction, context: DeliveryContext) -> tuple[dict[str, Any], str]:
        """The document for ``action`` and an optional sub-directory (a group, e.g. the payer;
        ``/`` separates nested directories, each part made a safe name).

        Raises :class:`RefusedError` when the action must not be carried out.
        """
        raise NotImplementedError

    def deliver(
        self, actions: Sequence[OutboundAction], context: DeliveryContext
    ) -> list[DeliveryReceipt]:
        """Deliver ``actions`` as JSON documents (see the module docstring); one receipt each."""
        name, schema_file, kinds = self.name, self.schema_file, self.kinds
        receipts: list[DeliveryReceipt] = []
        day = context.run_date.isoformat()
        for action in actions:
            if action.channel != name:
                receipts.append(
                    DeliveryReceipt.refused(
                        action.action_id, f"action is for channel {action.channel!r}, not {name}"
                    )
                )
                continue
            if action.kind not in kinds:
                receipts.append(
                    DeliveryReceipt.refused(
                        action.action_id,
                        f"{name} does not carry {action.kind!r}; it carries {', '.join(sorted(kinds))}",
                    )
                )
                continue
            try:
                document, group = self.build(action, context)
            except RefusedError as exc:
                receipts.append(DeliveryReceipt.refused(action.action_id, str(exc)))
                continue
            problems = validate(document, schema_file)
            if problems:
                receipts.append(
                    DeliveryReceipt.refused(
                        action.action_id,
                        f"document does not match {schema_file}: {'; '.join(problems[:3])}",
                    )
                )
                continue
            parts = [
                day,
                *(safe_file_stem(part) for part in group.split("/") if part),
                f"{safe_file_stem(action.action_id)}.json",
            ]
            target = context.output_dir / name
            for part in parts:
                target = target / part
            reference = "/".join([name, *parts])
            if not context.dry_run and not target.exists():
                text = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
                try:
                    atomic_write(target, text)
                except OSError as exc:
                    receipts.append(
                        DeliveryReceipt.failed(action.action_id, f"cannot write {reference}: {exc}")
                    )
                    continue
            receipts.append(DeliveryReceipt.delivered(action.action_id, reference))
        return receipts
