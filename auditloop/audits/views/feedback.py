"""The practitioner's reply to the feedback on an audit of their case."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from auditloop.accounts.access import StaffRequest, any_staff
from auditloop.audits.access.audits import get_audit_for_user
from auditloop.audits.forms.feedback import FeedbackReplyForm
from auditloop.audits.services.feedback import audit_url, feedback_reply
from auditloop.core.refusals import Refused, refusal_to_form


@any_staff
def feedback_reply_view(request: StaffRequest, public_id: UUID) -> HttpResponse:
    staff = request.staff
    audit = get_audit_for_user(request.user, public_id)
    if audit.practitioner_id != staff.pk:
        raise PermissionDenied("Only the practitioner whose case was audited can reply.")
    form = FeedbackReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            feedback_reply(audit=audit, by=request.staff, text=form.cleaned_data["text"])
        except Refused as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, "Reply sent. The auditor has been told.")
            return redirect(audit_url(audit) + "#replies")
    replies = audit.replies.select_related("author")
    return render(
        request,
        "audits/feedback/reply.html",
        {"audit": audit, "audit_url": audit_url(audit), "form": form, "replies": replies},
    )


urlpatterns = [
    path("<uuid:public_id>/reply/", feedback_reply_view, name="feedback_reply"),
]
