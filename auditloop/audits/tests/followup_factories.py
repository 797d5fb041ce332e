"""Audits, flags and actions in a given state, for the follow-up tests (flags, actions,
feedback, home page). Built straight in the database so each test starts where it needs to."""

from __future__ import annotations

import datetime

from django.utils import timezone

from auditloop.accounts.models import StaffMember, User
from auditloop.audits.models import (
    Action,
    ActionStatus,
    Answer,
    Audit,
    AuditStatus,
    AuditType,
    Escalation,
)
from auditloop.testing import Personas


def user_of(staff: StaffMember) -> User:
    assert staff.user is not None
    return staff.user


def make_audit(
    p: Personas,
    *,
    status: AuditStatus = AuditStatus.IN_PROGRESS,
    auditor: StaffMember | None = None,
    audit_type: AuditType = AuditType.DIP_SAMPLE,
    due_date: datetime.date | None = None,
    return_reason: str = "",
) -> Audit:
    submitted = status in {AuditStatus.SUBMITTED, AuditStatus.COMPLETED}
    return Audit.objects.create(
        case=p.case,
        tool_version=p.compliance_tool,
        audit_type=audit_type,
        status=status,
        auditor=auditor or p.auditor,
        practitioner=p.practitioner,
        team=p.north_a,
        due_date=due_date,
        return_reason=return_reason,
        submitted_at=timezone.now() if submitted else None,
    )


def make_answer(audit: Audit) -> Answer:
    question = audit.tool_version.sections.first().questions.first()  # type: ignore[union-attr]
    assert question is not None
    return Answer.objects.create(audit=audit, question=question, compliance="no", evidence="x")


def make_escalation(p: Personas, audit: Audit | None = None) -> Escalation:
    audit = audit or make_audit(p)
    return Escalation.objects.create(audit=audit, raised_by=audit.auditor, reason="No visit.")


def make_action(
    p: Personas,
    *,
    audit: Audit | None = None,
    owner: StaffMember | None = None,
    due_date: datetime.date | None = None,
    status: ActionStatus = ActionStatus.OPEN,
    created_by: StaffMember | None = None,
) -> Action:
    audit = audit or make_audit(p, status=AuditStatus.SUBMITTED)
    creator = created_by or audit.auditor
    return Action.objects.create(
        audit=audit,
        description="Visit the child and see them alone.",
        owner=owner or p.practitioner,
        due_date=due_date or timezone.localdate() + datetime.timedelta(days=14),
        status=status,
        created_by=creator.user,
    )
