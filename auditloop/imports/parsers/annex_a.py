"""The Ofsted Annex A workbook: each list recognised by its headers, never by its sheet name.

Lists 3-9 give case files; lists 1, 2, 10 and 11 are recognised and reported. Read with
python-calamine (the fastest xlsx reader), after the file's bytes have been checked.

`read_annex_a` streams: each usable row becomes one flat tuple (a `StagedRow`), handed to a
sink in batches, so nothing grows with the row count. The import stages those rows in the
database and merges each child's rows there; `parse_annex_a` merges them in memory instead,
for small files and tests. Both merge with `merge_rows`, so they agree. The lists, columns
and row layout are in `annex_a_columns`.
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook

from auditloop.cases.models import Cohort
from auditloop.imports.parsers.annex_a_columns import (
    BATCH_ROWS,
    CHILD,
    COHORT,
    DATE_COLUMNS,
    DATE_ITEMS,
    END_COLUMNS,
    ENDED,
    GENDERS,
    HEADER_SEARCH_ROWS,
    HEADER_TO_COLUMN,
    LIST,
    LISTS,
    MEMO_SIZE,
    NUMERIC_IDS_NOTE,
    OPEN,
    POSTCODE,
    ROW,
    SHEET,
    STAGED_DATES,
    STAGED_TEXTS,
    TEAM,
    TEXT_ITEMS,
    WORKER,
    YES,
    YES_NO,
    ListSpec,
    Sink,
    StagedRow,
)
from auditloop.imports.parsers.base import (
    CaseRecord,
    FileRejected,
    Issue,
    IssueLog,
    ParsedCases,
    Progress,
    check_workbook_size,
    check_xlsx,
    more_specific,
    no_progress,
)
from auditloop.imports.values import (
    Cell,
    normalise_header,
    parse_child_id,
    parse_date,
    parse_picklist,
    picklist_key,
    raw,
    text,
)


def recognise(headers: Sequence[Cell]) -> ListSpec | None:
    keys = {normalise_header(h) for h in headers}
    for spec in LISTS:
        if all(group & keys for group in spec.signature):
            return spec
    return None


def _find_header(rows: Iterable[list[Cell]]) -> tuple[int, list[Cell], ListSpec] | None:
    for index, row in enumerate(rows):
        if index >= HEADER_SEARCH_ROWS:
            return None
        spec = recognise(row)
        if spec is not None:
            return index, row, spec
    return None


@dataclass(slots=True)
class AnnexRead:
    """What a streamed read found: the sheets' names (a staged row's `sheet_no` indexes
    them), the lists found, and the usable rows handed to the sink."""

    sheets: list[str] = field(default_factory=list)
    found: list[str] = field(default_factory=list)
    rows: int = 0


def read_annex_a(
    content: bytes | Path,
    *,
    sink: Sink,
    issues: IssueLog,
    progress: Progress = no_progress,
) -> AnnexRead:
    """Stream an Annex A workbook's usable rows to `sink`, `BATCH_ROWS` at a time, and its
    problems to `issues`. Raises FileRejected when it cannot be read at all. Given a path,
    the file is read from disk as it is parsed rather than held in memory."""
    check_xlsx(content)
    check_workbook_size(content)
    try:
        workbook = (
            CalamineWorkbook.from_path(str(content))
            if isinstance(content, Path)
            else CalamineWorkbook.from_filelike(io.BytesIO(content))
        )
    except Exception as exc:  # calamine raises its own and PyO3's errors alike
        password = "password" in str(exc).casefold() or "encrypt" in str(exc).casefold()
        raise FileRejected(
            "This workbook is password-protected, so it cannot be read. Remove the password in "
            "Excel, save it and upload it again."
            if password
            else "This workbook is damaged, so it cannot be read. Open it in Excel, save it "
            "again as .xlsx and upload it again."
        ) from exc
    read = AnnexRead(sheets=list(workbook.sheet_names))
    seen_lists: dict[int, str] = {}
    batch: list[StagedRow] = []
    names = read.sheets
    for position, name in enumerate(names):
        try:
            sheet = workbook.get_sheet_by_name(name)
            reader = _open_sheet(sheet, position, name, read, issues, seen_lists)
            if reader is not None:
                for row, number in reader.rows:
                    staged = reader.read(row, number, read.rows)
                    if staged is None:
                        continue
                    read.rows += 1
                    batch.append(staged)
                    if len(batch) >= BATCH_ROWS:
                        sink(batch)
                        batch = []
                        if read.rows % 10_000 == 0:
                            progress((position + 0.5) / max(len(names), 1))
        except CalamineError as exc:
            raise FileRejected(
                f"Sheet '{name}' of this workbook is damaged, so the workbook cannot be read. "
                "Open it in Excel, save it again as .xlsx and upload it again."
            ) from exc
        progress((position + 1) / max(len(names), 1))
    if batch:
        sink(batch)
    if not seen_lists:
        raise FileRejected(
            "No Annex A list was found in this workbook: no sheet has the column headers of a "
            "list (for example 'Child Unique ID' and 'CIN Start Date'). Check it is the Annex "
            "A workbook, with each list's header row in its first 15 rows."
        )
    return read


def parse_annex_a(content: bytes, *, progress: Progress = no_progress) -> ParsedCases:
    """Read an Annex A workbook into case records, in memory. Raises FileRejected when it
    cannot be read at all. (The import streams instead: see `read_annex_a`.)"""
    by_child: dict[str, list[StagedRow]] = {}

    def keep(batch: list[StagedRow]) -> None:
        for row in batch:
            by_child.setdefault(row[CHILD], []).append(row)

    issues = IssueLog()
    read = read_annex_a(content, sink=keep, issues=issues, progress=progress)
    records = {
        child_id: merge_rows(rows, read.sheets, issues) for child_id, rows in by_child.items()
    }
    return ParsedCases(
        records=records, issues=issues, rows=read.rows, found=read.found, snapshot=True
    )


def merge_rows(rows: Sequence[StagedRow], sheets: Sequence[str], issues: IssueLog) -> CaseRecord:
    """One child's case record from their rows, in the order the workbook gave them.

    The child is open if any list holds them open; the most specific list they are open on
    decides the cohort (or, if closed everywhere, the most specific list). Dates take the
    latest given; gender, ethnicity and disability the first; team and worker the last.
    A child twice on one sheet is reported at the later row.
    """
    first = rows[0]
    if len(rows) == 1:
        return _record_of_one(first, sheets)
    record = CaseRecord(
        la_child_id=first[CHILD],
        cohort=first[COHORT],
        sheet=sheets[first[SHEET]],
        row=first[ROW],
        is_open=bool(first[OPEN]),
    )
    fields = record.fields
    closed_on = None
    seen_sheets: set[int] = set()
    for row in rows:
        is_open = bool(row[OPEN])
        if row is not first:
            if is_open and not record.is_open:
                record.cohort, record.is_open, closed_on = row[COHORT], True, None
            elif is_open == record.is_open:
                record.cohort = more_specific(record.cohort, row[COHORT])
            if row[SHEET] in seen_sheets:
                issues.append(
                    Issue(
                        sheets[row[SHEET]],
                        row[ROW],
                        "Child Unique ID",
                        row[CHILD],
                        "This child is listed twice in this list; the later row adds to the "
                        "earlier one.",
                        "warning",
                    )
                )
        seen_sheets.add(row[SHEET])
        record.lists.add(row[LIST])
        for index, name in DATE_ITEMS:
            value = row[index]
            if value is not None:
                current = fields.get(name)
                if current is None or value > current:
                    fields[name] = value
        for index, name in TEXT_ITEMS:
            value = row[index]
            if value and name not in fields:
                fields[name] = value
        ended_on = row[ENDED]
        if (
            not record.is_open
            and ended_on is not None
            and (closed_on is None or ended_on > closed_on)
        ):
            closed_on = ended_on
        if row[TEAM]:
            record.team_name = row[TEAM]
        if row[WORKER]:
            record.worker_name = row[WORKER]
            record.sheet, record.row = sheets[row[SHEET]], row[ROW]
    for name in STAGED_DATES:
        if name in fields:
            fields[name] = datetime.date.fromordinal(fields[name])
    if closed_on is not None:
        fields["closed_on"] = datetime.date.fromordinal(closed_on)
    return record


def _record_of_one(row: StagedRow, sheets: Sequence[str]) -> CaseRecord:
    """`merge_rows` for a child on one row only (most children), without the merging."""
    day = datetime.date.fromordinal
    fields = {name: day(row[index]) for index, name in DATE_ITEMS if row[index] is not None}
    for index, name in TEXT_ITEMS:
        if row[index]:
            fields[name] = row[index]
    is_open = bool(row[OPEN])
    if not is_open and row[ENDED] is not None:
        fields["closed_on"] = day(row[ENDED])
    return CaseRecord(
        la_child_id=row[CHILD],
        cohort=row[COHORT],
        lists={row[LIST]},
        fields=fields,
        team_name=row[TEAM],
        worker_name=row[WORKER],
        is_open=is_open,
        sheet=sheets[row[SHEET]],
        row=row[ROW],
    )


def _open_sheet(
    sheet: Any,
    position: int,
    name: str,
    read: AnnexRead,
    issues: IssueLog,
    seen_lists: dict[int, str],
) -> _RowReader | None:
    """Find a sheet's header row and list; a reader for its rows, or None if it has none."""
    start_row = int(sheet.start[0]) if sheet.start else 0
    rows = sheet.iter_rows()
    head: list[list[Cell]] = []
    found = None
    for row in rows:
        head.append(row)
        found = _find_header([row])
        if found is not None or len(head) >= HEADER_SEARCH_ROWS:
            break
    if found is None:
        if any(text(c) for r in head for c in r):
            issues.append(
                Issue(
                    name,
                    None,
                    "",
                    "",
                    "This sheet is not an Annex A list we recognise, so it was not read.",
                    "warning",
                )
            )
        return None
    header_row = start_row + len(head)  # 1-based Excel row number of the header
    spec = found[2]
    if spec.number in seen_lists:
        issues.append(
            Issue(
                name,
                header_row,
                "",
                "",
                f"List {spec.number} ({spec.title}) was already "
                f"read from sheet '{seen_lists[spec.number]}'; this sheet adds to it.",
                "warning",
            )
        )
    seen_lists.setdefault(spec.number, name)
    if spec.cohort is None:
        read.found.append(f"List {spec.number} ({spec.title}: not a list of case files)")
        return None
    read.found.append(f"List {spec.number} ({spec.title})")
    headers = found[1]
    columns: dict[str, int] = {}
    labels: dict[str, str] = {}
    for index, header in enumerate(headers):
        column = HEADER_TO_COLUMN.get(normalise_header(header))
        if column is not None and column not in columns:
            columns[column] = index
            labels[column] = text(header)
    if "child_id" not in columns:
        issues.append(
            Issue(
                name,
                header_row,
                "Child Unique ID",
                "",
                f"List {spec.number} has no 'Child "
                "Unique ID' column, so none of its rows could be read.",
                "error",
            )
        )
        return None
    numbered = ((row, header_row + offset) for offset, row in enumerate(rows, start=1))
    return _RowReader(spec, name, position, columns, labels, issues, numbered)


class _RowReader:
    """Reads the rows of one recognised list into staged rows."""

    def __init__(
        self,
        spec: ListSpec,
        sheet: str,
        position: int,
        columns: dict[str, int],
        labels: dict[str, str],
        issues: IssueLog,
        rows: Iterator[tuple[list[Cell], int]],
    ) -> None:
        self.spec = spec
        self.sheet = sheet
        self.position = position
        self.columns = columns
        self.labels = labels
        self.issues = issues
        self.rows = rows
        self.dates = [(c, columns[c], DATE_COLUMNS[c]) for c in DATE_COLUMNS if c in columns]
        self.child_column = columns["child_id"]
        self.width = max(columns.values()) + 1
        self.cohort: str = str(spec.cohort or Cohort.CIN)
        self.warned_numeric_id = False
        self.memo: dict[tuple[str, Cell], Any] = {}

    def issue(self, row: int, column: str, value: Cell, message: str, severity: str) -> None:
        self.issues.append(
            Issue(self.sheet, row, self.labels.get(column, column), raw(value), message, severity)
        )

    def cell(self, row: list[Cell], column: str) -> Cell:
        # Rows reaching here are padded to `width`, past every known column.
        index = self.columns.get(column)
        return None if index is None else row[index]

    def read(self, row: list[Cell], number: int, seq: int) -> StagedRow | None:
        if len(row) < self.width:
            row = [*row, *([""] * (self.width - len(row)))]
        value = row[self.child_column]
        child_id, problem = parse_child_id(value)
        if child_id is None:
            if any(text(c) for c in row):
                self.issue(number, "child_id", value, problem, "error")
            return None  # an empty row, or one without a child ID
        if problem and not self.warned_numeric_id:
            # Once per list: every ID of a column Excel holds as numbers shares the problem.
            self.warned_numeric_id = True
            self.issue(number, "child_id", value, problem + NUMERIC_IDS_NOTE, "warning")
        fields: dict[str, Any] = {}
        ended_on = None
        for column, index, target in self.dates:
            cell = row[index]
            if cell is None or cell == "":
                continue
            when, problem = parse_date(cell)
            if problem:
                self.issue(number, column, cell, problem, "warning")
                continue
            if when is None:
                continue
            if column in END_COLUMNS:
                ended_on = when
            elif target is not None and (target not in fields or when > fields[target]):
                fields[target] = when
        self._read_picklists(row, number, fields)
        visited = fields.get("last_statutory_visit")
        seen_alone = self._memo("seen_alone", self.cell(row, "seen_alone"), _key)
        if self.spec.number == 7 and visited is not None and seen_alone in YES:
            fields["last_seen_alone"] = visited
        is_open = ended_on is None
        no_further_action = self._memo("referral_nfa", self.cell(row, "referral_nfa"), _key)
        if self.spec.number == 3 and no_further_action in YES:
            is_open = False
        team = self._person_or_team(row, number, "allocated_team")
        worker = self._person_or_team(row, number, "allocated_worker")
        if "placement_postcode" in self.columns:
            postcode = self.cell(row, "placement_postcode")
            if not self._memo("placement_postcode", postcode, _postcode_ok):
                self.issue(
                    number,
                    "placement_postcode",
                    postcode,
                    "This is not a UK postcode; it was ignored.",
                    "warning",
                )
        get = fields.get
        return (
            seq,
            self.position,
            number,
            child_id,
            self.spec.number,
            self.cohort,
            is_open,
            None if ended_on is None else ended_on.toordinal(),
            *[None if (day := get(name)) is None else day.toordinal() for name in STAGED_DATES],
            *[get(name) for name in STAGED_TEXTS],
            team,
            worker,
        )

    def _memo[T](self, column: str, cell: Cell, read: Callable[[Cell], T]) -> T:
        """`read(cell)`, remembered per column and value: lists repeat their values a lot."""
        key = (column, cell)
        try:
            return self.memo[key]  # type: ignore[no-any-return]
        except KeyError:
            value = read(cell)
            if len(self.memo) < MEMO_SIZE:
                self.memo[key] = value
            return value

    def _read_picklists(self, row: list[Cell], number: int, fields: dict[str, Any]) -> None:
        for column, choices in (("gender", GENDERS), ("disability", YES_NO)):
            cell = self.cell(row, column)
            if cell is None or cell == "":
                continue
            value, problem = self._memo(column, cell, partial(parse_picklist, choices=choices))
            if problem:
                self.issue(number, column, cell, problem + " It was kept as written.", "warning")
            if value:
                fields[column] = value[:20]
        ethnicity = self._memo("ethnicity", self.cell(row, "ethnicity"), _ethnicity)
        if ethnicity:
            fields["ethnicity"] = ethnicity

    def _person_or_team(self, row: list[Cell], number: int, column: str) -> str:
        cell = self.cell(row, column)
        value, placeholder = self._memo(column, cell, _name_cell)
        if placeholder:
            what = "team" if column == "allocated_team" else "worker"
            self.issue(
                number,
                column,
                cell,
                f"This placeholder was read as 'no allocated {what}'.",
                "warning",
            )
        return value


def _key(cell: Cell) -> str:
    return picklist_key(cell)


def _ethnicity(cell: Cell) -> str:
    key = picklist_key(cell)
    return re.split(r"\s+-\s+|:\s*", key)[0].upper()[:60] if key else ""


def _name_cell(cell: Cell) -> tuple[str, bool]:
    """A team's or worker's name, and whether the cell held a placeholder such as `#N/A`."""
    value = text(cell)
    return value[:150], not value and bool(raw(cell).strip())


def _postcode_ok(cell: Cell) -> bool:
    value = text(cell)
    return not value or bool(POSTCODE.match(value))
