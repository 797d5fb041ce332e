"""The Ofsted Annex A workbook: each list recognised by its headers, never by its sheet name.

Lists 3-9 give case files; lists 1, 2, 10 and 11 are recognised and reported. Read with
python-calamine (the fastest xlsx reader), after the file's bytes have been checked.

`read_annex_a` streams: each usable row becomes one flat tuple (a `StagedRow`), handed to a
sink in batches, so nothing grows with the row count. The import stages those rows in the
database and merges each child's rows there; `parse_annex_a` merges them in memory instead,
for small files and tests. Both merge with `merge_rows`, so they agree. The lists, columns
and row layout are in `annex_a_columns`; the merge is in `annex_a_merge`.
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
    DATE_COLUMNS,
    END_COLUMNS,
    GENDERS,
    HEADER_SEARCH_ROWS,
    HEADER_TO_COLUMN,
    LISTS,
    MEMO_SIZE,
    NUMERIC_IDS_NOTE,
    POSTCODE,
    STAGED_DATES,
    STAGED_TEXTS,
    YES,
    YES_NO,
    ListSpec,
    Sink,
    StagedRow,
)
from auditloop.imports.parsers.annex_a_merge import merge_rows
from auditloop.imports.parsers.base import (
    FileRejected,
    Issue,
    IssueLog,
    ParsedCases,
    Progress,
    check_workbook_size,
    check_xlsx,
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
    workbook = _open_workbook(content)
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


def _open_workbook(content: bytes | Path) -> CalamineWorkbook:
    """The workbook, once its bytes are checked; a rejection if it is locked or damaged."""
    check_xlsx(content)
    check_workbook_size(content)
    try:
        return (
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
    head, found = _scan_for_header(rows)
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
    _, headers, spec = found
    if not _note_list(spec, name, header_row, read, issues, seen_lists):
        return None
    columns, labels = _columns_of(headers)
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


def _scan_for_header(
    rows: Iterator[list[Cell]],
) -> tuple[list[list[Cell]], tuple[int, list[Cell], ListSpec] | None]:
    """The rows read up to and including the header row, and what the header says (or None).

    Reads no further than the header, so the caller goes on from the first data row."""
    head: list[list[Cell]] = []
    found = None
    for row in rows:
        head.append(row)
        found = _find_header([row])
        if found is not None or len(head) >= HEADER_SEARCH_ROWS:
            break
    return head, found


def _note_list(
    spec: ListSpec,
    name: str,
    header_row: int,
    read: AnnexRead,
    issues: IssueLog,
    seen_lists: dict[int, str],
) -> bool:
    """Record the list a sheet holds (warning if another sheet held it); whether to read it."""
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
        return False
    read.found.append(f"List {spec.number} ({spec.title})")
    return True


def _columns_of(headers: Sequence[Cell]) -> tuple[dict[str, int], dict[str, str]]:
    """Each known column's position and its header as written (the first, if repeated)."""
    columns: dict[str, int] = {}
    labels: dict[str, str] = {}
    for index, header in enumerate(headers):
        column = HEADER_TO_COLUMN.get(normalise_header(header))
        if column is not None and column not in columns:
            columns[column] = index
            labels[column] = text(header)
    return columns, labels


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
        # Worked out once per list rather than once per row: where each column is, and the
        # readers of its picklists. A list without a column reads every row's cell as empty;
        # the seen-alone (list 7) and no-further-action (list 3) columns matter only there.
        self.picklists = [
            (column, columns[column], partial(parse_picklist, choices=choices))
            for column, choices in (("gender", GENDERS), ("disability", YES_NO))
            if column in columns
        ]
        self.ethnicity_column = columns.get("ethnicity")
        self.seen_alone_column = columns.get("seen_alone") if spec.number == 7 else None
        self.nfa_column = columns.get("referral_nfa") if spec.number == 3 else None
        self.team_column = columns.get("allocated_team")
        self.worker_column = columns.get("allocated_worker")

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
        ended_on = self._read_dates(row, number, fields)
        self._read_picklists(row, number, fields)
        visited = fields.get("last_statutory_visit")
        if (
            self.seen_alone_column is not None
            and visited is not None
            and self._memo("seen_alone", row[self.seen_alone_column], _key) in YES
        ):
            fields["last_seen_alone"] = visited
        is_open = ended_on is None
        if self.nfa_column is not None and (
            self._memo("referral_nfa", row[self.nfa_column], _key) in YES
        ):
            is_open = False
        team = self._person_or_team(row, number, "allocated_team", self.team_column)
        worker = self._person_or_team(row, number, "allocated_worker", self.worker_column)
        self._check_postcode(row, number)
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

    def _read_dates(
        self, row: list[Cell], number: int, fields: dict[str, Any]
    ) -> datetime.date | None:
        """The row's dates into `fields` (the latest, where two columns feed one field);
        returns the date the episode ended, or None while it is open."""
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
        return ended_on

    def _check_postcode(self, row: list[Cell], number: int) -> None:
        """Warn of a placement postcode that is not a UK postcode (it is not kept either way)."""
        if "placement_postcode" not in self.columns:
            return
        postcode = self.cell(row, "placement_postcode")
        if not self._memo("placement_postcode", postcode, _postcode_ok):
            self.issue(
                number,
                "placement_postcode",
                postcode,
                "This is not a UK postcode; it was ignored.",
                "warning",
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
        for column, index, parse in self.picklists:
            cell = row[index]
            if cell is None or cell == "":
                continue
            value, problem = self._memo(column, cell, parse)
            if problem:
                self.issue(number, column, cell, problem + " It was kept as written.", "warning")
            if value:
                fields[column] = value[:20]
        at = self.ethnicity_column
        ethnicity = self._memo("ethnicity", None if at is None else row[at], _ethnicity)
        if ethnicity:
            fields["ethnicity"] = ethnicity

    def _person_or_team(self, row: list[Cell], number: int, column: str, index: int | None) -> str:
        cell = None if index is None else row[index]
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
