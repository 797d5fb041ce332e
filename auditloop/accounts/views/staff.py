"""Staff records: the list, one person's record, add, change, mark as left or back."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from auditloop.accounts import selectors
from auditloop.accounts.access import (
    StaffRequest,
    get_staff_member_for_user,
)
from auditloop.accounts.forms import (
    ConfirmForm,
    StaffFilterForm,
    StaffForm,
)
from auditloop.accounts.models import (
    AccessRequest,
)
from auditloop.accounts.second_factor import has_second_factor
from auditloop.accounts.services import staff as services
from auditloop.accounts.views.common import (
    administrators_only,
    form_page,
    posted_data,
)
from auditloop.core.models import Event
from auditloop.core.pagination import page_of


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
            "has_second_factor": staff.user is not None and has_second_factor(staff.user),
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
    form = StaffForm(posted_data(request))
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
    return form_page(
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
    form = StaffForm(posted_data(request), initial=initial, staff=staff)
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
    return form_page(
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
    form = ConfirmForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_deactivate(staff=staff, by=request.staff)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"{staff.name} is marked as left. Their login is closed.")
            return redirect("accounts:staff_detail", public_id=staff.public_id)
    return form_page(
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
