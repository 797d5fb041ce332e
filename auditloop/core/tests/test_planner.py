"""Planner statistics are refreshed for this database's own tables by name: a bare ANALYZE
also locks the catalogs every database on the server shares, until its transaction ends."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from auditloop.core.planner import planner_statistics_refresh

pytestmark = pytest.mark.django_db


def test_the_statistics_are_refreshed_for_the_databases_own_tables_by_name() -> None:
    with CaptureQueriesContext(connection) as captured:
        planner_statistics_refresh()
    statements = [q["sql"] for q in captured.captured_queries if "ANALYZE" in q["sql"]]
    if connection.vendor != "postgresql":
        assert statements == []
        return
    assert len(statements) == 1
    (statement,) = statements
    assert statement.startswith("ANALYZE ")
    assert '"cases_childcase"' in statement
    assert '"audits_audit"' in statement
    assert "pg_database" not in statement
