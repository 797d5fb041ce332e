"""The staff list CSV: name, email, SWE number, team, service, role, manager, dates."""

from __future__ import annotations

import csv
import io
import re
from typing import Protocol

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from auditloop.accounts.models import Role
from auditloop.imports.parsers.base import (
    FileRejected,
    Issue,
    IssueLog,
    ParsedStaff,
    Progress,
    StaffRow,
    csv_rows,
    decode_csv,
    no_progress,
)
from auditloop.imports.values import parse_date, text

COLUMNS = (
    "name",
    "email",
    "swe_number",
    "team",
    "service",
    "role",
    "manager_email",
    "start_date",
    "end_date",
)
REQUIRED = ("name", "email", "role")
# Roles as the staff list spells them, and the labels people type instead.
ROLES: dict[str, str] = {r.value: r.value for r in Role}
ROLES |= {r.label.casefold(): r.value for r in Role}
ROLES |= {
    "social worker": Role.PRACTITIONER,
    "team manager": Role.TEAM_MANAGER,
    "qa officer": Role.AUDITOR,
    "audit lead": Role.MODERATOR,
    "senior leader": Role.SENIOR_LEADER,
    "head of service": Role.SENIOR_LEADER,
    "board member": Role.BOARD_MEMBER,
    "dpo": Role.DATA_PROTECTION,
    "data protection": Role.DATA_PROTECTION,
}
_SWE = re.compile(r"^SW\d{1,10}$", re.IGNORECASE)


def _header_key(value: str) -> str:
    return re.sub(r"[\s-]+", "_", value.replace("\xa0", " ").strip().casefold())


def template_csv() -> str:
    """The staff list template: the header row and one example row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerow(
        [
            "Sam Example",
            "sam.example@council.example",
            "SW123456",
            "Assessment Team 1",
            "Children's Social Care North",
            "practitioner",
            "manager@council.example",
            "01/04/2024",
            "",
        ]
    )
    return out.getvalue()


def parse_staff(content: bytes, *, name: str, progress: Progress = no_progress) -> ParsedStaff:
    """Read a staff list. Raises FileRejected when it cannot be read at all."""
    decoded = decode_csv(content, name=name)
    reader = csv_rows(decoded, name=name, progress=progress)
    header = [_header_key(h) for h in next(reader, (1, []))[1]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise FileRejected(
            f"{name} is not a staff list: its first row must name the columns "
            f"{', '.join(COLUMNS)}; {', '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} missing. Download the template and copy "
            "your list into it."
        )
    parsed = ParsedStaff(rows=[], issues=IssueLog(), found=["staff list"])
    for column in header:
        if column and column not in COLUMNS:
            parsed.issues.append(
                Issue(
                    name,
                    1,
                    column,
                    "",
                    f"Column '{column}' is not part of the staff list, so it was ignored.",
                    "warning",
                )
            )
    seen: set[str] = set()
    for number, cells in reader:
        row = {k: text(v) for k, v in zip(header, cells, strict=False)}
        if not any(row.values()):
            continue
        staff = _row(row, number, name, parsed, seen)
        if staff is not None:
            parsed.rows.append(staff)
    progress(1.0)
    return parsed


class _Report(Protocol):
    """Reports a problem with the row being read, at a column."""

    def __call__(self, column: str, message: str, severity: str = "warning") -> None: ...


def _row(
    row: dict[str, str], number: int, name: str, parsed: ParsedStaff, seen: set[str]
) -> StaffRow | None:
    def issue(column: str, message: str, severity: str = "warning") -> None:
        parsed.issues.append(Issue(name, number, column, row.get(column, ""), message, severity))

    person = row.get("name", "")
    email = row.get("email", "").casefold()
    role = _role_if_importable(row, person, email, seen, issue)
    if role is None:
        return None
    swe = row.get("swe_number", "").upper().replace(" ", "")
    if swe and not _SWE.match(swe):
        issue(
            "swe_number",
            "A Social Work England number looks like SW123456; it was kept as written.",
        )
    team, service = row.get("team", ""), row.get("service", "")
    if team and not service:
        issue("service", "A team needs its service; the team was left blank for this person.")
        team = ""
    manager = _manager_email(row, issue)
    start, problem = parse_date(row.get("start_date", ""))
    if problem:
        issue("start_date", problem)
    end, problem = parse_date(row.get("end_date", ""))
    if problem:
        issue("end_date", problem)
    return StaffRow(
        name=person[:150],
        email=email,
        swe_number=swe[:20],
        team=team[:120],
        service=service[:120],
        role=role,
        manager_email=manager,
        start_date=start,
        end_date=end,
        row=number,
    )


def _role_if_importable(
    row: dict[str, str], person: str, email: str, seen: set[str], issue: _Report
) -> str | None:
    """The row's role, or None (with an error) when the row cannot be imported: no name, no
    valid email, an email already seen, or no role we know. A new email is added to `seen`."""
    if not person:
        issue("name", "The name is missing, so this row was not imported.", "error")
        return None
    try:
        validate_email(email)
    except ValidationError:
        issue("email", "This is not an email address, so this row was not imported.", "error")
        return None
    if email in seen:
        issue(
            "email", "This email address is on an earlier row; this row was not imported.", "error"
        )
        return None
    seen.add(email)
    role = ROLES.get(row.get("role", "").casefold().replace("-", "_"))
    if role is None:
        role = ROLES.get(row.get("role", "").casefold())
    if role is None:
        issue(
            "role",
            "This is not one of the roles (practitioner, team_manager, auditor, "
            "moderator, senior_leader, board_member, administrator), so this row was not "
            "imported.",
            "error",
        )
    return role


def _manager_email(row: dict[str, str], issue: _Report) -> str:
    """The manager's email, or "" (with a warning) when it is not an email address."""
    manager = row.get("manager_email", "").casefold()
    if manager:
        try:
            validate_email(manager)
        except ValidationError:
            issue("manager_email", "This is not an email address; no manager was set.")
            manager = ""
    return manager
