"""The Ofsted Annex A workbook: each list recognised by its headers, never by its sheet name.

Lists 3-9 give case files; lists 1, 2, 10 and 11 are recognised and reported. Read with
python-calamine (the fastest xlsx reader), after the file's bytes have been checked.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook

from auditloop.cases.models import Cohort
from auditloop.imports.parsers.base import (
    CaseRecord,
    FileRejected,
    Issue,
    ParsedCases,
    Progress,
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

# How far down a sheet its header row may be (title rows above it are common).
HEADER_SEARCH_ROWS = 15


@dataclass(frozen=True)
class ListSpec:
    number: int
    title: str
    # The list is recognised when every group has at least one of its header keys.
    signature: tuple[frozenset[str], ...]
    cohort: str | None = None
    # A header whose date says the child left this list (plan ended, ceased to be looked after).
    ended_by: str = ""


def _keys(*headers: str) -> frozenset[str]:
    return frozenset(normalise_header(h) for h in headers)


# Most specific first: a sheet is the first list whose signature it carries.
LISTS: tuple[ListSpec, ...] = (
    ListSpec(11, "Adopters", (_keys("Individual adopter identifier"),)),
    ListSpec(
        10,
        "Adoption",
        (_keys("Date of Decision that Child Should be Placed for Adoption"),),
    ),
    ListSpec(
        9,
        "Care leavers",
        (_keys("Eligibility Category", "Latest Pathway Plan Review Date", "LA in Touch"),),
        Cohort.CL,
    ),
    ListSpec(
        8,
        "Children looked after",
        (_keys("Date Started to be Looked After", "Date started to be looked after (CLA)"),),
        Cohort.CLA,
        "dateceasedtobelookedafter",
    ),
    ListSpec(
        7,
        "Child protection",
        (_keys("Child Protection Plan Start Date"),),
        Cohort.CP,
        "childprotectionplanenddate",
    ),
    ListSpec(6, "Children in need", (_keys("CIN Start Date"),), Cohort.CIN, "cinclosuredate"),
    ListSpec(
        5,
        "Section 47 enquiries and ICPCs",
        (
            _keys(
                "Strategy discussion initiating Section 47 Enquiry Start Date",
                "Section 47 Enquiry Start Date",
            ),
        ),
        Cohort.CIN,
    ),
    ListSpec(
        4,
        "Assessments",
        (
            _keys(
                "Continuous Assessment Start Date",
                "Assessment Start Date",
            ),
            _keys("Allocated Team", "Allocated Worker"),
        ),
        Cohort.CIN,
    ),
    ListSpec(3, "Referrals", (_keys("Date of Referral"),), Cohort.CIN),
    ListSpec(2, "Early help", (_keys("Assessment start date"),)),
    ListSpec(1, "Contacts", (_keys("Date of Contact"),)),
)

# Canonical column → the header keys councils and template years use for it.
COLUMNS: dict[str, frozenset[str]] = {
    "child_id": _keys("Child Unique ID", "Child ID", "Unique ID", "LA Child ID", "ChildID"),
    "gender": _keys("Gender", "Sex"),
    "ethnicity": _keys("Ethnicity"),
    "date_of_birth": _keys("Date of Birth", "DOB"),
    "age": _keys("Age", "Age of Child (Years)", "Age of Child"),
    "disability": _keys("Does the Child have a Disability", "Disability"),
    "allocated_team": _keys("Allocated Team", "Team"),
    "allocated_worker": _keys("Allocated Worker", "Allocated Social Worker"),
    "referral_date": _keys("Date of Referral"),
    "referral_nfa": _keys("Referral NFA?", "Referral NFA"),
    "assessment_completed": _keys(
        "Continuous Assessment Date of Authorisation",
        "Assessment completion date",
        "Date of Authorisation",
    ),
    "opened_on": _keys("CIN Start Date"),
    "cin_closure": _keys("CIN Closure Date"),
    "last_seen": _keys("Date Child Was Last Seen"),
    "cp_plan_start": _keys("Child Protection Plan Start Date"),
    "cp_plan_end": _keys("Child Protection Plan End Date"),
    "last_statutory_visit": _keys(
        "Date of the Last Statutory Visit", "Date of Last Statutory Visit"
    ),
    "seen_alone": _keys("Was the Child Seen Alone?", "Was the Child Seen Alone"),
    "latest_review": _keys(
        "Date of latest review conference",
        "Date of Latest Statutory Review",
        "Date of latest review",
    ),
    "cla_start": _keys("Date Started to be Looked After"),
    "cla_end": _keys("Date Ceased to be Looked After"),
    "last_social_work_visit": _keys("Date of Last Social Work Visit"),
    "last_health_assessment": _keys("Date of Last Health Assessment"),
    "latest_pathway_plan_review": _keys("Latest Pathway Plan Review Date"),
    "latest_contact": _keys("Latest Date of Contact"),
    "placement_postcode": _keys("Placement postcode"),
}
_HEADER_TO_COLUMN = {key: name for name, keys in COLUMNS.items() for key in keys}

# Columns read as dates, and the case file field each one fills (None: read, not stored).
DATE_COLUMNS: dict[str, str | None] = {
    "date_of_birth": "date_of_birth",
    "referral_date": "referral_date",
    "assessment_completed": "assessment_completed",
    "opened_on": "opened_on",
    "cin_closure": None,
    "last_seen": "last_statutory_visit",
    "cp_plan_start": "cp_plan_start",
    "cp_plan_end": None,
    "last_statutory_visit": "last_statutory_visit",
    "latest_review": "latest_review",
    "cla_start": "cla_start",
    "cla_end": None,
    "last_social_work_visit": "last_statutory_visit",
    "last_health_assessment": "last_health_assessment",
    "latest_pathway_plan_review": "latest_pathway_plan_review",
    "latest_contact": "last_statutory_visit",
}
END_COLUMNS = {"cin_closure", "cp_plan_end", "cla_end"}

GENDERS = {
    "male": "Male",
    "m": "Male",
    "1": "Male",
    "female": "Female",
    "f": "Female",
    "2": "Female",
    "not stated/recorded": "Not stated",
    "not stated": "Not stated",
    "not recorded": "Not stated",
    "9": "Not stated",
    "unknown": "Not known",
    "not known": "Not known",
    "u": "Not known",
    "0": "Not known",
    "neither": "Neither",
    "other": "Neither",
}
YES_NO = {"yes": "Yes", "y": "Yes", "true": "Yes", "1": "Yes", "no": "No", "n": "No"}
YES_NO |= {"false": "No", "0": "No"}
MEMO_SIZE = 50_000
YES = frozenset({"yes", "y"})
NUMERIC_IDS_NOTE = " (Told once per list, at the first such row.)"
_POSTCODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$", re.IGNORECASE)


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


def parse_annex_a(content: bytes, *, progress: Progress = no_progress) -> ParsedCases:
    """Read an Annex A workbook. Raises FileRejected when it cannot be read at all."""
    check_xlsx(content)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
    except Exception as exc:  # calamine raises its own and PyO3's errors alike
        password = "password" in str(exc).casefold() or "encrypt" in str(exc).casefold()
        raise FileRejected(
            "This workbook is password-protected, so it cannot be read. Remove the password in "
            "Excel, save it and upload it again."
            if password
            else "This workbook is damaged, so it cannot be read. Open it in Excel, save it "
            "again as .xlsx and upload it again."
        ) from exc
    parsed = ParsedCases(records={}, issues=[], rows=0, found=[], snapshot=True)
    names = list(workbook.sheet_names)
    seen_lists: dict[int, str] = {}
    for position, name in enumerate(names):
        try:
            sheet = workbook.get_sheet_by_name(name)
            _read_sheet(sheet, name, parsed, seen_lists, progress, position, len(names))
        except CalamineError as exc:
            raise FileRejected(
                f"Sheet '{name}' of this workbook is damaged, so the workbook cannot be read. "
                "Open it in Excel, save it again as .xlsx and upload it again."
            ) from exc
        progress((position + 1) / max(len(names), 1))
    if not seen_lists:
        raise FileRejected(
            "No Annex A list was found in this workbook: no sheet has the column headers of a "
            "list (for example 'Child Unique ID' and 'CIN Start Date'). Check it is the Annex "
            "A workbook, with each list's header row in its first 15 rows."
        )
    return parsed


def _read_sheet(
    sheet: Any,
    name: str,
    parsed: ParsedCases,
    seen_lists: dict[int, str],
    progress: Progress,
    position: int,
    sheet_count: int,
) -> None:
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
            parsed.issues.append(
                Issue(
                    name,
                    None,
                    "",
                    "",
                    "This sheet is not an Annex A list we recognise, so it was not read.",
                    "warning",
                )
            )
        return
    header_row = start_row + len(head)  # 1-based Excel row number of the header
    spec = found[2]
    if spec.number in seen_lists:
        parsed.issues.append(
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
        parsed.found.append(f"List {spec.number} ({spec.title}: not a list of case files)")
        return
    parsed.found.append(f"List {spec.number} ({spec.title})")
    headers = found[1]
    columns: dict[str, int] = {}
    labels: dict[str, str] = {}
    for index, header in enumerate(headers):
        column = _HEADER_TO_COLUMN.get(normalise_header(header))
        if column is not None and column not in columns:
            columns[column] = index
            labels[column] = text(header)
    if "child_id" not in columns:
        parsed.issues.append(
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
        return
    reader = _RowReader(spec, name, columns, labels, parsed)
    for offset, row in enumerate(rows, start=1):
        reader.read(row, header_row + offset)
        if offset % 10_000 == 0:
            progress((position + 0.5) / max(sheet_count, 1))


class _RowReader:
    """Reads the rows of one recognised list into the workbook's case records."""

    def __init__(
        self,
        spec: ListSpec,
        sheet: str,
        columns: dict[str, int],
        labels: dict[str, str],
        parsed: ParsedCases,
    ) -> None:
        self.spec = spec
        self.sheet = sheet
        self.columns = columns
        self.labels = labels
        self.parsed = parsed
        self.dates = [(c, columns[c], DATE_COLUMNS[c]) for c in DATE_COLUMNS if c in columns]
        self.seen: set[str] = set()
        self.child_column = columns["child_id"]
        self.width = max(columns.values()) + 1
        self.cohort: str = spec.cohort or Cohort.CIN
        self.warned_numeric_id = False
        self.memo: dict[tuple[str, Cell], Any] = {}

    def issue(self, row: int, column: str, value: Cell, message: str, severity: str) -> None:
        self.parsed.issues.append(
            Issue(self.sheet, row, self.labels.get(column, column), raw(value), message, severity)
        )

    def cell(self, row: list[Cell], column: str) -> Cell:
        index = self.columns.get(column)
        if index is None or index >= len(row):
            return None
        return row[index]

    def read(self, row: list[Cell], number: int) -> None:
        if len(row) < self.width:
            row = [*row, *([""] * (self.width - len(row)))]
        value = row[self.child_column]
        child_id, problem = parse_child_id(value)
        if child_id is None:
            if not any(text(c) for c in row):
                return  # an empty row
            self.issue(number, "child_id", value, problem, "error")
            return
        self.parsed.rows += 1
        if problem and not self.warned_numeric_id:
            # Once per list: every ID of a column Excel holds as numbers shares the problem.
            self.warned_numeric_id = True
            self.issue(number, "child_id", value, problem + NUMERIC_IDS_NOTE, "warning")
        if child_id in self.seen:
            self.issue(
                number,
                "child_id",
                value,
                "This child is listed twice in this list; the later row adds to the earlier one.",
                "warning",
            )
        self.seen.add(child_id)
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
        self._merge(child_id, number, fields, team, worker, is_open, ended_on)

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

    def _merge(
        self,
        child_id: str,
        number: int,
        fields: dict[str, Any],
        team: str,
        worker: str,
        is_open: bool,
        ended_on: Any,
    ) -> None:
        records = self.parsed.records
        record = records.get(child_id)
        if record is None:
            record = CaseRecord(la_child_id=child_id, cohort=self.cohort, sheet=self.sheet)
            record.row = number
            record.is_open = is_open
            records[child_id] = record
        else:
            # The more specific list decides the cohort, as long as the child is still on it.
            if is_open and not record.is_open:
                record.cohort = self.cohort
                record.is_open = True
                record.fields.pop("closed_on", None)
            elif is_open == record.is_open:
                record.cohort = more_specific(record.cohort, self.cohort)
        record.lists.add(self.spec.number)
        for key, value in fields.items():
            current = record.fields.get(key)
            if current is None or (_is_date(value) and value > current):
                record.fields[key] = value
        if not record.is_open and ended_on is not None:
            current_end = record.fields.get("closed_on")
            if current_end is None or ended_on > current_end:
                record.fields["closed_on"] = ended_on
        if team:
            record.team_name = team
        if worker:
            record.worker_name = worker
            record.sheet, record.row = self.sheet, number


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
    return not value or bool(_POSTCODE.match(value))


def _is_date(value: Any) -> bool:
    return hasattr(value, "toordinal")
