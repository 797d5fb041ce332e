"""The home page: what the signed-in member of staff must do next."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from auditloop.accounts.access import StaffRequest, any_staff
from auditloop.accounts.models import Role
from auditloop.assurance.selectors.experience import experience_asks_for
from auditloop.core.accesslog import Purpose, access_shown
from auditloop.core.keptparts import part_kept, part_rendered
from auditloop.home.selectors import home_work_for
from auditloop.learning.selectors.key_messages import (
    RECIPIENT_ROLES,
    key_messages_unacknowledged_by,
)
from auditloop.sampling.selectors.cycles import late_audits_escalated_to

KEY_MESSAGES_SHOWN = 5


# Roles whose home page is a few links, not a list of work.
LINKS_ONLY = {Role.BOARD_MEMBER, Role.ADMINISTRATOR, Role.DATA_PROTECTION}


@any_staff
def home(request: StaffRequest) -> HttpResponse:
    staff = request.staff
    if staff.role == Role.PARTNER:
        # A partner agency auditor's work is their audits, on a page of their own.
        return redirect("audits:partner_list")
    context: dict[str, Any] = {"staff": staff}
    if staff.role not in LINKS_ONLY:
        # Its lists are kept for the reader under the data version (core/keptparts.py); the
        # asks about completed audits are not, as they end at the minute an audit was done.
        context["notices"] = part_kept(
            "home-notices", request=request, draw=lambda: _notices_drawn(request)
        )
        context["experience_asks"] = experience_asks_for(staff, now=timezone.now())
        context["work_shown"] = part_kept(
            "home-work", request=request, draw=lambda: _work_drawn(request)
        )
    return render(request, "home/home.html", context)


def _notices_drawn(request: StaffRequest) -> str:
    """Key messages to read and late audits escalated to the reader."""
    staff = request.staff
    unread = (
        list(key_messages_unacknowledged_by(staff)[: KEY_MESSAGES_SHOWN + 1])
        if staff.role in RECIPIENT_ROLES
        else []
    )
    context = {
        "key_messages_unread": unread[:KEY_MESSAGES_SHOWN],
        "key_messages_more": len(unread) > KEY_MESSAGES_SHOWN,
        # Audit references and auditors' names only: nothing of the child, so no read to log.
        "late_audits": late_audits_escalated_to(staff, today=timezone.localdate()),
    }
    return part_rendered("home/_notices.html", context, request=request)


def _work_drawn(request: StaffRequest) -> str:
    """What the reader must do next: their audits, actions, flags and moderations."""
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
    # The moderation and regrade lists are template tags that read the request's staff.
    context = {"staff": staff, "work": work, "request": request}
    return part_rendered("home/_work.html", context, request=request)
