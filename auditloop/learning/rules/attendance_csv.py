"""Reading a training event's attendance CSV. Pure: no database (the service matches people).

Columns (the header row names them; case, spaces and dashes do not matter):

- `email`, `name`, `swe_number`: who, at least one of them (an email is matched first, then a
  Social Work England number, then a name that matches one member of staff only);
- `attended`: yes or no (blank means yes); "no" takes the person off the register;
- `event_date`, `event_title`: optional; when given they must be this event's, so that a
  register for another session is not imported here by mistake.

Each problem names the file, row, column and value and says what to do (the imports' `Issue`);
a file with any error is not imported at all.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from auditloop.imports.parsers.base import FileRejected, Issue, IssueLog, csv_rows, decode_csv
from auditloop.imports.values import normalise_name, parse_date, text

COLUMNS = ("email", "name", "swe_number", "attended", "event_date", "event_title")
WHO = ("email", "name", "swe_number")
# Headers people write instead.
SYNONYMS = {
    "staff_email": "email",
    "email_address": "email",
    "staff_name": "name",
    "full_name": "name",
    "swe": "swe_number",
    "swe_no": "swe_number",
    "social_work_england_number": "swe_number",
    "date": "event_date",
    "title": "event_title",
    "event": "event_title",
    "present": "attended",
}
YES = frozenset({"yes", "y", "true", "1", "attended", "present", "x"})
NO = frozenset({"no", "n", "false", "0", "absent", "did not attend", "dna"})
_SWE = re.compile(r"^SW\d{1,10}$", re.IGNORECASE)


@dataclass(frozen=True)
class AttendanceRow:
    row: int
    email: str
    name: str
    swe_number: str
    attended: bool

    @property
    def key(self) -> str:
        """Who the row names, for spotting the same person twice."""
        return self.email or self.swe_number or normalise_name(self.name)


@dataclass
class ParsedAttendance:
    rows: list[AttendanceRow]
    issues: IssueLog


def header_key(value: str) -> str:
    key = re.sub(r"[\s-]+", "_", value.replace("\xa0", " ").strip().casefold())
    return SYNONYMS.get(key, key)


def template_csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerow(["sam.example@council.example", "Sam Example", "SW123456", "yes", "", ""])
    return out.getvalue()


def parse_attendance(
    content: bytes, *, name: str, held_on: datetime.date, title: str
) -> ParsedAttendance:
    """Read an attendance register for the event held on `held_on` called `title`. Raises
    FileRejected when the file cannot be read at all (not UTF-8, empty, no column naming who)."""
    reader = csv_rows(decode_csv(content, name=name), name=name)
    header = [header_key(h) for h in next(reader, (1, []))[1]]
    if not any(c in header for c in WHO):
        raise FileRejected(
            f"{name} is not an attendance register: its first row must name the columns "
            f"{', '.join(COLUMNS)}, with at least one of email, name or swe_number to say who "
            "attended. Download the template and copy the register into it."
        )
    parsed = ParsedAttendance(rows=[], issues=IssueLog())
    for column in header:
        if column and column not in COLUMNS:
            parsed.issues.append(
                Issue(
                    name,
                    1,
                    column,
                    "",
                    f"Column '{column}' is not part of the attendance register, so it was ignored.",
                )
            )
    seen: dict[str, AttendanceRow] = {}
    any_row = False
    for number, cells in reader:
        row = {k: text(v) for k, v in zip(header, cells, strict=False)}
        if not any(row.values()):
            continue
        any_row = True
        read = _row(row, number, name, parsed.issues, held_on=held_on, title=title)
        if read is None:
            continue
        earlier = seen.get(read.key)
        if earlier is not None:
            _duplicate(read, earlier, name, parsed.issues, row)
            continue
        seen[read.key] = read
        parsed.rows.append(read)
    if not any_row:
        raise FileRejected(
            f"{name} has its header row but no one on it. Add a row for each person who "
            "attended and upload it again."
        )
    return parsed


def _duplicate(
    read: AttendanceRow,
    earlier: AttendanceRow,
    name: str,
    issues: IssueLog,
    row: dict[str, str],
) -> None:
    column = "email" if read.email else "swe_number" if read.swe_number else "name"
    if read.attended == earlier.attended:
        issues.append(
            Issue(
                name,
                read.row,
                column,
                row.get(column, ""),
                f"This person is already on row {earlier.row}; this row was ignored.",
            )
        )
    else:
        issues.append(
            Issue(
                name,
                read.row,
                "attended",
                row.get("attended", ""),
                f"This person is on row {earlier.row} too, with the other answer to "
                "'attended'. Keep one row for them, with the right answer, and upload again.",
                "error",
            )
        )


def _row(
    row: dict[str, str],
    number: int,
    name: str,
    issues: IssueLog,
    *,
    held_on: datetime.date,
    title: str,
) -> AttendanceRow | None:
    errors = 0

    def issue(column: str, message: str, severity: str = "error") -> None:
        nonlocal errors
        errors += severity == "error"
        issues.append(Issue(name, number, column, row.get(column, ""), message, severity))

    email = row.get("email", "").casefold()
    person = row.get("name", "")
    swe = row.get("swe_number", "").upper().replace(" ", "")
    if not (email or person or swe):
        issue(
            "email",
            "This row does not say who attended: give their email address, SWE number or name.",
        )
    if email:
        try:
            validate_email(email)
        except ValidationError:
            issue(
                "email",
                "This is not an email address. Correct it, or leave it blank and "
                "give the SWE number or name instead.",
            )
    if swe and not _SWE.match(swe):
        issue("swe_number", "A Social Work England number looks like SW123456. Correct it.")
    attended = row.get("attended", "").casefold()
    if attended and attended not in YES | NO:
        issue("attended", "Write yes or no (blank means yes).")
    when = row.get("event_date", "")
    if when:
        day, problem = parse_date(when)
        if problem:
            issue("event_date", f"{problem} Or leave the column blank.")
        elif day != held_on:
            issue(
                "event_date",
                f"This event was held on {held_on:%d/%m/%Y}, not on this date: this row is "
                "for another session. Import it on that event's page, or correct the date.",
            )
    event_title = row.get("event_title", "")
    if event_title and normalise_name(event_title) != normalise_name(title):
        issue(
            "event_title",
            f"This event is called '{title}': this row is for another one. Import it on that "
            "event's page, or correct the title.",
        )
    if errors:
        return None
    return AttendanceRow(
        row=number, email=email, name=person, swe_number=swe, attended=attended not in NO
    )
