"""What every parser shares: issues, rejection, the records it hands to the services, and the
checks that decide whether a file can be read at all. No database here."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, SupportsIndex

from django.conf import settings
from lxml import etree

from auditloop.cases.models import Cohort

# An xlsx is a zip: refuse one whose parts declare more than this once expanded.
MAX_EXPANDED_BYTES = 400 * 1024 * 1024
# A part that expands more than this many times over is a zip bomb, not a spreadsheet.
MAX_COMPRESSION_RATIO = 200
# Issues listed one by one per file; past this, each kind of problem is counted instead.
MAX_ISSUES = 10_000
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")

type Progress = Callable[[float], None]


def no_progress(fraction: float) -> None:
    """The progress callback of a caller that shows none."""


class FileRejected(Exception):
    """The file cannot be read at all. The message says what to do; nothing is written."""


@dataclass(frozen=True, slots=True)
class Issue:
    sheet: str
    row: int | None
    column: str
    value: str
    message: str
    severity: str = "warning"

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
            "severity": self.severity,
        }


class IssueLog(list[Issue]):
    """The issues of one file, bounded: the first `limit` are kept one by one, the rest only
    counted by kind (sheet, column, message), so a file with a bad cell on every row costs
    the same memory at 20,000 rows as at 2,000,000. `listed()` adds one summary per kind."""

    def __init__(self, issues: Iterable[Issue] = (), *, limit: int | None = None) -> None:
        super().__init__()
        self.limit = MAX_ISSUES if limit is None else limit
        self.more: Counter[tuple[str, str, str, str]] = Counter()
        self.extend(issues)

    def append(self, issue: Issue) -> None:
        if len(self) < self.limit:
            super().append(issue)
        else:
            self.more[(issue.sheet, issue.column, issue.message, issue.severity)] += 1

    def extend(self, issues: Iterable[Issue]) -> None:
        for issue in issues:
            self.append(issue)
        if isinstance(issues, IssueLog):
            self.more.update(issues.more)

    def insert(self, index: SupportsIndex, issue: Issue) -> None:
        raise TypeError("Issues are only appended.")

    @property
    def total(self) -> int:
        return len(self) + self.more.total()

    @property
    def errors(self) -> int:
        return sum(i.severity == "error" for i in self) + sum(
            n for (_, _, _, severity), n in self.more.items() if severity == "error"
        )

    def listed(self) -> list[Issue]:
        """The kept issues, then one issue per kind of problem that was only counted."""
        summaries = [
            Issue(
                sheet,
                None,
                column,
                "",
                f"{count} more {'row has' if count == 1 else 'rows have'} this problem, not "
                f"listed one by one: {message}",
                severity,
            )
            for (sheet, column, message, severity), count in self.more.most_common()
        ]
        return [*self, *summaries]


@dataclass(slots=True)
class CaseRecord:
    """One child's case file as the source gives it. `fields` holds only what the source
    said; a field it left blank keeps the value the case file already has."""

    la_child_id: str
    cohort: str
    lists: set[int] = field(default_factory=set)
    fields: dict[str, Any] = field(default_factory=dict)
    team_name: str = ""
    worker_name: str = ""
    worker_swe: str = ""
    is_open: bool = True
    # Adds to an existing case file only (never creates one, never changes cohort or status).
    update_only: bool = False
    # Creates a case file with this cohort and status, but leaves an existing one's alone.
    keeps_status: bool = False
    # Where the record came from, for issues raised when it is matched to staff and teams.
    sheet: str = ""
    row: int | None = None


@dataclass(slots=True)
class ParsedCases:
    records: dict[str, CaseRecord]
    issues: IssueLog
    rows: int
    found: list[str]
    # An Annex A workbook is a snapshot: open cases it no longer lists are closed.
    snapshot: bool = False


@dataclass(slots=True)
class StaffRow:
    name: str
    email: str
    swe_number: str
    team: str
    service: str
    role: str
    manager_email: str
    start_date: Any
    end_date: Any
    row: int


@dataclass(slots=True)
class ParsedStaff:
    rows: list[StaffRow]
    issues: IssueLog
    found: list[str]


# The more specific cohort wins where a child is on several lists.
COHORT_RANK = {Cohort.CIN: 0, Cohort.CP: 1, Cohort.CLA: 2, Cohort.CL: 3}


def more_specific(a: str, b: str) -> str:
    return a if COHORT_RANK[Cohort(a)] >= COHORT_RANK[Cohort(b)] else b


def check_zip(content: bytes | Path, *, what: str) -> zipfile.ZipFile:
    """Open an xlsx's zip, refusing a damaged one or one that would expand past the limit.

    The sizes are the ones the zip declares, checked before anything is decompressed.
    """
    try:
        archive = zipfile.ZipFile(content if isinstance(content, Path) else io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as exc:
        raise FileRejected(
            f"This {what} is damaged or was not fully uploaded, so it cannot be read. "
            "Open it in Excel, save it again as .xlsx and upload it again."
        ) from exc
    total = sum(m.file_size for m in members)
    ratio_too_high = any(
        m.file_size > 1024 * 1024 and m.file_size > MAX_COMPRESSION_RATIO * max(m.compress_size, 1)
        for m in members
    )
    if total > MAX_EXPANDED_BYTES or ratio_too_high:
        raise FileRejected(
            f"This {what} would expand to {total // (1024 * 1024)} MB, past the "
            f"{MAX_EXPANDED_BYTES // (1024 * 1024)} MB limit, so it was not opened. Check it is "
            "the right file; a real case list is far smaller. Split it, or ask for it to be "
            "exported again."
        )
    return archive


def check_xlsx(source: bytes | Path) -> None:
    """Refuse anything that is not an xlsx workbook, by its bytes rather than its name. A file
    on disk is checked from its first bytes and its zip directory, without reading it all."""
    if isinstance(source, Path):
        with source.open("rb") as file:
            content = file.read(4096)
    else:
        content = source
    if content.startswith(OLE_SIGNATURE):
        raise FileRejected(
            "This workbook is password-protected (or in the old Excel 97-2003 .xls format), so "
            "it cannot be read. Open it in Excel, remove the password, save it as an Excel "
            "Workbook (.xlsx) and upload it again."
        )
    if not content.startswith(ZIP_SIGNATURES):
        if not content:
            raise FileRejected("This file is empty. Choose the Annex A workbook and upload it.")
        hint = "a CSV or text file" if _looks_like_text(content) else "not an Excel workbook"
        raise FileRejected(
            f"This file is {hint}, not an Excel workbook (.xlsx). Choose the Annex A "
            "workbook, or choose the kind of import that matches the file."
        )
    archive = check_zip(source, what="workbook")
    names = set(archive.namelist())
    if "xl/workbook.xml" not in names:
        raise FileRejected(
            "This is a zip file but not an Excel workbook (.xlsx). Choose the Annex A workbook."
        )


# Cells a sheet may span (rows x columns of the range its values cover) for each row the file
# may hold: an Annex A list is about 30 columns wide.
CELLS_PER_ROW = 50
# A worksheet's XML is scanned this many bytes at a time (its matches held meanwhile).
SCAN_BYTES = 256 * 1024
# A cell's column, from its reference (`<c r="AB12" ...>`; a row's `r` has no letters); a row's
# number (`<row r="12" ...>`). Literal starts keep the scan at tens of megabytes a second.
_CELL_COLUMN = re.compile(rb' r="([A-Z]{1,3})[0-9]')
_ROW_NUMBER = re.compile(rb'row [^>]*?r="([0-9]{1,7})"')
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_XML = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DOC_RELS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


@dataclass(frozen=True, slots=True)
class SheetExtent:
    """The range a worksheet's cells cover: python-calamine holds every cell of the range its
    values cover, empty or not."""

    name: str
    first_row: int
    last_row: int
    first_column: int
    last_column: int

    @property
    def rows(self) -> int:
        return max(self.last_row - self.first_row + 1, 0)

    @property
    def cells(self) -> int:
        return self.rows * (self.last_column - self.first_column + 1)


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _sheet_parts(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """Each worksheet's name and the zip member holding it, from the workbook's own index."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    names = set(archive.namelist())
    try:
        book = etree.fromstring(archive.read("xl/workbook.xml"), parser=parser)
        rels = (
            etree.fromstring(archive.read("xl/_rels/workbook.xml.rels"), parser=parser)
            if "xl/_rels/workbook.xml.rels" in names
            else None
        )
    except (etree.XMLSyntaxError, KeyError, zipfile.BadZipFile) as exc:
        raise FileRejected(
            "This workbook is damaged, so it cannot be read. Open it in Excel, save it again "
            "as .xlsx and upload it again."
        ) from exc
    targets = {
        rel.get("Id"): rel.get("Target", "")
        for rel in (rels if rels is not None else [])
        if rel.tag == f"{_RELS}Relationship"
    }
    parts = []
    for sheet in book.iter(f"{_XML}sheet"):
        target = targets.get(sheet.get(f"{_DOC_RELS}id"), "")
        member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        if member in names:
            parts.append((sheet.get("name", ""), member))
    return parts


def _beyond(column: bytes, *, before: bool) -> re.Pattern[bytes] | None:
    """A cell reference whose column comes after `column` (before it, if `before`): more
    letters (fewer), or as many and a later (earlier) letter at the first that differs. None
    when no column can: nothing comes before A, or after ZZZ."""
    letters = column.decode()
    width = len(letters)
    alternatives = []
    if before and width > 1:
        alternatives.append(f"[A-Z]{{1,{width - 1}}}")
    elif not before and width < 3:
        alternatives.append(f"[A-Z]{{{width + 1},3}}")
    for at, letter in enumerate(letters):
        index = _LETTERS.index(letter)
        others = _LETTERS[:index] if before else _LETTERS[index + 1 :]
        if others:
            alternatives.append(
                f"{letters[:at]}[{others[0]}-{others[-1]}]" + "[A-Z]" * (width - at - 1)
            )
    if not alternatives:
        return None
    return re.compile(f' r="(?:{"|".join(alternatives)})[0-9]'.encode())


def _widen(text: bytes, column: bytes, *, before: bool) -> bytes:
    """The furthest column to the right of `column` (or to its left) that a cell of `text`
    refers to, or `column`. One scan where no cell lies beyond it, as on every row after a
    list's header: a sheet's columns are not gathered cell by cell (700,000 at 50,000 rows)."""
    at = 0
    while (pattern := _beyond(column, before=before)) is not None:
        found = pattern.search(text, at)
        if found is None:
            break
        at = found.start()
        column = found.group()[4:-1]
    return column


def _extent(archive: zipfile.ZipFile, name: str, member: str) -> SheetExtent:
    """The range a worksheet's cells cover, formatted empty cells included; rows and cells
    written without references (allowed) are counted instead."""
    first_row = last_row = 0
    first_column = last_column = b""
    row_tags = cell_tags = 0
    tail = b""
    with archive.open(member) as part:
        while True:
            chunk = part.read(SCAN_BYTES)
            text, tail = tail + chunk, b""
            cut = text.rfind(b"<")
            if chunk and cut >= 0 and len(text) - cut < 4096:
                # A tag cut off at the end of this chunk is read with the next.
                text, tail = text[:cut], text[cut:]
            if not last_column and (found := _CELL_COLUMN.search(text)):
                first_column = last_column = found.group(1)
            if last_column:
                first_column = _widen(text, first_column, before=True)
                last_column = _widen(text, last_column, before=False)
            # Rows are in order: a chunk's first and last numbered rows are its extremes.
            if not first_row and (found := _ROW_NUMBER.search(text)):
                first_row = int(found.group(1))
            last_row = max(last_row, _last_row_number(text))
            row_tags += text.count(b"<row") + text.count(b":row ")
            cell_tags += text.count(b"<c ") + text.count(b":c ") + text.count(b"<c>")
            if not chunk:
                break
    if not first_row:
        first_row, last_row = 1, 0
    last_row = max(last_row, first_row + row_tags - 1)
    first, last = (
        (_column_number(first_column), _column_number(last_column)) if last_column else (1, 1)
    )
    if row_tags:
        # Cells without references still take a place each.
        last = max(last, first + cell_tags // row_tags - 1)
    return SheetExtent(name, first_row, last_row, first, last)


def _last_row_number(text: bytes) -> int:
    """The number of the last numbered row of `text`, 0 if none: read from the last row tag,
    or, where that one has no number, from every row's."""
    at = text.rfind(b"row ")
    found = _ROW_NUMBER.search(text, at) if at >= 0 else None
    if found is not None:
        return int(found.group(1))
    numbers = _ROW_NUMBER.findall(text)
    return int(numbers[-1]) if numbers else 0


def check_workbook_size(source: bytes | Path) -> list[SheetExtent]:
    """Refuse a workbook whose sheets, once read, would hold more rows than `max_rows()` or
    more cells than a sheet of that many rows should: python-calamine holds a sheet whole, a
    cell for every row and column of the range its values cover. Each sheet's XML is
    scanned a few megabytes at a time, before anything is loaded."""
    archive = check_zip(source, what="workbook")
    extents = [_extent(archive, name, member) for name, member in _sheet_parts(archive)]
    limit = max_rows()
    for extent in extents:
        if extent.cells > limit * CELLS_PER_ROW:
            corner = f"{_column_letters(extent.last_column)}{extent.last_row}"
            raise FileRejected(
                f"Sheet '{extent.name}' has cells as far as {corner}: read whole, that "
                f"is {extent.cells:,} cells, more than the {limit * CELLS_PER_ROW:,} auditloop "
                "reads from one sheet, so the workbook was not read. Delete anything to the "
                "right of or below the list, save the workbook and upload it again."
            )
    total = sum(extent.rows for extent in extents)
    if total > limit:
        raise too_many_rows("This workbook", total)
    return extents


def _looks_like_text(content: bytes) -> bool:
    head = content[:4096]
    return b"\x00" not in head


def decode_csv(content: bytes, *, name: str) -> str:
    """A CSV's text (UTF-8, with or without a byte-order mark), or a rejection saying why."""
    if content.startswith(ZIP_SIGNATURES) or content.startswith(OLE_SIGNATURE):
        raise FileRejected(
            f"{name} is an Excel workbook, not a CSV file. In Excel choose File, Save as, "
            "'CSV UTF-8 (Comma delimited)', and upload that file."
        )
    if b"\x00" in content[:4096]:
        raise FileRejected(
            f"{name} is not a CSV file (it holds binary data). Export the list as "
            "'CSV UTF-8 (Comma delimited)' and upload that file."
        )
    try:
        decoded = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise FileRejected(
            f"{name} is not in UTF-8 (the first character we cannot read is on line {line}). "
            "In Excel choose File, Save as, 'CSV UTF-8 (Comma delimited)', and upload that "
            "file."
        ) from exc
    if not decoded.strip():
        raise FileRejected(f"{name} is empty. Choose the file with the list and upload it.")
    return decoded


def max_rows() -> int:
    """The most rows auditloop reads from one file (`AUDITLOOP_IMPORT_MAX_ROWS`)."""
    return int(settings.AUDITLOOP_IMPORT_MAX_ROWS)


def too_many_rows(name: str, rows: int | None = None) -> FileRejected:
    limit = max_rows()
    found = f"{rows:,} rows" if rows is not None else f"more than {limit:,} rows"
    return FileRejected(
        f"{name} has {found}, more than the {limit:,} auditloop reads from one file, so it was "
        "not read. Check it is the right file: the largest council's lists are far shorter. "
        "If it is, split it, or ask your administrator to raise the limit "
        "(AUDITLOOP_IMPORT_MAX_ROWS)."
    )


# One line of a CSV with its ending: \r\n, \n or a lone \r (old Mac exports) alike.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def csv_rows(
    text: str, *, name: str, progress: Progress = no_progress
) -> Iterator[tuple[int, list[str]]]:
    """A decoded CSV's rows, one at a time, numbered from 1 (the header row): never held
    whole. Refuses, with a message naming the file, row and column, a value longer than the
    csv module's field size limit (an unclosed quote mark runs one on to the end of the file)
    or a row it cannot read, and a file of more than `max_rows()` rows."""
    end = 0
    size = max(len(text), 1)

    def lines() -> Iterator[str]:
        nonlocal end
        for match in _LINE.finditer(text):
            end = match.end()
            yield match.group()

    reader = csv.reader(lines())
    limit = max_rows()
    header: list[str] = []
    number, start = 0, 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise _unreadable_row(exc, text[start:end], number + 1, header, name) from exc
        number += 1
        start = end
        if number == 1:
            header = cells
        elif number > limit + 1:
            raise too_many_rows(name)
        if number % 10_000 == 0:
            progress(end / size)
        yield number, cells


def _unreadable_row(
    exc: csv.Error, record: str, number: int, header: list[str], name: str
) -> FileRejected:
    limit = csv.field_size_limit()
    if "field larger than field limit" not in str(exc):
        return FileRejected(
            f"{name}, row {number}: this row cannot be read as CSV ({exc}). Export the table "
            "again as 'CSV UTF-8 (Comma delimited)' and upload that file."
        )
    index = _long_field_index(record, limit)
    column = header[index].strip() if index < len(header) and header[index].strip() else ""
    where = f"column {column}" if column else f"column {index + 1}"
    return FileRejected(
        f"{name}, row {number}, {where}: this value is more than {limit:,} characters long, "
        'so the file was not read. Usually a quote mark (") that is opened and never closed '
        "runs one value on to the end of the file: check that row in a text editor, correct "
        "it and upload the file again."
    )


def _long_field_index(record: str, limit: int) -> int:
    """Which field of a CSV record (its raw text so far) first grows past `limit`
    characters, as the csv module counts them: quotes and separators aside."""
    index, length, quoted, at = 0, 0, False, 0
    while at < len(record):
        char = record[at]
        if quoted and char == '"' and record[at + 1 : at + 2] == '"':
            length += 1
            at += 1
        elif char == '"' and (quoted or length == 0):
            quoted = not quoted
        elif char == "," and not quoted:
            index, length = index + 1, 0
        else:
            length += 1
            if length > limit:
                return index
        at += 1
    return index


def chunks[T](items: list[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
