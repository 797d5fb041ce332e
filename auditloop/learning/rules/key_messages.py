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
from auditloop.learning.rules.suppression import (
    MIN_PEOPLE,
    SUPPRESSED_MARK,
    SUPPRESSED_NOTE,
    group_suppressed,
    suppress_table,
)

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
    # The distinct practitioners whose cases the audits are (None: not counted).
    people: int | None = None
    domains: list[DomainCount] = field(default_factory=list)
    themes: list[ThemeCount] = field(default_factory=list)


TOP = 3

# Which numbers of a domain's row, of a theme's row and of the whole scope each table holds.
_GRADE_FIELDS = ("good_or_better", "requires_improvement_or_worse")
_POINT_FIELDS = ("good_practice_points", "concern_points")


def _masked(values: dict[str, Any], hidden: set[str]) -> dict[str, Any]:
    """`values` with every hidden number replaced by None, and the names of those numbers
    listed (in the order of `values`) under "suppressed"."""
    names = [name for name in values if name in hidden]
    return {
        **{name: None if name in hidden else value for name, value in values.items()},
        "suppressed": names,
    }


def _grade_shares(row: dict[str, Any], *, total: str, parts: Sequence[str]) -> dict[str, Any]:
    """The shares of `parts` in `total`, each only where every count it is worked out from is
    shown (a share and its N would give a suppressed count away)."""
    shown = all(row[name] is not None for name in (total, *parts))
    return {
        f"{name.removesuffix('_audits')}_share": share(row[name], row[total]) if shown else None
        for name in parts
    }


def counts_figures(counts: ScopeCounts, *, small_group_min: int) -> dict[str, Any]:
    """The figures of one scope and cycle as plain data, suppressed by the shared rules of
    `learning.rules.suppression` with small counts suppressed too: a key message is read by
    every practitioner and manager of the teams concerned, who may not read the audits behind
    it. This is the one description of `KeyMessage.figures`.

    A group withheld whole (fewer than `small_group_min` audits, or audits of fewer than
    `MIN_PEOPLE` people's cases where `counts.people` is known) is `{"cycle", "suppressed": True,
    "withheld": "audits" | "people", "small_group_min", "min_people"}`: not even how many
    audits there were. Otherwise `"suppressed": False` and every number is either shown or
    None, with the names of the ones that are None listed:

    - the whole scope: `audits`, `good_or_better_audits`, `requires_improvement_or_worse_audits`
      (one table: those two and the audits not graded, totalling `audits`), `graded_audits`
      and the two `..._share`s (shown only where both counts are), `good_practice_points`,
      `concern_points` (the totals of the points-by-domain table) and `learning_points`
      (their sum, shown only where both are); the names of the numbers withheld in
      `suppressed_fields`;
    - `domains`: `[{"domain", "audits" (graded answers), "good_or_better",
      "requires_improvement_or_worse", "good_or_better_share",
      "requires_improvement_or_worse_share", "good_practice_points", "concern_points",
      "suppressed": [names of the numbers that are None]}]`; grades are one table (each row
      totalling its audits), learning points another (each column totalling the scope's);
    - `themes`: `[{"theme", "audits", "good_practice_points", "concern_points", "suppressed":
      [...]}]`, a theme's points from fewer than `small_group_min` audits withheld whole;
    - `strongest_practice` / `areas_for_development`: domains' names, ranked by the shares
      shown only; `themes_good_practice` / `themes_development`: the themes whose points are
      shown.

    The compile step adds `previous` (the previous cycle's figures, the same way) and `trend`
    (`trend_figures`, comparing only figures shown on both sides)."""
    if group_suppressed(counts.audits, threshold=small_group_min, people=counts.people):
        return {
            "cycle": counts.cycle,
            "suppressed": True,
            "withheld": "audits" if counts.audits < small_group_min else "people",
            "small_group_min": small_group_min,
            "min_people": MIN_PEOPLE,
        }
    ungraded = counts.audits - counts.graded_audits
    overall_cells = [
        counts.good_or_better_audits,
        counts.requires_improvement_or_worse_audits,
        ungraded,
    ]
    overall = suppress_table([overall_cells], threshold=small_group_min, column_totals=False)
    hidden = {
        name
        for j, name in enumerate(("good_or_better_audits", "requires_improvement_or_worse_audits"))
        if overall.cell(0, j)
    }
    if overall.row_total(0):
        hidden.add("audits")
    domain_counts = sorted(counts.domains, key=lambda d: d.order)
    grades = suppress_table(
        [[d.good_or_better, d.requires_improvement_or_worse] for d in domain_counts],
        threshold=small_group_min,
        column_totals=False,
    )
    undomained_good = counts.good_practice_points - sum(
        d.good_practice_points for d in domain_counts
    )
    undomained_concern = counts.concern_points - sum(d.concern_points for d in domain_counts)
    # The points with no domain are a row nobody is shown; counting it as shown only ever
    # suppresses more.
    points = suppress_table(
        [[d.good_practice_points, d.concern_points] for d in domain_counts]
        + [[undomained_good, undomained_concern]],
        threshold=small_group_min,
        row_totals=False,
    )
    for j, name in enumerate(_POINT_FIELDS):
        if points.column_total(j):
            hidden.add(name)
    domains = []
    for i, d in enumerate(domain_counts):
        row_hidden = {name for j, name in enumerate(_GRADE_FIELDS) if grades.cell(i, j)}
        row_hidden |= {name for j, name in enumerate(_POINT_FIELDS) if points.cell(i, j)}
        if grades.row_total(i):
            row_hidden.add("audits")
        row = _masked(
            {
                "domain": d.domain,
                "audits": d.graded,
                "good_or_better": d.good_or_better,
                "requires_improvement_or_worse": d.requires_improvement_or_worse,
                "good_practice_points": d.good_practice_points,
                "concern_points": d.concern_points,
            },
            row_hidden,
        )
        row.update(_grade_shares(row, total="audits", parts=_GRADE_FIELDS))
        domains.append(row)
    strongest = sorted(
        (d for d in domains if d["good_or_better_share"]),
        key=lambda d: (-d["good_or_better_share"], d["domain"]),
    )[:TOP]
    development = sorted(
        (d for d in domains if d["requires_improvement_or_worse_share"]),
        key=lambda d: (-d["requires_improvement_or_worse_share"], d["domain"]),
    )[:TOP]
    theme_counts = sorted(
        counts.themes,
        key=lambda t: (-(t.good_practice_points + t.concern_points), t.theme),
    )
    by_theme = suppress_table(
        [[t.good_practice_points, t.concern_points] for t in theme_counts],
        threshold=small_group_min,
        row_groups=[t.audits for t in theme_counts],
        row_totals=False,
        column_totals=False,
    )
    themes = []
    for i, t in enumerate(theme_counts):
        row_hidden = {name for j, name in enumerate(_POINT_FIELDS) if by_theme.cell(i, j)}
        if group_suppressed(t.audits, threshold=small_group_min):
            row_hidden.add("audits")
        themes.append(
            _masked(
                {
                    "theme": t.theme,
                    "good_practice_points": t.good_practice_points,
                    "concern_points": t.concern_points,
                    "audits": t.audits,
                },
                row_hidden,
            )
        )
    # The most points first among the themes shown; the withheld after, by name, so that no
    # row's place bounds a number it does not show.
    themes.sort(
        key=lambda t: (
            bool(t["suppressed"]),
            -((t["good_practice_points"] or 0) + (t["concern_points"] or 0))
            if not t["suppressed"]
            else 0,
            t["theme"],
        )
    )

    def top_themes(points: str) -> list[dict[str, Any]]:
        shown = [t for t in themes if t[points] and t["audits"] is not None]
        return [
            {"theme": t["theme"], "points": t[points], "audits": t["audits"]}
            for t in sorted(shown, key=lambda t: (-t[points], t["theme"]))
        ][:TOP]

    whole = {
        "audits": counts.audits,
        "graded_audits": counts.graded_audits,
        "good_or_better_audits": counts.good_or_better_audits,
        "requires_improvement_or_worse_audits": counts.requires_improvement_or_worse_audits,
        "learning_points": counts.good_practice_points + counts.concern_points,
        "good_practice_points": counts.good_practice_points,
        "concern_points": counts.concern_points,
    }
    if hidden & {"good_or_better_audits", "requires_improvement_or_worse_audits"}:
        hidden.add("graded_audits")
    if hidden & set(_POINT_FIELDS):
        hidden.add("learning_points")
    shown_whole = _masked(whole, hidden)
    suppressed_fields = shown_whole.pop("suppressed")
    shown_whole.update(
        _grade_shares(
            shown_whole,
            total="graded_audits",
            parts=("good_or_better_audits", "requires_improvement_or_worse_audits"),
        )
    )
    return {
        "cycle": counts.cycle,
        "suppressed": False,
        "small_group_min": small_group_min,
        "min_people": MIN_PEOPLE,
        **shown_whole,
        "suppressed_fields": suppressed_fields,
        "domains": domains,
        "strongest_practice": [d["domain"] for d in strongest],
        "areas_for_development": [d["domain"] for d in development],
        "themes_good_practice": top_themes("good_practice_points"),
        "themes_development": top_themes("concern_points"),
        "themes": themes,
    }


def figures_to_show(figures: object) -> dict[str, Any]:
    """The frozen figures as they may be shown. Figures frozen before their small counts were
    suppressed (without `suppressed_fields`: an earlier compile step's, or of a shape nobody
    wrote) are withheld whole, `"withheld": "unchecked"`, rather than shown unchecked."""
    if not isinstance(figures, Mapping) or not figures:
        return {}
    if figures.get("suppressed") is True or "suppressed_fields" in figures:
        return dict(figures)
    return {
        "cycle": str(figures.get("cycle") or ""),
        "suppressed": True,
        "withheld": "unchecked",
        "small_group_min": figures.get("small_group_min"),
        "min_people": MIN_PEOPLE,
    }


def any_suppressed(figures: Mapping[str, Any]) -> bool:
    """Whether the figures withhold anything (the page then gives the footnote)."""
    if figures.get("suppressed") is True or figures.get("suppressed_fields"):
        return True
    rows = [*figures.get("domains", []), *figures.get("themes", [])]
    return any(isinstance(r, Mapping) and r.get("suppressed") for r in rows)


def suppressed_note(figures: Mapping[str, Any]) -> str:
    """The shared footnote, with this message's threshold."""
    threshold = int(figures.get("small_group_min") or 0)
    return SUPPRESSED_NOTE.format(
        threshold=threshold, largest_small=threshold - 1, people=MIN_PEOPLE
    )


def trend_figures(now: Mapping[str, Any], before: Mapping[str, Any] | None) -> dict[str, Any]:
    """The change against the previous cycle: the same figures, in percentage points for the
    shares. Nothing is compared where either side is withheld or missing, and a change only
    where the figure is shown on both sides (a change and one side would give the other)."""
    if before is None:
        return {"previous_cycle": None, "comparable": False, "reason": "no previous cycle"}
    if now.get("suppressed") or before.get("suppressed"):
        return {
            "previous_cycle": before.get("cycle"),
            "comparable": False,
            "reason": "too few audits, or audits of too few people's cases, to compare",
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
        "audits_change": change(now.get("audits"), before.get("audits")),
        "good_or_better_change": change(
            now["good_or_better_share"], before["good_or_better_share"]
        ),
        "requires_improvement_or_worse_change": change(
            now["requires_improvement_or_worse_share"],
            before["requires_improvement_or_worse_share"],
        ),
        "domains": domains,
    }


def _points(n: int) -> str:
    return f"{abs(n)} percentage point{'' if abs(n) == 1 else 's'}"


def _listed(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _count_words(n: int | None, singular: str, plural: str) -> str:
    if n is None:
        return f"{SUPPRESSED_MARK} {plural}"
    return f"{n} {singular if n == 1 else plural}"


def what_we_found_text(figures: Mapping[str, Any], scope: str) -> str:
    """The first part of the briefing, written from the figures (the lead edits it). It quotes
    only the numbers the figures show: a suppressed one is "[c]", or its sentence is left out."""
    if figures.get("suppressed"):
        if figures.get("withheld") == "people":
            why = (
                f"The audits of {scope} counted in {figures['cycle']} are of fewer than "
                f"{figures.get('min_people', MIN_PEOPLE)} people's cases"
            )
        else:
            why = (
                f"Fewer than {figures['small_group_min']} audits of {scope} counted in "
                f"{figures['cycle']}"
            )
        return (
            f"{why}, so the figures are not shown: a group this small could point at one "
            "person. The examples below still show what the audits found."
        )
    lines = [f"{figures['audits']} audits of {scope} counted in {figures['cycle']}."]
    good, concern = figures.get("good_practice_points"), figures.get("concern_points")
    if good is not None or concern is not None:
        total = figures.get("learning_points")
        lines[0] = (
            f"{figures['audits']} audits of {scope} counted in {figures['cycle']}, with "
            f"{_count_words(total, 'learning point', 'learning points')} "
            f"({_count_words(good, 'good practice to share', 'good practice to share')}, "
            f"{_count_words(concern, 'area for development', 'areas for development')})."
        )
    if (
        figures.get("good_or_better_share") is not None
        and figures.get("requires_improvement_or_worse_share") is not None
    ):
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


def figures_context(figures: object, *, scope: str) -> dict[str, Any]:
    """What the figures' template (`learning/key_messages/_figures.html`) reads: the figures,
    their domain rows, the mark for a suppressed figure and the footnote where one is."""
    shown = figures_to_show(figures)
    return {
        "figures": shown,
        "domain_rows": domain_rows(shown),
        "scope": scope,
        "mark": SUPPRESSED_MARK,
        "figures_note": suppressed_note(shown) if any_suppressed(shown) else "",
    }
