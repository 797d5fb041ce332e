"""A cycle of North's audits with overall grades, and issued cycle reviews, for the aggregates
API's tests."""

from __future__ import annotations

import datetime
import hashlib
import itertools

from django.utils import timezone

from auditloop.accounts.models import Role, Service, Team
from auditloop.audits.models import Audit, AuditStatus, AuditType
from auditloop.reports.models import Audience, CycleReview, ReviewFormat, ReviewStatus
from auditloop.sampling.models import Cycle, CycleAudit
from auditloop.testing import Personas, make_staff

WORKERS = itertools.count(1)


def cycle_of(
    services: list[Service],
    name: str = "April to September",
    starts_on: datetime.date | None = None,
) -> Cycle:
    starts_on = starts_on or datetime.date(2026, 4, 1)
    cycle = Cycle.objects.create(
        name=name, starts_on=starts_on, ends_on=starts_on + datetime.timedelta(days=182)
    )
    cycle.services.set(services)
    return cycle


def graded_audits(
    p: Personas, cycle: Cycle, *, team: Team, grades: list[str], workers: int = 3
) -> list[Audit]:
    """Submitted audits of `team` in `cycle`, one for each overall grade code given, of the
    cases of `workers` people in turn (the practitioner first, in their team): three or more,
    so that a team of five or more audits is not withheld as a small group."""
    tool = p.quality_tool
    people = [p.practitioner] if team == p.north_a else []
    for i in range(len(people), workers):
        people.append(make_staff(f"worker{next(WORKERS)}", f"Worker {i}", Role.PRACTITIONER, team))
    audits = []
    for i, code in enumerate(grades):
        audit = Audit.objects.create(
            case=p.outsider_case if team.service_id == p.south.pk else p.case,
            tool_version=tool,
            audit_type=AuditType.DEEP_DIVE,
            status=AuditStatus.SUBMITTED,
            auditor=p.auditor,
            practitioner=people[i % len(people)],
            team=team,
            submitted_at=timezone.now(),
            overall_grade=tool.grading_scale.grades.get(code=code),
        )
        CycleAudit.objects.create(cycle=cycle, audit=audit, planned_month=cycle.starts_on)
        audits.append(audit)
    return audits


def review_issued(
    p: Personas,
    cycle: Cycle,
    *,
    audience: str = Audience.COMMITTEE,
    status: str = ReviewStatus.ISSUED,
) -> CycleReview:
    content = f"<h1>{cycle.name}</h1>".encode()
    return CycleReview.objects.create(
        cycle=cycle,
        audience=audience,
        format=ReviewFormat.HTML,
        status=status,
        progress=100,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        requested_by=p.moderator,
        issued_at=timezone.now() if status == ReviewStatus.ISSUED else None,
    )
