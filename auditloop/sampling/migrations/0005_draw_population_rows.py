"""Draws keep their frozen population in rows: the table, and every stored draw's JSON list
copied into it (the JSON column goes in the next migration, once the copy has committed:
PostgreSQL will not alter a table with the copy's constraint checks still pending)."""

from collections.abc import Iterator
from typing import Any

import django.db.models.deletion
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

BATCH = 5_000


def _rows(draw_id: int, population: list[Any]) -> Iterator[tuple[int, int, int, str]]:
    for position, (case_id, stratum) in enumerate(population, start=1):
        yield draw_id, position, int(case_id), str(stratum)


def populations_to_rows(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    draws = apps.get_model("sampling", "SampleDraw")
    rows = apps.get_model("sampling", "SampleDrawPopulation")
    db = schema_editor.connection.alias
    for draw_id, population in draws.objects.using(db).values_list("pk", "population").iterator():
        batch: list[Any] = []
        for draw, position, case_id, stratum in _rows(draw_id, population or []):
            batch.append(rows(draw_id=draw, position=position, case_id=case_id, stratum=stratum))
            if len(batch) == BATCH:
                rows.objects.using(db).bulk_create(batch)
                batch = []
        rows.objects.using(db).bulk_create(batch)


def rows_to_populations(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    draws = apps.get_model("sampling", "SampleDraw")
    rows = apps.get_model("sampling", "SampleDrawPopulation")
    db = schema_editor.connection.alias
    for draw in draws.objects.using(db).only("pk").iterator():
        population = [
            [case_id, stratum]
            for case_id, stratum in rows.objects.using(db)
            .filter(draw_id=draw.pk)
            .order_by("position")
            .values_list("case_id", "stratum")
        ]
        draws.objects.using(db).filter(pk=draw.pk).update(population=population)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_conduct2_child_id_upper_index"),
        ("sampling", "0004_late_audit_escalation"),
    ]

    operations = [
        migrations.CreateModel(
            name="SampleDrawPopulation",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "draw",
                        "position",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("position", models.PositiveIntegerField()),
                ("stratum", models.CharField(max_length=64)),
                (
                    "case",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="cases.childcase",
                    ),
                ),
                (
                    "draw",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="frozen_population",
                        to="sampling.sampledraw",
                    ),
                ),
            ],
            options={"ordering": ["draw", "position"]},
        ),
        migrations.RunPython(populations_to_rows, rows_to_populations, elidable=False),
    ]
