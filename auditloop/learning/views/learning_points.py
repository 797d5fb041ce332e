"""An audit's learning points: the list (on their own page, and on the audit's), marking one,
changing it and removing it. Every page is keyed by the audit's public id and the point's;
every read is logged as a read of the audit."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse

from auditloop.accounts.access import StaffRequest, any_staff
from auditloop.accounts.models import StaffMember
from auditloop.audits.access.audits import audit_visibility_filter
from auditloop.audits.models import Audit
from auditloop.core.refusals import Refused, refusal_to_form
from auditloop.learning.access.learning_points import (
    get_audit_for_learning_points,
    get_learning_point_for_user,
    learning_point_change_refusal,
    learning_point_write_refusal,
    learning_points_shown,
)
from auditloop.learning.forms.learning_points import LearningPointForm
from auditloop.learning.services.learning_points import (
    learning_point_add,
    learning_point_remove,
    learning_point_update,
)


def _points_url(audit: Audit) -> str:
    return reverse("learning:audit_points", args=[audit.public_id])


def _back(staff: StaffMember, audit: Audit) -> tuple[str, str]:
    """Where the pages lead back to: the audit's page for whoever reads it, else (a moderator
    from outside the audit's line) the moderation they came from."""
    if Audit.objects.filter(audit_visibility_filter(staff), pk=audit.pk).exists():
        return reverse("audits:detail", args=[audit.public_id]), "Back to the audit"
    return (
        reverse("assurance:moderation_detail", args=[audit.moderation.public_id]),
        "Back to the moderation",
    )


@any_staff
def audit_points(request: StaffRequest, audit_id: UUID) -> HttpResponse:
    staff = request.staff
    audit = get_audit_for_learning_points(request.user, audit_id)
    back_url, back_label = _back(staff, audit)
    context: dict[str, Any] = {
        "audit": audit,
        "points": list(learning_points_shown(staff, audit)),
        "can_add": learning_point_write_refusal(staff, audit) is None,
        "back_url": back_url,
        "back_label": back_label,
        "blind": getattr(audit, "grades_hidden", False),
    }
    return render(request, "learning/learning_points/list.html", context)


def _save(
    request: StaffRequest, form: LearningPointForm, audit: Audit, point: Any = None
) -> HttpResponse | None:
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        if point is None:
            learning_point_add(
                audit=audit,
                by=request.staff,
                kind=data["kind"],
                question=data["question"],
                text=data["text"],
                themes=list(data["themes"]),
            )
            messages.success(request, "Learning point marked.")
        else:
            learning_point_update(
                point=point,
                by=request.staff,
                kind=data["kind"],
                question=data["question"],
                text=data["text"],
                themes=list(data["themes"]),
            )
            messages.success(request, "Learning point changed.")
    except Refused as refused:
        refusal_to_form(form, refused)
        return None
    return redirect(_points_url(audit))


@any_staff
def learning_point_add_view(request: StaffRequest, audit_id: UUID) -> HttpResponse:
    audit = get_audit_for_learning_points(request.user, audit_id)
    refusal = learning_point_write_refusal(request.staff, audit)
    if refusal:
        raise PermissionDenied(refusal)
    form = LearningPointForm(request.POST if request.method == "POST" else None, audit=audit)
    if request.method == "POST" and (done := _save(request, form, audit)):
        return done
    return render(
        request,
        "learning/learning_points/form.html",
        {"audit": audit, "form": form, "point": None, "cancel_url": _points_url(audit)},
    )


@any_staff
def learning_point_edit_view(request: StaffRequest, audit_id: UUID, point_id: UUID) -> HttpResponse:
    point = get_learning_point_for_user(request.user, audit_id, point_id)
    refusal = learning_point_change_refusal(request.staff, point)
    if refusal:
        raise PermissionDenied(refusal)
    form = LearningPointForm(
        request.POST if request.method == "POST" else None, audit=point.audit, point=point
    )
    if request.method == "POST" and (done := _save(request, form, point.audit, point)):
        return done
    return render(
        request,
        "learning/learning_points/form.html",
        {
            "audit": point.audit,
            "form": form,
            "point": point,
            "cancel_url": _points_url(point.audit),
        },
    )


@any_staff
def learning_point_remove_view(
    request: StaffRequest, audit_id: UUID, point_id: UUID
) -> HttpResponse:
    point = get_learning_point_for_user(request.user, audit_id, point_id)
    refusal = learning_point_change_refusal(request.staff, point)
    if refusal:
        raise PermissionDenied(refusal)
    audit = point.audit
    if request.method == "POST":
        learning_point_remove(point=point, by=request.staff)
        messages.success(request, "Learning point removed.")
        return redirect(_points_url(audit))
    return render(
        request,
        "learning/learning_points/remove.html",
        {"audit": audit, "point": point, "cancel_url": _points_url(audit)},
    )


urlpatterns = [
    path("learning-points/<uuid:audit_id>/", audit_points, name="audit_points"),
    path("learning-points/<uuid:audit_id>/add/", learning_point_add_view, name="point_add"),
    path(
        "learning-points/<uuid:audit_id>/<uuid:point_id>/edit/",
        learning_point_edit_view,
        name="point_edit",
    ),
    path(
        "learning-points/<uuid:audit_id>/<uuid:point_id>/remove/",
        learning_point_remove_view,
        name="point_remove",
    ),
]
