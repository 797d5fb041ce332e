"""The issues of an import as CSV and xlsx downloads, safe to open in a spreadsheet.

Every text value that a spreadsheet would run as a formula (starting =, +, -, @, tab or
carriage return) is written with a leading apostrophe instead.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from openpyxl import Workbook

from auditloop.imports.models import ImportIssue, ImportRun
from auditloop.imports.values import neutralise

HEADERS = ("file", "sheet", "row", "column", "value", "message", "severity")


def _rows(run: ImportRun, issues: Iterable[ImportIssue]) -> Iterator[list[str | int]]:
    for issue in issues:
        yield [
            neutralise(run.file_name),
            neutralise(issue.sheet),
            issue.row if issue.row is not None else "",
            neutralise(issue.column),
            neutralise(issue.value),
            neutralise(issue.message),
            issue.severity,
        ]


def issues_csv(run: ImportRun, issues: Iterable[ImportIssue]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADERS)
    writer.writerows(_rows(run, issues))
    # A byte-order mark so that Excel reads the file as UTF-8.
    return "\ufeff" + out.getvalue()


def issues_xlsx(run: ImportRun, issues: Iterable[ImportIssue]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Problems")
    sheet.append(list(HEADERS))
    for row in _rows(run, issues):
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
