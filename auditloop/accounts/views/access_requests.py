"""Changes of role waiting for a second person: the list, one request, approve, reject."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from auditloop.accounts import selectors
from auditloop.accounts.access import (
    StaffRequest,
    get_access_request_for_user,
)
from auditloop.accounts.forms import (
    AccessRejectForm,
)
from auditloop.accounts.models import (
    AccessRequest,
    AccessRequestStatus,
    Role,
)
from auditloop.accounts.services import access_requests as services
from auditloop.accounts.views.common import (
    approvers_only,
    who_label,
)


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
            "asked_by": who_label(access_request.requested_by),
            "decided_by": who_label(access_request.decided_by) if access_request.decided_by else "",
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
