"""Unsafe-child flags: raise one from an audit, list them, read and acknowledge one."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse

from auditloop.accounts.access import StaffRequest, any_staff, auditing_roles_required
from auditloop.accounts.models import StaffMember
from auditloop.audits.access.audits import get_audit_for_user
from auditloop.audits.access.escalations import (
    ESCALATION_RAISE_AUDITOR_ONLY,
    can_acknowledge,
    escalation_team,
    get_escalation_for_user,
)
from auditloop.audits.forms.escalations import EscalationAcknowledgeForm, EscalationRaiseForm
from auditloop.audits.models import AuditStatus, Escalation
from auditloop.audits.selectors.escalations import (
    escalation_audit_fully_visible,
    escalation_concerns,
    escalations_visible_to,
)
from auditloop.audits.services.escalations import escalation_acknowledge, escalation_raise
from auditloop.audits.services.feedback import audit_url
from auditloop.core.accesslog import Purpose, access_shown
from auditloop.core.pagination import page_of
from auditloop.core.refusals import Refused, refusal_to_form

PAGE_SIZE = 50


@auditing_roles_required
def escalation_list(request: StaffRequest) -> HttpResponse:
    staff = request.staff
    page = page_of(request, escalations_visible_to(staff), per_page=PAGE_SIZE)
    access_shown(
        user=request.user, targets=[e.audit for e in page], purpose=Purpose.ESCALATION_LISTED
    )
    return render(request, "audits/escalations/list.html", {"page": page})


def _flagged_audit_url(staff: StaffMember, escalation: Escalation) -> str:
    """The audit's own page for whoever may read it in full; otherwise the flag's read-only
    view of what is needed to act on it (the team manager while the audit is in progress)."""
    if escalation_audit_fully_visible(staff, escalation):
        return audit_url(escalation.audit)
    return reverse("audits:escalation_audit", kwargs={"public_id": escalation.public_id})


@any_staff
def escalation_raise_view(request: StaffRequest, public_id: UUID) -> HttpResponse:
    staff = request.staff
    audit = get_audit_for_user(request.user, public_id)
    if audit.auditor_id != staff.pk:
        raise PermissionDenied(ESCALATION_RAISE_AUDITOR_ONLY)
    form = EscalationRaiseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            escalation = escalation_raise(
                audit=audit, by=request.staff, reason=form.cleaned_data["reason"]
            )
        except Refused as exc:
            refusal_to_form(form, exc)
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
def escalation_detail(request: StaffRequest, public_id: UUID) -> HttpResponse:
    staff = request.staff
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
                    by=request.staff,
                    response=form.cleaned_data["response"],
                )
            except Refused as exc:
                refusal_to_form(form, exc)
            else:
                messages.success(request, "Flag acknowledged. The auditor has been told.")
                return redirect("audits:escalation", public_id=escalation.public_id)
    return render(
        request,
        "audits/escalations/detail.html",
        {
            "escalation": escalation,
            "case": escalation.audit.case,
            "team": escalation_team(escalation),
            "audit_url": _flagged_audit_url(staff, escalation),
            "form": form if may_acknowledge else None,
        },
    )


@any_staff
def escalation_audit(request: StaffRequest, public_id: UUID) -> HttpResponse:
    """The flagged audit, read-only, as far as acting on the flag needs: the flags, the child,
    the case file and the auditor's notes behind the flag. Whoever may see the flag may open
    it, even while the audit is in progress; the read is logged."""
    staff = request.staff
    escalation = get_escalation_for_user(request.user, public_id, purpose=Purpose.FLAGGED_AUDIT)
    audit = escalation.audit
    return render(
        request,
        "audits/escalations/audit.html",
        {
            "escalation": escalation,
            "audit": audit,
            "case": audit.case,
            "team": escalation_team(escalation),
            "flags": audit.escalations.select_related("raised_by", "acknowledged_by").order_by(
                "raised_at", "id"
            ),
            "concerns": escalation_concerns(escalation),
            "full_audit_url": (
                audit_url(audit) if escalation_audit_fully_visible(staff, escalation) else ""
            ),
        },
    )


urlpatterns = [
    path("flags/", escalation_list, name="escalations"),
    path("flags/<uuid:public_id>/", escalation_detail, name="escalation"),
    path("flags/<uuid:public_id>/audit/", escalation_audit, name="escalation_audit"),
    path("<uuid:public_id>/flag-unsafe/", escalation_raise_view, name="escalation_raise"),
]
