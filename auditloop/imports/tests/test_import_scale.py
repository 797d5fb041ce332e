"""An Annex A import into a database that already holds a region's other cases reads the case
table only through indexes: the children in its file, and the case files its snapshot governs
(open, listed by an earlier snapshot). Its time then follows the file, not the whole table.

The plans are the databases' own (EXPLAIN on PostgreSQL, EXPLAIN QUERY PLAN on SQLite) of the
statements the import runs, taken as it runs them, with 3,000 other cases in the table and its
statistics gathered, as a region's database would have them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from auditloop.cases.models import ChildCase, Cohort
from auditloop.imports.models import ImportKind
from auditloop.imports.services.runs import ImportResult, import_run
from auditloop.imports.tests.builders import list_6, list_6_row

OTHER_CASES = 3_000
CASE_TABLE = ChildCase._meta.db_table
# The partial index of the case files an Annex A snapshot governs.
GOVERNED_INDEX = "childcase_listed_open"


def _add_cases(prefix: str, count: int, *, listed: bool) -> None:
    ChildCase.objects.bulk_create(
        ChildCase(
            la_child_id=f"{prefix}{n:05d}",
            cohort=Cohort.CIN,
            source_lists="6" if listed else "",
        )
        for n in range(count)
    )


def _plans_of(work: Callable[[], ImportResult]) -> tuple[ImportResult, dict[str, str]]:
    """Run `work`, and return each statement it ran that reads the case table (not the
    inserts that add to it) with the database's plan for it, taken just before it ran."""
    plans: dict[str, str] = {}
    explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "

    def planned(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        head = sql.lstrip().upper()
        if CASE_TABLE.upper() in head and not many and head.startswith(("SELECT", "UPDATE")):
            with connection.cursor() as cursor:  # an EXPLAIN: not planned again
                cursor.execute(explain + sql, params)
                plans[sql] = "\n".join(" ".join(str(c) for c in row) for row in cursor.fetchall())
        return execute(sql, params, many, context)

    with connection.execute_wrapper(planned):
        result = work()
    return result, plans


def _whole_table_reads(plan: str) -> list[str]:
    """The plan's lines that read every row of the case table."""
    return [
        line
        for line in plan.splitlines()
        if re.search(rf"Seq Scan on {CASE_TABLE}\b", line)
        or re.search(rf"\bSCAN {CASE_TABLE}\b(?! USING)", line)
    ]


@pytest.fixture
def region() -> None:
    """A database holding a region's other cases beside the council's 10 listed case files,
    with its statistics gathered."""
    _add_cases("REGION", OTHER_CASES, listed=False)
    _add_cases("LISTED", 10, listed=True)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {CASE_TABLE}")


@pytest.mark.django_db
def test_closing_the_case_files_a_snapshot_leaves_out_walks_only_the_case_files_it_governs(
    region: None,
) -> None:
    content = list_6(*(list_6_row(f"LISTED{n:05d}") for n in range(5)))
    result, plans = _plans_of(
        lambda: import_run(kind=ImportKind.ANNEX_A, files=[("snapshot.xlsx", content)])
    )

    assert (result.status, result.updated, result.created) == ("imported", 10, 0)
    closing = [plan for sql, plan in plans.items() if "NOT EXISTS" in sql]
    assert len(closing) == 1
    assert GOVERNED_INDEX in closing[0]
    assert not _whole_table_reads(closing[0])
    assert ChildCase.objects.filter(is_open=False).count() == 5
    assert not ChildCase.objects.filter(la_child_id__startswith="REGION", is_open=False).exists()


@pytest.mark.django_db
def test_no_statement_of_a_small_snapshot_reads_the_whole_case_table(region: None) -> None:
    first = list_6(*(list_6_row(f"NEW{n:05d}") for n in range(5)))
    changed = list_6(*(list_6_row(f"NEW{n:05d}", worker="Someone Else") for n in range(5)))
    import_run(kind=ImportKind.ANNEX_A, files=[("first.xlsx", first)])

    result, plans = _plans_of(
        lambda: import_run(kind=ImportKind.ANNEX_A, files=[("changed.xlsx", changed)])
    )

    assert result.updated == 5
    assert plans
    assert {sql[:60]: _whole_table_reads(plan) for sql, plan in plans.items()} == {
        sql[:60]: [] for sql in plans
    }


@pytest.mark.django_db
def test_on_sqlite_an_imports_staged_rows_are_held_in_memory_not_in_a_temporary_file() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's own setting: PostgreSQL's temporary tables are never logged")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA temp_store")
        (store,) = cursor.fetchone()
    assert store == 2  # MEMORY
