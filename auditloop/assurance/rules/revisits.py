"""What changed between audits and their revisits, as figures: how many pairs improved, stayed
the same or got worse, and, when there are enough pairs, the paired Wilcoxon signed-rank test
with its effect size. Pure arithmetic on the differences (how many steps the revisit's answer
stands above the earlier audit's, counted in places on the scale and never in grade values,
`auditloop.audits.rules.answer_steps`); no database.

The test is scipy's (`scipy.stats.wilcoxon`) on the pairs that changed: pairs that stayed the
same carry no sign, and are left out as in Wilcoxon's own test (`zero_method="wilcox"`). The
effect size is the matched-pairs rank-biserial correlation (Kerby 2014): the share of the rank
sum on the side of improvement less the share on the side of getting worse, from -1 (every pair
worse) through 0 to 1 (every pair better)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import rankdata, wilcoxon

# The fewest pairs that changed for which the test is run. With n changed pairs the smallest
# two-sided p-value the signed-rank test can give is 2 / 2**n, reached only when every pair
# changed the same way: 0.0625 for five pairs, 0.031 for six. With fewer than six the test could
# never show a change at the usual 5% level, whatever happened, so a p-value would only mislead;
# the page gives the counts alone and says why.
MIN_CHANGED_PAIRS = 6

# scipy's own choice between its methods (method="auto"), named so the page can say which
# computed the p-value: exact up to 50 pairs without ties, every sign pattern up to 13 pairs
# with ties, else the normal approximation.
EXACT_LIMIT = 50
PERMUTATION_LIMIT = 13

# Cohen's conventions for a correlation, used for the rank-biserial correlation too.
EFFECT_WORDS = ((0.5, "large"), (0.3, "medium"), (0.1, "small"))


@dataclass(frozen=True)
class SignedRankTest:
    """The paired Wilcoxon signed-rank test on the pairs that changed."""

    n: int  # pairs that changed: those the test ranks
    rank_sum_better: float  # T+, the sum of the ranks of the improvements
    rank_sum_worse: float  # T-
    p_value: float  # two-sided
    effect: float  # the matched-pairs rank-biserial correlation, -1 to 1
    method: str  # how scipy computed the p-value, in words

    @property
    def effect_size_words(self) -> str:
        size = abs(self.effect)
        for limit, words in EFFECT_WORDS:
            if size >= limit:
                return words
        return "negligible"

    @property
    def p_words(self) -> str:
        return "p < 0.001" if self.p_value < 0.001 else f"p = {self.p_value:.3f}"

    @property
    def significant(self) -> bool:
        """Whether the change is unlikely to be chance alone, at the 5% level."""
        return self.p_value < 0.05


@dataclass(frozen=True)
class ChangeFigures:
    """The pairs of one question (or of the overall grade) across a cycle or a service."""

    n: int
    improved: int
    unchanged: int
    worse: int
    test: SignedRankTest | None
    # Why there is no test, in a sentence, when there is none.
    no_test_reason: str

    @property
    def no_test_short(self) -> str:
        """Why there is no test, in a few words for a table cell."""
        if self.test is not None:
            return ""
        changed = self.improved + self.worse
        if changed == 0:
            return "Not run: no pair changed"
        return f"Not run: {changed} changed, {MIN_CHANGED_PAIRS} needed"

    def share(self, count: int) -> float | None:
        return count / self.n if self.n else None

    @property
    def improved_share(self) -> float | None:
        return self.share(self.improved)

    @property
    def unchanged_share(self) -> float | None:
        return self.share(self.unchanged)

    @property
    def worse_share(self) -> float | None:
        return self.share(self.worse)


def _method_words(changed: Sequence[int]) -> str:
    ties = len({abs(d) for d in changed}) < len(changed)
    if not ties and len(changed) <= EXACT_LIMIT:
        return "exact"
    if len(changed) <= PERMUTATION_LIMIT:
        return "exact, over every pattern of signs, as the differences tie"
    return "normal approximation, allowing for ties"


def signed_rank_test(differences: Sequence[int]) -> SignedRankTest | None:
    """The test on the non-zero differences, or None when fewer than MIN_CHANGED_PAIRS
    changed."""
    changed = [d for d in differences if d != 0]
    n = len(changed)
    if n < MIN_CHANGED_PAIRS:
        return None
    values = np.asarray(changed, dtype=float)
    ranks = rankdata(np.abs(values))  # ties share their average rank
    better = float(ranks[values > 0].sum())
    worse = float(ranks[values < 0].sum())
    # scipy's own choice of method ("auto"): with ties, up to 13 pairs it goes through all
    # 2**n sign patterns (fewer than its 9,999 resamples), so the p-value is never a random draw.
    result = wilcoxon(values, zero_method="wilcox", alternative="two-sided", method="auto")
    return SignedRankTest(
        n=n,
        rank_sum_better=better,
        rank_sum_worse=worse,
        p_value=float(result.pvalue),
        effect=(better - worse) / (better + worse),
        method=_method_words(changed),
    )


def _no_test_reason(n: int, changed: int) -> str:
    if n == 0:
        return "No revisit has been submitted here yet."
    if changed == 0:
        return "Every pair stayed the same, so there is no change to test."
    return (
        f"Only {changed} pair{'s' if changed != 1 else ''} changed: the signed-rank test needs "
        f"at least {MIN_CHANGED_PAIRS} before it could show a change at the 5% level, so only "
        "the counts are given."
    )


def change_figures(differences: Sequence[int]) -> ChangeFigures:
    """The counts of pairs improved, unchanged and worse, and the test when there are enough
    pairs that changed."""
    improved = sum(1 for d in differences if d > 0)
    worse = sum(1 for d in differences if d < 0)
    test = signed_rank_test(differences)
    return ChangeFigures(
        n=len(differences),
        improved=improved,
        unchanged=len(differences) - improved - worse,
        worse=worse,
        test=test,
        no_test_reason="" if test else _no_test_reason(len(differences), improved + worse),
    )
