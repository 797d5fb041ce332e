"""A realistic key message for the briefing tests: the text an audit lead writes for a cycle of
deep dives, the examples drawn from learning points, and the figures the compile step froze."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from auditloop.learning.models import KeyMessage, KeyMessageStatus
from auditloop.learning.rules.key_messages import (
    DomainCount,
    ScopeCounts,
    ThemeCount,
    counts_figures,
    trend_figures,
)
from auditloop.sampling.models import Cycle
from auditloop.testing import Personas

DOMAINS = (
    "Voice and lived experience",
    "Assessment and analysis",
    "Planning and review",
    "Multi-agency working",
    "Management oversight and supervision",
    "Recording and chronology",
    "Identity, diversity and equality",
    "Impact and outcomes",
)

PARTS: dict[str, str] = {
    "what_we_found": (
        "We audited 42 case files in the North service between April and September. Children "
        "were seen regularly and most records now say what the child told us in their own "
        "words, a clear improvement on the last cycle. Plans were weaker: in a third of the "
        "files the plan restated the concerns without saying what would change for the child, "
        "by when and who would do it. Supervision was recorded but rarely reflective, and "
        "fathers and male carers were often not contacted at all."
    ),
    "why_it_matters": (
        "A plan that does not say what must change cannot be reviewed, so drift sets in and "
        "children wait longer for things to get better. When a father is not engaged we miss "
        "half of the child's family, both the risks and the strengths, and the child's story "
        "is incomplete. Reflective supervision is where a worker's hypothesis is tested; "
        "without it, the same plan rolls on from one review to the next."
    ),
    "what_good_looks_like": (
        "The best files read as the child's story. The child's words are quoted and shape the "
        "plan; every action names who, what and by when; supervision records set out the "
        "worker's analysis, what the manager challenged and what was decided; fathers are "
        "found, contacted and recorded even when they live elsewhere; chronologies are kept up "
        "to date and show the pattern, not just the events."
    ),
    "what_to_do_next": (
        "- Rewrite any plan that has no measurable outcomes before its next review.\n"
        "- Record every attempt to find and involve the child's father.\n"
        "- Use the reflective supervision template at least once a month.\n"
        "- Book onto the 'Writing SMART plans' workshop in November."
    ),
}

EXAMPLES: list[dict[str, str]] = [
    {
        "kind": "good_practice",
        "domain": "Voice and lived experience",
        "text": (
            "The worker used a three houses tool over three visits; the child's wish to see "
            "her grandmother more is quoted and became the first action in the plan."
        ),
    },
    {
        "kind": "concern",
        "domain": "Planning and review",
        "text": (
            "The plan's actions were 'continue to monitor' and 'engage with services', with no "
            "dates or owners, and were copied unchanged into three reviews."
        ),
    },
    {
        "kind": "concern",
        "domain": "Multi-agency working",
        "text": (
            "The child's father was named on the referral but no one contacted him in eight "
            "months, although his address was known to the school."
        ),
    },
]


THEMES = (
    # name, good practice points, concern points, audits they came from
    ("Plans without measurable outcomes", 6, 14, 17),
    ("Voice of the child", 11, 5, 13),
    ("Fathers not engaged", 0, 9, 9),
    ("Drift", 0, 8, 8),
    ("Reflective supervision", 5, 6, 8),
)


def figures(**changes: Any) -> dict[str, Any]:
    """Figures as the compile step freezes them (`counts_figures`, suppression and all): 42
    audits of twelve people's cases, eight domains, five themes, a trend against 38 audits."""
    domains = [
        DomainCount(
            domain=name,
            order=(index,),
            graded=42,
            good_or_better=30 - 2 * index,
            requires_improvement_or_worse=12 + 2 * index,
        )
        for index, name in enumerate(DOMAINS)
    ]
    now = ScopeCounts(
        cycle="April to September 2026",
        audits=42,
        graded_audits=42,
        good_or_better_audits=26,
        requires_improvement_or_worse_audits=16,
        good_practice_points=21,
        concern_points=42,
        people=12,
        domains=domains,
        themes=[ThemeCount(name, good, concern, audits) for name, good, concern, audits in THEMES],
    )
    before = ScopeCounts(
        cycle="October 2025 to March 2026",
        audits=38,
        graded_audits=38,
        good_or_better_audits=17,
        requires_improvement_or_worse_audits=21,
        people=11,
    )
    result = counts_figures(now, small_group_min=5)
    previous = counts_figures(before, small_group_min=5)
    result["previous"] = previous
    result["trend"] = trend_figures(result, previous)
    result.update(changes)
    return result


def cycle_make(p: Personas) -> Cycle:
    cycle = Cycle.objects.create(
        name="North, April to September 2026",
        starts_on=datetime.date(2026, 4, 1),
        ends_on=datetime.date(2026, 9, 30),
    )
    cycle.services.set([p.north])
    return cycle


def key_message_make(
    p: Personas,
    *,
    status: str = KeyMessageStatus.DRAFT,
    cycle: Cycle | None = None,
    **fields: Any,
) -> KeyMessage:
    """A key message for North A from North's cycle, written by the moderator. A published or
    withdrawn one gets `published_text` as the review would have left it (the draft's text,
    which names nobody here)."""
    values: dict[str, Any] = {
        "title": "Plans that say what will change",
        "cycle": cycle or cycle_make(p),
        "team": p.north_a,
        "status": status,
        "figures": figures(),
        "examples": EXAMPLES,
        "author": p.moderator,
        **PARTS,
    }
    values.update(fields)
    if status in {KeyMessageStatus.PUBLISHED, KeyMessageStatus.WITHDRAWN}:
        values.setdefault(
            "published_text",
            {
                "title": values["title"],
                **{part: values[part] for part in PARTS},
                "examples": values["examples"],
            },
        )
        values.setdefault("published_at", timezone.now())
        values.setdefault("reviewer", p.senior_leader)
    if status == KeyMessageStatus.WITHDRAWN:
        values.setdefault("withdrawn_at", timezone.now())
    return KeyMessage.objects.create(**values)
