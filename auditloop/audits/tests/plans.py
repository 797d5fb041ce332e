"""PostgreSQL's plan of a query, for the tests that check a list or a read rule never reads a
whole table at regional scale."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.db import connection


def plan_nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """`node` and every node under it."""
    yield node
    for child in node.get("Plans", []):
        yield from plan_nodes(child)


def query_plan(sql: str) -> dict[str, Any]:
    """The top node of PostgreSQL's plan of `sql` (EXPLAIN, not run)."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        (row,) = cursor.fetchall()
    plan: dict[str, Any] = (json.loads(row[0]) if isinstance(row[0], str) else row[0])[0]["Plan"]
    return plan
