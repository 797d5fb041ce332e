"""A council of known audits for the inspection pack's tests, and the form's POST."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from auditloop.assurance.models import Moderation, ModerationReason, ModerationStatus
from auditloop.audits.models import (
    Action,
    ActionStatus,
    Audit,
    AuditStatus,
    AuditType,
    Escalation,
    Grade,
)
from auditloop.testing import Personas

DAY = datetime.timedelta(days=1)


def grade(p: Personas, code: str) -> Grade:
    return Grade.objects.get(scale=p.compliance_tool.grading_scale, code=code)


def audit_of(
    p: Personas,
    *,
    overall: str | None = "good",
    agreed: str | None = None,
    status: AuditStatus = AuditStatus.SUBMITTED,
    audit_type: AuditType = AuditType.DIP_SAMPLE,
    days_ago: int = 3,
    revisit_of: Audit | None = None,
    team: Any = None,
    due_date: datetime.date | None = None,
) -> Audit:
    """An audit of the practitioner's case (North A), submitted `days_ago` (None if a draft)."""
    shared = status in {AuditStatus.SUBMITTED, AuditStatus.COMPLETED}
    submitted = timezone.now() - days_ago * DAY if shared else None
    return Audit.objects.create(
        case=p.case if team is None else p.outsider_case,
        tool_version=p.compliance_tool,
        audit_type=audit_type,
        status=status,
        auditor=p.auditor,
        practitioner=p.practitioner if team is None else p.outsider,
        team=team or p.north_a,
        revisit_of=revisit_of,
        due_date=due_date,
        started_at=(submitted or timezone.now()) - 2 * DAY,
        submitted_at=submitted,
        completed_at=submitted + DAY if status == AuditStatus.COMPLETED and submitted else None,
        overall_grade=grade(p, overall) if overall else None,
        agreed_overall_grade=grade(p, agreed) if agreed else None,
    )


def action_of(
    p: Personas, audit: Audit, *, status: ActionStatus, due_in: int, owner: Any = None
) -> Action:
    now = timezone.now()
    return Action.objects.create(
        audit=audit,
        description="Visit Jayden Smith at home and see him alone.",
        owner=owner or p.practitioner,
        due_date=timezone.localdate() + due_in * DAY,
        status=status,
        completed_at=now if status in {ActionStatus.COMPLETED, ActionStatus.CLOSED} else None,
        signed_off_at=now if status == ActionStatus.CLOSED else None,
        signed_off_by=p.team_manager if status == ActionStatus.CLOSED else None,
    )


@dataclass
class PackCouncil:
    moderated: Audit  # Good, agreed Requires improvement at moderation; three actions
    improved: Audit  # Inadequate, revisited and now Good
    revisit: Audit  # the revisit of `improved`, itself in the pack
    due: Audit  # Inadequate, its revisit planned and not yet done
    unrevisited: Audit  # Inadequate, no revisit scheduled
    completed: Audit  # a deep dive, Outstanding, completed
    calibration: Audit  # an exercise: never in the pack
    draft: Audit  # in progress: never in the pack
    too_early: Audit  # submitted before the period
    south: Audit  # in a service the North lead does not oversee


def pack_council(p: Personas) -> PackCouncil:
    moderated = audit_of(p, overall="good", agreed="requires_improvement")
    Moderation.objects.create(
        audit=moderated,
        reason=ModerationReason.RANDOM,
        status=ModerationStatus.AGREED,
        moderator=p.senior_leader,
        regraded_at=timezone.now(),
        agreed_at=timezone.now(),
    )
    action_of(p, moderated, status=ActionStatus.OPEN, due_in=-5)
    action_of(p, moderated, status=ActionStatus.CLOSED, due_in=-10, owner=p.team_manager)
    action_of(p, moderated, status=ActionStatus.COMPLETED, due_in=4)
    improved = audit_of(p, overall="inadequate", days_ago=20)
    Escalation.objects.create(audit=improved, raised_by=p.auditor, reason="Not seen for weeks.")
    revisit = audit_of(p, overall="good", audit_type=AuditType.REVISIT, revisit_of=improved)
    due = audit_of(p, overall="inadequate", days_ago=10)
    audit_of(
        p,
        overall=None,
        status=AuditStatus.PLANNED,
        audit_type=AuditType.REVISIT,
        revisit_of=due,
        due_date=timezone.localdate() + 30 * DAY,
    )
    unrevisited = audit_of(p, overall="inadequate", days_ago=5)
    completed = audit_of(
        p, overall="outstanding", status=AuditStatus.COMPLETED, audit_type=AuditType.DEEP_DIVE
    )
    calibration = audit_of(p, overall="good", audit_type=AuditType.CALIBRATION)
    draft = audit_of(p, overall="good", status=AuditStatus.IN_PROGRESS)
    too_early = audit_of(p, overall="good", days_ago=200)
    south = audit_of(p, overall="good", team=p.south_a)
    return PackCouncil(
        moderated=moderated,
        improved=improved,
        revisit=revisit,
        due=due,
        unrevisited=unrevisited,
        completed=completed,
        calibration=calibration,
        draft=draft,
        too_early=too_early,
        south=south,
    )


def pack_form(
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    fmt: str = "xlsx",
) -> dict[str, str]:
    """The form's fields for a period (by default the last 90 days)."""
    today = timezone.localdate()
    starts_on = starts_on or today - 90 * DAY
    ends_on = ends_on or today
    return {
        "starts_on-day": str(starts_on.day),
        "starts_on-month": str(starts_on.month),
        "starts_on-year": str(starts_on.year),
        "ends_on-day": str(ends_on.day),
        "ends_on-month": str(ends_on.month),
        "ends_on-year": str(ends_on.year),
        "fmt": fmt,
    }


def post_pack(client: Client, **kwargs: Any) -> Any:
    return client.post(reverse("reports:inspection_pack"), pack_form(**kwargs))


def sheets_of(content: bytes) -> dict[str, list[tuple[Any, ...]]]:
    """Every sheet of a workbook, as rows of values (headings first)."""
    workbook = load_workbook(io.BytesIO(content))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in workbook.worksheets}


def rows_by(sheet: list[tuple[Any, ...]], column: str) -> dict[Any, dict[str, Any]]:
    """A sheet's rows as dicts by heading, keyed by one column's value."""
    heading = [str(h) for h in sheet[0]]
    rows = [dict(zip(heading, row, strict=True)) for row in sheet[1:]]
    return {row[column]: row for row in rows}
