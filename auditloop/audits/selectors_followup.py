"""What follows an audit, for its page: unsafe-child flags, actions and the practitioner's
replies, with what the reader may do about each."""

from __future__ import annotations

from typing import Any

from auditloop.accounts.models import StaffMember
from auditloop.audits.access.actions import can_create_action
from auditloop.audits.access.escalations import can_acknowledge_on
from auditloop.audits.forms.escalations import EscalationAcknowledgeForm, EscalationRaiseForm
from auditloop.audits.forms.feedback import FeedbackReplyForm
from auditloop.audits.models import SHARED_STATUSES, Audit, AuditStatus
from auditloop.audits.selectors.actions import today


def audit_followup_context(*, audit: Audit, staff: StaffMember) -> dict[str, Any]:
    """Template context for the follow-up partials of an audit `staff` may already see.

    Three queries (flags, actions, replies) however many rows; the permission flags come
    from the audit already loaded.
    """
    can_raise = audit.auditor_id == staff.pk and audit.status != AuditStatus.COMPLETED
    can_reply = audit.practitioner_id == staff.pk and audit.status in SHARED_STATUSES
    escalations = list(audit.escalations.select_related("raised_by", "acknowledged_by"))
    may_acknowledge = any(e.acknowledged_at is None for e in escalations) and (
        can_acknowledge_on(staff, audit)
    )
    return {
        "escalations": escalations,
        "actions": audit.actions.select_related("owner", "answer__question"),
        "replies": audit.replies.select_related("author"),
        "today": today(),
        "can_raise_escalation": can_raise,
        "can_acknowledge_escalation": may_acknowledge,
        "can_add_action": audit.status != AuditStatus.PLANNED and can_create_action(staff, audit),
        "can_reply": can_reply,
        # auto_id keeps these fields' ids apart from the other forms on the audit page.
        "escalation_form": EscalationRaiseForm(auto_id="flag_%s") if can_raise else None,
        # One form per open flag, each with its own field ids.
        "acknowledge_forms": [
            (e, EscalationAcknowledgeForm(auto_id=f"ack{n}_%s"))
            for n, e in enumerate(escalations, start=1)
            if e.acknowledged_at is None
        ]
        if may_acknowledge
        else [],
        "reply_form": FeedbackReplyForm(auto_id="reply_%s") if can_reply else None,
    }
