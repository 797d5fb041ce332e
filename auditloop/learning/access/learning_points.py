"""Who reads an audit's learning points, and who marks, changes and removes them.

A learning point is read with its audit: whoever may read the audit (`get_audit_for_user`,
which logs the read) reads its points, so the practitioner and their manager read them as
feedback once the audit is submitted. Its moderator reads them too, from the moderation, even
when they are from outside the audit's line.

Who writes:
- The audit's auditor, from planning until the audit is completed. Learning points are the
  auditor's reading of the case, often written after submission, when the findings have
  settled or at the moderation meeting; completion is the audit lead's sign-off, and from then
  on the audit, its points with it, is the record that key messages are drawn from.
- Its moderator, while they moderate it (regrading, then agreeing a grade): a second look
  finds learning too. Once the moderation is agreed, escalated or decided, it is settled.
- Nobody marks points in a calibration audit: it is an exercise for the auditors, never a
  judgement on a worker's practice, and its learning does not go into key messages.
Each writer changes and removes only their own points.

The moderation blind: a point marks a domain as good practice or a concern, which is the
auditor's judgement of it in all but name. A moderator regrading blind would read the
auditor's view in them, so until they have regraded they see only their own points.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import QuerySet
from django.http import Http404

from auditloop.accounts.access import staff_for
from auditloop.accounts.models import StaffMember
from auditloop.assurance.models import Moderation, ModerationStatus
from auditloop.audits.access.audits import get_audit_for_user, with_grades_hidden
from auditloop.audits.models import Audit, AuditStatus, AuditType
from auditloop.core.accesslog import Purpose, access_shown
from auditloop.learning.models import LearningPoint

# The moderation's steps in which its moderator still marks points.
MODERATING = (ModerationStatus.REGRADING, ModerationStatus.AGREEING)


def get_audit_for_learning_points(user: Any, public_id: UUID | str) -> Audit:
    """The audit whose learning points `user` may read, the read logged: whoever may read the
    audit, and its moderator (who may be from outside its line). 404 for anyone else, as for
    an audit that does not exist. `grades_hidden` is set: the moderator regrading blind."""
    try:
        return get_audit_for_user(user, public_id, purpose=Purpose.LEARNING_POINTS)
    except Http404:
        pass
    staff = staff_for(user)
    moderated = Moderation.objects.filter(moderator=staff, audit__public_id=public_id)
    try:
        audit = (
            with_grades_hidden(Audit.objects.filter(moderation__in=moderated), staff)
            .select_related("case", "team__service", "tool_version__tool", "moderation")
            .get()
        )
    except (Audit.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404("No audit found.") from exc
    access_shown(user=user, targets=[audit], purpose=Purpose.LEARNING_POINTS)
    return audit


def _moderation_of(audit: Audit) -> Moderation | None:
    try:
        moderation: Moderation = audit.moderation
    except ObjectDoesNotExist:
        return None
    return moderation


def learning_point_write_refusal(staff: StaffMember, audit: Audit) -> str | None:
    """Why `staff` may not mark learning points in `audit` now, or None when they may."""
    if audit.audit_type == AuditType.CALIBRATION:
        return (
            "A calibration audit is an exercise for the auditors, not a judgement on anyone's "
            "practice: it takes no learning points."
        )
    if audit.auditor_id == staff.pk:
        if audit.status == AuditStatus.COMPLETED:
            return "The audit is completed: its learning points are settled."
        return None
    moderation = _moderation_of(audit)
    if moderation is not None and moderation.moderator_id == staff.pk:
        if moderation.status in MODERATING:
            return None
        return "Your moderation of this audit is finished: its learning points are settled."
    return (
        "Only the audit's auditor, or its moderator while they moderate it, marks learning "
        "points in it."
    )


def can_add_learning_point(staff: StaffMember, audit: Audit) -> bool:
    return learning_point_write_refusal(staff, audit) is None


def learning_point_change_refusal(staff: StaffMember, point: LearningPoint) -> str | None:
    """Why `staff` may not change or remove this point, or None: its author, while they may
    still mark points in its audit."""
    if point.author_id != staff.pk:
        return "Only whoever marked a learning point changes or removes it."
    return learning_point_write_refusal(staff, point.audit)


def learning_points_shown(staff: StaffMember, audit: Audit) -> QuerySet[LearningPoint]:
    """The audit's learning points `staff` reads (the audit already read for them): all of
    them, but only their own for a moderator still regrading blind."""
    points = (
        LearningPoint.objects.filter(audit=audit)
        .select_related("question", "author")
        .prefetch_related("themes")
        .order_by("created_at", "id")
    )
    if getattr(audit, "grades_hidden", False):
        points = points.filter(author=staff)
    return points


def get_learning_point_for_user(
    user: Any, audit_public_id: UUID | str, public_id: UUID | str
) -> LearningPoint:
    """The point, found within its audit as `user` reads it (the read of the audit logged);
    404 when they may not read it."""
    staff = staff_for(user)
    audit = get_audit_for_learning_points(user, audit_public_id)
    try:
        point = learning_points_shown(staff, audit).get(public_id=public_id)
    except (LearningPoint.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404("No learning point found.") from exc
    point.audit = audit
    return point
