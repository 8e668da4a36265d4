"""The policy loader: shipped policies load; a broken file names its file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from maatwerk.adapters.policy_loader import (
    load_policy,
    load_policy_text,
    resolve_policy,
    shipped_policies,
)
from maatwerk.core.errors import PolicyError
from maatwerk.core.events import ActionKind
from maatwerk.core.policy import Anchor, MinDaysAfter


GOOD = """\
schema = 1
name = "mini"
version = "1"

[settings]
bailiff_min_amount = "50.00"

[[step]]
id = "reminder"
action = "payment-reminder"
channel = "letter"
anchor = "default-date"
days = 7

[[step]]
id = "bailiff"
action = "bailiff-handover"
channel = "bailiff"
anchor = "previous-step"
after = "reminder"
days = 30
calendar = "sepa"
[step.when]
min_arrears = "100.00"
"""


def _error(text: str, tmp_path: Path) -> PolicyError:
    path = tmp_path / "broken.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    return caught.value


class TestShippedPolicies:
    """humane, classic and zvw load and have the steps the issue asks for."""

    def test_all_shipped_load(self) -> None:
        assert set(shipped_policies()) >= {"humane", "classic", "zvw"}
        for name in shipped_policies():
            policy = load_policy(resolve_policy(name))
            assert policy.name == name
            assert policy.steps

    def test_humane_has_contact_and_consent_before_bailiff(self) -> None:
        policy = load_policy(resolve_policy("humane"))
        actions = [s.action for s in policy.steps]
        bailiff = actions.index(ActionKind.BAILIFF_HANDOVER)
        assert ActionKind.PHONE_CALL in actions[:bailiff]
        assert ActionKind.EARLY_SIGNAL in actions[:bailiff]
        assert policy.settings.amicable_track_days == 14
        assert dict(policy.step("bailiff").params)["bank_garnishment"] == "no"
        assert policy.step("bailiff").review

    def test_classic_has_the_fixed_plan(self) -> None:
        policy = load_policy(resolve_policy("classic"))
        params = dict(policy.step("arrangement").params)
        assert params == {"plan": "fixed", "months": "6", "minimum_instalment": "50.00"}

    def test_zvw_thresholds(self) -> None:
        policy = load_policy(resolve_policy("zvw"))
        offer = policy.step("arrangement-18a")
        assert offer.timing.anchor is Anchor.THRESHOLD
        assert offer.timing.within == 10
        assert offer.timing.calendar == "atw"
        assert offer.conditions.min_arrears_months == 2
        assert policy.step("notice-18b").conditions.min_arrears_months == 4
        assert policy.step("report-18c").conditions.min_arrears_months == 6

    def test_good_minimal_file(self, tmp_path: Path) -> None:
        path = tmp_path / "mini.toml"
        path.write_text(GOOD, encoding="utf-8")
        policy = load_policy(path)
        assert policy.label == "mini@1"
        assert policy.step("bailiff").review  # default for a bailiff step
        assert policy.step("bailiff").timing.after == "reminder"

    def test_refused_retry_days(self) -> None:
        """Shipped policies wait 7 days after a refusal; a file may choose; the default is 7."""
        for name in ("humane", "classic", "zvw"):
            assert load_policy(resolve_policy(name)).settings.refused_retry_days == 7
        assert load_policy_text(GOOD, "mini.toml").settings.refused_retry_days == 7
        chosen = GOOD.replace("[settings]\n", "[settings]\nrefused_retry_days = 3\n")
        assert load_policy_text(chosen, "mini.toml").settings.refused_retry_days == 3

    def test_unknown_shipped_name_lists_the_known(self) -> None:
        with pytest.raises(PolicyError, match="humane"):
            resolve_policy("nope")


class TestErrorsNameFileLineField:
    """The first error names the file, the line and the field."""

    @pytest.mark.parametrize(
        "case",
        [
            ("days = 7\n", "dayz = 7\n", 13, "step[0].dayz", "unknown key 'dayz'"),
            (
                'action = "payment-reminder"',
                'action = "payment-remindr"',
                10,
                "step[0].action",
                "unknown action 'payment-remindr'",
            ),
            (
                'calendar = "sepa"',
                'calendar = "tarrget"',
                22,
                "step[1].calendar",
                "unknown calendar",
            ),
            ('after = "reminder"', 'after = "reminderr"', 20, "step[1].after", "'reminderr'"),
            (
                'min_arrears = "100.00"',
                'min_arrear = "100.00"',
                24,
                "step[1].when.min_arrear",
                "unknown key",
            ),
            (
                'bailiff_min_amount = "50.00"',
                'bailiff_min_amount = "fifty"',
                6,
                "settings.bailiff_min_amount",
                "amount",
            ),
            ("schema = 1", "schema = 2", 1, "schema", "schema must be 1"),
            (
                'channel = "bailiff"\n',
                'channel = "bailiff"\nguards = ["sundays"]\n',
                19,
                "step[1].guards",
                "unknown guard 'sundays'",
            ),
            pytest.param(
                ('id = "bailiff"', 'id = "reminder"', 16, "step[1].id", "duplicate step id"),
                id="duplicate-step-id",
            ),
            pytest.param(
                (
                    'bailiff_min_amount = "50.00"',
                    'bailiff_min_amount = "50.00"\ndisabled_guards = ["deceased"]',
                    7,
                    "settings.disabled_guards",
                    "mandatory",
                ),
                id="mandatory-guard-cannot-be-disabled",
            ),
            pytest.param(
                (
                    'bailiff_min_amount = "50.00"',
                    'bailiff_min_amount = "50.00"\nrefused_retry_days = -1',
                    7,
                    "settings.refused_retry_days",
                    "negative",
                ),
                id="refused-retry-days-not-negative",
            ),
            pytest.param(
                (
                    'bailiff_min_amount = "50.00"',
                    'bailiff_min_amount = "50.00"\ndisabled_guards = ["early-signal-steps"]',
                    7,
                    "settings.disabled_guards",
                    "mandatory",
                ),
                id="early-signal-steps-is-mandatory",
            ),
            pytest.param(
                ("days = 7", "days = = 7", 13, None, "not valid TOML"),
                id="invalid-toml-reports-its-line",
            ),
            pytest.param(
                (
                    'anchor = "default-date"\ndays = 7',
                    'anchor = "previous-step"\nafter = "bailiff"\ndays = 7',
                    13,
                    "step[0].after",
                    "not an earlier step",
                ),
                id="later-step-may-not-be-referenced",
            ),
            pytest.param(
                (
                    'anchor = "default-date"',
                    'anchor = "threshold"',
                    12,
                    "step[0].anchor",
                    "needs when.min_arrears",
                ),
                id="threshold-anchor-needs-a-threshold",
            ),
        ],
    )
    def test_error_location(
        self, tmp_path: Path, case: tuple[str, str, int, str | None, str]
    ) -> None:
        old, new, line, field, message = case
        assert old in GOOD
        error = _error(GOOD.replace(old, new, 1), tmp_path)
        assert error.location.file is not None
        assert error.location.file.endswith("broken.toml")
        assert error.location.line == line
        assert error.location.field == field
        assert message in error.message
        assert f"line {line}" in str(error)

    def test_missing_file(self, tmp_path: Path) -> None:
        with pytest.raises(PolicyError, match="not found"):
            load_policy(tmp_path / "nope.toml")

    def test_text_loader_names_the_given_file(self) -> None:
        with pytest.raises(PolicyError) as caught:
            load_policy_text(GOOD.replace('name = "mini"', 'name = "Mini Policy"'), "inline.toml")
        assert caught.value.location.file == "inline.toml"
        assert caught.value.location.line == 2


def _with_gap(gap: str) -> str:
    """GOOD with ``gap`` on line 22 of the bailiff step (after ``days = 30``)."""
    return GOOD.replace("days = 30\n", f"days = 30\n{gap}\n", 1)


class TestMinDaysAfter:
    """min_days_after names an earlier step and a gap of whole days; errors say where."""

    def test_inline_table_loads(self) -> None:
        policy = load_policy_text(
            _with_gap('min_days_after = { step = "reminder", days = 14 }'), "gap.toml"
        )
        gap = policy.step("bailiff").timing.min_days_after
        assert gap == MinDaysAfter(step="reminder", days=14)
        assert policy.step("reminder").timing.min_days_after is None

    def test_sub_table_loads(self) -> None:
        text = GOOD.replace(
            "[step.when]", '[step.min_days_after]\nstep = "reminder"\ndays = 3\n[step.when]', 1
        )
        gap = load_policy_text(text, "gap.toml").step("bailiff").timing.min_days_after
        assert gap == MinDaysAfter(step="reminder", days=3)

    def test_humane_gaps(self) -> None:
        policy = load_policy(resolve_policy("humane"))
        for step_id in ("letter", "aanmaning"):
            gap = policy.step(step_id).timing.min_days_after
            assert gap == MinDaysAfter(step="arrangement", days=14)
        assert policy.step("bailiff").timing.min_days_after == MinDaysAfter(step="call-2", days=14)

    @pytest.mark.parametrize(
        ("gap", "field", "message"),
        [
            ("min_days_after = 14", "step[1].min_days_after", "must be a table"),
            (
                'min_days_after = { step = "bailiff", days = 14 }',
                "step[1].min_days_after.step",
                "'bailiff', which is not an earlier step",
            ),
            (
                'min_days_after = { step = "nope", days = 14 }',
                "step[1].min_days_after.step",
                "'nope', which is not an earlier step",
            ),
            (
                'min_days_after = { step = "reminder", days = -1 }',
                "step[1].min_days_after.days",
                "days must not be negative",
            ),
            (
                'min_days_after = { step = "reminder", days = "14" }',
                "step[1].min_days_after.days",
                "days must be a whole number",
            ),
            (
                'min_days_after = { step = "reminder" }',
                "step[1].min_days_after.days",
                "missing 'days'",
            ),
            (
                "min_days_after = { days = 14 }",
                "step[1].min_days_after.step",
                "missing 'step'",
            ),
            (
                'min_days_after = { step = "reminder", days = 14, calendar = "sepa" }',
                "step[1].min_days_after.calendar",
                "unknown key 'calendar'",
            ),
        ],
    )
    def test_error_location(self, tmp_path: Path, gap: str, field: str, message: str) -> None:
        error = _error(_with_gap(gap), tmp_path)
        assert error.location.line == 22
        assert error.location.field == field
        assert message in error.message

    def test_error_in_sub_table_names_its_line(self, tmp_path: Path) -> None:
        text = GOOD.replace(
            "[step.when]", '[step.min_days_after]\nstep = "reminder"\ndays = 1.5\n[step.when]', 1
        )
        error = _error(text, tmp_path)
        assert error.location.field == "step[1].min_days_after.days"
        assert error.location.line == 25
