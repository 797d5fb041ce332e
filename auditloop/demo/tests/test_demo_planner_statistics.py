"""On PostgreSQL the demo build gives the planner the rows it has written before its later
builders read them. Statistics that say a table holding pages has no rows (what autovacuum
records after a rolled-back build while another transaction is writing) made every join over
the answers a nested loop: the large council's build ran for over 20 minutes instead of 2."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from auditloop.audits.models import Answer
from auditloop.demo.builder import demo_council_build
from auditloop.demo.trail import TrailBuilder

pytestmark = pytest.mark.django_db


def _answers_the_planner_expects() -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [Answer._meta.db_table])
        (estimate,) = cursor.fetchone()
    return float(estimate)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")
def test_the_builders_that_read_the_history_see_its_rows_in_the_planners_statistics(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The stale state: a build rolled back, then an ANALYZE that sees only its dead rows.
    with transaction.atomic():
        demo_council_build(size="small", seed=1, scale=0.1)
        transaction.set_rollback(True)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Answer._meta.db_table}")
    assert _answers_the_planner_expects() == 0

    seen: list[float] = []
    trail_build = TrailBuilder.build

    def noting_the_estimate(self: TrailBuilder) -> None:
        seen.append(_answers_the_planner_expects())
        trail_build(self)

    monkeypatch.setattr(TrailBuilder, "build", noting_the_estimate)
    demo_council_build(size="small", seed=1, scale=0.1)

    assert Answer.objects.exists()
    assert seen == [pytest.approx(Answer.objects.count(), rel=0.5)]
