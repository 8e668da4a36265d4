"""The plugin manager: loading order, name clashes, failures named, the typed facade."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_helpers import AddEntryPoint

from maatwerk.core.errors import PluginError
from maatwerk.core.events import DisputeOpened, Event
from maatwerk.core.policy import BUILTIN_GUARDS
from maatwerk.core.policy import GuardSpec as PolicyGuardSpec
from maatwerk.plugins import (
    ChannelSpec,
    CommandSpec,
    GuardSpec,
    RuleTableSpec,
    hookimpl,
)
from maatwerk.plugins.manager import MaatwerkPlugins, make_plugin_manager
from maatwerk.testing import FakeChannel, RecordingListener


def fresh() -> MaatwerkPlugins:
    return make_plugin_manager(load_entrypoints=False, strict=True)


class ChannelPlugin:
    """An inline plugin that registers one fake channel."""

    def __init__(self, name: str, *, overrides: bool = False) -> None:
        self.name = name
        self.overrides = overrides

    @hookimpl
    def maatwerk_register_channels(self) -> list[ChannelSpec]:
        return [
            ChannelSpec(
                name=self.name,
                factory=lambda: FakeChannel(name=self.name),
                description="test channel",
                overrides=self.overrides,
            )
        ]


class TestStockPlugins:
    """A fresh manager holds the stock adapters and nothing else."""

    def test_stock_channels_and_guards_are_registered(self) -> None:
        plugins = fresh()
        assert {"letters", "phone-worklist"} <= set(plugins.channels())
        assert plugins.guard_registry() == BUILTIN_GUARDS
        assert [p.name for p in plugins.plugins()] == ["maatwerk.plugins.stock"]
        assert plugins.plugins()[0].distribution == "maatwerk"
        assert "maatwerk_register_channels" in plugins.plugins()[0].hooks

    def test_stock_hooks_are_trylast(self) -> None:
        plugins = fresh()
        for caller_name in ("maatwerk_register_channels", "maatwerk_register_guards"):
            impls = getattr(plugins.pm.hook, caller_name).get_hookimpls()
            assert all(impl.trylast for impl in impls)

    def test_an_inline_plugin_is_called_before_the_stock_plugin(self) -> None:
        plugins = fresh()
        plugins.register(ChannelPlugin("sms"), "org")
        assert next(iter(plugins.channels())) == "sms"
        assert plugins.channel("sms").name == "sms"

    def test_adapters_lists_every_kind_with_its_plugin(self) -> None:
        plugins = fresh()
        plugins.register(ChannelPlugin("sms"), "org")
        rows = {(a.kind, a.name): a for a in plugins.adapters()}
        assert rows["channel", "sms"].plugin == "org"
        assert rows["channel", "letters"].distribution == "maatwerk"
        assert ("guard", "deceased") in rows
        assert ("rule-table", "bik") in rows


class TestNames:
    """Names are unique; an unknown name lists what is available."""

    def test_duplicate_names_name_both_plugins(self) -> None:
        plugins = fresh()
        plugins.register(ChannelPlugin("sms"), "plugin-a")
        plugins.register(ChannelPlugin("sms"), "plugin-b")
        with pytest.raises(PluginError, match="plugin-a") as caught:
            plugins.channels()
        assert "plugin-b" in str(caught.value)
        assert caught.value.hook == "maatwerk_register_channels"

    def test_clash_with_a_stock_name_is_an_error_without_overrides(self) -> None:
        plugins = fresh()
        plugins.register(ChannelPlugin("letters"), "org")
        with pytest.raises(
            PluginError, match=r"'letters' is registered twice.*maatwerk\.plugins\.stock"
        ):
            plugins.channel("letters")

    def test_not_strict_a_clash_disables_both_plugins(self) -> None:
        plugins = make_plugin_manager(load_entrypoints=False)
        plugins.register(ChannelPlugin("sms"), "plugin-a")
        plugins.register(ChannelPlugin("sms"), "plugin-b")
        plugins.register(ChannelPlugin("fax"), "plugin-c")  # not part of the clash
        assert "sms" not in plugins.channels()
        assert "fax" in plugins.channels()
        broken = {info.name: info.error for info in plugins.broken()}
        assert set(broken) == {"plugin-a", "plugin-b"}
        for error in broken.values():
            assert "'sms' is registered twice: by plugin 'plugin-" in error
            assert "plugin-a" in error
            assert "plugin-b" in error
            assert error.endswith("(both are disabled)")
        assert {"plugin-a", "plugin-b"} <= {i.name for i in plugins.plugins() if i.error}

    def test_not_strict_a_clash_with_a_stock_name_disables_only_the_other(self) -> None:
        plugins = make_plugin_manager(load_entrypoints=False)
        plugins.register(ChannelPlugin("letters"), "org")
        assert not isinstance(plugins.channel("letters"), FakeChannel)  # the stock one stays
        assert {a.name: a.plugin for a in plugins.adapters()}["letters"] == (
            "maatwerk.plugins.stock"
        )
        (broken,) = plugins.broken()
        assert broken.name == "org"
        assert "'letters' is registered twice" in broken.error
        assert "both" not in broken.error

    def test_overrides_replaces_a_stock_adapter_on_purpose(self) -> None:
        plugins = fresh()
        plugins.register(ChannelPlugin("letters", overrides=True), "org")
        assert isinstance(plugins.channel("letters"), FakeChannel)
        assert {a.name: a.plugin for a in plugins.adapters()}["letters"] == "org"

    def test_unknown_name_lists_the_available_names(self) -> None:
        # every registered channel, stock and plugin, sorted (not a hard-coded stock list)
        plugins = fresh()
        plugins.register(ChannelPlugin("sms"), "org")
        names = sorted(plugins.channels())
        assert {"letters", "phone-worklist", "sms"} <= set(names)
        with pytest.raises(PluginError) as raised:
            plugins.channel("fax")
        assert f"no channel named 'fax'; available: {', '.join(names)}." in str(raised.value)

    def test_a_record_name_must_be_a_plain_name(self) -> None:
        with pytest.raises(ValueError, match="lower case"):
            ChannelSpec(name="Has Spaces", factory=FakeChannel, description="x")


class TestFailuresAreNamed:
    """A plugin that raises, returns nonsense or misspells a hook is reported by name."""

    def test_a_raising_hook_names_plugin_and_hook(self) -> None:
        class Raising:
            @hookimpl
            def maatwerk_register_channels(self) -> list[ChannelSpec]:
                raise RuntimeError("config file missing")

        plugins = fresh()
        plugins.register(Raising(), "acme-letters")
        with pytest.raises(PluginError) as caught:
            plugins.channels()
        assert caught.value.plugin == "acme-letters"
        assert caught.value.hook == "maatwerk_register_channels"
        assert "config file missing" in str(caught.value)

    def test_a_raising_factory_names_the_plugin(self) -> None:
        def broken() -> FakeChannel:
            raise OSError("no printer")

        class Plugin:
            @hookimpl
            def maatwerk_register_channels(self) -> list[ChannelSpec]:
                return [ChannelSpec(name="print", factory=broken, description="printer")]

        plugins = fresh()
        plugins.register(Plugin(), "acme")
        with pytest.raises(PluginError, match=r"plugin 'acme': building 'print' failed: OSError"):
            plugins.channel("print")

    def test_a_wrong_record_type_is_refused(self) -> None:
        class Plugin:
            @hookimpl
            def maatwerk_register_channels(self) -> list[object]:
                return [{"name": "sms"}]

        plugins = fresh()
        plugins.register(Plugin(), "acme")
        with pytest.raises(PluginError, match="must return ChannelSpec records, got dict"):
            plugins.channels()

    def test_a_single_record_and_none_are_accepted(self) -> None:
        class Plugin:
            @hookimpl
            def maatwerk_register_channels(self) -> ChannelSpec:
                return ChannelSpec(
                    name="one", factory=lambda: FakeChannel(name="one"), description="x"
                )

            @hookimpl
            def maatwerk_register_importers(self) -> None:
                return None

        plugins = fresh()
        plugins.register(Plugin(), "acme")
        assert "one" in plugins.channels()
        assert plugins.importers().keys() == fresh().importers().keys()

    def test_a_factory_returning_a_misnamed_channel_is_refused(self) -> None:
        class Plugin:
            @hookimpl
            def maatwerk_register_channels(self) -> list[ChannelSpec]:
                return [
                    ChannelSpec(name="sms", factory=lambda: FakeChannel(name="x"), description="x")
                ]

        plugins = fresh()
        plugins.register(Plugin(), "acme")
        with pytest.raises(PluginError, match="did not return a channel named 'sms'"):
            plugins.channel("sms")

    def test_check_pending_catches_a_misspelled_hook(self) -> None:
        class Misspelled:
            @hookimpl
            def maatwerk_regster_channels(self) -> list[ChannelSpec]:
                return []

        plugins = fresh()
        with pytest.raises(PluginError) as caught:
            plugins.register(Misspelled(), "typo")
        assert caught.value.plugin == "typo"
        assert caught.value.hook == "maatwerk_regster_channels"
        assert not plugins.pm.has_plugin("typo")

    def test_an_impl_asking_for_an_unknown_argument_is_refused(self) -> None:
        class Greedy:
            @hookimpl
            def maatwerk_on_event(self, event: Event, database: object) -> None:
                raise AssertionError("never called")

        with pytest.raises(PluginError, match="greedy"):
            fresh().register(Greedy(), "greedy")

    def test_wrappers_are_refused_on_registration_hooks(self) -> None:
        class Wrapper:
            @hookimpl(wrapper=True)
            def maatwerk_register_channels(self) -> Iterator[None]:
                return (yield)

        plugins = fresh()
        plugins.register(Wrapper(), "wrap")
        with pytest.raises(PluginError, match="wrappers are not supported"):
            plugins.channels()


class TestGuards:
    """Plugin guards join the engine's registry; mandatory stock guards cannot be replaced."""

    @staticmethod
    def guard_plugin(code: str, *, overrides: bool = False) -> object:
        spec = PolicyGuardSpec(code=code, check=lambda ctx: None, summary_en="test guard")

        class Plugin:
            @hookimpl
            def maatwerk_register_guards(self) -> list[GuardSpec]:
                return [
                    GuardSpec(name=code, factory=lambda: spec, description="t", overrides=overrides)
                ]

        return Plugin()

    def test_a_plugin_guard_comes_after_the_builtins(self) -> None:
        plugins = fresh()
        plugins.register(self.guard_plugin("winter-stop"), "org")
        registry = plugins.guard_registry()
        assert registry.codes == (*BUILTIN_GUARDS.codes, "winter-stop")

    def test_a_mandatory_guard_cannot_be_replaced(self) -> None:
        plugins = fresh()
        plugins.register(self.guard_plugin("deceased", overrides=True), "org")
        with pytest.raises(PluginError, match="may not replace the mandatory guard 'deceased'"):
            plugins.guard_registry()

    def test_an_optional_guard_can_be_replaced_in_place(self) -> None:
        plugins = fresh()
        plugins.register(self.guard_plugin("vulnerable", overrides=True), "org")
        registry = plugins.guard_registry()
        assert registry.codes == BUILTIN_GUARDS.codes
        assert registry.get("vulnerable").summary_en == "test guard"

    def test_a_guard_factory_must_return_the_engine_record_with_its_code(self) -> None:
        plugins = fresh()
        wrong = PolicyGuardSpec(code="other", check=lambda ctx: None)

        class Plugin:
            @hookimpl
            def maatwerk_register_guards(self) -> list[GuardSpec]:
                return [GuardSpec(name="mine", factory=lambda: wrong, description="t")]

        plugins.register(Plugin(), "org")
        with pytest.raises(PluginError, match="with code 'mine'"):
            plugins.guard("mine")


class TestRuleTables:
    """Rule tables resolve to files; a plugin may replace a stock table on purpose."""

    def test_a_stock_table_resolves_to_its_file(self) -> None:
        path = fresh().rule_table("bik")
        assert path.name == "bik.toml"
        assert path.is_file()

    def test_a_plugin_replaces_a_stock_table(self, tmp_path: Path) -> None:
        own = tmp_path / "bik.toml"
        own.write_text('table = "bik"\n', encoding="utf-8")

        class Plugin:
            @hookimpl
            def maatwerk_register_rule_tables(self) -> list[RuleTableSpec]:
                return [
                    RuleTableSpec(
                        name="bik", factory=lambda: own, description="ours", overrides=True
                    )
                ]

        plugins = fresh()
        plugins.register(Plugin(), "org")
        assert plugins.rule_table("bik") == own

    def test_a_missing_file_is_named(self, tmp_path: Path) -> None:
        class Plugin:
            @hookimpl
            def maatwerk_register_rule_tables(self) -> list[RuleTableSpec]:
                return [
                    RuleTableSpec(
                        name="ours", factory=lambda: tmp_path / "ours.toml", description="x"
                    )
                ]

        plugins = fresh()
        plugins.register(Plugin(), "org")
        with pytest.raises(
            PluginError, match=r"must return the path of an existing file ours\.toml"
        ):
            plugins.rule_table("ours")


class TestEvents:
    """Listeners hear every event; a failing listener is named."""

    EVENT = DisputeOpened(occurred_on=dt.date(2026, 3, 2), debtor_id="d1", dispute_id="x")

    def test_listeners_hear_the_event(self) -> None:
        plugins = fresh()
        first, second = RecordingListener(), RecordingListener()
        plugins.register(first, "audit")
        plugins.register(second, "webhook")
        plugins.notify(self.EVENT)
        assert first.events == [self.EVENT]
        assert second.events == [self.EVENT]

    def test_the_listener_port_forwards_to_the_hook(self) -> None:
        plugins = fresh()
        recorder = RecordingListener()
        plugins.register(recorder, "audit")
        plugins.listener().on_event(self.EVENT)
        assert recorder.events == [self.EVENT]

    def test_an_impl_may_take_no_arguments(self) -> None:
        calls: list[str] = []

        class Counter:
            @hookimpl
            def maatwerk_on_event(self) -> None:
                calls.append("x")

        plugins = fresh()
        plugins.register(Counter(), "counter")
        plugins.notify(self.EVENT)
        assert calls == ["x"]

    def test_a_failing_listener_is_named(self) -> None:
        class Failing:
            @hookimpl
            def maatwerk_on_event(self, event: Event) -> None:
                raise ConnectionError("webhook down")

        plugins = fresh()
        plugins.register(Failing(), "webhook")
        with pytest.raises(PluginError, match=r"plugin 'webhook' failed in maatwerk_on_event"):
            plugins.notify(self.EVENT)


class TestCommands:
    """Plugin commands must be click commands."""

    def test_a_command_factory_must_return_a_click_command(self) -> None:
        class Plugin:
            @hookimpl
            def maatwerk_register_commands(self) -> list[CommandSpec]:
                return [CommandSpec(name="bad", factory=lambda: "not a command", description="x")]  # type: ignore[arg-type,return-value]

        plugins = fresh()
        plugins.register(Plugin(), "org")
        with pytest.raises(PluginError, match="did not return a click command"):
            plugins.command("bad")


# ------------------------------------------------------------------ entry points
GOOD = """
    from maatwerk.plugins import ChannelSpec, hookimpl
    from maatwerk.testing import FakeChannel

    @hookimpl
    def maatwerk_register_channels():
        return [ChannelSpec(name="sms", factory=lambda: FakeChannel(name="sms"), description="SMS")]
"""
MISSPELLED = """
    from maatwerk.plugins import hookimpl

    @hookimpl
    def maatwerk_register_chanels():
        return []
"""


class TestEntryPoints:
    """External plugins load from the entry points; broken ones are skipped or fatal."""

    def test_an_external_plugin_is_loaded(self, entry_point: AddEntryPoint) -> None:
        entry_point("sms-plugin", GOOD)
        plugins = make_plugin_manager(environ={})
        assert "sms" in plugins.channels()
        assert "sms-plugin" in [p.name for p in plugins.plugins()]

    def test_no_autoload_skips_entry_points(self, entry_point: AddEntryPoint) -> None:
        entry_point("sms-plugin", GOOD)
        assert "sms" not in make_plugin_manager(load_entrypoints=False, environ={}).channels()

    def test_disable_variable_blocks_all_external_plugins(self, entry_point: AddEntryPoint) -> None:
        entry_point("sms-plugin", GOOD)
        plugins = make_plugin_manager(environ={"MAATWERK_DISABLE_PLUGINS": "1"})
        assert "sms" not in plugins.channels()
        assert "letters" in plugins.channels()

    def test_disable_variable_blocks_named_plugins(self, entry_point: AddEntryPoint) -> None:
        entry_point("sms-plugin", GOOD)
        entry_point("other", GOOD.replace('"sms"', '"other"'))
        plugins = make_plugin_manager(environ={"MAATWERK_DISABLE_PLUGINS": "sms-plugin"})
        assert "sms" not in plugins.channels()
        assert "other" in plugins.channels()

    def test_the_real_environment_variable_is_read(
        self, entry_point: AddEntryPoint, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        entry_point("sms-plugin", GOOD)
        monkeypatch.setenv("MAATWERK_DISABLE_PLUGINS", "1")
        assert "sms" not in make_plugin_manager().channels()

    def test_a_plugin_that_fails_to_import_is_skipped_and_reported(
        self, entry_point: AddEntryPoint
    ) -> None:
        entry_point("broken", "import does_not_exist_anywhere\n")
        plugins = make_plugin_manager(environ={})
        (info,) = plugins.broken()
        assert info.name == "broken"
        assert "does_not_exist_anywhere" in info.error
        with pytest.raises(PluginError, match=r"skipped because they failed to load: broken"):
            plugins.channel("sms")

    def test_strict_makes_a_broken_plugin_fatal(self, entry_point: AddEntryPoint) -> None:
        entry_point("broken", "import does_not_exist_anywhere\n")
        with pytest.raises(PluginError, match="plugin 'broken' is broken: import failed"):
            make_plugin_manager(environ={}, strict=True)

    def test_a_misspelled_hook_in_an_external_plugin(self, entry_point: AddEntryPoint) -> None:
        entry_point("typo", MISSPELLED)
        entry_point("sms-plugin", GOOD)
        plugins = make_plugin_manager(environ={})
        assert [b.name for b in plugins.broken()] == ["typo"]
        assert "maatwerk_register_chanels" in plugins.broken()[0].error
        assert "sms" in plugins.channels()
        with pytest.raises(PluginError) as caught:
            make_plugin_manager(environ={}, strict=True)
        assert caught.value.plugin == "typo"
        assert caught.value.hook == "maatwerk_register_chanels"


class TestRegistrationFailuresAreIsolated:
    """Without strict, an external plugin whose registration hook fails disables only itself."""

    class Raising:
        @hookimpl
        def maatwerk_register_guards(self) -> list[GuardSpec]:
            raise RuntimeError("config file missing")

        @hookimpl
        def maatwerk_register_channels(self) -> list[ChannelSpec]:
            return [ChannelSpec(name="half", factory=FakeChannel, description="never used")]

    def test_the_plugin_is_disabled_and_listed_the_others_work(self) -> None:
        plugins = make_plugin_manager(load_entrypoints=False)
        plugins.register(self.Raising(), "acme-crm")
        plugins.register(ChannelPlugin("sms"), "org")
        assert plugins.channel("sms").name == "sms"
        assert "half" not in plugins.channels(), "its other records are not used either"
        (info,) = plugins.broken()
        assert info.name == "acme-crm"
        assert "failed in maatwerk_register_guards" in info.error
        assert "config file missing" in info.error
        listed = {p.name: p.error for p in plugins.plugins()}
        assert listed["acme-crm"] == info.error
        assert "org" in listed
        assert not listed["org"]
        assert plugins.guard_registry() == BUILTIN_GUARDS

    def test_a_wrong_return_type_disables_it_too(self) -> None:
        class Nonsense:
            @hookimpl
            def maatwerk_register_channels(self) -> str:
                return "sms"

        plugins = make_plugin_manager(load_entrypoints=False)
        plugins.register(Nonsense(), "acme")
        assert "letters" in plugins.channels()
        assert [b.name for b in plugins.broken()] == ["acme"]

    def test_strict_keeps_it_fatal(self) -> None:
        plugins = fresh()
        plugins.register(self.Raising(), "acme-crm")
        with pytest.raises(PluginError, match="acme-crm"):
            plugins.channels()


class TestRegistrationIsCached:
    """Registration hooks run once per manager; registering a plugin refreshes the cache."""

    def test_each_hook_is_called_once_for_many_lookups(self) -> None:
        class Counting(ChannelPlugin):
            calls = 0

            @hookimpl
            def maatwerk_register_channels(self) -> list[ChannelSpec]:
                Counting.calls += 1
                return super().maatwerk_register_channels()

        plugins = fresh()
        plugins.register(Counting("sms"), "org")
        for _ in range(5):
            plugins.channel("sms")
            plugins.channels()
            plugins.adapters()
        assert Counting.calls == 1
        plugins.register(ChannelPlugin("fax"), "other")
        assert {"sms", "fax"} <= set(plugins.channels())
        assert Counting.calls == 2


class TestReplacementsAndTypos:
    def test_adapters_say_which_stock_channel_is_replaced(self) -> None:
        plugins = fresh()
        plugins.register(ChannelPlugin("bailiff", overrides=True), "org")
        rows = {(a.kind, a.name): a for a in plugins.adapters()}
        assert rows["channel", "bailiff"].plugin == "org"
        assert rows["channel", "bailiff"].replaces == "maatwerk.plugins.stock"
        assert rows["channel", "letters"].replaces == ""
        assert plugins.channel_plugin("bailiff") == "org"
        assert plugins.channel_plugin("letters") == "maatwerk.plugins.stock"

    def test_a_misspelled_hook_gets_did_you_mean(self) -> None:
        class Misspelled:
            @hookimpl
            def maatwerk_regster_channels(self) -> list[ChannelSpec]:
                return []

        with pytest.raises(PluginError, match=r"did you mean 'maatwerk_register_channels'\?"):
            fresh().register(Misspelled(), "typo")

    def test_a_misspelled_hook_of_an_entry_point_gets_did_you_mean(
        self, entry_point: AddEntryPoint
    ) -> None:
        entry_point("typo", MISSPELLED)
        (info,) = make_plugin_manager(environ={}).broken()
        assert "did you mean 'maatwerk_register_channels'?" in info.error
