"""PostgreSQL's planner statistics, refreshed for this database's own tables."""

from __future__ import annotations

from django.db import connection


def planner_statistics_refresh() -> None:
    """On PostgreSQL, ANALYZE this database's own tables (a no-op elsewhere), so that what
    follows a bulk write is planned for the rows there are, not for tables autovacuum last saw
    empty. Inside a transaction, ANALYZE counts that transaction's rows too.

    The tables are named, never a bare `ANALYZE`: that analyzes the catalogs every database on
    the server shares as well, and holds their locks until its transaction ends, so any other
    database's bare ANALYZE waits for it. In the test suite a council built in a transaction
    held for a whole package so stalled the other worker's database for minutes."""
    if connection.vendor != "postgresql":
        return
    tables = connection.introspection.table_names()
    if not tables:
        return
    names = ", ".join(connection.ops.quote_name(table) for table in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {names}")
