"""The arithmetic of a sample: its size, its margin of error, allocation to strata, the draw.

Pure functions, no database: the same inputs always give the same answer, which is what
lets a stored draw be re-run and explained to an inspector.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from scipy.stats import norm

# The proportion that makes the sample largest; used when nothing better is known.
WORST_CASE_PROPORTION = 0.5


def z_score(confidence: float) -> float:
    """The two-sided standard normal quantile for a confidence level such as 0.95."""
    if not 0 < confidence < 1:
        raise ValueError("The confidence level must be between 0 and 1, for example 0.95.")
    return float(norm.ppf(1 - (1 - confidence) / 2))


def cochran_size(
    *, population: int, confidence: float, margin: float, proportion: float = 0.5
) -> int:
    """Cochran's sample size with the finite-population correction, rounded up."""
    if population < 0:
        raise ValueError("A population cannot be negative.")
    if not 0 < margin < 1:
        raise ValueError("The margin of error must be between 0 and 1, for example 0.05.")
    if population == 0:
        return 0
    z = z_score(confidence)
    n0 = z * z * proportion * (1 - proportion) / (margin * margin)
    n = n0 / (1 + (n0 - 1) / population)
    # A tiny tolerance keeps 30.0000000001 (floating-point noise) from becoming 31.
    return min(population, max(1, math.ceil(n - 1e-9)))


def margin_of_error(
    *, sample: int, population: int, confidence: float, proportion: float = 0.5
) -> float | None:
    """The margin of error a sample of `sample` cases from `population` gives; None for none."""
    if sample <= 0 or population <= 0:
        return None
    if sample >= population:
        return 0.0
    z = z_score(confidence)
    fpc = math.sqrt((population - sample) / (population - 1))
    return z * math.sqrt(proportion * (1 - proportion) / sample) * fpc


def percentage_size(*, population: int, percentage: float) -> int:
    if not 0 < percentage <= 100:
        raise ValueError("The percentage must be more than 0 and at most 100.")
    return min(population, math.ceil(population * percentage / 100 - 1e-9))


def allocate_proportional(strata: Mapping[str, int], total: int) -> dict[str, int]:
    """Share `total` among strata in proportion to their sizes, by largest remainder.

    Ties in the remainder go to the larger stratum, then to the earlier key, so the result
    never depends on dictionary order."""
    size = sum(strata.values())
    total = min(total, size)
    if size == 0:
        return dict.fromkeys(strata, 0)
    # Whole numbers, not floats: two equal remainders must compare equal for the tie-break.
    out = {key: total * n // size for key, n in strata.items()}
    remainder = {key: total * n % size for key, n in strata.items()}
    left = total - sum(out.values())
    order = sorted(strata, key=lambda k: (-remainder[k], -strata[k], k))
    for key in order[:left]:
        out[key] += 1
    return out


def allocate_equal(strata: Mapping[str, int], total: int) -> dict[str, int]:
    """Share `total` equally among strata; a stratum too small to take its share is taken
    whole and the rest is shared among the others (the earlier keys take any odd case)."""
    total = min(total, sum(strata.values()))
    # The highest level every stratum can be filled to (or taken whole below it) within total.
    low, high = 0, max(strata.values(), default=0)
    while low < high:
        level = (low + high + 1) // 2
        if sum(min(n, level) for n in strata.values()) <= total:
            low = level
        else:
            high = level - 1
    out = {key: min(n, low) for key, n in strata.items()}
    left = total - sum(out.values())
    for key in sorted(k for k, n in strata.items() if n > low)[:left]:
        out[key] += 1
    return out


@dataclass(frozen=True)
class Drawn:
    case_id: int
    stratum: str
    position: int  # 1-based order of the draw, across all strata
    position_in_stratum: int


@dataclass(frozen=True)
class Place:
    """A drawn place: the `index` (0-based) of a case among its stratum's members in draw
    order, with its place in the draw as `Drawn` has them."""

    stratum: str
    index: int
    position: int
    position_in_stratum: int


def draw_places(counts: Mapping[str, int], allocation: Mapping[str, int], seed: int) -> list[Place]:
    """Which members of each stratum a draw takes, knowing only how many each has: the
    places `draw_cases` fills, so that a population the database holds in order can be
    drawn from without reading it all.

    `random.Random.sample` chooses indices from the pool's length alone, so sampling
    `range(n)` consumes the generator exactly as sampling n cases does."""
    rng = random.Random(seed)  # noqa: S311 - reproducibility, not secrecy, is the point
    out: list[Place] = []
    for stratum in sorted(allocation):
        wanted = allocation[stratum]
        if wanted <= 0:
            continue
        size = counts.get(stratum, 0)
        if wanted > size:
            raise ValueError(f"Stratum {stratum} has {size} cases, fewer than {wanted}.")
        for i, index in enumerate(rng.sample(range(size), wanted), start=1):
            out.append(Place(stratum, index, len(out) + 1, i))
    return out


def draw_cases(
    population: Sequence[tuple[int, str]], allocation: Mapping[str, int], seed: int
) -> list[Drawn]:
    """Draw `allocation[stratum]` cases from each stratum with one `random.Random(seed)`.

    `population` is (case id, stratum) in a stable order; strata are drawn in key order. The
    same population, allocation and seed always give the same cases in the same order."""
    members: dict[str, list[int]] = {}
    for case_id, stratum in population:
        members.setdefault(stratum, []).append(case_id)
    counts = {stratum: len(ids) for stratum, ids in members.items()}
    return [
        Drawn(members[p.stratum][p.index], p.stratum, p.position, p.position_in_stratum)
        for p in draw_places(counts, allocation, seed)
    ]
