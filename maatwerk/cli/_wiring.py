"""Composition for the storage-backed commands: policies, tables, channels, the evaluator."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

import click

from maatwerk.adapters.calendars import build_calendars
from maatwerk.adapters.legal_tables import (
    load_aanmaning_table,
    load_awb_interest_table,
    load_bik_instalment_table,
    load_bik_table,
    load_interest_table,
    load_postal_table,
)
from maatwerk.adapters.payload_schemas import payload_problems
from maatwerk.adapters.policy_loader import load_policy, resolve_policy
from maatwerk.adapters.subsistence_tables import load_subsistence_tables
from maatwerk.core.debts import InterestKind
from maatwerk.core.errors import InputError, Location, PolicyError
from maatwerk.core.interest import InterestTables
from maatwerk.core.policy import PolicyTables
from maatwerk.core.policy.model import Policy
from maatwerk.core.ports import CreditorProfile, DeliveryContext, Store
from maatwerk.plugins.manager import MaatwerkPlugins, make_plugin_manager
from maatwerk.services.run import (
    INTERNAL_CHANNELS,
    Dispatcher,
    PolicyCaseEvaluator,
    channel_setting_problems,
)


__all__ = [
    "available_channels",
    "build_dispatcher",
    "build_evaluator",
    "check_channel_settings",
    "parse_assignments",
    "plugin_manager",
]


def available_channels(plugins: MaatwerkPlugins) -> frozenset[str]:
    """The channel names a policy step may use: the registered channels plus the run's own."""
    return frozenset(plugins.channels()) | INTERNAL_CHANNELS


def parse_assignments(values: Sequence[str], option: str) -> dict[str, str]:
    """``KEY=VALUE`` option values as a dict."""
    result: dict[str, str] = {}
    for value in values:
        key, sep, name = value.partition("=")
        if not sep or not key.strip() or not name.strip():
            raise InputError(f"{value!r} must look like KEY=VALUE", Location(field=option))
        result[key.strip()] = name.strip()
    return result


def build_evaluator(
    plugins: MaatwerkPlugins,
    *,
    default: str,
    by_creditor: Mapping[str, str],
    by_segment: Mapping[str, str],
) -> PolicyCaseEvaluator:
    guards = plugins.guard_registry()
    names = {default, *by_creditor.values(), *by_segment.values()}
    policies: dict[str, Policy] = {}
    for name in sorted(names):
        try:
            policies[name] = load_policy(
                resolve_policy(name), guards=guards, channels=available_channels(plugins)
            )
        except PolicyError as exc:
            broken = plugins.broken()
            if not broken or not exc.message.startswith("no channel named"):
                raise
            skipped = ", ".join(repr(info.name) for info in broken)
            raise PolicyError(
                f"{exc.message}; broken plugins were skipped: {skipped} (see maatwerk plugins)",
                exc.location,
            ) from None
    tables = PolicyTables(calendars=build_calendars(), guards=guards)
    return PolicyCaseEvaluator(
        policies=policies,
        tables=tables,
        bik=load_bik_table(),
        bik_instalments=load_bik_instalment_table(),
        interest=InterestTables(
            consumer=load_interest_table(InterestKind.CONSUMER),
            commercial=load_interest_table(InterestKind.COMMERCIAL),
            awb=load_awb_interest_table(),
        ),
        aanmaning=load_aanmaning_table(),
        postal=load_postal_table(),
        subsistence=load_subsistence_tables(),
        default=default,
        by_creditor=by_creditor,
        by_segment=by_segment,
    )


def check_channel_settings(
    plugins: MaatwerkPlugins,
    evaluator: PolicyCaseEvaluator,
    settings: Mapping[str, str],
    creditors: Mapping[str, CreditorProfile] | None = None,
    settings_file: Path | None = None,
) -> None:
    """Refuse to run (InputError, exit 2) when a channel the policies use lacks a setting
    (naming ``settings_file``, the ``--settings`` file, when there is one).

    With creditor profiles each creditor's settings (its own over the defaults) are checked;
    without, the defaults. Every problem is named (``settings_file``: the file the error
    names)."""
    names = {step.channel for policy in evaluator.policies.values() for step in policy.steps}
    problems: list[str] = []
    if not creditors:
        problems = channel_setting_problems(
            names, plugins.channel, settings, plugins.channel_plugin
        )
    for creditor_id, profile in sorted((creditors or {}).items()):
        merged = profile.over(settings, creditor_id)
        problems.extend(
            f"creditor {creditor_id}: {p}"
            for p in channel_setting_problems(
                names, plugins.channel, merged, plugins.channel_plugin
            )
        )
    if problems:
        raise InputError(
            f"channel settings incomplete: {'; '.join(problems)}; give each with "
            "--setting KEY=VALUE or in the [channels] (or [creditors.<id>]) table of the "
            "--settings file",
            Location(file=None if settings_file is None else str(settings_file)),
        )


def build_dispatcher(
    store: Store,
    plugins: MaatwerkPlugins,
    *,
    out: Path,
    run_date: dt.date,
    batch_size: int,
    settings: Mapping[str, str] | None = None,
    creditors: Mapping[str, CreditorProfile] | None = None,
    tables: PolicyTables | None = None,
) -> Dispatcher:
    """The dispatcher for ``run_date``; with ``tables`` (the evaluator's) a letter that goes out
    later than it was decided is dated again for today."""
    return Dispatcher(
        store=store,
        channel_for=plugins.channel,
        context=DeliveryContext(output_dir=out, run_date=run_date, settings=settings or {}),
        batch_size=batch_size,
        tables=tables,
        creditors=creditors or {},
        plugin_for=plugins.channel_plugin,
        check_payload=payload_problems,
    )


def plugin_manager(*, strict: bool = False) -> MaatwerkPlugins:
    """The plugin manager; ``strict``: a broken plugin is an error (exit 1) instead of being
    disabled with a warning on stderr."""
    plugins = make_plugin_manager(strict=strict)
    for info in plugins.broken():
        click.echo(f"Warning: plugin {info.name!r} is disabled: {info.error}", err=True)
    return plugins
