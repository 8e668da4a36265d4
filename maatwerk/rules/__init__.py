"""The shipped rules, loaded: the promised entry point for teams that embed the core.

This package holds the dated rule tables (``*.toml``) and the escalation policies
(``policies/*.toml``) that ship with maatwerk. :func:`shipped` reads them into one frozen
:class:`ShippedRules` bundle of typed core values, ready for the pure functions of
:mod:`maatwerk.core` and :mod:`maatwerk.core.policy`::

    from maatwerk.rules import shipped

    rules = shipped()
    protected_income(facts, rules.subsistence)
    evaluate(case_file, rules.policy("humane"), today, rules.policy_tables)

The core itself never reads a file; this is the one place an embedding team needs besides it.
It delegates to the loaders in :mod:`maatwerk.adapters` (whose module layout is not promised)
and needs only maatwerk's base dependencies: no database, no XML, no plotting. Importing this
package reads nothing; the first call of :func:`shipped` reads the files and the result is
cached, so later calls return the same bundle.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from types import MappingProxyType

import attrs

from maatwerk.core.calendar import Calendars, PostalDelivery
from maatwerk.core.collection_costs import AanmaningParams, BikParams, InstalmentRule
from maatwerk.core.debts import InterestKind
from maatwerk.core.errors import Location, PolicyError
from maatwerk.core.interest import InterestTables
from maatwerk.core.policy import Policy, PolicyTables
from maatwerk.core.subsistence import SubsistenceTables
from maatwerk.core.tables import DatedTable


__all__ = ["ShippedRules", "shipped"]


def _read_only(policies: Mapping[str, Policy]) -> Mapping[str, Policy]:
    return MappingProxyType(dict(policies))


@attrs.frozen(kw_only=True)
class ShippedRules:
    """Every table, calendar and policy maatwerk ships, as typed core values (frozen).

    ``subsistence``: the protected-income tables for
    :func:`~maatwerk.core.subsistence.protected_income`. ``bik`` and ``bik_instalments``: the
    collection-cost scale and the BW 6:96 lid 8 instalment rule. ``aanmaning``: the Awb 4:113
    fee. ``interest``: the statutory interest rates (consumer, commercial) and the Awb minimums.
    ``postal``: how the post delivers letters (days under way, delivery weekdays), for
    :func:`~maatwerk.core.calendar.presumed_receipt` and :mod:`maatwerk.core.letter_dates`.
    ``policy_tables``: what :func:`~maatwerk.core.policy.evaluate` needs besides the case and the
    policy (the ``calendar``, ``sepa`` and ``atw`` calendars and the built-in guards).
    ``policies``: the shipped escalation policies by name (read-only).
    """

    subsistence: SubsistenceTables
    bik: DatedTable[BikParams]
    bik_instalments: DatedTable[InstalmentRule]
    aanmaning: DatedTable[AanmaningParams]
    interest: InterestTables
    postal: DatedTable[PostalDelivery]
    policy_tables: PolicyTables
    policies: Mapping[str, Policy] = attrs.field(converter=_read_only, hash=False)

    @property
    def calendars(self) -> Calendars:
        """The named business-day calendars (``calendar``, ``sepa``, ``atw``)."""
        return self.policy_tables.calendars

    def policy(self, name: str) -> Policy:
        """The shipped policy called ``name``; :class:`PolicyError` names the ones available."""
        try:
            return self.policies[name]
        except KeyError:
            raise PolicyError(
                f"no shipped policy {name!r}; available: {', '.join(sorted(self.policies))}",
                Location(field="policy"),
            ) from None


@functools.cache
def shipped() -> ShippedRules:
    """Read the shipped tables, calendars and policies (once; later calls return the same bundle).

    Raises :class:`~maatwerk.core.errors.RuleTableError` or
    :class:`~maatwerk.core.errors.PolicyError` should a shipped file be damaged.
    """
    # The loaders are imported here, not at the top: ``importlib.resources`` imports this
    # package to find the TOML files, and that must not pull in the loaders and ``holidays``.
    from maatwerk.adapters.calendars import build_calendars  # noqa: PLC0415
    from maatwerk.adapters.legal_tables import (  # noqa: PLC0415
        load_aanmaning_table,
        load_awb_interest_table,
        load_bik_instalment_table,
        load_bik_table,
        load_interest_table,
        load_postal_table,
    )
    from maatwerk.adapters.policy_loader import (  # noqa: PLC0415
        load_policy,
        resolve_policy,
        shipped_policies,
    )
    from maatwerk.adapters.subsistence_tables import load_subsistence_tables  # noqa: PLC0415

    return ShippedRules(
        subsistence=load_subsistence_tables(),
        bik=load_bik_table(),
        bik_instalments=load_bik_instalment_table(),
        aanmaning=load_aanmaning_table(),
        interest=InterestTables(
            consumer=load_interest_table(InterestKind.CONSUMER),
            commercial=load_interest_table(InterestKind.COMMERCIAL),
            awb=load_awb_interest_table(),
        ),
        postal=load_postal_table(),
        policy_tables=PolicyTables(calendars=build_calendars()),
        policies={name: load_policy(resolve_policy(name)) for name in shipped_policies()},
    )
