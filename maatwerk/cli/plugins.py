"""``maatwerk plugins``: which plugins are loaded, which hooks they implement, which adapters.

Also home of :class:`PluginCommandGroup`, the root group that adds plugin commands
(``maatwerk_register_commands``) lazily: plugins are loaded only when a command name is not a
built-in one or when the command list is shown, never at import time. A broken plugin does not
break ``maatwerk --help``: the help shows a warning on stderr and the built-in commands.

With ``--json`` it prints one object::

    {"hook_api_version": 1, "external_plugins_disabled": false,
     "plugins": [{"name", "distribution", "version", "stock", "hooks", "error"}],
     "adapters": [{"kind", "name", "description", "plugin", "distribution", "version",
                   "replaces"}],
     "error": null}
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import attrs
import click

from maatwerk.cli._common import LazyGroup, OneLineError, emit_json, json_option
from maatwerk.core.errors import PluginError


if TYPE_CHECKING:
    from maatwerk.plugins.manager import MaatwerkPlugins
    from maatwerk.plugins.records import CommandSpec


__all__ = ["PluginCommandGroup", "plugins", "plugins_for"]

_META: Final = "maatwerk.plugins"


@attrs.frozen
class _Loaded:
    plugins: MaatwerkPlugins | None
    commands: dict[str, CommandSpec]
    error: PluginError | None
    warned: list[bool] = attrs.field(factory=lambda: [False])


def _load(ctx: click.Context) -> _Loaded:
    root = ctx.find_root()
    loaded = root.meta.get(_META)
    if isinstance(loaded, _Loaded):
        return loaded
    # the plugin machinery (pluggy, the policy engine its records name) and logging are
    # loaded here, not at start-up: ``maatwerk --version`` and a built-in command's help
    # need none of it
    from maatwerk.adapters.logging import configure_logging  # noqa: PLC0415
    from maatwerk.plugins.manager import make_plugin_manager  # noqa: PLC0415

    configure_logging(log_format=root.params.get("log_format"))
    manager: MaatwerkPlugins | None = None
    try:
        manager = make_plugin_manager()
        loaded = _Loaded(manager, manager.commands(), None)
    except PluginError as exc:
        loaded = _Loaded(manager, {}, exc)
    root.meta[_META] = loaded
    return loaded


def plugins_for(ctx: click.Context) -> MaatwerkPlugins:
    """The plugin manager of this CLI invocation (built once; exit 1 if it cannot be built)."""
    loaded = _load(ctx)
    if loaded.plugins is None:
        raise OneLineError(str(loaded.error), exit_code=1)
    return loaded.plugins


def _warn(loaded: _Loaded) -> None:
    if loaded.warned[0]:
        return
    loaded.warned[0] = True
    if loaded.error is not None:
        click.echo(f"Warning: plugin commands are not available: {loaded.error}", err=True)
    if loaded.plugins is not None:
        for info in loaded.plugins.broken():
            click.echo(f"Warning: plugin {info.name!r} was skipped: {info.error}", err=True)


def _broken_command(name: str, error: PluginError) -> click.Command:
    def run() -> None:
        raise OneLineError(str(error), exit_code=1)

    return click.Command(name, callback=run, help=f"(unavailable: {error})")


class PluginCommandGroup(LazyGroup):
    """The root group: built-in commands first, then commands from plugins, loaded lazily."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = super().list_commands(ctx)
        loaded = _load(ctx)
        _warn(loaded)
        extra = sorted(name for name in loaded.commands if name not in names)
        return [*names, *extra]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            return command
        loaded = _load(ctx)
        if loaded.plugins is not None and cmd_name in loaded.commands:
            try:
                return loaded.plugins.command(cmd_name)
            except PluginError as exc:
                return _broken_command(cmd_name, exc)
        if loaded.error is not None:
            raise click.UsageError(
                f"No such command {cmd_name!r}; plugin commands are not available: {loaded.error}"
            )
        if loaded.plugins is not None and loaded.plugins.broken():
            skipped = ", ".join(repr(info.name) for info in loaded.plugins.broken())
            raise click.UsageError(
                f"No such command {cmd_name!r}; broken plugins were skipped: {skipped} "
                "(see maatwerk plugins)"
            )
        return None


def _json(manager: MaatwerkPlugins, error: PluginError | None) -> dict[str, Any]:
    from maatwerk.plugins.hookspecs import HOOK_API_VERSION  # noqa: PLC0415 (lazy)
    from maatwerk.plugins.manager import external_plugins_disabled  # noqa: PLC0415 (lazy)

    try:
        adapters = manager.adapters()
    except PluginError as exc:
        adapters, error = [], error or exc
    return {
        "hook_api_version": HOOK_API_VERSION,
        "external_plugins_disabled": external_plugins_disabled(),
        "plugins": [attrs.asdict(info) for info in manager.plugins()],
        "adapters": [attrs.asdict(info) for info in adapters],
        "error": None if error is None else str(error),
    }


@click.command("plugins")
@click.option(
    "--strict", is_flag=True, help="Fail (exit 1) when a plugin is broken instead of listing it."
)
@json_option
@click.pass_context
def plugins(ctx: click.Context, strict: bool, as_json: bool) -> None:
    """List plugins (with distribution and version), their hooks and the adapters they add.

    External plugins come from the `maatwerk` entry-point group; set
    MAATWERK_DISABLE_PLUGINS=1 to block them all (or a comma-separated list of names). A broken
    plugin (does not import, misspelled hook, registration hook fails) is listed as broken.
    """
    if strict:
        from maatwerk.plugins.manager import make_plugin_manager  # noqa: PLC0415 (lazy)

        try:
            strict_manager = make_plugin_manager(strict=True)
            strict_manager.adapters()
        except PluginError as exc:
            raise OneLineError(str(exc), exit_code=1) from None
    loaded = _load(ctx)
    if loaded.plugins is None:
        raise OneLineError(str(loaded.error), exit_code=1)
    report = _json(loaded.plugins, loaded.error)
    if as_json:
        emit_json(report)
    else:
        _print(report)
    if report["error"] is not None:
        raise OneLineError(report["error"], exit_code=1)


def _print(report: dict[str, Any]) -> None:
    disabled = " (external plugins disabled)" if report["external_plugins_disabled"] else ""
    click.echo(f"Plugins (hook API {report['hook_api_version']}){disabled}:")
    for info in report["plugins"]:
        version = f" {info['version']}" if info["version"] else ""
        click.echo(f"  {info['name']}  [{info['distribution']}{version}]")
        if info["error"]:
            click.echo(f"    BROKEN, SKIPPED: {info['error']}")
        elif info["hooks"]:
            click.echo(f"    hooks: {', '.join(info['hooks'])}")
    click.echo("")
    click.echo("Adapters:")
    kind_width = max((len(a["kind"]) for a in report["adapters"]), default=4)
    name_width = max((len(a["name"]) for a in report["adapters"]), default=4)
    for adapter in report["adapters"]:
        replaces = (
            f"; REPLACES the stock {adapter['kind']} {adapter['name']!r}"
            if adapter["replaces"]
            else ""
        )
        click.echo(
            f"  {adapter['kind']:<{kind_width}}  {adapter['name']:<{name_width}}  "
            f"{adapter['description']}  ({adapter['plugin']}{replaces})"
        )
