"""Grading scales: their grades, and adding and removing grades while no published version of
an audit tool uses the scale. Who may read and change them is as for the audit tools."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_POST

from auditloop.accounts.access import StaffRequest
from auditloop.audits.access.scales import get_grading_scale_for_user
from auditloop.audits.access.tools import (
    can_change_tools,
)
from auditloop.audits.forms.scales import ActionGradesForm, GradeForm, GradingScaleForm
from auditloop.audits.models import GradingScale, ToolVersion
from auditloop.audits.selectors.scales import grading_scales_for_list
from auditloop.audits.services import scales as services
from auditloop.audits.services.scales import scale_in_use
from auditloop.audits.views.tools import Done, button, form_page, reads, writes
from auditloop.core.refusals import Refused, refusal_to_form, refusal_to_message


def _scale_url(scale: GradingScale) -> str:
    return reverse("audits:grading_scale", kwargs={"public_id": scale.public_id})


@reads
def grading_scales(request: StaffRequest) -> HttpResponse:
    return render(
        request,
        "audits/tools/scale_list.html",
        {"scales": grading_scales_for_list(), "can_change": can_change_tools(request.staff)},
    )


@writes
def grading_scale_create(request: StaffRequest) -> HttpResponse:
    def change(data: dict[str, Any]) -> Done:
        scale = services.grading_scale_create(name=data["name"], by=request.staff)
        return f"{scale.name} created. Now add its grades.", _scale_url(scale)

    form = GradingScaleForm(request.POST or None)
    return form_page(request, form, change, "audits/tools/scale_create.html", {})


def _scale_page(
    request: StaffRequest,
    scale: GradingScale,
    form: GradeForm | None,
    action_form: ActionGradesForm | None = None,
) -> HttpResponse:
    frozen = scale_in_use(scale)
    can_change = can_change_tools(request.staff)
    editable = can_change and not frozen
    grades = list(scale.grades.order_by("-value"))
    versions = ToolVersion.objects.filter(grading_scale=scale).select_related("tool")
    if not can_change:
        versions = versions.filter(is_published=True)
    return render(
        request,
        "audits/tools/scale.html",
        {
            "scale": scale,
            "grades": grades,
            "frozen": frozen,
            "editable": editable,
            "form": (form or GradeForm()) if editable else None,
            # Which grades need an action is policy, not grading: set even on a frozen scale.
            "action_form": (action_form or ActionGradesForm(grades=grades))
            if can_change and grades
            else None,
            "versions": versions.order_by("tool__name", "-number"),
        },
    )


@reads
@require_GET
def grading_scale(request: StaffRequest, public_id: UUID) -> HttpResponse:
    """A scale's grades; while no published version uses it, a lead adds grades here."""
    scale = get_grading_scale_for_user(request.user, public_id)
    return _scale_page(request, scale, None)


@writes
@require_POST
def grade_add(request: StaffRequest, public_id: UUID) -> HttpResponse:
    scale = get_grading_scale_for_user(request.user, public_id, write=True)
    form = GradeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            grade = services.grade_add(
                scale=scale,
                code=data["code"],
                label=data["label"],
                value=data["value"],
                is_inadequate=data["is_inadequate"],
                needs_action=data["needs_action"],
                description=data["description"],
                by=request.staff,
            )
        except Refused as refused:
            if scale_in_use(scale):
                refusal_to_message(request, refused)
                return redirect(_scale_url(scale))
            refusal_to_form(form, refused)
        else:
            messages.success(request, f"Grade {grade.label} added.")
            return redirect(_scale_url(scale))
    return _scale_page(request, scale, form)


@writes
@require_POST
def grade_remove(request: StaffRequest, public_id: UUID, code: str) -> HttpResponse:
    scale = get_grading_scale_for_user(request.user, public_id, write=True)
    grade = scale.grades.filter(code=code).first()
    if grade is None:
        messages.error(request, f"{scale.name} has no grade {code}.")
        return redirect(_scale_url(scale))

    def change() -> Done:
        services.grade_remove(grade=grade, by=request.staff)
        return f"Grade {grade.label} removed.", _scale_url(scale)

    return button(request, change, refused_to=_scale_url(scale))


@writes
@require_POST
def grading_scale_action_grades(request: StaffRequest, public_id: UUID) -> HttpResponse:
    scale = get_grading_scale_for_user(request.user, public_id, write=True)
    form = ActionGradesForm(request.POST, grades=list(scale.grades.order_by("-value")))
    if form.is_valid():
        try:
            services.grading_scale_action_grades_set(
                scale=scale, codes=form.cleaned_data["codes"], by=request.staff
            )
        except Refused as refused:
            refusal_to_form(form, refused)
        else:
            messages.success(request, "The grades that need an action are saved.")
            return redirect(_scale_url(scale))
    return _scale_page(request, scale, None, form)


urlpatterns = [
    path("tools/scales/", grading_scales, name="grading_scales"),
    path("tools/scales/new/", grading_scale_create, name="grading_scale_create"),
    path("tools/scales/<uuid:public_id>/", grading_scale, name="grading_scale"),
    path("tools/scales/<uuid:public_id>/grades/new/", grade_add, name="grade_add"),
    path(
        "tools/scales/<uuid:public_id>/action-grades/",
        grading_scale_action_grades,
        name="grading_scale_action_grades",
    ),
    path(
        "tools/scales/<uuid:public_id>/grades/<slug:code>/remove/",
        grade_remove,
        name="grade_remove",
    ),
]
