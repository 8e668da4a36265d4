"""The JSON-document channels (bailiff, municipal, source-deduction, cak-report): the contract,
their own refusals, and schema-valid output."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from maatwerk.adapters.channels._documents import validate
from maatwerk.core.ports import DeliveryContext, DeliveryStatus, OutboundAction, PayloadValue
from maatwerk.plugins.manager import make_plugin_manager
from maatwerk.testing import (
    SAMPLE_SETTINGS,
    ChannelContract,
    make_action,
    sample_payload,
    sample_payload_for,
)


RUN = dt.date(2026, 3, 2)


def bailiff_payload(**overrides: PayloadValue) -> dict[str, PayloadValue]:
    """The kit's hand-over sample, with a BSN and the step's garnishment param."""
    return sample_payload_for(
        "bailiff-handover", bsn="123456782", bank_garnishment="no", **overrides
    )


def municipal_payload(**overrides: PayloadValue) -> dict[str, PayloadValue]:
    """The kit's sample for a referral or an early signal (the same facts)."""
    return sample_payload_for("early-signal", **overrides)


def bvv(net: str = "1500.00", protected: str = "1400.00") -> dict[str, PayloadValue]:
    return {
        "on": RUN,
        "net_income": Decimal(net),
        "protected_income": Decimal(protected),
        "attachable": Decimal(net) - Decimal(protected),
        "basis": "formula",
        "tables": "bvv_maxima@2026-01-01",
        "provisional": False,
        "lines": ({"term": "norm", "value": Decimal(protected), "rule": "Rv 475da", "note": ""},),
    }


class _PayloadContract(ChannelContract):
    """The channel contract with a valid action carrying the payload ``valid_payload()`` gives."""

    @staticmethod
    def valid_payload() -> dict[str, PayloadValue]:
        raise NotImplementedError

    def make_valid_action(self, action_id: str, kind: str, channel: str) -> OutboundAction:
        payload = self.valid_payload()
        return make_action(action_id, kind=kind, channel=channel, run_date=RUN, payload=payload)


class TestBailiffContract(_PayloadContract):
    """The bailiff channel keeps the channel contract."""

    channel_name = "bailiff"
    valid_payload = staticmethod(bailiff_payload)


class TestMunicipalContract(_PayloadContract):
    """The municipal channel keeps the channel contract for referrals and early signals."""

    channel_name = "municipal"
    valid_payload = staticmethod(municipal_payload)


class TestSourceDeductionContract(_PayloadContract):
    """The source-deduction channel keeps the channel contract."""

    channel_name = "source-deduction"
    valid_payload = staticmethod(lambda: sample_payload(bvv=bvv(), payer_id="UWV"))


class TestCakReportContract(_PayloadContract):
    """The CAK report channel keeps the channel contract."""

    channel_name = "cak-report"
    valid_payload = staticmethod(lambda: sample_payload(arrears_months=7, open_disputes=()))


def deliver(
    name: str, action: OutboundAction, tmp_path: Path, **settings: str
) -> tuple[DeliveryStatus, str]:
    channel = make_plugin_manager(load_entrypoints=False).channel(name)
    context = DeliveryContext(
        output_dir=tmp_path, run_date=RUN, settings={**SAMPLE_SETTINGS, **settings}
    )
    (receipt,) = channel.deliver([action], context)
    return receipt.status, receipt.reason


def send(
    channel: str,
    kind: str,
    out: Path,
    payload: dict[str, PayloadValue] | None = None,
    *,
    action_id: str = "x-1",
    **settings: str,
) -> tuple[DeliveryStatus, str]:
    """Deliver one ``kind`` action with ``payload`` through ``channel``, writing under ``out``."""
    action = make_action(action_id, kind=kind, channel=channel, run_date=RUN, payload=payload)
    return deliver(channel, action, out, **settings)


def only_json(tmp_path: Path) -> dict[str, object]:
    (path,) = tmp_path.rglob("*.json")
    document: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return document


class TestBailiffRefusals:
    """The bailiff channel itself refuses a hand-over the law or seed 002 forbids."""

    @pytest.mark.parametrize(
        ("overrides", "reason"),
        [
            (
                {
                    "contact_attempts": (
                        {
                            "on": dt.date(2026, 2, 20),
                            "channel": "letter",
                            "outcome": "no-answer",
                            "personal": False,
                        },
                    )
                },
                "personal contact",
            ),
            ({"fourteen_day_letters": ()}, "14-day letter"),
            (
                {
                    "fourteen_day_letters": (
                        {
                            "sent_on": dt.date(2026, 2, 14),
                            "received_on": dt.date(2026, 2, 16),
                            "last_day": dt.date(2026, 3, 2),
                            "stated_costs": Decimal("40.00"),
                            "debt_ids": ("debt-1",),
                        },
                    )
                },
                "14-day letter",
            ),
            ({"active_arrangements": ("arr-1",)}, "arrangement"),
            ({"open_disputes": ("d-1",)}, "dispute"),
            ({"claims": ()}, "claims"),
        ],
        ids=[
            "no-personal-contact",
            "no-letter",
            "letter-term-running",
            "arrangement",
            "dispute",
            "no-claims",
        ],
    )
    def test_refuses(self, tmp_path: Path, overrides: dict[str, PayloadValue], reason: str) -> None:
        status, text = send("bailiff", "bailiff-handover", tmp_path, bailiff_payload(**overrides))
        assert status is DeliveryStatus.REFUSED
        assert reason in text
        assert not list(tmp_path.rglob("*.json"))

    def test_letter_term_is_the_last_day_the_run_handed_over(self, tmp_path: Path) -> None:
        """The channel computes no legal date: it trusts the payload's last day (the core's,
        Atw-extended) and refuses a letter without one."""
        letter: dict[str, PayloadValue] = {
            "sent_on": dt.date(2026, 2, 13),
            "received_on": dt.date(2026, 2, 14),
            "last_day": dt.date(2026, 3, 1),
            "stated_costs": Decimal("40.00"),
            "debt_ids": ("debt-1",),
        }
        payload = bailiff_payload(fourteen_day_letters=(letter,))
        # last day 1 Mar; the run of 2 Mar is after it
        assert send("bailiff", "bailiff-handover", tmp_path, payload)[0] is DeliveryStatus.DELIVERED
        for last_day in (dt.date(2026, 3, 2), None):
            letter["last_day"] = last_day
            assert (
                send(
                    "bailiff",
                    "bailiff-handover",
                    tmp_path / str(last_day),
                    bailiff_payload(fourteen_day_letters=(letter,)),
                    action_id="b-2",
                )[0]
                is DeliveryStatus.REFUSED
            )

    def test_public_claim_needs_an_expired_aanmaning(self, tmp_path: Path) -> None:
        claims = bailiff_payload()["claims"]
        assert isinstance(claims, tuple)
        assert isinstance(claims[0], dict)
        public: dict[str, PayloadValue] = {**claims[0], "claim_kind": "public"}
        payload = bailiff_payload(claims=(public,), fourteen_day_letters=())
        status, text = send("bailiff", "bailiff-handover", tmp_path, payload)
        assert status is DeliveryStatus.REFUSED
        assert "aanmaning" in text
        payload["formal_demands"] = (
            {
                "sent_on": dt.date(2026, 2, 1),
                "last_day": dt.date(2026, 2, 16),
                "debt_ids": ("debt-1",),
            },
        )
        assert (
            send("bailiff", "bailiff-handover", tmp_path, payload, action_id="b-2")[0]
            is DeliveryStatus.DELIVERED
        )

    def test_dossier_is_schema_valid_and_has_no_bsn_unless_opted_in(self, tmp_path: Path) -> None:
        action = make_action(
            "b-1",
            kind="bailiff-handover",
            channel="bailiff",
            run_date=RUN,
            payload=bailiff_payload(),
        )
        assert deliver("bailiff", action, tmp_path)[0] is DeliveryStatus.DELIVERED
        document = only_json(tmp_path)
        assert validate(document, "bailiff-dossier.v1.json") == []
        assert "bsn" not in document["debtor"]  # type: ignore[operator]
        assert document["totals"] == {
            "principal": "123.45",
            "interest": "1.20",
            "costs": "40.00",
            "total": "164.65",
        }
        assert "123456782" not in json.dumps(document)
        opted = tmp_path / "opted"
        assert (
            deliver("bailiff", action, opted, bailiff_include_bsn="yes")[0]
            is DeliveryStatus.DELIVERED
        )
        assert only_json(opted)["debtor"]["bsn"] == "123456782"  # type: ignore[index]


class TestMunicipalRefusals:
    """The municipal channel refuses without consent or without the early-signal preconditions."""

    @pytest.mark.parametrize("kind", ["early-signal", "debt-help-referral"])
    def test_refuses_without_consent(self, tmp_path: Path, kind: str) -> None:
        status, text = send("municipal", kind, tmp_path, municipal_payload(consents=()))
        assert status is DeliveryStatus.REFUSED
        assert "consent" in text

    def test_refuses_after_the_consent_was_revoked(self, tmp_path: Path) -> None:
        consents: PayloadValue = (
            {
                "scope": "early-signal",
                "given_on": dt.date(2026, 2, 1),
                "revoked_on": dt.date(2026, 2, 20),
            },
        )
        assert (
            send(
                "municipal",
                "early-signal",
                tmp_path,
                municipal_payload(consents=consents),
            )[0]
            is DeliveryStatus.REFUSED
        )

    def test_referral_consent_does_not_allow_an_early_signal(self, tmp_path: Path) -> None:
        consents: PayloadValue = (
            {"scope": "municipal-referral", "given_on": dt.date(2026, 2, 1), "revoked_on": None},
        )
        payload = municipal_payload(consents=consents)
        signal = send("municipal", "early-signal", tmp_path, payload)
        assert signal[0] is DeliveryStatus.REFUSED
        referral = send("municipal", "debt-help-referral", tmp_path, payload, action_id="m-2")
        assert referral[0] is DeliveryStatus.DELIVERED

    @pytest.mark.parametrize(
        ("overrides", "reason"),
        [
            ({"contact_attempts": ()}, "personal contact"),
            ({"written_reminders": ()}, "written reminder"),
        ],
    )
    def test_early_signal_needs_the_preconditions(
        self, tmp_path: Path, overrides: dict[str, PayloadValue], reason: str
    ) -> None:
        status, text = send("municipal", "early-signal", tmp_path, municipal_payload(**overrides))
        assert status is DeliveryStatus.REFUSED
        assert reason in text

    def test_crisis_signal_is_flagged_and_schema_valid(self, tmp_path: Path) -> None:
        payload = municipal_payload(crisis="health-insurance-termination", bsn="123456782")
        assert send("municipal", "early-signal", tmp_path, payload)[0] is DeliveryStatus.DELIVERED
        document = only_json(tmp_path)
        assert validate(document, "municipal-signal.v1.json") == []
        assert document["crisissignaal"] is True
        assert document["signaalpartner"]["type"] == "Zorg"  # type: ignore[index]
        assert "123456782" not in json.dumps(document)

    def test_unknown_crisis_is_refused(self, tmp_path: Path) -> None:
        assert (
            send(
                "municipal",
                "early-signal",
                tmp_path,
                municipal_payload(crisis="fire"),
            )[0]
            is DeliveryStatus.REFUSED
        )


class TestSourceDeduction:
    """A deduction instruction never takes more than net income minus the protected income."""

    def test_refuses_without_the_bvv_calculation(self, tmp_path: Path) -> None:
        status, text = send("source-deduction", "arrangement-offer", tmp_path)
        assert status is DeliveryStatus.REFUSED
        assert "bvv" in text

    def test_refuses_an_instalment_above_the_room(self, tmp_path: Path) -> None:
        payload = sample_payload(bvv=bvv("1500.00", "1400.00"), instalment_amount=Decimal("100.01"))
        status, text = send("source-deduction", "arrangement-offer", tmp_path, payload)
        assert status is DeliveryStatus.REFUSED
        assert "BVV" in text

    def test_refuses_when_nothing_is_left_above_the_bvv(self, tmp_path: Path) -> None:
        payload = sample_payload(bvv=bvv("1200.00", "1200.00"), instalment_amount=None)
        assert (
            send("source-deduction", "arrangement-offer", tmp_path, payload)[0]
            is DeliveryStatus.REFUSED
        )

    def test_instructs_at_most_the_room_with_the_calculation(self, tmp_path: Path) -> None:
        payload = sample_payload(
            bvv=bvv("1500.00", "1431.50"), instalment_amount=None, amount=Decimal("300.00")
        )
        assert (
            send("source-deduction", "arrangement-offer", tmp_path, payload)[0]
            is DeliveryStatus.DELIVERED
        )
        (path,) = tmp_path.rglob("*.json")
        assert path.parent.name == "payer-unknown"
        document = only_json(tmp_path)
        assert validate(document, "source-deduction.v1.json") == []
        assert document["monthly_amount"] == "68.50"
        assert document["instalments"] == 5
        terms = [line["term"] for line in document["calculation"]]  # type: ignore[attr-defined]
        assert terms[0] == "norm"
        assert "beslagvrije voet" in terms


class TestCakReport:
    """The CAK report is refused below 6 months' arrears or with an open dispute."""

    @pytest.mark.parametrize(("months", "disputes"), [(5, ()), (7, ("d-1",))])
    def test_refuses(self, tmp_path: Path, months: int, disputes: tuple[str, ...]) -> None:
        payload = sample_payload(arrears_months=months, open_disputes=disputes)
        assert send("cak-report", "zvw-report", tmp_path, payload)[0] is DeliveryStatus.REFUSED


class TestFormalDemandLetter:
    """The aanmaning states the 2-week term from the day after sending, its costs and the sequel."""

    def test_states_term_costs_and_consequence(self, tmp_path: Path) -> None:
        payload = sample_payload(collection_costs=Decimal("9.00"), last_day=dt.date(2026, 3, 16))
        assert send("letters", "formal-demand", tmp_path, payload)[0] is DeliveryStatus.DELIVERED
        text = next(tmp_path.rglob("*.txt")).read_text(encoding="utf-8")
        assert "2 weken" in text
        assert "dag na de datum van deze brief" in text
        assert "uiterlijk 16 maart 2026" in text
        assert "€ 9,00" in text
        assert "dwangbevel" in text

    def test_without_a_last_day_states_the_rule_only(self, tmp_path: Path) -> None:
        """No date of its own making: without the run's last day the letter gives the rule."""
        payload = sample_payload(collection_costs=Decimal("9.00"))
        assert send("letters", "formal-demand", tmp_path, payload)[0] is DeliveryStatus.DELIVERED
        text = next(tmp_path.rglob("*.txt")).read_text(encoding="utf-8")
        assert "dag na de datum van deze brief" in text
        assert "uiterlijk" not in text


class TestArrangementOfferLetterProvisional:
    """A plan sized to provisional BVV figures says the amounts may change (issue 17, item 4)."""

    def letter(self, tmp_path: Path, provisional: bool) -> str:
        payload = sample_payload(
            instalment_amount=Decimal("50.00"),
            instalment_count=6,
            bvv={"protected_income": Decimal("1400.00"), "provisional": provisional},
        )
        assert send("letters", "arrangement-offer", tmp_path, payload)[0] is (
            DeliveryStatus.DELIVERED
        )
        return next(tmp_path.rglob("*.txt")).read_text(encoding="utf-8")

    def test_provisional_figures_are_named(self, tmp_path: Path) -> None:
        text = self.letter(tmp_path, provisional=True)
        assert "Die kunnen nog veranderen" in text
        assert "Dan rekenen wij opnieuw" in text

    def test_final_figures_say_nothing(self, tmp_path: Path) -> None:
        assert "veranderen" not in self.letter(tmp_path, provisional=False)


class TestFourteenDayLetterWithoutCosts:
    """A household the policy charges no costs (it cannot pay) gets the letter without costs."""

    def test_zero_costs_say_no_costs(self, tmp_path: Path) -> None:
        payload = sample_payload(collection_costs=Decimal("0.00"))
        assert send("letters", "fourteen-day-letter", tmp_path, payload)[0] is (
            DeliveryStatus.DELIVERED
        )
        text = next(tmp_path.rglob("*.txt")).read_text(encoding="utf-8")
        assert "Voor deze brief rekenen wij geen incassokosten." in text
        assert "Die kosten zijn" not in text

    def test_costs_are_stated(self, tmp_path: Path) -> None:
        payload = sample_payload(collection_costs=Decimal("45.00"))
        assert send("letters", "fourteen-day-letter", tmp_path, payload)[0] is (
            DeliveryStatus.DELIVERED
        )
        text = next(tmp_path.rglob("*.txt")).read_text(encoding="utf-8")
        assert "Die kosten zijn € 45,00." in text
