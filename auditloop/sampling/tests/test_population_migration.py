"""The migration that moves draws' frozen populations out of a JSON list into rows keeps
every case, in draw order, with its stratum, and going back rebuilds the list."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("sampling", "0004_late_audit_escalation")]
AFTER = [("sampling", "0006_remove_draw_population_json")]


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection)


@pytest.mark.django_db(transaction=True)
def test_stored_json_populations_become_rows_in_draw_order_and_come_back() -> None:
    old = _migrate(BEFORE).loader.project_state(BEFORE).apps
    cases = old.get_model("cases", "ChildCase").objects.bulk_create(
        old.get_model("cases", "ChildCase")(la_child_id=f"M{i:03}", cohort="CP") for i in range(6)
    )
    draws = old.get_model("sampling", "SampleDraw")
    population = [[cases[i].pk, f"team-{i % 2}"] for i in (4, 0, 5, 2, 1, 3)]
    drawn = draws.objects.create(
        seed=5, population=population, population_size=6, size=2, filters={}
    )
    chosen = draws.objects.create(seed=0, population=[], population_size=0, size=0, filters={})

    new = _migrate(AFTER).loader.project_state(AFTER).apps
    rows = new.get_model("sampling", "SampleDrawPopulation").objects
    assert list(
        rows.filter(draw_id=drawn.pk)
        .order_by("position")
        .values_list("position", "case_id", "stratum")
    ) == [(i, case_id, stratum) for i, (case_id, stratum) in enumerate(population, 1)]
    assert not rows.filter(draw_id=chosen.pk).exists()

    back = _migrate(BEFORE).loader.project_state(BEFORE).apps
    draws = back.get_model("sampling", "SampleDraw")
    assert draws.objects.get(pk=drawn.pk).population == population
    assert draws.objects.get(pk=chosen.pk).population == []
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
