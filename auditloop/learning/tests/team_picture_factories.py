"""Audits that count for the team picture's tests, built straight in the database in the state
each test needs: submitted, in a cycle, with the grades and checks given."""

from __future__ import annotations

import datetime
import itertools

from django.utils import timezone

from auditloop.accounts.models import Role, StaffMember, Team
from auditloop.audits.models import (
    Answer,
    Audit,
    AuditStatus,
    AuditType,
    ComplianceAnswer,
    Grade,
    Question,
    QuestionKind,
    ToolVersion,
)
from auditloop.sampling.models import Cycle, CycleAudit
from auditloop.testing import Personas, make_staff

_numbers = itertools.count(1)


def team_workers(p: Personas, team: Team) -> list[StaffMember]:
    """Three practitioners of the team (the personas' practitioner first, in North A), made
    once, whose cases the team's audits take in turn."""
    workers = list(StaffMember.objects.filter(team=team, role=Role.PRACTITIONER).order_by("pk")[:3])
    while len(workers) < 3:
        n = next(_numbers)
        workers.append(
            make_staff(
                f"worker{n}", f"Worker Number{n}", Role.PRACTITIONER, team, manager=p.team_manager
            )
        )
    return workers


def cycle_of(p: Personas, name: str, starts_on: datetime.date) -> Cycle:
    cycle = Cycle.objects.create(
        name=name, starts_on=starts_on, ends_on=starts_on + datetime.timedelta(days=181)
    )
    cycle.services.set([p.north, p.south])
    return cycle


def grade(tool: ToolVersion, code: str) -> Grade:
    return Grade.objects.get(scale=tool.grading_scale, code=code)


def counted_audit(
    p: Personas,
    cycle: Cycle,
    *,
    team: Team | None = None,
    practitioner: StaffMember | None = None,
    tool: ToolVersion | None = None,
    overall: str = "good",
    domains: str = "good",
    compliance: str = ComplianceAnswer.YES,
    status: str = AuditStatus.SUBMITTED,
    audit_type: str = AuditType.DEEP_DIVE,
) -> Audit:
    """A submitted audit of the team's in the cycle: every graded question `domains`, every
    compliance check `compliance`, overall `overall`; of a case of each of three of the team's
    practitioners in turn, unless one is given."""
    tool = tool or p.quality_tool
    team = team or p.north_a
    if practitioner is None:
        workers = team_workers(p, team)
        practitioner = workers[Audit.objects.filter(team=team).count() % len(workers)]
    audit = Audit.objects.create(
        case=p.case,
        tool_version=tool,
        audit_type=audit_type,
        status=status,
        auditor=p.auditor,
        practitioner=practitioner,
        team=team,
        submitted_at=timezone.now() if status != AuditStatus.IN_PROGRESS else None,
        overall_grade=grade(tool, overall),
    )
    for question in Question.objects.filter(section__version=tool):
        if question.kind == QuestionKind.GRADED:
            Answer.objects.create(audit=audit, question=question, grade=grade(tool, domains))
        else:
            Answer.objects.create(audit=audit, question=question, compliance=compliance)
    CycleAudit.objects.create(cycle=cycle, audit=audit, planned_month=cycle.starts_on)
    return audit
