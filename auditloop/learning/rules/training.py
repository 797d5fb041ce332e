"""Which training needs a rule raises from one cycle's figures. Pure code: no database.

The selectors count, for each team, its counted audits in the cycle (submitted or completed,
not calibration), how many of them graded each domain at each grade value (the grade that
counts, after moderation), and in how many a learning point carried each theme. A rule is
evaluated team by team (a domain is a question's tool and code, never one version's question
row: a new version of a tool has new question rows, and a rule on "V1" must go on counting it):

- DOMAIN_SHARE fires for a team and a domain when the audits grading that domain at or below
  the rule's grade value are *more than* `percent` per cent of the team's audits that graded
  the domain (30% of 10 audits is 3: three does not fire, four does).
- THEME_COUNT fires for a team and a theme when *more than* `count` of the team's counted
  audits carry a learning point with that theme.

A team with fewer than the small-group minimum of counted audits raises nothing: a share of
three audits says nothing about a team's practice, and would point at one or two workers. Such
teams are reported as "too few to say" so the page can explain why they raised no need.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

DOMAIN_SHARE = "domain_share"
# A domain: a graded question's tool id and code, the same in every version of the tool.
type Domain = tuple[int, str]
THEME_COUNT = "theme_count"


@dataclass(frozen=True)
class RuleTerms:
    """What a rule asks, without the database: its kind, subject (None = any) and threshold."""

    kind: str
    domain: Domain | None = None
    grade_value: int | None = None
    percent: int | None = None
    theme_id: int | None = None
    count: int | None = None


@dataclass
class TeamFigures:
    """One team's counted audits in a cycle, as the selectors count them.

    `grades[domain][grade_value]` is the number of the team's audits whose answer to that
    domain counts that grade; `themes[theme_id]` the number of its audits carrying the theme."""

    team_id: int
    audits: int
    grades: dict[Domain, dict[int, int]] = field(default_factory=dict)
    themes: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Finding:
    """A rule fired for a team on one subject (a domain or a theme), with its evidence: counts
    and thresholds only, never a child or a worker."""

    team_id: int
    domain: Domain | None
    theme_id: int | None
    evidence: dict[str, int | float | str]


@dataclass(frozen=True)
class Evaluation:
    """What one rule found in one cycle: the needs it raises, and the teams it could not judge
    because they had too few counted audits."""

    findings: list[Finding]
    too_few: list[int]


def share_percent(part: int, whole: int) -> float:
    """`part` of `whole` as a percentage, to one decimal place (0 when `whole` is 0)."""
    return round(100 * part / whole, 1) if whole else 0.0


def share_fires(low: int, graded: int, percent: int) -> bool:
    """Whether `low` of `graded` is more than `percent` per cent, in whole numbers (no rounding:
    30% of 10 is exactly 3, which does not fire)."""
    return graded > 0 and 100 * low > percent * graded


def _domain_findings(
    terms: RuleTerms, team: TeamFigures, domains: list[Domain], minimum: int
) -> list[Finding]:
    if terms.grade_value is None or terms.percent is None:
        raise ValueError("A domain rule needs its grade and its percentage.")
    found = []
    for domain in domains:
        counts = team.grades.get(domain, {})
        graded = sum(counts.values())
        low = sum(n for value, n in counts.items() if value <= terms.grade_value)
        if graded < minimum or not share_fires(low, graded, terms.percent):
            continue
        found.append(
            Finding(
                team_id=team.team_id,
                domain=domain,
                theme_id=None,
                evidence={
                    "kind": DOMAIN_SHARE,
                    "audits": team.audits,
                    "graded": graded,
                    "low": low,
                    "share": share_percent(low, graded),
                    "percent": terms.percent,
                    "grade_value": terms.grade_value,
                },
            )
        )
    return found


def _theme_findings(terms: RuleTerms, team: TeamFigures, theme_ids: list[int]) -> list[Finding]:
    if terms.count is None:
        raise ValueError("A theme rule needs its number of audits.")
    found = []
    for theme_id in theme_ids:
        with_theme = team.themes.get(theme_id, 0)
        if with_theme <= terms.count:
            continue
        found.append(
            Finding(
                team_id=team.team_id,
                domain=None,
                theme_id=theme_id,
                evidence={
                    "kind": THEME_COUNT,
                    "audits": team.audits,
                    "with_theme": with_theme,
                    "share": share_percent(with_theme, team.audits),
                    "count": terms.count,
                },
            )
        )
    return found


def rule_evaluate(
    terms: RuleTerms,
    teams: Mapping[int, TeamFigures],
    *,
    minimum: int,
    graded_domains: list[Domain],
) -> Evaluation:
    """The needs `terms` raises across `teams` (by team id), and the teams too small to judge.

    `graded_domains` are the domains an "any domain" rule looks at (the graded questions'
    (tool, code) of the tools graded on the four-point scale); `minimum` is the small-group
    minimum of counted audits."""
    findings: list[Finding] = []
    too_few: list[int] = []
    for team_id in sorted(teams):
        team = teams[team_id]
        if team.audits < minimum:
            too_few.append(team_id)
            continue
        if terms.kind == DOMAIN_SHARE:
            domains = [terms.domain] if terms.domain is not None else graded_domains
            findings += _domain_findings(terms, team, domains, minimum)
        elif terms.kind == THEME_COUNT:
            themes = [terms.theme_id] if terms.theme_id is not None else sorted(team.themes)
            findings += _theme_findings(terms, team, themes)
        else:
            raise ValueError(f"Unknown kind of training rule: {terms.kind!r}")
    return Evaluation(findings=findings, too_few=too_few)
