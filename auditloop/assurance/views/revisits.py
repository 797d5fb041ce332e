"""Revisits: the page of what changed across a cycle or a service, with the revisits overdue,
due and done, and scheduling a revisit of an audit."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.db.models import Model
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone

from auditloop.accounts.access import StaffRequest, roles_required
from auditloop.accounts.models import Role
from auditloop.assurance.access.revisits import get_audit_to_revisit_for_user
from auditloop.assurance.forms.revisits import RevisitFilterForm, RevisitScheduleForm
from auditloop.assurance.selectors.revisits import (
    audits_to_revisit,
    revisit_counts,
    revisit_figures,
    revisit_rows,
    revisits_listed,
)
from auditloop.assurance.services.revisits import revisit_refusal, revisit_schedule
from auditloop.core.accesslog import Purpose, access_shown
from auditloop.core.pagination import page_of
from auditloop.core.refusals import Refused, refusal_to_form


@roles_required(Role.MODERATOR, Role.SENIOR_LEADER)
def revisit_list(request: StaffRequest) -> HttpResponse:
    """The figures of what changed in the scope chosen, then one list: every revisit (overdue,
    due, done), one of those, or the Inadequate audits no revisit follows up yet."""
    staff = request.staff
    form = RevisitFilterForm(request.GET or None, staff=staff)
    scope, show = form.scope(), form.shown()
    today = timezone.localdate()
    context: dict[str, Any] = {
        "form": form,
        "show": show,
        "figures": revisit_figures(scope),
        "counts": revisit_counts(scope, today=today),
        "can_schedule": staff.is_audit_lead,
        "today": today,
    }
    shown: list[Model] = []
    if show == "unscheduled":
        # Submitted or completed audits in the reader's services: each one they may read.
        page = page_of(request, audits_to_revisit(scope))
        shown = list(page.object_list)
    else:
        page = page_of(request, revisits_listed(scope, show=show, today=today))
        rows = revisit_rows(staff, list(page.object_list), today=today)
        context["rows"] = rows
        shown = [r.audit for r in rows if r.readable]
        shown += [r.audit.revisit_of for r in rows if r.change and r.audit.revisit_of]
    access_shown(user=request.user, targets=shown, purpose=Purpose.LISTED)
    context["page"] = page
    return render(request, "assurance/revisits/list.html", context)


@roles_required(Role.MODERATOR)
def revisit_schedule_view(request: StaffRequest, public_id: UUID) -> HttpResponse:
    audit = get_audit_to_revisit_for_user(request.user, public_id)
    refusal = revisit_refusal(audit)
    form = RevisitScheduleForm(
        request.POST if request.method == "POST" else None, audit=audit, staff=request.staff
    )
    if request.method == "POST" and not refusal and form.is_valid():
        data = form.cleaned_data
        try:
            revisit = revisit_schedule(
                audit=audit,
                by=request.staff,
                reason=data["reason"],
                due_date=data["due_date"],
                auditor=data["auditor"],
            )
        except Refused as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, f"Revisit scheduled and assigned to {revisit.auditor.name}.")
            return redirect("audits:detail", public_id=revisit.public_id)
    return render(
        request,
        "assurance/revisits/schedule.html",
        {"audit": audit, "form": form, "refusal": refusal},
    )


urlpatterns = [
    path("revisits/", revisit_list, name="revisits"),
    path("revisits/schedule/<uuid:public_id>/", revisit_schedule_view, name="revisit_schedule"),
]
