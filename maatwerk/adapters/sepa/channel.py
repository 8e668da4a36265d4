"""The ``sepa-direct-debit`` channel: direct-debit actions (instalments) -> one pain.008 per day.

Takes ``direct-debit`` and ``direct-debit-representation`` actions from the outbox and writes
``<output_dir>/sepa-direct-debit/pain008-<run date>.xml`` (pain.008.001.08 unless the setting
``pain_version`` says ``pain.008.001.02``); in a deployment with several creditors each creditor
profile has its own file, ``pain008-<run date>-<creditor id>.xml`` (one creditor account each). Every collection is checked against the EPC rules
first; a bad one is *refused* with a reason (no personal data in it) and the rest are written.
Delivering again (the same action, or more actions for the same day) rewrites the day's file with
every collection once: the channel keeps the accepted collections in a manifest next to the file
(``pain008-<run date>.json``) and rebuilds the XML from it, validated against the XSD, atomically.
Send the file to the bank only after the day's run has finished.

The file's creation time is the run date at 00:00 (deterministic, no clock read); its MsgId is
``MW-<run date>-<hash of the collection ids>``. The EndToEndId of each collection is the action id
when that is a valid SEPA id of at most 35 characters, else ``MW-`` plus a hash of it
(:func:`end_to_end_id_for`); the receipt's reference ends with ``#<EndToEndId>`` so returns can be
matched to the action.

Settings (``DeliveryContext.settings``): ``creditor_name``, ``creditor_iban``, ``creditor_id``
(SEPA creditor identifier), optional ``creditor_bic`` and ``pain_version``.

Payload keys read: ``debtor_name`` (str), ``amount`` (Decimal, euros), ``debtor_iban`` (str),
``mandate_id`` (str), ``mandate_date`` (date), optional ``sequence`` (``FRST``/``RCUR``/``FNAL``/
``OOFF``, default ``RCUR``: allowed for a first collection since the 2016 rulebook),
``collection_date`` (date; default the action's ``due_date``), ``reference`` (an RF creditor
reference or free text), ``debtor_bic``, ``end_to_end_id``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import pathlib
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Final

import stdnum.iso11649

from maatwerk.adapters.sepa._builder import _atomic_write, build_pain008
from maatwerk.adapters.sepa._calendar import target_calendar
from maatwerk.adapters.sepa._model import (
    Creditor,
    DirectDebit,
    DirectDebitMessage,
    PainVersion,
    Remittance,
    SequenceType,
)
from maatwerk.adapters.sepa._rules import (
    BusinessDay,
    SepaValidationError,
    check_id,
    check_message,
)
from maatwerk.core.calendar import CalendarRangeError
from maatwerk.core.errors import MaatwerkError
from maatwerk.core.money import Money
from maatwerk.core.ports import (
    PAYLOAD_AMOUNT,
    PAYLOAD_DEBTOR_NAME,
    PAYLOAD_REFERENCE,
    SETTING_CREDITOR_PROFILE,
    DeliveryContext,
    DeliveryReceipt,
    OutboundAction,
    PayloadValue,
)


__all__ = [
    "ACTION_KINDS",
    "CHANNEL_NAME",
    "SepaDirectDebitChannel",
    "end_to_end_id_for",
    "pain008_path",
]

CHANNEL_NAME: Final = "sepa-direct-debit"
ACTION_KINDS: Final = ("direct-debit", "direct-debit-representation")

#: Fields whose EPC messages may quote personal data: their refusals use a generic sentence.
_PERSONAL_FIELDS: Final = frozenset({"debtor_name", "debtor_iban", "debtor_bic"})
_RF: Final = re.compile(r"RF\d{2}[A-Za-z0-9 ]{1,30}")


def end_to_end_id_for(action_id: str) -> str:
    """The EndToEndId the channel writes for ``action_id`` (deterministic)."""
    if not check_id(action_id, what="id"):
        return action_id
    return "MW-" + hashlib.sha256(action_id.encode()).hexdigest()[:32]


def pain008_path(output_dir: pathlib.Path, run_date: dt.date, creditor: str = "") -> pathlib.Path:
    """The day's pain.008 file; ``creditor`` (the setting ``creditor_profile``: a creditor of a
    deployment with several) gets a file of its own, so each creditor account has its own."""
    if not creditor:
        return output_dir / CHANNEL_NAME / f"pain008-{run_date.isoformat()}.xml"
    stem = re.sub(r"[^A-Za-z0-9_-]", "_", creditor)[:60]
    if stem != creditor:
        stem += "-" + hashlib.sha256(creditor.encode()).hexdigest()[:8]
    return output_dir / CHANNEL_NAME / f"pain008-{run_date.isoformat()}-{stem}.xml"


def _manifest_path(xml_path: pathlib.Path) -> pathlib.Path:
    return xml_path.with_suffix(".json")


def _text(payload: Mapping[str, PayloadValue], key: str) -> str | None:
    value = payload.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _collection(action: OutboundAction, creditor: Creditor) -> tuple[DirectDebit | None, list[str]]:
    payload = action.payload
    problems: list[str] = []
    name = _text(payload, PAYLOAD_DEBTOR_NAME)
    iban = _text(payload, "debtor_iban")
    mandate_id = _text(payload, "mandate_id")
    for key, value in (("debtor_name", name), ("debtor_iban", iban), ("mandate_id", mandate_id)):
        if value is None:
            problems.append(f"payload field {key!r} is missing")
    amount = payload.get(PAYLOAD_AMOUNT)
    if isinstance(amount, bool) or not isinstance(amount, (Decimal, int)):
        problems.append(f"payload field {PAYLOAD_AMOUNT!r} must be an amount (Decimal)")
    mandate_date = payload.get("mandate_date")
    if not isinstance(mandate_date, dt.date):
        problems.append("payload field 'mandate_date' must be a date")
    collection_date = payload.get("collection_date", action.due_date)
    if not isinstance(collection_date, dt.date):
        problems.append("payload field 'collection_date' (or the due date) must be a date")
    raw_sequence = _text(payload, "sequence") or SequenceType.RCUR.value
    try:
        sequence = SequenceType(raw_sequence.upper())
    except ValueError:
        problems.append(f"sequence {raw_sequence!r} is not one of FRST, RCUR, FNAL, OOFF")
        sequence = SequenceType.RCUR
    if problems:
        return None, problems
    assert isinstance(amount, (Decimal, int))  # noqa: S101 - narrowed above
    assert isinstance(mandate_date, dt.date)  # noqa: S101
    assert isinstance(collection_date, dt.date)  # noqa: S101
    reference = _text(payload, PAYLOAD_REFERENCE)
    remittance = None
    if reference is not None:
        compact = reference.replace(" ", "").upper()
        if _RF.fullmatch(reference.upper()) and stdnum.iso11649.is_valid(compact):
            remittance = Remittance(creditor_reference=compact)
        else:
            remittance = Remittance(unstructured=reference)
    return (
        DirectDebit(
            end_to_end_id=_text(payload, "end_to_end_id") or end_to_end_id_for(action.action_id),
            mandate_id=mandate_id or "",
            mandate_date=mandate_date,
            sequence=sequence,
            debtor_name=name or "",
            debtor_iban=iban or "",
            debtor_bic=_text(payload, "debtor_bic"),
            amount=Money(Decimal(amount)),
            collection_date=collection_date,
            creditor=creditor,
            remittance=remittance,
        ),
        [],
    )


def _to_json(item: DirectDebit) -> dict[str, Any]:
    remittance = item.remittance
    return {
        "end_to_end_id": item.end_to_end_id,
        "mandate_id": item.mandate_id,
        "mandate_date": item.mandate_date.isoformat(),
        "sequence": item.sequence.value,
        "debtor_name": item.debtor_name,
        "debtor_iban": item.debtor_iban,
        "debtor_bic": item.debtor_bic,
        "amount": str(item.amount.amount),
        "collection_date": item.collection_date.isoformat(),
        "remittance_text": remittance.unstructured if remittance else None,
        "remittance_rf": remittance.creditor_reference if remittance else None,
    }


def _from_json(data: Mapping[str, Any], creditor: Creditor) -> DirectDebit:
    text, rf = data.get("remittance_text"), data.get("remittance_rf")
    remittance = (
        Remittance(unstructured=text, creditor_reference=rf) if (text or rf) is not None else None
    )
    return DirectDebit(
        end_to_end_id=str(data["end_to_end_id"]),
        mandate_id=str(data["mandate_id"]),
        mandate_date=dt.date.fromisoformat(str(data["mandate_date"])),
        sequence=SequenceType(str(data["sequence"])),
        debtor_name=str(data["debtor_name"]),
        debtor_iban=str(data["debtor_iban"]),
        debtor_bic=data.get("debtor_bic"),
        amount=Money(str(data["amount"])),
        collection_date=dt.date.fromisoformat(str(data["collection_date"])),
        creditor=creditor,
        remittance=remittance,
    )


class SepaDirectDebitChannel:
    """Writes the day's direct-debit collections as one pain.008 file (see the module docstring)."""

    name: Final = CHANNEL_NAME

    def settings_problems(self, settings: Mapping[str, str]) -> list[str]:
        """The settings this channel needs that are missing or wrong (checked at startup)."""
        problems = [
            f"setting {key!r} is missing"
            for key in ("creditor_name", "creditor_iban", "creditor_id")
            if not settings.get(key, "").strip()
        ]
        version = settings.get("pain_version", "").strip()
        if version and version not in {v.value for v in PainVersion}:
            problems.append(f"setting 'pain_version' {version!r} is unknown")
        return problems

    def _creditor(self, settings: Mapping[str, str]) -> tuple[Creditor | None, str]:
        missing = [
            k for k in ("creditor_name", "creditor_iban", "creditor_id") if not settings.get(k)
        ]
        if missing:
            return None, f"channel settings missing: {', '.join(missing)}"
        creditor = Creditor(
            name=settings["creditor_name"],
            iban=settings["creditor_iban"],
            creditor_id=settings["creditor_id"],
            bic=settings.get("creditor_bic") or None,
        )
        return creditor, ""

    def deliver(
        self, actions: Sequence[OutboundAction], context: DeliveryContext
    ) -> list[DeliveryReceipt]:
        if not actions:
            return []
        creditor, problem = self._creditor(context.settings)
        try:
            version = PainVersion(context.settings.get("pain_version") or PainVersion.V08.value)
        except ValueError:
            problem = f"setting pain_version {context.settings.get('pain_version')!r} is unknown"
        if creditor is None or problem:
            return [DeliveryReceipt.failed(a.action_id, problem) for a in actions]
        run_date = context.run_date
        created = dt.datetime.combine(run_date, dt.time(0, 0))
        calendar = target_calendar(run_date.year - 1, run_date.year + 2)
        path = pain008_path(
            context.output_dir, run_date, context.settings.get(SETTING_CREDITOR_PROFILE, "")
        )
        reference = f"{self.name}/{path.name}"
        try:
            stored = self._load(path, creditor)
        except (OSError, ValueError, KeyError, TypeError, MaatwerkError) as exc:
            reason = f"cannot read the existing manifest of {reference}: {type(exc).__name__}"
            return [DeliveryReceipt.failed(a.action_id, reason) for a in actions]

        receipts: list[DeliveryReceipt] = []
        accepted = dict(stored)
        added = False
        for action in actions:
            if action.channel != self.name:
                receipts.append(
                    DeliveryReceipt.refused(
                        action.action_id,
                        f"action is for channel {action.channel!r}, not {self.name}",
                    )
                )
                continue
            if action.action_id in accepted:
                item = accepted[action.action_id]
                receipts.append(
                    DeliveryReceipt.delivered(action.action_id, f"{reference}#{item.end_to_end_id}")
                )
                continue
            item_or_none, problems = _collection(action, creditor)
            if item_or_none is None:
                receipts.append(DeliveryReceipt.refused(action.action_id, "; ".join(problems)))
                continue
            item = item_or_none
            reasons = self._rule_problems(item, created, calendar.is_business_day, accepted)
            if reasons:
                creditor_problem = any(r.startswith("creditor") for r in reasons)
                make = DeliveryReceipt.failed if creditor_problem else DeliveryReceipt.refused
                receipts.append(make(action.action_id, "; ".join(reasons)))
                continue
            accepted[action.action_id] = item
            added = True
            receipts.append(
                DeliveryReceipt.delivered(action.action_id, f"{reference}#{item.end_to_end_id}")
            )
        if added and not context.dry_run:
            try:
                self._write(path, accepted, created, version, calendar.is_business_day)
            except (OSError, SepaValidationError) as exc:
                new = {k for k in accepted if k not in stored}
                reason = f"cannot write {reference}: {type(exc).__name__}"
                return [
                    DeliveryReceipt.failed(r.action_id, reason) if r.action_id in new else r
                    for r in receipts
                ]
        return receipts

    @staticmethod
    def _rule_problems(
        item: DirectDebit,
        created: dt.datetime,
        is_business_day: BusinessDay,
        accepted: Mapping[str, DirectDebit],
    ) -> list[str]:
        if any(other.end_to_end_id == item.end_to_end_id for other in accepted.values()):
            return [f"EndToEndId {item.end_to_end_id} is already in today's file"]
        try:
            issues = check_message(
                DirectDebitMessage(message_id="MW-CHECK", created_at=created, collections=(item,)),
                is_business_day=is_business_day,
            )
        except CalendarRangeError as exc:
            return [f"collection_date: {exc}"]
        reasons = []
        for issue in issues:
            field = (issue.location.field or "").removeprefix("collection[1].")
            if field in _PERSONAL_FIELDS:
                reasons.append(f"{field}: not valid for a SEPA direct debit")
            else:
                reasons.append(f"{field}: {issue.message}")
        return reasons

    @staticmethod
    def _load(path: pathlib.Path, creditor: Creditor) -> dict[str, DirectDebit]:
        manifest = _manifest_path(path)
        if not manifest.exists():
            return {}
        data = json.loads(manifest.read_text(encoding="utf-8"))
        return {str(k): _from_json(v, creditor) for k, v in data["collections"].items()}

    @staticmethod
    def _write(
        path: pathlib.Path,
        accepted: Mapping[str, DirectDebit],
        created: dt.datetime,
        version: PainVersion,
        is_business_day: BusinessDay,
    ) -> None:
        ids = sorted(accepted)
        digest = hashlib.sha256("\n".join(ids).encode()).hexdigest()[:12]
        message = DirectDebitMessage(
            message_id=f"MW-{created:%Y%m%d}-{digest}",
            created_at=created,
            collections=tuple(accepted[k] for k in ids),
            version=version,
        )
        data = build_pain008(message, is_business_day=is_business_day, file=str(path))
        manifest = json.dumps(
            {"collections": {k: _to_json(accepted[k]) for k in ids}}, indent=1, sort_keys=True
        )
        _atomic_write(_manifest_path(path), manifest.encode("utf-8"))
        _atomic_write(path, data)
