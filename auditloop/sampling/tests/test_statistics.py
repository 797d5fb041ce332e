"""The arithmetic of a sample, checked against references written here independently."""

from __future__ import annotations

import math
from fractions import Fraction
from statistics import NormalDist

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditloop.sampling.rules import statistics

# The first five of cases 1..100 drawn with seed 2026, as every earlier version drew them.
PINNED_2026 = [16, 41, 65, 66, 83]
# Refusals are compared whole: a reworded message is a change someone should see.
MARGIN_REFUSED = r"^The margin of error must be between 0 and 1, for example 0\.05\.$"
CONFIDENCE_REFUSED = r"^The confidence level must be between 0 and 1, for example 0\.95\.$"


def reference_cochran(population: int, confidence: float, margin: float) -> int:
    """Cochran (1977): n0 = z^2 p q / e^2 with p = q = 0.5, then n = n0 N / (n0 + N - 1),
    rounded up to a whole case (at least one from a population that has any), worked in
    exact fractions so that only z itself is a floating-point number. An answer within 1e-9
    above a whole number is that number: the same tolerance the product documents."""
    if population == 0:
        return 0
    z = Fraction(NormalDist().inv_cdf((1 + confidence) / 2))
    n0 = z * z * Fraction(1, 4) / (Fraction(margin) ** 2)
    n = n0 * population / (n0 + population - 1)
    return min(population, max(1, math.ceil(n - Fraction(1, 10**9))))


@given(
    population=st.integers(min_value=0, max_value=500_000),
    confidence=st.sampled_from([0.8, 0.9, 0.95, 0.98, 0.99]),
    margin=st.floats(min_value=0.01, max_value=0.3),
)
def test_sample_size_matches_a_reference_computation_exactly(
    population: int, confidence: float, margin: float
) -> None:
    ours = statistics.cochran_size(population=population, confidence=confidence, margin=margin)
    assert ours == reference_cochran(population, confidence, margin)


def test_sample_sizes_match_the_reference_on_a_grid_of_small_and_council_sized_populations() -> (
    None
):
    # Small populations are where an off-by-one in the finite-population correction shows.
    for population in [*range(0, 200), 500, 1000, 3000, 15_000, 400_000]:
        for confidence in (0.9, 0.95, 0.99):
            for margin in (0.03, 0.05, 0.1, 0.15):
                ours = statistics.cochran_size(
                    population=population, confidence=confidence, margin=margin
                )
                expected = reference_cochran(population, confidence, margin)
                assert ours == expected, (population, confidence, margin)


def test_textbook_sample_sizes() -> None:
    # 385 for an infinite population at 95% and ±5%; 278 of 1,000; 80 of 100.
    assert statistics.cochran_size(population=10**9, confidence=0.95, margin=0.05) == 385
    assert statistics.cochran_size(population=1000, confidence=0.95, margin=0.05) == 278
    assert statistics.cochran_size(population=100, confidence=0.95, margin=0.05) == 80


def test_a_population_of_ten_at_95_percent_and_ten_points_needs_all_ten() -> None:
    # n0 = 96.04, and 96.04 / (1 + 95.04 / 10) = 9.14, so all ten.
    assert statistics.cochran_size(population=10, confidence=0.95, margin=0.1) == 10
    # Thirty needs 24 (96.04 / 4.168 = 23.04): the correction, not the population, decides.
    assert statistics.cochran_size(population=30, confidence=0.95, margin=0.1) == 24


def test_a_population_of_one_needs_its_one_case_and_of_none_needs_none() -> None:
    assert statistics.cochran_size(population=1, confidence=0.95, margin=0.05) == 1
    assert statistics.cochran_size(population=2, confidence=0.95, margin=0.3) == 2
    assert statistics.cochran_size(population=0, confidence=0.95, margin=0.05) == 0


def test_a_sample_from_a_population_that_has_cases_is_at_least_one_case() -> None:
    # A confidence this low asks for a millionth of a case: still one case is drawn.
    assert statistics.cochran_size(population=1000, confidence=1e-7, margin=0.5) == 1


def test_a_wide_margin_asks_for_fewer_than_a_whole_case_and_gets_one() -> None:
    # n0 = 1.64 * 0.25 / 0.81 = 0.51 at 80% and ±90%.
    assert statistics.cochran_size(population=50, confidence=0.8, margin=0.9) == 1


def test_a_size_that_is_a_whole_number_but_for_rounding_noise_is_not_rounded_up() -> None:
    # At the confidence whose z is 2 and ±50%, n0 = 4 and 4 * 9 / (4 + 8) = 3 exactly; floating
    # point makes it 3.000000000000001, which must not become 4.
    confidence = 2 * NormalDist().cdf(2) - 1
    assert statistics.cochran_size(population=9, confidence=confidence, margin=0.5) == 3


def test_the_proportion_changes_the_size() -> None:
    # p = 0.1: n0 = 1.96^2 * 0.09 / 0.0025 = 138.3, so 139 of a very large population.
    assert (
        statistics.cochran_size(population=10**9, confidence=0.95, margin=0.05, proportion=0.1)
        == 139
    )


@pytest.mark.parametrize("margin", [0, 1, -0.05, 1.5])
def test_a_margin_of_zero_or_one_or_outside_them_is_refused(margin: float) -> None:
    with pytest.raises(ValueError, match=MARGIN_REFUSED):
        statistics.cochran_size(population=100, confidence=0.95, margin=margin)


@pytest.mark.parametrize("confidence", [0, 1, 95])
def test_a_confidence_of_zero_or_one_is_refused_for_a_sample_size(confidence: float) -> None:
    with pytest.raises(ValueError, match=CONFIDENCE_REFUSED):
        statistics.cochran_size(population=100, confidence=confidence, margin=0.05)


def test_a_negative_population_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^A population cannot be negative\.$"):
        statistics.cochran_size(population=-1, confidence=0.95, margin=0.05)


def test_the_z_score_of_95_percent_is_1_96() -> None:
    assert statistics.z_score(0.95) == pytest.approx(1.959964, abs=1e-6)
    assert statistics.z_score(0.9) == pytest.approx(1.644854, abs=1e-6)


def test_the_margin_of_error_of_the_cochran_size_is_within_the_margin_asked_for() -> None:
    n = statistics.cochran_size(population=3000, confidence=0.95, margin=0.05)
    moe = statistics.margin_of_error(sample=n, population=3000, confidence=0.95)
    assert moe is not None
    assert 0.049 < moe <= 0.05


def test_margin_of_error_is_zero_for_a_census_and_undefined_for_no_sample() -> None:
    assert statistics.margin_of_error(sample=50, population=50, confidence=0.95) == 0.0
    assert statistics.margin_of_error(sample=1, population=1, confidence=0.95) == 0.0
    assert statistics.margin_of_error(sample=60, population=50, confidence=0.95) == 0.0
    assert statistics.margin_of_error(sample=0, population=50, confidence=0.95) is None
    assert statistics.margin_of_error(sample=5, population=0, confidence=0.95) is None
    assert statistics.margin_of_error(sample=-1, population=50, confidence=0.95) is None


@given(
    population=st.integers(min_value=2, max_value=100_000),
    share=st.floats(min_value=0, max_value=1),
    confidence=st.sampled_from([0.9, 0.95, 0.99]),
    proportion=st.sampled_from([0.5, 0.2]),
)
def test_margin_of_error_matches_the_textbook_formula(
    population: int, share: float, confidence: float, proportion: float
) -> None:
    sample = max(1, min(population - 1, round(population * share)))
    z = NormalDist().inv_cdf((1 + confidence) / 2)
    expected = (
        z
        * math.sqrt(proportion * (1 - proportion) / sample)
        * math.sqrt((population - sample) / (population - 1))
    )
    ours = statistics.margin_of_error(
        sample=sample, population=population, confidence=confidence, proportion=proportion
    )
    assert ours == pytest.approx(expected, rel=1e-9)


def test_one_case_of_a_hundred_gives_a_margin_of_nearly_a_hundred_points() -> None:
    # 1.96 * sqrt(0.25 / 1) * sqrt(99 / 99) = 0.98.
    assert statistics.margin_of_error(sample=1, population=100, confidence=0.95) == pytest.approx(
        0.979982, abs=1e-6
    )


def test_a_confidence_outside_zero_and_one_is_refused() -> None:
    with pytest.raises(ValueError, match=CONFIDENCE_REFUSED):
        statistics.z_score(95)


strata_sizes = st.dictionaries(
    st.text(alphabet="abcdef", min_size=1, max_size=3),
    st.integers(min_value=0, max_value=200),
    min_size=1,
    max_size=8,
)


@given(strata=strata_sizes, total=st.integers(min_value=0, max_value=2000))
def test_proportional_stratum_sizes_add_up_and_fit(strata: dict[str, int], total: int) -> None:
    out = statistics.allocate_proportional(strata, total)
    assert sum(out.values()) == min(total, sum(strata.values()))
    size = sum(strata.values())
    for key, n in strata.items():
        assert 0 <= out[key] <= n
        if size:
            # Largest remainder never strays more than one case from the exact share.
            assert abs(out[key] - min(total, size) * n / size) < 1


@given(strata=strata_sizes, total=st.integers(min_value=0, max_value=2000))
def test_equal_stratum_sizes_add_up_and_are_as_equal_as_the_strata_allow(
    strata: dict[str, int], total: int
) -> None:
    out = statistics.allocate_equal(strata, total)
    assert sum(out.values()) == min(total, sum(strata.values()))
    not_full = [out[k] for k, n in strata.items() if out[k] < n]
    for key, n in strata.items():
        assert 0 <= out[key] <= n
    # A stratum that was not taken whole has at least as many as any other, less one.
    if not_full:
        assert max(out.values()) - min(not_full) <= 1


def reference_largest_remainder(strata: dict[str, int], total: int) -> dict[str, int]:
    """Hamilton's method in exact fractions: floors of the quotas, then one more case to the
    largest remainders; equal remainders to the larger stratum, then to the earlier name."""
    size = sum(strata.values())
    total = min(total, size)
    if size == 0:
        return dict.fromkeys(strata, 0)
    quota = {key: Fraction(total * n, size) for key, n in strata.items()}
    out = {key: math.floor(q) for key, q in quota.items()}
    ranked = sorted(strata, key=lambda k: (-(quota[k] - out[k]), -strata[k], k))
    for key in ranked[: total - sum(out.values())]:
        out[key] += 1
    return out


def reference_equal(strata: dict[str, int], total: int) -> dict[str, int]:
    """Deal the cases out one at a time, in name order, to every stratum not yet taken whole."""
    out = dict.fromkeys(strata, 0)
    left = min(total, sum(strata.values()))
    while left:
        for key in sorted(strata):
            if left and out[key] < strata[key]:
                out[key] += 1
                left -= 1
    return out


@given(strata=strata_sizes, total=st.integers(min_value=0, max_value=2000))
def test_proportional_allocation_matches_largest_remainder_in_exact_arithmetic(
    strata: dict[str, int], total: int
) -> None:
    assert statistics.allocate_proportional(strata, total) == reference_largest_remainder(
        strata, total
    )


@given(strata=strata_sizes, total=st.integers(min_value=0, max_value=2000))
def test_equal_allocation_matches_dealing_the_cases_out_one_at_a_time(
    strata: dict[str, int], total: int
) -> None:
    assert statistics.allocate_equal(strata, total) == reference_equal(strata, total)


def test_an_equal_remainder_goes_to_the_larger_stratum() -> None:
    # Quotas 0.5 and 2.5: one case is left and both remainders are a half.
    assert statistics.allocate_proportional({"a": 1, "b": 5}, 3) == {"a": 0, "b": 3}
    assert statistics.allocate_proportional({"a": 7, "b": 2, "c": 1}, 5) == {"a": 4, "b": 1, "c": 0}


def test_an_equal_remainder_goes_to_the_larger_stratum_when_floats_would_say_otherwise() -> None:
    # Quotas 1.4545... and 41.4545...: equal remainders, which floating point tells apart.
    strata = {"a": 172, "b": 4, "c": 70, "d": 91, "e": 114}
    assert statistics.allocate_proportional(strata, 164) == {
        "a": 63,
        "b": 1,
        "c": 25,
        "d": 33,
        "e": 42,
    }


def test_an_equal_remainder_between_equal_strata_goes_to_the_earlier_name() -> None:
    assert statistics.allocate_proportional({"b": 2, "a": 2}, 1) == {"a": 1, "b": 0}
    assert statistics.allocate_proportional({"b": 3, "a": 3, "c": 3}, 2) == {
        "a": 1,
        "b": 1,
        "c": 0,
    }


def test_proportional_allocation_of_empty_strata_or_of_nothing_is_all_zeros() -> None:
    assert statistics.allocate_proportional({"a": 0, "b": 0}, 5) == {"a": 0, "b": 0}
    assert statistics.allocate_proportional({"a": 4, "b": 6}, 0) == {"a": 0, "b": 0}
    assert statistics.allocate_proportional({"a": 4, "b": 6}, 50) == {"a": 4, "b": 6}


def test_an_odd_case_in_an_equal_allocation_goes_to_the_earlier_name() -> None:
    assert statistics.allocate_equal({"b": 5, "a": 5}, 3) == {"a": 2, "b": 1}


def test_a_small_stratum_is_taken_whole_and_the_rest_shared_equally() -> None:
    assert statistics.allocate_equal({"a": 1, "b": 10, "c": 10}, 10) == {"a": 1, "b": 5, "c": 4}
    assert statistics.allocate_equal({"a": 2, "b": 3, "c": 30}, 30) == {"a": 2, "b": 3, "c": 25}
    assert statistics.allocate_equal({"a": 4, "b": 6}, 50) == {"a": 4, "b": 6}
    # "a" is full at the common level of 2, so the odd case passes it by.
    assert statistics.allocate_equal({"a": 2, "b": 10, "c": 10}, 7) == {"a": 2, "b": 3, "c": 2}
    assert statistics.allocate_equal({}, 5) == {}


@pytest.mark.parametrize(
    ("population", "percentage", "expected"),
    [
        (1000, 10, 100),
        (1001, 10, 101),  # 100.1 rounds up
        (300, 33, 99),  # exactly 99, not 100
        (7, 100, 7),
        (7, 0.5, 1),
        (0, 50, 0),
    ],
)
def test_a_percentage_sample_is_that_share_rounded_up(
    population: int, percentage: float, expected: int
) -> None:
    assert statistics.percentage_size(population=population, percentage=percentage) == expected


@pytest.mark.parametrize("percentage", [0, -5, 100.5])
def test_a_percentage_of_nothing_or_more_than_all_is_refused(percentage: float) -> None:
    with pytest.raises(ValueError, match=r"^The percentage must be more than 0 and at most 100\.$"):
        statistics.percentage_size(population=100, percentage=percentage)


population_strategy = st.lists(
    st.tuples(st.integers(min_value=1, max_value=10_000), st.sampled_from(["a", "b", "c"])),
    unique_by=lambda t: t[0],
    max_size=300,
)


@given(
    population=population_strategy,
    seed=st.integers(min_value=0, max_value=2**32),
    k=st.integers(0, 50),
)
def test_the_same_seed_gives_the_same_draw(
    population: list[tuple[int, str]], seed: int, k: int
) -> None:
    counts: dict[str, int] = {}
    for _, stratum in population:
        counts[stratum] = counts.get(stratum, 0) + 1
    allocation = statistics.allocate_proportional(counts, k)
    first = statistics.draw_cases(population, allocation, seed)
    again = statistics.draw_cases(list(population), dict(allocation), seed)
    assert first == again
    assert len({d.case_id for d in first}) == len(first) == sum(allocation.values())
    for drawn in first:
        assert (drawn.case_id, drawn.stratum) in population
    assert [d.position for d in first] == list(range(1, len(first) + 1))


def test_a_different_seed_usually_gives_a_different_draw() -> None:
    population = [(i, "all") for i in range(1, 1001)]
    one = statistics.draw_cases(population, {"all": 30}, 7)
    two = statistics.draw_cases(population, {"all": 30}, 8)
    assert [d.case_id for d in one] != [d.case_id for d in two]


def test_each_stratum_is_numbered_from_one_and_the_draw_across_strata() -> None:
    population = [(i, "b" if i % 3 else "a") for i in range(1, 31)]
    drawn = statistics.draw_cases(population, {"b": 3, "a": 2, "c": 0}, seed=11)
    # Strata are drawn in name order: a's two cases, then b's three.
    assert [(d.stratum, d.position, d.position_in_stratum) for d in drawn] == [
        ("a", 1, 1),
        ("a", 2, 2),
        ("b", 3, 1),
        ("b", 4, 2),
        ("b", 5, 3),
    ]
    assert all(d.case_id % 3 == 0 for d in drawn if d.stratum == "a")
    assert all(d.case_id % 3 for d in drawn if d.stratum == "b")


def test_a_stored_seed_draws_the_same_cases_it_always_has() -> None:
    # A draw kept in the database is re-run from its seed for an inspector: this pins the
    # cases, so a change to how the random generator is used cannot pass unnoticed.
    population = [(i, "all") for i in range(1, 101)]
    drawn = statistics.draw_cases(population, {"all": 5}, seed=2026)
    assert [d.case_id for d in drawn] == PINNED_2026


def test_a_whole_stratum_can_be_drawn_but_not_more_than_it_holds() -> None:
    population = [(1, "a"), (2, "a"), (3, "b")]
    whole = statistics.draw_cases(population, {"a": 2, "b": 1}, seed=1)
    assert sorted(d.case_id for d in whole) == [1, 2, 3]
    with pytest.raises(ValueError, match=r"^Stratum a has 2 cases, fewer than 3\.$"):
        statistics.draw_cases(population, {"a": 3}, seed=1)
    with pytest.raises(ValueError, match=r"^Stratum z has 0 cases, fewer than 1\.$"):
        statistics.draw_cases(population, {"z": 1}, seed=1)


def test_a_stratum_allocated_one_case_gets_one() -> None:
    population = [(1, "a"), (2, "a"), (3, "b"), (4, "b")]
    drawn = statistics.draw_cases(population, {"a": 1, "b": 1}, seed=3)
    assert [d.stratum for d in drawn] == ["a", "b"]


def test_a_stratum_allocated_nothing_does_not_stop_the_strata_after_it() -> None:
    population = [(1, "a"), (2, "b"), (3, "b")]
    drawn = statistics.draw_cases(population, {"a": 0, "b": 2}, seed=3)
    assert sorted(d.case_id for d in drawn) == [2, 3]
