"""A starter theme list for a real council (`auditloop.learning.defaults`). The audit leads
rename, describe, add and retire themes from here; a theme already in the list (by name) is
left as it is."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import migrations

from auditloop.learning.defaults import DEFAULT_THEMES

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
