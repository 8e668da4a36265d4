"""Enum fields of the classes callers build take the member or its value string; others are refused."""

from __future__ import annotations

import datetime as dt

import pytest
from policy_helpers import case_file, policy, tables

from maatwerk.core._convert import to_member, to_members
from maatwerk.core.arrangements import Arrangement, Instalment, PaymentMethod
from maatwerk.core.debtors import Debtor, HouseholdType
from maatwerk.core.debts import ClaimKind, Debt, DebtStatus
from maatwerk.core.events import (
    ActionKind,
    ArrangementOffered,
    ConsentScope,
    HoldPlaced,
    HoldScope,
    StepTaken,
    event_from_record,
    event_to_record,
)
from maatwerk.core.money import eur
from maatwerk.core.policy import Conditions, GuardSpec, Step, Timing, evaluate
from maatwerk.core.policy.model import Anchor


D0 = dt.date(2026, 1, 1)


def _debtor(household: HouseholdType | str) -> Debtor:
    return Debtor(debtor_id="p1", name="", household=household)


class TestConversion:
    """A value string becomes the member; a member passes unchanged."""

    def test_debtor_household_from_its_value(self) -> None:
        """``household="single"`` is the member SINGLE."""
        assert _debtor("single").household is HouseholdType.SINGLE
        assert _debtor(HouseholdType.COUPLE).household is HouseholdType.COUPLE

    def test_debt_kind_and_status(self) -> None:
        """A debt's claim kind and status may be given as their values."""
        found = Debt(
            debt_id="d1",
            debtor_id="p1",
            creditor_id="c1",
            principal=eur("10.00"),
            due_date=D0,
            kind="public",
            status="open",
        )
        assert (found.kind, found.status) == (ClaimKind.PUBLIC, DebtStatus.OPEN)

    def test_policy_step_action_and_anchor(self) -> None:
        """A policy step built in code reads like its TOML: strings for action and anchor."""
        step = Step(
            id="bailiff",
            action="bailiff-handover",
            channel="bailiff",
            timing=Timing(anchor="default-date", days=90),
            conditions=Conditions(claim_kinds=["private"], arrangement_methods=("transfer",)),
        )
        assert step.action is ActionKind.BAILIFF_HANDOVER
        assert step.timing.anchor is Anchor.DEFAULT_DATE
        assert step.conditions.claim_kinds == (ClaimKind.PRIVATE,)
        assert step.conditions.arrangement_methods == (PaymentMethod.TRANSFER,)

    def test_optional_and_set_fields(self) -> None:
        """``None`` stays ``None``; a set of strings becomes a frozenset of members."""
        offered = ArrangementOffered(occurred_on=D0, debtor_id="p1", arrangement_id="a1")
        assert offered.method is None
        offered = ArrangementOffered(
            occurred_on=D0, debtor_id="p1", arrangement_id="a1", method="source-deduction"
        )
        assert offered.method is PaymentMethod.SOURCE_DEDUCTION
        spec = GuardSpec(code="x", check=lambda _ctx: None, applies_to={"write-off"})
        assert spec.applies_to == frozenset({ActionKind.WRITE_OFF})

    def test_event_stored_the_same_either_way(self) -> None:
        """An event built from strings is equal to, and stored as, one built from members."""
        by_value = HoldPlaced(
            occurred_on=D0, debtor_id="p1", hold_id="h", scope="case", reason="r", start=D0
        )
        by_member = HoldPlaced(
            occurred_on=D0, debtor_id="p1", hold_id="h", scope=HoldScope.CASE, reason="r", start=D0
        )
        assert by_value == by_member
        assert event_to_record(by_value) == event_to_record(by_member)
        assert event_from_record(event_to_record(by_value)) == by_member

    def test_arrangement_method_from_its_value(self) -> None:
        plan = Arrangement(
            arrangement_id="a1",
            debtor_id="p1",
            creditor_id="c1",
            total=eur("10.00"),
            instalments=(Instalment(number=1, due_date=D0, amount=eur("10.00")),),
            method="transfer",
            charges="interest-only",
        )
        assert plan.method is PaymentMethod.TRANSFER

    def test_a_case_built_from_strings_evaluates(self) -> None:
        """The evaluation runs on a case whose enums were given as strings (no AttributeError)."""
        file = case_file(
            (
                Debt(
                    debt_id="d1",
                    debtor_id="p1",
                    creditor_id="c1",
                    principal=eur("300.00"),
                    due_date=D0,
                    kind="private",
                ),
            ),
            (
                StepTaken(
                    occurred_on=D0,
                    debtor_id="p1",
                    step_id="s",
                    action="phone-call",
                    channel="phone",
                ),
            ),
            who=_debtor("single"),
        )
        decision = evaluate(file, policy("humane"), D0 + dt.timedelta(days=60), tables())
        assert decision.explain("en")


class TestRefusal:
    """Anything else is refused at construction, naming the enum and the values allowed."""

    def test_misspelt_household(self) -> None:
        with pytest.raises(ValueError) as raised:
            _debtor("singel")
        assert str(raised.value) == (
            "household_type: 'singel' is not one of single, single-parent, couple, couple-children"
        )

    def test_member_of_another_enum(self) -> None:
        """A member of another enum is no value string: refused, even with an equal value."""
        with pytest.raises(ValueError, match=r"^action_kind: <ConsentScope.EARLY_SIGNAL"):
            to_member(ActionKind, ConsentScope.EARLY_SIGNAL)

    def test_wrong_type(self) -> None:
        with pytest.raises(ValueError, match=r"^claim_kind: 3 is not one of private, public$"):
            to_member(ClaimKind, 3)

    def test_one_bad_item_of_a_tuple(self) -> None:
        with pytest.raises(ValueError, match=r"^claim_kind: 'privat' is not one of"):
            Conditions(claim_kinds=("private", "privat"))

    def test_a_lone_string_is_one_item(self) -> None:
        """``claim_kinds="public"`` is one kind, not the letters of a word."""
        assert to_members(ClaimKind, "public") == (ClaimKind.PUBLIC,)
