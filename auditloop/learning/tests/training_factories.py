"""Cycles, graded audits and staff for the training tests, written straight to the database."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from auditloop.accounts.models import Role, StaffMember, Team
from auditloop.audits.models import (
    Answer,
    Audit,
    AuditStatus,
    AuditType,
    Grade,
    Question,
    QuestionKind,
)
from auditloop.audits.services.tools import tool_version_draft_create, tool_version_publish
from auditloop.learning.models import LearningPoint, LearningPointKind, Theme
from auditloop.sampling.models import Cycle, CycleAudit
from auditloop.testing import Personas, make_staff

REQUIRES_IMPROVEMENT = 2


def a_cycle(p: Personas, name: str = "April to September") -> Cycle:
    cycle = Cycle.objects.create(
        name=name, starts_on=datetime.date(2026, 4, 1), ends_on=datetime.date(2026, 9, 30)
    )
    cycle.services.set([p.north, p.south])
    return cycle


def quality_questions(p: Personas) -> list[Question]:
    return list(
        Question.objects.filter(section__version=p.quality_tool, kind=QuestionKind.GRADED).order_by(
            "section__order", "order"
        )
    )


def grade(p: Personas, value: int) -> Grade:
    return Grade.objects.get(scale=p.quality_tool.grading_scale, value=value)


def graded_audit(
    p: Personas,
    *,
    cycle: Cycle | None = None,
    team: Team | None = None,
    practitioner: StaffMember | None = None,
    question: Question | None = None,
    value: int = 3,
    agreed: int | None = None,
    overall: int | None = None,
    status: str = AuditStatus.SUBMITTED,
    audit_type: str = AuditType.DEEP_DIVE,
    submitted_at: datetime.datetime | None = None,
    themes: list[Theme] | None = None,
) -> Audit:
    """A quality audit of the personas' case, `question` graded `value` (agreed `agreed`)."""
    shared = status in {AuditStatus.SUBMITTED, AuditStatus.COMPLETED}
    audit = Audit.objects.create(
        case=p.case,
        tool_version=p.quality_tool,
        audit_type=audit_type,
        status=status,
        auditor=p.auditor,
        practitioner=practitioner or p.practitioner,
        team=team or p.north_a,
        overall_grade=grade(p, overall) if overall else None,
        submitted_at=(submitted_at or timezone.now()) if shared else None,
    )
    if cycle is not None:
        CycleAudit.objects.create(cycle=cycle, audit=audit, planned_month=cycle.starts_on)
    if question is not None:
        Answer.objects.create(
            audit=audit,
            question=question,
            grade=grade(p, value),
            agreed_grade=grade(p, agreed) if agreed else None,
        )
    for theme in themes or []:
        point = LearningPoint.objects.create(
            audit=audit, kind=LearningPointKind.CONCERN, text="A note.", author=p.auditor
        )
        point.themes.add(theme)
    return audit


def practitioners(team: Team, n: int, prefix: str, manager: Any = None) -> list[StaffMember]:
    return [
        make_staff(
            f"{prefix}{i}", f"{prefix.title()} Worker {i}", Role.PRACTITIONER, team, manager=manager
        )
        for i in range(n)
    ]


def same_question_in_a_new_version(p: Personas, question: Question) -> Question:
    """The same question (tool and code) in a newly published version of its tool: a new row."""
    draft = tool_version_draft_create(tool=p.quality_tool.tool, by=None)
    tool_version_publish(version=draft, by=None, change_note="Reworded the guidance.")
    return Question.objects.get(section__version=draft, code=question.code)
