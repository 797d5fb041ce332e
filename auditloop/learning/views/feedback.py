"""My feedback: the feedback on the audits of a worker's own cases, for them, and for their line
manager (one page for each member of staff they line-manage)."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path

from auditloop.accounts.access import StaffRequest, any_staff, roles_required
from auditloop.accounts.models import StaffMember
from auditloop.audits.selectors.audits import audits_page_shown_to
from auditloop.core.accesslog import Purpose, access_shown
from auditloop.core.pagination import page_of_keys
from auditloop.learning.access.feedback import FEEDBACK_ROLES, get_worker_for_feedback
from auditloop.learning.selectors.feedback import (
    FEEDBACK_ORDER,
    feedback_audit_keys,
    feedback_of,
    key_messages_published_to,
    line_reports,
)

PER_PAGE = 20


def _render(request: StaffRequest, worker: StaffMember) -> HttpResponse:
    staff = request.staff
    own = worker.pk == staff.pk
    page = page_of_keys(
        request,
        feedback_audit_keys(staff, worker),
        lambda keys: audits_page_shown_to(staff, keys),
        order=FEEDBACK_ORDER,
        per_page=PER_PAGE,
    )
    feedback = feedback_of(page.object_list, worker, reader=staff)
    access_shown(user=request.user, targets=[f.audit for f in feedback], purpose=Purpose.FEEDBACK)
    return render(
        request,
        "learning/feedback/page.html",
        {
            "worker": worker,
            "own": own,
            "page": page,
            "feedback": feedback,
            "key_messages": key_messages_published_to(staff) if own else [],
            "reports": list(line_reports(staff)) if own else [],
        },
    )


@roles_required(*FEEDBACK_ROLES)
def my_feedback(request: StaffRequest) -> HttpResponse:
    return _render(request, request.staff)


@any_staff
def worker_feedback(request: StaffRequest, public_id: UUID) -> HttpResponse:
    return _render(request, get_worker_for_feedback(request.user, public_id))


urlpatterns = [
    path("my-feedback/", my_feedback, name="my_feedback"),
    path("my-feedback/<uuid:public_id>/", worker_feedback, name="worker_feedback"),
]
