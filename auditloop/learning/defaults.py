"""The starter theme list a council begins with: the themes audits of children's social care
find again and again, in the words of the default audit tools' domains and descriptors. The
data migration installs it; the demo council installs it again after clearing the tables."""

from __future__ import annotations

from auditloop.learning.models import Theme

DEFAULT_THEMES = (
    (
        "Voice of the child",
        "The child's wishes, feelings and lived experience: seen alone, heard in their own "
        "words, and what they said shaping the plan.",
    ),
    ("Drift and delay", "Plans, assessments or actions that stall, slip or are late."),
    (
        "Fathers and male carers not engaged",
        "Fathers, partners and other male carers not assessed, invited or involved.",
    ),
    (
        "Management oversight",
        "Supervision and managers' oversight: reflective, recorded, with actions followed up.",
    ),
    ("Chronology", "A current, analytical chronology, updated after each significant event."),
    (
        "Domestic abuse",
        "Domestic abuse recognised, assessed and planned for, with safety planning.",
    ),
    ("Neglect", "Neglect recognised and measured over time, with the child's daily life seen."),
    (
        "Exploitation",
        "Child criminal and sexual exploitation, missing episodes and contextual safeguarding.",
    ),
    (
        "Neurodiversity",
        "Autism, ADHD and learning needs understood and reflected in how the family is worked "
        "with.",
    ),
    (
        "Cumulative harm",
        "The build-up of harm over time seen through the history, not incident by incident.",
    ),
    (
        "Multi-agency working",
        "Partners (schools, health, police) sharing information and acting on the plan.",
    ),
    (
        "Plans not SMART",
        "Plans that are lists of tasks: outcomes vague, timescales and owners missing.",
    ),
    (
        "Recording tells the child's story",
        "Records that are timely, respectful and written so the child could read them later.",
    ),
    (
        "Permanence planning",
        "Early, clear plans for where the child will live and grow up.",
    ),
)


def default_themes_install() -> list[Theme]:
    """Add the starter themes the list does not have (by name, in any case); leave the rest
    as the audit leads made them. What the data migration does, for a database whose tables
    were emptied since (tests that flush them, the demo council)."""
    existing = {name.casefold() for name in Theme.objects.values_list("name", flat=True)}
    return Theme.objects.bulk_create(
        Theme(name=name, description=description)
        for name, description in DEFAULT_THEMES
        if name.casefold() not in existing
    )
