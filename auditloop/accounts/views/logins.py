"""Logins and passwords: make a login, reset its password, change one's own."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from auditloop.accounts.access import (
    StaffRequest,
    any_staff,
    get_staff_member_for_user,
    signed_in_user,
)
from auditloop.accounts.forms import (
    ConfirmForm,
    LoginCreateForm,
    PasswordChangeForm,
)
from auditloop.accounts.models import (
    StaffMember,
)
from auditloop.accounts.services import logins as services
from auditloop.accounts.services.sessions import (
    signed_in_session_rekey,
    signed_in_sessions_end_for_change,
)
from auditloop.accounts.views.common import (
    administrators_only,
    form_page,
    posted_data,
)


def _one_time_password_page(
    request: HttpRequest, staff: StaffMember, username: str, password: str
) -> HttpResponse:
    # Rendered in answer to the POST, never redirected to: a redirect would need the password
    # kept somewhere (the session) until the next request. The page is never cached.
    return render(
        request,
        "accounts/one_time_password.html",
        {"staff": staff, "username": username, "password": password},
    )


@administrators_only
def staff_login_create(request: StaffRequest, public_id: UUID) -> HttpResponse:
    staff = get_staff_member_for_user(request.user, public_id)
    suggested = (staff.email or "").split("@")[0]
    form = LoginCreateForm(posted_data(request), initial={"username": suggested})
    if request.method == "POST" and form.is_valid():
        try:
            user, password = services.staff_login_create(
                staff=staff,
                by=request.staff,
                username=form.cleaned_data["username"],
                organisation=form.cleaned_data["organisation"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _one_time_password_page(request, staff, user.username, password)
    return form_page(
        request,
        form,
        title=f"Create a login for {staff.name}",
        caption="Staff",
        hint="You will see a one-time password once, on the next page.",
        button="Create login",
        back=reverse("accounts:staff_detail", args=[staff.public_id]),
    )


@administrators_only
def staff_password_reset(request: StaffRequest, public_id: UUID) -> HttpResponse:
    staff = get_staff_member_for_user(request.user, public_id)
    form = ConfirmForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            password = services.staff_password_reset(staff=staff, by=request.staff)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            username = staff.user.username if staff.user is not None else ""
            return _one_time_password_page(request, staff, username, password)
    return form_page(
        request,
        form,
        title=f"Reset {staff.name}'s password?",
        caption="Staff",
        hint="Their current password, their open sessions and their API tokens stop working "
        "at once, and they are told by email. You will see a one-time password once, on the "
        "next page; it signs in once, and they then choose their own.",
        button="Reset password",
        warning=True,
        back=reverse("accounts:staff_detail", args=[staff.public_id]),
    )


@any_staff
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(posted_data(request))
    user = signed_in_user(request)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_password_change(
                user=user,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            old_key = request.session.session_key
            update_session_auth_hash(request, user)
            # The session moved to a new key: its record follows it. The others, made with
            # the old password, are signed out by Django: they leave the list too.
            signed_in_session_rekey(old_key=old_key, new_key=request.session.session_key)
            signed_in_sessions_end_for_change(user=user, keep_key=request.session.session_key)
            messages.success(request, "Your password has been changed.")
            return redirect("home")
    if user.password_change_required:
        # Signed in with a one-time password: nothing else opens until this is done.
        return form_page(
            request,
            form,
            title="Choose your own password",
            hint="You signed in with a one-time password, which has now been used. Enter it "
            "as your current password, then choose a password only you know.",
            button="Save my password",
        )
    return form_page(
        request, form, title="Change your password", button="Change password", back=reverse("home")
    )
