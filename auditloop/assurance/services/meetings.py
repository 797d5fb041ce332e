"""Recording a moderation meeting: the audit group's (across services) or managers' moderation
in one service; who attended, the audits discussed with the outcome for each, and the learning
noted. One transaction, one event."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from auditloop.accounts.models import Role, Service, StaffMember, actor_login
from auditloop.assurance.access.meetings import meeting_record_refusal
from auditloop.assurance.models import (
    MeetingItem,
    MeetingKind,
    MeetingOutcome,
    ModerationMeeting,
)
from auditloop.audits.access.audits import audit_visibility_filter
from auditloop.audits.models import SHARED_STATUSES, Audit, AuditType
from auditloop.core.events import event_record
from auditloop.core.refusals import Refused


@dataclass(frozen=True)
class ItemInput:
    """One audit discussed, and what the meeting decided about it."""

    audit: Audit
    outcome: str
    notes: str = ""


def grade_changed_at_moderation(given_id: int | None, agreed_id: int | None) -> bool:
    """Whether moderation changed an audit's grade: an agreed overall grade (agreed, or
    decided by the head of service) other than the auditor's. A meeting records "Grade
    changed" only for such an audit: the grade is changed through the moderation, and the
    meeting's record says so, never the other way round."""
    return agreed_id is not None and agreed_id != given_id


def grade_not_changed_message(ref: str) -> str:
    return (
        f"The grade of the audit {ref} has not been changed at moderation. Record the changed "
        "grade through the audit\u2019s moderation first, then record this outcome."
    )


@transaction.atomic
def meeting_record(
    *,
    by: StaffMember,
    kind: str,
    service: Service | None,
    held_on: datetime.date,
    attendees: Sequence[StaffMember],
    items: Sequence[ItemInput],
    learning: str = "",
) -> ModerationMeeting:
    """Record a meeting held on `held_on`. An audit group meeting looks across services (no
    `service`); managers' moderation is held in one. Every audit discussed must be one `by` may
    read, submitted or completed, not a calibration exercise's, and (for managers' moderation)
    of a case in the meeting's service."""
    if kind == MeetingKind.AUDIT_GROUP:
        service = None
    if refusal := meeting_record_refusal(by, kind, service):
        raise Refused(refusal, field="service" if kind == MeetingKind.MANAGERS else "kind")
    if held_on > timezone.localdate():
        raise Refused(
            "The date the meeting was held must be today or in the past.", field="held_on"
        )
    people = list({s.pk: s for s in attendees}.values())
    if not people:
        raise Refused("Choose who attended.", field="attendees")
    for person in people:
        if not person.is_active:
            raise Refused(
                f"{person.name} is no longer an active member of staff.", field="attendees"
            )
    _check_items(by, service, items)
    meeting = ModerationMeeting.objects.create(
        kind=kind, service=service, held_on=held_on, learning=learning.strip(), recorded_by=by
    )
    meeting.attendees.set(people)
    MeetingItem.objects.bulk_create(
        MeetingItem(meeting=meeting, audit=i.audit, outcome=i.outcome, notes=i.notes.strip())
        for i in items
    )
    event_record(
        actor=actor_login(by),
        verb="moderation_meeting.recorded",
        target=meeting,
        summary=(
            f"{meeting.get_kind_display()} held {held_on:%d %B %Y} recorded: "
            f"{len(items)} audit{'s' if len(items) != 1 else ''} discussed"
        ),
        after={
            "kind": kind,
            "service": str(service.public_id) if service is not None else None,
            "held_on": held_on.isoformat(),
            "attendees": [str(s.public_id) for s in people],
            "audits": [str(i.audit.public_id) for i in items],
            "outcomes": [i.outcome for i in items],
        },
        content_changed=[
            *(["learning"] if meeting.learning else []),
            *(["notes"] if any(i.notes.strip() for i in items) else []),
        ],
    )
    return meeting


def _check_items(by: StaffMember, service: Service | None, items: Sequence[ItemInput]) -> None:
    if not items:
        raise Refused("Enter at least one audit discussed.", field="items")
    seen: set[int] = set()
    # Each readable audit's grades as they stand now: the auditor's overall and the agreed one.
    readable = {
        pk: (given, agreed)
        for pk, given, agreed in Audit.objects.filter(
            audit_visibility_filter(by), pk__in=[i.audit.pk for i in items]
        ).values_list("pk", "overall_grade_id", "agreed_overall_grade_id")
    }
    for item in items:
        audit = item.audit
        ref = audit.reference
        if audit.pk not in readable:
            raise Refused(f"No audit with the reference {ref} that you may read.", field="items")
        if audit.pk in seen:
            raise Refused(f"The audit {ref} is listed twice.", field="items")
        seen.add(audit.pk)
        if item.outcome not in MeetingOutcome.values:
            raise Refused(f"Choose the outcome for the audit {ref}.", field="items")
        if item.outcome == MeetingOutcome.GRADE_CHANGED and not grade_changed_at_moderation(
            *readable[audit.pk]
        ):
            raise Refused(grade_not_changed_message(ref), field="items")
        if audit.audit_type == AuditType.CALIBRATION:
            raise Refused(
                f"The audit {ref} is a calibration audit: it is compared on its exercise's "
                "page, not moderated.",
                field="items",
            )
        if audit.status not in SHARED_STATUSES:
            raise Refused(
                f"The audit {ref} is not submitted yet: only submitted or completed audits are "
                "moderated.",
                field="items",
            )
        if service is not None and audit.auditor.role == Role.PARTNER:
            raise Refused(
                f"The audit {ref} is a partner agency auditor's: it is moderated at the audit "
                "group's multi-agency meeting, not at managers' moderation.",
                field="items",
            )
        if service is not None and (audit.team is None or audit.team.service_id != service.pk):
            raise Refused(
                f"The audit {ref} is of a case outside {service.name}: managers' moderation "
                "discusses its own service's audits.",
                field="items",
            )
