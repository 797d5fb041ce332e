"""Making an inspection pack: the file (an xlsx workbook, or one of its tables as CSV), the
access-log reads of the audits it names (with their cases' IDs), and one event that it was
made (its period, format and size, never its content).

Every text cell is made safe to open in a spreadsheet (`neutralise`: text that would run as a
formula gets a leading apostrophe, as the import problem exports do); counts are numbers,
shares are fractions shown as percentages, dates are dates.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from auditloop.accounts.models import StaffMember, actor_login
from auditloop.core.accesslog import Purpose, access_shown
from auditloop.core.events import event_record
from auditloop.imports.values import neutralise
from auditloop.reports.access.inspection_pack import pack_service_ids
from auditloop.reports.rules.inspection_pack import PackFormat, pack_filename
from auditloop.reports.selectors.inspection_pack import (
    ActionLine,
    AuditLine,
    InspectionPack,
    SummaryLine,
    inspection_pack,
)

DATE_FORMAT = "dd/mm/yyyy"
DATE_TIME_FORMAT = "dd/mm/yyyy hh:mm"
SHARE_FORMAT = "0.0%"

Value = str | int | float | datetime.date | datetime.datetime | None

AUDIT_COLUMNS: list[tuple[str, int]] = [
    ("Audit reference", 12),
    ("Case reference (LA child ID)", 16),
    ("Audit type", 12),
    ("Theme (thematic audits)", 18),
    ("Audit tool", 28),
    ("Service", 18),
    ("Team", 18),
    ("Started", 11),
    ("Deep-dive meeting", 11),
    ("Submitted", 11),
    ("Completed", 11),
    ("Status", 11),
    ("Auditor's overall grade", 18),
    ("Agreed overall grade (moderation)", 18),
    ("Overall grade that counts", 18),
    ("Moderated", 10),
    ("Moderation status", 22),
    ("Actions", 8),
    ("Actions open", 8),
    ("Actions open and overdue", 8),
    ("Actions waiting for sign-off", 8),
    ("Actions done", 8),
    ("Actions cancelled", 8),
    ("Unsafe-child flags", 8),
    ("Revisit of audit", 12),
    ("Revisit outcome", 22),
    ("Revisit due", 11),
]

ACTION_COLUMNS: list[tuple[str, int]] = [
    ("Audit reference", 12),
    ("Finding", 16),
    ("Status", 20),
    ("Due", 11),
    ("Overdue", 9),
    ("Marked done", 11),
    ("Signed off", 11),
    ("Cancelled", 11),
    ("Owner's role", 24),
    ("Owner's team", 18),
]

SUMMARY_COLUMNS: list[tuple[str, int]] = [("Section", 26), ("Figure", 60), ("Value", 40)]


def _yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def audit_values(line: AuditLine) -> list[Value]:
    return [
        line.reference,
        line.case_reference,
        line.audit_type,
        line.theme,
        line.tool,
        line.service,
        line.team,
        line.started_on,
        line.meeting_on,
        line.submitted_on,
        line.completed_on,
        line.status,
        line.auditor_grade,
        line.agreed_grade,
        line.grade_counted,
        _yes_no(line.moderated),
        line.moderation_status,
        line.actions,
        line.actions_open,
        line.actions_overdue,
        line.actions_waiting,
        line.actions_done,
        line.actions_cancelled,
        line.flags,
        line.revisit_of,
        line.revisit_outcome,
        line.revisit_due_on,
    ]


def action_values(line: ActionLine) -> list[Value]:
    return [
        line.audit_reference,
        line.finding,
        line.status,
        line.due_on,
        _yes_no(line.overdue),
        line.marked_done_on,
        line.signed_off_on,
        line.cancelled_on,
        line.owner_role,
        line.owner_team,
    ]


def _safe(value: Value) -> Value:
    return neutralise(value) if isinstance(value, str) else value


# xlsx ----------------------------------------------------------------------------------------


def _sheet(workbook: Workbook, title: str, columns: list[tuple[str, int]]) -> WriteOnlyWorksheet:
    sheet: WriteOnlyWorksheet = workbook.create_sheet(title)
    for index, (_, width) in enumerate(columns):
        # Write-only sheets take column widths before their rows; the stubs do not know it.
        sheet.column_dimensions[_letter(index)].width = width  # type: ignore[attr-defined]
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    heading = []
    for name, _ in columns:
        cell = WriteOnlyCell(sheet, value=neutralise(name))
        cell.font = bold
        heading.append(cell)
    sheet.append(heading)
    return sheet


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _cell(sheet: WriteOnlyWorksheet, value: Value, *, is_share: bool = False) -> Any:
    """A cell of the right kind: dates as dates (shown as days), shares as percentages."""
    if isinstance(value, datetime.datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_TIME_FORMAT
        return cell
    if isinstance(value, datetime.date):
        # A date is written as the day's midnight: a date cell, shown as the day.
        cell = WriteOnlyCell(sheet, value=datetime.datetime.combine(value, datetime.time.min))
        cell.number_format = DATE_FORMAT
        return cell
    if is_share and isinstance(value, float):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = SHARE_FORMAT
        return cell
    return _safe(value)


def _summary_value(line: SummaryLine) -> Value:
    if line.value is None:
        return "No audits to count"
    return line.value


def pack_xlsx(pack: InspectionPack) -> bytes:
    """One workbook: Summary, Audits and Actions sheets, written row by row (write-only)."""
    workbook = Workbook(write_only=True)
    summary = _sheet(workbook, "Summary", SUMMARY_COLUMNS)
    for line in pack.summary:
        summary.append(
            [
                _safe(line.section),
                _safe(line.label),
                _cell(summary, _summary_value(line), is_share=line.is_share),
            ]
        )
    audits = _sheet(workbook, "Audits", AUDIT_COLUMNS)
    for audit in pack.audits:
        audits.append([_cell(audits, value) for value in audit_values(audit)])
    actions = _sheet(workbook, "Actions", ACTION_COLUMNS)
    for action in pack.actions:
        actions.append([_cell(actions, value) for value in action_values(action)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# CSV -----------------------------------------------------------------------------------------


def _csv_value(value: Value, *, is_share: bool = False) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if is_share and isinstance(value, float):
        return round(100 * value, 1)
    if isinstance(value, str):
        return neutralise(value)
    return value


def _csv_lines(pack: InspectionPack, fmt: PackFormat) -> Iterator[Sequence[str | int | float]]:
    if fmt == PackFormat.AUDITS_CSV:
        yield [neutralise(name) for name, _ in AUDIT_COLUMNS]
        for audit in pack.audits:
            yield [_csv_value(value) for value in audit_values(audit)]
    elif fmt == PackFormat.ACTIONS_CSV:
        yield [neutralise(name) for name, _ in ACTION_COLUMNS]
        for action in pack.actions:
            yield [_csv_value(value) for value in action_values(action)]
    else:
        yield [neutralise(name) for name, _ in SUMMARY_COLUMNS]
        for line in pack.summary:
            label = f"{line.label} (%)" if line.is_share else line.label
            yield [
                neutralise(line.section),
                neutralise(label),
                _csv_value(_summary_value(line), is_share=line.is_share),
            ]


def pack_csv(pack: InspectionPack, fmt: PackFormat) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(_csv_lines(pack, fmt))
    # A byte-order mark so that Excel reads the file as UTF-8.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# The service ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PackFile:
    filename: str
    content_type: str
    content: bytes
    audits: int


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@transaction.atomic
def inspection_pack_make(
    *,
    by: StaffMember,
    starts_on: datetime.date,
    ends_on: datetime.date,
    fmt: PackFormat,
) -> PackFile:
    """The pack `by` may make for the period, in `fmt`. The audits a file names (the workbook
    and the audits CSV with their cases' IDs; the actions CSV, those with an action) are
    logged as read by `by` for the inspection pack, each once; the summary alone names no
    audit, so it logs no read. One event says that a pack was made: its
    period, format and the number of audits, never what it holds."""
    pack = inspection_pack(
        by, service_ids=pack_service_ids(by), starts_on=starts_on, ends_on=ends_on
    )
    if fmt == PackFormat.XLSX:
        content, content_type = pack_xlsx(pack), XLSX_TYPE
    else:
        content, content_type = pack_csv(pack, fmt), "text/csv; charset=utf-8"
    login = actor_login(by)
    named = pack.audits_named(with_actions_only=fmt == PackFormat.ACTIONS_CSV)
    if fmt.names_audits and named:
        access_shown(user=login, targets=named, purpose=Purpose.INSPECTION_PACK)
    event_record(
        actor=login,
        verb="inspection_pack.made",
        target=by,
        summary=(
            f"Inspection pack made ({fmt.value}) for {starts_on:%-d %B %Y} to "
            f"{ends_on:%-d %B %Y}: {len(pack.audits)} audits."
        ),
        after={
            "from": starts_on.isoformat(),
            "to": ends_on.isoformat(),
            "format": fmt.value,
            "audits": len(pack.audits),
            "actions": len(pack.actions),
        },
    )
    return PackFile(
        filename=pack_filename(starts_on, ends_on, fmt),
        content_type=content_type,
        content=content,
        audits=len(pack.audits),
    )
