"""A workbook whose sheets would expand to more rows, or more cells, than an import reads is
refused with a clear message before python-calamine loads a sheet into memory."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import Workbook
from python_calamine import CalamineWorkbook

from auditloop.cases.models import ChildCase
from auditloop.imports.models import ImportKind, ImportStatus
from auditloop.imports.parsers import annex_a
from auditloop.imports.parsers.base import FileRejected, check_workbook_size
from auditloop.imports.services.runs import import_run
from auditloop.imports.tests.builders import ANNEX_A, LIST_6_HEADERS, list_6, list_6_row


def rows(count: int) -> list[list[Any]]:
    return [list_6_row(f"{700000 + n}") for n in range(count)]


def with_a_stray_cell(column: int, row: int = 2) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "List 6"
    for values in [LIST_6_HEADERS, *rows(10)]:
        sheet.append(values)
    sheet.cell(row=row, column=column, value="note")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_extent_found_is_the_range_python_calamine_reads() -> None:
    workbook = CalamineWorkbook.from_path(str(ANNEX_A))
    for extent in check_workbook_size(ANNEX_A):
        sheet = workbook.get_sheet_by_name(extent.name)
        assert (extent.rows, extent.last_column - extent.first_column + 1) == (
            sheet.height,
            sheet.width,
        )


def test_a_workbook_of_more_rows_than_the_limit_is_refused(db: None, settings: Any) -> None:
    settings.AUDITLOOP_IMPORT_MAX_ROWS = 10
    result = import_run(kind=ImportKind.ANNEX_A, files=[("annex.xlsx", list_6(*rows(10)))])
    assert result.status == ImportStatus.REJECTED
    assert result.message.startswith(
        "This workbook has 11 rows, more than the 10 auditloop reads from one file"
    )
    assert ChildCase.objects.count() == 0


def test_a_workbook_at_the_limit_is_imported(db: None, settings: Any) -> None:
    settings.AUDITLOOP_IMPORT_MAX_ROWS = 11
    result = import_run(kind=ImportKind.ANNEX_A, files=[("annex.xlsx", list_6(*rows(10)))])
    assert (result.status, result.created) == (ImportStatus.IMPORTED, 10)


def test_a_stray_cell_far_to_the_right_is_refused_naming_where_it_is(settings: Any) -> None:
    settings.AUDITLOOP_IMPORT_MAX_ROWS = 100
    with pytest.raises(FileRejected) as refused:
        check_workbook_size(with_a_stray_cell(column=16384))
    message = str(refused.value)
    assert message.startswith("Sheet 'List 6' has cells as far as XFD11: read whole, that is")
    assert "Delete anything to the right of or below the list" in message


def test_a_stray_cell_within_the_limit_is_read(settings: Any) -> None:
    settings.AUDITLOOP_IMPORT_MAX_ROWS = 100
    (extent,) = check_workbook_size(with_a_stray_cell(column=300))
    assert (extent.rows, extent.last_column) == (11, 300)


def test_the_workbook_is_refused_before_python_calamine_reads_it(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.AUDITLOOP_IMPORT_MAX_ROWS = 10

    class NeverRead:
        @staticmethod
        def from_filelike(*args: Any) -> None:
            raise AssertionError("python-calamine was asked to read the workbook")

        from_path = from_filelike

    monkeypatch.setattr("auditloop.imports.parsers.annex_a.CalamineWorkbook", NeverRead)
    with pytest.raises(FileRejected, match="more than the 10"):
        annex_a.parse_annex_a(list_6(*rows(10)))


def sheet_of(width: int, *, first_column: int = 1) -> bytes:
    """A workbook of one sheet, `width` columns wide: its header, and a last row whose only
    cells are in its first and last columns (so the width is not the cells per row)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    last_column = first_column + width - 1
    for column in range(first_column, last_column + 1):
        sheet.cell(row=1, column=column, value=f"heading {column}")
    for row in range(2, 40):
        sheet.cell(row=row, column=first_column, value=row)
    sheet.cell(row=40, column=last_column, value="last")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# The scan looks only for columns beyond the furthest found so far, by their letters: they grow
# at 27 (AA) and 703 (AAA); a list of 3 columns, and lists much wider than Annex A's.
@pytest.mark.parametrize("width", [1, 3, 26, 27, 64, 65, 200, 702, 703])
@pytest.mark.parametrize("first_column", [1, 2, 27])
def test_the_columns_found_are_the_ones_python_calamine_reads(
    width: int, first_column: int, settings: Any
) -> None:
    settings.AUDITLOOP_IMPORT_MAX_ROWS = 10_000
    content = sheet_of(width, first_column=first_column)
    (extent,) = check_workbook_size(content)
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0)
    assert (extent.first_column, extent.last_column) == (first_column, first_column + width - 1)
    assert (extent.rows, extent.last_column - extent.first_column + 1) == (
        sheet.height,
        sheet.width,
    )


def test_a_cell_beyond_the_list_far_down_the_sheet_is_found(settings: Any) -> None:
    # The sheet's XML is scanned a part at a time: the cells found past the first part, to
    # the right of the list and to its left, still widen it.
    settings.AUDITLOOP_IMPORT_MAX_ROWS = 100_000
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in range(1, 20_001):
        for column in (2, 3, 4):
            sheet.cell(row=row, column=column, value=row)
    sheet.cell(row=19_000, column=65, value="note")
    sheet.cell(row=19_999, column=1, value="note")
    out = io.BytesIO()
    book.save(out)
    (extent,) = check_workbook_size(out.getvalue())
    assert (extent.first_column, extent.last_column, extent.rows) == (1, 65, 20_000)
