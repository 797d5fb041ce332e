"""The revisit figures agree with scipy on random pairs: the counts improved, unchanged and
worse, the signed-rank test's p-value, and the rank-biserial effect size from scipy's own rank
sum. Too few pairs that changed give counts only, with the reason."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy.stats import wilcoxon

from auditloop.assurance.rules.revisits import (
    MIN_CHANGED_PAIRS,
    change_figures,
    signed_rank_test,
)

# Differences in grades on a four-grade scale, or in a check's Yes (1) and No (0).
differences = st.lists(st.integers(min_value=-3, max_value=3), max_size=60)


@settings(max_examples=150, deadline=None)
@given(differences)
@example([])
@example([0, 0, 0, 0, 0, 0, 0, 0])
@example([2])
@example([1, 1, 1, 1, 1, 1])
@example([-1, -1, -1, -1, -1, -1, 0])
@example([1, -1, 1, -1, 1, -1])
def test_the_counts_add_up_to_the_pairs_and_match_their_signs(diffs: list[int]) -> None:
    figures = change_figures(diffs)
    d = np.asarray(diffs, dtype=int)
    assert figures.n == len(diffs)
    assert figures.improved == int((d > 0).sum())
    assert figures.worse == int((d < 0).sum())
    assert figures.unchanged == int((d == 0).sum())
    if diffs:
        shares = [figures.improved_share, figures.unchanged_share, figures.worse_share]
        assert math.isclose(sum(s or 0 for s in shares), 1.0)
    else:
        assert figures.improved_share is None


@settings(max_examples=150, deadline=None)
@given(differences)
@example([1, 1, 1, 1, 1, 1])
@example([3, 1, 2, -1, 1, 2, 0, 0])
@example([1, 2, 3, 4, 5, 6, 7])
@example([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1])
def test_the_p_value_is_scipys_on_the_pairs_that_changed(diffs: list[int]) -> None:
    changed = [x for x in diffs if x != 0]
    test = signed_rank_test(diffs)
    if len(changed) < MIN_CHANGED_PAIRS:
        assert test is None
        return
    assert test is not None
    # The pairs that stayed the same are left out before scipy chooses its method, as the page
    # says: with them, a long list of mostly unchanged pairs would swap the exact test for the
    # normal approximation.
    reference = wilcoxon(changed)
    assert test.n == len(changed)
    assert math.isclose(test.p_value, float(reference.pvalue), rel_tol=1e-9)
    assert 0 < test.p_value <= 1


@settings(max_examples=150, deadline=None)
@given(differences)
@example([1, 1, 1, 1, 1, 1])
@example([-2, -1, -1, -3, -1, -1])
@example([1, -1, 2, -2, 3, -3])
def test_the_effect_size_is_the_rank_biserial_correlation_from_scipys_rank_sum(
    diffs: list[int],
) -> None:
    test = signed_rank_test(diffs)
    if test is None:
        return
    # scipy's one-sided statistic is the sum of the ranks of the positive differences (T+).
    rank_sum_better = float(wilcoxon(diffs, zero_method="wilcox", alternative="greater").statistic)
    total = test.n * (test.n + 1) / 2
    assert math.isclose(test.rank_sum_better, rank_sum_better)
    assert math.isclose(test.rank_sum_better + test.rank_sum_worse, total)
    assert math.isclose(test.effect, 2 * rank_sum_better / total - 1, abs_tol=1e-12)
    assert -1 <= test.effect <= 1


def test_every_pair_unchanged_gives_counts_and_says_there_is_nothing_to_test() -> None:
    figures = change_figures([0] * 12)
    assert (figures.n, figures.improved, figures.unchanged, figures.worse) == (12, 0, 12, 0)
    assert figures.test is None
    assert figures.no_test_reason == "Every pair stayed the same, so there is no change to test."


def test_one_pair_gives_its_count_and_says_the_test_needs_six() -> None:
    figures = change_figures([2])
    assert (figures.n, figures.improved) == (1, 1)
    assert figures.test is None
    assert "Only 1 pair changed" in figures.no_test_reason
    assert "at least 6" in figures.no_test_reason


def test_five_pairs_that_changed_are_too_few_and_six_are_enough() -> None:
    assert change_figures([1, 1, 1, 1, 1, 0, 0]).test is None
    test = change_figures([1, 1, 1, 1, 1, 1, 0]).test
    assert test is not None
    # Six improvements out of six: the smallest p the test can give for six, 2 / 2**6.
    assert math.isclose(test.p_value, 2 / 2**6)
    assert test.effect == 1.0
    assert test.significant
    assert test.effect_size_words == "large"


def test_every_pair_worse_gives_an_effect_of_minus_one() -> None:
    test = signed_rank_test([-1, -2, -1, -1, -3, -2, -1])
    assert test is not None
    assert test.effect == -1.0


def test_the_method_is_named_as_scipy_chose_it() -> None:
    untied = signed_rank_test([1, 2, 3, 4, 5, -6])
    tied = signed_rank_test([1, 1, 1, 2, 2, -1])
    many = signed_rank_test([1] * 20 + [-1] * 3)
    assert untied is not None and untied.method == "exact"
    assert tied is not None and tied.method.startswith("exact, over every pattern of signs")
    assert many is not None and many.method == "normal approximation, allowing for ties"
