"""Whether a training event made a difference: the statistics, pure (no database).

The selectors hand over, for each practitioner in each group (those who attended, and the
comparison group: practitioners of the same services who did not), the places on the grading
scale (0 = the lowest grade) of their audits' grades that count, before the event and after it.
Only people with audits in both periods are compared, so that each group is compared with
itself.

Figures:

- per group and period: the number of audits and people, the mean place and the distribution;
- per group: the change in mean place (after minus before), and Cliff's delta of the audits
  after against those before;
- the difference in differences: the attendees' change minus the comparison group's change, in
  grade places, with a 95% bootstrap interval;
- the effect size: the attendees' Cliff's delta minus the comparison group's, with its interval.

Why Cliff's delta. Grades are ordinal: "Good" is above "Requires improvement", but nothing says
the step from Inadequate to Requires improvement is as large as the step from Good to
Outstanding, which a mean or Hedges' g would assume. Cliff's delta, P(later > earlier) minus
P(later < earlier) over every pair of audits, uses the order alone, lies in [-1, 1], is zero
when the two periods look the same, and is the rank-biserial correlation of the Mann-Whitney U
(delta = 2U / (n1 n2) - 1), so it can be checked against `scipy.stats.mannwhitneyu`. The mean
change in places is shown beside it because it is what readers grasp, not as the effect size.

Why a cluster bootstrap. One practitioner's audits are not independent of each other (the same
worker, often the same cases), so the interval resamples people, not audits, within each group,
with a fixed seed so that a page shows the same interval every time it is read.

Small groups. The four rows (each group before and after) are one table of counts (audits at
each grade, and each row's total, the audits), suppressed by the shared rule
(`rules.suppression.suppress_table`, small counts included, with secondary suppression): a row
of fewer than the threshold of audits, or of fewer than `MIN_PEOPLE` people, is not shown, nor
is a count from 1 to the threshold less one, nor a figure that would let one of those be worked
out. A figure worked out from the counts (a mean, a change, Cliff's delta, the difference in
differences, the effect size and their intervals) is shown only where every count it is worked
out from is shown: a mean beside a total and the other cells gives a hidden cell away.

It is an observational comparison: who attended was not chosen at random, and much else changes
between two periods. The caveats say so, always, and say when the numbers are too small to say
anything at all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from auditloop.learning.rules.suppression import Suppressed, suppress_table

# Fewer audits than this in any group and period: too few to say whether training mattered.
MIN_AUDITS = 10
BOOTSTRAP_REPS = 2000
BOOTSTRAP_SEED = 20260401
LEVEL = 0.95

OBSERVATIONAL = (
    "This is an observational comparison, not proof: the people who attended were not chosen "
    "at random, and other things changed between the two periods (cases, caseloads, auditors, "
    "the audit tool). A difference here is a reason to look closer, not a measure of the "
    "training."
)
TOO_FEW = "There are too few audits to say whether the training made a difference"


@dataclass(frozen=True)
class PersonGrades:
    """One practitioner's audits' places on the scale, before and after the event."""

    before: tuple[int, ...]
    after: tuple[int, ...]


@dataclass(frozen=True)
class Period:
    """A group's audits in one period. `audits`, `mean` and each count of `distribution` are
    None where suppressed (the mean wherever any count of the period is)."""

    audits: int | None
    mean: float | None
    # Audits at each place on the scale, lowest first (every place, zeros included).
    distribution: tuple[int | None, ...]

    @property
    def complete(self) -> bool:
        return self.audits is not None and all(n is not None for n in self.distribution)


@dataclass(frozen=True)
class GroupFigures:
    """A group's figures: `change` and `delta` are None unless both its periods are shown
    whole. `suppressed`: some figure of the group is not shown."""

    people: int
    suppressed: bool
    before: Period
    after: Period
    change: float | None
    delta: float | None


@dataclass(frozen=True)
class Impact:
    attendees: GroupFigures
    others: GroupFigures
    difference: float | None
    difference_interval: tuple[float, float] | None
    effect: float | None
    effect_interval: tuple[float, float] | None
    too_few: bool
    caveats: list[str]


def cliffs_delta(later: Sequence[int], earlier: Sequence[int]) -> float:
    """P(a later grade is above an earlier one) minus P(below), over every pair; 0 when either
    side is empty. Antisymmetric: cliffs_delta(a, b) == -cliffs_delta(b, a).

    Counted by sorting, not by a matrix of every pair: a national council's groups hold
    hundreds of thousands of grades, and their pairs would not fit in memory."""
    if not later or not earlier:
        return 0.0
    a = np.asarray(later)
    b = np.sort(np.asarray(earlier))
    below = np.searchsorted(b, a, side="left")  # earlier grades under each later one
    above = len(b) - np.searchsorted(b, a, side="right")
    return float((below.sum() - above.sum()) / (len(later) * len(earlier)))


def _delta_of_counts(later: np.ndarray, earlier: np.ndarray) -> float:
    """`cliffs_delta` of two groups given as counts by place (the same places for both)."""
    below = np.concatenate(([0], np.cumsum(earlier)[:-1]))
    above = earlier.sum() - np.cumsum(earlier)
    pairs = (later * (below - above)).sum()
    return float(pairs / (later.sum() * earlier.sum()))


def _mean(values: Sequence[int]) -> float | None:
    return float(np.mean(values)) if values else None


def _counts(values: Sequence[int], places: int) -> list[int]:
    counts = Counter(values)
    return [counts.get(n, 0) for n in range(places)]


def _period(values: Sequence[int], places: int, hidden: Suppressed, row: int) -> Period:
    counts = _counts(values, places)
    distribution = tuple(None if hidden.cell(row, j) else n for j, n in enumerate(counts))
    audits = None if hidden.row_total(row) else len(values)
    whole = audits is not None and None not in distribution
    return Period(audits=audits, mean=_mean(values) if whole else None, distribution=distribution)


def _pooled(people: Sequence[PersonGrades]) -> tuple[list[int], list[int]]:
    before = [g for p in people for g in p.before]
    after = [g for p in people for g in p.after]
    return before, after


def _change(people: Sequence[PersonGrades]) -> tuple[float, float] | None:
    """(change in mean place, Cliff's delta) of a group, pooled over its audits."""
    before, after = _pooled(people)
    if not before or not after:
        return None
    return float(np.mean(after) - np.mean(before)), cliffs_delta(after, before)


def impact_suppressed(
    attendees: Sequence[PersonGrades],
    others: Sequence[PersonGrades],
    *,
    places: int,
    threshold: int,
) -> Suppressed:
    """The shared suppression of the page's table: rows attendees before, attendees after,
    others before, others after; columns the scale's places; each row's total (its audits)
    shown, no column totals. Small groups are withheld (fewer than the threshold's audits, or
    fewer than three people), with whatever would give them away; small counts are not, since
    the page is read only by those who may read every audit behind it (`can_read_impact`),
    as a team's picture is."""
    cells: list[list[int]] = []
    audits: list[int] = []
    people: list[int] = []
    for group in (attendees, others):
        for values in _pooled(group):
            cells.append(_counts(values, places))
            audits.append(len(values))
            people.append(len(group))
    return suppress_table(
        cells,
        threshold=threshold,
        row_groups=audits,
        row_people=people,
        row_totals=True,
        column_totals=False,
        small_counts=False,
    )


def _group(
    people: Sequence[PersonGrades], *, places: int, hidden: Suppressed, first_row: int
) -> GroupFigures:
    before, after = _pooled(people)
    periods = (
        _period(before, places, hidden, first_row),
        _period(after, places, hidden, first_row + 1),
    )
    whole = all(p.complete for p in periods)
    change = _change(people) if whole else None
    return GroupFigures(
        people=len(people),
        suppressed=not whole,
        before=periods[0],
        after=periods[1],
        change=change[0] if change else None,
        delta=change[1] if change else None,
    )


def _interval(values: list[float]) -> tuple[float, float]:
    tail = (1 - LEVEL) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return float(low), float(high)


def _counts_by_person(
    people: Sequence[PersonGrades], values: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each person's audits before and after, as counts by place (rows people, columns
    `values`), so that a resampled group's pooled grades are a sum of rows."""
    index = {int(v): i for i, v in enumerate(values)}
    before = np.zeros((len(people), len(values)), dtype=np.int64)
    after = np.zeros((len(people), len(values)), dtype=np.int64)
    for row, person in enumerate(people):
        for grade in person.before:
            before[row, index[grade]] += 1
        for grade in person.after:
            after[row, index[grade]] += 1
    return before, after


def _change_of_counts(
    before: np.ndarray, after: np.ndarray, values: np.ndarray
) -> tuple[float, float] | None:
    """`_change` of a group given as its pooled counts by place: the same figures, worked out
    from a handful of counts instead of every grade."""
    n_before, n_after = before.sum(), after.sum()
    if not n_before or not n_after:
        return None
    mean_before = (values * before).sum() / n_before
    mean_after = (values * after).sum() / n_after
    return float(mean_after - mean_before), _delta_of_counts(after, before)


def bootstrap_intervals(
    attendees: Sequence[PersonGrades],
    others: Sequence[PersonGrades],
    *,
    reps: int = BOOTSTRAP_REPS,
    seed: int = BOOTSTRAP_SEED,
) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """95% percentile intervals of the difference in differences and of the difference of
    Cliff's deltas, resampling people (with their audits) within each group; None when a
    group is empty. The same inputs and seed give the same intervals.

    Each resample sums the chosen people's counts by place, so a rep costs the number of
    people, not of grades (a national council's comparison pools hundreds of thousands)."""
    if not attendees or not others:
        return None
    values = np.unique(
        np.fromiter(
            (g for p in (*attendees, *others) for g in (*p.before, *p.after)), dtype=np.int64
        )
    )
    a_before, a_after = _counts_by_person(attendees, values)
    o_before, o_after = _counts_by_person(others, values)
    rng = np.random.default_rng(seed)
    differences: list[float] = []
    effects: list[float] = []
    for _ in range(reps):
        a = rng.integers(0, len(attendees), len(attendees))
        o = rng.integers(0, len(others), len(others))
        ca = _change_of_counts(a_before[a].sum(axis=0), a_after[a].sum(axis=0), values)
        co = _change_of_counts(o_before[o].sum(axis=0), o_after[o].sum(axis=0), values)
        if ca is None or co is None:
            continue
        differences.append(ca[0] - co[0])
        effects.append(ca[1] - co[1])
    if not differences:
        return None
    return _interval(differences), _interval(effects)


def impact_compare(
    attendees: Sequence[PersonGrades],
    others: Sequence[PersonGrades],
    *,
    places: int,
    threshold: int,
    min_audits: int = MIN_AUDITS,
) -> Impact:
    """The figures for one event: each group's, suppressed by the shared rule (`threshold` is
    `settings.AUDITLOOP_SMALL_GROUP_MIN`), the difference in differences and the effect size
    with intervals (only when every count of both groups is shown), and the caveats in words."""
    hidden = impact_suppressed(attendees, others, places=places, threshold=threshold)
    a = _group(attendees, places=places, hidden=hidden, first_row=0)
    o = _group(others, places=places, hidden=hidden, first_row=2)
    caveats: list[str] = []
    shown = not a.suppressed and not o.suppressed
    periods = [g for f in (a, o) for g in (f.before, f.after)]
    too_few = not shown or any((p.audits or 0) < min_audits for p in periods)
    if not shown:
        caveats.append(
            f"{TOO_FEW}: some figures are not shown, so that no one's grades can be picked "
            "out, and nothing is worked out from them."
        )
    elif too_few:
        caveats.append(
            f"{TOO_FEW}: fewer than {min_audits} audits in a group and period. The figures "
            "are shown, but a change this small in numbers this small can be chance."
        )
    caveats.append(OBSERVATIONAL)
    difference = effect = None
    intervals = None
    if (
        shown
        and a.change is not None
        and o.change is not None
        and a.delta is not None
        and o.delta is not None
    ):
        difference = a.change - o.change
        effect = a.delta - o.delta
        intervals = bootstrap_intervals(attendees, others)
    return Impact(
        attendees=a,
        others=o,
        difference=difference,
        difference_interval=intervals[0] if intervals else None,
        effect=effect,
        effect_interval=intervals[1] if intervals else None,
        too_few=too_few,
        caveats=caveats,
    )


def effect_words(effect: float | None) -> str:
    """Cliff's delta (or a difference of two) in words, with the usual thresholds (Romano et
    al.: under 0.147 negligible, 0.33 small, 0.474 medium, else large)."""
    if effect is None:
        return "not worked out"
    size = abs(effect)
    if size < 0.147:
        return "negligible"
    word = "small" if size < 0.33 else "medium" if size < 0.474 else "large"
    return f"{word}, {'better' if effect > 0 else 'worse'} after the training"
