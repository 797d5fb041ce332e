"""The Annex A import at scale: memory flat in the row count, writes set-based, problems
bounded, and the staged (streamed) merge agreeing with the in-memory one."""

from __future__ import annotations

import io
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from auditloop.cases.models import ChildCase, Cohort
from auditloop.imports.models import ImportIssue, ImportKind, ImportRun
from auditloop.imports.parsers import annex_a as annex_a_parser
from auditloop.imports.parsers import base
from auditloop.imports.parsers.annex_a import parse_annex_a
from auditloop.imports.services import annex_a as staged
from auditloop.imports.services import cases
from auditloop.imports.services.runs import ImportResult, import_run
from auditloop.imports.tests.builders import (
    ANNEX_A,
    LIST_6_HEADERS,
    LIST_7_HEADERS,
    list_6,
    list_6_row,
    workbook,
    zip_bomb,
)
from auditloop.testing import Personas


def _big_list_6(rows: int, *, worker: str = "Pat Practitioner", visit: str = "") -> bytes:
    """A List 6 of `rows` children, written the fast way (openpyxl's write-only mode)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("List 6")
    sheet.append(LIST_6_HEADERS)
    for n in range(rows):
        row = list_6_row(f"M{n:06d}", worker=worker)
        if visit:
            row[8] = visit
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _annex(content: bytes, name: str = "annex.xlsx") -> ImportResult:
    return import_run(kind=ImportKind.ANNEX_A, files=[(name, content)])


def _forget_imports() -> None:
    ChildCase.objects.all().delete()
    ImportRun.objects.all().delete()


def _peak_memory(content: bytes) -> int:
    tracemalloc.start()
    try:
        result = _annex(content)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.status == "imported"
    return peak


@pytest.mark.django_db
def test_the_import_memory_does_not_grow_with_the_number_of_rows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Batches and pages of 500, so that both files span many (as a real list spans many
    # batches of 2,000): then only what is held per row, not per batch, could differ.
    monkeypatch.setattr(annex_a_parser, "BATCH_ROWS", 500)
    monkeypatch.setattr(staged, "PAGE_ROWS", 500)
    monkeypatch.setattr(cases, "WRITE_BATCH", 500)
    small, large = _big_list_6(2_000), _big_list_6(20_000)
    _peak_memory(small)  # warm up: first imports of modules and caches are not the rows' cost
    _forget_imports()
    small_peak = _peak_memory(small)
    _forget_imports()
    large_peak = _peak_memory(large)
    # Ten times the rows: held in memory, the peak grew about tenfold (4x at the least).
    # Ten times the rows: with the rows held in memory, the peak grew about sevenfold.
    assert large_peak < 1.5 * small_peak, (small_peak, large_peak)


@pytest.mark.django_db
def test_a_changed_snapshot_updates_every_case_file_with_set_based_statements() -> None:
    first = _annex(_big_list_6(1_500))
    assert first.created == 1_500
    table = ChildCase._meta.db_table
    with CaptureQueriesContext(connection) as queries:
        again = _annex(_big_list_6(1_500, worker="New Worker", visit="2026-04-01"), "b.xlsx")
    assert (again.status, again.created, again.updated, again.unchanged) == (
        "imported",
        0,
        1_500,
        0,
    )
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    case_updates = [sql for sql in updates if table in sql.split("SET")[0]]
    # One statement writes the changed case files, one closes the no-longer-listed ones.
    assert len(case_updates) == 2, case_updates
    case = ChildCase.objects.get(la_child_id="M000007")
    assert case.allocated_worker_name == "New Worker"
    assert str(case.last_statutory_visit) == "2026-04-01"
    assert case.is_open and case.source_lists == "6"


@pytest.mark.django_db
def test_a_changed_snapshot_twice_changes_nothing_the_second_time() -> None:
    _annex(_big_list_6(50))
    _annex(_big_list_6(50, worker="New Worker"), "b.xlsx")
    again = _annex(_big_list_6(50, worker="New Worker"), "c.xlsx")
    assert (again.status, again.updated, again.unchanged) == ("unchanged", 0, 50)


def _several_lists() -> bytes:
    def cp(child: str) -> list[Any]:
        # The first nine columns of List 7, to the 'Was the Child Seen Alone?' answer.
        return [child, "Female", "WBRI", "", "", "", "01/02/2026", "2026-03-01", "a) Yes"]

    list_7 = [
        LIST_7_HEADERS,
        [*cp("A1"), "", "", "North A", "Pat Practitioner"],
        [*cp("A3"), "", "05/03/2026", "North B", ""],
        [*cp("A4"), "", "", "", "Ghost Worker"],
    ]
    closed = list_6_row("A3")
    closed[9] = "01/03/2026"
    return workbook(
        {
            "CIN": [
                LIST_6_HEADERS,
                list_6_row("A1"),
                list_6_row("A2"),
                closed,
                list_6_row("A4", team="Nowhere"),
                list_6_row("A2", team="North B"),
            ],
            "CP": list_7,
        }
    )


@pytest.mark.django_db
@pytest.mark.parametrize("page", [3, 5_000])
def test_the_staged_merge_agrees_with_the_in_memory_one_across_pages(
    p: Personas, monkeypatch: pytest.MonkeyPatch, page: int
) -> None:
    monkeypatch.setattr(staged, "PAGE_ROWS", page)
    content = _several_lists()
    expected = parse_annex_a(content).records
    result = _annex(content)
    assert result.created == len(expected) == 4
    for child_id, record in expected.items():
        case = ChildCase.objects.get(la_child_id=child_id)
        assert (case.cohort, case.is_open) == (record.cohort, record.is_open)
        assert case.source_lists == ",".join(str(n) for n in sorted(record.lists))
        assert (case.allocated_team_name, case.allocated_worker_name) == (
            record.team_name,
            record.worker_name,
        )
        for name, value in record.fields.items():
            assert getattr(case, name) == value, (child_id, name)
    a1 = ChildCase.objects.get(la_child_id="A1")
    assert a1.cohort == Cohort.CP and a1.last_seen_alone is not None
    twice = [i for i in result.issues if "listed twice" in i.message]
    assert [(i.sheet, i.row, i.value) for i in twice] == [("CIN", 6, "A2")]


@pytest.mark.django_db
def test_the_staging_table_is_gone_after_an_import_and_after_a_rejected_file() -> None:
    tables = connection.introspection.table_names
    _annex(list_6(list_6_row("S1")))
    assert staged.AnnexStage.NAME not in _temp_tables()
    rejected = _annex(workbook({"Notes": [["nothing here"]]}), "notes.xlsx")
    assert rejected.status == "rejected"
    assert staged.AnnexStage.NAME not in _temp_tables()
    assert "cases_childcase" in tables()


def _temp_tables() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname LIKE 'pg_temp%%'")
        else:
            cursor.execute("SELECT name FROM sqlite_temp_master WHERE type = 'table'")
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db
def test_problems_past_the_limit_are_counted_by_kind_not_listed_one_by_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(base, "MAX_ISSUES", 4)
    rows = []
    for n in range(7):
        row = list_6_row(f"L{n}")
        row[3] = "not a date"
        rows.append(row)
    result = _annex(list_6(*rows))
    assert result.created == 7
    listed = [i for i in result.issues if i.row is not None]
    assert [i.column for i in listed] == ["Date of Birth"] * 4
    # The rest are summarised, one issue per kind: three more bad dates, and the team and
    # worker no staff member matches (found after the limit was reached).
    summaries = {i.column: i.message for i in result.issues if i.row is None}
    assert set(summaries) == {"Date of Birth", "Allocated Team", "Allocated Worker"}
    assert summaries["Date of Birth"].startswith(
        "3 more rows have this problem, not listed one by one: This is not a date"
    )
    assert "9 warnings to check" in result.message
    assert ImportIssue.objects.count() == 4 + 3


def test_the_issue_log_counts_what_it_does_not_keep() -> None:
    log = base.IssueLog(limit=2)
    for n in range(5):
        log.append(base.Issue("S", n, "C", "v", "Bad.", "error" if n % 2 else "warning"))
    assert (len(log), log.total, log.errors) == (2, 5, 2)
    merged = base.IssueLog(log, limit=10)
    assert merged.total == 5
    assert [i.message for i in log.listed()][-2:] == [
        "2 more rows have this problem, not listed one by one: Bad.",
        "1 more row has this problem, not listed one by one: Bad.",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "This file is empty"),
        (b"Child Unique ID,CIN Start Date\n1,2026-01-01\n", "a CSV or text file"),
        (list_6(list_6_row("T1"))[:2000], "damaged or was not fully uploaded"),
        (zip_bomb(50), "would expand"),
    ],
)
def test_a_workbook_on_disk_is_checked_as_strictly_as_an_upload(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "annex.xlsx"
    path.write_bytes(content)
    result = import_run(kind=ImportKind.ANNEX_A, files=[path])
    assert result.status == "rejected"
    assert message in result.message
    assert ChildCase.objects.count() == 0


@pytest.mark.django_db
def test_a_workbook_on_disk_is_streamed_from_it_and_imports_as_an_upload_does(
    tmp_path: Path,
) -> None:
    path = tmp_path / "annex.xlsx"
    path.write_bytes(ANNEX_A.read_bytes())
    from_disk = import_run(kind=ImportKind.ANNEX_A, files=[path])
    assert (from_disk.status, from_disk.created) == ("imported", 38)
    again = import_run(kind=ImportKind.ANNEX_A, files=[("upload.xlsx", ANNEX_A.read_bytes())])
    assert (again.status, again.unchanged) == ("unchanged", 38)
