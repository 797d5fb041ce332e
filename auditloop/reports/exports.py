"""A block's table as CSV and xlsx, suppressed as the page shows it, safe to open in a
spreadsheet (text that would run as a formula is written with a leading apostrophe)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

from openpyxl import Workbook

from auditloop.imports.values import neutralise
from auditloop.learning.selectors.team_picture import suppressed_note
from auditloop.reports.blocks import Block, FigureTable


def _table_rows(table: FigureTable) -> Iterator[list[str]]:
    heading = [table.row_heading, *table.columns, table.total_heading]
    if table.derived_heading:
        heading.append(table.derived_heading)
    yield [neutralise(h) for h in heading]
    for row in table.rows:
        line = [neutralise(row.label), *(f.text for f in row.cells)]
        line.append(row.total.text if row.total else "")
        if table.derived_heading:
            line.append(row.derived.text if row.derived else "")
        yield line
    if table.column_totals is not None:
        line = ["Total", *(f.text for f in table.column_totals)]
        line.append(table.grand_total.text if table.grand_total else "")
        if table.derived_heading:
            line.append(table.derived_total.text if table.derived_total else "")
        yield line


def block_lines(block: Block, *, context: list[tuple[str, str]]) -> Iterator[list[str]]:
    """The rows of a block's download: what it is a table of (`context`: report, scope,
    cycle), the table, its words, and the suppression note when anything is suppressed."""
    yield [neutralise(block.heading)]
    for label, value in context:
        yield [neutralise(label), neutralise(value)]
    yield []
    if block.table is not None:
        yield from _table_rows(block.table)
    for words in block.words:
        yield [neutralise(words)]
    if block.suppressed:
        yield []
        yield [suppressed_note()]


def _cell(value: str) -> str | int:
    # Whole counts go in as numbers, so that a spreadsheet can add them up.
    return int(value) if value.isdigit() else value


def sheet_title(heading: str) -> str:
    """A heading as an xlsx sheet's name: at most 31 characters, none of `[]:*?/\\`."""
    title = re.sub(r"[\[\]:*?/\\]+", " ", heading)
    return " ".join(title.split())[:31].strip() or "Figures"


def block_csv(block: Block, *, context: list[tuple[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(block_lines(block, context=context))
    # A byte-order mark so that Excel reads the file as UTF-8.
    return "\ufeff" + out.getvalue()


def block_xlsx(block: Block, *, context: list[tuple[str, str]]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title(block.heading))
    for line in block_lines(block, context=context):
        sheet.append([_cell(v) for v in line])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
