"""A cycle of completed audits long past their retention, with everything about them: actions,
a flag, a reply, a learning point, a notification, log rows."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from auditloop.audits.models import (
    Action,
    ActionStatus,
    Audit,
    AuditStatus,
    Escalation,
    FeedbackReply,
    Participant,
    ParticipantRole,
)
from auditloop.cases.models import ChildCase
from auditloop.core.models import AccessLog, Event, Notification
from auditloop.learning.models import LearningPointKind
from auditloop.learning.tests.point_factories import point_in, theme_named
from auditloop.learning.tests.team_picture_factories import counted_audit, cycle_of
from auditloop.sampling.models import Cycle
from auditloop.testing import Personas

LONG_AGO = timezone.now() - datetime.timedelta(days=365 * 8)
SECRET = "Jayden told me he is scared of his stepfather"


@dataclass
class OldCycle:
    cycle: Cycle
    audits: list[Audit]


def old_audit(
    p: Personas,
    cycle: Cycle,
    *,
    case: ChildCase | None = None,
    overall: str = "good",
    team_manager_takes_part: bool = True,
) -> Audit:
    """A deep dive completed eight years ago, with free text everywhere, a closed action, an
    acknowledged flag, a reply, a learning point, a participant."""
    audit = counted_audit(p, cycle, overall=overall)
    Audit.objects.filter(pk=audit.pk).update(
        case=case or p.case,
        status=AuditStatus.COMPLETED,
        completed_at=LONG_AGO,
        strengths=SECRET,
        areas_for_development=SECRET,
        impact_on_child=SECRET,
        practitioner_reflection=SECRET,
    )
    audit.answers.update(evidence=SECRET, working_well=SECRET, worried_about=SECRET)
    if team_manager_takes_part:
        Participant.objects.create(
            audit=audit, staff=p.team_manager, role=ParticipantRole.MANAGER, contribution=SECRET
        )
    Action.objects.create(
        audit=audit,
        description=SECRET,
        owner=p.practitioner,
        due_date=LONG_AGO.date(),
        status=ActionStatus.CLOSED,
        completion_evidence=SECRET,
    )
    Escalation.objects.create(
        audit=audit,
        raised_by=p.auditor,
        reason=SECRET,
        acknowledged_by=p.team_manager,
        acknowledged_at=LONG_AGO,
        response=SECRET,
    )
    FeedbackReply.objects.create(audit=audit, author=p.practitioner, text=SECRET)
    point_in(audit, text=SECRET, kind=LearningPointKind.CONCERN, themes=[theme_named("Neglect")])
    audit.refresh_from_db()
    return audit


def old_cycle(p: Personas, *, audits: int = 3) -> OldCycle:
    cycle = cycle_of(p, "Spring 2018", datetime.date(2018, 1, 1))
    grades = ["good", "requires_improvement", "outstanding", "inadequate"]
    made = [old_audit(p, cycle, overall=grades[i % len(grades)]) for i in range(audits)]
    return OldCycle(cycle=cycle, audits=made)


def old_logs(p: Personas, audit: Audit) -> None:
    """A notification, an event and a read of the audit, each made eight years ago."""
    assert p.moderator.user is not None
    Notification.objects.create(
        recipient=p.moderator.user, message="A flag", url=f"/audits/{audit.public_id}/"
    )
    Event.objects.create(
        actor=p.moderator.user,
        verb="audit.completed",
        target_type="audits.audit",
        target_id=str(audit.public_id),
    )
    AccessLog.objects.create(
        user=p.moderator.user,
        target_type="audits.audit",
        target_id=str(audit.public_id),
        at=LONG_AGO,
    )
    Notification.objects.update(created_at=LONG_AGO)
    Event.objects.update(at=LONG_AGO)
