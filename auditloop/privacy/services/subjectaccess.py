"""Answering a subject access request: the export (a zip of a readable PDF and the same data
as JSON), the request recorded as one event, and every audit and case file it holds recorded
as read for subject access.

The zip is made and sent in the response to the request's form, never stored: a copy of a
child's whole record left on the server's disk (or in the database) would need its own
retention, access decision and deletion, for a file the requester downloads at once. Asked
again, the product makes it again, and logs that too."""

from __future__ import annotations

import datetime
import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import CSS, HTML

from auditloop.accounts.models import StaffMember, actor_login
from auditloop.cases.models import ChildCase
from auditloop.core.accesslog import Purpose, access_shown
from auditloop.core.events import event_record
from auditloop.privacy.rules.subjectaccess import (
    SubjectKind,
    document_sections,
    export_filename,
)
from auditloop.privacy.selectors.subjectaccess import (
    child_audits,
    child_export,
    staff_audits,
    staff_export,
)

PDF_VARIANT = "pdf/ua-1"
PDF_TEMPLATE = "privacy/subjectaccess/export_pdf.html"
PDF_STYLESHEET = """
@page {
  size: A4; margin: 18mm 16mm;
  @bottom-right { content: counter(page) " of " counter(pages); font-size: 9pt; }
}
body { font-family: Arial, sans-serif; font-size: 10pt; line-height: 1.35; color: #0b0c0c; }
h1 { font-size: 20pt; margin: 0 0 6mm; }
h2 { font-size: 14pt; margin: 8mm 0 3mm; border-bottom: 1px solid #b1b4b6; padding-bottom: 1mm; }
h3 { font-size: 11pt; margin: 5mm 0 2mm; }
h4 { font-size: 10pt; margin: 4mm 0 1mm; }
table { width: 100%; border-collapse: collapse; margin-bottom: 3mm; }
th, td {
  text-align: left; vertical-align: top; padding: 1mm 2mm; border-bottom: 1px solid #e5e6e7;
}
th { width: 32%; font-weight: bold; }
td { white-space: pre-wrap; }
.nested { margin-left: 5mm; }
"""

ZIP_PDF_NAME = "subject-access.pdf"
ZIP_JSON_NAME = "subject-access.json"


@dataclass(frozen=True)
class SubjectAccessExport:
    filename: str
    content: bytes
    data: dict[str, Any]


def _pdf(data: dict[str, Any], *, title: str) -> bytes:
    html = render_to_string(
        PDF_TEMPLATE,
        {
            "title": title,
            "council": settings.COUNCIL_NAME,
            "data": data,
            "sections": document_sections(data),
        },
    )
    document = HTML(string=html).render(stylesheets=[CSS(string=PDF_STYLESHEET)])
    document.metadata.title = title
    document.metadata.authors = [settings.COUNCIL_NAME]
    document.metadata.generator = "auditloop"
    return bytes(document.write_pdf(pdf_variant=PDF_VARIANT))


def _zip(data: dict[str, Any], *, title: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(ZIP_PDF_NAME, _pdf(data, title=title))
        archive.writestr(
            ZIP_JSON_NAME, json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False)
        )
    return buffer.getvalue()


@transaction.atomic
def subject_access_answer(
    *,
    by: StaffMember,
    case: ChildCase | None = None,
    staff: StaffMember | None = None,
    at: datetime.datetime | None = None,
) -> SubjectAccessExport:
    """Everything held about the child of `case`, or about `staff` (exactly one of them), as a
    zip. Records one event (who asked, for which kind of subject, the case's or staff
    member's public id: never a child's ID) and the reads of every case file and audit the
    export holds (`Purpose.SUBJECT_ACCESS`)."""
    if case is not None and staff is not None:
        raise ValueError("A subject access export is for one child's case or one staff member.")
    login = actor_login(by)
    at = at or timezone.now()
    day = timezone.localdate(at).isoformat()
    if case is not None:
        data = child_export(case=case, by=by, at=at)
        title = "Subject access: a child's records"
        filename = export_filename(kind=SubjectKind.CHILD, public_id=case.public_id.hex, on=day)
        read: list[Any] = [case, *child_audits(case)]
        event_record(
            actor=login,
            verb="subject_access.answered",
            target=case,
            summary="Subject access request for a child: their case file, audits and reads "
            "exported",
            after={"kind": str(SubjectKind.CHILD), "audits": len(data["audits"])},
        )
    elif staff is not None:
        data = staff_export(staff=staff, by=by, at=at)
        title = f"Subject access: {staff.name}"
        filename = export_filename(kind=SubjectKind.STAFF, public_id=staff.public_id.hex, on=day)
        read = staff_audits(staff)
        event_record(
            actor=login,
            verb="subject_access.answered",
            target=staff,
            summary="Subject access request for a member of staff: their record, work and "
            "reads exported",
            after={"kind": str(SubjectKind.STAFF), "audits": len(data["audits"])},
        )
    else:
        raise ValueError("A subject access export needs a child's case or a staff member.")
    content = _zip(data, title=title)
    if read and login is not None:
        access_shown(user=login, targets=read, purpose=Purpose.SUBJECT_ACCESS)
    return SubjectAccessExport(filename=filename, content=content, data=data)
