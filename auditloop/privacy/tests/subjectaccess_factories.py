"""A child's audit with something in every part of it, for the subject access tests."""

from __future__ import annotations

import datetime

from auditloop.audits.models import (
    Action,
    Answer,
    Audit,
    AuditStatus,
    AuditType,
    Escalation,
    FeedbackReply,
    Grade,
    Question,
)
from auditloop.cases.models import ChildCase
from auditloop.learning.models import LearningPoint, LearningPointKind
from auditloop.testing import Personas

# A family member named in an audit's text: a third party, redacted in the child's export.
MOTHER = "Sharon Whitfield"
STRENGTHS = (
    f"Pat Practitioner saw the child alone. His mother {MOTHER} was not at home; "
    "the worker visited again."
)
WORRIED = "Contact with his brother Kayden has stopped since the move."
REPLY = "Thank you: I have booked the next visit with Mary Manager."
LEARNING = "Seeing the child alone early made the difference."


def audit_in_full(p: Personas, *, case: ChildCase | None = None) -> Audit:
    """A submitted dip sample of `case` (the practitioner's) with an answer, an action, a
    flag, a reply and a learning point."""
    case = case or p.case
    audit = Audit.objects.create(
        case=case,
        tool_version=p.compliance_tool,
        audit_type=AuditType.DIP_SAMPLE,
        status=AuditStatus.SUBMITTED,
        auditor=p.auditor,
        practitioner=case.allocated_worker,
        team=case.allocated_team,
        strengths=STRENGTHS,
        areas_for_development="Record the plan's review dates.",
        overall_grade=Grade.objects.get(scale=p.compliance_tool.grading_scale, code="good"),
    )
    question = Question.objects.filter(section__version=p.compliance_tool).order_by("pk")[0]
    Answer.objects.create(audit=audit, question=question, compliance="no", worried_about=WORRIED)
    Action.objects.create(
        audit=audit,
        description="Book a visit within ten days.",
        owner=p.practitioner,
        due_date=datetime.date(2026, 12, 10),
    )
    Escalation.objects.create(audit=audit, raised_by=p.auditor, reason="No visit for 12 weeks.")
    FeedbackReply.objects.create(audit=audit, author=p.practitioner, text=REPLY)
    LearningPoint.objects.create(
        audit=audit, kind=LearningPointKind.GOOD_PRACTICE, text=LEARNING, author=p.auditor
    )
    return audit
