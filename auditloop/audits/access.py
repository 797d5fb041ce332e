"""Get-for-user helpers: 404 when the user may not see the object (as for a missing one),
403 when they may see it but not change it. Every read of an audit is logged here."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import Http404

from auditloop.accounts.access import staff_for
from auditloop.accounts.models import Role, StaffMember
from auditloop.accounts.selectors import services_overseen
from auditloop.audits.models import Audit, AuditStatus
from auditloop.audits.selectors import audit_visibility_filter
from auditloop.core.accesslog import Purpose, access_shown


def get_audit_for_user(user: Any, public_id: UUID | str, *, write: bool = False) -> Audit:
    """The audit, if `user` may see it (logged as a read). With write=True, only its auditor
    while it is planned or in progress; anyone else who may see it gets 403."""
    staff = staff_for(user)
    try:
        audit = (
            Audit.objects.filter(audit_visibility_filter(staff), public_id=public_id)
            .select_related(
                "case",
                "case__allocated_team",
                "auditor",
                "practitioner",
                "team__service",
                "overall_grade",
                "tool_version__tool",
                "tool_version__grading_scale",
            )
            .distinct()
            .get()
        )
    except (Audit.DoesNotExist, ValueError) as exc:
        raise Http404("No audit found.") from exc
    if write and not (
        audit.auditor_id == staff.pk
        and audit.status in {AuditStatus.PLANNED, AuditStatus.IN_PROGRESS}
    ):
        raise PermissionDenied("Only the auditor can change this audit while it is in progress.")
    access_shown(user=user, targets=[audit], purpose=Purpose.WRITE if write else Purpose.VIEW)
    return audit


def can_lead_audit(staff: StaffMember, audit: Audit) -> bool:
    """Audit leads (moderators) for the audit's service may return or complete it, unless
    they did the audit themselves: nobody signs off their own work."""
    return (
        staff.role == Role.MODERATOR
        and audit.auditor_id != staff.pk
        and audit.team is not None
        and audit.team.service_id in services_overseen(staff)
    )
