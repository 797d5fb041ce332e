"""Moderation meetings for tests, recorded through the same service as the page."""

from __future__ import annotations

import datetime

from django.utils import timezone

from auditloop.accounts.models import StaffMember
from auditloop.assurance.models import MeetingKind, MeetingOutcome, ModerationMeeting
from auditloop.assurance.services.meetings import ItemInput, meeting_record
from auditloop.audits.models import Audit, AuditStatus, Grade
from auditloop.audits.tests.followup_factories import make_audit
from auditloop.testing import Personas


def submitted_audit(p: Personas) -> Audit:
    """A submitted audit of the personas' case by the senior leader: the auditor persona may
    not read it."""
    return make_audit(p, status=AuditStatus.SUBMITTED, auditor=p.senior_leader)


def audit_group_meeting(
    p: Personas,
    audits: list[Audit] | None = None,
    *,
    attendees: list[StaffMember] | None = None,
) -> ModerationMeeting:
    """The moderator's record of last week's audit group, which the auditor attended."""
    return meeting_record(
        by=p.moderator,
        kind=MeetingKind.AUDIT_GROUP,
        service=None,
        held_on=timezone.localdate() - datetime.timedelta(days=7),
        attendees=attendees if attendees is not None else [p.moderator, p.auditor],
        items=[
            ItemInput(audit=a, outcome=MeetingOutcome.GRADE_CONFIRMED, notes="Evidence holds.")
            for a in (audits if audits is not None else [submitted_audit(p)])
        ],
        learning="Auditors read the chronology before the plan.",
    )


def with_agreed_grade(audit: Audit, *, given: str = "good", agreed: str | None) -> Audit:
    """`audit` graded `given` overall by its auditor and, when `agreed` is a code, with that
    grade agreed at moderation (set directly: moderation itself is tested with moderation)."""
    scale = audit.tool_version.grading_scale
    Audit.objects.filter(pk=audit.pk).update(
        overall_grade=Grade.objects.get(scale=scale, code=given),
        agreed_overall_grade=(
            Grade.objects.get(scale=scale, code=agreed) if agreed is not None else None
        ),
    )
    audit.refresh_from_db()
    return audit
