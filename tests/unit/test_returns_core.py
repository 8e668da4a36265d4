"""core/returns: reason classification, matching returns to collections, policy reactions."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from maatwerk.adapters.returns import current_reasons, load_return_reasons
from maatwerk.core.errors import RuleTableError
from maatwerk.core.events import PaymentReturned
from maatwerk.core.money import eur
from maatwerk.core.returns import (
    MAX_RE_PRESENTATIONS,
    MatchStatus,
    ReasonTable,
    ReturnedCollection,
    ReturnReaction,
    ReturnReasonGroup,
    SentCollection,
    match_returns,
    reaction_for,
    returned_event,
)


G = ReturnReasonGroup
TABLE = ReasonTable(groups={"AM04": G.COULD_NOT_PAY, "MD07": G.DECEASED})


def returned(
    e2e: str | None, mandate: str | None = "M-1", amount: str = "10.00"
) -> ReturnedCollection:
    return ReturnedCollection(
        end_to_end_id=e2e,
        mandate_id=mandate,
        amount=eur(amount),
        reason="AM04",
        group=G.COULD_NOT_PAY,
        booking_date=dt.date(2026, 12, 4),
    )


def sent(
    collection_id: str, e2e: str, mandate: str = "M-1", amount: str = "10.00"
) -> SentCollection:
    return SentCollection(
        collection_id=collection_id,
        debtor_id="D-1",
        debt_id="DEBT-1",
        end_to_end_id=e2e,
        mandate_id=mandate,
        amount=eur(amount),
        collection_date=dt.date(2026, 12, 1),
    )


class TestReasonTable:
    """Codes map to groups; unknown and missing codes get the table's safe default."""

    def test_classify(self) -> None:
        assert TABLE.classify("am04 ") is G.COULD_NOT_PAY
        assert TABLE.classify("XX99") is G.REFUSED_OR_DISPUTED
        assert TABLE.classify(None) is G.REFUSED_OR_DISPUTED
        assert TABLE.knows("MD07")
        assert not TABLE.knows("XX99")
        assert not TABLE.knows(None)

    def test_shipped_table(self) -> None:
        dated = current_reasons()
        table = dated.value
        expected = {
            "AM04": G.COULD_NOT_PAY,
            "MS03": G.COULD_NOT_PAY,
            "MD06": G.REFUSED_OR_DISPUTED,
            "MS02": G.REFUSED_OR_DISPUTED,
            "MD01": G.REFUSED_OR_DISPUTED,
            "SL01": G.REFUSED_OR_DISPUTED,
            "AC06": G.REFUSED_OR_DISPUTED,
            "MD07": G.DECEASED,
            "AC04": G.DATA_ERROR,
            "AG01": G.DATA_ERROR,
            "AM05": G.DATA_ERROR,
            "MD02": G.DATA_ERROR,
            "RR04": G.DATA_ERROR,
        }
        assert {code: table.classify(code) for code in expected} == expected
        assert table.unknown is G.REFUSED_OR_DISPUTED
        assert set(table.descriptions) == set(table.groups)
        assert dated.version.provisional
        assert dated.source

    def test_a_code_in_two_groups_is_refused(self, tmp_path: object) -> None:
        from pathlib import Path

        directory = Path(str(tmp_path))
        (directory / "return_reasons.toml").write_text(
            'table = "return_reasons"\n[[entry]]\nvalid_from = 2020-01-01\nsource = "test"\n'
            '[entry.values]\ncould_not_pay = ["AM04"]\ndata_error = ["AM04"]\n'
            'unknown = "data_error"\n',
            encoding="utf-8",
        )
        with pytest.raises(RuleTableError, match="AM04 is listed under both"):
            load_return_reasons(directory)


class TestMatching:
    """Returns match on EndToEndId (+ mandate id); anything doubtful is flagged, never guessed."""

    def test_statuses(self) -> None:
        collections = [sent("C1", "E1"), sent("C2", "E2"), sent("C3", "E3", amount="5.00")]
        result = match_returns(
            [
                returned("E1"),
                returned("E2", mandate=None),
                returned("E3"),
                returned("E1"),
                returned("E9"),
                returned(None),
                returned("NOTPROVIDED"),
                returned("E2", mandate="M-OTHER"),
            ],
            collections,
        )
        assert [r.status for r in result] == [
            MatchStatus.MATCHED,
            MatchStatus.MATCHED,
            MatchStatus.AMOUNT_MISMATCH,
            MatchStatus.DUPLICATE,
            MatchStatus.UNKNOWN,
            MatchStatus.NO_REFERENCE,
            MatchStatus.NO_REFERENCE,
            MatchStatus.MANDATE_MISMATCH,
        ]
        assert [r.collection.collection_id if r.collection else None for r in result] == [
            "C1",
            "C2",
            "C3",
            "C1",
            None,
            None,
            None,
            "C2",
        ]
        assert [r.matched for r in result].count(True) == 2

    @given(st.lists(st.sampled_from(["E1", "E2", "E3", "E4"]), max_size=12))
    def test_each_collection_is_matched_at_most_once(self, ids: list[str]) -> None:
        collections = [sent("C1", "E1"), sent("C2", "E2")]
        result = match_returns([returned(i) for i in ids], collections)
        assert len(result) == len(ids)
        matched = [r.collection.collection_id for r in result if r.matched and r.collection]
        assert len(matched) == len(set(matched))
        assert set(matched) == {c.collection_id for c in collections if c.end_to_end_id in ids}

    def test_event_for_a_match(self) -> None:
        (match,) = match_returns([returned("E1")], [sent("C1", "E1")])
        event = returned_event(match, occurred_on=dt.date(2026, 12, 5))
        assert isinstance(event, PaymentReturned)
        assert (event.debtor_id, event.debt_id, event.reason_code) == ("D-1", "DEBT-1", "AM04")
        assert event.group is G.COULD_NOT_PAY
        assert event.amount == eur("10.00")
        assert event.collection_date == dt.date(2026, 12, 1)

    def test_no_event_without_a_match(self) -> None:
        (match,) = match_returns([returned("E9")], [sent("C1", "E1")])
        with pytest.raises(ValueError, match="unknown"):
            returned_event(match, occurred_on=dt.date(2026, 12, 5))


class TestReactions:
    """could-not-pay: contact + offer, at most one re-presentation; others never re-collect."""

    def test_could_not_pay(self) -> None:
        first = reaction_for(G.COULD_NOT_PAY, re_presentations_done=0)
        assert first.reaction is ReturnReaction.CONTACT_AND_OFFER_ARRANGEMENT
        assert first.may_re_present
        again = reaction_for(G.COULD_NOT_PAY, re_presentations_done=1)
        assert again.reaction is ReturnReaction.CONTACT_AND_OFFER_ARRANGEMENT
        assert not again.may_re_present
        assert "no automatic retry" in again.explanation

    @given(st.integers(min_value=0, max_value=50), st.integers(min_value=0, max_value=50))
    def test_never_more_than_one_re_presentation(self, done: int, limit: int) -> None:
        reaction = reaction_for(
            G.COULD_NOT_PAY, re_presentations_done=done, re_presentation_limit=limit
        )
        if reaction.may_re_present:
            assert done < MAX_RE_PRESENTATIONS
            assert done < limit

    @pytest.mark.parametrize(
        ("group", "reaction"),
        [
            (G.REFUSED_OR_DISPUTED, ReturnReaction.DISPUTE),
            (G.DECEASED, ReturnReaction.STOP),
            (G.DATA_ERROR, ReturnReaction.FIX_DATA),
        ],
    )
    def test_other_groups(self, group: ReturnReasonGroup, reaction: ReturnReaction) -> None:
        result = reaction_for(group, re_presentations_done=0)
        assert result.reaction is reaction
        assert not result.may_re_present

    def test_negative_counts(self) -> None:
        with pytest.raises(ValueError, match="negative"):
            reaction_for(G.COULD_NOT_PAY, re_presentations_done=-1)
