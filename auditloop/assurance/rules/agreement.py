"""How far people grading the same things agree: exact agreement, agreement within one grade,
Cohen's weighted kappa (two raters) and Krippendorff's alpha (ordinal, any number of raters,
missing ratings allowed), each with its N, a bootstrap 95% confidence interval and a reading
in plain English.

Pure: grades in, numbers out; no database. Grades are whole numbers on an ordered scale, higher
is better; a figure works on their positions on the scale, so an unused grade between two used
ones still counts as a step. Where a figure is undefined (one grade used throughout, too few
items, fewer than two raters) it is None with the reason in words, never a number or NaN.

Kappa's point estimate is scikit-learn's `cohen_kappa_score`. Alpha is computed here, from the
coincidence matrix and the ordinal metric as in Krippendorff (2011), "Computing Krippendorff's
alpha-reliability" (the `krippendorff` package, GPL-3.0, is only the tests' reference). The
bootstrap resamples items with replacement, with a fixed seed so that the interval repeats;
every statistic of a resample is a sum of per-item contributions, so all resamples are worked
out at once as one matrix product.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
from sklearn.metrics import cohen_kappa_score

type FloatArray = npt.NDArray[np.float64]

# Resamples for the interval, and the seed that makes it the same every time it is asked for.
RESAMPLES = 2000
SEED = 2011
CONFIDENCE = 0.95
# The most grades a scale may have (0 to 100, say): the tables are grades x grades.
MAX_GRADES = 101
# Kappa and alpha need at least this many items rated by two people; an interval this many.
MIN_ITEMS = 2
MIN_ITEMS_FOR_INTERVAL = 5
# A figure undefined in more than this share of the resamples (a resample holding one grade
# only) gets no interval: the resamples left would describe other data than the items given.
MAX_UNDEFINED_SHARE = 0.05
# Resamples are worked out in batches of at most this many drawn counts, to keep memory small.
BATCH_CELLS = 500_000

LANDIS_KOCH = "Landis and Koch (1977)"
KRIPPENDORFF = "Krippendorff's thresholds (0.800 to rely on, 0.667 for tentative conclusions)"

# Landis and Koch (1977), table 2: the upper end of each band, at two decimal places.
_KAPPA_BANDS = (
    (0.20, "slight agreement"),
    (0.40, "fair agreement"),
    (0.60, "moderate agreement"),
    (0.80, "substantial agreement"),
)

# The figures, in the order they are shown, and what each counts as its N.
EXACT = "exact"
WITHIN_ONE = "within_one"
KAPPA_LINEAR = "kappa_linear"
KAPPA_QUADRATIC = "kappa_quadratic"
ALPHA_ORDINAL = "alpha_ordinal"
FIGURE_NAMES = {
    EXACT: "Exact agreement",
    WITHIN_ONE: "Agreement within one grade",
    KAPPA_LINEAR: "Cohen's weighted kappa (linear)",
    KAPPA_QUADRATIC: "Cohen's weighted kappa (quadratic)",
    ALPHA_ORDINAL: "Krippendorff's alpha (ordinal)",
}


class Rating(NamedTuple):
    """One rater's grade for one item (a question of an audit, say)."""

    item: str
    rater: str
    grade: int


def kappa_reading(value: float) -> str:
    """Landis and Koch's words for a kappa, at the two decimal places it is shown with."""
    shown = round(value, 2)
    if shown < 0:
        return "poor agreement (less than chance)"
    for upper, words in _KAPPA_BANDS:
        if shown <= upper:
            return words
    return "almost perfect agreement"


def alpha_reading(value: float) -> str:
    """Krippendorff's advice for an alpha, at the three decimal places it is shown with: rely
    on data at 0.800 or above, draw only tentative conclusions between 0.667 and 0.800."""
    shown = round(value, 3)
    if shown >= 0.8:
        return "reliable enough to rely on"
    if shown >= 0.667:
        return "good enough only for tentative conclusions"
    return "too unreliable to draw conclusions from"


@dataclass(frozen=True)
class Figure:
    """One figure: its value (None where undefined, with the reason), what it is counted over,
    its 95% interval (None, with the reason, where there is none) and its reading."""

    key: str
    value: float | None
    n: int
    counted: str  # "pairs" or "items"
    low: float | None = None
    high: float | None = None
    reason: str = ""
    interval_reason: str = ""
    reading: str = ""
    reading_scale: str = ""

    @property
    def name(self) -> str:
        return FIGURE_NAMES[self.key]

    @property
    def is_share(self) -> bool:
        return self.key in {EXACT, WITHIN_ONE}

    def _text(self, number: float) -> str:
        if self.is_share:
            text = f"{number * 100:.0f}%"
        else:
            text = f"{number:.3f}" if self.key == ALPHA_ORDINAL else f"{number:.2f}"
        # A figure a hair below zero rounds to "-0.00": nobody reads a sign on nothing.
        return text[1:] if text.startswith("-") and not text.strip("-0.%") else text

    @property
    def value_text(self) -> str:
        return "" if self.value is None else self._text(self.value)

    @property
    def interval_text(self) -> str:
        if self.low is None or self.high is None:
            return ""
        return f"{self._text(self.low)} to {self._text(self.high)}"

    @property
    def n_text(self) -> str:
        noun = self.counted[:-1] if self.n == 1 else self.counted
        return f"{self.n} {noun}"

    def as_json(self) -> dict[str, Any]:
        return {
            "value": _rounded(self.value),
            "n": self.n,
            "counted": self.counted,
            "ci95": None
            if self.low is None or self.high is None
            else [_rounded(self.low), _rounded(self.high)],
            "reading": self.reading or None,
            "reading_scale": self.reading_scale or None,
            "reason": self.reason or None,
            "interval_reason": self.interval_reason or None,
        }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


@dataclass(frozen=True)
class AgreementFigures:
    n_items: int
    n_raters: int
    exact: Figure
    within_one: Figure
    kappa_linear: Figure
    kappa_quadratic: Figure
    alpha_ordinal: Figure

    @property
    def figures(self) -> list[Figure]:
        """Every figure, kappa only where there are exactly two raters."""
        kappas = [self.kappa_linear, self.kappa_quadratic] if self.n_raters == 2 else []
        return [self.exact, self.within_one, *kappas, self.alpha_ordinal]

    def as_json(self) -> dict[str, Any]:
        """The command's object: each figure a number or null at the top, its N, interval,
        reading and reason under "details"."""
        out: dict[str, Any] = {"n_items": self.n_items, "n_raters": self.n_raters}
        for figure in self.figures:
            out[figure.key] = _rounded(figure.value)
        out["details"] = {figure.key: figure.as_json() for figure in self.figures}
        return out


def figures_unavailable(reason: str, *, n_items: int = 0, n_raters: int = 0) -> AgreementFigures:
    """Every figure undefined for the same reason (a calibration exercise still waiting for an
    auditor's submission, say)."""

    def none(key: str, counted: str) -> Figure:
        return Figure(key=key, value=None, n=0, counted=counted, reason=reason)

    return AgreementFigures(
        n_items=n_items,
        n_raters=n_raters,
        exact=none(EXACT, "pairs"),
        within_one=none(WITHIN_ONE, "pairs"),
        kappa_linear=none(KAPPA_LINEAR, "items"),
        kappa_quadratic=none(KAPPA_QUADRATIC, "items"),
        alpha_ordinal=none(ALPHA_ORDINAL, "items"),
    )


# The items, as sums of contributions ---------------------------------------------------------


@dataclass(frozen=True)
class _Items:
    """Distinct items (or patterns of ratings) and how many times each occurs.

    `counts[u, c]` is how many raters gave item u the grade at position c of the scale;
    `cell[u]` is the kappa table's cell (first rater's position * k + second's) when both of
    exactly two raters graded it, else -1; `first`/`second` are those grades for scikit-learn.
    """

    scale: tuple[int, ...]
    counts: FloatArray
    weights: npt.NDArray[np.int64]
    cell: npt.NDArray[np.int64]
    first: npt.NDArray[np.int64]
    second: npt.NDArray[np.int64]
    n_items: int
    n_raters: int

    @property
    def k(self) -> int:
        return len(self.scale)

    def contributions(self) -> FloatArray:
        """One row per item: [pairs, pairs agreeing, pairs within one grade, the item's
        coincidences (k*k), its cell of the kappa table (k*k)]. Sums of rows, weighted by how
        often each item is drawn, are all any figure needs."""
        k = self.k
        counts = self.counts
        m = counts.sum(axis=1)
        pairs = m * (m - 1) / 2
        same = (counts * (counts - 1) / 2).sum(axis=1)
        neighbours = (counts[:, :-1] * counts[:, 1:]).sum(axis=1)
        # Krippendorff (2011): each ordered pair of values within a unit of m_u values counts
        # 1 / (m_u - 1) in the coincidence matrix; a unit with one value is not pairable.
        pairable = m >= 2
        divisor = np.where(pairable, m - 1, 1.0)
        outer = counts[:, :, None] * counts[:, None, :]
        outer -= counts[:, :, None] * np.eye(k)[None, :, :]
        coincidences = np.where(pairable[:, None, None], outer / divisor[:, None, None], 0.0)
        table = np.zeros((len(counts), k * k))
        both = self.cell >= 0
        table[np.flatnonzero(both), self.cell[both]] = 1.0
        return np.hstack(
            [
                pairs[:, None],
                same[:, None],
                (same + neighbours)[:, None],
                coincidences.reshape(len(counts), k * k),
                table,
            ]
        )


def _positions(scale: Sequence[int]) -> dict[int, int]:
    ordered = tuple(scale)
    if not ordered:
        raise ValueError("A scale needs at least one grade.")
    if len(ordered) > MAX_GRADES:
        raise ValueError(f"A scale of {len(ordered)} grades is more than {MAX_GRADES}.")
    if any(b <= a for a, b in itertools.pairwise(ordered)):
        raise ValueError("The scale's grades must be given from lowest to highest, each once.")
    return {grade: position for position, grade in enumerate(ordered)}


def _scale_words(scale: Sequence[int]) -> str:
    return f"{scale[0]} to {scale[-1]}"


def _items_from_ratings(ratings: Iterable[Rating], scale: Sequence[int]) -> _Items:
    positions = _positions(scale)
    by_item: dict[str, dict[str, int]] = defaultdict(dict)
    raters: set[str] = set()
    for rating in ratings:
        if rating.grade not in positions:
            raise ValueError(
                f"Item {rating.item!r}, rater {rating.rater!r}: grade {rating.grade} is not on "
                f"the scale ({_scale_words(scale)})."
            )
        given = by_item[rating.item]
        if rating.rater in given:
            raise ValueError(
                f"Item {rating.item!r} has two grades from rater {rating.rater!r}; keep one."
            )
        given[rating.rater] = rating.grade
        raters.add(rating.rater)
    k = len(positions)
    items = sorted(by_item)
    counts = np.zeros((len(items), k))
    cell = np.full(len(items), -1, dtype=np.int64)
    first = np.zeros(len(items), dtype=np.int64)
    second = np.zeros(len(items), dtype=np.int64)
    pair = sorted(raters) if len(raters) == 2 else None
    for u, item in enumerate(items):
        given = by_item[item]
        for grade in given.values():
            counts[u, positions[grade]] += 1
        if pair is not None and pair[0] in given and pair[1] in given:
            a, b = given[pair[0]], given[pair[1]]
            cell[u] = positions[a] * k + positions[b]
            first[u], second[u] = a, b
    return _Items(
        scale=tuple(scale),
        counts=counts,
        weights=np.ones(len(items), dtype=np.int64),
        cell=cell,
        first=first,
        second=second,
        n_items=len(items),
        n_raters=len(raters),
    )


def _items_from_pairs(pairs: Mapping[tuple[int, int], int], scale: Sequence[int]) -> _Items:
    positions = _positions(scale)
    k = len(positions)
    kept = sorted((grades, n) for grades, n in pairs.items() if n > 0)
    for (a, b), _ in kept:
        for grade in (a, b):
            if grade not in positions:
                raise ValueError(f"Grade {grade} is not on the scale ({_scale_words(scale)}).")
    counts = np.zeros((len(kept), k))
    cell = np.zeros(len(kept), dtype=np.int64)
    for u, ((a, b), _) in enumerate(kept):
        counts[u, positions[a]] += 1
        counts[u, positions[b]] += 1
        cell[u] = positions[a] * k + positions[b]
    total = sum(n for _, n in kept)
    return _Items(
        scale=tuple(scale),
        counts=counts,
        weights=np.array([n for _, n in kept], dtype=np.int64),
        cell=cell,
        first=np.array([a for (a, _), _ in kept], dtype=np.int64),
        second=np.array([b for (_, b), _ in kept], dtype=np.int64),
        n_items=total,
        n_raters=2 if total else 0,
    )


# The statistics, for many resamples at once ----------------------------------------------------
#
# Each takes the summed contributions of every resample (one row each) and gives the figure for
# each row, NaN where it is undefined; `_undefined` turns NaN into a reason at the edge, so no NaN
# ever leaves this module.


def _share(numerator: FloatArray, denominator: FloatArray) -> FloatArray:
    out = np.full(len(denominator), np.nan)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


def _kappa_weights(k: int, kind: str) -> FloatArray:
    steps = np.abs(np.arange(k)[:, None] - np.arange(k)[None, :]).astype(float)
    return steps if kind == "linear" else steps**2


def _kappas(tables: FloatArray, weights: FloatArray) -> FloatArray:
    """Weighted kappa of each k*k table (rows: the first rater's grade), as scikit-learn
    computes it: 1 - sum(w * observed) / sum(w * expected by chance)."""
    n = tables.sum(axis=(1, 2))
    rows = tables.sum(axis=2)
    columns = tables.sum(axis=1)
    chance = rows[:, :, None] * columns[:, None, :]
    expected = np.zeros_like(chance)
    np.divide(chance, n[:, None, None], out=expected, where=n[:, None, None] > 0)
    observed_disagreement = (weights * tables).sum(axis=(1, 2))
    expected_disagreement = (weights * expected).sum(axis=(1, 2))
    ratio = _share(observed_disagreement, expected_disagreement)
    return 1 - ratio


def _ordinal_alphas(coincidences: FloatArray) -> FloatArray:
    """Krippendorff's alpha of each k*k coincidence matrix, ordinal metric (2011, section C):
    delta(c, k)^2 = (sum of n_g for g from c to k - (n_c + n_k) / 2)^2, and
    alpha = 1 - (n - 1) * sum(o_ck delta^2) / sum(n_c n_k delta^2)."""
    k = coincidences.shape[1]
    marginals = coincidences.sum(axis=2)
    n = marginals.sum(axis=1)
    running = np.concatenate([np.zeros((len(marginals), 1)), np.cumsum(marginals, axis=1)], 1)
    low = np.minimum(np.arange(k)[:, None], np.arange(k)[None, :])
    high = np.maximum(np.arange(k)[:, None], np.arange(k)[None, :])
    between = running[:, high + 1] - running[:, low]
    delta = (between - (marginals[:, low] + marginals[:, high]) / 2) ** 2
    observed = (coincidences * delta).sum(axis=(1, 2))
    expected = (marginals[:, :, None] * marginals[:, None, :] * delta).sum(axis=(1, 2))
    # Expected disagreement is a sum of squares: zero exactly when a single grade is used.
    expected = np.where(expected > 1e-12, expected, 0.0)
    return 1 - (n - 1) * _share(observed, expected)


def _all_figures(sums: FloatArray, k: int) -> dict[str, FloatArray]:
    """Every figure for each row of summed contributions."""
    kk = k * k
    coincidences = sums[:, 3 : 3 + kk].reshape(-1, k, k)
    tables = sums[:, 3 + kk : 3 + 2 * kk].reshape(-1, k, k)
    return {
        EXACT: _share(sums[:, 1], sums[:, 0]),
        WITHIN_ONE: _share(sums[:, 2], sums[:, 0]),
        KAPPA_LINEAR: _kappas(tables, _kappa_weights(k, "linear")),
        KAPPA_QUADRATIC: _kappas(tables, _kappa_weights(k, "quadratic")),
        ALPHA_ORDINAL: _ordinal_alphas(coincidences),
    }


def _resampled(
    items: _Items, contributions: FloatArray, resamples: int, seed: int
) -> dict[str, FloatArray]:
    """Every figure for each of `resamples` bootstrap resamples of the items: as many items
    drawn with replacement as there are, each item as likely as its share of them."""
    rng = np.random.default_rng(seed)
    total = int(items.weights.sum())
    chance = items.weights / total
    out: dict[str, list[FloatArray]] = defaultdict(list)
    batch = max(1, BATCH_CELLS // len(chance))
    done = 0
    while done < resamples:
        size = min(batch, resamples - done)
        drawn = rng.multinomial(total, chance, size=size).astype(float)
        for key, values in _all_figures(drawn @ contributions, items.k).items():
            out[key].append(values)
        done += size
    return {key: np.concatenate(parts) for key, parts in out.items()}


# The figures, with their reasons ---------------------------------------------------------------


def _grade_words(grade: int, names: Mapping[int, str] | None) -> str:
    return names.get(grade, str(grade)) if names else str(grade)


def _only_grade(items: _Items, rows: npt.NDArray[np.bool_], names: Mapping[int, str] | None) -> str:
    """The one grade given to these items, if only one was."""
    used = np.flatnonzero(items.counts[rows].sum(axis=0))
    return _grade_words(items.scale[int(used[0])], names) if len(used) == 1 else ""


def _interval(
    value: float | None, replicates: FloatArray, n_units: int
) -> tuple[float | None, float | None, str]:
    """The percentile bootstrap's 95% interval from the resamples where the figure is defined;
    none, with the reason, for too few items or too many undefined resamples."""
    if value is None:
        return None, None, ""
    if n_units < MIN_ITEMS_FOR_INTERVAL:
        return (
            None,
            None,
            f"No interval from {n_units} item{'s' if n_units != 1 else ''}: at least "
            f"{MIN_ITEMS_FOR_INTERVAL} are needed.",
        )
    defined = replicates[~np.isnan(replicates)]
    undefined = len(replicates) - len(defined)
    if undefined > MAX_UNDEFINED_SHARE * len(replicates):
        return (
            None,
            None,
            f"No interval: the figure cannot be worked out in {undefined} of "
            f"{len(replicates)} resamples (they hold a single grade).",
        )
    tail = (1 - CONFIDENCE) / 2 * 100
    low, high = np.percentile(defined, [tail, 100 - tail])
    return float(low), float(high), ""


def _sklearn_kappa(items: _Items, kind: str) -> float | None:
    both = items.cell >= 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = cohen_kappa_score(
            items.first[both],
            items.second[both],
            labels=list(items.scale),
            weights=kind,
            sample_weight=items.weights[both],
            replace_undefined_by=np.nan,
        )
    return None if math.isnan(value) else float(value)


def _figures(
    items: _Items,
    *,
    names: Mapping[int, str] | None,
    resamples: int,
    seed: int,
) -> AgreementFigures:
    n_items, n_raters = items.n_items, items.n_raters
    if n_items == 0:
        return figures_unavailable("There are no grades to compare.")
    contributions = items.contributions()
    sums = items.weights.astype(float) @ contributions
    point = {key: float(values[0]) for key, values in _all_figures(sums[None, :], items.k).items()}
    replicates = _resampled(items, contributions, resamples, seed)
    units = int(items.weights.sum())
    pairs = round(float(sums[0]))
    weights = items.weights
    both = int(weights[items.cell >= 0].sum()) if n_raters == 2 else 0
    pairable_items = items.counts.sum(axis=1) >= 2
    pairable = int(weights[pairable_items].sum())

    def figure(key: str, value: float | None, n: int, counted: str, reason: str) -> Figure:
        if value is None or math.isnan(value):
            value = None
        low, high, interval_reason = _interval(value, replicates[key], units)
        reading, reading_scale = "", ""
        if value is not None and key in {KAPPA_LINEAR, KAPPA_QUADRATIC}:
            reading, reading_scale = kappa_reading(value), LANDIS_KOCH
        elif value is not None and key == ALPHA_ORDINAL:
            reading, reading_scale = alpha_reading(value), KRIPPENDORFF
        return Figure(
            key=key,
            value=value,
            n=n,
            counted=counted,
            low=low,
            high=high,
            reason="" if value is not None else reason,
            interval_reason=interval_reason,
            reading=reading,
            reading_scale=reading_scale,
        )

    no_pairs = (
        "Only one rater: there is nobody to agree with."
        if n_raters < 2
        else "No item was graded by two or more raters, so there are no pairs to compare."
    )
    exact = figure(EXACT, point[EXACT] if pairs else None, pairs, "pairs", no_pairs)
    within = figure(WITHIN_ONE, point[WITHIN_ONE] if pairs else None, pairs, "pairs", no_pairs)

    kappas = []
    for key, kind in ((KAPPA_LINEAR, "linear"), (KAPPA_QUADRATIC, "quadratic")):
        value: float | None = None
        if n_raters != 2:
            reason = f"Cohen's kappa compares exactly two raters; these grades have {n_raters}."
        elif both < MIN_ITEMS:
            reason = _too_few(both, "graded by both raters")
        else:
            reason = _one_grade(_only_grade(items, items.cell >= 0, names), "Both raters gave")
            value = None if math.isnan(point[key]) else _sklearn_kappa(items, kind)
        kappas.append(figure(key, value, both, "items", reason))

    alpha_value: float | None = None
    if n_raters < 2:
        alpha_reason = no_pairs
    elif pairable < MIN_ITEMS:
        alpha_reason = _too_few(pairable, "graded by two or more raters")
    else:
        alpha_reason = _one_grade(_only_grade(items, pairable_items, names), "Every rater gave")
        alpha_value = point[ALPHA_ORDINAL]
    alpha = figure(ALPHA_ORDINAL, alpha_value, pairable, "items", alpha_reason)
    return AgreementFigures(
        n_items=n_items,
        n_raters=n_raters,
        exact=exact,
        within_one=within,
        kappa_linear=kappas[0],
        kappa_quadratic=kappas[1],
        alpha_ordinal=alpha,
    )


def _too_few(n: int, what: str) -> str:
    if n == 0:
        return f"No item was {what}."
    return f"Only {n} item was {what}: at least {MIN_ITEMS} are needed."


def _one_grade(grade: str, who: str) -> str:
    """Why kappa or alpha is undefined when everything else is there: one grade throughout."""
    named = f"the same grade ({grade})" if grade else "the same grade"
    return f"{who} every item {named}, so agreement beyond chance cannot be measured."


def agreement_of_ratings(
    ratings: Iterable[Rating],
    *,
    scale: Sequence[int],
    names: Mapping[int, str] | None = None,
    resamples: int = RESAMPLES,
    seed: int = SEED,
) -> AgreementFigures:
    """The figures for ratings `(item, rater, grade)`, any number of raters, an item graded by
    any of them. `scale` is every grade from lowest to highest, used or not; `names` words
    for grades in the reasons (4 -> "Outstanding"). ValueError for a grade off the scale or a
    rater grading an item twice."""
    return _figures(
        _items_from_ratings(ratings, scale), names=names, resamples=resamples, seed=seed
    )


def agreement_of_pairs(
    pairs: Mapping[tuple[int, int], int],
    *,
    scale: Sequence[int],
    names: Mapping[int, str] | None = None,
    resamples: int = RESAMPLES,
    seed: int = SEED,
) -> AgreementFigures:
    """The figures for two raters who each graded every item, given as how many items got each
    pair of grades: {(first rater's grade, second's): items}. The same figures as the ratings
    would give, from a count that a database can do."""
    return _figures(_items_from_pairs(pairs, scale), names=names, resamples=resamples, seed=seed)
