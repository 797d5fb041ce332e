"""The statistics of whether training made a difference: Cliff's delta, the difference in
differences, its bootstrap interval, small groups suppressed and the caveats."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import mannwhitneyu

from auditloop.learning.rules.training_impact import (
    LEVEL,
    OBSERVATIONAL,
    TOO_FEW,
    Period,
    PersonGrades,
    bootstrap_intervals,
    cliffs_delta,
    effect_words,
    impact_compare,
)

grades = st.lists(st.integers(min_value=0, max_value=3), min_size=1, max_size=40)


@given(grades, grades)
def test_cliffs_delta_lies_between_minus_one_and_one(a: list[int], b: list[int]) -> None:
    assert -1.0 <= cliffs_delta(a, b) <= 1.0


@given(grades, grades)
def test_cliffs_delta_is_antisymmetric(a: list[int], b: list[int]) -> None:
    assert cliffs_delta(a, b) == -cliffs_delta(b, a)


@given(grades)
def test_cliffs_delta_is_zero_when_both_sides_are_the_same(a: list[int]) -> None:
    assert cliffs_delta(a, list(a)) == 0.0


def test_cliffs_delta_is_one_when_every_later_grade_is_higher() -> None:
    assert cliffs_delta([3, 3, 2], [1, 0]) == 1.0


def test_cliffs_delta_agrees_with_the_rank_biserial_correlation_from_scipy() -> None:
    later = [3, 2, 2, 3, 1, 2, 3, 3, 2, 1, 2]
    earlier = [1, 2, 1, 2, 2, 0, 1, 3, 1]
    u = mannwhitneyu(later, earlier, alternative="two-sided").statistic
    assert abs(cliffs_delta(later, earlier) - (2 * u / (len(later) * len(earlier)) - 1)) < 1e-12


def _people(n: int, before: tuple[int, ...], after: tuple[int, ...]) -> list[PersonGrades]:
    return [PersonGrades(before=before, after=after) for _ in range(n)]


def test_attendees_who_improved_beside_others_who_did_not_give_a_positive_difference() -> None:
    attendees = _people(6, (1, 1), (2, 2))
    others = _people(6, (1, 2), (1, 2))
    impact = impact_compare(attendees, others, places=4, threshold=5)
    assert impact.attendees.before is not None and impact.attendees.before.audits == 12
    assert impact.attendees.before.distribution == (0, 12, 0, 0)
    assert impact.difference == 1.0
    assert impact.effect == 1.0
    assert impact.difference_interval == (1.0, 1.0)
    assert not impact.too_few
    assert impact.caveats == [OBSERVATIONAL]
    assert effect_words(impact.effect) == "large, better after the training"


def test_identical_groups_give_no_difference() -> None:
    people = _people(6, (1, 2), (2, 3))
    impact = impact_compare(people, list(people), places=4, threshold=5)
    assert impact.difference == 0.0 and impact.effect == 0.0


def test_fewer_than_ten_audits_in_a_group_says_there_are_too_few_to_say() -> None:
    attendees = _people(5, (1,), (2,))
    others = _people(8, (1, 2), (1, 2))
    impact = impact_compare(attendees, others, places=4, threshold=5)
    assert impact.too_few
    assert impact.caveats[0].startswith(TOO_FEW)
    assert impact.caveats[-1] == OBSERVATIONAL
    assert impact.difference is not None


def test_a_group_of_fewer_than_three_people_is_suppressed_and_nothing_compared() -> None:
    attendees = _people(2, (1, 1, 1), (3, 3, 3))
    others = _people(8, (1, 2), (1, 2))
    impact = impact_compare(attendees, others, places=4, threshold=5)
    assert impact.attendees.suppressed and impact.attendees.people == 2
    assert impact.attendees.before == Period(audits=None, mean=None, distribution=(None,) * 4)
    assert impact.attendees.change is None
    assert impact.difference is None and impact.effect is None
    assert "no one's grades can be picked out" in impact.caveats[0]
    assert impact.others.before.distribution == (0, 8, 8, 0)  # the other group is shown


def test_a_small_count_is_shown_where_only_small_groups_are_withheld() -> None:
    # Five attendees: four graded Good before, one Requires improvement; all Good after. The
    # page's readers may read every audit behind it, so the 2 is shown.
    attendees = _people(4, (2, 2), (2, 2)) + _people(1, (1, 1), (2, 2))
    others = _people(6, (1, 2), (1, 2))
    impact = impact_compare(attendees, others, places=4, threshold=5)
    before = impact.attendees.before
    assert before.distribution == (0, 2, 8, 0) and before.audits == 10
    assert before.mean is not None and impact.difference is not None


def test_a_group_of_two_people_is_withheld_whole_with_what_would_give_it_away() -> None:
    attendees = _people(2, (2, 2, 2), (2, 2, 2))
    others = _people(6, (1, 2), (1, 2))
    impact = impact_compare(attendees, others, places=4, threshold=5)
    assert impact.attendees.before.distribution == (None, None, None, None)
    assert impact.difference is None


def test_the_bootstrap_interval_is_the_same_every_time_and_contains_the_difference() -> None:
    attendees = [PersonGrades((1, 2), (2, 3)), PersonGrades((1,), (1, 2)), PersonGrades((2,), (3,))]
    attendees += [PersonGrades((0, 1), (1, 1)), PersonGrades((2, 2), (2, 3))]
    others = [PersonGrades((1, 2), (1, 2)), PersonGrades((2,), (1,)), PersonGrades((1,), (2,))]
    others += [PersonGrades((1, 1), (1, 2)), PersonGrades((3, 2), (2, 2))]
    first = bootstrap_intervals(attendees, others)
    assert first == bootstrap_intervals(attendees, others)
    # The difference in differences: the attendees' change in mean place minus the others'.
    difference = (18 / 9 - 11 / 8) - (13 / 8 - 13 / 8)
    assert first is not None
    low, high = first[0]
    assert low <= difference <= high
    assert low < high


@given(st.floats(min_value=-2, max_value=2))
def test_effect_words_name_a_size_and_a_direction(effect: float) -> None:
    words = effect_words(effect)
    assert words == "negligible" or ("better" in words) == (effect > 0)


def _pairwise_delta(later: list[int], earlier: list[int]) -> float:
    """Cliff's delta by its definition, over every pair (how it was first worked out)."""
    a = np.asarray(later)[:, None]
    b = np.asarray(earlier)[None, :]
    return float(np.sign(a - b).sum() / (len(later) * len(earlier)))


def _bootstrap_by_every_grade(
    attendees: list[PersonGrades], others: list[PersonGrades], reps: int, seed: int
) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """The bootstrap as first written: each resample pools its people's grades one by one."""
    rng = np.random.default_rng(seed)
    differences: list[float] = []
    effects: list[float] = []

    def change(people: list[PersonGrades]) -> tuple[float, float] | None:
        before = [g for p in people for g in p.before]
        after = [g for p in people for g in p.after]
        if not before or not after:
            return None
        return float(np.mean(after) - np.mean(before)), _pairwise_delta(after, before)

    for _ in range(reps):
        a = [attendees[i] for i in rng.integers(0, len(attendees), len(attendees))]
        o = [others[i] for i in rng.integers(0, len(others), len(others))]
        ca, co = change(a), change(o)
        if ca is None or co is None:
            continue
        differences.append(ca[0] - co[0])
        effects.append(ca[1] - co[1])
    if not differences:
        return None

    def interval(values: list[float]) -> tuple[float, float]:
        tail = (1 - LEVEL) / 2 * 100
        low, high = np.percentile(values, [tail, 100 - tail])
        return float(low), float(high)

    return interval(differences), interval(effects)


@given(grades, grades)
def test_cliffs_delta_is_exactly_its_definition_over_every_pair(a: list[int], b: list[int]) -> None:
    assert cliffs_delta(a, b) == _pairwise_delta(a, b)


def test_cliffs_delta_counts_groups_whose_pairs_would_not_fit_in_memory() -> None:
    # 300,000 grades a side: 9 x 10^10 pairs, 720 GB as a matrix of every pair.
    later = [3] * 100_000 + [2] * 100_000 + [1] * 100_000
    earlier = [2] * 150_000 + [0] * 150_000
    # Above for the 3s and 1s over 0s, level with 2s for the 2s, below for the 1s under 2s.
    pairs = 100_000 * 300_000 + 100_000 * 150_000 + 100_000 * (150_000 - 150_000)
    assert cliffs_delta(later, earlier) == pairs / (300_000 * 300_000)


people = st.builds(
    PersonGrades,
    st.lists(st.integers(min_value=0, max_value=3), max_size=6).map(tuple),
    st.lists(st.integers(min_value=0, max_value=3), max_size=6).map(tuple),
)


@given(st.lists(people, min_size=1, max_size=8), st.lists(people, min_size=1, max_size=8))
def test_the_bootstrap_from_counts_gives_exactly_the_intervals_of_every_grade(
    attendees: list[PersonGrades], others: list[PersonGrades]
) -> None:
    assert bootstrap_intervals(attendees, others, reps=50, seed=7) == _bootstrap_by_every_grade(
        attendees, others, reps=50, seed=7
    )
