"""Key messages' pure rules: which status may follow which, when a group's figures are withheld,
how the compiled counts become the frozen figures and the trend, and the draft's first words.

Nothing here touches the database. The figures are plain numbers and labels (domains are
questions' texts, themes their names): no person's name, no child's id, no audit's id.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from auditloop.learning.models import KeyMessageStatus

# Which status may follow which: compiled as a draft, sent for review, sent back to its author
# or published by the reviewer, withdrawn by a lead once published.
TRANSITIONS: dict[str, frozenset[str]] = {
    KeyMessageStatus.DRAFT: frozenset({KeyMessageStatus.IN_REVIEW}),
    KeyMessageStatus.IN_REVIEW: frozenset({KeyMessageStatus.DRAFT, KeyMessageStatus.PUBLISHED}),
    KeyMessageStatus.PUBLISHED: frozenset({KeyMessageStatus.WITHDRAWN}),
    KeyMessageStatus.WITHDRAWN: frozenset(),
}

TRANSITION_REFUSALS: dict[str, str] = {
    KeyMessageStatus.IN_REVIEW: "Only a draft can be sent for review.",
    KeyMessageStatus.DRAFT: "Only a key message in review can be sent back to its author.",
    KeyMessageStatus.PUBLISHED: "Only a key message in review can be published.",
    KeyMessageStatus.WITHDRAWN: "Only a published key message can be withdrawn.",
}


def transition_refusal(current: str, wanted: str) -> str:
    """Why a key message of status `current` cannot move to `wanted`, or "" when it can."""
    if wanted in TRANSITIONS.get(current, frozenset()):
        return ""
    return TRANSITION_REFUSALS.get(wanted, "That change of status is not allowed.")


def group_suppressed(audits: int, *, small_group_min: int) -> bool:
    """Whether a group's figures are withheld because it is small enough to point at one
    person: fewer than `small_group_min` counted audits. The one place key messages apply
    the primary threshold (the shared rules in `learning.rules.suppression` take over here)."""
    return audits < small_group_min


def share(part: int, whole: int) -> int | None:
    """`part` of `whole` as a whole percentage, None when there is nothing to divide."""
    if whole <= 0:
        return None
    return round(100 * part / whole)


def change(now: int | None, before: int | None) -> int | None:
    if now is None or before is None:
        return None
    return now - before


@dataclass
class DomainCount:
    """One domain (a graded question, by its text) in the scope's counted audits."""

    domain: str
    order: tuple[int, ...]
    graded: int = 0
    good_or_better: int = 0
    requires_improvement_or_worse: int = 0
    good_practice_points: int = 0
    concern_points: int = 0


@dataclass
class ThemeCount:
    theme: str
    good_practice_points: int = 0
    concern_points: int = 0
    audits: int = 0


@dataclass
class ScopeCounts:
    """What was counted in one scope and cycle."""

    cycle: str
    audits: int
    graded_audits: int = 0
    good_or_better_audits: int = 0
    requires_improvement_or_worse_audits: int = 0
    good_practice_points: int = 0
    concern_points: int = 0
    domains: list[DomainCount] = field(default_factory=list)
    themes: list[ThemeCount] = field(default_factory=list)


TOP = 3


def _domain_figures(d: DomainCount, *, small_group_min: int) -> dict[str, Any]:
    withheld = group_suppressed(d.graded, small_group_min=small_group_min)
    return {
        "domain": d.domain,
        "graded": d.graded,
        "good_practice_points": d.good_practice_points,
        "concern_points": d.concern_points,
        "suppressed": withheld,
        "good_or_better_share": None if withheld else share(d.good_or_better, d.graded),
        "requires_improvement_or_worse_share": (
            None if withheld else share(d.requires_improvement_or_worse, d.graded)
        ),
    }


def counts_figures(counts: ScopeCounts, *, small_group_min: int) -> dict[str, Any]:
    """The figures of one scope and cycle as plain data. A small group's figures are withheld
    whole: only that they are (and the threshold) is said, not even how many audits there
    were."""
    if group_suppressed(counts.audits, small_group_min=small_group_min):
        return {"cycle": counts.cycle, "suppressed": True, "small_group_min": small_group_min}
    domains = [
        _domain_figures(d, small_group_min=small_group_min)
        for d in sorted(counts.domains, key=lambda d: d.order)
    ]
    shown = [d for d in domains if not d["suppressed"]]
    strongest = sorted(
        (d for d in shown if d["good_or_better_share"]),
        key=lambda d: (-d["good_or_better_share"], -d["good_practice_points"], d["domain"]),
    )[:TOP]
    development = sorted(
        (d for d in shown if d["requires_improvement_or_worse_share"]),
        key=lambda d: (
            -d["requires_improvement_or_worse_share"],
            -d["concern_points"],
            d["domain"],
        ),
    )[:TOP]
    themes = sorted(
        counts.themes,
        key=lambda t: (-(t.good_practice_points + t.concern_points), t.theme),
    )
    return {
        "cycle": counts.cycle,
        "suppressed": False,
        "small_group_min": small_group_min,
        "audits": counts.audits,
        "graded_audits": counts.graded_audits,
        "good_or_better_share": share(counts.good_or_better_audits, counts.graded_audits),
        "requires_improvement_or_worse_share": share(
            counts.requires_improvement_or_worse_audits, counts.graded_audits
        ),
        "learning_points": counts.good_practice_points + counts.concern_points,
        "good_practice_points": counts.good_practice_points,
        "concern_points": counts.concern_points,
        "domains": domains,
        "strongest_practice": [d["domain"] for d in strongest],
        "areas_for_development": [d["domain"] for d in development],
        "themes_good_practice": [
            {"theme": t.theme, "points": t.good_practice_points, "audits": t.audits}
            for t in sorted(themes, key=lambda t: (-t.good_practice_points, t.theme))
            if t.good_practice_points
        ][:TOP],
        "themes_development": [
            {"theme": t.theme, "points": t.concern_points, "audits": t.audits}
            for t in sorted(themes, key=lambda t: (-t.concern_points, t.theme))
            if t.concern_points
        ][:TOP],
        "themes": [
            {
                "theme": t.theme,
                "good_practice_points": t.good_practice_points,
                "concern_points": t.concern_points,
                "audits": t.audits,
            }
            for t in themes
        ],
    }


def trend_figures(now: Mapping[str, Any], before: Mapping[str, Any] | None) -> dict[str, Any]:
    """The change against the previous cycle: the same figures, in percentage points for the
    shares. Nothing is compared where either side is withheld or missing."""
    if before is None:
        return {"previous_cycle": None, "comparable": False, "reason": "no previous cycle"}
    if now.get("suppressed") or before.get("suppressed"):
        return {
            "previous_cycle": before.get("cycle"),
            "comparable": False,
            "reason": "too few audits to compare",
        }
    previous_domains = {d["domain"]: d for d in before.get("domains", [])}
    domains = []
    for d in now.get("domains", []):
        old = previous_domains.get(d["domain"])
        domains.append(
            {
                "domain": d["domain"],
                "good_or_better_change": change(
                    d["good_or_better_share"], old["good_or_better_share"] if old else None
                ),
                "requires_improvement_or_worse_change": change(
                    d["requires_improvement_or_worse_share"],
                    old["requires_improvement_or_worse_share"] if old else None,
                ),
            }
        )
    return {
        "previous_cycle": before.get("cycle"),
        "comparable": True,
        "reason": "",
        "audits_change": now["audits"] - before["audits"],
        "good_or_better_change": change(
            now["good_or_better_share"], before["good_or_better_share"]
        ),
        "requires_improvement_or_worse_change": change(
            now["requires_improvement_or_worse_share"],
            before["requires_improvement_or_worse_share"],
        ),
        "domains": domains,
    }


def _s(n: int) -> str:
    return "" if n == 1 else "s"


def _points(n: int) -> str:
    return f"{abs(n)} percentage point{'' if abs(n) == 1 else 's'}"


def _listed(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def what_we_found_text(figures: Mapping[str, Any], scope: str) -> str:
    """The first part of the briefing, written from the figures (the lead edits it)."""
    if figures.get("suppressed"):
        return (
            f"Fewer than {figures['small_group_min']} audits of {scope} counted in "
            f"{figures['cycle']}, so the figures are not shown: a group this small could point "
            "at one person. The examples below still show what the audits found."
        )
    lines = [
        f"{figures['audits']} audits of {scope} counted in {figures['cycle']}, with "
        f"{figures['learning_points']} learning point{_s(figures['learning_points'])} "
        f"({figures['good_practice_points']} good practice to share, "
        f"{figures['concern_points']} area{_s(figures['concern_points'])} for development)."
    ]
    if figures.get("good_or_better_share") is not None:
        lines.append(
            f"{figures['good_or_better_share']}% of the graded audits were Good or better and "
            f"{figures['requires_improvement_or_worse_share']}% Requires improvement or worse."
        )
    if figures.get("strongest_practice"):
        lines.append(f"Strongest practice: {_listed(figures['strongest_practice'])}.")
    if figures.get("areas_for_development"):
        lines.append(
            f"Most common areas for development: {_listed(figures['areas_for_development'])}."
        )
    development_themes = [t["theme"] for t in figures.get("themes_development", [])]
    if development_themes:
        lines.append(f"Themes most often raised as a concern: {_listed(development_themes)}.")
    trend = figures.get("trend") or {}
    if trend.get("comparable") and trend.get("good_or_better_change") is not None:
        moved = trend["good_or_better_change"]
        direction = "up" if moved > 0 else "down" if moved < 0 else "unchanged"
        detail = f" by {_points(moved)}" if moved else ""
        lines.append(
            f"Against {trend['previous_cycle']}, the share graded Good or better is "
            f"{direction}{detail}."
        )
    return "\n\n".join(lines)


STARTER_WHY_IT_MATTERS = (
    "Say why these findings matter for the children and families we work with: what a child "
    "experiences when this practice is strong, and what happens when it is missing."
)
STARTER_WHAT_GOOD_LOOKS_LIKE = (
    "Describe what good practice looks like here, drawing on the examples of good practice below."
)
STARTER_WHAT_TO_DO_NEXT = (
    "Say what each practitioner and manager should do next: one to three actions they can "
    "take in their next supervision or visit."
)

EXAMPLES_PER_KIND = 2
EXAMPLE_LENGTH = 300


@dataclass(frozen=True)
class Candidate:
    """A learning point that could be an example: its id, kind, domain and text."""

    point_id: int
    kind: str
    domain: str
    text: str


def examples_chosen(
    candidates: Iterable[Candidate], *, per_kind: int = EXAMPLES_PER_KIND
) -> list[Candidate]:
    """A few examples of each kind, each from a different domain where there are enough,
    in the order given (the caller orders them)."""
    chosen: list[Candidate] = []
    by_kind: dict[str, list[Candidate]] = {}
    for c in candidates:
        by_kind.setdefault(c.kind, []).append(c)
    # Good practice first: what to share leads, what to develop follows.
    for kind in sorted(by_kind, key=lambda k: (k != "good_practice", k)):
        pool = by_kind[kind]
        taken: list[Candidate] = []
        domains: set[str] = set()
        for c in pool:
            if len(taken) < per_kind and c.domain not in domains:
                taken.append(c)
                domains.add(c.domain)
        for c in pool:
            if len(taken) < per_kind and c not in taken:
                taken.append(c)
        chosen += taken
    return chosen


def example_shortened(text: str, *, limit: int = EXAMPLE_LENGTH) -> str:
    """An example's text cut at a sentence (or word) end to at most `limit` characters."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    stop = cut.rfind(". ")
    if stop >= limit // 3:
        return cut[: stop + 1]
    return cut[: cut.rfind(" ")].rstrip(",;:") + "\u2026"


def domain_rows(figures: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The figures' domains, each with its change against the previous cycle, for a table."""
    trend = figures.get("trend") or {}
    changes = {d["domain"]: d for d in trend.get("domains", [])}
    return [
        {
            **d,
            "good_or_better_change": changes.get(d["domain"], {}).get("good_or_better_change"),
            "requires_improvement_or_worse_change": changes.get(d["domain"], {}).get(
                "requires_improvement_or_worse_change"
            ),
        }
        for d in figures.get("domains", [])
    ]
