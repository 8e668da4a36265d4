"""Build the plugin manager and call hooks through a typed facade.

:func:`make_plugin_manager` is the one place plugins are loaded, in a fixed order:

1. the hook specifications (:mod:`maatwerk.plugins.hookspecs`);
2. the stock adapters (:data:`STOCK_PLUGINS`), whose hook implementations are marked
   ``trylast=True`` so that an organisation's own plugin is called first;
3. external plugins from the ``maatwerk`` entry-point group, unless ``MAATWERK_DISABLE_PLUGINS``
   is set (``1``/``true``/``yes`` blocks all of them; a comma-separated list blocks those names);
4. ``check_pending()``, which catches hook implementations whose name matches no hook
   (a misspelled ``maatwerk_regster_channels``).

Failure policy at the plugin boundary (docs/plugins/hooks.md): a broken *stock*
plugin is always fatal. A broken *external* plugin (fails to import, misspelled hook, wrong
hook signature) is fatal with ``strict=True``; otherwise it is logged, skipped and listed by
``maatwerk plugins`` and in every "not found" error, so an unrelated broken plugin does not stop
the daily run but a channel the config *selected* that lives in it does. A plugin that raises
inside a hook, returns the wrong type, or registers a name another plugin already registered,
raises :class:`PluginError` naming the plugin(s) and the hook.

pluggy's call side returns ``Any``; :class:`MaatwerkPlugins` is the typed facade the rest of
maatwerk uses (tox's ``plugin/manager.py`` pattern), so ``mypy --strict`` holds end to end.

Registration hooks are called once per manager: their records are cached until a plugin is
registered or unregistered. An *external* plugin whose registration hook raises or returns the
wrong type is disabled (unregistered, warned about in the log and listed by
``maatwerk plugins`` as broken) unless the manager is strict; the other plugins keep working.
Set ``MAATWERK_TRACE_PLUGINS=1`` to log every hook call (plugin and hook name, no arguments).
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import pathlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final, TypeVar, cast

import attrs
import click
import pluggy
import structlog

from maatwerk.core.errors import PluginError
from maatwerk.core.events import Event
from maatwerk.core.policy.guards import GuardRegistry
from maatwerk.core.policy.guards import GuardSpec as PolicyGuardSpec
from maatwerk.core.ports import Channel, DebtSettlementHub, EventListener, Importer
from maatwerk.plugins import PROJECT_NAME, hookspecs
from maatwerk.plugins._support import (
    REGISTRATION_HOOKS,
    TRUE_WORDS,
    AdapterInfo,
    ClashError,
    PluginInfo,
    Registered,
    bad_hook,
    explain,
    parse_disabled,
)
from maatwerk.plugins._support import records as _records
from maatwerk.plugins.records import (
    ChannelSpec,
    CommandSpec,
    GuardSpec,
    ImporterSpec,
    RuleTableSpec,
)


__all__ = [
    "DISABLE_ENV",
    "STOCK_PLUGINS",
    "TRACE_ENV",
    "AdapterInfo",
    "MaatwerkPlugins",
    "PluginInfo",
    "external_plugins_disabled",
    "make_plugin_manager",
]

#: Modules registered as the stock plugins, in this order, before any external plugin.
STOCK_PLUGINS: Final[tuple[str, ...]] = ("maatwerk.plugins.stock",)
#: Environment variable that blocks external plugins (``1``: all; ``a,b``: those names).
DISABLE_ENV: Final = "MAATWERK_DISABLE_PLUGINS"
#: Environment variable that logs every hook call.
TRACE_ENV: Final = "MAATWERK_TRACE_PLUGINS"

_log = structlog.get_logger("maatwerk.plugins")

S = TypeVar("S", ChannelSpec, ImporterSpec, GuardSpec, RuleTableSpec, CommandSpec)
R = TypeVar("R")


def _maatwerk_version() -> str:
    from maatwerk import __version__  # noqa: PLC0415  (the package, not a submodule: no cycle)

    return __version__


class MaatwerkPlugins:
    """Typed facade over a pluggy ``PluginManager`` for the ``maatwerk`` hooks.

    Build it with :func:`make_plugin_manager`. The raw manager is :attr:`pm` (for tests and
    tools); maatwerk code calls only the typed methods below.
    """

    def __init__(
        self,
        pm: pluggy.PluginManager,
        *,
        stock: Iterable[str] = (),
        origins: Mapping[str, tuple[str, str]] | None = None,
        broken: Iterable[PluginInfo] = (),
        trace: bool = False,
        strict: bool = False,
    ) -> None:
        self.pm: Final = pm
        self._stock = set(stock)
        self._origins: dict[str, tuple[str, str]] = dict(origins or {})
        self._broken: list[PluginInfo] = list(broken)
        self._trace = trace
        self._strict = strict
        self._cache: dict[str, Any] = {}
        self._cache_key: tuple[str, ...] = ()

    # ------------------------------------------------------------------ plugins
    def register(self, plugin: object, name: str) -> None:
        """Register an extra plugin (an object or module with ``@hookimpl`` functions).

        Raises :class:`PluginError` when a hook name or signature does not match a spec.
        """
        try:
            self.pm.register(plugin, name=name)
            self.pm.check_pending()
        except (pluggy.PluginValidationError, ValueError) as exc:
            if self.pm.has_plugin(name) and self.pm.get_plugin(name) is plugin:
                self.pm.unregister(name=name)
            raise PluginError(
                f"plugin {name!r} cannot be registered: {explain(exc)}",
                plugin=name,
                hook=bad_hook(exc),
            ) from exc

    def is_stock(self, plugin_name: str) -> bool:
        return plugin_name in self._stock

    def plugins(self) -> list[PluginInfo]:
        """Every registered plugin, then every plugin that was skipped because it is broken."""
        self._settle()  # a plugin whose registration fails or clashes is disabled first
        version = _maatwerk_version()
        result: list[PluginInfo] = []
        for name, plugin in self.pm.list_name_plugin():
            if plugin is None:
                continue
            callers = self.pm.get_hookcallers(plugin) or []
            hooks = tuple(sorted(caller.name for caller in callers))
            if name in self._stock:
                dist, dist_version = "maatwerk", version
            else:
                dist, dist_version = self._origins.get(name, ("(registered in code)", ""))
            result.append(
                PluginInfo(
                    name=name,
                    distribution=dist,
                    version=dist_version,
                    stock=name in self._stock,
                    hooks=hooks,
                )
            )
        return result + list(self._broken)

    def broken(self) -> list[PluginInfo]:
        """External plugins that failed to load or to register (or clashed) and were skipped."""
        self._settle()
        return list(self._broken)

    def adapters(self) -> list[AdapterInfo]:
        """Every registered adapter of every kind, for ``maatwerk plugins``."""
        kinds: list[tuple[str, Mapping[str, Registered[Any]]]] = [
            ("channel", self._channels()),
            ("importer", self._importers()),
            ("guard", self._guards()),
            ("rule-table", self._rule_tables()),
            ("command", self._commands()),
        ]
        result: list[AdapterInfo] = []
        for kind, registered in kinds:
            for name, item in sorted(registered.items()):
                dist, version = self._distribution(item.plugin)
                result.append(
                    AdapterInfo(
                        kind=kind,
                        name=name,
                        description=item.spec.description,
                        plugin=item.plugin,
                        distribution=dist,
                        version=version,
                        replaces=item.replaces,
                    )
                )
        return result

    # ------------------------------------------------------------------ channels
    def channels(self) -> dict[str, ChannelSpec]:
        """Registered channels by name."""
        return {name: item.spec for name, item in self._channels().items()}

    def provider(self, kind: str, name: str) -> str | None:
        """The plugin that provides the adapter *name* of *kind* (``channel``, ``importer``,
        ``guard``, ``rule-table``, ``command``), or ``None`` when none does."""
        for info in self.adapters():
            if info.kind == kind and info.name == name:
                return info.plugin
        return None

    def channel_plugin(self, name: str) -> str:
        """The name of the plugin that provides channel *name* (the name itself when unknown)."""
        item = self._channels().get(name)
        return name if item is None else item.plugin

    def channel(self, name: str) -> Channel:
        """Build the channel named *name* (an unknown name lists the available ones)."""
        item = self._lookup("channel", name, self._channels())
        channel = self._build(item, "maatwerk_register_channels", item.spec.factory)
        if getattr(channel, "name", None) != name or not callable(
            getattr(channel, "deliver", None)
        ):
            raise PluginError(
                f"plugin {item.plugin!r}: the factory of channel {name!r} did not return a "
                f"channel named {name!r} with a deliver() method",
                plugin=item.plugin,
                hook="maatwerk_register_channels",
            )
        return channel

    # ------------------------------------------------------------------ importers (files in)
    def importers(self, kind: str | None = None) -> dict[str, ImporterSpec]:
        """Registered importers by name, optionally only those of one ``kind``."""
        return {
            name: item.spec
            for name, item in self._importers().items()
            if kind is None or item.spec.kind == kind
        }

    def importer(self, name: str) -> Importer[object]:
        """Build the importer named *name* (an unknown name lists the available ones)."""
        item = self._lookup("importer", name, self._importers())
        importer = self._build(item, "maatwerk_register_importers", item.spec.factory)
        if not callable(getattr(importer, "read", None)):
            raise PluginError(
                f"plugin {item.plugin!r}: the factory of importer {name!r} did not return an "
                "object with a read() method",
                plugin=item.plugin,
                hook="maatwerk_register_importers",
            )
        return importer

    # ------------------------------------------------------------------ guards
    def guards(self) -> dict[str, GuardSpec]:
        """Registered guards by name."""
        return {name: item.spec for name, item in self._guards().items()}

    def guard(self, name: str) -> PolicyGuardSpec:
        """Build the guard named *name* (an unknown name lists the available ones)."""
        item = self._lookup("guard", name, self._guards())
        return self._build_guard(item)

    def guard_registry(self) -> GuardRegistry:
        """The guards for the policy engine: stock guards in their order, then plugin guards.

        A plugin may replace a stock guard on purpose (``overrides=True``), except a
        *mandatory* one (deceased, hold, dispute ...): that raises :class:`PluginError`.
        """
        hook = "maatwerk_register_guards"
        registered = self._guards()
        stock_order: list[str] = []
        stock_specs: dict[str, Registered[GuardSpec]] = {}
        for plugin, records in self._registrations(hook, GuardSpec):
            if self.is_stock(plugin):
                for record in records:
                    stock_order.append(record.name)
                    stock_specs[record.name] = Registered(spec=record, plugin=plugin)
        names = stock_order + [name for name in registered if name not in stock_specs]
        built: list[PolicyGuardSpec] = []
        for name in names:
            item = registered[name]
            if item.plugin != stock_specs.get(name, item).plugin:
                replaced = self._build_guard(stock_specs[name])
                if replaced.mandatory:
                    raise PluginError(
                        f"plugin {item.plugin!r} may not replace the mandatory guard {name!r}",
                        plugin=item.plugin,
                        hook=hook,
                    )
            built.append(self._build_guard(item))
        return GuardRegistry(tuple(built))

    def _build_guard(self, item: Registered[GuardSpec]) -> PolicyGuardSpec:
        hook = "maatwerk_register_guards"
        guard: object = self._build(item, hook, item.spec.factory)  # plugins are not type-checked
        if not isinstance(guard, PolicyGuardSpec) or guard.code != item.spec.name:
            raise PluginError(
                f"plugin {item.plugin!r}: the factory of guard {item.spec.name!r} must return a "
                f"maatwerk.core.policy.GuardSpec with code {item.spec.name!r}",
                plugin=item.plugin,
                hook=hook,
            )
        return guard

    # ------------------------------------------------------------------ rule tables
    def rule_tables(self) -> dict[str, RuleTableSpec]:
        """Registered rule tables and policy files by name."""
        return {name: item.spec for name, item in self._rule_tables().items()}

    def rule_table(self, name: str) -> pathlib.Path:
        """The TOML file of rule table *name*: a plugin's replacement when one overrides it.

        Read it with ``maatwerk.adapters.rules_loader.read_raw_table(name, path.parent)``.
        """
        hook = "maatwerk_register_rule_tables"
        item = self._lookup("rule table", name, self._rule_tables())
        path: object = self._build(item, hook, item.spec.factory)  # plugins are not type-checked
        if not isinstance(path, pathlib.Path) or path.stem != name or not path.is_file():
            raise PluginError(
                f"plugin {item.plugin!r}: the factory of rule table {name!r} must return the path "
                f"of an existing file {name}.toml, got {path!r}",
                plugin=item.plugin,
                hook=hook,
            )
        return path

    # ------------------------------------------------------------------ commands
    def commands(self) -> dict[str, CommandSpec]:
        """CLI commands contributed by plugins, by name."""
        return {name: item.spec for name, item in self._commands().items()}

    def command(self, name: str) -> click.Command:
        """Build the CLI command named *name*."""
        item = self._lookup("command", name, self._commands())
        command = self._build(item, "maatwerk_register_commands", item.spec.factory)
        if not isinstance(command, click.Command):
            raise PluginError(
                f"plugin {item.plugin!r}: the factory of command {name!r} did not return a "
                "click command",
                plugin=item.plugin,
                hook="maatwerk_register_commands",
            )
        return command

    # ------------------------------------------------------------------ ports
    def settlement_hub(
        self, *, inbox: pathlib.Path | None = None, outbox: pathlib.Path | None = None
    ) -> DebtSettlementHub | None:
        """The Schuldenknooppunt hub: the first plugin's that returns one
        (``maatwerk_debt_settlement_hub``), else the stock file stand-in on ``inbox``/``outbox``;
        ``None`` when no plugin gives one (the stand-in without an ``outbox``).

        A hub without ``receive``/``send`` or a ``name`` is a :class:`PluginError` naming the
        plugin.
        """
        hook = "maatwerk_debt_settlement_hub"
        given = {"inbox": inbox, "outbox": outbox}
        for impl in self._impls(hook):
            kwargs = {arg: given[arg] for arg in impl.argnames if arg in given}
            hub = self._call(impl, hook, kwargs)
            if hub is None:
                continue
            if not isinstance(getattr(hub, "name", None), str) or not all(
                callable(getattr(hub, method, None)) for method in ("receive", "send")
            ):
                raise PluginError(
                    f"plugin {impl.plugin_name!r}: {hook} must return a DebtSettlementHub "
                    f"(name, receive(), send()), got {type(hub).__name__}",
                    plugin=impl.plugin_name,
                    hook=hook,
                )
            return cast("DebtSettlementHub", hub)  # checked above: plugins are not type-checked
        return None

    # ------------------------------------------------------------------ events
    def notify(self, event: Event) -> None:
        """Tell every listener about *event* (``maatwerk_on_event``), stock listeners last.

        A listener that raises stops the notification with a :class:`PluginError` naming it:
        an audit trail that silently misses events is worse than a loud failure.
        """
        hook = "maatwerk_on_event"
        for impl in self._impls(hook):
            kwargs = {arg: event for arg in impl.argnames if arg == "event"}
            self._call(impl, hook, kwargs)

    def listener(self) -> EventListener:
        """An :class:`~maatwerk.core.ports.EventListener` that forwards to :meth:`notify`.

        Hand it to a service that records events, so plugin listeners hear them without the
        service knowing about plugins.
        """
        return _HookListener(self)

    # ------------------------------------------------------------------ internals
    def _distribution(self, plugin: str) -> tuple[str, str]:
        if plugin in self._stock:
            return "maatwerk", _maatwerk_version()
        return self._origins.get(plugin, ("(registered in code)", ""))

    def _impls(self, hook: str) -> list[pluggy.HookImpl]:
        caller: pluggy.HookCaller = getattr(self.pm.hook, hook)
        impls = list(reversed(caller.get_hookimpls()))  # pluggy's call order: LIFO, trylast last
        for impl in impls:
            if impl.hookwrapper or impl.wrapper:
                raise PluginError(
                    f"plugin {impl.plugin_name!r}: wrappers are not supported on {hook}",
                    plugin=impl.plugin_name,
                    hook=hook,
                )
        return impls

    def _call(self, impl: pluggy.HookImpl, hook: str, kwargs: Mapping[str, object]) -> object:
        if self._trace:
            _log.info("plugin_hook_call", hook=hook, plugin=impl.plugin_name)
        try:
            return impl.function(**kwargs)
        except Exception as exc:
            raise PluginError(
                f"plugin {impl.plugin_name!r} failed in {hook}: {type(exc).__name__}: {exc}",
                plugin=impl.plugin_name,
                hook=hook,
            ) from exc

    def _fresh_cache(self) -> None:
        """Forget cached registrations when the registered plugins changed."""
        key = tuple(name for name, plugin in self.pm.list_name_plugin() if plugin is not None)
        if key != self._cache_key:
            self._cache.clear()
            self._cache_key = key

    def _disable(self, plugin: str, error: PluginError) -> None:
        """Unregister the external plugin *plugin*, whose registration hook failed; strict or a
        stock plugin: raise ``error`` instead."""
        if self._strict or self.is_stock(plugin) or not self.pm.has_plugin(plugin):
            raise error
        _log.warning("plugin_disabled", plugin=plugin, hook=error.hook, error=str(error))
        self.pm.unregister(name=plugin)
        dist, version = self._origins.pop(plugin, ("(registered in code)", ""))
        self._broken.append(
            PluginInfo(
                name=plugin, distribution=dist, version=version, stock=False, error=str(error)
            )
        )
        self._fresh_cache()

    def _registrations(self, hook: str, record_type: type[S]) -> list[tuple[str, Sequence[S]]]:
        """What each plugin's implementation of registration *hook* returned, in call order;
        called once per manager (cached), a failing external plugin disabled (see
        :meth:`_disable`)."""
        while True:
            self._fresh_cache()
            cached = self._cache.get(hook)
            if cached is not None:
                return cast("list[tuple[str, Sequence[S]]]", cached)
            try:
                result = [
                    (
                        impl.plugin_name,
                        _records(self._call(impl, hook, {}), record_type, impl.plugin_name, hook),
                    )
                    for impl in self._impls(hook)
                ]
            except PluginError as exc:
                self._disable(exc.plugin or "", exc)
                continue
            self._cache[hook] = result
            return result

    def _registrations_all(self) -> None:
        """Call every registration hook once, so that a plugin that fails in one is disabled
        before any of its records is used."""
        for hook, record_type in REGISTRATION_HOOKS:
            self._registrations(hook, record_type)

    def _settle(self) -> None:
        """Call every registration hook and collect every kind of adapter once, so that each
        plugin that fails or clashes is disabled before anything is listed or used."""
        for hook, record_type in REGISTRATION_HOOKS:
            self._collect(hook, record_type)

    def _collect(self, hook: str, record_type: type[S]) -> dict[str, Registered[S]]:
        """The records of registration *hook* by name. Two plugins registering the same name
        (and no stock one replaced on purpose with ``overrides=True``) is a clash: strict, it
        raises; otherwise both external plugins are disabled (see :meth:`_disable_clash`)."""
        while True:
            try:
                return self._collect_once(hook, record_type)
            except ClashError as clash:
                self._disable_clash(clash)

    def _disable_clash(self, clash: ClashError) -> None:
        """Disable the external plugins of a name clash, each with a warning naming both.

        Neither is preferred when both are external; a stock plugin stays (the other did not
        say ``overrides=True``). Strict, or two stock plugins: the clash is fatal."""
        culprits = [p for p in clash.plugins if not self.is_stock(p)]
        if self._strict or not culprits:
            raise clash.error
        both = " (both are disabled)" if len(culprits) > 1 else ""
        error = PluginError(f"{clash.error}{both}", plugin=culprits[0], hook=clash.error.hook)
        for plugin in culprits:
            self._disable(plugin, error)

    def _collect_once(self, hook: str, record_type: type[S]) -> dict[str, Registered[S]]:
        self._registrations_all()
        key = f"{hook}:collected"
        self._fresh_cache()
        cached = self._cache.get(key)
        if cached is not None:
            return cast("dict[str, Registered[S]]", cached)
        found: dict[str, Registered[S]] = {}
        for plugin, records in self._registrations(hook, record_type):
            for record in records:
                previous = found.get(record.name)
                new = Registered(spec=record, plugin=plugin)
                if previous is None:
                    found[record.name] = new
                elif (
                    record.overrides
                    and self.is_stock(previous.plugin)
                    and not self.is_stock(plugin)
                ):
                    found[record.name] = attrs.evolve(new, replaces=previous.plugin)
                elif (
                    previous.spec.overrides
                    and self.is_stock(plugin)
                    and not self.is_stock(previous.plugin)
                ):
                    found[record.name] = attrs.evolve(previous, replaces=plugin)
                else:
                    error = PluginError(
                        f"{record_type.__name__.removesuffix('Spec').lower()} name "
                        f"{record.name!r} is registered twice: by plugin {previous.plugin!r} and "
                        f"by plugin {plugin!r} (rename one; to replace a stock adapter on "
                        "purpose, set overrides=True)",
                        plugin=plugin,
                        hook=hook,
                    )
                    raise ClashError(error, (previous.plugin, plugin))
        self._cache[key] = found
        return found

    def _channels(self) -> dict[str, Registered[ChannelSpec]]:
        return self._collect("maatwerk_register_channels", ChannelSpec)

    def _importers(self) -> dict[str, Registered[ImporterSpec]]:
        return self._collect("maatwerk_register_importers", ImporterSpec)

    def _guards(self) -> dict[str, Registered[GuardSpec]]:
        return self._collect("maatwerk_register_guards", GuardSpec)

    def _rule_tables(self) -> dict[str, Registered[RuleTableSpec]]:
        return self._collect("maatwerk_register_rule_tables", RuleTableSpec)

    def _commands(self) -> dict[str, Registered[CommandSpec]]:
        return self._collect("maatwerk_register_commands", CommandSpec)

    def _lookup(
        self, kind: str, name: str, registered: Mapping[str, Registered[S]]
    ) -> Registered[S]:
        item = registered.get(name)
        if item is not None:
            return item
        available = ", ".join(sorted(registered)) or "(none)"
        message = f"no {kind} named {name!r}; available: {available}."
        if self._broken:
            skipped = "; ".join(f"{info.name} ({info.error})" for info in self._broken)
            message += f" Plugins skipped because they failed to load: {skipped}."
        else:
            message += " Is the plugin that provides it installed?"
        raise PluginError(message)

    def _build(self, item: Registered[Any], hook: str, factory: Callable[[], R]) -> R:
        try:
            return factory()
        except Exception as exc:
            raise PluginError(
                f"plugin {item.plugin!r}: building {item.spec.name!r} failed: "
                f"{type(exc).__name__}: {exc}",
                plugin=item.plugin,
                hook=hook,
            ) from exc


@attrs.frozen
class _HookListener:
    plugins: MaatwerkPlugins

    def on_event(self, event: Event) -> None:
        self.plugins.notify(event)


def external_plugins_disabled(environ: Mapping[str, str] | None = None) -> bool:
    """Whether ``MAATWERK_DISABLE_PLUGINS`` blocks every external plugin."""
    env = os.environ if environ is None else environ
    return parse_disabled(env.get(DISABLE_ENV))[0]


def make_plugin_manager(
    *,
    load_entrypoints: bool = True,
    strict: bool = False,
    environ: Mapping[str, str] | None = None,
    only: Iterable[str] | None = None,
) -> MaatwerkPlugins:
    """Build the plugin manager: specs, stock plugins, entry points, ``check_pending()``.

    :param load_entrypoints: load external plugins from the ``maatwerk`` entry-point group.
        Tests pass ``False`` and register inline plugins with :meth:`MaatwerkPlugins.register`.
    :param strict: a broken external plugin raises instead of being skipped.
    :param environ: the environment to read ``MAATWERK_DISABLE_PLUGINS`` and
        ``MAATWERK_TRACE_PLUGINS`` from (default: ``os.environ``).
    :param only: load only the entry points of these names (the contract kit tests one plugin
        in isolation from the others installed); ``None``: all of them.
    """
    wanted = None if only is None else frozenset(only)
    env = os.environ if environ is None else environ
    pm = pluggy.PluginManager(PROJECT_NAME)
    pm.add_hookspecs(hookspecs)

    for module_name in STOCK_PLUGINS:
        module = importlib.import_module(module_name)
        try:
            pm.register(module, name=module_name)
        except (pluggy.PluginValidationError, ValueError) as exc:
            raise PluginError(
                f"stock plugin {module_name!r} is broken: {exc}",
                plugin=module_name,
                hook=bad_hook(exc),
            ) from exc

    origins: dict[str, tuple[str, str]] = {}
    broken: list[PluginInfo] = []
    block_all, blocked = parse_disabled(env.get(DISABLE_ENV))
    for name in blocked:
        pm.set_blocked(name)

    def skip(name: str, dist: tuple[str, str], error: str, hook: str | None) -> None:
        if strict:
            raise PluginError(f"plugin {name!r} is broken: {error}", plugin=name, hook=hook)
        _log.warning("plugin_skipped", plugin=name, error=error)
        broken.append(
            PluginInfo(name=name, distribution=dist[0], version=dist[1], stock=False, error=error)
        )

    if load_entrypoints and block_all:
        _log.info("external_plugins_disabled", variable=DISABLE_ENV)
    elif load_entrypoints:
        for entry_point in importlib.metadata.entry_points(group=PROJECT_NAME):
            name = entry_point.name
            if pm.has_plugin(name) or pm.is_blocked(name):
                continue
            if wanted is not None and name not in wanted:
                continue
            dist = entry_point.dist
            origin = (dist.name, dist.version) if dist is not None else ("unknown", "")
            try:
                plugin = entry_point.load()
            except Exception as exc:  # noqa: BLE001 - any import failure of a plugin is reported
                skip(name, origin, f"import failed: {type(exc).__name__}: {exc}", None)
                continue
            try:
                pm.register(plugin, name=name)
            except (pluggy.PluginValidationError, ValueError) as exc:
                skip(name, origin, explain(exc), bad_hook(exc))
                continue
            origins[name] = origin

    while True:
        try:
            pm.check_pending()
            break
        except pluggy.PluginValidationError as exc:
            name = pm.get_name(exc.plugin) or repr(exc.plugin)
            if name in STOCK_PLUGINS:
                raise PluginError(
                    f"stock plugin {name!r} is broken: {exc}", plugin=name, hook=bad_hook(exc)
                ) from exc
            pm.unregister(exc.plugin)
            skip(name, origins.pop(name, ("unknown", "")), explain(exc), bad_hook(exc))

    trace = (env.get(TRACE_ENV) or "").strip().lower() in TRUE_WORDS
    return MaatwerkPlugins(
        pm, stock=STOCK_PLUGINS, origins=origins, broken=broken, trace=trace, strict=strict
    )
