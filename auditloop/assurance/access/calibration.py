"""Who may see a calibration exercise: the get-for-user helper and its rule. The exercise names
the child's case, so its page logs the read (`get_calibration_for_user`); who may read each
audit of it is the audits' own rule (`audit_visibility_filter`), which blinds the auditors to
one another until every entry is submitted."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from auditloop.accounts.access import staff_for
from auditloop.accounts.models import Role, StaffMember
from auditloop.accounts.selectors import services_overseen
from auditloop.assurance.models import CalibrationEntry, CalibrationExercise
from auditloop.core.accesslog import Purpose, access_shown


def calibration_visibility_filter(staff: StaffMember) -> Q:
    """Who may see an exercise (its case's LA child ID, its auditors and how far each has got):
    the auditors in it, and the audit leads over the service of the case audited (the service
    of its audits' team, as for the audits themselves)."""
    in_exercise = Exists(
        CalibrationEntry.objects.filter(exercise=OuterRef("pk"), audit__auditor=staff)
    )
    rule = Q(in_exercise)
    if staff.role == Role.MODERATOR:
        rule |= Q(
            Exists(
                CalibrationEntry.objects.filter(
                    exercise=OuterRef("pk"),
                    audit__team__service_id__in=services_overseen(staff),
                )
            )
        )
    return rule


def get_calibration_for_user(user: Any, public_id: UUID | str) -> CalibrationExercise:
    """The exercise, if `user` may see it; 404 otherwise, as for one that does not exist. Its
    page shows the child's case: the read is logged."""
    staff = staff_for(user)
    try:
        exercise = (
            CalibrationExercise.objects.filter(
                calibration_visibility_filter(staff), public_id=public_id
            )
            .select_related("case__allocated_team__service", "tool_version__tool", "set_by")
            .get()
        )
    except (CalibrationExercise.DoesNotExist, ValueError) as exc:
        raise Http404("No calibration exercise found.") from exc
    access_shown(user=user, targets=[exercise.case], purpose=Purpose.CALIBRATION)
    return exercise


def calibration_set_refusal(staff: StaffMember) -> str | None:
    """Why `staff` may not set a calibration exercise, or None if they may."""
    if not staff.is_audit_lead:
        return "Only an audit lead can set a calibration exercise."
    return None
