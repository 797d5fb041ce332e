"""Administration pages: services, teams, staff and logins, the event log and the access log.

Only administrators, except the page where anyone changes their own password.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from auditloop.accounts import selectors, services
from auditloop.accounts.access import (
    StaffRequest,
    any_staff,
    get_access_request_for_user,
    get_service_for_user,
    get_staff_member_for_user,
    get_team_for_user,
    roles_required,
    signed_in_user,
)
from auditloop.accounts.forms import (
    AccessFilterForm,
    AccessRejectForm,
    ConfirmForm,
    EventFilterForm,
    LoginCreateForm,
    PasswordChangeForm,
    ServiceForm,
    StaffFilterForm,
    StaffForm,
    TeamForm,
    WhoAndWhenFilterForm,
)
from auditloop.accounts.log_words import purpose_label, target_label, verb_label
from auditloop.accounts.models import (
    AccessRequest,
    AccessRequestStatus,
    Role,
    Service,
    StaffMember,
    User,
)
from auditloop.core.accesslog import Purpose, access_shown
from auditloop.core.models import Event
from auditloop.core.pagination import page_of

administrators_only = roles_required(Role.ADMINISTRATOR)
approvers_only = roles_required(Role.ADMINISTRATOR, Role.SENIOR_LEADER)


def _posted(request: HttpRequest) -> QueryDict | None:
    """The submitted data, even when empty (a confirm button sends nothing but the token)."""
    return request.POST if request.method == "POST" else None


def _form_page(request: HttpRequest, form: Any, **context: Any) -> HttpResponse:
    """The one layout every administration form shares: heading, error summary, fields."""
    return render(request, "accounts/form_page.html", {"form": form, **context})


@administrators_only
def admin_home(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/admin_home.html")


# Services ---------------------------------------------------------------------------------


@administrators_only
def service_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "accounts/service_list.html", {"services": selectors.services_with_counts()}
    )


@administrators_only
def service_create(request: StaffRequest) -> HttpResponse:
    form = ServiceForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            service = services.service_create(by=request.staff, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Service {service.name} added.")
            return redirect("accounts:service_list")
    return _form_page(
        request,
        form,
        title="Add a service",
        button="Add service",
        back=reverse("accounts:service_list"),
    )


@administrators_only
def service_edit(request: StaffRequest, public_id: UUID) -> HttpResponse:
    service = get_service_for_user(request.user, public_id)
    initial = {"name": service.name, "head_of_service": service.head_of_service}
    form = ServiceForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.service_update(service=service, by=request.staff, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Service {service.name} saved.")
            return redirect("accounts:service_list")
    return _form_page(
        request,
        form,
        title=f"Change {service.name}",
        caption="Service",
        button="Save",
        back=reverse("accounts:service_list"),
    )


# Teams ------------------------------------------------------------------------------------


@administrators_only
def team_list(request: HttpRequest) -> HttpResponse:
    all_services = list(Service.objects.all())
    chosen = next((s for s in all_services if str(s.public_id) == request.GET.get("service")), None)
    return render(
        request,
        "accounts/team_list.html",
        {
            "teams": selectors.teams_with_counts(service=chosen),
            "services": all_services,
            "chosen": chosen,
        },
    )


@administrators_only
def team_create(request: StaffRequest) -> HttpResponse:
    initial: dict[str, Any] = {}
    if "service" in request.GET:
        initial["service"] = Service.objects.filter(
            public_id__iexact=request.GET["service"]
        ).first()
    form = TeamForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_create(by=request.staff, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Team {team.name} added to {team.service.name}.")
            return redirect("accounts:team_list")
    return _form_page(
        request, form, title="Add a team", button="Add team", back=reverse("accounts:team_list")
    )


@administrators_only
def team_edit(request: StaffRequest, public_id: UUID) -> HttpResponse:
    team = get_team_for_user(request.user, public_id)
    form = TeamForm(_posted(request), initial={"name": team.name, "service": team.service})
    if request.method == "POST" and form.is_valid():
        try:
            services.team_update(team=team, by=request.staff, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Team {team.name} saved.")
            return redirect("accounts:team_list")
    return _form_page(
        request,
        form,
        title=f"Change {team.name}",
        caption="Team",
        hint="Moving a team to another service moves its staff and cases with it.",
        button="Save",
        back=reverse("accounts:team_list"),
    )


# Staff ------------------------------------------------------------------------------------


@administrators_only
def staff_list(request: HttpRequest) -> HttpResponse:
    filters = StaffFilterForm(request.GET or None)
    criteria: dict[str, Any] = {}
    if filters.is_valid():
        data = filters.cleaned_data
        criteria = {
            "team": data["team"],
            "role": data["role"],
            "active": data["active"] or "active",
            "search": data["search"],
        }
    page = page_of(request, selectors.staff_matching(**criteria))
    return render(request, "accounts/staff_list.html", {"filters": filters, "page": page})


@administrators_only
def staff_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    staff = get_staff_member_for_user(request.user, public_id)
    history = Event.objects.filter(
        target_type="accounts.staffmember", target_id=str(staff.public_id)
    ).select_related("actor__staff")[:20]
    return render(
        request,
        "accounts/staff_detail.html",
        {
            "staff": staff,
            "overseen": list(staff.services.all()),
            "history": history,
            "is_self": staff.user_id == request.user.pk,
            "waiting": selectors.access_request_waiting(staff),
        },
    )


def _waiting_note(waiting: AccessRequest | None) -> str:
    if waiting is None:
        return ""
    return (
        f" Their new role ({waiting.get_role_display()}) waits for approval by another "
        "administrator or a senior leader; until then they keep what they had."
    )


def _staff_details(form: StaffForm) -> services.StaffDetails:
    data = dict(form.cleaned_data)
    data["services"] = list(data["services"])
    return services.StaffDetails(**data)


@administrators_only
def staff_create(request: StaffRequest) -> HttpResponse:
    form = StaffForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            staff = services.staff_create(by=request.staff, details=_staff_details(form))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                f"{staff.name} added. Create a login if they need one."
                + _waiting_note(selectors.access_request_waiting(staff)),
            )
            return redirect("accounts:staff_detail", public_id=staff.public_id)
    return _form_page(
        request,
        form,
        title="Add a member of staff",
        button="Add member of staff",
        back=reverse("accounts:staff_list"),
    )


@administrators_only
def staff_edit(request: StaffRequest, public_id: UUID) -> HttpResponse:
    staff = get_staff_member_for_user(request.user, public_id)
    initial = {
        "name": staff.name,
        "email": staff.email or "",
        "swe_number": staff.swe_number,
        "role": staff.role,
        "team": staff.team,
        "services": list(staff.services.all()),
        "manager": staff.manager,
        "start_date": staff.start_date,
        "end_date": staff.end_date,
    }
    form = StaffForm(_posted(request), initial=initial, staff=staff)
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_update(staff=staff, by=request.staff, details=_staff_details(form))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                f"{staff.name}'s record saved."
                + _waiting_note(selectors.access_request_waiting(staff)),
            )
            return redirect("accounts:staff_detail", public_id=staff.public_id)
    return _form_page(
        request,
        form,
        title=f"Change {staff.name}",
        caption="Staff",
        button="Save",
        back=reverse("accounts:staff_detail", args=[staff.public_id]),
    )


@administrators_only
def staff_deactivate(request: StaffRequest, public_id: UUID) -> HttpResponse:
    staff = get_staff_member_for_user(request.user, public_id)
    form = ConfirmForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_deactivate(staff=staff, by=request.staff)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"{staff.name} is marked as left. Their login is closed.")
            return redirect("accounts:staff_detail", public_id=staff.public_id)
    return _form_page(
        request,
        form,
        title=f"Deactivate {staff.name}?",
        caption="Staff",
        hint="They will no longer be able to sign in, and will not be offered for audits or "
        "actions. Their past audits, feedback and actions are kept.",
        button="Deactivate",
        warning=True,
        back=reverse("accounts:staff_detail", args=[staff.public_id]),
    )


@require_POST
@administrators_only
def staff_reactivate(request: StaffRequest, public_id: UUID) -> HttpResponse:
    staff = get_staff_member_for_user(request.user, public_id)
    try:
        services.staff_reactivate(staff=staff, by=request.staff)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{staff.name} is active again.")
    return redirect("accounts:staff_detail", public_id=staff.public_id)


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
    form = LoginCreateForm(_posted(request), initial={"username": suggested})
    if request.method == "POST" and form.is_valid():
        try:
            user, password = services.staff_login_create(
                staff=staff, by=request.staff, username=form.cleaned_data["username"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _one_time_password_page(request, staff, user.username, password)
    return _form_page(
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
    form = ConfirmForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            password = services.staff_password_reset(staff=staff, by=request.staff)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            username = staff.user.username if staff.user is not None else ""
            return _one_time_password_page(request, staff, username, password)
    return _form_page(
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
    form = PasswordChangeForm(_posted(request))
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
            update_session_auth_hash(request, user)
            messages.success(request, "Your password has been changed.")
            return redirect("home")
    if user.password_change_required:
        # Signed in with a one-time password: nothing else opens until this is done.
        return _form_page(
            request,
            form,
            title="Choose your own password",
            hint="You signed in with a one-time password, which has now been used. Enter it "
            "as your current password, then choose a password only you know.",
            button="Save my password",
        )
    return _form_page(
        request, form, title="Change your password", button="Change password", back=reverse("home")
    )


# Role changes waiting for a second person ---------------------------------------------------


@approvers_only
def access_request_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/access_request_list.html",
        {
            "waiting": list(selectors.access_requests_for_review(pending=True)),
            "decided": list(selectors.access_requests_for_review(pending=False)[:20]),
        },
    )


def _access_request_page(
    request: StaffRequest,
    access_request: AccessRequest,
    reject_form: AccessRejectForm | None = None,
) -> HttpResponse:
    pending = access_request.status == AccessRequestStatus.PENDING
    about_self = access_request.staff_id == request.staff.pk
    asked_by_self = access_request.requested_by_id == request.staff.user_id
    staff = access_request.staff
    return render(
        request,
        "accounts/access_request_detail.html",
        {
            "access_request": access_request,
            "staff": staff,
            "now_services": list(staff.services.all()),
            "asked_services": list(access_request.services.all()),
            "asked_by": _who(access_request.requested_by),
            "decided_by": _who(access_request.decided_by) if access_request.decided_by else "",
            "can_approve": pending and not about_self and not asked_by_self,
            "can_withdraw": pending and asked_by_self,
            "reject_form": reject_form or AccessRejectForm(),
            "is_administrator": request.staff.role == Role.ADMINISTRATOR,
        },
    )


@approvers_only
def access_request_detail(request: StaffRequest, public_id: UUID) -> HttpResponse:
    return _access_request_page(request, get_access_request_for_user(request.user, public_id))


@require_POST
@approvers_only
def access_request_approve(request: StaffRequest, public_id: UUID) -> HttpResponse:
    access_request = get_access_request_for_user(request.user, public_id)
    try:
        staff = services.access_request_approve(access_request=access_request, by=request.staff)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("accounts:access_request", public_id=public_id)
    messages.success(request, f"Approved: {staff.name} is now {staff.get_role_display().lower()}.")
    return redirect("accounts:access_requests")


@require_POST
@approvers_only
def access_request_reject(request: StaffRequest, public_id: UUID) -> HttpResponse:
    access_request = get_access_request_for_user(request.user, public_id)
    form = AccessRejectForm(request.POST)
    if form.is_valid():
        try:
            services.access_request_reject(
                access_request=access_request,
                by=request.staff,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"The change for {access_request.staff.name} was not made.")
            return redirect("accounts:access_requests")
    return _access_request_page(request, access_request, form)


# Event log and access log -----------------------------------------------------------------

# Where a logged record can be opened, by its public id.
_TARGET_URLS = {
    "accounts.staffmember": "accounts:staff_detail",
    "cases.childcase": "cases:detail",
    "audits.audit": "audits:detail",
}


def _target_url(target_type: str, target_id: str) -> str:
    name = _TARGET_URLS.get(target_type)
    if name is None:
        return ""
    try:
        return reverse(name, args=[target_id])
    except NoReverseMatch:
        return ""


def _who(user: User | None) -> str:
    if user is None:
        return "The system"
    staff = getattr(user, "staff", None)
    return f"{staff.name} ({user.username})" if staff is not None else user.username


@administrators_only
def event_list(request: HttpRequest) -> HttpResponse:
    filters = EventFilterForm(
        request.GET or None,
        verbs=selectors.event_verbs(),
        target_types=selectors.event_target_types(),
    )
    criteria = filters.cleaned_data if filters.is_valid() else {}
    page = page_of(request, selectors.events_matching(**criteria))
    # The log says who did what to which audit: reading it is itself recorded, row by row.
    access_shown(user=request.user, targets=list(page), purpose=Purpose.EVENT_LOG)
    rows = [
        {
            "event": event,
            "who": _who(event.actor),
            "url": _target_url(event.target_type, event.target_id),
            "label": target_label(event.target_type),
            "what": verb_label(event.verb),
            "changes": selectors.changes(event.before, event.after, event.content_changed),
        }
        for event in page
    ]
    return render(
        request, "accounts/event_list.html", {"filters": filters, "page": page, "rows": rows}
    )


@administrators_only
def access_log(request: HttpRequest) -> HttpResponse:
    filters = AccessFilterForm(request.GET or None, target_types=selectors.access_target_types())
    criteria = filters.cleaned_data if filters.is_valid() else {}
    page = page_of(request, selectors.access_log_matching(**criteria))
    rows = [
        {
            "entry": entry,
            "who": _who(entry.user),
            "url": _target_url(entry.target_type, entry.target_id),
            "label": target_label(entry.target_type),
            "purpose": purpose_label(entry.purpose),
        }
        for entry in page
    ]
    return render(
        request, "accounts/access_log.html", {"filters": filters, "page": page, "rows": rows}
    )


@administrators_only
def refused_requests(request: HttpRequest) -> HttpResponse:
    filters = WhoAndWhenFilterForm(request.GET or None)
    criteria = filters.cleaned_data if filters.is_valid() else {}
    page = page_of(request, selectors.refused_requests_matching(**criteria))
    rows = [{"entry": entry, "who": _who(entry.user)} for entry in page]
    return render(
        request, "accounts/refused_requests.html", {"filters": filters, "page": page, "rows": rows}
    )


@administrators_only
def failed_sign_ins(request: HttpRequest) -> HttpResponse:
    filters = WhoAndWhenFilterForm(request.GET or None)
    criteria = filters.cleaned_data if filters.is_valid() else {}
    page = page_of(request, selectors.failed_sign_ins_matching(**criteria))
    rows = [
        {"entry": entry, "login": _who(entry.user) if entry.user is not None else ""}
        for entry in page
    ]
    return render(
        request, "accounts/failed_sign_ins.html", {"filters": filters, "page": page, "rows": rows}
    )
