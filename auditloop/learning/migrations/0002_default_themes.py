"""A starter theme list for a real council: the themes audits of children's social care find
again and again, in the words of the audit tools' domains and descriptors. The audit leads
rename, describe, add and retire themes from here; a theme already in the list (by name) is
left as it is."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import migrations

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


def themes_add(apps: Any, schema_editor: Any) -> None:
    theme_model = apps.get_model("learning", "Theme")
    existing = {name.casefold() for name in theme_model.objects.values_list("name", flat=True)}
    theme_model.objects.bulk_create(
        theme_model(public_id=uuid.uuid4(), name=name, description=description)
        for name, description in DEFAULT_THEMES
        if name.casefold() not in existing
    )


def themes_remove(apps: Any, schema_editor: Any) -> None:
    theme_model = apps.get_model("learning", "Theme")
    names = [name for name, _ in DEFAULT_THEMES]
    # Only the ones nothing uses: a theme on a learning point stays.
    theme_model.objects.filter(
        name__in=names,
        learning_points__isnull=True,
        suggestions__isnull=True,
        training_rules__isnull=True,
        training_events__isnull=True,
        training_needs__isnull=True,
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("learning", "0001_learning_schema")]

    operations = [migrations.RunPython(themes_add, themes_remove)]
