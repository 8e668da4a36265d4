"""The stock adapters, registered as an ordinary plugin.

Every hook implementation here is marked ``trylast=True``: an organisation's own plugin is
called first, and may replace a stock adapter on purpose with ``overrides=True`` in its record.
Factories import their adapter lazily, so registering this plugin does no work.

To add a stock adapter, append a record to the list of the matching hook below (one record per
adapter, sorted by name); the adapter itself lives in ``maatwerk/adapters/``.
"""

from __future__ import annotations

import functools
import pathlib
from importlib import resources

from maatwerk.core.policy.guards import GuardSpec as PolicyGuardSpec
from maatwerk.core.ports import Channel, DebtSettlementHub, Importer
from maatwerk.plugins import hookimpl
from maatwerk.plugins.records import ChannelSpec, GuardSpec, ImporterSpec, RuleTableSpec


# ---------------------------------------------------------------------- channels
def _bailiff() -> Channel:
    from maatwerk.adapters.channels.bailiff import BailiffChannel  # noqa: PLC0415 - lazy

    return BailiffChannel()


def _cak_report() -> Channel:
    from maatwerk.adapters.channels.cak import CakReportChannel  # noqa: PLC0415 - lazy

    return CakReportChannel()


def _municipal() -> Channel:
    from maatwerk.adapters.channels.municipal import MunicipalChannel  # noqa: PLC0415 - lazy

    return MunicipalChannel()


def _source_deduction() -> Channel:
    from maatwerk.adapters.channels.deduction import SourceDeductionChannel  # noqa: PLC0415 - lazy

    return SourceDeductionChannel()


def _letters() -> Channel:
    from maatwerk.adapters.channels.letters import LettersChannel  # noqa: PLC0415 - lazy

    return LettersChannel()


def _phone_worklist() -> Channel:
    from maatwerk.adapters.channels.worklist import PhoneWorklistChannel  # noqa: PLC0415 - lazy

    return PhoneWorklistChannel()


def _sepa_direct_debit() -> Channel:
    from maatwerk.adapters.sepa.channel import SepaDirectDebitChannel  # noqa: PLC0415 - lazy

    return SepaDirectDebitChannel()


@hookimpl(trylast=True)
def maatwerk_register_channels() -> list[ChannelSpec]:
    return [
        ChannelSpec(
            name="bailiff",
            factory=_bailiff,
            description="Bailiff hand-over dossier (versioned JSON, schema-checked); refused "
            "without a personal contact attempt or an expired 14-day letter, or with an active "
            "arrangement or open dispute",
            action_kinds=("bailiff-handover",),
        ),
        ChannelSpec(
            name="cak-report",
            factory=_cak_report,
            description="Report of a premium defaulter to the CAK (Zvw 18c) as schema-checked JSON",
            action_kinds=("zvw-report",),
        ),
        ChannelSpec(
            name="letters",
            factory=_letters,
            description="Plain-Dutch (B1) letters as text files, one per action",
            action_kinds=(
                "courtesy-reminder",
                "payment-reminder",
                "arrangement-offer",
                "arrangement-confirmation",
                "debt-help-referral",
                "fourteen-day-letter",
                "zvw-notice",
                "formal-demand",
            ),
        ),
        ChannelSpec(
            name="phone-worklist",
            factory=_phone_worklist,
            description="CSV work list of calls for the day, most urgent first",
            action_kinds=("phone-call",),
        ),
        ChannelSpec(
            name="municipal",
            factory=_municipal,
            description="Debt-help referral and early signal to the municipality (JSON after the "
            "DDAS vocabulary, no BSN); only with recorded, unrevoked consent",
            action_kinds=("debt-help-referral", "early-signal"),
        ),
        ChannelSpec(
            name="sepa-direct-debit",
            factory=_sepa_direct_debit,
            description="SEPA direct debits (instalments) as one pain.008 file per day, EPC- and XSD-checked",
            action_kinds=("direct-debit", "direct-debit-representation"),
        ),
        ChannelSpec(
            name="source-deduction",
            factory=_source_deduction,
            description="Deduction-at-source instructions per payer (JSON) that always leave the "
            "household its protected income (BVV), with the calculation lines",
            action_kinds=("arrangement-offer",),
        ),
    ]


# ---------------------------------------------------------------------- importers (files in)
def _returns_importer(name: str) -> Importer[object]:
    from maatwerk.adapters.returns.importer import ReturnsImporter  # noqa: PLC0415 - lazy

    return ReturnsImporter(name)


#: The bank-return importers: name -> description (see maatwerk.adapters.returns.importer).
_RETURNS_IMPORTERS = {
    "bank-returns": "Returned and rejected direct debits from camt.053, camt.054, pain.002 or MT940",
    "camt053": "Returned direct debits from camt.053 statements",
    "camt054": "Returned direct debits from camt.054 notifications",
    "mt940": "Returned direct debits from NL structured MT940",
    "pain002": "Rejected direct debits from pain.002 status reports",
}


@hookimpl(trylast=True)
def maatwerk_register_importers() -> list[ImporterSpec]:
    importers: list[ImporterSpec] = [
        ImporterSpec(
            name=name,
            kind="returns",
            factory=functools.partial(_returns_importer, name),
            description=description,
        )
        for name, description in _RETURNS_IMPORTERS.items()
    ]
    return importers


# ---------------------------------------------------------------------- guards
@hookimpl(trylast=True)
def maatwerk_register_guards() -> list[GuardSpec]:
    """The policy engine's built-in guards, in their evaluation order."""
    from maatwerk.core.policy.guards import BUILTIN_GUARDS  # noqa: PLC0415 - lazy

    return [
        GuardSpec(
            name=spec.code,
            factory=functools.partial(_same, spec),
            description=spec.summary_en or spec.code,
        )
        for spec in BUILTIN_GUARDS.specs
    ]


def _same(spec: PolicyGuardSpec) -> PolicyGuardSpec:
    return spec


# ---------------------------------------------------------------------- rule tables
def _rule_file(name: str) -> pathlib.Path:
    return pathlib.Path(str(resources.files("maatwerk.rules").joinpath(f"{name}.toml")))


@hookimpl(trylast=True)
def maatwerk_register_rule_tables() -> list[RuleTableSpec]:
    """Every table shipped in ``maatwerk/rules/*.toml`` (listed when the hook is called)."""
    directory = resources.files("maatwerk.rules")
    names = sorted(
        entry.name.removesuffix(".toml")
        for entry in directory.iterdir()
        if entry.name.endswith(".toml")
    )
    return [
        RuleTableSpec(
            name=name,
            factory=functools.partial(_rule_file, name),
            description=f"Stock table maatwerk/rules/{name}.toml",
        )
        for name in names
    ]


# ---------------------------------------------------------------------- ports
@hookimpl(trylast=True)
def maatwerk_debt_settlement_hub(
    inbox: pathlib.Path | None, outbox: pathlib.Path | None
) -> DebtSettlementHub | None:
    """The file-based stand-in for the Schuldenknooppunt (``docs/formats/schuldenknooppunt.md``):
    messages read from ``inbox`` (the ``outbox`` when only that is given: replies only), replies
    written to ``outbox``; nothing without an ``outbox``."""
    if outbox is None:
        return None
    from maatwerk.adapters.knooppunt_files import FileHub  # noqa: PLC0415 - lazy

    return FileHub(inbox or outbox, outbox)
