"""The arithmetic of a sample, checked against references written here independently."""

from __future__ import annotations

import math
from statistics import NormalDist

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditloop.sampling.rules import statistics


def reference_cochran(population: int, confidence: float, margin: float) -> int:
    """Cochran (1977): n0 = z^2 p q / e^2 with p = q = 0.5, then n = n0 N / (n0 + N - 1)."""
    z = NormalDist().inv_cdf((1 + confidence) / 2)
    n0 = (z**2) * 0.25 / (margin**2)
    n = n0 * population / (n0 + population - 1)
    return min(population, math.ceil(round(n, 9)))


@given(
    population=st.integers(min_value=1, max_value=500_000),
    confidence=st.sampled_from([0.8, 0.9, 0.95, 0.98, 0.99]),
    margin=st.floats(min_value=0.01, max_value=0.3),
)
def test_sample_size_matches_a_reference_computation(
    population: int, confidence: float, margin: float
) -> None:
    ours = statistics.cochran_size(population=population, confidence=confidence, margin=margin)
    assert abs(ours - reference_cochran(population, confidence, margin)) <= 1
    assert 1 <= ours <= population


def test_textbook_sample_sizes() -> None:
    # 385 for an infinite population at 95% and ±5%; 278 of 1,000; 80 of 100.
    assert statistics.cochran_size(population=10**9, confidence=0.95, margin=0.05) == 385
    assert statistics.cochran_size(population=1000, confidence=0.95, margin=0.05) == 278
    assert statistics.cochran_size(population=100, confidence=0.95, margin=0.05) == 80


def test_the_margin_of_error_of_the_cochran_size_is_within_the_margin_asked_for() -> None:
    n = statistics.cochran_size(population=3000, confidence=0.95, margin=0.05)
    moe = statistics.margin_of_error(sample=n, population=3000, confidence=0.95)
    assert moe is not None
    assert 0.049 < moe <= 0.05


def test_margin_of_error_is_zero_for_a_census_and_undefined_for_no_sample() -> None:
    assert statistics.margin_of_error(sample=50, population=50, confidence=0.95) == 0.0
    assert statistics.margin_of_error(sample=0, population=50, confidence=0.95) is None


def test_a_confidence_outside_zero_and_one_is_refused() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
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
