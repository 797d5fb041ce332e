"""The home page: what the signed-in member of staff must do next."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from auditloop.accounts.access import StaffRequest, any_staff
from auditloop.assurance.selectors.experience import experience_asks_for
from auditloop.core.accesslog import Purpose, access_shown
from auditloop.home.selectors import home_work_for
from auditloop.learning.selectors.key_messages import (
    RECIPIENT_ROLES,
    key_messages_unacknowledged_by,
)
from auditloop.sampling.selectors.cycles import late_audits_escalated_to

KEY_MESSAGES_SHOWN = 5


@any_staff
def home(request: StaffRequest) -> HttpResponse:
    staff = request.staff
    work = home_work_for(staff)
    access_shown(user=request.user, targets=work.audits_shown(), purpose=Purpose.LISTED)
    access_shown(
        user=request.user,
        targets=[a.audit for a in work.actions_shown()],
        purpose=Purpose.ACTION_LISTED,
    )
    access_shown(
        user=request.user,
        targets=[e.audit for e in work.flags_shown()],
        purpose=Purpose.ESCALATION_LISTED,
    )
    unread = (
        list(key_messages_unacknowledged_by(staff)[: KEY_MESSAGES_SHOWN + 1])
        if staff.role in RECIPIENT_ROLES
        else []
    )
    context = {"staff": staff, "work": work, "key_messages_unread": unread[:KEY_MESSAGES_SHOWN]}
    context["key_messages_more"] = len(unread) > KEY_MESSAGES_SHOWN
    # Audit references and auditors' names only: nothing of the child, so no read to log.
    context["late_audits"] = late_audits_escalated_to(staff, today=timezone.localdate())
    context["experience_asks"] = experience_asks_for(staff, now=timezone.now())
    return render(request, "home/home.html", context)
