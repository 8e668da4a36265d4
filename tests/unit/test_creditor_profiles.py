"""Creditor profiles: ``[creditors.<id>]`` tables in the settings file, and the Awb rule that only
a public-law creditor sends an aanmaning."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from maatwerk.adapters.channel_settings import load_channel_settings, load_settings
from maatwerk.core.errors import InputError
from maatwerk.core.events import ActionKind
from maatwerk.core.ports import SETTING_CREDITOR_PROFILE, CreditorProfile
from maatwerk.core.records import CaseKey, OutboxEntry, OutboxItem, OutboxStatus
from maatwerk.services.run.dispatch import awb_refusal


SETTINGS = """\
[channels]
creditor_name = "Zorg NL"
creditor_phone = "0800-1234"
creditor_iban = "NL91ABNA0417164300"
creditor_id = "NL32ZZZ999999991234"
bailiff_include_bsn = "no"

[creditors.gemeente]
creditor_name = "Gemeente Voorbeeld"
creditor_phone = "14 030"
creditor_iban = "NL20INGB0001234567"
creditor_kvk = "12345678"
municipal_partner_type = "Gemeente"
public = true
policy = "classic"

[creditors.zorg]
creditor_bic = "ABNANL2A"
"""


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return path


class TestLoadSettings:
    def test_channels_and_profiles(self, tmp_path: Path) -> None:
        loaded = load_settings(_file(tmp_path, SETTINGS))
        assert loaded.channels["creditor_name"] == "Zorg NL"
        assert loaded.channels["bailiff_include_bsn"] == "no"  # other channel keys stay free
        gemeente = loaded.creditors["gemeente"]
        assert gemeente.public is True
        assert gemeente.policy == "classic"
        assert gemeente.settings["creditor_phone"] == "14 030"
        zorg = loaded.creditors["zorg"]
        assert (zorg.public, zorg.policy) == (False, None)

    def test_a_profile_overrides_the_defaults_for_its_cases(self, tmp_path: Path) -> None:
        loaded = load_settings(_file(tmp_path, SETTINGS))
        merged = loaded.creditors["gemeente"].over(loaded.channels, "gemeente")
        assert merged["creditor_name"] == "Gemeente Voorbeeld"
        assert merged["creditor_iban"] == "NL20INGB0001234567"
        assert merged["creditor_id"] == "NL32ZZZ999999991234"  # not given: the default
        assert merged[SETTING_CREDITOR_PROFILE] == "gemeente"

    def test_without_creditors_the_old_reader_is_unchanged(self, tmp_path: Path) -> None:
        text = SETTINGS.split("[creditors.gemeente]", maxsplit=1)[0]
        assert load_settings(_file(tmp_path, text)).creditors == {}
        assert load_channel_settings(_file(tmp_path, SETTINGS))["creditor_phone"] == "0800-1234"

    @pytest.mark.parametrize(
        ("text", "line", "field", "message"),
        [
            ('[creditors.g]\ncreditor_naam = "X"\n', 2, "creditors.g.creditor_naam", "unknown key"),
            ('[creditors.g]\nbailiff_include_bsn = "yes"\n', 2, "creditors.g.", "unknown key"),
            ('[creditors.g]\npublic = "yes"\n', 2, "creditors.g.public", "true or false"),
            ("[creditors.g]\npolicy = 3\n", 2, "creditors.g.policy", "string in quotes"),
            ('[creditors.g]\ncreditor_iban = ""\n', 2, "creditors.g.creditor_iban", "empty"),
            ("\n[creditor.g]\n", 2, "creditor", "unknown table"),
            ('creditors = "g"\n', 1, "creditors", "must be tables"),
            ('\n[creditors]\ng = "x"\n', 3, "creditors.g", "must be a table"),
        ],
    )
    def test_errors_name_file_line_and_key(
        self, tmp_path: Path, text: str, line: int, field: str, message: str
    ) -> None:
        path = _file(tmp_path, text)
        with pytest.raises(InputError) as raised:
            load_settings(path)
        where = raised.value.location
        assert where is not None
        assert where.file == str(path)
        assert where.line == line
        assert (where.field or "").startswith(field)
        assert message in str(raised.value)


def _item(action: ActionKind, creditor_id: str) -> OutboxItem:
    entry = OutboxEntry(
        case=CaseKey("D1", creditor_id),
        run_date=dt.date(2026, 5, 4),
        step="aanmaning",
        action=action.value,
        channel="letters",
        debt_ids=("B1",),
        payload={},
    )
    return OutboxItem(outbox_id=1, entry=entry, status=OutboxStatus.PENDING)


class TestAwbOnlyForAPublicCreditor:
    def test_a_private_creditor_sends_no_aanmaning(self) -> None:
        reason = awb_refusal(_item(ActionKind.FORMAL_DEMAND, "zorg"), CreditorProfile())
        assert "public-law creditor" in reason

    def test_a_public_creditor_does(self) -> None:
        profile = CreditorProfile(public=True)
        assert awb_refusal(_item(ActionKind.FORMAL_DEMAND, "gemeente"), profile) == ""

    def test_other_letters_and_unprofiled_creditors_pass(self) -> None:
        private = CreditorProfile(public=False)
        assert awb_refusal(_item(ActionKind.FOURTEEN_DAY_LETTER, "zorg"), private) == ""
        assert awb_refusal(_item(ActionKind.FORMAL_DEMAND, "zorg"), None) == ""
