"""Unsafe-child flags: raise one from an audit, list them, read and acknowledge one."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from auditloop.audits.access import get_audit_for_user
from auditloop.audits.access_followup import get_escalation_for_user
from auditloop.audits.forms_followup import (
    EscalationAcknowledgeForm,
    EscalationRaiseForm,
    refusal_show,
)
from auditloop.audits.models import AuditStatus
from auditloop.audits.selectors_escalations import (
    can_acknowledge,
    escalation_team,
    escalations_visible_to,
)
from auditloop.audits.services.audits import AuditRefused
from auditloop.audits.services.escalations import escalation_acknowledge, escalation_raise
from auditloop.audits.services.feedback import audit_url
from auditloop.core.access import any_staff, auditing_roles_required, signed_in_user, staff_for
from auditloop.core.accesslog import Purpose, access_shown
from auditloop.core.pagination import page_of

PAGE_SIZE = 50


@auditing_roles_required
def escalation_list(request: HttpRequest) -> HttpResponse:
    staff = staff_for(request.user)
    page = page_of(request, escalations_visible_to(staff), per_page=PAGE_SIZE)
    access_shown(
        user=request.user, targets=[e.audit for e in page], purpose=Purpose.ESCALATION_LISTED
    )
    return render(request, "audits/escalations/list.html", {"page": page})


@any_staff
def escalation_raise_view(request: HttpRequest, public_id: UUID) -> HttpResponse:
    staff = staff_for(request.user)
    audit = get_audit_for_user(request.user, public_id)
    if audit.auditor_id != staff.pk:
        raise PermissionDenied("Only the audit's auditor can flag that the child is not safe.")
    form = EscalationRaiseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            escalation = escalation_raise(
                audit=audit, by=signed_in_user(request), reason=form.cleaned_data["reason"]
            )
        except AuditRefused as exc:
            refusal_show(form, exc)
        else:
            messages.success(
                request,
                "Unsafe-child flag raised. The team manager, the head of service and the audit "
                "leads have been told.",
            )
            return redirect("audits:escalation", public_id=escalation.public_id)
    return render(
        request,
        "audits/escalations/raise.html",
        {
            "audit": audit,
            "audit_url": audit_url(audit),
            "form": form,
            "is_completed": audit.status == AuditStatus.COMPLETED,
        },
    )


@any_staff
def escalation_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    staff = staff_for(request.user)
    escalation = get_escalation_for_user(request.user, public_id)
    may_acknowledge = escalation.acknowledged_at is None and can_acknowledge(staff, escalation)
    form = EscalationAcknowledgeForm(request.POST or None)
    if request.method == "POST":
        if not may_acknowledge:
            raise PermissionDenied("You cannot acknowledge this flag.")
        if form.is_valid():
            try:
                escalation_acknowledge(
                    escalation=escalation,
                    by=signed_in_user(request),
                    response=form.cleaned_data["response"],
                )
            except AuditRefused as exc:
                refusal_show(form, exc)
            else:
                messages.success(request, "Flag acknowledged. The auditor has been told.")
                return redirect("audits:escalation", public_id=escalation.public_id)
    return render(
        request,
        "audits/escalations/detail.html",
        {
            "escalation": escalation,
            "team": escalation_team(escalation),
            "audit_url": audit_url(escalation.audit),
            "form": form if may_acknowledge else None,
        },
    )


urlpatterns = [
    path("flags/", escalation_list, name="escalations"),
    path("flags/<uuid:public_id>/", escalation_detail, name="escalation"),
    path("<uuid:public_id>/flag-unsafe/", escalation_raise_view, name="escalation_raise"),
]
