"""Feedback to the practitioner: telling them it is ready, and their reply to it."""

from __future__ import annotations

from django.db import transaction
from django.urls import NoReverseMatch, reverse

from auditloop.accounts.models import Role, StaffMember
from auditloop.audits.access.feedback import feedback_reply_refusal
from auditloop.audits.models import Audit, FeedbackReply
from auditloop.core.events import event_record
from auditloop.core.models import snapshot
from auditloop.core.refusals import Refused
from auditloop.core.services import notification_send


def audit_url(audit: Audit) -> str:
    """The audit's page; the audit list until the audit pages are routed."""
    try:
        return reverse("audits:detail", kwargs={"public_id": audit.public_id})
    except NoReverseMatch:
        return reverse("audits:list")


def audit_url_for(audit: Audit, staff: StaffMember) -> str:
    """The page of `audit` that `staff` can open: a partner agency auditor reads their own
    audit on their own page (the staff page answers 404 for them), everyone else the staff
    page. Every notification about an audit that may reach its auditor links through this."""
    if staff.role == Role.PARTNER and staff.pk == audit.auditor_id:
        return reverse("audits:partner_audit", args=[audit.public_id])
    return audit_url(audit)


def feedback_ready_notify(*, audit: Audit) -> None:
    """Tell the practitioner whose case was audited that the feedback is ready to read.

    Called by `audit_submit` inside its transaction; the email goes once that commits.
    """
    if audit.practitioner is None or audit.practitioner_id == audit.auditor_id:
        return
    notification_send(
        recipients=[audit.practitioner],
        message=(
            f"A {audit.get_audit_type_display().lower()} audit of a case you hold has been "
            "submitted. Read the feedback and reply."
        ),
        url=audit_url(audit),
        email_subject="Feedback on a case-file audit is ready for you",
    )


@transaction.atomic
def feedback_reply(*, audit: Audit, by: StaffMember, text: str) -> FeedbackReply:
    """The practitioner's reply to the feedback, once the audit is submitted or completed.

    Only `audit.practitioner` may reply; the auditor is told at once.
    """
    staff = by
    if refusal := feedback_reply_refusal(staff, audit):
        raise Refused(refusal)
    text = text.strip()
    if not text:
        raise Refused("Enter your reply to the feedback.", field="text")
    reply = FeedbackReply.objects.create(audit=audit, author=staff, text=text)
    event_record(
        actor=by.user,
        verb="feedback.replied",
        target=audit,
        summary="The practitioner replied to the feedback.",
        after=snapshot(reply, ["created_at"]),
        content_changed=["text"],
    )
    notification_send(
        recipients=[audit.auditor],
        message=(
            f"The practitioner replied to your feedback on a "
            f"{audit.get_audit_type_display().lower()} audit."
        ),
        url=audit_url_for(audit, audit.auditor),
        email_subject="A practitioner replied to your audit feedback",
    )
    return reply
