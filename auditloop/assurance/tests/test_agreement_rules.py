"""The agreement figures, checked against scikit-learn's kappa and the `krippendorff` package's
alpha (GPL-3.0, used here only as the reference) on random data, and at the edges where a
figure is undefined."""

from __future__ import annotations

import itertools
import json
import math
import warnings
from collections import Counter

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score

from auditloop.assurance.rules.agreement import (
    ALPHA_ORDINAL,
    EXACT,
    KAPPA_LINEAR,
    KAPPA_QUADRATIC,
    MIN_ITEMS_FOR_INTERVAL,
    Figure,
    Rating,
    _all_figures,
    _items_from_ratings,
    agreement_of_pairs,
    agreement_of_ratings,
    alpha_reading,
    kappa_reading,
)

FOUR = [1, 2, 3, 4]
ELEVEN = list(range(11))
# Few resamples where the interval is not what a test is about: the tests stay quick.
QUICK = 50


@st.composite
def ratings_on(draw: st.DrawFn, scale: list[int], raters: int | None = None) -> list[Rating]:
    """Random ratings: up to 25 items, 1 to 5 raters (or exactly `raters`), some missing."""
    n_raters = raters or draw(st.integers(1, 5))
    n_items = draw(st.integers(1, 25))
    missing = draw(st.sampled_from([0.0, 0.2, 0.5]))
    grades = draw(
        st.lists(
            st.tuples(st.sampled_from(scale), st.floats(0, 1)),
            min_size=n_items * n_raters,
            max_size=n_items * n_raters,
        )
    )
    out = []
    for (item, rater), (grade, chance) in zip(
        itertools.product(range(n_items), range(n_raters)), grades, strict=True
    ):
        if chance >= missing:
            out.append(Rating(f"item {item}", f"rater {rater}", grade))
    return out


def reliability_data(ratings: list[Rating]) -> tuple[np.ndarray, int]:
    """The krippendorff package's layout: raters x items, NaN where missing; and how many items
    two or more raters graded."""
    items = sorted({r.item for r in ratings})
    raters = sorted({r.rater for r in ratings})
    data = np.full((len(raters), len(items)), np.nan)
    for r in ratings:
        data[raters.index(r.rater), items.index(r.item)] = r.grade
    pairable = int((np.sum(~np.isnan(data), axis=0) >= 2).sum())
    return data, pairable


def reference_alpha(ratings: list[Rating], scale: list[int]) -> float | None:
    data, pairable = reliability_data(ratings)
    if data.shape[0] < 2 or pairable < 2:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        value = krippendorff.alpha(
            reliability_data=data, value_domain=scale, level_of_measurement="ordinal"
        )
    return None if math.isnan(value) else float(value)


def both_rated(
    ratings: list[Rating], raters: list[str] | None = None
) -> tuple[list[int], list[int]]:
    """The grades of the items both raters graded (by default, the two who graded any)."""
    raters = raters or sorted({r.rater for r in ratings})
    given = {(r.item, r.rater): r.grade for r in ratings}
    items = sorted({r.item for r in ratings})
    pairs = [
        (given[i, raters[0]], given[i, raters[1]])
        for i in items
        if (i, raters[0]) in given and (i, raters[1]) in given
    ]
    return [a for a, _ in pairs], [b for _, b in pairs]


def reference_kappa(y1: list[int], y2: list[int], scale: list[int], kind: str) -> float | None:
    if len(y1) < 2:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = cohen_kappa_score(y1, y2, labels=scale, weights=kind)
    return None if math.isnan(value) else float(value)


def reference_pair_shares(ratings: list[Rating]) -> tuple[int, float | None, float | None]:
    """Every pair of ratings of the same item, counted one by one."""
    by_item: dict[str, list[int]] = {}
    for r in ratings:
        by_item.setdefault(r.item, []).append(r.grade)
    pairs = [pair for grades in by_item.values() for pair in itertools.combinations(grades, 2)]
    if not pairs:
        return 0, None, None
    exact = sum(a == b for a, b in pairs) / len(pairs)
    within = sum(abs(a - b) <= 1 for a, b in pairs) / len(pairs)
    return len(pairs), exact, within


@settings(max_examples=150, deadline=None)
@given(data=st.data(), scale=st.sampled_from([FOUR, ELEVEN]))
def test_ordinal_alpha_matches_the_krippendorff_package_with_any_raters_and_missing_ratings(
    data: st.DataObject, scale: list[int]
) -> None:
    ratings = data.draw(ratings_on(scale))
    ours = agreement_of_ratings(ratings, scale=scale, resamples=QUICK).alpha_ordinal
    expected = reference_alpha(ratings, scale)
    if expected is None:
        assert ours.value is None and ours.reason
    else:
        assert ours.value == pytest.approx(expected, abs=1e-9)


@settings(max_examples=150, deadline=None)
@given(data=st.data(), scale=st.sampled_from([FOUR, ELEVEN]))
def test_weighted_kappas_match_scikit_learn_for_two_raters_with_missing_ratings(
    data: st.DataObject, scale: list[int]
) -> None:
    ratings = data.draw(ratings_on(scale, raters=2))
    figures = agreement_of_ratings(ratings, scale=scale, resamples=QUICK)
    if figures.n_raters != 2:  # every grade of one rater went missing
        assert figures.kappa_linear.value is None
        assert figures.kappa_linear.reason
        return
    y1, y2 = both_rated(ratings)
    for figure, kind in ((figures.kappa_linear, "linear"), (figures.kappa_quadratic, "quadratic")):
        expected = reference_kappa(y1, y2, scale, kind)
        assert figure.n == len(y1)
        if expected is None:
            assert figure.value is None and figure.reason
        else:
            assert figure.value == pytest.approx(expected, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_exact_and_within_one_are_the_shares_of_pairs_on_the_same_item_that_agree(
    data: st.DataObject,
) -> None:
    ratings = data.draw(ratings_on(FOUR))
    figures = agreement_of_ratings(ratings, scale=FOUR, resamples=QUICK)
    pairs, exact, within = reference_pair_shares(ratings)
    assert (figures.exact.n, figures.within_one.n) == (pairs, pairs)
    assert figures.exact.value == (pytest.approx(exact) if exact is not None else None)
    assert figures.within_one.value == (pytest.approx(within) if within is not None else None)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_the_resamples_figures_match_the_references_on_the_items_they_draw(
    data: st.DataObject,
) -> None:
    """The interval comes from figures worked out for all resamples at once, as sums of each
    item's contributions: each resample's figures must be the references' for the items it
    drew, counted as often as it drew them."""
    ratings = data.draw(ratings_on(FOUR, raters=2).filter(lambda r: len({x.rater for x in r}) == 2))
    items = _items_from_ratings(ratings, FOUR)
    drawn = data.draw(st.lists(st.integers(0, 3), min_size=items.n_items, max_size=items.n_items))
    sums = np.array(drawn, dtype=float) @ items.contributions()
    ours = {key: values[0] for key, values in _all_figures(sums[None, :], items.k).items()}
    names = sorted({r.item for r in ratings})
    resample = [
        Rating(f"{r.item} copy {c}", r.rater, r.grade)
        for r in ratings
        for c in range(drawn[names.index(r.item)])
    ]
    y1, y2 = both_rated(resample, sorted({r.rater for r in ratings}))
    for key, kind in ((KAPPA_LINEAR, "linear"), (KAPPA_QUADRATIC, "quadratic")):
        expected = reference_kappa(y1, y2, FOUR, kind) if y1 else None
        if expected is None:
            assert math.isnan(ours[key]) or len(y1) < 2
        else:
            assert ours[key] == pytest.approx(expected, abs=1e-9)
    _, pairable = reliability_data(resample) if resample else (None, 0)
    expected_alpha = reference_alpha(resample, FOUR) if resample else None
    if expected_alpha is not None:
        assert ours[ALPHA_ORDINAL] == pytest.approx(expected_alpha, abs=1e-9)
    elif pairable >= 2:
        assert math.isnan(ours[ALPHA_ORDINAL])


@settings(max_examples=40, deadline=None)
@given(
    pairs=st.dictionaries(
        st.tuples(st.sampled_from(FOUR), st.sampled_from(FOUR)), st.integers(1, 6), max_size=10
    )
)
def test_counts_of_pairs_give_the_same_figures_as_the_ratings_they_count(
    pairs: dict[tuple[int, int], int],
) -> None:
    ratings = [
        rating
        for n, ((a, b), count) in enumerate(sorted(pairs.items()))
        for c in range(count)
        for rating in (Rating(f"{n}.{c}", "auditor", a), Rating(f"{n}.{c}", "moderator", b))
    ]
    from_pairs = agreement_of_pairs(pairs, scale=FOUR, resamples=QUICK)
    from_ratings = agreement_of_ratings(ratings, scale=FOUR, resamples=QUICK)
    assert (from_pairs.n_items, from_pairs.n_raters) == (
        from_ratings.n_items,
        from_ratings.n_raters,
    )
    for ours, theirs in zip(from_pairs.figures, from_ratings.figures, strict=True):
        assert (ours.key, ours.n, ours.reason) == (theirs.key, theirs.n, theirs.reason)
        assert ours.value == (pytest.approx(theirs.value) if theirs.value is not None else None)


@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_the_json_holds_numbers_or_null_never_nan(data: st.DataObject) -> None:
    ratings = data.draw(ratings_on(FOUR))
    out = agreement_of_ratings(ratings, scale=FOUR, resamples=QUICK).as_json()
    json.dumps(out, allow_nan=False)
    assert {"n_items", "n_raters", "exact", "within_one", "alpha_ordinal"} <= set(out)
    has_kappa = {"kappa_linear", "kappa_quadratic"} <= set(out)
    assert has_kappa == (out["n_raters"] == 2)


# The edges -----------------------------------------------------------------------------------


def _two_raters(pairs: list[tuple[int, int]]) -> list[Rating]:
    return [
        rating
        for n, (a, b) in enumerate(pairs)
        for rating in (Rating(f"q{n}", "auditor", a), Rating(f"q{n}", "moderator", b))
    ]


def test_one_grade_used_throughout_leaves_kappa_and_alpha_undefined_and_says_why() -> None:
    figures = agreement_of_ratings(
        _two_raters([(3, 3)] * 12), scale=FOUR, names={3: "Good"}, resamples=QUICK
    )
    assert figures.exact.value == 1.0
    for figure in (figures.kappa_linear, figures.kappa_quadratic, figures.alpha_ordinal):
        assert figure.value is None
        assert "same grade (Good)" in figure.reason
        assert "cannot be measured" in figure.reason
        assert (figure.low, figure.high, figure.reading) == (None, None, "")
    # The references agree that there is no number to give.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert math.isnan(cohen_kappa_score([3] * 12, [3] * 12, labels=FOUR, weights="linear"))
        assert math.isnan(
            krippendorff.alpha(
                reliability_data=[[3] * 12, [3] * 12],
                value_domain=FOUR,
                level_of_measurement="ordinal",
            )
        )


def test_two_raters_each_keeping_to_their_own_single_grade_have_a_kappa_of_zero() -> None:
    figures = agreement_of_ratings(_two_raters([(3, 2)] * 6), scale=FOUR, resamples=QUICK)
    assert figures.kappa_linear.value == pytest.approx(0.0)
    assert figures.exact.value == 0.0 and figures.within_one.value == 1.0


def test_two_items_give_the_references_figures_but_no_interval() -> None:
    figures = agreement_of_ratings(_two_raters([(4, 3), (2, 2)]), scale=FOUR)
    assert figures.kappa_quadratic.value == pytest.approx(
        cohen_kappa_score([4, 2], [3, 2], labels=FOUR, weights="quadratic")
    )
    assert figures.alpha_ordinal.value == pytest.approx(
        krippendorff.alpha(
            reliability_data=[[4, 2], [3, 2]], value_domain=FOUR, level_of_measurement="ordinal"
        )
    )
    assert figures.kappa_quadratic.low is None
    assert figures.kappa_quadratic.interval_reason == (
        f"No interval from 2 items: at least {MIN_ITEMS_FOR_INTERVAL} are needed."
    )


def test_one_item_is_too_few_for_kappa_or_alpha() -> None:
    figures = agreement_of_ratings(_two_raters([(4, 2)]), scale=FOUR, resamples=QUICK)
    assert figures.exact.value == 0.0
    assert figures.kappa_linear.value is None
    assert figures.kappa_linear.reason == (
        "Only 1 item was graded by both raters: at least 2 are needed."
    )
    assert figures.alpha_ordinal.reason == (
        "Only 1 item was graded by two or more raters: at least 2 are needed."
    )


def test_a_single_rater_has_nobody_to_agree_with() -> None:
    ratings = [Rating(f"q{n}", "alone", g) for n, g in enumerate([1, 2, 3, 4, 4])]
    figures = agreement_of_ratings(ratings, scale=FOUR, resamples=QUICK)
    assert (figures.n_items, figures.n_raters) == (5, 1)
    for figure in (figures.exact, figures.within_one, figures.alpha_ordinal):
        assert figure.value is None
        assert figure.reason == "Only one rater: there is nobody to agree with."
    assert "exactly two raters; these grades have 1" in figures.kappa_linear.reason
    out = figures.as_json()
    assert "kappa_linear" not in out and out["alpha_ordinal"] is None


def test_missing_ratings_leave_an_item_out_of_kappa_but_in_alpha_with_three_raters() -> None:
    ratings = [
        *_two_raters([(4, 4), (3, 2), (2, 2), (1, 2), (3, 3)]),
        Rating("q0", "third", 4),
        Rating("q1", "third", 3),
        Rating("lonely", "third", 1),  # one rating: counted as an item, pairable with nobody
    ]
    figures = agreement_of_ratings(ratings, scale=FOUR, resamples=QUICK)
    assert (figures.n_items, figures.n_raters, figures.alpha_ordinal.n) == (6, 3, 5)
    data, _ = reliability_data(ratings)
    assert figures.alpha_ordinal.value == pytest.approx(
        krippendorff.alpha(reliability_data=data, value_domain=FOUR, level_of_measurement="ordinal")
    )
    # Pairs: four items with two ratings, two with three (three pairs each).
    assert figures.exact.n == 3 * 1 + 2 * 3


def test_an_unused_grade_between_two_used_ones_still_counts_as_a_step() -> None:
    pairs = [(1, 3), (3, 3), (4, 3), (1, 1), (4, 4), (3, 1)]
    y1, y2 = [a for a, _ in pairs], [b for _, b in pairs]
    on_four = agreement_of_ratings(_two_raters(pairs), scale=FOUR, resamples=QUICK)
    without_two = agreement_of_ratings(_two_raters(pairs), scale=[1, 3, 4], resamples=QUICK)
    expected = cohen_kappa_score(y1, y2, labels=FOUR, weights="linear")
    assert on_four.kappa_linear.value == pytest.approx(expected)
    assert without_two.kappa_linear.value != pytest.approx(expected)
    # 1 and 3 are two grades apart on the four-point scale: not within one.
    assert on_four.within_one.value == pytest.approx(4 / 6)


def test_no_ratings_at_all_say_so() -> None:
    figures = agreement_of_ratings([], scale=FOUR)
    assert figures.n_items == 0
    assert all(f.value is None for f in figures.figures)
    assert figures.exact.reason == "There are no grades to compare."


def test_a_grade_off_the_scale_or_a_rater_grading_an_item_twice_is_refused() -> None:
    with pytest.raises(ValueError, match=r"grade 5 is not on the scale \(1 to 4\)"):
        agreement_of_ratings([Rating("q", "a", 5)], scale=FOUR)
    with pytest.raises(ValueError, match="two grades from rater 'a'"):
        agreement_of_ratings([Rating("q", "a", 1), Rating("q", "a", 2)], scale=FOUR)
    with pytest.raises(ValueError, match="lowest to highest"):
        agreement_of_ratings([], scale=[3, 2, 1])


# The interval and the reading ----------------------------------------------------------------


def _moderately_agreeing() -> list[Rating]:
    rng = np.random.default_rng(5)
    pairs = []
    for _ in range(40):
        a = int(rng.integers(1, 5))
        b = min(4, max(1, a + int(rng.choice([-2, -1, 0, 0, 0, 1]))))
        pairs.append((a, b))
    return _two_raters(pairs)


def test_the_interval_repeats_with_the_fixed_seed_and_moves_with_another() -> None:
    ratings = _moderately_agreeing()
    first = agreement_of_ratings(ratings, scale=FOUR)
    again = agreement_of_ratings(ratings, scale=FOUR)
    other = agreement_of_ratings(ratings, scale=FOUR, seed=7)
    assert first == again
    assert (first.kappa_linear.low, first.kappa_linear.high) != (
        other.kappa_linear.low,
        other.kappa_linear.high,
    )


def test_the_interval_surrounds_the_figure_and_stays_within_its_range() -> None:
    figures = agreement_of_ratings(_moderately_agreeing(), scale=FOUR)
    for figure in figures.figures:
        assert figure.low is not None and figure.high is not None and figure.value is not None
        assert figure.low <= figure.value <= figure.high
        assert figure.high - figure.low > 0.05
        lowest = 0.0 if figure.is_share else -1.0
        assert lowest <= figure.low and figure.high <= 1.0


def test_a_figure_undefined_in_many_resamples_gets_no_interval() -> None:
    # 19 items graded Good by both, one Requires improvement by both: most resamples of twenty
    # miss the one, and hold a single grade.
    figures = agreement_of_ratings(_two_raters([(3, 3)] * 19 + [(2, 2)]), scale=FOUR)
    assert figures.kappa_linear.value == pytest.approx(1.0)
    assert figures.kappa_linear.low is None
    assert "cannot be worked out in" in figures.kappa_linear.interval_reason


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (-0.05, "poor agreement (less than chance)"),
        (-0.004, "slight agreement"),  # shown as 0.00
        (0.2, "slight agreement"),
        (0.204, "slight agreement"),  # shown as 0.20
        (0.206, "fair agreement"),  # shown as 0.21
        (0.4, "fair agreement"),
        (0.41, "moderate agreement"),
        (0.6, "moderate agreement"),
        (0.61, "substantial agreement"),
        (0.8, "substantial agreement"),
        (0.81, "almost perfect agreement"),
        (1.0, "almost perfect agreement"),
    ],
)
def test_kappa_reads_on_landis_and_kochs_scale_at_the_decimals_shown(
    value: float, words: str
) -> None:
    assert kappa_reading(value) == words


@pytest.mark.parametrize(
    ("value", "start"),
    [
        (0.9, "reliable"),
        (0.8, "reliable"),
        (0.7996, "reliable"),  # shown as 0.800
        (0.799, "good enough only for tentative"),
        (0.667, "good enough only for tentative"),
        (0.666, "too unreliable"),
        (-0.2, "too unreliable"),
    ],
)
def test_alpha_reads_on_krippendorffs_thresholds(value: float, start: str) -> None:
    assert alpha_reading(value).startswith(start)


def test_each_figure_carries_its_reading_and_the_scale_it_comes_from() -> None:
    figures = agreement_of_ratings(_moderately_agreeing(), scale=FOUR, resamples=QUICK)
    assert figures.kappa_quadratic.reading_scale == "Landis and Koch (1977)"
    assert figures.kappa_quadratic.reading == kappa_reading(figures.kappa_quadratic.value or 0)
    assert figures.alpha_ordinal.reading_scale.startswith("Krippendorff")
    assert figures.exact.reading == ""
    assert Counter(f.counted for f in figures.figures) == {"pairs": 2, "items": 3}


@pytest.mark.parametrize(
    ("key", "low", "high", "words"),
    [
        (KAPPA_QUADRATIC, -0.001, 0.4, "0.00 to 0.40"),
        (KAPPA_QUADRATIC, -0.004, -0.0001, "0.00 to 0.00"),
        (KAPPA_QUADRATIC, -0.2, 0.4, "-0.20 to 0.40"),
        (ALPHA_ORDINAL, -0.0004, 0.5, "0.000 to 0.500"),
        (EXACT, -0.001, 0.5, "0% to 50%"),
    ],
)
def test_an_interval_a_hair_below_zero_prints_zero_without_a_minus_sign(
    key: str, low: float, high: float, words: str
) -> None:
    figure = Figure(key=key, value=0.1, n=10, counted="pairs", low=low, high=high)
    assert figure.interval_text == words
