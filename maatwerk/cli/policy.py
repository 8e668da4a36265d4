"""``maatwerk policy ...``: check, show and try out escalation policies.

``check FILE`` validates a policy file (exit 2 with file, line and field of the first error);
``show NAME`` prints the ladder; ``explain --case FILE.json --date DATE`` evaluates one case
(format: docs/case-file.md) and prints the decision with its reasons in Dutch or English.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from maatwerk.adapters.calendars import build_calendars
from maatwerk.adapters.case_json import load_case_file
from maatwerk.adapters.policy_loader import load_policy, resolve_policy, shipped_policies
from maatwerk.cli._common import DATE, emit_json, json_option, jsonable
from maatwerk.cli._wiring import available_channels, plugin_manager
from maatwerk.core.errors import InputError, Location
from maatwerk.core.policy import BUILTIN_GUARDS, Policy, PolicyTables, Step, evaluate


__all__ = ["policy"]


@click.group()
def policy() -> None:
    """Escalation policies: check a file, show the steps, explain a decision."""


@policy.command("check")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@json_option
def check(file: Path, as_json: bool) -> None:
    """Validate policy FILE; exit 0 when valid, 2 with file, line and field otherwise.

    Every step's channel must be a registered channel (``maatwerk plugins list``) or ``ledger``.
    """
    plugins = plugin_manager()
    loaded = load_policy(
        file, guards=plugins.guard_registry(), channels=available_channels(plugins)
    )
    if as_json:
        emit_json({"valid": True, "policy": loaded.label, "steps": len(loaded.steps)})
        return
    click.echo(f"{file}: OK ({loaded.label}, {len(loaded.steps)} steps)")


def _when(step: Step) -> str:
    timing = step.timing
    unit = "days" if timing.calendar == "calendar" else f"{timing.calendar} days"
    anchor = timing.anchor.value + (f" {timing.after}" if timing.after else "")
    text = f"{timing.days:+d} {unit} from {anchor}"
    if timing.within is not None:
        text += f", within {timing.within}"
    if timing.min_days_after is not None:
        gap = timing.min_days_after
        text += f", at least {gap.days} {unit} after {gap.step}"
    if step.align_to_payday:
        text += ", on payday"
    return text


def _conditions(step: Step) -> str:
    parts: list[str] = []
    for name, value in sorted(jsonable(step.conditions).items()):
        if value in (None, [], False):
            continue
        parts.append(f"{name}={value}")
    return "; ".join(parts)


def _guards(pol: Policy, step: Step) -> str:
    return ", ".join(spec.code for spec in BUILTIN_GUARDS.for_step(pol, step))


@policy.command("show")
@click.argument("name")
@json_option
def show(name: str, as_json: bool) -> None:
    """Show the steps of policy NAME (shipped name or path to a .toml file)."""
    pol = load_policy(resolve_policy(name))
    if as_json:
        emit_json(
            {
                "policy": pol.label,
                "title": pol.title,
                "settings": jsonable(pol.settings),
                "steps": [
                    {
                        "id": s.id,
                        "action": s.action.value,
                        "channel": s.channel,
                        "when": _when(s),
                        "conditions": _conditions(s),
                        "review": s.review,
                        "max_times": s.max_times,
                        "guards": _guards(pol, s).split(", "),
                    }
                    for s in pol.steps
                ],
            }
        )
        return
    table = Table(title=f"{pol.title} ({pol.label})")
    for column in ("#", "step", "action", "channel", "when", "conditions", "review", "guards"):
        table.add_column(column, overflow="fold")
    for index, step in enumerate(pol.steps, start=1):
        table.add_row(
            str(index),
            step.id,
            step.action.value,
            step.channel,
            _when(step),
            _conditions(step),
            "yes" if step.review else "",
            _guards(pol, step),
        )
    Console(width=160).print(table)
    settings = pol.settings
    click.echo(
        f"bailiff minimum {settings.bailiff_min_amount}; amicable track "
        f"{settings.amicable_track_days} days; disabled guards: "
        f"{', '.join(settings.disabled_guards) or 'none'}"
    )


@policy.command("list")
def list_() -> None:
    """List the shipped policies."""
    for name in shipped_policies():
        pol = load_policy(resolve_policy(name))
        click.echo(f"{name}\t{pol.label}\t{pol.title}")


@policy.command("explain")
@click.option(
    "--case",
    "case_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Case file as JSON (docs/case-file.md).",
)
@click.option("--date", "today", required=True, type=DATE, help="Controlling date (YYYY-MM-DD).")
@click.option(
    "--policy", "policy_name", default="humane", show_default=True, help="Policy name or file."
)
@click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True)
@json_option
def explain(case_path: Path, today: dt.date, policy_name: str, lang: str, as_json: bool) -> None:
    """Evaluate one case on --date and explain the decision."""
    pol = load_policy(resolve_policy(policy_name))
    file = load_case_file(case_path)
    tables = PolicyTables(calendars=build_calendars())
    try:
        decision = evaluate(file, pol, today, tables)
    except OverflowError:
        raise InputError(
            "a date or an amount in the case file is too large: a date computed from it would "
            "fall after 9999-12-31",
            Location(file=str(case_path)),
        ) from None
    if as_json:
        payload = jsonable(decision)
        payload["action_id"] = decision.action_id
        payload["explanation"] = list(decision.explain(lang))
        emit_json(payload)
        return
    for line in decision.explain(lang):
        click.echo(line)
