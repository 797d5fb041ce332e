"""Who may reply to the feedback on an audit."""

from __future__ import annotations

from auditloop.accounts.models import StaffMember
from auditloop.audits.models import SHARED_STATUSES, Audit, AuditStatus, AuditType


def feedback_reply_refusal(staff: StaffMember, audit: Audit) -> str | None:
    """Why `staff` may not reply to the feedback on `audit`, or None if they may: only the
    practitioner whose case was audited, once the audit is submitted or completed."""
    if audit.audit_type == AuditType.CALIBRATION:
        return "A calibration audit is an exercise for the auditors: it has no feedback."
    if audit.practitioner_id is None or audit.practitioner_id != staff.pk:
        return "Only the practitioner whose case was audited can reply."
    if audit.status not in SHARED_STATUSES:
        return (
            "You can reply once the audit has been submitted; this one is "
            f"{AuditStatus(audit.status).label.lower()}."
        )
    return None


def can_reply_to_feedback(staff: StaffMember, audit: Audit) -> bool:
    return feedback_reply_refusal(staff, audit) is None
