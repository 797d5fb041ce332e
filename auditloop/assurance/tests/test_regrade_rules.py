"""The blind regrade's pure rules: the moderation's status machine, how many grades apart two
grades are (in places on their scale), and which questions are in dispute."""

from __future__ import annotations

import pytest

from auditloop.assurance.models import ModerationStatus
from auditloop.assurance.rules.regrade import (
    MODERATION_TRANSITIONS,
    apart_words,
    in_dispute,
    moderation_move_refusal,
)
from auditloop.audits.models import Grade, GradingScale
from auditloop.audits.rules import grades_apart

pytestmark = pytest.mark.django_db


def _scale(values: list[int]) -> list[Grade]:
    scale = GradingScale.objects.create(slug=f"s{len(values)}", name="Scale")
    return [Grade.objects.create(scale=scale, code=f"g{v}", label=f"G{v}", value=v) for v in values]


def test_every_status_has_its_moves_and_settled_moderations_move_no_more() -> None:
    assert set(MODERATION_TRANSITIONS) == set(ModerationStatus.values)
    assert MODERATION_TRANSITIONS[ModerationStatus.AGREED] == frozenset()
    assert MODERATION_TRANSITIONS[ModerationStatus.DECIDED] == frozenset()


@pytest.mark.parametrize(
    ("status", "to", "allowed"),
    [
        (ModerationStatus.REGRADING, ModerationStatus.AGREEING, True),
        (ModerationStatus.AGREEING, ModerationStatus.AGREED, True),
        (ModerationStatus.AGREEING, ModerationStatus.ESCALATED, True),
        (ModerationStatus.ESCALATED, ModerationStatus.DECIDED, True),
        (ModerationStatus.UNASSIGNED, ModerationStatus.AGREEING, False),
        (ModerationStatus.REGRADING, ModerationStatus.AGREED, False),
        (ModerationStatus.AGREED, ModerationStatus.ESCALATED, False),
        (ModerationStatus.ESCALATED, ModerationStatus.AGREED, False),
        (ModerationStatus.DECIDED, ModerationStatus.DECIDED, False),
    ],
)
def test_a_moderation_moves_only_as_the_table_allows(status: str, to: str, allowed: bool) -> None:
    assert (moderation_move_refusal(status, to) is None) is allowed


def test_a_refused_move_says_where_the_moderation_is_and_what_cannot_happen() -> None:
    assert moderation_move_refusal(ModerationStatus.AGREED, ModerationStatus.DECIDED) == (
        "A moderation that is at 'agreed' cannot be decided."
    )


def test_grades_are_counted_apart_in_places_on_their_scale_not_in_values() -> None:
    low, mid, high = _scale([1, 5, 10])
    assert grades_apart(low, high, [high, mid, low]) == 2
    assert grades_apart(high, mid, [high, mid, low]) == -1
    assert grades_apart(mid, mid, [high, mid, low]) == 0


def test_a_missing_or_stray_grade_is_not_compared() -> None:
    low, high = _scale([1, 2])
    (stray,) = _scale([7])
    assert grades_apart(None, high, [low, high]) is None
    assert grades_apart(low, stray, [low, high]) is None


def test_the_difference_reads_as_words() -> None:
    assert apart_words(0) == "Same"
    assert apart_words(1) == "1 grade higher"
    assert apart_words(-2) == "2 grades lower"
    assert apart_words(None) == "Not compared"


def test_a_question_is_in_dispute_when_its_grades_are_not_all_the_same() -> None:
    a, b = _scale([1, 2])
    assert not in_dispute(a, a)
    assert not in_dispute(a, a, None)
    assert in_dispute(a, b)
    assert in_dispute(a, a, b)
