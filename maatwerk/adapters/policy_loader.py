"""Read escalation policies (``maatwerk/rules/policies/*.toml``) into frozen :class:`Policy` values.

File format (``schema = 1``)::

    schema = 1
    name = "humane"                 # letters, digits, '-' and '_'
    version = "2026.1"              # recorded with every step taken: humane@2026.1
    title = "..."
    description = "..."

    [settings]                      # optional; policy choices, not law
    bailiff_min_amount = "100.00"   # no bailiff below this amount owed
    amicable_track_days = 14        # quiet days after the last step before a bailiff
    problematic_other_creditors = 2 # other creditors in arrears that make debt problematic
    disabled_guards = ["personal-contact"]   # mandatory guards cannot be disabled
    promise_grace_days = 3          # a promise to pay holds escalation until its day plus
                                    # this many days; a payment by then keeps it
    letter_receipt_days = 2         # optional: days a letter is under way (default: the
    saturday_delivery = true        # postal_delivery table); letters count as received on the
    monday_delivery = false         # first delivery day on or after sending + these days
    debt_help_response_days = 28    # a referral pauses the case while the municipality answers
    costs_when_cannot_pay = false   # no collection costs for a household that cannot pay
    refused_retry_days = 7          # a step refused at delivery is decided again after this

    [[step]]                        # ordered: the ladder from mild to severe
    id = "reminder-1"
    action = "payment-reminder"     # see maatwerk.core.events.ActionKind
    channel = "letters"             # a registered channel name (maatwerk plugins list), or
                                    # "ledger" (recorded by the run, nothing is sent)
    anchor = "default-date"         # due-date | default-date | previous-step | plan-breach
                                    # | payment-returned | instalment-missed
                                    # | arrangement-accepted | promise-broken | threshold
                                    # | dispute-resolved | debt-help-resumed
    days = 7                        # may be negative (before the anchor)
    calendar = "calendar"           # calendar | sepa | atw (working days)
    after = "reminder-0"            # only with anchor = "previous-step": an earlier step's id
    within = 10                     # optional deadline (days on the same calendar)
    min_days_after = { step = "reminder-0", days = 14 }
                                    # optional minimum gap: never due sooner than `days` (on
                                    # this step's calendar) after the earlier step `step` was
                                    # done in the episode (itself or a side step standing in
                                    # for it), in addition to the anchor:
                                    # due = max(anchor + days, done + gap); no gap while that
                                    # step was not done. Keeps time to answer an offer when a
                                    # late case (or one back from a hold) catches up on rungs.
    max_times = 1                   # per case episode (re-presentation: per debt)
    side = false                    # a reaction, not a rung (default: true for referral, early
                                    # signal, re-presentation and the payment-returned,
                                    # instalment-missed, arrangement-accepted and
                                    # promise-broken anchors)
    prerequisite = true             # later rungs wait until it is done (default: true for
                                    # phone-call, arrangement-offer, fourteen-day-letter,
                                    # formal-demand rungs)
    align_to_payday = false
    review = false                  # default true for bailiff, write-off, early signal, report
    charges_costs = false
    guards = ["personal-contact"]   # extra guards for this step
    title_nl = "..."                # optional, defaults per action
    title_en = "..."
    [step.when]                     # conditions, all must hold
    min_arrears = "25.00"           # also max_arrears, min/max_arrears_months,
                                    # min/max_open_debts, min_other_creditors,
                                    # return_groups, segments, contact_outcomes,
                                    # dispute_outcomes (upheld | rejected | settled),
                                    # arrangement_methods, cannot_pay (true/false),
                                    # has_room (true/false),
                                    # claim_kinds, categories, consumer_only
    [step.params]                   # plain strings for the channel
    plan = "capacity"

An *overlay* changes a policy instead of copying it::

    schema = 1
    name = "gemeente-x"
    version = "2026.1"
    extends = "humane"              # a shipped policy, or a .toml file (relative to this one)
    [settings]                      # merged key by key over the base's settings
    amicable_track_days = 21
    [steps.reminder-2]              # a step of the base, by id: these fields replace its own
    channel = "sms"
    days = 10

A ``when``, ``params`` or ``min_days_after`` table in an override replaces the base step's table
whole. The merged policy is checked like any policy; an error in an override names the overlay
file, its line and the field (``steps.reminder-2.dayz``), with "did you mean" for a misspelled
step id or key. The base may itself extend another policy (see :mod:`.policy_overlay`).

Every error is located at its line by :mod:`maatwerk.adapters.toml_reader`. Errors are
:class:`~maatwerk.core.errors.PolicyError` with ``Location(file, line, field)``; the first error
found is raised.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any, Final

import attrs

from maatwerk.adapters.policy_overlay import merge_overlay
from maatwerk.adapters.toml_reader import LineIndex, Reader, did_you_mean, load_toml
from maatwerk.core.arrangements import ChargesDuringPlan, PaymentMethod
from maatwerk.core.debts import ClaimKind
from maatwerk.core.errors import Location, PolicyError
from maatwerk.core.events import ActionKind, ContactOutcome, ReturnReasonGroup
from maatwerk.core.policy.guards import BUILTIN_GUARDS, GuardRegistry
from maatwerk.core.policy.model import (
    DISPUTE_OUTCOMES,
    REVIEW_BY_DEFAULT,
    SCHEMA_VERSION,
    Anchor,
    Conditions,
    MinDaysAfter,
    Policy,
    PolicySettings,
    Step,
    Timing,
)


__all__ = [
    "DEFAULT_CALENDARS",
    "load_policy",
    "load_policy_text",
    "resolve_policy",
    "shipped_policies",
    "shipped_policy_dir",
]

DEFAULT_CALENDARS: Final = ("calendar", "sepa", "atw")

_TOP_KEYS: Final = frozenset(
    {"schema", "name", "version", "title", "description", "settings", "step"}
)
_SETTINGS_KEYS: Final = frozenset(
    {
        "bailiff_min_amount",
        "amicable_track_days",
        "problematic_other_creditors",
        "disabled_guards",
        "charge_interest",
        "charge_costs",
        "charges_during_plan",
        "promise_grace_days",
        "letter_receipt_days",
        "saturday_delivery",
        "monday_delivery",
        "debt_help_response_days",
        "costs_when_cannot_pay",
        "refused_retry_days",
    }
)
_STEP_KEYS: Final = frozenset(
    {
        "id",
        "action",
        "channel",
        "anchor",
        "days",
        "calendar",
        "after",
        "within",
        "max_times",
        "align_to_payday",
        "review",
        "charges_costs",
        "guards",
        "params",
        "title_nl",
        "title_en",
        "when",
        "side",
        "prerequisite",
        "min_days_after",
    }
)
_GAP_KEYS: Final = frozenset({"step", "days"})
_WHEN_KEYS: Final = frozenset(f.name for f in attrs.fields(Conditions))
_NAME_RE: Final = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


# ---------------------------------------------------------------------------------- policy
def _settings(reader: Reader, data: Any, guards: GuardRegistry) -> PolicySettings:
    path: tuple[Any, ...] = ("settings",)
    if data is None:
        return PolicySettings()
    if not isinstance(data, dict):
        raise reader.error("settings must be a table", (), "settings")
    reader.check_keys(data, _SETTINGS_KEYS, path)
    disabled = reader.strings(data, "disabled_guards", path)
    for code in disabled:
        if code not in guards:
            raise reader.error(
                f"unknown guard {code!r}; known: {', '.join(guards.codes)}", path, "disabled_guards"
            )
        if guards.get(code).mandatory:
            raise reader.error(
                f"guard {code!r} is mandatory and cannot be disabled", path, "disabled_guards"
            )
    defaults = PolicySettings()
    return PolicySettings(
        bailiff_min_amount=reader.money(data, "bailiff_min_amount", path)
        or defaults.bailiff_min_amount,
        amicable_track_days=_non_negative(
            reader, data, "amicable_track_days", path, defaults.amicable_track_days
        ),
        problematic_other_creditors=_non_negative(
            reader, data, "problematic_other_creditors", path, defaults.problematic_other_creditors
        ),
        disabled_guards=disabled,
        charge_interest=reader.flag(
            data, "charge_interest", path, default=defaults.charge_interest
        ),
        charge_costs=reader.flag(data, "charge_costs", path, default=defaults.charge_costs),
        charges_during_plan=(
            reader.choice(
                ChargesDuringPlan,
                data["charges_during_plan"],
                path,
                "charges_during_plan",
                "charges during plan",
            )
            if "charges_during_plan" in data
            else defaults.charges_during_plan
        ),
        promise_grace_days=_non_negative(
            reader, data, "promise_grace_days", path, defaults.promise_grace_days
        ),
        letter_receipt_days=(
            _non_negative(reader, data, "letter_receipt_days", path, 0)
            if "letter_receipt_days" in data
            else None
        ),
        saturday_delivery=(
            reader.flag(data, "saturday_delivery", path, default=True)
            if "saturday_delivery" in data
            else None
        ),
        monday_delivery=(
            reader.flag(data, "monday_delivery", path, default=False)
            if "monday_delivery" in data
            else None
        ),
        debt_help_response_days=_non_negative(
            reader, data, "debt_help_response_days", path, defaults.debt_help_response_days
        ),
        costs_when_cannot_pay=reader.flag(
            data, "costs_when_cannot_pay", path, default=defaults.costs_when_cannot_pay
        ),
        refused_retry_days=_non_negative(
            reader, data, "refused_retry_days", path, defaults.refused_retry_days
        ),
    )


def _non_negative(
    reader: Reader, data: Mapping[str, Any], key: str, path: tuple[Any, ...], default: int
) -> int:
    value = reader.integer(data, key, path, default)
    assert value is not None  # noqa: S101 - a default was given
    if value < 0:
        raise reader.error(f"{key} must not be negative", path, key)
    return value


def _dispute_outcomes(
    reader: Reader, data: Mapping[str, Any], path: tuple[Any, ...]
) -> tuple[str, ...]:
    outcomes = reader.strings(data, "dispute_outcomes", path)
    for outcome in outcomes:
        if outcome not in DISPUTE_OUTCOMES:
            raise reader.error(
                f"unknown dispute outcome {outcome!r}; known: {', '.join(DISPUTE_OUTCOMES)}",
                path,
                "dispute_outcomes",
            )
    return outcomes


def _conditions(reader: Reader, data: Any, path: tuple[Any, ...]) -> Conditions:
    if data is None:
        return Conditions()
    if not isinstance(data, dict):
        raise reader.error("when must be a table of conditions", path[:-1], "when")
    reader.check_keys(data, _WHEN_KEYS, path)
    return Conditions(
        min_arrears=reader.money(data, "min_arrears", path),
        max_arrears=reader.money(data, "max_arrears", path),
        min_arrears_months=reader.number(data, "min_arrears_months", path),
        max_arrears_months=reader.number(data, "max_arrears_months", path),
        min_open_debts=reader.integer(data, "min_open_debts", path, None),
        max_open_debts=reader.integer(data, "max_open_debts", path, None),
        min_other_creditors=reader.integer(data, "min_other_creditors", path, None),
        return_groups=reader.choices(ReturnReasonGroup, data, "return_groups", path),
        segments=reader.strings(data, "segments", path),
        contact_outcomes=reader.choices(ContactOutcome, data, "contact_outcomes", path),
        dispute_outcomes=_dispute_outcomes(reader, data, path),
        arrangement_methods=reader.choices(PaymentMethod, data, "arrangement_methods", path),
        cannot_pay=(
            reader.flag(data, "cannot_pay", path, default=False) if "cannot_pay" in data else None
        ),
        has_room=(
            reader.flag(data, "has_room", path, default=True) if "has_room" in data else None
        ),
        claim_kinds=reader.choices(ClaimKind, data, "claim_kinds", path),
        categories=reader.strings(data, "categories", path),
        consumer_only=reader.flag(data, "consumer_only", path, default=False),
    )


def _gap(
    reader: Reader,
    data: Mapping[str, Any],
    path: tuple[Any, ...],
    step_id: str,
    earlier: Mapping[str, int],
) -> MinDaysAfter | None:
    """``min_days_after = { step = "...", days = N }``: an earlier step and a gap of N >= 0."""
    if "min_days_after" not in data:
        return None
    raw = data["min_days_after"]
    if not isinstance(raw, dict):
        raise reader.error(
            'min_days_after must be a table such as { step = "arrangement", days = 14 }',
            path,
            "min_days_after",
        )
    where = (*path, "min_days_after")
    reader.check_keys(raw, _GAP_KEYS, where)
    other = reader.text(raw, "step", where)
    if other not in earlier:
        raise reader.error(
            f"step {step_id!r} refers to step {other!r}, which is not an earlier step",
            where,
            "step",
        )
    if "days" not in raw:
        raise reader.error("missing 'days'", where, "days")
    days = _non_negative(reader, raw, "days", where, 0)
    return MinDaysAfter(step=other, days=days)


def _step(
    reader: Reader,
    data: Any,
    index: int,
    *,
    earlier: Mapping[str, int],
    calendars: tuple[str, ...],
    guards: GuardRegistry,
    channels: frozenset[str] | None = None,
) -> Step:
    path: tuple[Any, ...] = ("step", index)
    if not isinstance(data, dict):
        raise reader.error("each [[step]] must be a table", path)
    reader.check_keys(data, _STEP_KEYS, path)
    step_id = reader.text(data, "id", path)
    if not _NAME_RE.match(step_id):
        raise reader.error(
            f"step id {step_id!r} must be lower-case letters, digits, '-' or '_'", path, "id"
        )
    if step_id in earlier:
        raise reader.error(
            f"duplicate step id {step_id!r} (also step[{earlier[step_id]}])", path, "id"
        )
    action = reader.choice(ActionKind, reader.text(data, "action", path), path, "action", "action")
    channel = reader.text(data, "channel", path)
    if channels is not None and channel not in channels:
        raise reader.error(
            f"no channel named {channel!r}{did_you_mean(channel, channels)}; available: "
            f"{', '.join(sorted(channels))}",
            path,
            "channel",
        )
    anchor = reader.choice(Anchor, reader.text(data, "anchor", path), path, "anchor", "anchor")
    calendar = reader.text(data, "calendar", path, default="calendar")
    if calendar not in calendars:
        raise reader.error(
            f"unknown calendar {calendar!r}; expected one of {', '.join(calendars)}",
            path,
            "calendar",
        )
    after: str | None = None
    if "after" in data:
        after = reader.text(data, "after", path)
        if anchor is not Anchor.PREVIOUS_STEP:
            raise reader.error('after is only allowed with anchor = "previous-step"', path, "after")
        if after not in earlier:
            raise reader.error(
                f"step {step_id!r} refers to step {after!r}, which is not an earlier step",
                path,
                "after",
            )
    min_days_after = _gap(reader, data, path, step_id, earlier)
    days = reader.integer(data, "days", path, 0)
    within = reader.integer(data, "within", path, None)
    if within is not None and within < 0:
        raise reader.error("within must not be negative", path, "within")
    max_times = reader.integer(data, "max_times", path, 1)
    assert days is not None  # noqa: S101
    assert max_times is not None  # noqa: S101
    if max_times < 1:
        raise reader.error("max_times must be at least 1", path, "max_times")
    step_guards = reader.strings(data, "guards", path)
    for code in step_guards:
        if code not in guards:
            raise reader.error(
                f"unknown guard {code!r}; known: {', '.join(guards.codes)}", path, "guards"
            )
    conditions = _conditions(reader, data.get("when"), (*path, "when"))
    if (
        anchor is Anchor.THRESHOLD
        and conditions.min_arrears is None
        and conditions.min_arrears_months is None
    ):
        raise reader.error(
            'anchor = "threshold" needs when.min_arrears or when.min_arrears_months', path, "anchor"
        )
    params_raw = data.get("params", {})
    if not isinstance(params_raw, dict) or not all(isinstance(v, str) for v in params_raw.values()):
        raise reader.error("params must be a table of strings", path, "params")
    return Step(
        id=step_id,
        action=action,
        channel=channel,
        timing=Timing(
            anchor=anchor,
            days=days,
            calendar=calendar,
            after=after,
            within=within,
            min_days_after=min_days_after,
        ),
        conditions=conditions,
        max_times=max_times,
        align_to_payday=reader.flag(data, "align_to_payday", path, default=False),
        review=reader.flag(data, "review", path, default=action in REVIEW_BY_DEFAULT),
        charges_costs=reader.flag(data, "charges_costs", path, default=False),
        guards=step_guards,
        params=tuple(sorted(params_raw.items())),
        title_nl=reader.text(data, "title_nl", path, default=""),
        title_en=reader.text(data, "title_en", path, default=""),
        side=reader.flag(data, "side", path, default=False) if "side" in data else None,
        prerequisite=(
            reader.flag(data, "prerequisite", path, default=False)
            if "prerequisite" in data
            else None
        ),
    )


def load_policy_text(
    raw: str,
    file: str,
    *,
    calendars: Iterable[str] = DEFAULT_CALENDARS,
    guards: GuardRegistry = BUILTIN_GUARDS,
    channels: Iterable[str] | None = None,
) -> Policy:
    """Parse and validate policy TOML ``raw`` (``file`` names it in errors).

    ``channels``: the channel names a step may use (the registered channels plus the run's
    internal ones); ``None`` skips that check (a policy read without the plugins at hand).
    """
    doc = load_toml(raw, file, error_type=PolicyError, parse_float=Decimal)
    reader: Reader = Reader(file, LineIndex(raw))
    if "extends" in doc:
        doc, reader = merge_overlay(doc, reader, file, read=_read_base, step_keys=_STEP_KEYS)
    reader.check_keys(doc, _TOP_KEYS, ())
    schema = doc.get("schema")
    if schema != SCHEMA_VERSION:
        raise reader.error(f"schema must be {SCHEMA_VERSION}, got {schema!r}", (), "schema")
    name = reader.text(doc, "name", ())
    if not _NAME_RE.match(name):
        raise reader.error(
            f"name {name!r} must be lower-case letters, digits, '-' or '_'", (), "name"
        )
    version = doc.get("version")
    if isinstance(version, (int, Decimal)) and not isinstance(version, bool):
        version = str(version)
    if not isinstance(version, str) or not version.strip():
        raise reader.error('version must be a string such as "2026.1"', (), "version")
    settings = _settings(reader, doc.get("settings"), guards)
    raw_steps = doc.get("step")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise reader.error("a policy needs at least one [[step]]", (), "step")
    known_calendars = tuple(calendars)
    known_channels = None if channels is None else frozenset(channels)
    steps: list[Step] = []
    earlier: dict[str, int] = {}
    for index, item in enumerate(raw_steps):
        step = _step(
            reader,
            item,
            index,
            earlier=earlier,
            calendars=known_calendars,
            guards=guards,
            channels=known_channels,
        )
        earlier[step.id] = index
        steps.append(step)
    return Policy(
        name=name,
        version=version,
        schema=SCHEMA_VERSION,
        title=reader.text(doc, "title", (), default=name),
        description=str(doc.get("description", "")),
        settings=settings,
        steps=tuple(steps),
        source=file,
    )


def _read_base(name_or_path: str, directory: Path) -> tuple[str, str]:
    """The text and file name of the policy an overlay extends: a shipped policy by name, or a
    ``.toml`` file (a relative path counts from the overlay's ``directory``)."""
    if name_or_path.endswith(".toml") or "/" in name_or_path:
        path = Path(name_or_path)
        if not path.is_absolute():
            path = directory / path
    else:
        path = shipped_policy_dir() / f"{name_or_path}.toml"
        if not path.exists():
            raise PolicyError(
                f"no shipped policy {name_or_path!r}{did_you_mean(name_or_path, shipped_policies())}"
                f"; shipped: {', '.join(shipped_policies())}, or give the path of a .toml file"
            )
    try:
        return path.read_text(encoding="utf-8"), str(path)
    except FileNotFoundError:
        raise PolicyError(f"policy file {str(path)!r} to extend not found") from None
    except UnicodeDecodeError:
        raise PolicyError(f"policy file {str(path)!r} is not UTF-8 text") from None


def load_policy(
    path: Path,
    *,
    calendars: Iterable[str] = DEFAULT_CALENDARS,
    guards: GuardRegistry = BUILTIN_GUARDS,
    channels: Iterable[str] | None = None,
) -> Policy:
    """Read and validate the policy file at ``path`` (``channels``: see :func:`load_policy_text`)."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PolicyError("policy file not found", Location(file=str(path))) from None
    except UnicodeDecodeError:
        raise PolicyError("policy file is not UTF-8 text", Location(file=str(path))) from None
    except OSError as exc:  # a directory, a name too long, no permission
        raise PolicyError(
            f"cannot read the policy file: {exc.strerror}", Location(file=str(path))
        ) from None
    return load_policy_text(raw, str(path), calendars=calendars, guards=guards, channels=channels)


def shipped_policy_dir() -> Path:
    return Path(str(resources.files("maatwerk") / "rules" / "policies"))


def shipped_policies() -> tuple[str, ...]:
    """Names of the policies shipped in ``maatwerk/rules/policies``."""
    return tuple(sorted(p.stem for p in shipped_policy_dir().glob("*.toml")))


def resolve_policy(name_or_path: str) -> Path:
    """A shipped policy by name (``humane``) or a path to a ``.toml`` file."""
    if name_or_path.endswith(".toml") or "/" in name_or_path:
        return Path(name_or_path)
    path = shipped_policy_dir() / f"{name_or_path}.toml"
    try:
        found = path.is_file()
    except OSError:  # e.g. a name longer than the file system allows
        found = False
    if not found:
        raise PolicyError(
            f"no shipped policy {name_or_path!r}; available: {', '.join(shipped_policies())}",
            Location(field="policy"),
        )
    return path
