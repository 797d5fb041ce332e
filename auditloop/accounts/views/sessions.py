"""Signed-in sessions: a person's own list (ending one, or all but this one), and an
administrator ending all of someone's sessions and API tokens from their staff record."""

from __future__ import annotations

from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from auditloop.accounts.access import (
    StaffRequest,
    any_staff,
    get_signed_in_session_for_user,
    get_staff_member_for_user,
)
from auditloop.accounts.forms import ConfirmForm
from auditloop.accounts.rules.sessions import session_key_digest
from auditloop.accounts.selectors import signed_in_sessions_live
from auditloop.accounts.services import sessions as services
from auditloop.accounts.views.common import administrators_only, form_page, posted_data
from auditloop.core.refusals import Refused, refusal_to_form, refusal_to_message


@any_staff
def session_list(request: StaffRequest) -> HttpResponse:
    sessions = list(signed_in_sessions_live(request.staff.user_id, timezone.now()))
    key = request.session.session_key
    current = session_key_digest(key) if key else ""
    return render(
        request,
        "accounts/sessions/list.html",
        {
            "sessions": sessions,
            "current_digest": current,
            "others": sum(1 for s in sessions if s.key_digest != current),
            "idle_minutes": settings.SESSION_COOKIE_AGE // 60,
            "max_hours": f"{settings.AUDITLOOP_SESSION_MAX_SECONDS / 3600:g}",
        },
    )


@require_POST
@any_staff
def session_end(request: StaffRequest, public_id: UUID) -> HttpResponse:
    session = get_signed_in_session_for_user(request.user, public_id)
    try:
        services.signed_in_session_end(
            session=session, by=request.staff, current_key=request.session.session_key
        )
    except Refused as refused:
        refusal_to_message(request, refused)
    else:
        messages.success(request, f"The session on {session.browser} has been ended.")
    return redirect("sessions:list")


@require_POST
@any_staff
def sessions_end_others(request: StaffRequest) -> HttpResponse:
    ended = services.signed_in_sessions_end_others(
        by=request.staff, current_key=request.session.session_key
    )
    if ended:
        messages.success(
            request,
            f"You have been signed out everywhere else ({ended} "
            f"{'session' if ended == 1 else 'sessions'} ended).",
        )
    else:
        messages.info(request, "You were not signed in anywhere else.")
    return redirect("sessions:list")


@administrators_only
def staff_access_end(request: StaffRequest, public_id: UUID) -> HttpResponse:
    staff = get_staff_member_for_user(request.user, public_id)
    form = ConfirmForm(posted_data(request))
    back = reverse("accounts:staff_detail", args=[staff.public_id])
    if staff.user is None:
        messages.info(request, f"{staff.name} has no login, so has no sessions or API tokens.")
        return redirect(back)
    if request.method == "POST" and form.is_valid():
        try:
            ended = services.sessions_end_all(user=staff.user, by=request.staff)
        except Refused as refused:
            refusal_to_form(form, refused)
        else:
            messages.success(
                request,
                f"{staff.name} has been signed out everywhere: {ended.sessions} "
                f"{'session' if ended.sessions == 1 else 'sessions'} ended and {ended.tokens} "
                f"API {'token' if ended.tokens == 1 else 'tokens'} revoked.",
            )
            return redirect(back)
    return form_page(
        request,
        form,
        title=f"End all of {staff.name}'s sessions and API tokens?",
        caption="Staff",
        hint="They will be signed out on every device at once, and every API token of theirs "
        "will stop working for good. They can still sign in again: to stop that, deactivate "
        "them or reset their password.",
        button="End all sessions and tokens",
        warning=True,
        back=back,
    )
