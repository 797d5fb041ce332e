"""Calibration exercises: the list, setting one (an audit lead), and its page, which compares
the auditors' answers question by question once every one of them has submitted."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from auditloop.accounts.access import (
    StaffRequest,
    any_staff,
    auditing_roles_required,
    roles_required,
)
from auditloop.accounts.models import Role, StaffMember
from auditloop.accounts.selectors import auditors_in_services_of
from auditloop.assurance.access.calibration import get_calibration_for_user
from auditloop.assurance.forms.calibration import CalibrationSetForm
from auditloop.assurance.selectors.agreement import calibration_agreement
from auditloop.assurance.selectors.calibration import (
    calibration_comparison,
    calibration_entries,
    calibration_waiting,
    calibrations_visible_to,
)
from auditloop.assurance.services.calibration import calibration_set
from auditloop.audits.forms.planning import AuditCaseFindForm
from auditloop.audits.selectors.planning import case_to_plan
from auditloop.cases.models import ChildCase
from auditloop.core.accesslog import Purpose, access_shown
from auditloop.core.pagination import page_of
from auditloop.core.refusals import Refused, refusal_to_form

PAGE_SIZE = 50


@auditing_roles_required
def calibration_list(request: StaffRequest) -> HttpResponse:
    staff = request.staff
    page = page_of(request, calibrations_visible_to(staff), per_page=PAGE_SIZE)
    # Each row names its case's LA child ID: a read of the case file.
    access_shown(
        user=request.user, targets=[e.case for e in page.object_list], purpose=Purpose.LISTED
    )
    return render(
        request,
        "assurance/calibration/list.html",
        {"page": page, "can_set": staff.is_audit_lead},
    )


def _render_find(request: StaffRequest, find: AuditCaseFindForm) -> HttpResponse:
    return render(request, "assurance/calibration/find.html", {"find": find})


def _render_set(request: StaffRequest, case: ChildCase, form: CalibrationSetForm) -> HttpResponse:
    access_shown(user=request.user, targets=[case], purpose=Purpose.VIEW)
    return render(request, "assurance/calibration/set.html", {"case": case, "form": form})


def _set_form(
    request: StaffRequest, staff: StaffMember, case: ChildCase, *, bound: bool
) -> CalibrationSetForm:
    auditors = auditors_in_services_of(staff)
    data = request.POST if bound else None
    return CalibrationSetForm(data, case=case, auditors=auditors)


@roles_required(Role.MODERATOR)
def calibration_create(request: StaffRequest) -> HttpResponse:
    """Set an exercise, as GOV.UK question pages that work without JavaScript: step 1 asks
    which child's case, by LA child ID, sent by POST so the ID never enters a URL or a log (the
    case is found exactly as when planning an audit); step 2 is the same view POSTed with the
    case's public id in a hidden field, checked again on every POST."""
    staff = request.staff
    if request.method != "POST":
        return _render_find(request, AuditCaseFindForm(staff=staff))
    posted_case = request.POST.get("case")
    if posted_case is None:
        find = AuditCaseFindForm(request.POST, staff=staff)
        if not find.is_valid() or find.case is None:
            return _render_find(request, find)
        return _render_set(request, find.case, _set_form(request, staff, find.case, bound=False))
    case = case_to_plan(staff, posted_case)
    if case is None:
        # Closed or moved since step 1, or a forged id: start again, naming no case.
        return _render_find(request, AuditCaseFindForm({}, staff=staff, case_gone=True))
    form = _set_form(request, staff, case, bound=True)
    if form.is_valid():
        data = form.cleaned_data
        try:
            exercise = calibration_set(
                by=staff,
                case=case,
                tool_version=data["tool_version"],
                title=data["title"],
                due_date=data["due_date"],
                auditors=data["auditors"],
            )
        except Refused as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(
                request,
                f"Calibration exercise set for {len(data['auditors'])} auditors. "
                "Each has been told.",
            )
            return redirect("assurance:calibration_detail", public_id=exercise.public_id)
    return _render_set(request, case, form)


@any_staff
def calibration_detail(request: StaffRequest, public_id: UUID) -> HttpResponse:
    staff = request.staff
    exercise = get_calibration_for_user(request.user, public_id)
    entries = calibration_entries(exercise, staff)
    waiting = calibration_waiting(entries)
    comparison = agreement = None
    if waiting == 0:
        audits = [e.audit for e in entries]
        comparison = calibration_comparison(exercise, audits)
        agreement = calibration_agreement(exercise)
        # The comparison shows every auditor's answers and notes: a read of each audit.
        access_shown(user=request.user, targets=audits, purpose=Purpose.CALIBRATION)
    mine = next((e.audit for e in entries if e.audit.auditor_id == staff.pk), None)
    return render(
        request,
        "assurance/calibration/detail.html",
        {
            "exercise": exercise,
            "case": exercise.case,
            "entries": entries,
            "waiting": waiting,
            "comparison": comparison,
            "agreement": agreement,
            "mine": mine,
        },
    )


urlpatterns = [
    path("calibration/", calibration_list, name="calibration_list"),
    path("calibration/new/", calibration_create, name="calibration_create"),
    path("calibration/<uuid:public_id>/", calibration_detail, name="calibration_detail"),
]
