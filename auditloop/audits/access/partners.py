"""Get-for-user helpers for partner agency auditors' audits.

A partner never reads an audit through the staff pages (`audit_visibility_filter` gives them
none): these helpers give them the audits they were assigned, each with what the audit lead
shared of its case, and nothing else. The audit lead's helper decides who may give one."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from auditloop.accounts.access import staff_for
from auditloop.accounts.models import Role, StaffMember
from auditloop.audits.access.audits import can_lead_audit, get_audit_for_user
from auditloop.audits.models import Audit, AuditStatus, AuditType, PartnerShare
from auditloop.core.accesslog import Purpose, access_shown

PARTNER_WRITABLE = frozenset({AuditStatus.PLANNED, AuditStatus.IN_PROGRESS})


def partner_audits_of(staff: StaffMember) -> QuerySet[Audit]:
    """The audits a partner agency auditor was given: theirs, with a share; none for anyone
    else. Each with its share and tool joined, and nothing of its case."""
    if staff.role != Role.PARTNER:
        return Audit.objects.none()
    return (
        Audit.objects.filter(auditor=staff, partner_share__isnull=False)
        .exclude(audit_type=AuditType.CALIBRATION)
        .select_related("partner_share", "tool_version__tool", "tool_version__grading_scale")
        .order_by("due_date", "created_at", "id")
    )


def get_partner_audit_for_user(user: Any, public_id: UUID, *, write: bool = False) -> Audit:
    """The partner's own audit (logged as a read); 404 for any other, as for a missing one.
    With write=True, only while it is planned or in progress (403 once submitted)."""
    staff = staff_for(user)
    audit = partner_audits_of(staff).filter(public_id=public_id).select_related("auditor").first()
    if audit is None:
        raise Http404("No audit found.")
    if write and audit.status not in PARTNER_WRITABLE:
        raise PermissionDenied("This audit is submitted: it can no longer be changed.")
    access_shown(user=user, targets=[audit], purpose=Purpose.WRITE if write else Purpose.VIEW)
    return audit


def can_invite_partner(staff: StaffMember, audit: Audit) -> bool:
    """An audit lead over the audit's service may give a partner agency auditor an audit of a
    thematic audit's case."""
    return audit.audit_type == AuditType.THEMATIC and can_lead_audit(staff, audit)


def get_audit_for_partner_invite(user: Any, public_id: UUID) -> Audit:
    """A thematic audit a lead may ask a partner agency to join: 404 if they may not see it,
    403 if they may see it but not invite anyone to it."""
    audit = get_audit_for_user(user, public_id)
    if not can_invite_partner(staff_for(user), audit):
        raise PermissionDenied(
            "Only an audit lead over the audit's service can ask a partner agency to join a "
            "thematic audit."
        )
    return audit


def get_partner_share_for_lead(user: Any, public_id: UUID) -> PartnerShare:
    """What is shared with the partner of their audit `public_id`, for the audit lead to
    change: 404 if the user may not see the audit or it is no partner's, 403 if they may see
    it but do not lead it."""
    audit = get_audit_for_user(user, public_id)
    share = PartnerShare.objects.filter(audit=audit).first()
    if share is None:
        raise Http404("No partner agency audit found.")
    if not can_lead_audit(staff_for(user), audit):
        raise PermissionDenied(
            "Only an audit lead over the audit's service can change what is shared with a "
            "partner agency."
        )
    share.audit = audit
    return share
